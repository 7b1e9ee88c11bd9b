#!/usr/bin/env bash
# No executable memory at all once the program has started (exec_with_policy
# --seccomp-noexec-all: every PROT_EXEC mapping refused, dlopen of new objects included):
#  1. the policies themselves, seen by exec_probe (and the probe sees everything allowed
#     without a policy, so these checks can fail);
#  2. maru finds no code memory: `--stats` says code_memory=none with each kind's refusal, and
#     a one-line notice "maru: no executable memory (REASONS): running the interpreter" is
#     printed on stderr with --stats or -v only (nothing extra on stderr otherwise);
#  3. native-call of a Data object fails cleanly;
#  4. the conformance suite gives byte-identical output (--jit=eager, which would compile every
#     function if it could).
# usage: noexec_all_conformance_test.sh LAUNCHER MARU RUN_CONFORMANCE PROBE PROBE_LIBRARY
set -uo pipefail
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
launcher="$(absolute "$1")"
maru="$(absolute "$2")"
runner="$3"
probe="$(absolute "$4")"
probe_library="$(absolute "$5")"
tmp="$(mktemp -d "${TEST_TMPDIR:-/tmp}/noexec_all.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

"$launcher" --seccomp-noexec-all /bin/true
if (($? == 77)); then
  echo "SKIP: this kernel refuses seccomp filters here"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*"
}

# --- 1. The policies. ----------------------------------------------------------------------
# Attempts that need executable memory, and the controls (plain RW memory, mprotect to R).
exec_attempts=(anonymous-rx mprotect-rx pkey-mprotect-rx shared-memfd-rx private-memfd-rx
  private-file-rx shmat-exec personality-read-implies-exec)
probe_line() { grep "^$1: " "$tmp/probe.out" | cut -d' ' -f2-; }

"$probe" "$probe_library" >"$tmp/probe.out" 2>&1
for attempt in anonymous-rw mprotect-read-only anonymous-rx mprotect-rx pkey-mprotect-rx \
  shared-memfd-rx private-memfd-rx private-file-rx; do
  if [[ "$(probe_line "$attempt")" == ok ]]; then pass; else
    fail "without a policy, $attempt: $(probe_line "$attempt")"
  fi
done
if [[ "$(probe_line dlopen)" == ok ]]; then pass; else fail "without a policy, dlopen refused"; fi

"$launcher" --seccomp-noexec-all "$probe" "$probe_library" >"$tmp/probe.out" 2>&1
for attempt in anonymous-rw mprotect-read-only; do
  if [[ "$(probe_line "$attempt")" == ok ]]; then pass; else
    fail "under --seccomp-noexec-all, $attempt (no execute) should work: $(probe_line "$attempt")"
  fi
done
for attempt in "${exec_attempts[@]}"; do
  if [[ "$(probe_line "$attempt")" == EACCES ]]; then pass; else
    fail "under --seccomp-noexec-all, $attempt: '$(probe_line "$attempt")', expected EACCES"
  fi
done
if [[ "$(probe_line dlopen)" == refused ]]; then pass; else
  fail "under --seccomp-noexec-all, dlopen of a new library worked"
fi
if [[ "$(probe_line seccomp)" == 2 ]]; then pass; else
  fail "under --seccomp-noexec-all, the probe is not filtered (Seccomp: $(probe_line seccomp))"
fi

# The older policy, for contrast: only private file mappings may be executable.
"$launcher" --seccomp-noexec "$probe" "$probe_library" >"$tmp/probe.out" 2>&1
for attempt in anonymous-rx mprotect-rx pkey-mprotect-rx shared-memfd-rx; do
  if [[ "$(probe_line "$attempt")" == EACCES ]]; then pass; else
    fail "under --seccomp-noexec, $attempt: $(probe_line "$attempt")"
  fi
done
for attempt in private-memfd-rx private-file-rx dlopen; do
  if [[ "$(probe_line "$attempt")" == ok ]]; then pass; else
    fail "under --seccomp-noexec, $attempt should work: $(probe_line "$attempt")"
  fi
done

# --- 2. maru with no code memory. -------------------------------------------------------------
program='(define-function f (x) (+ x 1)) (println (f 1))'
notice='^maru: no executable memory \((.*)\): running the interpreter$'

"$launcher" --seccomp-noexec-all "$maru" --jit=eager --stats -e "$program" \
  >"$tmp/stats.out" 2>"$tmp/stats.err"
status=$?
grep '^maru-stats: code_memory' "$tmp/stats.err"
if ((status == 0)) && [[ "$(cat "$tmp/stats.out")" == 2 ]]; then pass; else
  fail "--stats run: status $status, output '$(cat "$tmp/stats.out")'"
fi
if grep -qx 'maru-stats: code_memory=none' "$tmp/stats.err"; then pass; else
  fail "--stats should say code_memory=none"
fi
reason="$(sed -n 's/^maru-stats: code_memory_reason=//p' "$tmp/stats.err")"
# Every kind was tried and refused, each with the refusal the policy causes.
for expected in 'dual: ' 'wx: mprotect(PROT_READ|PROT_EXEC): Permission denied' 'dlopen: ' \
  'failed to map segment from shared object'; do
  if [[ "$reason" == *"$expected"* ]]; then pass; else
    fail "code_memory_reason lacks '$expected': $reason"
  fi
done
if grep -qx 'maru-stats: functions_compiled=0' "$tmp/stats.err"; then pass; else
  fail "functions were compiled without code memory"
fi
if [[ "$(grep -cE "$notice" "$tmp/stats.err")" == 1 ]] &&
  [[ "$(grep -E "$notice" "$tmp/stats.err" | sed -E "s/$notice/\\1/")" == "$reason" ]]; then
  pass
else
  fail "with --stats, expected one notice line naming the same reasons; stderr:"
  cat "$tmp/stats.err"
fi
if [[ "$(grep -vc '^maru-stats: ' "$tmp/stats.err")" == 1 ]]; then pass; else
  fail "with --stats, stderr has more than the notice and the statistics"
fi

"$launcher" --seccomp-noexec-all "$maru" --jit=eager -e "$program" >"$tmp/quiet.out" \
  2>"$tmp/quiet.err"
if [[ "$(cat "$tmp/quiet.out")" == 2 && ! -s "$tmp/quiet.err" ]]; then pass; else
  fail "without --stats/-v stderr must stay empty; got:"
  cat "$tmp/quiet.err"
fi

"$launcher" --seccomp-noexec-all "$maru" -v -e "$program" >"$tmp/verbose.out" \
  2>"$tmp/verbose.err"
if [[ "$(wc -l <"$tmp/verbose.err")" == 1 ]] && grep -qE "$notice" "$tmp/verbose.err"; then
  pass
else
  fail "with -v, expected exactly the one-line notice on stderr; got:"
  cat "$tmp/verbose.err"
fi

# Controls: without the policy there is code memory, and -v prints no notice.
"$maru" --jit=eager --stats -e "$program" >/dev/null 2>"$tmp/plain.err"
if grep -q '^maru-stats: code_memory=\(dual\|wx\|dlopen\)$' "$tmp/plain.err" &&
  ! grep -qE "$notice" "$tmp/plain.err"; then
  pass
else
  fail "without a policy maru should have code memory and no notice:"
  cat "$tmp/plain.err"
fi
# --jit=off is a choice, not a refusal: no notice either.
"$launcher" --seccomp-noexec-all "$maru" --jit=off -v -e "$program" >/dev/null 2>"$tmp/off.err"
if [[ ! -s "$tmp/off.err" ]]; then pass; else
  fail "--jit=off -v should print nothing on stderr:"
  cat "$tmp/off.err"
fi

# --- 3. native-call needs executable memory: a clean error. ---------------------------------
native="$(dirname "$runner")/maru/ffi_native_call.l"
"$launcher" --seccomp-noexec-all "$maru" --jit=eager "$native" >/dev/null 2>"$tmp/native.err"
status=$?
if ((status == 1)) && grep -q '^error: native-call: data is not executable' "$tmp/native.err"
then pass; else
  fail "native-call of Data under the policy: status $status"
  cat "$tmp/native.err"
fi

echo "noexec-all checks: $passed passed, $failed failed"
((failed == 0)) || exit 1

# --- 4. The conformance suite, byte for byte. --------------------------------------------------
CONFORMANCE_EXCLUDE='^ffi_native_call$' MARU_LAUNCHER="$launcher --seccomp-noexec-all" \
  bash "$runner" "$maru" --jit=eager
