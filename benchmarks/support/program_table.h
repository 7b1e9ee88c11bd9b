// The benchmark programs' tables: benchmarks/programs/programs.tsv (name and size arguments) and
// expected.tsv (the line each program prints for a given argument).
#ifndef MARU_BENCHMARKS_SUPPORT_PROGRAM_TABLE_H_
#define MARU_BENCHMARKS_SUPPORT_PROGRAM_TABLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace maru::bench {

struct ProgramSpec {
  std::string name;
  int64_t full_argument = 0;        // run_peers.sh
  int64_t quick_argument = 0;       // run_peers.sh --quick, and the in-process warm-up
  int64_t in_process_argument = 0;  // //benchmarks:programs_benchmark
};

// (name, argument) -> the line printed, without its newline.
using ExpectedLines = std::map<std::pair<std::string, int64_t>, std::string>;

// The directory holding programs.tsv: $MARU_BENCH_PROGRAMS if set, else benchmarks/programs
// under the working directory (bazel run and bazel test start in the runfiles tree), else under
// the runfiles of `argv0`.
absl::StatusOr<std::string> FindProgramsDirectory(const char* argv0);

absl::StatusOr<std::vector<ProgramSpec>> ReadProgramTable(const std::string& directory);
absl::StatusOr<ExpectedLines> ReadExpectedLines(const std::string& directory);

}  // namespace maru::bench

#endif  // MARU_BENCHMARKS_SUPPORT_PROGRAM_TABLE_H_
