#!/usr/bin/env bash
# Runs the Maru conformance programs (tests/maru/*.l) through the `maru` binary and compares
# stdout, the first line of stderr and the exit status with the expectations beside each program
# (see tests/maru/README.md).
#
# usage: run_conformance.sh [--expect-no-fallback] MARU_BINARY [maru options for the mode ...]
#   --expect-no-fallback  also require `maru-stats: functions_fallback=0` (every function that
#                         was asked to compile did compile)
# Environment: CONFORMANCE_FILTER=regex to run a subset, CONFORMANCE_EXCLUDE=regex to leave some
# out; MARU_LAUNCHER=command prefix put before the binary (a policy launcher, or qemu-user for an
# AArch64 binary: toolchains/aarch64/qemu_launcher.sh).
#
# Machine-dependent programs. The binary's machine (x86_64, aarch64, ...: read from its ELF
# header, since under an emulator it is not the host's) selects
#   NAME.MACHINE.out / .err / .status   instead of NAME.out / .err / .status when present, for
#                                       results the spec leaves to the hardware (e.g. the sign of
#                                       the default NaN: `-nan` on x86-64, `nan` on AArch64);
#   NAME.machines                       when present, the machines (words) the program is for,
#                                       e.g. `x86_64` for one that runs x86-64 machine code;
#                                       elsewhere it is skipped and counted as skipped.
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

# The ELF machine of FILE (x86_64, aarch64, or e_machine in hex), or "unknown".
elf_machine() {
  local header
  header="$(od -An -tx1 -N20 -- "$1" 2>/dev/null | tr -d ' \n')"
  if [[ "${header:0:8}" != "7f454c46" || ${#header} -lt 40 ]]; then
    echo unknown
    return
  fi
  # e_machine: 2 bytes at offset 18, little-endian on every machine this project targets.
  case "${header:38:2}${header:36:2}" in
    003e) echo x86_64 ;;
    00b7) echo aarch64 ;;
    *) echo "em_${header:38:2}${header:36:2}" ;;
  esac
}
machine="$(elf_machine "$maru")"
echo "maru: $machine executable${MARU_LAUNCHER:+, run through: $MARU_LAUNCHER}"

# expectation NAME EXT: the file holding the expectation EXT (out, err, status) of NAME for this
# machine, or nothing when there is none.
expectation() {
  if [[ -f "$1.$machine.$2" ]]; then
    echo "$1.$machine.$2"
  elif [[ -f "$1.$2" ]]; then
    echo "$1.$2"
  fi
}

passed=0
failed=0
skipped=0
failures=()
cd "$dir" || exit 2
for program in *.l; do
  name="${program%.l}"
  [[ "$name" == later_* ]] && continue
  if [[ -n "${CONFORMANCE_FILTER:-}" && ! "$name" =~ $CONFORMANCE_FILTER ]]; then continue; fi
  if [[ -n "${CONFORMANCE_EXCLUDE:-}" && "$name" =~ $CONFORMANCE_EXCLUDE ]]; then continue; fi
  if [[ -f "$name.machines" ]] && ! grep -qw -- "$machine" "$name.machines"; then
    echo "SKIP $name: only for $(tr -s '[:space:]' ' ' <"$name.machines")(this is $machine)"
    skipped=$((skipped + 1))
    continue
  fi
  out_file="$(expectation "$name" out)"
  err_file="$(expectation "$name" err)"
  status_file="$(expectation "$name" status)"
  expected_status=0
  [[ -n "$status_file" ]] && expected_status="$(tr -d '[:space:]' <"$status_file")"
  # shellcheck disable=SC2086  # the launcher is a command line
  timeout 120 ${MARU_LAUNCHER:-} "$maru" "${mode_flags[@]}" "$program" </dev/null >"$work/out" 2>"$work/err"
  status=$?
  problems=""
  if [[ -n "$out_file" ]] && ! cmp -s "$work/out" "$out_file"; then
    problems+="  stdout differs from $out_file:\n$(diff "$out_file" "$work/out" | head -20)\n"
  fi
  if [[ "$status" != "$expected_status" ]]; then
    problems+="  exit status $status, expected $expected_status\n"
  fi
  if ((expect_no_fallback)) && ! grep -q '^maru-stats: functions_fallback=0$' "$work/err"; then
    problems+="  functions fell back to the interpreter:\n$(grep '^maru-stats: \(functions_fallback\|fallback_reason\)' "$work/err")\n"
  fi
  if [[ -n "$err_file" ]]; then
    expected_err="$(head -n 1 "$err_file")"
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
    if [[ -s "$work/err" && -z "$err_file" ]]; then
      printf '  stderr:\n%s\n' "$(head -5 "$work/err")"
    fi
  fi
done

echo
if ((failed > 0)); then echo "failed: ${failures[*]}"; fi
echo "conformance: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
