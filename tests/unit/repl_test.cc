// Unit tests of the read-eval-print loop (spec §2.1, §11.2).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/repl.h"
#include "runtime/vm.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct ReplRun {
  int status;
  std::string out, err;
};

ReplRun RunOn(Session& s, const std::string& input) {
  std::string text = input.empty() ? std::string() : input;
  FILE* in = text.empty() ? std::fopen("/dev/null", "r")
                          : fmemopen(text.data(), text.size(), "r");
  char* out_buf = nullptr;
  size_t out_len = 0;
  char* err_buf = nullptr;
  size_t err_len = 0;
  FILE* out = open_memstream(&out_buf, &out_len);
  FILE* err = open_memstream(&err_buf, &err_len);
  ReplRun r;
  r.status = RunRepl(s.vm(), in, out, err);
  std::fclose(out);
  std::fclose(err);
  std::fclose(in);
  r.out.assign(out_buf, out_len);
  r.err.assign(err_buf, err_len);
  std::free(out_buf);
  std::free(err_buf);
  return r;
}

TEST(ReplTest, PromptResultAndFarewell) {
  // §2.1: prompt ".", then " => " and the dumped result; at end of input a newline and
  // "morituri te salutant".
  Session s;
  ReplRun r = RunOn(s, "(+ 1 2)\n'a\n\"s\"\n");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, ". => 3\n. => a\n. => \"s\"\n.\nmorituri te salutant\n");
  EXPECT_EQ(r.err, "");
}

TEST(ReplTest, EmptyInput) {
  Session s;
  ReplRun r = RunOn(s, "");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, ".\nmorituri te salutant\n");
}

TEST(ReplTest, ErrorsAreReportedAndTheLoopContinues) {
  // §11.2: the REPL prints the same report as the tool and continues with the next form.
  Session s;
  ReplRun r = RunOn(s, "(car 1 2)\n(+ 2 3)\n");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, ".. => 5\n.\nmorituri te salutant\n");
  EXPECT_THAT(r.err, StartsWith("error: wrong number of arguments (2) in: car\n"));
}

TEST(ReplTest, SyntaxErrorsAreReportedAndTheLoopContinues) {
  Session s;
  ReplRun r = RunOn(s, ")\n(+ 2 3)\n");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.err, StartsWith("error: unexpected character 0x29 ')'\n"));
  EXPECT_THAT(r.out, HasSubstr(" => 5\n"));
  EXPECT_THAT(r.out, ::testing::EndsWith(".\nmorituri te salutant\n"));
}

TEST(ReplTest, ExitEndsTheLoopWithItsStatus) {
  Session s;
  ReplRun r = RunOn(s, "(exit 3)\n(+ 1 2)\n");
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.out, ".");
  EXPECT_EQ(r.err, "");
}

TEST(ReplTest, DefinitionsPersistBetweenForms) {
  Session s;
  ReplRun r = RunOn(s, "(define x 4)\n(* x x)\n");
  EXPECT_EQ(r.out, ". => 4\n. => 16\n.\nmorituri te salutant\n");
}

TEST(ReplTest, GetcReadsTheRestOfTheInput) {
  // §2.1 / §3.1: *input* is the REPL's stream; getc sees what follows the form.
  Session s;
  ReplRun r = RunOn(s, "(getc)X\n");
  EXPECT_EQ(r.out, ". => 88\n.\nmorituri te salutant\n");
}

TEST(ReplTest, ResultsUseTheCorePrinter) {
  Session s(/*prelude=*/true);
  ReplRun r = RunOn(s, "(list 1 2.5 \"s\" 'x)\nif\n");
  EXPECT_EQ(r.out, ". => (1 2.500000 \"s\" x)\n. => Fixed<if>\n.\nmorituri te salutant\n");
}

}  // namespace
}  // namespace maru
