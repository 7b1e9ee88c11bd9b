#!/usr/bin/env bash
# Loop back-edges count towards compilation: in auto mode a function called once, whose loop runs
# past the threshold, is compiled (its next call runs the code); with a threshold above its
# iterations it is not.
# usage: back_edge_test.sh MARU PROGRAM
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
program="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
setup "$1"

run --jit=off "$program"
expected="$(cat "$work/out")"

begin "a loop of 5000 iterations compiles its function (threshold 1000)"
run --jit=auto --jit-threshold=1000 --dump-ir "$program"
want_status 0
want_out "$expected"$'\n'
want_err_contains "--- IR spin"
end

begin "a threshold above the iterations leaves it interpreted"
run --jit=auto --jit-threshold=100000 --dump-ir "$program"
want_status 0
want_out "$expected"$'\n'
if grep -q -- "--- IR spin" "$work/err"; then problem "spin was compiled"; fi
end
finish
