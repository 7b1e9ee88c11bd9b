// Unit tests of the reader (spec §3; error texts from §11.1).
#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/reader.h"
#include "runtime/strings.h"
#include "runtime/vm.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::CodesOf;
using ::maru::test::Session;
using ::testing::ElementsAre;

class ReaderTest : public ::testing::Test {
 protected:
  // Reads the forms of `text` and returns them dumped, joined by " | ".
  std::string R(std::string_view text) { return s_.ReadAll(text); }

  // Reads the first form of `text` with a Reader over fmemopen; the stream is kept open (in_) so
  // that a test can look at what follows the form.
  Oop ReadFirst(const std::string& text, const std::string& path = "<test>") {
    Close();
    text_ = text;
    in_ = fmemopen(text_.data(), text_.size(), "r");
    reader_ = std::make_unique<Reader>(s_.vm(), in_, path);
    bool eof = false;
    return reader_->Read(&eof);
  }
  // The next character of in_ after the form read by ReadFirst: the Vm's pushback if any, else the
  // stream's next byte.
  int NextChar() {
    auto it = s_.vm().pushback.find(in_);
    if (it != s_.vm().pushback.end()) {
      int c = it->second;
      s_.vm().pushback.erase(it);
      return c;
    }
    return std::fgetc(in_);
  }
  void Close() {
    reader_.reset();
    if (in_ != nullptr) {
      s_.vm().pushback.erase(in_);
      std::fclose(in_);
      in_ = nullptr;
    }
  }
  void TearDown() override { Close(); }

  Session s_;
  std::string text_;
  FILE* in_ = nullptr;
  std::unique_ptr<Reader> reader_;
};

// ---- §3.3 Numbers ---------------------------------------------------------------------------

TEST_F(ReaderTest, DecimalIntegers) {
  EXPECT_EQ(R("0"), "0");
  EXPECT_EQ(R("42"), "42");
  EXPECT_EQ(R("-5"), "-5");  // §3.2: `-` immediately followed by a digit starts a negative number
  EXPECT_EQ(R("-0"), "0");
}

TEST_F(ReaderTest, HexOctalAndTruncatedTokens) {
  // §3.3 examples.
  EXPECT_EQ(R("0x1F"), "31");
  EXPECT_EQ(R("010"), "8");
  EXPECT_EQ(R("08"), "0");
  EXPECT_EQ(R("019"), "1");
  EXPECT_EQ(R("7x10"), "7");  // one digit then lowercase x: the x and hex digits join the token
  EXPECT_EQ(R("0x"), "0");
  EXPECT_EQ(R("0xAbC"), "2748");
  EXPECT_EQ(R("1x5"), "1");
}

TEST_F(ReaderTest, TokensThatSplitIntoTwoForms) {
  // §3.3.
  EXPECT_EQ(R("-0x10"), "0 | x10");
  EXPECT_EQ(R("0X1F"), "0 | X1F");
  EXPECT_EQ(R("12x"), "12 | x");
  EXPECT_EQ(R("1-2"), "1 | -2");
  EXPECT_EQ(R("1e+5"), "1.000000 | +5");
  EXPECT_EQ(R("1.5.3"), "1.500000 | .3");
  // The x joins only after exactly one digit.
  EXPECT_EQ(R("00x5"), "0 | x5");
  EXPECT_EQ(R("0x1g"), "1 | g");
}

TEST_F(ReaderTest, NegativeDoublesAndDashSymbols) {
  EXPECT_EQ(R("-1e3"), "-1000.000000");
  EXPECT_EQ(R("-1."), "-1.000000");
  EXPECT_EQ(R("-.5"), "-.5");   // `-` not followed by a digit: a symbol
  EXPECT_EQ(R("a-1"), "a-1");   // symbols continue with digits
  EXPECT_EQ(R("(- 1)"), "(- 1)");
}

TEST_F(ReaderTest, SymbolsThatLookLikeNumbers) {
  // §3.2/§3.3: `+5`, `.5`, `--5`, `-x` are symbols.
  EXPECT_EQ(R("+5"), "+5");
  EXPECT_EQ(R(".5"), ".5");
  EXPECT_EQ(R("--5"), "--5");
  EXPECT_EQ(R("-x"), "-x");
  EXPECT_EQ(R("-"), "-");
  EXPECT_TRUE(IsSymbol(ReadFirst("+5 ")));
}

TEST_F(ReaderTest, Doubles) {
  // §3.3 examples.
  EXPECT_EQ(R("1.5"), "1.500000");
  EXPECT_EQ(R("1."), "1.000000");
  EXPECT_EQ(R("1e3"), "1000.000000");
  EXPECT_EQ(R("2.5e-2"), "0.025000");
  EXPECT_EQ(R("1.e5"), "100000.000000");
  EXPECT_EQ(R("1e"), "1.000000");
  EXPECT_EQ(R("-1.5"), "-1.500000");
  EXPECT_EQ(R("-0.0"), "-0.000000");
  EXPECT_EQ(R("1e-"), "1.000000");          // e, optional -, zero digits
  EXPECT_EQ(R("1e-x"), "1.000000 | x");
  EXPECT_EQ(R("0.1"), "0.100000");
  Oop d = ReadFirst("2.5 ");
  ASSERT_TRUE(IsDouble(d));
  EXPECT_EQ(DoubleValue(d), 2.5);
}

TEST_F(ReaderTest, BigNumbersWrapAndSaturate) {
  // §3.3: magnitude saturates at 2^64-1, `-` negates modulo 2^64, result read as signed.
  EXPECT_EQ(R("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(R("9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(R("18446744073709551615"), "-1");
  EXPECT_EQ(R("18446744073709551616"), "-1");
  EXPECT_EQ(R("99999999999999999999999"), "-1");
  EXPECT_EQ(R("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(R("-9223372036854775809"), "9223372036854775807");
  EXPECT_EQ(R("-99999999999999999999999"), "1");  // -(2^64-1) mod 2^64
  EXPECT_EQ(R("0xFFFFFFFFFFFFFFFF"), "-1");
  EXPECT_EQ(R("0x1FFFFFFFFFFFFFFFF"), "-1");
  EXPECT_EQ(R("0x8000000000000000"), "-9223372036854775808");
}

TEST_F(ReaderTest, NumbersOutsideTheFixnumRangeAreBoxed) {
  // §3.3 last bullet and §8: fixnums are -2^62 <= v < 2^62; others are boxed Longs (type 2).
  Oop max_fix = ReadFirst("4611686018427387903 ");
  EXPECT_TRUE(IsFixnum(max_fix));
  EXPECT_EQ(LongValue(max_fix), int64_t{4611686018427387903});
  Oop boxed = ReadFirst("4611686018427387904 ");
  EXPECT_FALSE(IsFixnum(boxed));
  EXPECT_TRUE(Is(boxed, kLongType));
  EXPECT_EQ(LongValue(boxed), int64_t{4611686018427387904});
  Oop min_fix = ReadFirst("-4611686018427387904 ");
  EXPECT_TRUE(IsFixnum(min_fix));
  Oop below = ReadFirst("-4611686018427387905 ");
  EXPECT_TRUE(Is(below, kLongType));
  EXPECT_EQ(LongValue(below), int64_t{-4611686018427387905});
  Oop wrapped = ReadFirst("9223372036854775808 ");
  EXPECT_TRUE(Is(wrapped, kLongType));
  EXPECT_EQ(LongValue(wrapped), INT64_MIN);
}

// ---- §3.4 Strings ---------------------------------------------------------------------------

TEST_F(ReaderTest, SimpleEscapes) {
  Oop s = ReadFirst(R"("\a\b\f\n\r\t\v")");
  ASSERT_TRUE(IsString(s));
  EXPECT_THAT(CodesOf(s), ElementsAre(7, 8, 12, 10, 13, 9, 11));
}

TEST_F(ReaderTest, NonLetterEscapesStandForThemselves) {
  // §3.4: `\` + any other non-letter, non-digit character (including a line break) is that char.
  Oop s = ReadFirst("\"\\\"\\\\\\'\\(\\ \\\n\\;\"");
  ASSERT_TRUE(IsString(s));
  EXPECT_THAT(CodesOf(s), ElementsAre('"', '\\', '\'', '(', ' ', '\n', ';'));
}

TEST_F(ReaderTest, UnicodeEscape) {
  Oop s = ReadFirst(R"("\u00e9\u0041\u00E9")");
  ASSERT_TRUE(IsString(s));
  EXPECT_THAT(CodesOf(s), ElementsAre(233, 65, 233));
}

TEST_F(ReaderTest, UnicodeEscapeNeedsFourDigitCharacters) {
  EXPECT_EQ(R(R"("\u00!0")"), "ERROR: illegal digit in character escape");
  EXPECT_EQ(R(R"("\u00")"), "ERROR: illegal digit in character escape");
}

TEST_F(ReaderTest, HexEscape) {
  // §3.4: \x followed by 1-2 hex digits.
  Oop s = ReadFirst(R"("\x41\x4g\x414\xff")");
  ASSERT_TRUE(IsString(s));
  EXPECT_THAT(CodesOf(s), ElementsAre(65, 4, 'g', 65, '4', 255));
}

TEST_F(ReaderTest, HexEscapeWithoutDigitIsCodeZeroAndEndsTheString) {
  // `\x` with no hex digit is code 0, and code 0 ends the string's content.
  Oop s = ReadFirst(R"("ab\x-cd")");
  ASSERT_TRUE(IsString(s));
  EXPECT_THAT(CodesOf(s), ElementsAre('a', 'b'));
}

TEST_F(ReaderTest, OctalEscape) {
  // §3.4: `\` followed by 1-3 octal digits.
  Oop s = ReadFirst(R"("\101\1234\7\12x")");
  ASSERT_TRUE(IsString(s));
  EXPECT_THAT(CodesOf(s), ElementsAre(65, 83, '4', 7, 10, 'x'));
}

TEST_F(ReaderTest, CodeZeroTruncatesTheString) {
  // §3.4: the rest of the literal up to the closing quote is read and discarded.
  EXPECT_EQ(R(R"("ab\0cd" 5)"), "\"ab\" | 5");
  EXPECT_EQ(R(R"("ab\u0000cd")"), "\"ab\"");
  Oop s = ReadFirst(R"("ab\0cd")");
  ASSERT_TRUE(IsString(s));
  EXPECT_EQ(StringLength(s), 2);
}

TEST_F(ReaderTest, IllegalEscapes) {
  // §3.4: `\` + other ASCII letter or digit, or a character >= 128.
  EXPECT_EQ(R(R"("\q")"), "ERROR: illegal character escape: \\q");
  EXPECT_EQ(R(R"("\e")"), "ERROR: illegal character escape: \\e");
  EXPECT_EQ(R(R"("\8")"), "ERROR: illegal character escape: \\8");
  EXPECT_EQ(R("\"\\\xC3\xA9\""), "ERROR: illegal character escape: \\\xC3\xA9");
}

TEST_F(ReaderTest, StringsMayContainLineBreaksAndControlCharacters) {
  Oop s = ReadFirst("\"a\nb\x01\x0c\"");
  ASSERT_TRUE(IsString(s));
  EXPECT_THAT(CodesOf(s), ElementsAre('a', '\n', 'b', 1, 12));
}

TEST_F(ReaderTest, StringsAreCodePoints) {
  // §3.1: one element per code point.
  Oop s = ReadFirst("\"h\xC3\xA9llo\xF0\x9F\x98\x80\"");
  ASSERT_TRUE(IsString(s));
  EXPECT_THAT(CodesOf(s), ElementsAre('h', 233, 'l', 'l', 'o', 0x1F600));
}

TEST_F(ReaderTest, HexEscapeAtTheEndOfAString) {
  EXPECT_EQ(R(R"("ab\x" 1)"), "\"ab\" | 1");  // code 0 ends the content; the quote still closes
}

TEST_F(ReaderTest, EofInString) {
  EXPECT_EQ(R("\"abc"), "ERROR: EOF in string literal");
  EXPECT_EQ(R("\"abc\\"), "ERROR: EOF in string literal");
}

// ---- §3.5 Character literals ----------------------------------------------------------------

TEST_F(ReaderTest, CharacterLiterals) {
  EXPECT_EQ(R("?a"), "97");
  EXPECT_EQ(R("?\\n"), "10");
  EXPECT_EQ(R("?\\\\"), "92");
  EXPECT_EQ(R("?\\x41"), "65");
  EXPECT_EQ(R("?\\101"), "65");
  EXPECT_EQ(R("?\\u00e9"), "233");
  EXPECT_EQ(R("?\xC3\xA9"), "233");
  EXPECT_EQ(R("? "), "32");
  EXPECT_EQ(R("?("), "40");
  EXPECT_EQ(R("?;"), "59");
  EXPECT_EQ(R("?\""), "34");
  EXPECT_EQ(R("(?a ?b)"), "(97 98)");
  EXPECT_EQ(R("?\\q"), "ERROR: illegal character escape: \\q");
}

// ---- §3.2 Symbols ---------------------------------------------------------------------------

TEST_F(ReaderTest, SymbolCharacters) {
  // §3.2: each of these is a single symbol.
  EXPECT_EQ(R("a.b x?y a,b |x| \\abc #t <long> set-car a1 !$%&*/:<=>@^_~"),
            "a.b | x?y | a,b | |x| | \\abc | #t | <long> | set-car | a1 | !$%&*/:<=>@^_~");
  EXPECT_EQ(R("\xC3\xA9t\xC3\xA9 \xCE\xBBx"), "\xC3\xA9t\xC3\xA9 | \xCE\xBBx");
}

TEST_F(ReaderTest, SymbolsAreInternedAndCaseSensitive) {
  Oop a = ReadFirst("foo ");
  ASSERT_TRUE(IsSymbol(a));
  EXPECT_EQ(a, Intern("foo"));
  EXPECT_NE(a, Intern("Foo"));
  EXPECT_EQ(R("Foo foo"), "Foo | foo");
}

// ---- Whitespace, comments, illegal characters -----------------------------------------------

TEST_F(ReaderTest, WhitespaceAndComments) {
  EXPECT_EQ(R(" \t\r\n 5 ; comment ( \n 6"), "5 | 6");
  EXPECT_EQ(R("(1 ; c\n 2)"), "(1 2)");
  EXPECT_EQ(R("; only a comment"), "");
  EXPECT_EQ(R("   "), "");
}

TEST_F(ReaderTest, IllegalCharacters) {
  // §3.2: any other character below 32, and DEL, is an error outside strings and char literals.
  EXPECT_EQ(R("\x0c"), "ERROR: illegal character: 0x0c");
  EXPECT_EQ(R("\x0b"), "ERROR: illegal character: 0x0b");
  EXPECT_EQ(R("\x01"), "ERROR: illegal character: 0x01");
  EXPECT_EQ(R("\x7f"), "ERROR: illegal character: 0x7f");
  EXPECT_EQ(R("(a \x0c)"), "ERROR: illegal character: 0x0c");
  EXPECT_EQ(R("5 \x1b"), "5 | ERROR: illegal character: 0x1b");
  EXPECT_EQ(R(std::string("a \0", 3)), "a | ERROR: illegal character: 0x00");
}

TEST_F(ReaderTest, ControlCharactersAreFineInStringsAndCharacterLiterals) {
  EXPECT_EQ(R("?\x01"), "1");
  EXPECT_EQ(R("?\t"), "9");  // a literal tab after ?
  // A literal NUL inside a string has code 0 and ends the content (§3.4).
  EXPECT_EQ(R(std::string("\"ab\0cd\" 5", 9)), "\"ab\" | 5");
}

// ---- §3.6 Lists -----------------------------------------------------------------------------

TEST_F(ReaderTest, Lists) {
  EXPECT_EQ(R("()"), "()");
  EXPECT_TRUE(ReadFirst("() ") == kNil);
  EXPECT_EQ(R("(a b c)"), "(a b c)");
  EXPECT_EQ(R("(a (b (c)) ())"), "(a (b (c)) ())");
  EXPECT_EQ(R("(a . b)"), "(a . b)");
  EXPECT_EQ(R("(a b . c)"), "(a b . c)");
  EXPECT_EQ(R("(a . (b c))"), "(a b c)");
  EXPECT_EQ(R("(a .b)"), "(a .b)");  // `.b` is a symbol
  EXPECT_EQ(R("(. a)"), "(. a)");    // a first-position `.` is an ordinary symbol
}

TEST_F(ReaderTest, FirstPositionDotIsASymbolElement) {
  Oop list = ReadFirst("(. a) ");
  ASSERT_TRUE(IsPair(list));
  EXPECT_EQ(ListLength(list), 2);
  EXPECT_EQ(Car(list), Intern("."));
}

TEST_F(ReaderTest, BracketsAndBraces) {
  EXPECT_EQ(R("[a b]"), "(bracket a b)");
  EXPECT_EQ(R("{a b}"), "(brace a b)");
  EXPECT_EQ(R("[]"), "(bracket)");
  EXPECT_EQ(R("{}"), "(brace)");
  EXPECT_EQ(R("([1] {2})"), "((bracket 1) (brace 2))");
}

TEST_F(ReaderTest, BracketEvaluatesAsUndefinedVariable) {
  // §3.2: `bracket` is not defined by the core.
  EXPECT_EQ(s_.Run("[a b]"), "ERROR: undefined variable: bracket");
}

TEST_F(ReaderTest, ListErrors) {
  // §3.6 and §11.1.
  EXPECT_EQ(R("(a . )"), "ERROR: missing item after .");
  EXPECT_EQ(R("(a . b c)"), "ERROR: extra item after .");
  EXPECT_EQ(R("(a b"), "ERROR: EOF while reading list");
  EXPECT_EQ(R("(a (b)"), "ERROR: EOF while reading list");
  EXPECT_EQ(R("(a]"), "ERROR: mismatched delimiter: expected ')' found ']'");
  EXPECT_EQ(R("[a)"), "ERROR: mismatched delimiter: expected ']' found ')'");
  EXPECT_EQ(R("{a]"), "ERROR: mismatched delimiter: expected '}' found ']'");
  EXPECT_EQ(R("(a . b]"), "ERROR: mismatched delimiter: expected ')' found ']'");
  EXPECT_EQ(R("(a .)"), "ERROR: missing item after .");
  EXPECT_EQ(R("(a . b . c)"), "ERROR: extra item after .");
  EXPECT_EQ(R("(a . b"), "ERROR: EOF while reading list");
  EXPECT_EQ(R("(a . "), "ERROR: EOF while reading list");
}

TEST_F(ReaderTest, UnexpectedClosingDelimiterAtTopLevel) {
  EXPECT_EQ(R(")"), "ERROR: unexpected character 0x29 ')'");
  EXPECT_EQ(R("]"), "ERROR: unexpected character 0x5d ']'");
  EXPECT_EQ(R("}"), "ERROR: unexpected character 0x7d '}'");
  EXPECT_EQ(R("(a) )"), "(a) | ERROR: unexpected character 0x29 ')'");
}

TEST_F(ReaderTest, FormsBeforeAnUnexpectedDelimiterRun) {
  // §3.2: "(after the forms before it ran)".
  EXPECT_EQ(s_.Run("(define x 5) )"), "ERROR: unexpected character 0x29 ')'");
  EXPECT_EQ(s_.Run("x"), "5");
}

TEST_F(ReaderTest, ReaderErrorsReturnErrorOop) {
  // Reader::Read contract (reader.h) and §11: the error is pending in the Vm.
  Oop x = ReadFirst("(a . )");
  EXPECT_EQ(x, kErrorOop);
  ASSERT_TRUE(s_.vm().HasError());
  EXPECT_EQ(s_.vm().error().message, "missing item after .");
  s_.vm().TakeError();
}

// ---- Quote prefixes -------------------------------------------------------------------------

TEST_F(ReaderTest, QuotePrefixes) {
  EXPECT_EQ(R("'x"), "(quote x)");
  EXPECT_EQ(R("`x"), "(quasiquote x)");
  EXPECT_EQ(R(",x"), "(unquote x)");
  EXPECT_EQ(R(",@x"), "(unquote-splicing x)");
  EXPECT_EQ(R(", @x"), "(unquote @x)");  // the @ must follow the comma immediately
  EXPECT_EQ(R("'(1 2)"), "(quote (1 2))");
  EXPECT_EQ(R("''a"), "(quote (quote a))");
  EXPECT_EQ(R("' x"), "(quote x)");
}

TEST_F(ReaderTest, QuotePrefixBeforeCloserOrEofIsTheBareSymbol) {
  EXPECT_EQ(R("(')"), "(quote)");
  EXPECT_EQ(R("(a `)"), "(a quasiquote)");
  EXPECT_EQ(R("[,]"), "(bracket unquote)");
  EXPECT_EQ(R("'"), "quote");
  EXPECT_EQ(R(",@"), "unquote-splicing");
  // §3.2 example, evaluated.
  EXPECT_EQ(s_.Run("(car '('))"), "quote");
}

// ---- §3.1 Source positions ------------------------------------------------------------------

TEST_F(ReaderTest, PairsRecordPathAndLine) {
  Oop list = ReadFirst("\n\n(a b)", "prog.l");
  ASSERT_TRUE(IsPair(list));
  Oop source = SourceOf(list);
  ASSERT_TRUE(IsPair(source));
  ASSERT_TRUE(IsString(Car(source)));
  EXPECT_EQ(StringToUtf8(Car(source)), "prog.l");
  EXPECT_EQ(Cdr(source), MakeFixnum(3));
  // Every pair made by the reader has a position.
  EXPECT_TRUE(IsPair(SourceOf(Cdr(list))));
}

TEST_F(ReaderTest, QuotedFormsAndBracketsHavePositions) {
  Oop q = ReadFirst("\n'x", "p");
  ASSERT_TRUE(IsPair(q));
  ASSERT_TRUE(IsPair(SourceOf(q)));
  EXPECT_EQ(Cdr(SourceOf(q)), MakeFixnum(2));
  Oop b = ReadFirst("\n\n[x]", "p");
  ASSERT_TRUE(IsPair(b));
  ASSERT_TRUE(IsPair(SourceOf(b)));
  EXPECT_EQ(Cdr(SourceOf(b)), MakeFixnum(3));
}

int LineOfFirstList(Session& s, const std::string& text) {
  std::string copy = text;
  FILE* in = fmemopen(copy.data(), copy.size(), "r");
  int line = -1;
  {
    Reader reader(s.vm(), in, "p");
    bool eof = false;
    Oop x = reader.Read(&eof);
    if (IsPair(x) && IsPair(SourceOf(x)) && IsFixnum(Cdr(SourceOf(x)))) {
      line = static_cast<int>(FixnumValue(Cdr(SourceOf(x))));
    }
  }
  s.vm().pushback.erase(in);
  std::fclose(in);
  return line;
}

TEST_F(ReaderTest, LineBreaksLfCrCrLfLfCr) {
  // §3.1: a line break is LF, CR, CR LF or LF CR.
  EXPECT_EQ(LineOfFirstList(s_, "(a)"), 1);
  EXPECT_EQ(LineOfFirstList(s_, "\n(a)"), 2);
  EXPECT_EQ(LineOfFirstList(s_, "\r(a)"), 2);
  EXPECT_EQ(LineOfFirstList(s_, "\r\n(a)"), 2);
  EXPECT_EQ(LineOfFirstList(s_, "\n\r(a)"), 2);
  EXPECT_EQ(LineOfFirstList(s_, "\r\n\r\n(a)"), 3);
  EXPECT_EQ(LineOfFirstList(s_, "\n\n(a)"), 3);
  EXPECT_EQ(LineOfFirstList(s_, "\r\r(a)"), 3);
  EXPECT_EQ(LineOfFirstList(s_, "\n\r\n(a)"), 3);  // LF CR, then LF
  EXPECT_EQ(LineOfFirstList(s_, "; c\r\n; d\n(a)"), 3);
}

// ---- §3.1 UTF-8 -----------------------------------------------------------------------------

TEST_F(ReaderTest, InvalidUtf8IsAnError) {
  EXPECT_EQ(R("\xff"), "ERROR: illegal UTF-8 sequence");
  EXPECT_EQ(R("(a \xff)"), "ERROR: illegal UTF-8 sequence");
  EXPECT_EQ(R("\"a\xc3\""), "ERROR: illegal UTF-8 sequence");   // truncated sequence
  EXPECT_EQ(R("\xc0\xaf"), "ERROR: illegal UTF-8 sequence");     // overlong encoding
  EXPECT_EQ(R("\xed\xa0\x80"), "ERROR: illegal UTF-8 sequence");  // UTF-16 surrogate
  EXPECT_EQ(R("\xf4\x90\x80\x80"), "ERROR: illegal UTF-8 sequence");  // > U+10FFFF
  EXPECT_EQ(R("?\xff"), "ERROR: illegal UTF-8 sequence");
  EXPECT_EQ(R("\x80"), "ERROR: illegal UTF-8 sequence");  // stray continuation byte
}

TEST_F(ReaderTest, InvalidUtf8InsideASymbol) {
  // The bad byte ends the symbol; it must still be reported, not dropped.
  EXPECT_THAT(R("ab\xff"), ::testing::EndsWith("ERROR: illegal UTF-8 sequence"));
  EXPECT_THAT(R("12\xff"), ::testing::EndsWith("ERROR: illegal UTF-8 sequence"));
  EXPECT_THAT(R("(ab\xff)"), ::testing::EndsWith("ERROR: illegal UTF-8 sequence"));
}

// ---- §3.1 Lookahead and pushback ------------------------------------------------------------

TEST_F(ReaderTest, LookaheadAfterAtomIsHandedBack) {
  Oop x = ReadFirst("abc;rest");
  EXPECT_EQ(x, Intern("abc"));
  EXPECT_EQ(NextChar(), ';');
  EXPECT_EQ(NextChar(), 'r');
}

TEST_F(ReaderTest, LookaheadAfterNumberIsHandedBack) {
  Oop x = ReadFirst("12 34");
  EXPECT_EQ(x, MakeFixnum(12));
  EXPECT_EQ(NextChar(), ' ');
  EXPECT_EQ(NextChar(), '3');
}

TEST_F(ReaderTest, InputIsPositionedRightAfterAList) {
  Oop x = ReadFirst("(a)xyz");
  EXPECT_TRUE(IsPair(x));
  EXPECT_EQ(NextChar(), 'x');
  EXPECT_EQ(NextChar(), 'y');
}

TEST_F(ReaderTest, SuccessiveReadsSeeThePushback) {
  text_ = "abc def";
  in_ = fmemopen(text_.data(), text_.size(), "r");
  Reader reader(s_.vm(), in_, "p");
  bool eof = false;
  EXPECT_EQ(reader.Read(&eof), Intern("abc"));
  EXPECT_EQ(reader.Read(&eof), Intern("def"));
  EXPECT_FALSE(eof);
  EXPECT_EQ(reader.Read(&eof), kNil);
  EXPECT_TRUE(eof);
}

TEST_F(ReaderTest, ProgramsReadTheirOwnTrailingText) {
  // §3.1 example.
  EXPECT_EQ(s_.Run("(cons (getc) (getc))xy"), "(120 . 121)");
}

TEST_F(ReaderTest, GetcSeesTheLookaheadOfATopLevelAtom) {
  // A symbol macro expands to (getc): it runs after the atom `m` was read, so the character that
  // ended the atom (pushed back) must be the next one read.
  EXPECT_EQ(s_.Run("(define m (form () (lambda (env s) '(getc))))"), "Form((), Expr=(env s))");
  EXPECT_EQ(s_.Run("m)"), "41");
  EXPECT_EQ(s_.Run("m;"), "59");
}

// ---- §2.1 loading: a first line starting with #! is skipped ------------------------------

TEST_F(ReaderTest, ShebangLineIsSkippedWhenLoading) {
  // [project rule] §2.1.
  ASSERT_TRUE(LoadText(s_.vm(), "#!/usr/bin/env maru\n(define shebang-ok 1)\n", "s.l"));
  EXPECT_EQ(s_.Run("shebang-ok"), "1");
  // Only on the first line.
  EXPECT_FALSE(LoadText(s_.vm(), "(define x 1)\n#!/bin/sh\n", "s2.l"));
  s_.vm().TakeError();
}

// ---- Deep nesting ---------------------------------------------------------------------------

TEST_F(ReaderTest, DeeplyNestedInputIsAStackOverflowError) {
  // §11.2: recursion deeper than the runtime supports, including reading, is `stack overflow`.
  std::string deep(2000000, '(');
  EXPECT_EQ(R(deep), "ERROR: stack overflow");
  // The Vm stays usable.
  EXPECT_EQ(R("(a)"), "(a)");
}

TEST_F(ReaderTest, LongFlatListsAreFine) {
  std::string text = "(";
  for (int i = 0; i < 200000; ++i) text += "1 ";
  text += ")";
  Oop x = ReadFirst(text);
  ASSERT_TRUE(IsPair(x));
  EXPECT_EQ(ListLength(x), 200000);
}

}  // namespace
}  // namespace maru
