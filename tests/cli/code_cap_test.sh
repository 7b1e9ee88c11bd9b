#!/usr/bin/env bash
# --max-code-mb: once compiled code reaches the cap, new functions stay interpreted (a one-line
# notice, counted in functions_fallback) and the program's output does not change.
# usage: code_cap_test.sh MARU
set -u
maru="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
# MARU_LAUNCHER: a command prefix for the binary (e.g. qemu-user in the AArch64 cross build).
# shellcheck disable=SC2206  # the launcher is a command line
maru_run=(${MARU_LAUNCHER:-} "$maru")
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/codecap.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# 3000 distinct functions, each called once; the sum of their results.
cat >"$work/many.l" <<'MARU'
(define total 0)
(for (i 0 3000)
  (let ((name (string->symbol (concat-string "f" (long->string i)))))
    (eval (list 'define-function name '(x) (list '+ 'x (list '+ i '(* x 2)))))
    (set total (+ total ((eval name) 1)))))
(println total)
MARU
passed=0
failed=0
check() {
  if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}
"${maru_run[@]}" --jit=off "$work/many.l" >"$work/expected" 2>&1
"${maru_run[@]}" --jit=eager --max-code-mb=1 --stats "$work/many.l" >"$work/out" 2>"$work/err"
check "same output as the interpreter" 'cmp -s "$work/out" "$work/expected"'
check "one notice" '[[ "$(grep -c "code memory cap of 1048576 bytes reached" "$work/err")" == 1 ]]'
check "functions fell back for the cap" 'grep -q "^maru-stats: fallback_reason=[0-9]* code memory cap reached$" "$work/err"'
check "the total is right" 'grep -q "^4507500$" "$work/out"'
echo "$passed passed, $failed failed"
((failed == 0))
