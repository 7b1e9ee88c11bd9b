#!/usr/bin/env bash
# Builds and runs examples/embed, a separate Bazel workspace that depends on @maru_jit exactly as
# a consumer does (local_repository + deps.bzl + maru_jit_dependencies(), its own .bazelrc), so
# that the consumer pattern documented in api/README.md keeps working.
#
#   embed_example_test.sh EXAMPLE_WORKSPACE_FILE
#
# It runs a Bazel of its own (offline) with its output base under $TEST_TMPDIR (a cold build of
# the runtime, the JIT and the API: minutes on 2 cores). Set MARU_EMBED_DISK_CACHE=<dir> (e.g.
# with --test_env) to share a disk cache between runs.
set -euo pipefail

workspace_file="$(readlink -f "$1")"
example_dir="$(dirname "$workspace_file")"
scratch="${TEST_TMPDIR:-$(mktemp -d)}"
mkdir -p "$scratch/home"
export HOME="$scratch/home"

startup=(--output_user_root="$scratch/user_root" --output_base="$scratch/output_base"
         --max_idle_secs=60)
# No convenience symlinks: nothing is written into the source tree.
build_flags=(--symlink_prefix=/)
if [[ -n "${MARU_EMBED_DISK_CACHE:-}" ]]; then
  build_flags+=(--disk_cache="$MARU_EMBED_DISK_CACHE")
fi

cleanup() { (cd "$example_dir" && bazel "${startup[@]}" shutdown) >/dev/null 2>&1 || true; }
trap cleanup EXIT

cd "$example_dir"
echo "== building $example_dir"
bazel "${startup[@]}" build "${build_flags[@]}" //:embed
bin="$(bazel "${startup[@]}" info "${build_flags[@]}" bazel-bin 2>/dev/null)"

echo "== running it"
output="$("$bin/embed")"
echo "$output"

status=0
for line in "fib(25) = 75025" \
            "(hypot2 3 4) = 25" \
            "hello from Maru, fib(10) = 55" \
            "error as expected: yes"; do
  if ! grep -qxF -- "$line" <<<"$output"; then
    echo "FAIL: missing line: $line"
    status=1
  fi
done
if ! grep -qE '^code memory: [a-z]+, functions compiled: [0-9]+$' <<<"$output"; then
  echo "FAIL: no stats line"
  status=1
fi
[[ $status == 0 ]] && echo "PASS"
exit $status
