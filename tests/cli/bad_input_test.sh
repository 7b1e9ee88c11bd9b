#!/usr/bin/env bash
# Hostile, broken and extreme input for the `maru` command. Every error case must end with a
# clear `error: <message>` first line on stderr and exit status 1: never a signal (status > 128),
# never a hang (each run is wrapped in `timeout`). Spec §3 (reader), §11 (errors).
#
# usage: bad_input_test.sh MARU_BINARY [MODE_FLAG...]   (mode flags such as --jit=off go first on every run)
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
setup "$@"

# error_case NAME TEXT [EXPECTED_FIRST_LINE]: TEXT (interpreted by printf %b, so \xNN makes raw
# bytes) is loaded as a file; status 1 and a clear error report are required, with exactly
# EXPECTED_FIRST_LINE when given.
error_case() {
  begin "$1"
  printf '%b' "$2" >prog.l
  run prog.l
  want_no_crash
  want_status 1
  if [[ $# -ge 3 ]]; then
    want_err_first "$3"
  else
    want_err_clear
  fi
  end
}

# error_prefix_case NAME TEXT PREFIX: as error_case, the first line must start with PREFIX.
error_prefix_case() {
  begin "$1"
  printf '%b' "$2" >prog.l
  run prog.l
  want_no_crash
  want_status 1
  want_err_clear
  local first
  first="$(head -n 1 err)"
  if [[ "$first" != "$3"* ]]; then
    problem "stderr first line '${first:0:200}' does not start with '$3'"
  fi
  end
}

# value_case NAME TEXT EXPECTED_STDOUT: TEXT must run without error and print EXPECTED_STDOUT.
value_case() {
  begin "$1"
  printf '%b' "$2" >prog.l
  run prog.l
  want_no_crash
  want_status 0
  want_out "$3"
  want_err_empty
  end
}

# clean_outcome: either success (status 0) or a clean error report (status 1).
want_clean_outcome() {
  want_no_crash
  if [[ "$status" == 0 ]]; then
    return
  fi
  want_status 1
  want_err_clear
}

# repeat N TEXT: TEXT written N times to stdout.
repeat() {
  local n="$1" text="$2"
  awk -v n="$n" -v t="$text" 'BEGIN { for (i = 0; i < n; i++) printf "%s", t }'
}

# ---------------------------------------------------------------------------------------------
# Reader errors

error_case "unbalanced (((" '(((' "error: EOF while reading list"
begin "forms before an unbalanced list still run"
printf '(println 1)\n(((' >prog.l
run prog.l
want_status 1
want_out $'1\n'
want_err_first "error: EOF while reading list"
end
error_case "stray )))" ')))' "error: unexpected character 0x29 ')'"
begin "forms before a stray ) run"
printf '(println 1) )' >prog.l
run prog.l
want_status 1
want_out $'1\n'
want_err_first "error: unexpected character 0x29 ')'"
end
error_case "mismatched delimiter (a]" '(a]' "error: mismatched delimiter: expected ')' found ']'"
error_case "bad escape \"\\q\"" '"\\q"' 'error: illegal character escape: \q'
error_case "bad escape \"\\8\"" '"\\8"' 'error: illegal character escape: \8'
error_case "bad \\u digit" '"\\u00!!"' "error: illegal digit in character escape"
error_case "EOF in a string literal" '"abc' "error: EOF in string literal"
error_case "missing item after ." '(a . )' "error: missing item after ."
error_case "extra item after ." '(a . b c)' "error: extra item after ."
error_case "form feed outside a string" '\x0c' "error: illegal character: 0x0c"
error_case "NUL byte outside a string" '(a \x00 b)' "error: illegal character: 0x00"
error_case "DEL outside a string" '\x7f' "error: illegal character: 0x7f"

# ---------------------------------------------------------------------------------------------
# Invalid UTF-8 (spec §3.1: an invalid sequence is the error `illegal UTF-8 sequence`)

error_case "invalid UTF-8 bytes ff fe" '\xff\xfe' "error: illegal UTF-8 sequence"
error_case "invalid UTF-8 after a form" '(println 1) \xff' "error: illegal UTF-8 sequence"
error_case "invalid UTF-8 inside a string" '"a\xffb"' "error: illegal UTF-8 sequence"
error_case "overlong encoding inside a string" '"\xc0\x80"' "error: illegal UTF-8 sequence"
error_case "UTF-16 surrogate inside a string" '"\xed\xa0\x80"' "error: illegal UTF-8 sequence"
error_case "code point above U+10FFFF inside a string" '"\xf4\x90\x80\x80"' "error: illegal UTF-8 sequence"
error_case "truncated sequence at end of file" '(println 1) \xe2\x82' "error: illegal UTF-8 sequence"
error_case "lone continuation byte after a form" '(println 1) \x80' "error: illegal UTF-8 sequence"
error_case "invalid first byte of a file (ff)" '\xff (println 5)' "error: illegal UTF-8 sequence"
error_case "invalid first byte of a file (lone continuation 80)" '\x80 (println 5)' "error: illegal UTF-8 sequence"
error_case "overlong encoding at the start of a file" '\xc0\x80 (println 5)' "error: illegal UTF-8 sequence"
error_case "truncated sequence at the start of a file" '\xc3(println 5)' "error: illegal UTF-8 sequence"

begin "64 KiB of pseudo-random bytes"
LC_ALL=C awk 'BEGIN { srand(12345); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' >prog.l
run prog.l
want_clean_outcome
end

begin "an ELF executable (the maru binary) as source"
run "$maru"
want_no_crash
want_status 1
want_err_first "error: illegal character: 0x7f"
end

# ---------------------------------------------------------------------------------------------
# Numbers too large for 64 bits wrap (spec §3.3): not an error

value_case "18446744073709551616 reads as -1" '(println 18446744073709551616)' $'-1\n'
value_case "9223372036854775808 reads as -9223372036854775808" \
  '(println 9223372036854775808)' $'-9223372036854775808\n'
value_case "-9223372036854775809 reads as 9223372036854775807" \
  '(println -9223372036854775809)' $'9223372036854775807\n'
value_case "a 40-digit number saturates then reads as -1" \
  '(println 1234567890123456789012345678901234567890)' $'-1\n'

# ---------------------------------------------------------------------------------------------
# Deep nesting generated at test time

begin "100,000-deep ((( ... ))) read and evaluated: clean result or clean error"
{ repeat 100000 '('; repeat 100000 ')'; echo; } >prog.l
run prog.l
want_clean_outcome
end

begin "100,000-deep quoted list printed: clean result or clean error"
{ printf '(println (quote '; repeat 100000 '('; repeat 100000 ')'; printf '))\n'; } >prog.l
run prog.l
want_clean_outcome
if [[ "$status" == 0 ]]; then
  { repeat 100000 '('; repeat 100000 ')'; echo; } >expected_deep
  if ! cmp -s expected_deep out; then problem "the printed list differs from the source"; fi
fi
end

begin "1,000,000-deep ((( ... ))): clean result or clean error"
{ repeat 1000000 '('; repeat 1000000 ')'; echo; } >prog.l
run prog.l
want_clean_outcome
end

begin "100,000 unclosed ( : EOF while reading list"
repeat 100000 '(' >prog.l
run prog.l
want_no_crash
want_status 1
want_err_first "error: EOF while reading list"
end

begin "100,000-deep (+ 1 (+ 1 ... 0)) prints 100000 or fails with stack overflow"
{ printf '(println '; repeat 100000 '(+ 1 '; printf '0'; repeat 100001 ')'; echo; } >prog.l
run prog.l
want_no_crash
if [[ "$status" == 0 ]]; then
  want_out $'100000\n'
else
  want_status 1
  want_err_first "error: stack overflow"
fi
end

begin "1,000,000-deep (+ 1 (+ 1 ... 0)) prints 1000000 or fails with stack overflow"
{ printf '(println '; repeat 1000000 '(+ 1 '; printf '0'; repeat 1000001 ')'; echo; } >prog.l
run prog.l
want_no_crash
if [[ "$status" == 0 ]]; then
  want_out $'1000000\n'
else
  want_status 1
  want_err_first "error: stack overflow"
fi
end

# ---------------------------------------------------------------------------------------------
# Large sources generated at test time (must load in < 30 s)

# timed_run FILE: runs maru FILE and sets $elapsed_ms.
timed_run() {
  local start end_ns
  start="$(date +%s%N)"
  run "$1"
  end_ns="$(date +%s%N)"
  elapsed_ms=$(((end_ns - start) / 1000000))
  echo "  ($1: ${elapsed_ms} ms)"
}

want_fast() {
  if ((elapsed_ms >= 30000)); then
    problem "took ${elapsed_ms} ms, limit 30000 ms"
  fi
}

begin "10 MB source of 200,000 (define x N) forms"
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "(define x%d %d) ; padding padding padding padding padding\n", i % 1000, i;
             print "(println x999 \" \" x0)" }' >big_defines.l
if (($(wc -c <big_defines.l) < 10000000)); then problem "generator produced less than 10 MB"; fi
timed_run big_defines.l
want_status 0
want_out $'199999 199000\n'
want_fast
end

begin "one 10 MB string literal"
hundred_a="$(printf '%0100d' 0 | tr 0 a)"
{ printf '(println (string-length "'; repeat 100000 "$hundred_a"; printf '"))\n'; } >big_string.l
timed_run big_string.l
want_status 0
want_out $'10000000\n'
want_fast
end

begin "a 1,000,000-element list literal"
{ printf '(println (list-length (quote ('; repeat 1000000 '1 '; printf '))))\n'; } >big_list.l
timed_run big_list.l
want_status 0
want_out $'1000000\n'
want_fast
end

begin "a 10 MB comment"
{ printf ';'; repeat 100000 "$hundred_a"; printf '\n(println "ok")\n'; } >big_comment.l
timed_run big_comment.l
want_status 0
want_out $'ok\n'
want_fast
end

# ---------------------------------------------------------------------------------------------
# Wrong arity

error_case "(+ 1 2 3)" '(+ 1 2 3)' "error: wrong number of arguments (3) in: +"
error_case "(car)" '(car)' "error: wrong number of arguments (0) in: car"
error_case "(cdr 1 2)" '(cdr 1 2)' "error: wrong number of arguments (2) in: cdr"
error_case "too few arguments to a lambda" '((lambda (x) x))' "error: too few arguments applying Expr=(x) to ()"
error_case "too many arguments to a lambda" '((lambda (x) x) 1 2)' \
  "error: too many arguments applying Expr=(x) to (1 2)"
error_prefix_case "too few arguments to a named function" '(define-function f (a b) a)\n(f 1)' \
  "error: too few arguments applying"
error_case "(byte-at) with no arguments" '(byte-at)' "error: wrong number of arguments (0) in: byte-at"

# ---------------------------------------------------------------------------------------------
# Wrong types

error_case "(+ 1 \"a\")" '(+ 1 "a")' 'error: +: non-numeric argument: "a"'
error_prefix_case "(& 1.5 1)" '(& 1.5 1)' "error: &: non-integer argument: 1.5"
error_case "(< 'a 1)" "(< 'a 1)" "error: <: non-numeric argument: a"
error_case "(string-at 5 0)" '(string-at 5 0)' "error: string-at: non-String argument: 5"
error_prefix_case "(string-length 5)" '(string-length 5)' "error: string-length: "
error_prefix_case "(array-length \"x\")" '(array-length "x")' "error: array-length: "
error_case "(format 5 1)" '(format 5 1)' "error: format is not a string"

# ---------------------------------------------------------------------------------------------
# Undefined variables

error_case "undefined variable" '(println nope)' "error: undefined variable: nope"
error_case "t is undefined" 't' "error: undefined variable: t"
error_case "set of an undefined variable" '(set nope2 1)' "error: set: undefined variable: nope2"
error_case "undefined variable in a function body (encode time)" '(define-function f () (g))' \
  "error: undefined variable: g"

# ---------------------------------------------------------------------------------------------
# Arithmetic

error_case "(/ 1 0)" '(/ 1 0)' "error: division by zero"
error_case "(% 1 0)" '(% 1 0)' "error: division by zero"
value_case "(/ -9223372036854775808 -1)" '(println (/ -9223372036854775808 -1) " " (% -9223372036854775808 -1))' \
  $'-9223372036854775808 0\n'

# ---------------------------------------------------------------------------------------------
# Recursion

error_case "infinite recursion" '(define-function f (n) (+ 1 (f n)))\n(f 0)' "error: stack overflow"
error_case "infinite recursion building a list" '(define-function g (n) (cons n (g (+ n 1))))\n(g 0)' \
  "error: stack overflow"
error_case "infinite recursion through eval" "(define-function h (x) (eval (list 'h x)))\n(h 1)" \
  "error: stack overflow"
error_case "infinite recursion through apply" "(define-function a2 (n) (apply a2 (list n)))\n(a2 1)" \
  "error: stack overflow"
error_case "infinite macro expansion" "(define-form m () '(m))\n(m)" "error: stack overflow"
error_case "recursion over a circular list" \
  '(define x (cons 1 ()))\n(set-cdr x x)\n(define-function len (l) (if (pair? l) (+ 1 (len (cdr l))) 0))\n(len x)' \
  "error: stack overflow"

begin "stack overflow report is short (abbreviated backtrace)"
printf '(define-function f (n) (+ 1 (f n)))\n(f 0)\n' >prog.l
run prog.l
want_status 1
want_err_first "error: stack overflow"
if (($(wc -l <err) > 1000)); then problem "the report has $(wc -l <err) lines"; fi
end

value_case "non-tail recursive sum to 10,000 (spec minimum)" \
  '(define-function s (n) (if (= n 0) 0 (+ n (s (- n 1)))))\n(println (s 10000))' $'50005000\n'
value_case "non-tail recursive sum to 100,000" \
  '(define-function s (n) (if (= n 0) 0 (+ n (s (- n 1)))))\n(println (s 100000))' $'5000050000\n'
value_case "non-tail recursive list of 100,000" \
  '(define-function build (n) (if (= n 0) () (cons n (build (- n 1)))))\n(println (list-length (build 100000)))' \
  $'100000\n'

# ---------------------------------------------------------------------------------------------
# Huge and negative sizes

error_case "(array 1000000000000)" '(array 1000000000000)'
error_case "(string 1000000000000)" '(string 1000000000000)'
error_case "(data 1000000000000)" '(data 1000000000000)'
error_case "(allocate 8 1000000000000)" '(allocate 8 1000000000000)'
error_case "(allocate-atomic 1 1000000000000)" '(allocate-atomic 1 1000000000000)'
error_case "(set-array-at (array 1) 1000000000000 0)" '(set-array-at (array 1) 1000000000000 0)'
error_case "(set-string-at (string 1) 1000000000000 65)" '(set-string-at (string 1) 1000000000000 65)'
error_case "(array -5)" '(array -5)' "error: array: negative size: -5"
error_case "(string -5)" '(string -5)' "error: string: negative size: -5"
error_case "(data -5)" '(data -5)' "error: data: negative size: -5"
error_case "(set-array-at (array 1) -1 0)" '(set-array-at (array 1) -1 0)' \
  "error: set-array-at: index out of range: -1"

# ---------------------------------------------------------------------------------------------
# Calling a non-function

error_case "(5 1)" '(5 1)' "error: cannot apply: 5"
error_case "(\"a\")" '("a")' 'error: cannot apply: "a"'
error_case "calling a list" "('(1 2) 3)" "error: cannot apply: (1 2)"

# ---------------------------------------------------------------------------------------------
# Raw memory accessors

error_prefix_case "(byte-at () 0)" '(byte-at () 0)' "error: byte-at: "
error_prefix_case "(set-int-at () 0 1)" '(set-int-at () 0 1)' "error: set-int-at: "
error_prefix_case "(long-at () 0)" '(long-at () 0)' "error: long-at: "
error_prefix_case "(double-at () 0)" '(double-at () 0)' "error: double-at: "
error_case "(byte-at (data 8) 8)" '(byte-at (data 8) 8)' "error: byte-at: index (8) out of range: (<data[8]> 8)"
error_prefix_case "(long-at 0 0): a null address gives a clear message" '(long-at 0 0)' "error: long-at"

# ---------------------------------------------------------------------------------------------
# error and abort

error_case "(error \"boom\" 1)" '(error "boom" 1)' "error: boom1"
error_case "(abort)" '(abort)' "error: abort"

finish
