#!/usr/bin/env bash
# Instructions per compile, per phase, of the JIT (//benchmarks:compile_benchmark under callgrind):
# a count that does not depend on the machine's load, for comparing two versions of the compiler
# on a noisy machine.
#
# usage: benchmarks/callgrind.sh [options]
#   --iterations N   compiles measured per function, kind and phase (default 20)
#   --filter REGEX   --benchmark_filter for the BM_CompileInstructions benchmarks, e.g. 'fib/'
#   --binary PATH    the compile_benchmark binary (default: bazel build -c opt, then bazel-bin)
#   --keep DIR       keep callgrind's output files in DIR (callgrind_annotate reads them)
#
# How it counts: the binary runs with --maru_callgrind --maru_iterations=N under
#   valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no
# Each benchmark BM_CompileInstructions/<function>/<kind>/<phase> starts instrumentation
# (CALLGRIND_START_INSTRUMENTATION), compiles once uncounted (lazy binding, first allocations),
# then compiles N times with event collection on only inside <phase> (CALLGRIND_TOGGLE_COLLECT;
# phases nest: code generation does not include the installation it calls), and dumps the
# counts (CALLGRIND_DUMP_STATS_AT) with a label naming the benchmark. Phase jit_compile counts
# Jit::Compile as a whole (what the runtime calls: the phases plus bookkeeping), on a new lambda
# each time, with the code shared between identical functions forgotten first (every compile is
# the first of its function). GC_MARKERS=1 keeps the collector's marking on one thread, so runs repeat.
# The table gives the `totals:` of each dump divided by N.
set -euo pipefail

iterations=20
filter=""
binary=""
keep=""
while (($#)); do
  case "$1" in
    --iterations) iterations="$2"; shift 2 ;;
    --filter) filter="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "callgrind.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

if [[ -z "$binary" ]]; then
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  (cd "$repo" && bazel build -c opt //benchmarks:compile_benchmark >&2)
  binary="$(cd "$repo" && bazel info -c opt bazel-bin 2>/dev/null)/benchmarks/compile_benchmark"
fi
[[ -x "$binary" ]] || { echo "callgrind.sh: not executable: $binary" >&2; exit 1; }

if [[ -n "$keep" ]]; then
  out="$keep"
  mkdir -p "$out"
  rm -f "$out"/callgrind.out*
else
  out="$(mktemp -d "${TMPDIR:-/tmp}/callgrind.XXXXXX")"
  trap 'rm -rf "$out"' EXIT
fi

args=(--maru_callgrind "--maru_iterations=$iterations")
[[ -n "$filter" ]] && args+=("--benchmark_filter=BM_CompileInstructions/.*$filter")
# --smc-check=all: code memory is rewritten in place after a release, and valgrind must not run
# stale translations (the benchmark runs only the probe's code, but the check costs little).
if ! GC_MARKERS=1 valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
  --smc-check=all --callgrind-out-file="$out/callgrind.out" "$binary" "${args[@]}" \
  >"$out/log" 2>&1; then
  cat "$out/log" >&2
  exit 1
fi
if grep -q "ERROR OCCURRED" "$out/log"; then
  grep "ERROR OCCURRED" "$out/log" >&2
  exit 1
fi

# One line per dump: function kind phase nodes iterations totals.
for f in "$out"/callgrind.out.*; do
  awk '/^desc: Trigger: Client Request: maru-compile / {
         for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[2] != "") v[kv[1]] = kv[2] }
       }
       /^totals:/ { totals = $2 }
       END { if (v["function"] != "") print v["function"], v["kind"], v["phase"], v["nodes"], v["iterations"], totals }' "$f"
done | awk -v n="$iterations" '
  BEGIN {
    nphases = split("lower inline forward_slots propagate_copies fold_constants fold_constant_branches " \
                    "thread_jumps merge_blocks invert_not_branches guard_entry unreachable_blocks share_guards " \
                    "fixnum_types dead_code codegen install", phases, " ")
  }
  {
    key = $1 " " $2
    if (!(key in seen)) { seen[key] = 1; order[++rows] = key; nodes[key] = $4 }
    count[key, $3] = $6 / $5
  }
  END {
    printf "Instructions per compile (callgrind; %d compiles per cell; phases exclusive of each other)\n\n", n
    printf "| function | kind | IR nodes |"
    for (p = 1; p <= nphases; p++) printf " %s |", phases[p]
    printf " sum of phases | Jit::Compile |\n|---|---|---:|"
    for (p = 1; p <= nphases + 2; p++) printf "---:|"
    printf "\n"
    for (r = 1; r <= rows; r++) {
      key = order[r]
      split(key, fk, " ")
      printf "| %s | %s | %s |", fk[1], fk[2], nodes[key]
      sum = 0
      for (p = 1; p <= nphases; p++) {
        c = count[key, phases[p]]
        sum += c
        printf " %.0f |", c
      }
      printf " %.0f | %.0f |\n", sum, count[key, "jit_compile"]
    }
  }'
