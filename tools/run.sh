#!/usr/bin/env bash
# Builds maru (//:maru = //tools/maru:maru) with -c opt and runs it with the given arguments.
# Only bazel runs in the repository root; maru runs in the caller's current directory, so
# relative file arguments work:  ../maru-jit/tools/run.sh prog.l
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || exit 1

"$root/tools/ensure_deps.sh" || exit $?

# Quiet: bazel's output is shown only if the build fails.
log="$(mktemp "${TMPDIR:-/tmp}/maru-run.XXXXXX")" || exit 1
trap 'rm -f "$log"' EXIT
(cd "$root" && bazel build -c opt --noshow_progress --ui_event_filters=-info //:maru) \
  >"$log" 2>&1
status=$?
if ((status != 0)); then
  cat "$log" >&2
  exit "$status"
fi
rm -f "$log"
trap - EXIT

exec "$root/.bazel/bin/tools/maru/maru" "$@"
