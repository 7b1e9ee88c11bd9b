#!/usr/bin/env bash
# Runs a conformance program compiled eagerly, in memory and through dlopen, and checks its output
# against the interpreter's and the --stats figures it must produce.
# usage: jit_stats_test.sh MARU PROGRAM [--OPTION...] CHECK...
#   --OPTION: passed to maru in the compiled runs (e.g. --inline=off)
#   CHECK: "key=value" (that exact line) or "key>=N" (at least N)
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
program="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
maru="$1"
shift 2
options=()
while [[ $# -gt 0 && "$1" == --* ]]; do
  options+=("$1")
  shift
done
checks=("$@")
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
setup "$maru"

run --jit=off "$program"
expected="$(cat "$work/out")"
for code in memory dlopen; do
  begin "$(basename "$program") compiled ($code${options[*]:+ ${options[*]}}): ${checks[*]}"
  run --jit=eager "--code=$code" ${options[@]+"${options[@]}"} --stats "$program"
  want_status 0
  want_out "$expected"$'\n'
  want_err_contains "maru-stats: functions_fallback=0"
  for check in "${checks[@]}"; do
    if [[ "$check" == *">="* ]]; then
      key="${check%%>=*}"
      least="${check##*>=}"
      value=$(sed -n "s/^maru-stats: $key=//p" "$work/err")
      ((${value:-0} >= least)) || problem "$key=${value:-missing}, expected at least $least"
    else
      want_err_contains "maru-stats: $check"
    fi
  done
  end
done
finish
