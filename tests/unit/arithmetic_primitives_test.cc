// Unit tests of the arithmetic, bitwise and comparison primitives (spec §7.1: argument counts and
// type errors) and of the numeric conversions and functions (§7.5, §11.3).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::StartsWith;

using ArithmeticPrimitivesTest = ::maru::test::SessionTest;

// ---- §7.1 arity -----------------------------------------------------------------------------

TEST_F(ArithmeticPrimitivesTest, BinaryOperatorsTakeExactlyTwoArguments) {
  EXPECT_EQ(R("(+ 1 2 3)"), "ERROR: wrong number of arguments (3) in: +");  // §11.1
  EXPECT_EQ(R("(+ 1)"), "ERROR: wrong number of arguments (1) in: +");
  EXPECT_EQ(R("(*)"), "ERROR: wrong number of arguments (0) in: *");
  EXPECT_EQ(R("(/ 1)"), "ERROR: wrong number of arguments (1) in: /");
  EXPECT_EQ(R("(% 1 2 3)"), "ERROR: wrong number of arguments (3) in: %");
  EXPECT_EQ(R("(& 1)"), "ERROR: wrong number of arguments (1) in: &");
  EXPECT_EQ(R("(| 1 2 3)"), "ERROR: wrong number of arguments (3) in: |");
  EXPECT_EQ(R("(^)"), "ERROR: wrong number of arguments (0) in: ^");
  EXPECT_EQ(R("(<< 1)"), "ERROR: wrong number of arguments (1) in: <<");
  EXPECT_EQ(R("(>> 1 2 3)"), "ERROR: wrong number of arguments (3) in: >>");
  EXPECT_EQ(R("(< 1)"), "ERROR: wrong number of arguments (1) in: <");
  EXPECT_EQ(R("(<= 1 2 3)"), "ERROR: wrong number of arguments (3) in: <=");
  EXPECT_EQ(R("(>=)"), "ERROR: wrong number of arguments (0) in: >=");
  EXPECT_EQ(R("(> 1)"), "ERROR: wrong number of arguments (1) in: >");
}

TEST_F(ArithmeticPrimitivesTest, MinusTakesOneOrTwo) {
  EXPECT_EQ(R("(- 5)"), "-5");
  EXPECT_EQ(R("(- 5 3)"), "2");
  EXPECT_EQ(R("(-)"), "ERROR: wrong number of arguments (0) in: -");
  EXPECT_EQ(R("(- 1 2 3)"), "ERROR: wrong number of arguments (3) in: -");
}

TEST_F(ArithmeticPrimitivesTest, ComplementTakesOne) {
  EXPECT_EQ(R("(~ 0)"), "-1");
  EXPECT_EQ(R("(~ 1 2)"), "ERROR: wrong number of arguments (2) in: ~");
  EXPECT_EQ(R("(~)"), "ERROR: wrong number of arguments (0) in: ~");
}

TEST_F(ArithmeticPrimitivesTest, ArgumentsAreCountedAfterEvaluation) {
  EXPECT_EQ(R("(+ (+ 1 2) (* 2 3))"), "9");
}

// ---- §7.1 type errors -----------------------------------------------------------------------

TEST_F(ArithmeticPrimitivesTest, NonNumericArguments) {
  EXPECT_EQ(R("(+ 1 \"a\")"), "ERROR: +: non-numeric argument: \"a\"");  // §11.1
  EXPECT_EQ(R("(+ \"a\" 1)"), "ERROR: +: non-numeric argument: \"a\"");
  EXPECT_EQ(R("(- 'x)"), "ERROR: -: non-numeric argument: x");
  EXPECT_EQ(R("(- 1 'x)"), "ERROR: -: non-numeric argument: x");
  EXPECT_EQ(R("(* () 2)"), "ERROR: *: non-numeric argument: ()");
  EXPECT_EQ(R("(/ 1 '(1 2))"), "ERROR: /: non-numeric argument: (1 2)");
  EXPECT_EQ(R("(% 1 \"a\")"), "ERROR: %: non-numeric argument: \"a\"");
  EXPECT_EQ(R("(> 'a 1)"), "ERROR: >: non-numeric argument: a");
  EXPECT_EQ(R("(<= 1 (array 1))"), "ERROR: <=: non-numeric argument: Array<1>(())");
}

TEST_F(ArithmeticPrimitivesTest, BitwiseOperatorsRejectNonLongs) {
  // §7.1: Doubles are rejected (`&: non-integer argument`).
  EXPECT_THAT(R("(& 1.5 1)"), StartsWith("ERROR: &: non-integer argument: 1.5"));
  EXPECT_THAT(R("(| 1 2.0)"), StartsWith("ERROR: |: non-integer argument: 2.0"));
  EXPECT_EQ(R("(^ 'a 1)"), "ERROR: ^: non-integer argument: a");
  EXPECT_EQ(R("(~ \"a\")"), "ERROR: ~: non-integer argument: \"a\"");
  EXPECT_THAT(R("(~ 1.5)"), StartsWith("ERROR: ~: non-integer argument: 1.5"));
  EXPECT_EQ(R("(<< 1 'b)"), "ERROR: <<: non-integer argument: b");
  EXPECT_EQ(R("(>> () 1)"), "ERROR: >>: non-integer argument: ()");
  EXPECT_THAT(R("(<< 1.0 1)"), StartsWith("ERROR: <<: non-integer argument: 1.0"));
}

TEST_F(ArithmeticPrimitivesTest, PrimitivesAreFirstClass) {
  // §7: primitives are Subrs bound to globals.
  EXPECT_EQ(R("(type-of +)"), "12");
  EXPECT_EQ(R("((lambda (f) (f 3 4)) *)"), "12");
}

// ---- §7.5 conversions -----------------------------------------------------------------------

TEST_F(ArithmeticPrimitivesTest, LongToDouble) {
  EXPECT_EQ(R("(long->double 3)"), "3.000000");  // §12
  EXPECT_EQ(R("(long->double -9223372036854775808)"), "-9223372036854775808.000000");
  EXPECT_EQ(R("(long->double 2.5)"), "2.500000");  // already a Double: unchanged
  EXPECT_EQ(R("(long->double \"a\")"), "()");
  EXPECT_EQ(R("(long->double)"), "()");
}

TEST_F(ArithmeticPrimitivesTest, DoubleToLong) {
  EXPECT_EQ(R("(double->long -3.7)"), "-3");  // §12
  EXPECT_EQ(R("(double->long 3.9)"), "3");
  EXPECT_EQ(R("(double->long 4611686018427387904.0)"), "4611686018427387904");
  EXPECT_EQ(R("(double->long 9.2e18)"), "9200000000000000000");
  EXPECT_EQ(R("(double->long -9.2e18)"), "-9200000000000000000");
  EXPECT_EQ(R("(double->long 9223372036854775807.0)"), "-9223372036854775808");  // 2^63
  EXPECT_EQ(R("(double->long 5)"), "5");
  EXPECT_EQ(R("(double->long 'x)"), "()");
  // §7.5 / §11.3: NaN and out-of-range values give -9223372036854775808.
  EXPECT_EQ(R("(double->long (/ 0.0 0))"), "-9223372036854775808");
  EXPECT_EQ(R("(double->long 1e30)"), "-9223372036854775808");
  EXPECT_EQ(R("(double->long -1e30)"), "-9223372036854775808");
  EXPECT_EQ(R("(double->long (/ 1.0 0))"), "-9223372036854775808");
}

TEST_F(ArithmeticPrimitivesTest, LongToString) {
  EXPECT_EQ(R("(long->string -42)"), "\"-42\"");  // §12
  EXPECT_EQ(R("(long->string 0)"), "\"0\"");
  EXPECT_EQ(R("(long->string 9223372036854775807)"), "\"9223372036854775807\"");
  EXPECT_EQ(R("(long->string \"abc\")"), "\"abc\"");
  EXPECT_EQ(R("(long->string 1.5)"), "()");
}

TEST_F(ArithmeticPrimitivesTest, DoubleToString) {
  EXPECT_EQ(R("(double->string 1.5)"), "\"1.500000\"");  // §12
  EXPECT_EQ(R("(double->string -0.0)"), "\"-0.000000\"");
  EXPECT_EQ(R("(double->string 1e23)"), "\"99999999999999991611392.000000\"");
  // §11.3: the full %f text for values needing more than 31 characters.
  EXPECT_EQ(R("(string-length (double->string 1e300))"), "308");
  EXPECT_EQ(R("(double->string \"s\")"), "\"s\"");
  EXPECT_EQ(R("(double->string 5)"), "()");
}

TEST_F(ArithmeticPrimitivesTest, StringToLong) {
  // §7.5 examples (C strtol, base 0).
  EXPECT_EQ(R("(string->long \"0x10\")"), "16");
  EXPECT_EQ(R("(string->long \"-077\")"), "-63");
  EXPECT_EQ(R("(string->long \"12abc\")"), "12");
  EXPECT_EQ(R("(string->long \"abc\")"), "0");
  EXPECT_EQ(R("(string->long \"  42\")"), "42");
  EXPECT_EQ(R("(string->long \"+5\")"), "5");
  EXPECT_EQ(R("(string->long \"\")"), "0");
  EXPECT_EQ(R("(string->long \"99999999999999999999\")"), "9223372036854775807");
  EXPECT_EQ(R("(string->long \"-99999999999999999999\")"), "-9223372036854775808");
  EXPECT_EQ(R("(string->long \"4611686018427387904\")"), "4611686018427387904");
  EXPECT_EQ(R("(string->long \"-0x10\")"), "-16");
  EXPECT_EQ(R("(string->long \"08\")"), "0");
  EXPECT_EQ(R("(string->long \"0x\")"), "0");
  EXPECT_EQ(R("(string->long 5)"), "5");
  EXPECT_EQ(R("(string->long 'a)"), "()");
}

TEST_F(ArithmeticPrimitivesTest, StringToDouble) {
  EXPECT_EQ(R("(string->double \"2.5e1\")"), "25.000000");  // §7.5
  EXPECT_EQ(R("(string->double \"1e+2\")"), "100.000000");
  EXPECT_EQ(R("(string->double \"inf\")"), "inf");
  EXPECT_EQ(R("(string->double \"-inf\")"), "-inf");
  EXPECT_EQ(R("(string->double \"nan\")"), "nan");
  EXPECT_EQ(R("(string->double \"0x1p4\")"), "16.000000");
  EXPECT_EQ(R("(string->double \"abc\")"), "0.000000");
  EXPECT_EQ(R("(string->double \" 1.5xyz\")"), "1.500000");
  EXPECT_EQ(R("(string->double 2.5)"), "2.500000");
  EXPECT_EQ(R("(string->double 5)"), "()");
}

// ---- §7.5 sin cos log -----------------------------------------------------------------------

TEST_F(ArithmeticPrimitivesTest, Transcendentals) {
  EXPECT_EQ(R("(sin 0)"), "0.000000");  // §12: Longs accepted
  EXPECT_EQ(R("(cos 0)"), "1.000000");
  EXPECT_EQ(R("(log 1)"), "0.000000");
  EXPECT_EQ(R("(log 0)"), "-inf");  // §7.5
  EXPECT_EQ(R("(sin 0.0)"), "0.000000");
  EXPECT_EQ(R("(cos 3.141592653589793)"), "-1.000000");
  EXPECT_EQ(R("(log 2.718281828459045)"), "1.000000");
  EXPECT_EQ(R("(type-of (sin 1))"), "3");
}

TEST_F(ArithmeticPrimitivesTest, TranscendentalsRejectNonNumbers) {
  EXPECT_EQ(R("(sin 'a)"), "ERROR: sin: non-numeric argument: a");  // §7.5
  EXPECT_EQ(R("(cos \"a\")"), "ERROR: cos: non-numeric argument: \"a\"");
  EXPECT_EQ(R("(log '(1))"), "ERROR: log: non-numeric argument: (1)");
  // §11.3: with no argument, an arity or type error (not a crash).
  EXPECT_THAT(R("(sin)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(cos)"), StartsWith("ERROR: "));
  EXPECT_THAT(R("(log)"), StartsWith("ERROR: "));
}

}  // namespace
}  // namespace maru
