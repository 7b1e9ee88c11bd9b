#!/usr/bin/env bash
# The conformance suite with the JIT eager under MDWE (no W+X mapping, no mapping may gain X):
# the JIT must still run (dual mapping) with byte-identical output, and say which kind it chose.
# usage: mdwe_conformance_test.sh LAUNCHER MARU RUN_CONFORMANCE
set -uo pipefail
launcher="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
maru="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
runner="$3"

"$launcher" --mdwe /bin/true
status=$?
if ((status == 77)); then
  echo "SKIP: this kernel has no PR_SET_MDWE"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

stats="$("$launcher" --mdwe "$maru" --jit=eager --stats -e '(define-function f (x) (+ x 1)) (f 1)' 2>&1)"
echo "$stats" | grep '^maru-stats: code_memory'
if ! echo "$stats" | grep -q '^maru-stats: code_memory=dual$'; then
  echo "FAIL: under MDWE the JIT should run from dual-mapped memory"
  echo "0 passed, 1 failed"
  exit 1
fi
if ! echo "$stats" | grep -q '^maru-stats: functions_compiled=[1-9]'; then
  echo "FAIL: nothing was compiled under MDWE"
  echo "0 passed, 1 failed"
  exit 1
fi
MARU_LAUNCHER="$launcher --mdwe" bash "$runner" --expect-no-fallback "$maru" --jit=eager
