// Unit tests of the `format` primitive (spec §7.4, §11.3, [project rule] 4).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::MatchesRegex;

using FormatTest = ::maru::test::SessionTest;

TEST_F(FormatTest, SpecExamples) {
  EXPECT_EQ(R("(format \"%d\" 42)"), "\"42\"");
  EXPECT_EQ(R("(format \"%5.2f\" 3.14159)"), "\" 3.14\"");
  EXPECT_EQ(R("(format \"%ls\" \"str\")"), "\"str\"");
  EXPECT_EQ(R("(format \"%s\" \"str\")"), "\"str\"");  // [project rule]
  EXPECT_EQ(R("(format \"%x\" 255)"), "\"ff\"");
  EXPECT_EQ(R("(format \"abc\" 5)"), "\"abc\"");
  EXPECT_EQ(R("(format \"%%\" 1)"), "\"%\"");
}

TEST_F(FormatTest, IntegerConversions) {
  EXPECT_EQ(R("(format \"%ld\" -5)"), "\"-5\"");
  EXPECT_EQ(R("(format \"%5d|\" 42)"), "\"   42|\"");
  EXPECT_EQ(R("(format \"%-5d|\" 42)"), "\"42   |\"");
  EXPECT_EQ(R("(format \"%05d\" 42)"), "\"00042\"");
  EXPECT_EQ(R("(format \"%o\" 8)"), "\"10\"");
  EXPECT_EQ(R("(format \"%X\" 255)"), "\"FF\"");
  EXPECT_EQ(R("(format \"%u\" 7)"), "\"7\"");
  // A Long is passed as a C long: boxed values and 64-bit extremes.
  EXPECT_EQ(R("(format \"%ld\" 4611686018427387904)"), "\"4611686018427387904\"");
  EXPECT_EQ(R("(format \"%ld\" -9223372036854775808)"), "\"-9223372036854775808\"");
  EXPECT_EQ(R("(format \"%lx\" -1)"), "\"ffffffffffffffff\"");
  EXPECT_EQ(R("(format \"<%d>\" 1)"), "\"<1>\"");
}

TEST_F(FormatTest, FloatingConversions) {
  EXPECT_EQ(R("(format \"%f\" 1.5)"), "\"1.500000\"");
  EXPECT_EQ(R("(format \"%e\" 1234.5)"), "\"1.234500e+03\"");
  EXPECT_EQ(R("(format \"%g\" 0.5)"), "\"0.5\"");
  EXPECT_EQ(R("(format \"%.1f%%\" 12.34)"), "\"12.3%\"");
  EXPECT_EQ(R("(format \"%f\" (/ 1.0 0))"), "\"inf\"");
}

TEST_F(FormatTest, StringAndSymbolArguments) {
  EXPECT_EQ(R("(format \"%s\" 'sym)"), "\"sym\"");
  EXPECT_EQ(R("(format \"%ls\" 'sym)"), "\"sym\"");
  EXPECT_EQ(R("(format \"[%s]\" \"h\xC3\xA9llo\")"), "\"[h\xC3\xA9llo]\"");
  EXPECT_EQ(R("(format \"%-4s|\" \"ab\")"), "\"ab  |\"");
  EXPECT_EQ(R("(format \"%s\" \"\")"), "\"\"");
  EXPECT_EQ(R("(string-length (format \"%s!\" \"\xC3\xA9\xC3\xA9\"))"), "3");
}

TEST_F(FormatTest, WidthAndPrecisionCountCharacters) {
  // §7.4: %ls formats the String's characters (the reference passes a wchar_t string, so field
  // width and precision count characters); [project rule] 4 gives %s the same meaning.
  EXPECT_EQ(R("(format \"%4ls|\" \"\xC3\xA9\")"), "\"   \xC3\xA9|\"");
  EXPECT_EQ(R("(format \"%-4ls|\" \"\xC3\xA9\")"), "\"\xC3\xA9   |\"");
  EXPECT_EQ(R("(format \"%.1ls\" \"\xC3\xA9" "a\")"), "\"\xC3\xA9\"");
  EXPECT_EQ(R("(format \"%4s|\" \"\xC3\xA9\")"), "\"   \xC3\xA9|\"");
  EXPECT_EQ(R("(format \"%.2s\" \"\xCE\xBB\xCE\xBB\xCE\xBB\")"), "\"\xCE\xBB\xCE\xBB\"");
  // %c / %lc with a width: one character.
  EXPECT_EQ(R("(format \"%3c|\" 233)"), "\"  \xC3\xA9|\"");
  EXPECT_EQ(R("(format \"%-3lc|\" 955)"), "\"\xCE\xBB  |\"");
}

TEST_F(FormatTest, NilArgument) {
  // §7.4: nil is a zero integer or null pointer.
  EXPECT_EQ(R("(format \"%d\" ())"), "\"0\"");
  EXPECT_EQ(R("(format \"%s\" ())"), "\"(null)\"");
  EXPECT_EQ(R("(format \"%p\" ())"), "\"(nil)\"");
}

TEST_F(FormatTest, CharacterConversions) {
  // [project rule] §7.4: %c and %lc both produce the character with that code.
  EXPECT_EQ(R("(format \"%c\" 65)"), "\"A\"");
  EXPECT_EQ(R("(format \"%c\" 233)"), "\"\xC3\xA9\"");
  EXPECT_EQ(R("(format \"%lc\" 955)"), "\"\xCE\xBB\"");
  EXPECT_EQ(R("(format \"<%c>\" 128512)"), "\"<\xF0\x9F\x98\x80>\"");
  EXPECT_EQ(R("(string-length (format \"%c\" 233))"), "1");
}

TEST_F(FormatTest, OtherObjectsArePassedAsAddresses) {
  EXPECT_THAT(R("(format \"%p\" car)"), MatchesRegex("\"0x[0-9a-f]+\""));
  EXPECT_THAT(R("(format \"%p\" (array 1))"), MatchesRegex("\"0x[0-9a-f]+\""));
}

TEST_F(FormatTest, FormatMustBeAString) {
  EXPECT_EQ(R("(format 5 1)"), "ERROR: format is not a string");  // §11.1
  EXPECT_EQ(R("(format 'abc 1)"), "ERROR: format is not a string");
}

TEST_F(FormatTest, Arity) {
  EXPECT_EQ(R("(format \"%d\")"), "ERROR: wrong number of arguments (1) in: format");
  EXPECT_EQ(R("(format \"%d\" 1 2)"), "ERROR: wrong number of arguments (3) in: format");
}

TEST_F(FormatTest, MismatchedConversionsAreErrors) {
  // §11.3.
  EXPECT_EQ(R("(format \"%d %d\" 1)"), "ERROR: format: argument does not match conversion");
  EXPECT_EQ(R("(format \"%s%s\" \"a\")"), "ERROR: format: argument does not match conversion");
  EXPECT_EQ(R("(format \"%d\" 1.5)"), "ERROR: format: argument does not match conversion");
  EXPECT_EQ(R("(format \"%x\" 1.5)"), "ERROR: format: argument does not match conversion");
  EXPECT_EQ(R("(format \"%f\" 1)"), "ERROR: format: argument does not match conversion");
  EXPECT_EQ(R("(format \"%s\" 5)"), "ERROR: format: argument does not match conversion");
  EXPECT_EQ(R("(format \"%ls\" 1.5)"), "ERROR: format: argument does not match conversion");
  EXPECT_EQ(R("(format \"%s\" '(1))"), "ERROR: format: argument does not match conversion");
  EXPECT_EQ(R("(format \"%s\" (array))"), "ERROR: format: argument does not match conversion");
  // `%%` consumes no argument.
  EXPECT_EQ(R("(format \"%d%%\" 5)"), "\"5%\"");
}

}  // namespace
}  // namespace maru
