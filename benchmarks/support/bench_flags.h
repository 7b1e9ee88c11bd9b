// Flags of the benchmark binaries that Google Benchmark does not know (removed from argv before
// benchmark::Initialize sees them).
#ifndef MARU_BENCHMARKS_SUPPORT_BENCH_FLAGS_H_
#define MARU_BENCHMARKS_SUPPORT_BENCH_FLAGS_H_

#include <cstdint>

namespace maru::bench {

struct BenchFlags {
  // --maru_iterations=N (or the environment variable MARU_BENCH_ITERATIONS): every benchmark
  // runs exactly N iterations instead of as many as --benchmark_min_time asks for. 0: not set.
  int64_t iterations = 0;
  // --maru_callgrind: register the instruction-count benchmarks (run under valgrind
  // --tool=callgrind --collect-atstart=no; benchmarks/callgrind.sh does).
  bool callgrind = false;
};

// Parses and removes the flags above from argv; returns false (and prints why) on a bad value.
bool ParseBenchFlags(int* argc, char** argv, BenchFlags* flags);

}  // namespace maru::bench

#endif  // MARU_BENCHMARKS_SUPPORT_BENCH_FLAGS_H_
