#!/usr/bin/env bash
# Runs the Maru conformance programs (tests/maru/*.l) through the `maru` binary and compares
# stdout, the first line of stderr and the exit status with the expectations beside each program
# (see tests/maru/README.md).
#
# usage: run_conformance.sh [--expect-no-fallback] MARU_BINARY [maru options for the mode ...]
#   --expect-no-fallback  also require `maru-stats: functions_fallback=0` (every function that
#                         was asked to compile did compile)
# Environment: CONFORMANCE_FILTER=regex to run a subset, CONFORMANCE_EXCLUDE=regex to leave some
# out; MARU_LAUNCHER=command prefix (e.g. a policy launcher) put before the binary.
set -uo pipefail

expect_no_fallback=0
if [[ "${1:-}" == "--expect-no-fallback" ]]; then
  expect_no_fallback=1
  shift
fi
maru="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
mode_flags=("$@")
((expect_no_fallback)) && mode_flags+=(--stats)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/maru"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/conformance.XXXXXX")"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()
cd "$dir" || exit 2
for program in *.l; do
  name="${program%.l}"
  [[ "$name" == later_* ]] && continue
  if [[ -n "${CONFORMANCE_FILTER:-}" && ! "$name" =~ $CONFORMANCE_FILTER ]]; then continue; fi
  if [[ -n "${CONFORMANCE_EXCLUDE:-}" && "$name" =~ $CONFORMANCE_EXCLUDE ]]; then continue; fi
  expected_status=0
  [[ -f "$name.status" ]] && expected_status="$(tr -d '[:space:]' <"$name.status")"
  # shellcheck disable=SC2086  # the launcher is a command line
  timeout 120 ${MARU_LAUNCHER:-} "$maru" "${mode_flags[@]}" "$program" </dev/null >"$work/out" 2>"$work/err"
  status=$?
  problems=""
  if [[ -f "$name.out" ]] && ! cmp -s "$work/out" "$name.out"; then
    problems+="  stdout differs:\n$(diff "$name.out" "$work/out" | head -20)\n"
  fi
  if [[ "$status" != "$expected_status" ]]; then
    problems+="  exit status $status, expected $expected_status\n"
  fi
  if ((expect_no_fallback)) && ! grep -q '^maru-stats: functions_fallback=0$' "$work/err"; then
    problems+="  functions fell back to the interpreter:\n$(grep '^maru-stats: \(functions_fallback\|fallback_reason\)' "$work/err")\n"
  fi
  if [[ -f "$name.err" ]]; then
    expected_err="$(head -n 1 "$name.err")"
    actual_err="$(head -n 1 "$work/err")"
    if [[ "$expected_err" != "$actual_err" ]]; then
      problems+="  stderr first line: '$actual_err'\n  expected:          '$expected_err'\n"
    fi
  fi
  if [[ -z "$problems" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf 'FAIL %s (%s)\n%b' "$name" "${mode_flags[*]:-default}" "$problems"
    if [[ -s "$work/err" && ! -f "$name.err" ]]; then
      printf '  stderr:\n%s\n' "$(head -5 "$work/err")"
    fi
  fi
done

echo
if ((failed > 0)); then echo "failed: ${failures[*]}"; fi
echo "conformance: $passed passed, $failed failed"
((failed == 0))
