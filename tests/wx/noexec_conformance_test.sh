#!/usr/bin/env bash
# The conformance suite with the JIT eager under MDWE plus a seccomp filter that refuses every
# executable anonymous or shared mapping and every mprotect to executable (only private file
# mappings, as dlopen makes, can be executable): the JIT must run from dlopen'ed shared objects
# with byte-identical output.
# usage: noexec_conformance_test.sh LAUNCHER MARU RUN_CONFORMANCE
set -uo pipefail
launcher="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
maru="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
runner="$3"

"$launcher" --mdwe --seccomp-noexec /bin/true
if (($? == 77)); then
  echo "SKIP: this kernel refuses MDWE or seccomp here"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
stats="$("$launcher" --mdwe --seccomp-noexec "$maru" --jit=eager --stats \
  -e '(define-function f (x) (+ x 1)) (f 1)' 2>&1)"
echo "$stats" | grep '^maru-stats: code_memory'
if ! echo "$stats" | grep -q '^maru-stats: code_memory=dlopen$'; then
  echo "FAIL: under the filter the JIT should run from dlopen'ed modules"
  echo "0 passed, 1 failed"
  exit 1
fi
# native-call runs a Data object's bytes as machine code: under this policy there is no way to
# make them executable, and the program must fail cleanly with that message instead.
native="$(dirname "$runner")/maru/ffi_native_call.l"
"$launcher" --mdwe --seccomp-noexec "$maru" --jit=eager "$native" >/dev/null 2>"${TEST_TMPDIR:-/tmp}/native.err"
status=$?
if ((status != 1)) || ! grep -q '^error: native-call: data is not executable' \
  "${TEST_TMPDIR:-/tmp}/native.err"; then
  echo "FAIL: native-call of Data under the policy: status $status"
  cat "${TEST_TMPDIR:-/tmp}/native.err"
  exit 1
fi
CONFORMANCE_EXCLUDE='^ffi_native_call$' MARU_LAUNCHER="$launcher --mdwe --seccomp-noexec" \
  bash "$runner" --expect-no-fallback "$maru" --jit=eager
