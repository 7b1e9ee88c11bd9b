#!/usr/bin/env bash
# The GDB JIT interface: gdb, stopped in the runtime while compiled Maru code is on the stack,
# shows the Maru functions by name in its backtrace and unwinds through their frames.
# usage: gdb_jit_test.sh MARU
set -u
maru="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
if ! command -v gdb >/dev/null 2>&1; then
  echo "gdb is not installed: skipped"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/gdbjit.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cat >"$work/prog.l" <<'MARU'
(define-function inner (n) (if (= n 0) (car 1 2) (+ 1 (inner (- n 1)))))
(define-function outer (n) (+ 1 (inner n)))
(outer 3)
MARU
timeout 120 gdb -batch -nx \
  -ex "handle SIGPWR SIGXCPU nostop noprint pass" \
  -ex "break maru::Vm::Error" -ex run -ex bt \
  --args "$maru" --jit=eager --inline=off "$work/prog.l" >"$work/gdb.txt" 2>&1
passed=0
failed=0
check() {
  if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}
# Four activations, and the generic entry's stub (x86-64) that the runtime called the first through.
frames="$(grep -c "in maru:inner ()" "$work/gdb.txt")"
check "four frames of maru:inner (and its entry stub)" '((frames == 4 || frames == 5))'
check "then maru:outer" 'grep -q "in maru:outer ()" "$work/gdb.txt"'
check "the unwinding reaches main's thread start" 'grep -q "RunThread" "$work/gdb.txt"'
if ((failed > 0)); then grep "^#" "$work/gdb.txt" | head -30; fi
echo "$passed passed, $failed failed"
((failed == 0))
