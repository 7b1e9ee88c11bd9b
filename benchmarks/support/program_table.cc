#include "benchmarks/support/program_table.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace maru::bench {

namespace {

bool IsFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// The tab-separated rows of a table, without comments and blank lines.
absl::StatusOr<std::vector<std::vector<std::string>>> ReadRows(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    rows.push_back(absl::StrSplit(line, '\t'));
  }
  return rows;
}

absl::Status BadRow(const std::string& path, const std::vector<std::string>& row) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": bad row: ", absl::StrJoin(row, "<TAB>")));
}

}  // namespace

absl::StatusOr<std::string> FindProgramsDirectory(const char* argv0) {
  if (const char* dir = std::getenv("MARU_BENCH_PROGRAMS")) return std::string(dir);
  const std::string relative = "benchmarks/programs";
  if (IsFile(relative + "/programs.tsv")) return relative;
  const std::string runfiles = absl::StrCat(argv0, ".runfiles/maru_jit/", relative);
  if (IsFile(runfiles + "/programs.tsv")) return runfiles;
  return absl::NotFoundError(
      "benchmarks/programs not found: run with bazel run, or set MARU_BENCH_PROGRAMS to the "
      "directory of programs.tsv");
}

absl::StatusOr<std::vector<ProgramSpec>> ReadProgramTable(const std::string& directory) {
  const std::string path = directory + "/programs.tsv";
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = ReadRows(path);
  if (!rows.ok()) return rows.status();
  std::vector<ProgramSpec> programs;
  for (const std::vector<std::string>& row : *rows) {
    ProgramSpec p;
    if (row.size() != 4 || !absl::SimpleAtoi(row[1], &p.full_argument) ||
        !absl::SimpleAtoi(row[2], &p.quick_argument) ||
        !absl::SimpleAtoi(row[3], &p.in_process_argument)) {
      return BadRow(path, row);
    }
    p.name = row[0];
    programs.push_back(std::move(p));
  }
  return programs;
}

absl::StatusOr<ExpectedLines> ReadExpectedLines(const std::string& directory) {
  const std::string path = directory + "/expected.tsv";
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = ReadRows(path);
  if (!rows.ok()) return rows.status();
  ExpectedLines lines;
  for (const std::vector<std::string>& row : *rows) {
    int64_t argument = 0;
    if (row.size() != 3 || !absl::SimpleAtoi(row[1], &argument)) return BadRow(path, row);
    lines[{row[0], argument}] = row[2];
  }
  return lines;
}

}  // namespace maru::bench
