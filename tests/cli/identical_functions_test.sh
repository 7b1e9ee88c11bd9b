#!/usr/bin/env bash
# Functions with identical bodies and the same globals share compiled code: cache_hits counts
# them, in memory and in the dlopen kind, and the output is the interpreter's.
# usage: identical_functions_test.sh MARU PROGRAM
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
program="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
setup "$1"

run --jit=off "$program"
expected="$(cat "$work/out")"
for code in memory dlopen; do
  begin "identical functions share code ($code)"
  run --jit=eager "--code=$code" --stats "$program"
  want_status 0
  want_out "$expected"$'\n'
  want_err_contains "maru-stats: functions_fallback=0"
  # inc, salute, second-list, head-of and 49 of the 50 lambdas made by eval.
  hits=$(sed -n 's/^maru-stats: cache_hits=//p' "$work/err")
  ((hits >= 53)) || problem "cache_hits=$hits, expected at least 53"
  end
done
finish
