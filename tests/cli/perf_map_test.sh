#!/usr/bin/env bash
# --perf-map writes /tmp/perf-<pid>.map lines "START SIZE maru:NAME" for compiled functions, and
# perf (when it can record here) names samples in JIT code by them.
# usage: perf_map_test.sh MARU
set -u
maru="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
# MARU_LAUNCHER: a command prefix for the binary (e.g. qemu-user in the AArch64 cross build).
# shellcheck disable=SC2206  # the launcher is a command line
maru_run=(${MARU_LAUNCHER:-} "$maru")
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/perfmap.XXXXXX")"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() {
  if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}

cat >"$work/fib.l" <<'MARU'
(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(println (fib 27))
MARU
"${maru_run[@]}" --jit=eager --perf-map "$work/fib.l" >"$work/out" 2>&1 &
pid=$!
wait "$pid"
map="/tmp/perf-$pid.map"
check "the map exists" '[[ -s "$map" ]]'
check "fib is named" 'grep -Eq "^[0-9a-f]+ [0-9a-f]+ maru:fib$" "$map"'
check "every line is START SIZE NAME" '! grep -Evq "^[0-9a-f]+ [0-9a-f]+ maru:[^ ]+$" "$map"'
check "the program ran" 'grep -q "^196418$" "$work/out"'
rm -f "$map"

# perf itself, when it can sample in this environment (a software clock event). Not through a
# launcher: under an emulator perf samples the emulator's translated code, never the guest
# addresses the map names.
if [[ -n "${MARU_LAUNCHER:-}" ]]; then
  echo "maru runs through MARU_LAUNCHER ($MARU_LAUNCHER): the perf report check is skipped"
elif command -v perf >/dev/null 2>&1 &&
  perf record -q -e cpu-clock -o "$work/perf.data" -- /bin/true >/dev/null 2>&1; then
  # Long enough (about 100 ms of compiled code) for plenty of samples.
  cat >"$work/long.l" <<'MARU'
(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(println (fib 33))
MARU
  perf record -q -e cpu-clock -F 4000 -o "$work/perf.data" -- \
    "${maru_run[@]}" --jit=eager --perf-map "$work/long.l" >/dev/null 2>&1
  perf report -i "$work/perf.data" --stdio 2>/dev/null >"$work/report"
  check "perf report names maru:fib" 'grep -q "maru:fib" "$work/report"'
  rm -f /tmp/perf-*.map.perf-test 2>/dev/null
else
  echo "perf cannot record here: the perf report check is skipped"
fi

echo "$passed passed, $failed failed"
((failed == 0))
