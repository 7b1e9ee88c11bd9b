// Unit tests of the core printer (spec §9, doubles per §8).
#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/heap.h"
#include "runtime/printer.h"
#include "runtime/strings.h"
#include "runtime/vm.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::StartsWith;

class PrinterTest : public ::testing::Test {
 protected:
  // Evaluates `text` and returns its value dumped (dump mode) ...
  std::string D(std::string_view text) { return s_.Run(text); }
  // ... or printed (print mode).
  std::string P(std::string_view text) { return s_.RunPrint(text); }
  Session s_;
};

TEST_F(PrinterTest, NilAndGlobals) {
  EXPECT_EQ(D("()"), "()");
  EXPECT_EQ(P("()"), "()");
  EXPECT_EQ(D("*globals*"), "<globals>");
  EXPECT_EQ(P("*globals*"), "<globals>");
}

TEST_F(PrinterTest, Longs) {
  EXPECT_EQ(D("0"), "0");
  EXPECT_EQ(D("42"), "42");
  EXPECT_EQ(D("-42"), "-42");
  EXPECT_EQ(D("4611686018427387904"), "4611686018427387904");  // boxed (§8)
  EXPECT_EQ(D("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(s_.Dump(NewLong(INT64_MAX)), "9223372036854775807");
  EXPECT_EQ(s_.Dump(NewLong(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(s_.Dump(MakeFixnum(kFixnumMin)), "-4611686018427387904");
}

TEST_F(PrinterTest, DoublesUsePercentF) {
  // §8 Printing.
  EXPECT_EQ(D("1.0"), "1.000000");
  EXPECT_EQ(D("2.5e-2"), "0.025000");
  EXPECT_EQ(D("1e20"), "100000000000000000000.000000");
  EXPECT_EQ(D("1e23"), "99999999999999991611392.000000");
  EXPECT_EQ(D("-0.0"), "-0.000000");
  EXPECT_EQ(D("0.0000001"), "0.000000");
  EXPECT_EQ(D("(/ 1.0 0)"), "inf");
  EXPECT_EQ(D("(/ -1.0 0)"), "-inf");
#if defined(__x86_64__)
  EXPECT_EQ(D("(/ 0.0 0)"), "-nan");    // x86-64 default NaN has the sign bit set
  EXPECT_EQ(D("(- (/ 0.0 0))"), "nan");  // negation clears it
#else
  EXPECT_EQ(D("(/ 0.0 0)"), "nan");      // AArch64's default NaN has it clear
  EXPECT_EQ(D("(- (/ 0.0 0))"), "-nan");  // negation sets it
#endif
  EXPECT_EQ(P("1.5"), "1.500000");
}

TEST_F(PrinterTest, FormatDoubleMatchesPrintf) {
  EXPECT_EQ(FormatDouble(1.0), "1.000000");
  EXPECT_EQ(FormatDouble(1e23), "99999999999999991611392.000000");
  EXPECT_EQ(FormatDouble(-0.0), "-0.000000");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FormatDouble(std::copysign(std::nan(""), 1.0)), "nan");
  EXPECT_EQ(FormatDouble(std::copysign(std::nan(""), -1.0)), "-nan");
  // The full text for any magnitude (§11.3): 1e300 has 301 integer digits.
  std::string big = FormatDouble(1e300);
  EXPECT_EQ(big.size(), 301u + 7u);
  EXPECT_THAT(big, StartsWith("1000000000000000052504760255204420248704"));
  std::string max = FormatDouble(std::numeric_limits<double>::max());
  EXPECT_EQ(max.size(), 309u + 7u);
}

TEST_F(PrinterTest, StringsPrintRawAndDumpInReadBackForm) {
  EXPECT_EQ(P("\"abc\""), "abc");
  EXPECT_EQ(D("\"abc\""), "\"abc\"");
  EXPECT_EQ(D("\"\""), "\"\"");
  // §9: `"` and `\` are preceded by `\`.
  EXPECT_EQ(D(R"("q\"b\\")"), R"("q\"b\\")");
  EXPECT_EQ(P(R"("q\"b\\")"), R"(q"b\)");
}

TEST_F(PrinterTest, ControlCharactersDumpAsThreeOctalDigits) {
  EXPECT_EQ(D(R"("a\tb")"), R"("a\011b")");  // §9 example
  EXPECT_EQ(D(R"("\n\r\001\037")"), R"("\012\015\001\037")");
  EXPECT_EQ(P(R"("a\tb")"), "a\tb");
  // 32 and above are written as they are, DEL (127) included.
  EXPECT_EQ(D(R"(" ~\177")"), "\" ~\x7f\"");
}

TEST_F(PrinterTest, NonAsciiCharactersAreUtf8InBothModes) {
  // §9 [project rule]: characters >= 127 are written UTF-8-encoded.
  EXPECT_EQ(D("\"h\xC3\xA9llo\""), "\"h\xC3\xA9llo\"");
  EXPECT_EQ(P("\"h\xC3\xA9llo\""), "h\xC3\xA9llo");
  EXPECT_EQ(D(R"("\u00e9\u03bb")"), "\"\xC3\xA9\xCE\xBB\"");
  EXPECT_EQ(D("\"\xF0\x9F\x98\x80\""), "\"\xF0\x9F\x98\x80\"");
  EXPECT_EQ(D("(string->symbol \"\xC3\xA9t\xC3\xA9\")"), "\xC3\xA9t\xC3\xA9");
}

TEST_F(PrinterTest, StringsStopAtTheFirstCodeZero) {
  // §9: "its characters up to the first code 0" (print), likewise inside the quotes (dump).
  const char* make = "(define s (string 4)) (set-string-at s 0 97) (set-string-at s 2 98) s";
  EXPECT_EQ(P(make), "a");
  EXPECT_EQ(D("s"), "\"a\"");
}

TEST_F(PrinterTest, SymbolsAreNeverEscaped) {
  EXPECT_EQ(D("'foo"), "foo");
  EXPECT_EQ(D("(string->symbol \"a b\\\"c\")"), "a b\"c");
  EXPECT_EQ(P("(string->symbol \"a b\\\"c\")"), "a b\"c");
}

TEST_F(PrinterTest, Pairs) {
  EXPECT_EQ(D("'(a b c)"), "(a b c)");
  EXPECT_EQ(D("'(a b . c)"), "(a b . c)");
  EXPECT_EQ(D("'(a . (b . (c . ())))"), "(a b c)");
  EXPECT_EQ(D("'((a) (()) ())"), "((a) (()) ())");
  // Elements use the same mode.
  EXPECT_EQ(D("'(\"s\" x . \"t\")"), "(\"s\" x . \"t\")");
  EXPECT_EQ(P("'(\"s\" x . \"t\")"), "(s x . t)");
  EXPECT_EQ(P("(cons 1 (cons 2.5 (cons \"s\" (cons 'x ()))))"), "(1 2.500000 s x)");
}

TEST_F(PrinterTest, EncodedListsSkipEnvElements) {
  // §9 example.
  EXPECT_EQ(D("(encode '(lambda (x) x) *globals*)"), "(Fixed<lambda> (x) x)");
}

TEST_F(PrinterTest, Arrays) {
  EXPECT_EQ(D("(array 3)"), "Array<3>(() () ())");
  EXPECT_EQ(D("(array)"), "Array<0>()");
  const char* make = "(define a (array 2)) (set-array-at a 0 \"s\") (set-array-at a 1 'x) a";
  EXPECT_EQ(D(make), "Array<2>(\"s\" x)");
  EXPECT_EQ(P("a"), "Array<2>(s x)");
}

TEST_F(PrinterTest, Exprs) {
  EXPECT_EQ(D("(lambda (x) x)"), "Expr=(x)");
  EXPECT_EQ(D("(lambda () 1)"), "Expr=()");
  EXPECT_EQ(D("(lambda args args)"), "Expr=args");
  EXPECT_EQ(D("(lambda (a . b) a)"), "Expr=(a . b)");
  EXPECT_EQ(D("(define f (lambda (a . b) a))"), "Expr.f=(a . b)");
  EXPECT_EQ(D("f"), "Expr.f=(a . b)");
}

TEST_F(PrinterTest, Forms) {
  EXPECT_EQ(D("(form car)"), "Form(car, ())");
  EXPECT_EQ(D("(form () car)"), "Form((), car)");
  EXPECT_EQ(D("(form (lambda (e) e) (lambda (e s) s))"), "Form(Expr=(e), Expr=(e s))");
}

TEST_F(PrinterTest, FixedsAndSubrs) {
  EXPECT_EQ(D("if"), "Fixed<if>");
  EXPECT_EQ(D("(cons quote (cons and (cons or (cons while (cons lambda (cons let "
              "(cons define (cons set ()))))))))"),
            "(Fixed<quote> Fixed<and> Fixed<or> Fixed<while> Fixed<lambda> Fixed<let> "
            "Fixed<define> Fixed<set>)");
  EXPECT_EQ(D("car"), "car");
  EXPECT_EQ(D("+"), "+");
  EXPECT_EQ(P("set-oop-at"), "set-oop-at");
}

TEST_F(PrinterTest, VariablesPrintAsTheirName) {
  EXPECT_EQ(D("(defined? 'car)"), "car");
  EXPECT_EQ(D("(define v 1) (defined? 'v)"), "v");
}

TEST_F(PrinterTest, Envs) {
  // §9: `Env`, then `*` if it has no parent, then `=` if `stable` is nil, then <level+offset:>.
  const char* make =
      "(define e (allocate 14 5)) (set-oop-at e 0 *globals*) (set-oop-at e 1 0) "
      "(set-oop-at e 2 7) (set-oop-at e 3 (array)) e";
  EXPECT_EQ(D(make), "Env=<0+7:>");
  EXPECT_EQ(D("(set-oop-at e 4 't) e"), "Env<0+7:>");
  EXPECT_EQ(D("(set-oop-at e 0 ()) e"), "Env*<0+7:>");
  EXPECT_EQ(D("(set-oop-at e 4 ()) (set-oop-at e 1 2) (set-oop-at e 2 11) e"), "Env*=<2+11:>");
}

TEST_F(PrinterTest, TheGlobalEnvIsGlobalsOnlyWhileItIsCurrent) {
  // §9: only the *current* value of *globals* prints as <globals>; the core's global Env has no
  // parent and is not stable.
  const char* text =
      "(define g *globals*) (define e (allocate 14 5)) (set-oop-at e 0 g) (set-oop-at e 1 0) "
      "(set-oop-at e 2 0) (set-oop-at e 3 (array)) (set *globals* e)";
  ASSERT_EQ(D(text), "<globals>");
  EXPECT_THAT(D("g"), ::testing::MatchesRegex("Env\\*=<0\\+[0-9]+:>"));
  EXPECT_EQ(D("e"), "<globals>");
}

TEST_F(PrinterTest, Contexts) {
  // §9: `Context<` + its Env + `=` + its bindings Array + `>`.
  const char* make =
      "(define e (allocate 14 5)) (set-oop-at e 0 *globals*) (set-oop-at e 1 2) "
      "(set-oop-at e 2 1) (define c (allocate 15 5)) (set-oop-at c 1 e) "
      "(set-oop-at c 2 (array 1)) (set-array-at (oop-at c 2) 0 \"v\") c";
  EXPECT_EQ(D(make), "Context<Env=<2+1:>=Array<1>(\"v\")>");
  EXPECT_EQ(P("c"), "Context<Env=<2+1:>=Array<1>(v)>");
}

TEST_F(PrinterTest, Data) {
  EXPECT_EQ(D("(data 10)"), "<data[16]>");
  EXPECT_EQ(D("(data 0)"), "<data[0]>");
  EXPECT_EQ(D("(data 8)"), "<data[8]>");
}

TEST_F(PrinterTest, TypeZeroObjectsAreUndefined) {
  EXPECT_EQ(D("(allocate 0 2)"), "UNDEFINED");
}

TEST_F(PrinterTest, OtherTypesNeedTypeNames) {
  // §9: without %type-names, printing a type id >= 16 (or <_array>) is an error.
  EXPECT_EQ(D("(allocate 20 1)"), "PRINT ERROR: undefined variable: %type-names");
  EXPECT_EQ(D("(oop-at (array 3) 1)"), "PRINT ERROR: undefined variable: %type-names");
  // The Vm stays usable and has no pending error afterwards.
  EXPECT_FALSE(s_.vm().HasError());
  EXPECT_EQ(D("(define %type-names (array 21)) (set-array-at %type-names 20 '<point>) "
              "(allocate 20 1)"),
            "\x1b[34m<point>\x1b[m");
  EXPECT_EQ(D("(allocate 19 1)"), "<type=19>");          // element is not a Symbol
  EXPECT_EQ(D("(allocate 30 1)"), "<type=30>");          // beyond the Array
  EXPECT_EQ(D("(set %type-names 5) (allocate 20 1)"), "<type=20>");  // not an Array
}

TEST_F(PrinterTest, PreludeTypeNames) {
  Session s(/*prelude=*/true);
  EXPECT_EQ(s.Run("(oop-at (array 3) 1)"), "\x1b[34m<_array>\x1b[m");
  EXPECT_EQ(s.Run("(define-structure <point> (x y))"), "18");  // §12
  EXPECT_EQ(s.Run("(new <point> 1 2)"), "\x1b[34m<point>\x1b[m");
  EXPECT_EQ(s.Run("define-form"), "Form(Expr.define-form=(env name args . body), ())");  // §12
}

TEST_F(PrinterTest, PrintAndDumpPrimitivesWriteToOutput) {
  // §7.7: print writes Strings and Symbols raw; dump in read-back form; both return nil.
  EXPECT_EQ(D("(print \"a\\tb\" 'c 1 2.5 '(\"x\"))"), "()");
  EXPECT_EQ(s_.TakeOutput(), "a\tbc12.500000(x)");
  EXPECT_EQ(D("(dump \"a\\tb\" 'c '(\"x\"))"), "()");
  EXPECT_EQ(s_.TakeOutput(), "\"a\\011b\"c(\"x\")");
}

// ---- Deep nesting (§11.2) -------------------------------------------------------------------

TEST_F(PrinterTest, DeeplyNestedDataIsAStackOverflowError) {
  // 300,000 nested car positions; with an 8 MiB stack this cannot be printed recursively.
  Oop x = kNil;
  for (int i = 0; i < 300000; ++i) x = NewPair(x, kNil);
  std::string out;
  EXPECT_FALSE(PrintTo(s_.vm(), x, true, &out));
  ASSERT_TRUE(s_.vm().HasError());
  EXPECT_EQ(s_.vm().TakeError().message, "stack overflow");
  // The same through Maru code.
  EXPECT_EQ(D("(define deep ()) (define i 0) "
              "(while (< i 100000) (set deep (cons deep ())) (set i (+ i 1))) deep"),
            "PRINT ERROR: stack overflow");
  EXPECT_EQ(D("(+ 1 2)"), "3");
}

TEST_F(PrinterTest, DeeplyNestedArraysAreAStackOverflowError) {
  EXPECT_EQ(D("(define deep (array 1)) (define i 0) "
              "(while (< i 100000) (set deep (let ((a (array 1))) (set-array-at a 0 deep) a)) "
              "(set i (+ i 1))) deep"),
            "PRINT ERROR: stack overflow");
}

TEST_F(PrinterTest, DumpForMessageNeverFails) {
  Oop x = kNil;
  for (int i = 0; i < 300000; ++i) x = NewPair(x, kNil);
  std::string s = DumpForMessage(s_.vm(), x, 100);
  EXPECT_FALSE(s_.vm().HasError());
  EXPECT_LE(s.size(), 1000u);
}

TEST_F(PrinterTest, LongFlatListsPrint) {
  Oop x = kNil;
  for (int i = 0; i < 300000; ++i) x = NewPair(MakeFixnum(1), x);
  std::string out;
  ASSERT_TRUE(PrintTo(s_.vm(), x, true, &out));
  EXPECT_EQ(out.size(), 2u + 300000u * 2u - 1u);
}

}  // namespace
}  // namespace maru
