#!/usr/bin/env bash
# End-to-end tests of the `maru` command line (spec §2, §3.1, §11): files and their arguments,
# options, the REPL, exit status, error reports, interrupts and closed output pipes.
#
# usage: cli_test.sh MARU_BINARY [MODE_FLAG...]   (mode flags such as --jit=off go first on every run)
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
setup "$@"

# ---------------------------------------------------------------------------------------------
# Fixtures

cat >hello.l <<'EOF'
(println "hello")
EOF
cat >f1.l <<'EOF'
(define v 41)
(println "f1")
EOF
cat >f2.l <<'EOF'
(println "f2 " (+ v 1))
EOF
cat >args.l <<'EOF'
(println (list-length *arguments*))
(println *arguments*)
(println (string? (car *arguments*)))
(println (next-argument))
(println *arguments*)
EOF
cat >showargs.l <<'EOF'
(println "args: " *arguments*)
EOF
cat >popall.l <<'EOF'
(while *arguments* (println "arg: " (next-argument)))
EOF
cat >core.l <<'EOF'
(print "core\n")
(print (+ 1 2))
EOF
cat >v.l <<'EOF'
(+ 1 2)
"s"
EOF
cat >e.l <<'EOF'
(println "before")
(define-function f (x) (car))
(define-function g (x) (f x))
(g 1)
(println "after")
EOF
cat >lib.l <<'EOF'
(define-function bad (x) (car))
EOF
cat >main.l <<'EOF'
(bad 1)
EOF

# ---------------------------------------------------------------------------------------------
# Running files

begin "run a file"
run hello.l
want_status 0
want_out $'hello\n'
want_err_empty
end

begin "output without a final newline is flushed at normal exit"
run_text '(print "no newline")'
want_status 0
want_out 'no newline'
end

begin "several files load in order (a definition from the first is seen by the second)"
run f1.l f2.l
want_status 0
want_out $'f1\nf2 42\n'
want_err_empty
end

begin "files in the other order: the second sees nothing yet"
run f2.l f1.l
want_status 1
want_out ''
want_err_first "error: undefined variable: v"
end

begin "a file with no trailing arguments sees *arguments* = ()"
run showargs.l
want_status 0
want_out $'args: ()\n'
end

begin "*arguments*: a program sees its trailing arguments, (next-argument) pops, the rest load as files"
run args.l popped f1.l f2.l
want_status 0
want_out $'3\n(popped f1.l f2.l)\nt\npopped\n(f1.l f2.l)\nf1\nf2 42\n'
want_err_empty
end

begin "a program that pops all its arguments: none of them is loaded"
run popall.l a b c
want_status 0
want_out $'arg: a\narg: b\narg: c\n'
want_err_empty
end

begin "a left-over argument is loaded as a file (missing -> error after the program ran)"
run hello.l nosuch.l
want_status 1
want_out $'hello\n'
want_err_first "error: nosuch.l: No such file or directory"
end

begin "options may appear between files (-v after the first file takes effect for the second)"
run f1.l -v f2.l
want_status 0
want_out_contains 'f1'
want_out_lacks '(define v 41)'
want_out_contains '(println "f2 " (+ v 1))'
want_out_contains ' => "f2 "'
end

# ---------------------------------------------------------------------------------------------
# Options

begin "-b: no prelude, so println is undefined"
run -b hello.l
want_status 1
want_out ''
want_err_first "error: undefined variable: println"
want_backtrace_format
end

begin "-b: the core primitives still work"
run -b core.l
want_status 0
want_out $'core\n3'
want_err_empty
end

begin "-b -e: prelude names are not defined"
run -b -e '(print (defined? (quote println)))'
want_status 0
want_out '()'
end

begin "-e: evaluated after the files, printing only what the program prints"
run -e '(println "e")' f1.l f2.l
want_status 0
want_out $'f1\nf2 42\ne\n'
want_err_empty
end

begin "-e: a value is not printed"
run -e '(+ 1 2)'
want_status 0
want_out ''
want_err_empty
end

begin "-e: several forms, several -e in order"
run -e '(println 1) (println 2)' -e '(println 3)'
want_status 0
want_out $'1\n2\n3\n'
end

begin "-e after a file sees the file's definitions"
run f1.l -e '(println v)'
want_status 0
want_out $'f1\n41\n'
end

printf '(println "from stdin")\n' >stdin_form
begin "-e without a file does not start the REPL"
run --stdin stdin_form -e '(println "e only")'
want_status 0
want_out $'e only\n'
end

begin "-e: an error is reported with status 1"
run -e '(car)'
want_status 1
want_err_first "error: wrong number of arguments (0) in: car"
want_backtrace_format
end

begin "-e without an expression is an error"
run -e
want_status 1
want_err_clear
end

begin "-v (no prelude): echoes each form and ' => <result>'"
run -b -v v.l
want_status 0
want_out_contains '(+ 1 2)'
want_out_contains ' => 3'
want_out_contains ' => "s"'
if grep -qxF '(+ 1 2)' out && grep -qxF ' => 3' out; then
  if (($(grep -nxF '(+ 1 2)' out | head -1 | cut -d: -f1) > $(grep -nxF ' => 3' out | head -1 | cut -d: -f1))); then
    problem "the result line comes before the echoed form"
  fi
else
  problem "expected a line '(+ 1 2)' and a line ' => 3'"
fi
end

begin "without -v nothing is echoed"
run -b v.l
want_status 0
want_out ''
end

begin "-v with the prelude: echo, program output, result in order"
run -v hello.l
want_status 0
echo_line="$(grep -nxF '(println "hello")' out | tail -1 | cut -d: -f1)"
output_line="$(grep -nxF 'hello' out | tail -1 | cut -d: -f1)"
result_line="$(grep -nxF ' => "hello"' out | tail -1 | cut -d: -f1)"
if [[ -z "$echo_line" || -z "$output_line" || -z "$result_line" ]]; then
  problem "expected lines '(println \"hello\")', 'hello' and ' => \"hello\"'"
elif ! ((echo_line < output_line && output_line < result_line)); then
  problem "echo ($echo_line), output ($output_line), result ($result_line) are out of order"
fi
end

mkdir -p libdir
printf '(println "from libdir")\n' >libdir/x.l
printf '(load "x.l")\n(println "loaded")\n' >loader.l
begin "-L DIR before the first file: load finds files under DIR"
run -L libdir/ loader.l
want_status 0
want_out $'from libdir\nloaded\n'
want_err_empty
end

begin "--help: usage text, status 0"
run --help
want_status 0
want_out_contains 'usage'
want_out_contains '-e'
want_err_empty
end

begin "--jit=off is accepted"
run --jit=off hello.l
want_status 0
want_out $'hello\n'
end

# The modes this build offers are those the usage text names (`--jit=MODE  off, auto, ...` or just
# `--jit=off`); every named mode must run a program, every other one must be an error.
"${maru_run[@]}" --help >usage.txt 2>/dev/null
jit_usage="$(grep -e '--jit' usage.txt)"
for mode in auto eager; do
  if [[ "$jit_usage" == *"$mode"* ]]; then
    begin "--jit=$mode (offered by this build) runs a program"
    run --jit=$mode hello.l
    want_status 0
    want_out $'hello\n'
    end
  else
    begin "--jit=$mode (not offered by this build) is an error"
    run --jit=$mode hello.l
    want_status_not 0
    want_no_crash
    want_err_clear
    want_out_lacks 'hello'
    end
  fi
done

begin "--jit=bogus is an error"
run --jit=bogus hello.l
want_status_not 0
want_no_crash
want_err_clear
want_out_lacks 'hello'
end

begin "-pN, -g, -O are accepted"
run -p100 -g -O hello.l
want_status 0
want_out $'hello\n'
end

begin "-g: the backtrace also shows applied functions (spec §11.2)"
run e.l
cp err err_plain
run -g e.l
want_status 1
want_err_first "error: wrong number of arguments (0) in: car"
if cmp -s err err_plain; then
  problem "the -g report is identical to the report without -g"
fi
end

# ---------------------------------------------------------------------------------------------
# Shebang line

printf '#!/usr/bin/env maru\n(println "shebang ok")\n' >sheb.l
begin "a first line starting with #! is skipped"
run sheb.l
want_status 0
want_out $'shebang ok\n'
want_err_empty
end

printf '#!/usr/bin/env maru\n\n(car)\n' >sheb2.l
begin "after a #! line, line numbers still count it"
run sheb2.l
want_status 1
want_err_first "error: wrong number of arguments (0) in: car"
want_err_line 2 "sheb2.l:3: (car)"
end

printf '(println 1)\n#!/bin/false\n' >sheb3.l
begin "#! on a later line is not skipped"
run sheb3.l
want_status 1
want_out $'1\n'
want_err_first "error: undefined variable: #!/bin/false"
end

# Run through the kernel: `#!/usr/bin/env maru` with the binary found on PATH (the binary's own
# path is usually too long for a #! line under Bazel). With a launcher (an emulator: the kernel
# cannot exec the binary itself), bin/maru is a script that runs the binary through it, with the
# same arguments.
if [[ -x /usr/bin/env ]]; then
  begin "an executable script starting with '#!/usr/bin/env maru' runs directly"
  mkdir -p bin
  if [[ -n "${MARU_LAUNCHER:-}" ]]; then
    printf '#!/usr/bin/env bash\nexec %s %q "$@"\n' "$MARU_LAUNCHER" "$maru" >bin/maru
    chmod +x bin/maru
  else
    ln -sf "$maru" bin/maru
  fi
  printf '#!/usr/bin/env maru\n(println "direct " *arguments*)\n(exit (string->long (next-argument)))\n' >direct.l
  chmod +x direct.l
  PATH="$work/bin:$PATH" timeout "$run_timeout" ./direct.l 7 </dev/null >out 2>err
  status=$?
  want_status 7
  want_out $'direct (7)\n'
  end
else
  echo "SKIP  an executable script starting with '#!/usr/bin/env maru' runs directly (no /usr/bin/env)"
fi

# ---------------------------------------------------------------------------------------------
# The REPL

printf '(+ 1 2)\n(car)\n"s"\n(quote (1 "a" b))\n' >repl1
begin "REPL: prompt, ' => ' results, an error in the middle, morituri at end of input"
run --stdin repl1
want_status 0
want_out $'. => 3\n.. => "s"\n. => (1 "a" b)\n.\nmorituri te salutant\n'
want_err_first "error: wrong number of arguments (0) in: car"
want_backtrace_format
end

printf '(define x 5)\n(* x 2) (list x x)\n' >repl2
begin "REPL: definitions persist; several forms on a line; the prelude is loaded"
run --stdin repl2
want_status 0
want_out $'. => 5\n. => 10\n. => (5 5)\n.\nmorituri te salutant\n'
want_err_empty
end

begin "REPL: empty input"
run --stdin /dev/null
want_status 0
want_out $'.\nmorituri te salutant\n'
want_err_empty
end

printf '(println "hi")\n' >repl3
begin "REPL: program output appears between the prompt and the result"
run --stdin repl3
want_status 0
want_out $'.hi\n => "hi"\n.\nmorituri te salutant\n'
end

printf ')\n(+ 1 2)\n' >repl4
begin "REPL: a reader error is reported and the loop continues"
run --stdin repl4
want_status 0
want_out $'.. => 3\n.\nmorituri te salutant\n'
want_err_first "error: unexpected character 0x29 ')'"
end

printf '(+ 1 2)\n(+ 1' >repl5
begin "REPL: end of input inside a form"
run --stdin repl5
want_status 0
want_err_contains "error: EOF while reading list"
if [[ "$(head -c 7 out; echo x)" != $'. => 3\nx' ]]; then problem "stdout should start with '. => 3'"; fi
if [[ "$(tail -c 22 out; echo x)" != $'\nmorituri te salutant\nx' ]]; then
  problem "stdout should end with morituri te salutant"
fi
end

printf '(+ 1 2)\n' >repl6
begin "REPL with -b"
run --stdin repl6 -b
want_status 0
want_out $'. => 3\n.\nmorituri te salutant\n'
end

printf '(exit 4)\n(println "no")\n' >repl7
begin "REPL: (exit 4) -> status 4"
run --stdin repl7
want_status 4
want_out '.'
want_err_empty
end

printf '(println "x")\n(exit 4)\n(println "no")\n' >repl8
begin "REPL: output before (exit 4) is flushed, nothing after it runs"
run --stdin repl8
want_status 4
want_out_contains 'x'
want_out_lacks 'no'
want_out_lacks 'morituri'
end

printf '(exit)\n' >repl9
begin "REPL: (exit) -> status 0 without the farewell"
run --stdin repl9
want_status 0
want_out_lacks 'morituri'
end

# ---------------------------------------------------------------------------------------------
# Errors and exit status

begin "file not found"
run nope.l
want_status 1
want_out ''
want_err_first "error: nope.l: No such file or directory"
end

begin "file not found in a directory"
run sub/nope.l
want_status 1
want_err_first "error: sub/nope.l: No such file or directory"
end

begin "error report: 'error: <message>' then '<file>:<line>: <expr>' lines, innermost first"
run e.l
want_status 1
want_out $'before\n'
want_err_first "error: wrong number of arguments (0) in: car"
want_err_line 2 "e.l:2: (car)"
want_err_line 3 "e.l:3: (f x)"
want_err_line 4 "e.l:4: (g 1)"
want_backtrace_format
end

begin "calls between compiled functions keep their backtrace lines, in order"
cat >compiled.l <<'EOF'
(define-function f (x) (string-at x 0))
(define-function g (x) (f x))
(f "warm")
(g 1)
EOF
run compiled.l
want_status 1
want_err_first "error: string-at: non-String argument: 1"
want_err_line 2 "compiled.l:1: (string-at x 0)"
want_err_line 3 "compiled.l:2: (f x)"
want_err_line 4 "compiled.l:4: (g 1)"
want_backtrace_format
end

begin "deep recursion: a bounded backtrace that still ends with the outermost form"
cat >deep.l <<'EOF'
(define-function down (n) (if (= n 0) (car 1 2) (+ 1 (down (- n 1)))))
(down 300)
EOF
run deep.l
want_status 1
want_err_first "error: wrong number of arguments (2) in: car"
want_err_line 2 "deep.l:1: (car 1 2)"
want_err_contains " more)"
if [[ "$(tail -n 1 "$work/err")" != "deep.l:2: (down 300)" ]]; then
  problem "the last backtrace line is '$(tail -n 1 "$work/err")'"
fi
if (($(wc -l <"$work/err") > 100)); then problem "$(wc -l <"$work/err") lines of backtrace"; fi
want_backtrace_format
end

begin "error report across files names each file"
run lib.l main.l
want_status 1
want_err_first "error: wrong number of arguments (0) in: car"
want_err_contains "lib.l:1: (car)"
want_err_contains "main.l:1: (bad 1)"
want_backtrace_format
end

begin "output before an error is kept (and written before the report)"
printf '(println "before")\n(print "partial")\n(car)\n(println "after")\n' >keep.l
run keep.l
want_status 1
want_out $'before\npartial'
want_err_first "error: wrong number of arguments (0) in: car"
timeout "$run_timeout" "${maru_cmd[@]}" keep.l </dev/null >both 2>&1
before_at="$(grep -bo 'partial' both | head -1 | cut -d: -f1)"
error_at="$(grep -bo 'error:' both | head -1 | cut -d: -f1)"
if [[ -z "$before_at" || -z "$error_at" ]] || ((before_at > error_at)); then
  problem "with 2>&1 the program output should precede the error report"
fi
end

printf '(print "flushed")\n(exit 3)\n(println "not")\n' >exit3.l
begin "(exit 3): status 3, stdout flushed, nothing after it runs"
run exit3.l
want_status 3
want_out 'flushed'
want_err_empty
end

begin "(exit 3) with stdout on a pipe"
timeout "$run_timeout" "${maru_cmd[@]}" exit3.l </dev/null 2>err | cat >out
status="${PIPESTATUS[0]}"
want_status 3
want_out 'flushed'
end

begin "(exit) from inside a function called by -e"
run -e '(define-function quit () (println "bye") (exit 9)) (quit) (println "no")'
want_status 9
want_out $'bye\n'
end

begin "(exit (quote a)): a non-Long argument exits with 0"
run -e '(exit (quote a))'
want_status 0
end

# ---------------------------------------------------------------------------------------------
# SIGINT

# Starts maru in the background on FILE and interrupts it once it has created the file 'started'.
interrupt_script() {
  rm -f started
  timeout 20 "${maru_cmd[@]}" "$1" </dev/null >out 2>err &
  local pid=$! i
  for ((i = 0; i < 100; i++)); do
    [[ -e started ]] && break
    sleep 0.1
  done
  sleep 0.3
  kill -INT "$pid" 2>/dev/null
  wait "$pid"
  status=$?
}

printf '(println "start")\n(close (open "started" "w"))\n(while 1)\n(println "not reached")\n' >loop.l
begin "SIGINT during an infinite loop in a script: 'error: interrupt', status 1"
interrupt_script loop.l
want_status 1
want_out $'start\n'
want_err_first "error: interrupt"
want_backtrace_format
end

printf '(define-function step (i) (+ i 1))\n(define-function spin () (let ((i 0)) (while 1 (set i (step i)))))\n(close (open "started" "w"))\n(spin)\n' >spin.l
begin "SIGINT during a loop of function calls inside a function"
interrupt_script spin.l
want_status 1
want_err_first "error: interrupt"
end

begin "SIGINT in the REPL: the loop returns to its prompt"
trap '' PIPE # a write to the FIFO must not kill this script if maru has died
rm -f started fifo
mkfifo fifo
timeout 20 "${maru_cmd[@]}" <fifo >out 2>err &
pid=$!
exec 7>fifo
printf '(+ 1 1)\n(let () (close (open "started" "w")) (while 1))\n' >&7
for ((i = 0; i < 100; i++)); do
  [[ -e started ]] && break
  sleep 0.1
done
sleep 0.3
kill -INT "$pid" 2>/dev/null
sleep 0.3
printf '(+ 2 3)\n' >&7
exec 7>&-
wait "$pid"
status=$?
trap - PIPE
want_status 0
want_out_contains ' => 2'
want_out_contains ' => 5'
want_out_contains 'morituri te salutant'
want_err_first "error: interrupt"
end

# ---------------------------------------------------------------------------------------------
# Closed output pipe

printf '(while 1 (println "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"))\n' >forever.l
begin "writing to a closed pipe ends the script with an error (no hang, no SIGPIPE)"
timeout 20 "${maru_cmd[@]}" forever.l </dev/null 2>err | head -c 10 >out
status="${PIPESTATUS[0]}"
want_status 1
want_err_clear
want_out 'yyyyyyyyyy'
end

printf '(while 1 (print "y"))\n' >forever2.l
begin "writing single characters to a closed pipe ends the script too"
timeout 20 "${maru_cmd[@]}" forever2.l </dev/null 2>err | head -c 10 >out
status="${PIPESTATUS[0]}"
want_status 1
want_err_clear
end

begin "REPL with endless input and a closed output pipe ends (no hang, no SIGPIPE)"
yes '(+ 1 2)' | timeout 10 "${maru_cmd[@]}" 2>err | head -c 10 >out
status="${PIPESTATUS[1]}"
want_no_crash
want_status 1
want_err_clear
end

finish
