// Unit tests of the string and symbol primitives (spec §7.4, except `format`: format_test.cc).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::StartsWith;

using StringPrimitivesTest = ::maru::test::SessionTest;

TEST_F(StringPrimitivesTest, StringMakesCodeZeroCharacters) {
  EXPECT_EQ(R("(string-length (string 3))"), "3");
  EXPECT_EQ(R("(string-at (string 3) 2)"), "0");
  EXPECT_EQ(R("(string 3)"), "\"\"");  // printed up to the first code 0 (§9)
  EXPECT_EQ(R("(string-length (string))"), "0");
  EXPECT_EQ(R("(string-length (string \"a\"))"), "0");  // n not a Long -> 0
  EXPECT_EQ(R("(type-of (string 1))"), "4");
  EXPECT_EQ(R("(string -5)"), "ERROR: string: negative size: -5");  // §11.3
}

TEST_F(StringPrimitivesTest, StringLength) {
  EXPECT_EQ(R("(string-length \"abc\")"), "3");
  EXPECT_EQ(R("(string-length \"\")"), "0");
  EXPECT_EQ(R("(string-length \"h\xC3\xA9llo\")"), "5");  // §12: code points
  EXPECT_EQ(R("(string-length \"\xF0\x9F\x98\x80\")"), "1");
  EXPECT_EQ(R("(string-length 5)"), "ERROR: string-length: non-String argument: 5");
  EXPECT_EQ(R("(string-length 'abc)"), "ERROR: string-length: non-String argument: abc");
  EXPECT_EQ(R("(string-length \"a\" \"b\")"),
            "ERROR: wrong number of arguments (2) in: string-length");
}

TEST_F(StringPrimitivesTest, StringAt) {
  EXPECT_EQ(R("(string-at \"abc\" 1)"), "98");  // §12
  EXPECT_EQ(R("(string-at \"abc\" 0)"), "97");
  EXPECT_EQ(R("(string-at \"abc\" 9)"), "()");
  EXPECT_EQ(R("(string-at \"abc\" 3)"), "()");
  EXPECT_EQ(R("(string-at \"abc\" -1)"), "()");
  EXPECT_EQ(R("(string-at \"abc\" 'x)"), "()");
  EXPECT_EQ(R("(string-at \"abc\" 1.0)"), "()");
  EXPECT_EQ(R("(string-at \"h\xC3\xA9\" 1)"), "233");
  EXPECT_EQ(R("(string-at 5 0)"), "ERROR: string-at: non-String argument: 5");  // §11.1
  EXPECT_EQ(R("(string-at \"a\")"), "ERROR: wrong number of arguments (1) in: string-at");
}

TEST_F(StringPrimitivesTest, SetStringAtStoresAndReturns) {
  EXPECT_EQ(R("(define s (string-copy \"abc\")) (set-string-at s 1 66)"), "66");
  EXPECT_EQ(R("s"), "\"aBc\"");
  EXPECT_EQ(R("(set-string-at s 0 233) s"), "\"\xC3\xA9" "Bc\"");
  EXPECT_EQ(R("(string-length s)"), "3");
}

TEST_F(StringPrimitivesTest, SetStringAtGrowsByDoublingAndLengthBecomesCapacity) {
  // §7.4 example.
  EXPECT_EQ(R("(let ((s (string 0))) (set-string-at s 5 66) (string-length s))"), "8");
  // Capacity doubles from max(2, length) until it exceeds i.
  EXPECT_EQ(R("(let ((s (string 0))) (set-string-at s 0 66) (string-length s))"), "2");
  EXPECT_EQ(R("(let ((s (string 0))) (set-string-at s 2 66) (string-length s))"), "4");
  EXPECT_EQ(R("(let ((s (string 3))) (set-string-at s 3 66) (string-length s))"), "6");
  EXPECT_EQ(R("(let ((s (string 5))) (set-string-at s 10 66) (string-length s))"), "20");
  EXPECT_EQ(R("(let ((s (string 5))) (set-string-at s 9 66) (string-length s))"), "10");
  // New characters are code 0 and the stored one is in place.
  EXPECT_EQ(R("(define g (string-copy \"ab\")) (set-string-at g 4 67) "
              "(cons (string-at g 2) (cons (string-at g 3) (cons (string-at g 4) ())))"),
            "(0 0 67)");
  EXPECT_EQ(R("(string-length g)"), "8");
}

TEST_F(StringPrimitivesTest, SetStringAtStoresTheGivenCode) {
  // §7.4: stores c and returns it; string-at gives back the stored code (the reference's
  // elements are 32-bit signed wchar_t).
  EXPECT_EQ(R("(define s (string 1)) (set-string-at s 0 -1)"), "-1");
  EXPECT_EQ(R("(string-at s 0)"), "-1");
  EXPECT_EQ(R("(set-string-at s 0 1114111) (string-at s 0)"), "1114111");
}

TEST_F(StringPrimitivesTest, SetStringAtNegativeIndexStoresNothing) {
  EXPECT_EQ(R("(define s (string-copy \"abc\")) (set-string-at s -1 65)"), "()");
  EXPECT_EQ(R("s"), "\"abc\"");
}

TEST_F(StringPrimitivesTest, SetStringAtErrors) {
  EXPECT_EQ(R("(set-string-at 5 0 65)"), "ERROR: set-string-at: non-String argument: 5");
  EXPECT_THAT(R("(set-string-at (string 2) 'a 65)"), StartsWith("ERROR: set-string-at: non-"));
  EXPECT_THAT(R("(set-string-at (string 2) 0 \"A\")"), StartsWith("ERROR: set-string-at: non-"));
  EXPECT_EQ(R("(set-string-at (string 2) 0)"),
            "ERROR: wrong number of arguments (2) in: set-string-at");
}

TEST_F(StringPrimitivesTest, StringLiteralsAreSharedMutableObjects) {
  // §3.4: a literal is one object, shared by every evaluation of the expression.
  EXPECT_EQ(R("(define f (lambda () \"abc\")) (set-string-at (f) 0 120) (f)"), "\"xbc\"");
}

TEST_F(StringPrimitivesTest, StringCopy) {
  EXPECT_EQ(R("(string-copy \"hello\" 1 3)"), "\"ell\"");  // §7.4 examples
  EXPECT_EQ(R("(string-copy \"hello\" -2)"), "\"hello\"");
  EXPECT_EQ(R("(string-copy \"hello\" 9)"), "\"\"");
  EXPECT_EQ(R("(string-copy \"hello\")"), "\"hello\"");
  EXPECT_EQ(R("(string-copy \"hello\" 2)"), "\"llo\"");
  EXPECT_EQ(R("(string-copy \"hello\" 2 100)"), "\"llo\"");
  EXPECT_EQ(R("(string-copy \"hello\" 1 -5)"), "\"\"");
  EXPECT_EQ(R("(string-copy \"h\xC3\xA9llo\" 1 1)"), "\"\xC3\xA9\"");
  EXPECT_THAT(R("(string-copy \"hello\" 'a)"), StartsWith("ERROR: string-copy: non-"));
  EXPECT_THAT(R("(string-copy \"hello\" 0 'b)"), StartsWith("ERROR: string-copy: non-"));
  EXPECT_THAT(R("(string-copy 5)"), StartsWith("ERROR: string-copy: non-"));
}

TEST_F(StringPrimitivesTest, StringCopyMakesANewString) {
  EXPECT_EQ(R("(define a \"abc\") (define b (string-copy a)) (set-string-at b 0 120) a"),
            "\"abc\"");
  EXPECT_EQ(R("b"), "\"xbc\"");
}

TEST_F(StringPrimitivesTest, StringCompare) {
  EXPECT_EQ(R("(string-compare \"hello\" \"he\" 0 2)"), "0");  // §7.4 example
  EXPECT_EQ(R("(string-compare \"abc\" \"abc\")"), "0");
  EXPECT_EQ(R("(string-compare \"abc\" \"abd\")"), "-1");
  EXPECT_EQ(R("(string-compare \"abd\" \"abc\")"), "1");
  // len defaults to the length of s, compared as wcsncmp: "hello" vs "he" differ at 'l' vs 0.
  EXPECT_EQ(R("(string-compare \"hello\" \"he\")"), "1");
  EXPECT_EQ(R("(string-compare \"he\" \"hello\")"), "0");  // only 2 characters compared
  EXPECT_EQ(R("(string-compare \"hf\" \"hello\")"), "1");
  EXPECT_EQ(R("(string-compare \"hello\" \"llo\" 2)"), "0");
  EXPECT_EQ(R("(string-compare \"hello\" \"lla\" 2)"), "1");
  EXPECT_EQ(R("(string-compare \"hello\" \"lxx\" 2 1)"), "0");
  EXPECT_EQ(R("(string-compare \"abc\" \"abcdef\" 0 10)"), "-1");
  // Code-point order.
  EXPECT_EQ(R("(string-compare \"\xC3\xA9\" \"z\")"), "1");
  // -1 when off < 0, len < 0 or off >= length of s.
  EXPECT_EQ(R("(string-compare \"abc\" \"abc\" -1)"), "-1");
  EXPECT_EQ(R("(string-compare \"abc\" \"\" 3)"), "-1");
  EXPECT_EQ(R("(string-compare \"abc\" \"abc\" 0 -1)"), "-1");
  EXPECT_EQ(R("(string-compare \"zzz\" \"abc\" 5)"), "-1");
}

TEST_F(StringPrimitivesTest, StringCompareStopsAtCodeZero) {
  EXPECT_EQ(R("(define s (string 4)) (set-string-at s 0 97) (string-compare s \"a\")"), "0");
}

TEST_F(StringPrimitivesTest, SymbolToString) {
  EXPECT_EQ(R("(symbol->string 'foo)"), "\"foo\"");  // §12
  EXPECT_EQ(R("(symbol->string '\xC3\xA9t\xC3\xA9)"), "\"\xC3\xA9t\xC3\xA9\"");
  EXPECT_EQ(R("(define s \"x\") (set-string-at (symbol->string s) 0 121) s"), "\"y\"");
  EXPECT_EQ(R("(symbol->string 5)"), "()");
  EXPECT_EQ(R("(symbol->string ())"), "()");
  // A new String each time: mutating it does not rename the symbol.
  EXPECT_EQ(R("(set-string-at (symbol->string 'foo) 0 98) 'foo"), "foo");
}

TEST_F(StringPrimitivesTest, StringToSymbol) {
  EXPECT_EQ(R("(string->symbol \"foo\")"), "foo");  // §12
  EXPECT_EQ(R("(= (string->symbol \"foo\") 'foo)"), "t");
  EXPECT_EQ(R("(= (string->symbol \"Foo\") 'foo)"), "()");
  EXPECT_EQ(R("(string->symbol 'bar)"), "bar");
  EXPECT_EQ(R("(string->symbol 5)"), "()");
  EXPECT_EQ(R("(type-of (string->symbol \"a b\"))"), "5");
}

TEST_F(StringPrimitivesTest, SymbolCompare) {
  EXPECT_EQ(R("(symbol-compare 'a 'b)"), "-1");
  EXPECT_EQ(R("(symbol-compare 'b 'a)"), "1");
  EXPECT_EQ(R("(symbol-compare 'a 'a)"), "0");
  EXPECT_EQ(R("(symbol-compare 'Z 'a)"), "-1");
  EXPECT_EQ(R("(symbol-compare 'ab 'a)"), "1");
  EXPECT_EQ(R("(symbol-compare '\xC3\xA9 'z)"), "1");  // code-point order
  EXPECT_THAT(R("(symbol-compare 'a \"a\")"), StartsWith("ERROR: symbol-compare: non-"));
  EXPECT_EQ(R("(symbol-compare 'a)"), "ERROR: wrong number of arguments (1) in: symbol-compare");
}

}  // namespace
}  // namespace maru
