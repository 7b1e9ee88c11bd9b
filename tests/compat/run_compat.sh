#!/usr/bin/env bash
# Runs the compatibility prelude test: compat_program.l with compat_prelude.l loaded instead of
# the project's prelude (`maru -b compat_prelude.l compat_program.l`), and checks its standard
# output, standard error and exit status.
#
# usage: run_compat.sh MARU_BINARY [maru options ...]
set -uo pipefail

maru="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/compat.XXXXXX")"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
check() {  # check NAME CONDITION-STATUS [details]
  if [[ "$2" == 0 ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n%b' "$1" "${3:-}"
  fi
}

cd "$here" || exit 2
timeout 120 ${MARU_LAUNCHER:-} "$maru" "$@" -b compat_prelude.l compat_program.l </dev/null >"$work/out" 2>"$work/err"
status=$?

cmp -s "$work/out" compat_program.out
check "stdout" $? "$(diff compat_program.out "$work/out" | head -20)\n"
[[ "$status" == 0 ]]
check "exit status" $? "  status $status, expected 0\n"
[[ ! -s "$work/err" ]]
check "stderr empty" $? "$(head -5 "$work/err")\n"

echo "$passed passed, $failed failed"
((failed == 0))
