#!/usr/bin/env bash
# Builds the tests for Linux on AArch64 (cross compiler, --config=aarch64) and runs them under
# qemu-user: tools/test_aarch64.sh [--quick] [BAZEL_ARGS...]
#
#   tools/test_aarch64.sh               # every test of the workspace (bazel test //...): unit
#                                       # tests, the conformance suite in every mode (interpreter,
#                                       # jit, jit_eager, jit_eager_gc_stress, dlopen), CLI, API...
#   tools/test_aarch64.sh --quick       # only the conformance suite in --jit=eager mode (CI)
#   tools/test_aarch64.sh //tests/unit:all   # if any argument is a target pattern (//, @, -//),
#                                       # only the given patterns are tested
#   tools/test_aarch64.sh --test_output=all  # other arguments go to `bazel test`
#
# Installs what is missing first (tools/ensure_deps.sh --aarch64: cross compiler, arm64
# libraries, qemu-user). How tests run (toolchains/aarch64/): cc_tests are AArch64 executables
# that Bazel starts through qemu_launcher.sh (--run_under); sh_tests run on the host and start
# `maru` through $MARU_LAUNCHER, which the launcher sets to itself. Tests that cannot run under
# an emulator are skipped and listed with their reason: the targets marked not_under_qemu() in
# their BUILD file (Bazel reports them as SKIPPED) and those in NOT_UNDER_QEMU below.
#
# Prints the wall-clock time of the build and of the test run. Exits with bazel's status (0 ok,
# 3 a test failed, 4 no tests found, 1/2 build/usage error).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || exit 1
cd "$root" || exit 1

# Tests whose BUILD file is not marked (yet) but that cannot run under qemu-user, with the reason.
# Prefer `target_compatible_with = not_under_qemu("reason")` (toolchains/aarch64/qemu.bzl) in the
# BUILD file; an entry here whose target no longer exists is reported and ignored.
declare -A NOT_UNDER_QEMU=(
  [//tests/wx:mdwe_conformance_test]="exec_with_policy turns on Linux MDWE and then execs maru: \
under qemu-user the policy binds the emulator (whose translator needs writable+executable \
memory), not the AArch64 guest, and an emulated process cannot exec an AArch64 binary without \
binfmt_misc"
  [//tests/wx:noexec_conformance_test]="exec_with_policy installs a seccomp filter and then \
execs maru: qemu-user refuses seccomp for its guest (the filter would judge the emulator's \
x86-64 system calls), and an emulated process cannot exec an AArch64 binary without binfmt_misc"
  [//tests/wx:noexec_all_conformance_test]="same as //tests/wx:noexec_conformance_test: a \
seccomp policy installed by an emulated launcher that then execs maru"
)

quick=0
args=()    # options for bazel
targets=() # target patterns
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    //* | @* | -//* | :*) targets+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done

tools/ensure_deps.sh --aarch64 || exit $?

echo "== AArch64 cross build, tests under qemu-user"
echo "$(aarch64-linux-gnu-g++ --version | head -n 1); $(qemu-aarch64 --version | head -n 1)"

# The targets: explicit patterns, or the quick set, or everything minus the exceptions above.
if ((${#targets[@]} > 0)); then
  : # as given
elif ((quick)); then
  targets=(//tests:conformance_jit_eager_test)
else
  targets=(//...)
  # --keep_going: a package that does not load is bazel test's to report, not a reason to stop.
  existing="$(bazel query --keep_going --noshow_progress --ui_event_filters=-info \
    'tests(//...)' 2>/dev/null)"
  query_status=$?
  if ((query_status != 0 && query_status != 3)); then
    echo "test_aarch64: bazel query 'tests(//...)' failed (exit status $query_status)" >&2
    exit "$query_status"
  fi
  for target in $(printf '%s\n' "${!NOT_UNDER_QEMU[@]}" | sort); do
    if grep -qxF -- "$target" <<<"$existing"; then
      echo "SKIP $target: ${NOT_UNDER_QEMU[$target]}"
      targets+=("-$target")
    else
      echo "note: $target (listed in NOT_UNDER_QEMU) no longer exists"
    fi
  done
  echo "(Bazel reports the targets marked not_under_qemu() in their BUILD file as SKIPPED.)"
fi

bazel_args=(--config=aarch64 --build_tests_only --keep_going)

# Built first on its own, to time the build apart from the emulated test run. A build failure
# does not stop here: `bazel test --keep_going` then runs what did build and reports the rest.
start=$SECONDS
bazel build "${bazel_args[@]}" "${args[@]}" -- "${targets[@]}"
status=$?
echo "== build for AArch64: $((SECONDS - start))s wall clock (exit status $status)"

start=$SECONDS
bazel test "${bazel_args[@]}" "${args[@]}" -- "${targets[@]}"
status=$?
echo "== tests under qemu-user: $((SECONDS - start))s wall clock (exit status $status)"
exit "$status"
