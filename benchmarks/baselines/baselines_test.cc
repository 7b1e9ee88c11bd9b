// Each C++ baseline must print exactly what the Maru program of the same name prints
// (benchmarks/programs/expected.tsv, every argument listed there), so that the benchmarks compare
// the same computation.
#include <gc.h>

#include <string>

#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/support/large_stack.h"
#include "benchmarks/support/program_table.h"
#include "gtest/gtest.h"

namespace maru::baselines {
namespace {

class BaselinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GC_INIT();
    absl::StatusOr<std::string> dir = bench::FindProgramsDirectory("");
    ASSERT_TRUE(dir.ok()) << dir.status();
    directory_ = *dir;
  }
  std::string directory_;
};

TEST_F(BaselinesTest, EveryProgramButStartupHasABaseline) {
  absl::StatusOr<std::vector<bench::ProgramSpec>> programs = bench::ReadProgramTable(directory_);
  ASSERT_TRUE(programs.ok()) << programs.status();
  size_t with_baseline = 0;
  for (const bench::ProgramSpec& p : *programs) {
    if (p.name == "startup") continue;
    EXPECT_NE(FindBaselineProgram(p.name), nullptr) << p.name;
    ++with_baseline;
  }
  EXPECT_EQ(with_baseline, BaselinePrograms().size());
}

TEST_F(BaselinesTest, PrintsTheExpectedLines) {
  absl::StatusOr<bench::ExpectedLines> expected = bench::ReadExpectedLines(directory_);
  ASSERT_TRUE(expected.ok()) << expected.status();
  int checked = 0;
  for (const auto& [key, line] : *expected) {
    const auto& [name, argument] = key;
    const BaselineProgram* program = FindBaselineProgram(name);
    if (program == nullptr) {
      EXPECT_EQ(name, "startup") << "no C++ baseline";
      continue;
    }
    std::string printed;
    // cpstak recurses as deeply as the Maru program does.
    ASSERT_TRUE(bench::RunOnLargeStack([&] { printed = program->run(argument); }).ok());
    EXPECT_EQ(printed, line) << name << " " << argument;
    ++checked;
  }
  EXPECT_GE(checked, 2 * static_cast<int>(BaselinePrograms().size()));
}

}  // namespace
}  // namespace maru::baselines
