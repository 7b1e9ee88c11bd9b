#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz with Debian's clang and libFuzzer
# (-fsanitize=fuzzer,address,undefined) and runs each for a bounded time.
#
#   tools/fuzz.sh [--time=SECONDS] [--update-corpus] [target...]
#
#   --time=SECONDS   how long each target runs (default 60)
#   --update-corpus  afterwards, merge the inputs that found new coverage into the checked-in
#                    seed corpus tests/fuzz/corpus/<target> (libFuzzer -merge=1); without it the
#                    checked-in corpus is only read
#   target           reader_fuzzer, differential_fuzzer (default: both, one after the other)
#
# Environment: MARU_FUZZ_WORK (scratch directory; default a new /tmp/maru-fuzz.XXXXXX, kept
# afterwards: corpora, logs and findings), MARU_FUZZ_OUTPUT_BASE (the Bazel output base of the
# clang build; default ~/.cache/maru-jit-fuzz/bazel), and any MARU_FUZZ_* variable of the targets
# (tests/fuzz/README.md).
#
# Exit status: 0 when no target found anything, 1 after a finding (crash, sanitizer report,
# mismatch, timeout or out-of-memory; the input is saved in the scratch directory), 2 on a usage
# or build error.
#
# How it builds: Bazel, with CC=clang and the sanitizer flags, in a SEPARATE output base, so the
# fuzz binaries come from exactly the sources, generated files (the embedded prelude and
# libraries) and link options of the BUILD files, without a second description of the build to
# keep in step; the shared Bazel server and its g++ configuration are never touched. The separate
# server this starts is shut down on exit. The fuzz binaries are `manual` cc_binary targets of
# tests/fuzz/BUILD whose main comes from -fsanitize=fuzzer.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

seconds=60
update_corpus=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --time=*)
      seconds="${arg#--time=}"
      [[ "$seconds" =~ ^[0-9]+$ ]] || usage
      ;;
    --update-corpus) update_corpus=1 ;;
    -h | --help) usage 0 ;;
    -*) usage ;;
    *) targets+=("$arg") ;;
  esac
done
if ((${#targets[@]} == 0)); then targets=(reader_fuzzer differential_fuzzer); fi
for target in "${targets[@]}"; do
  if [[ ! -f "tests/fuzz/$target.cc" ]]; then
    echo "fuzz.sh: unknown target '$target'" >&2
    exit 2
  fi
done

# --- Packages: the project's, then clang with libFuzzer and the sanitizer runtimes
# (libclang-rt-14-dev), lld, and llvm for llvm-symbolizer (symbolized reports).
tools/ensure_deps.sh
missing=()
for pkg in clang libclang-rt-14-dev lld llvm; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == installed ]] || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "fuzz.sh: installing ${missing[*]}" >&2
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
fi

# --- Build.
output_base="${MARU_FUZZ_OUTPUT_BASE:-$HOME/.cache/maru-jit-fuzz/bazel}"
mkdir -p "$output_base"
fuzz_bazel() { bazel --output_base="$output_base" "$@"; }
# shellcheck disable=SC2317  # invoked through the trap
shutdown_fuzz_bazel() {
  local rc=$?
  fuzz_bazel shutdown >/dev/null 2>&1 || true
  exit "$rc"
}
trap shutdown_fuzz_bazel EXIT

# shellcheck disable=SC2054  # the commas belong to -fsanitize lists
build_flags=(
  --repo_env=CC=clang
  --copt=-O1
  --copt=-g
  --copt=-fno-omit-frame-pointer
  --copt=-fsanitize=fuzzer-no-link,address,undefined
  # The function-type check reads the bytes before a called function: JIT code has none.
  --copt=-fno-sanitize=function
  --copt=-fno-sanitize-recover=undefined
  --linkopt=-fsanitize=fuzzer,address,undefined
  # Bazel links with the C driver: ask for UBSan's C++ runtime explicitly.
  --linkopt=-fsanitize-link-c++-runtime
  --linkopt=-fuse-ld=lld
  --strip=never
)
labels=()
for target in "${targets[@]}"; do labels+=("//tests/fuzz:$target"); done
build_start=$SECONDS
echo "== building ${targets[*]} with clang (output base $output_base)"
if ! fuzz_bazel build "${build_flags[@]}" "${labels[@]}"; then
  echo "fuzz.sh: build failed" >&2
  exit 2
fi
bin="$(fuzz_bazel info "${build_flags[@]}" bazel-bin)/tests/fuzz"
echo "== built in $((SECONDS - build_start)) s"

# --- Fuzz.
work="${MARU_FUZZ_WORK:-$(mktemp -d /tmp/maru-fuzz.XXXXXX)}"
mkdir -p "$work"
# Leaks: memory that only collector finalizers free is held by design (.bazelrc, asan). A
# smaller quarantine keeps the resident size of long runs under -rss_limit_mb.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1:quarantine_size_mb=64}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for target in "${targets[@]}"; do
  dir="$work/$target"
  mkdir -p "$dir/corpus" "$dir/findings"
  # The seeds and every past finding start the run; the copies are what libFuzzer adds to.
  cp -r "tests/fuzz/corpus/$target/." "$dir/corpus/"
  if [[ -d "tests/fuzz/regressions/$target" ]]; then
    cp -r "tests/fuzz/regressions/$target/." "$dir/corpus/"
  fi
  options=(
    -max_total_time="$seconds"
    -timeout=10
    -rss_limit_mb=4096
    -print_final_stats=1
    -artifact_prefix="$dir/findings/"
  )
  case "$target" in
    reader_fuzzer) options+=(-max_len=4096 -dict=tests/fuzz/reader_fuzzer.dict) ;;
    # Inputs are choices of the program generator: long ones from the start (programs are
    # bounded by its work budget, not by the input length).
    differential_fuzzer) options+=(-max_len=2048 -len_control=0) ;;
  esac
  echo "== $target: ${seconds} s (log $dir/log)"
  fuzz_start=$SECONDS
  rc=0
  "$bin/$target" "${options[@]}" "$dir/corpus" >"$dir/log" 2>&1 || rc=$?
  grep -E '^#[0-9]+ +DONE|^stat::number_of_executed_units|^stat::peak_rss_mb' "$dir/log" || true
  echo "   ran $((SECONDS - fuzz_start)) s, exit status $rc"
  if ((rc != 0)) || compgen -G "$dir/findings/*" >/dev/null; then
    status=1
    echo "   FINDINGS in $dir/findings:"
    find "$dir/findings" -type f -printf '     %p (%s bytes)\n'
    grep -m1 -A12 -E 'FUZZ FINDING|ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$dir/log" |
      sed 's/^/     | /' || true
  fi
  if ((update_corpus)); then
    "$bin/$target" -merge=1 "tests/fuzz/corpus/$target" "$dir/corpus" >"$dir/merge.log" 2>&1
    echo "   merged into tests/fuzz/corpus/$target: $(find "tests/fuzz/corpus/$target" -type f | wc -l) files"
  fi
done
echo "== scratch directory: $work"
exit "$status"
