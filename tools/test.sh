#!/usr/bin/env bash
# Runs the test suite: tools/test.sh [BAZEL_ARGS...]
#   tools/test.sh                         # bazel test //...
#   tools/test.sh --config=asan           # extra flags are passed through (still //...)
#   tools/test.sh //tests:foo_test        # if any argument is a target pattern (//, @, -//),
#                                         # only the given patterns are tested
# Exits with bazel's status (0 ok, 3 a test failed, 4 no tests found, 1/2 build/usage error).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || exit 1
cd "$root" || exit 1

tools/ensure_deps.sh || exit $?

default_targets=(//...)
for arg in "$@"; do
  case "$arg" in
    //* | @* | -//* | :*) default_targets=() ;;
  esac
done

bazel test "$@" "${default_targets[@]}" || exit $?

# With no arguments, the conformance suite also runs optimised (-c opt adds _FORTIFY_SOURCE and
# the optimiser: bugs that only show there, as in a user's build).
if (($# == 0)); then
  bazel test -c opt //tests:all || exit $?
fi
exit 0
