#!/usr/bin/env bash
# The conformance programs through the dlopen kind with an on-disk module cache, twice: the first
# run fills the cache, the second loads its modules from it (in new processes, at other
# addresses). Both must pass as every mode does, the second must take its code from the cache,
# and a damaged entry must be refused without harm.
#
# usage: module_cache_conformance.sh MARU_BINARY  (MARU_LAUNCHER as for run_conformance.sh)
set -uo pipefail
maru="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$(mktemp -d "${TEST_TMPDIR:-/tmp}/module-cache.XXXXXX")"
trap 'rm -rf "$cache"' EXIT
mode=(--jit=eager --code=dlopen "--module-cache=$cache/modules")
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

run_maru() {
  # shellcheck disable=SC2086  # the launcher is a command line
  timeout 120 ${MARU_LAUNCHER:-} "$maru" "$@" </dev/null
}

stat_of() {  # KEY STATS_TEXT
  sed -n "s/^maru-stats: $1=//p" <<<"$2"
}

for run in filling reusing; do
  echo "== conformance, $run the cache"
  bash "$here/run_conformance.sh" --expect-no-fallback "$maru" "${mode[@]}" ||
    fail "conformance while $run the cache"
done
entries=$(find "$cache/modules" -name '*.mod' | wc -l)
((entries > 0)) || fail "no module was stored"
echo "cache entries: $entries"

program="$here/maru/closures.l"
[[ -f "$program" ]] || program="$(ls "$here"/maru/*.l | head -1)"
expected="$(run_maru --jit=off "$program" 2>/dev/null)"
stats="$(run_maru "${mode[@]}" --stats "$program" 2>&1 >/dev/null)"
hits=$(stat_of module_cache_hits "$stats")
misses=$(stat_of module_cache_misses "$stats")
[[ "$(stat_of module_cache "$stats")" == "$cache/modules" ]] || fail "cache not in use: $stats"
((hits > 0 && misses == 0)) || fail "expected only hits for $program: hits=$hits misses=$misses"
echo "reused: hits=$hits misses=$misses"

# Damage every entry (one byte in the middle): each is refused and removed, and the program
# compiles afresh with the same output.
for f in "$cache"/modules/*.mod; do
  size=$(stat -c %s "$f")
  printf '\xff' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
done
output="$(run_maru "${mode[@]}" --stats "$program" 2>"$cache/stderr")"
stats="$(cat "$cache/stderr")"
[[ "$output" == "$expected" ]] || fail "output after damage differs"
rejected=$(stat_of module_cache_rejected "$stats")
((rejected > 0)) || fail "damaged entries were not refused: $stats"
echo "damaged entries refused: $rejected"

# A group-writable cache directory is refused with a notice; the program still runs.
chmod 0770 "$cache/modules"
output="$(run_maru "${mode[@]}" "$program" 2>"$cache/stderr")"
[[ "$output" == "$expected" ]] || fail "output with a refused cache differs"
grep -q "module cache unavailable" "$cache/stderr" || fail "no notice for a refused cache"
echo "PASS"
