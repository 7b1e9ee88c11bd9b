#!/usr/bin/env bash
# End-to-end tests of the FFI through the `maru` command (spec §13): the library files found
# from any directory (embedded in the binary) and their precedence after files on disk, and C
# stdio output interleaved with Maru's output whatever standard output is (file, pipe).
# usage: library_test.sh MARU_BINARY [mode flags, e.g. --jit=eager ...]
set -uo pipefail
case "$1" in
  /*) maru="$1" ;;
  *) maru="$PWD/$1" ;;
esac
shift
flags=("$@")
# MARU_LAUNCHER (environment): a command prefix put before the binary (qemu-user for AArch64).
run_maru() { ${MARU_LAUNCHER:-} "$maru" "$@"; }
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/maru_ffi.XXXXXX")" || exit 2
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2

passed=0
failed=0
check() {  # name expected actual
  if [[ "$2" == "$3" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$3"
  fi
}

# Compiled code calls foreign Subrs through per-signature stubs (jit/ffi): with the JIT eager,
# calls from a compiled function give the same results and `--stats` counts the stubs.
if [[ " ${flags[*]} " == *" --jit=eager "* ]]; then
  cat >stubs.l <<'MARU'
(define labs (subr "labs" "l>l"))
(define strlen (subr "strlen" "s>l"))
(define sqrt (subr "sqrt" "d>d"))
(define f (lambda (x) (list (labs x) (strlen "hello") (sqrt 16.0))))
(println (f -42))
(println (f 7))
MARU
  out="$(run_maru "${flags[@]}" --stats stubs.l 2>&1)"
  check "stub results" "(42 5 4.000000)
(7 5 4.000000)" "$(grep -v '^maru-stats' <<<"$out")"
  check "stubs made" "maru-stats: ffi_stubs=3" "$(grep '^maru-stats: ffi_stubs=' <<<"$out")"
fi

cat >sqrt.l <<'MARU'
(require "dlopen.k")
(init-dlopen)
(println ((dlextern "libm" "sqrt" "d>d") 2.0))
MARU

# From an empty directory: the embedded dlopen.k and osdefs.k.
check "embedded library" "1.414214" "$(run_maru "${flags[@]}" sqrt.l 2>&1)"
mkdir sub
check "embedded library from another directory" "1.414214" \
  "$(cd sub && run_maru "${flags[@]}" ../sqrt.l 2>&1)"
check "embedded library with -e" "8" \
  "$(run_maru "${flags[@]}" -e '(require "osdefs.k") (print sizeof-long)' 2>&1)"

# A file on disk comes first, in the working directory or under -L.
echo '(define from-disk "cwd") (define init-dlopen (lambda () ()))' >dlopen.k
check "file on disk first" "cwd" \
  "$(run_maru "${flags[@]}" -e '(require "dlopen.k") (print from-disk)' 2>&1)"
mkdir lib
echo '(define from-disk "load-path")' >lib/dlopen.k
check "-L directory first" "load-path" \
  "$(run_maru "${flags[@]}" -L lib/ -e '(require "dlopen.k") (print from-disk)' 2>&1)"
rm dlopen.k
check "-L directory without the file" "2" \
  "$(run_maru "${flags[@]}" -L sub/ -e '(require "osdefs.k") (print RTLD_NOW)' 2>&1)"

# Errors in library code have positions in the embedded file.
report="$(run_maru "${flags[@]}" -e '(require "dlopen.k") (init-dlopen) (dlopen "maru-none")' 2>&1)"
check "dlopen error" "error: could not load: maru-none" "$(head -n 1 <<<"$report")"
if ! grep -q '<library>/dlopen.k:[0-9]' <<<"$report"; then
  failed=$((failed + 1))
  printf 'FAIL backtrace position in dlopen.k\n%s\n' "$report"
else
  passed=$((passed + 1))
fi

# C stdio and direct writes interleave with Maru output, to a file and through a pipe.
cat >order.l <<'MARU'
(print "a")
((subr "printf" "s.") "b%d" 1)
(putc 99)
((subr "write" "isl>l") 1 "d" 1)
(println "e")
((subr "printf" "s.") "f\n")
MARU
run_maru "${flags[@]}" order.l >out.txt 2>&1
check "order in a file" $'ab1cde\nf' "$(cat out.txt)"
check "order through a pipe" $'ab1cde\nf' "$(run_maru "${flags[@]}" order.l 2>&1 | cat)"

# Without the prelude the core primitives work alone.
check "no prelude" "5" "$(run_maru "${flags[@]}" -b -e '(print ((subr "strlen" "s") "hello"))' 2>&1)"

echo "ffi library tests: $passed passed, $failed failed"
((failed == 0))
