// Unit tests of the input/output primitives (spec §7.7, UTF-8 per [project rule] 3).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::StartsWith;

class IoPrimitivesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/maru_io_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  std::string R(std::string_view text) { return s_.Run(text); }
  std::string Path(const std::string& name) { return dir_ + "/" + name; }
  // A Maru string literal for a path (temp paths contain no quotes or backslashes).
  std::string Lit(const std::string& name) { return "\"" + Path(name) + "\""; }
  void WriteFile(const std::string& name, const std::string& bytes) {
    std::ofstream out(Path(name), std::ios::binary);
    out << bytes;
  }
  std::string ReadFile(const std::string& name) {
    std::ifstream in(Path(name), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  Session s_;
  std::string dir_;
};

TEST_F(IoPrimitivesTest, OpenMissingFileGivesNil) {
  EXPECT_EQ(R("(open \"/nonexistent/dir/file\")"), "()");
  EXPECT_EQ(R("(open " + Lit("missing") + ")"), "()");
  EXPECT_EQ(R("(open " + Lit("missing") + " \"r\")"), "()");
}

TEST_F(IoPrimitivesTest, OpenNonStringPathIsAnError) {
  EXPECT_THAT(R("(open 5)"), StartsWith("ERROR: open: non-"));
}

TEST_F(IoPrimitivesTest, OpenReturnsALongHandleAndCloseReturnsIt) {
  WriteFile("a", "x");
  EXPECT_EQ(R("(define f (open " + Lit("a") + ")) (type-of f)"), "2");
  EXPECT_EQ(R("(= (close f) f)"), "t");
  EXPECT_THAT(R("(close 'x)"), StartsWith("ERROR: close: non-"));
}

TEST_F(IoPrimitivesTest, PutcWritesUtf8) {
  EXPECT_EQ(R("(define f (open " + Lit("out") + " \"w\")) (putc 104 f)"), "104");
  EXPECT_EQ(R("(putc 233 f)"), "233");
  EXPECT_EQ(R("(putc 128512 f)"), "128512");
  EXPECT_EQ(R("(putc 10 f) (close f) ()"), "()");
  EXPECT_EQ(ReadFile("out"), "h\xC3\xA9\xF0\x9F\x98\x80\n");
}

TEST_F(IoPrimitivesTest, PutbWritesBytes) {
  EXPECT_EQ(R("(define f (open " + Lit("out") + " \"w\")) (putb 255 f)"), "255");
  EXPECT_EQ(R("(putb 65 f) (close f) ()"), "()");
  EXPECT_EQ(ReadFile("out"), "\xff" "A");
}

TEST_F(IoPrimitivesTest, GetcDecodesUtf8AndGivesNilAtEof) {
  WriteFile("in", "h\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(R("(define f (open " + Lit("in") + ")) (getc f)"), "104");
  EXPECT_EQ(R("(getc f)"), "233");
  EXPECT_EQ(R("(getc f)"), "128512");
  EXPECT_EQ(R("(getc f)"), "()");
  EXPECT_EQ(R("(getc f)"), "()");
  R("(close f)");
}

TEST_F(IoPrimitivesTest, GetbReadsBytes) {
  WriteFile("in", "h\xC3\xA9");
  EXPECT_EQ(R("(define f (open " + Lit("in") + ")) (getb f)"), "104");
  EXPECT_EQ(R("(getb f)"), "195");
  EXPECT_EQ(R("(getb f)"), "169");
  EXPECT_EQ(R("(getb f)"), "()");
  R("(close f)");
}

TEST_F(IoPrimitivesTest, GetcAndGetbMix) {
  // §7.7: all streams support both character and byte I/O.
  WriteFile("in", "a\xC3\xA9z");
  EXPECT_EQ(R("(define f (open " + Lit("in") + " \"r\" 0)) (getb f)"), "97");
  EXPECT_EQ(R("(getc f)"), "233");
  EXPECT_EQ(R("(getb f)"), "122");
  R("(close f)");
}

TEST_F(IoPrimitivesTest, AppendMode) {
  WriteFile("log", "ab");
  EXPECT_EQ(R("(define f (open " + Lit("log") + " \"a\")) (putc 99 f) (close f) ()"), "()");
  EXPECT_EQ(ReadFile("log"), "abc");
}

TEST_F(IoPrimitivesTest, PutcArgumentErrors) {
  EXPECT_THAT(R("(putc \"a\")"), StartsWith("ERROR: putc: non-"));
  EXPECT_THAT(R("(putc 65 'f)"), StartsWith("ERROR: putc: non-"));
  EXPECT_THAT(R("(putb 'x)"), StartsWith("ERROR: putb: non-"));
}

TEST_F(IoPrimitivesTest, PutcDefaultsToStandardOutput) {
  // [project rule] 5: *output* is standard output from the start.
  EXPECT_EQ(R("(putc 65)"), "65");
  EXPECT_EQ(R("(putc 233)"), "233");
  EXPECT_EQ(R("(putb 66)"), "66");
  EXPECT_EQ(s_.TakeOutput(), "A\xC3\xA9" "B");
}

TEST_F(IoPrimitivesTest, ReadFileByName) {
  // §7.7: a String opens that file and returns the list of all forms in it.
  WriteFile("forms.l", "(a b) 5 \"s\"\n; comment\nsym");
  EXPECT_EQ(R("(read " + Lit("forms.l") + ")"), "((a b) 5 \"s\" sym)");
  EXPECT_EQ(R("(read " + Lit("missing.l") + ")"), "()");
  WriteFile("empty.l", "");
  EXPECT_EQ(R("(read " + Lit("empty.l") + ")"), "()");
}

TEST_F(IoPrimitivesTest, ReadFileRecordsSourcePositions) {
  WriteFile("pos.l", "\n\n(a b)");
  EXPECT_EQ(R("(oop-at (car (read " + Lit("pos.l") + ")) 2)"), "(" + Lit("pos.l") + " . 3)");
}

TEST_F(IoPrimitivesTest, ReadFileSyntaxErrorIsAnError) {
  WriteFile("bad.l", "(a b");
  EXPECT_EQ(R("(read " + Lit("bad.l") + ")"), "ERROR: EOF while reading list");
}

TEST_F(IoPrimitivesTest, ReadFromAStream) {
  // §7.7: a Long reads one form from that stream, nil at end.
  WriteFile("s.l", "(a b) 5 x");
  EXPECT_EQ(R("(define f (open " + Lit("s.l") + ")) (read f)"), "(a b)");
  EXPECT_EQ(R("(read f)"), "5");
  EXPECT_EQ(R("(read f)"), "x");
  EXPECT_EQ(R("(read f)"), "()");
  R("(close f)");
}

TEST_F(IoPrimitivesTest, GetcAfterReadSeesTheRestOfTheStream) {
  // §3.1: after a form has been read the input is positioned right after it (one character of
  // lookahead is handed back).
  WriteFile("s.l", "abc def");
  EXPECT_EQ(R("(define f (open " + Lit("s.l") + ")) (read f)"), "abc");
  EXPECT_EQ(R("(getc f)"), "32");
  EXPECT_EQ(R("(getc f)"), "100");
  R("(close f)");
}

TEST_F(IoPrimitivesTest, GetbAfterReadSeesTheBytesOfANonAsciiLookahead) {
  // §3.1 / §7.7: after (read f) the stream is positioned right after the form, so the bytes of
  // the character that ended it come next, whether read with getc or getb.
  WriteFile("u.l", "12\xC3\xA9x");
  EXPECT_EQ(R("(define f (open " + Lit("u.l") + ")) (read f)"), "12");
  EXPECT_EQ(R("(getb f)"), "195");
  EXPECT_EQ(R("(getb f)"), "169");
  EXPECT_EQ(R("(getb f)"), "120");
  R("(close f)");
  EXPECT_EQ(R("(define f (open " + Lit("u.l") + ")) (read f)"), "12");
  EXPECT_EQ(R("(getc f)"), "233");
  EXPECT_EQ(R("(getc f)"), "120");
  R("(close f)");
}

TEST_F(IoPrimitivesTest, ReadRejectsOtherArguments) {
  EXPECT_THAT(R("(read 'x)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(read 1.5)"), StartsWith("ERROR: "));
}

TEST_F(IoPrimitivesTest, PrintDumpWarnReturnNil) {
  EXPECT_EQ(R("(print \"a\" 'b 1)"), "()");
  EXPECT_EQ(s_.TakeOutput(), "ab1");
  EXPECT_EQ(R("(dump \"a\" 'b 1)"), "()");
  EXPECT_EQ(s_.TakeOutput(), "\"a\"b1");
  EXPECT_EQ(R("(print)"), "()");
  EXPECT_EQ(s_.TakeOutput(), "");
  EXPECT_EQ(R("(warn \"\")"), "()");
}

TEST_F(IoPrimitivesTest, PrintWritesNonAsciiAsUtf8) {
  EXPECT_EQ(R("(print \"h\xC3\xA9\" '\xCE\xBB)"), "()");
  EXPECT_EQ(s_.TakeOutput(), "h\xC3\xA9\xCE\xBB");
  EXPECT_EQ(R("(dump \"h\xC3\xA9\\n\")"), "()");
  EXPECT_EQ(s_.TakeOutput(), "\"h\xC3\xA9\\012\"");
}

TEST_F(IoPrimitivesTest, ContentsRoundTripWithThePrelude) {
  // §10.11 contents-to-file-named / contents-of-file-named over putc/getc.
  Session s(/*prelude=*/true);
  EXPECT_EQ(s.Run("(contents-to-file-named \"\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80\" " +
                  Lit("c.txt") + ") (contents-of-file-named " + Lit("c.txt") + ")"),
            "\"\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80\"");
  EXPECT_EQ(ReadFile("c.txt"), "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace maru
