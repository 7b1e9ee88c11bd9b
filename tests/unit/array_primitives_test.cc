// Unit tests of the array primitives (spec §7.6, §11.3).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::StartsWith;

using ArrayPrimitivesTest = ::maru::test::SessionTest;

TEST_F(ArrayPrimitivesTest, ArrayMakesNils) {
  EXPECT_EQ(R("(array 2)"), "Array<2>(() ())");  // §12
  EXPECT_EQ(R("(array)"), "Array<0>()");
  EXPECT_EQ(R("(array \"a\")"), "Array<0>()");  // §7.6: not a list constructor
  EXPECT_EQ(R("(array 0)"), "Array<0>()");
  EXPECT_EQ(R("(type-of (array 1))"), "8");
  EXPECT_EQ(R("(array -5)"), "ERROR: array: negative size: -5");  // §11.3
}

TEST_F(ArrayPrimitivesTest, ArrayLength) {
  EXPECT_EQ(R("(array-length (array 3))"), "3");  // §12
  EXPECT_EQ(R("(array-length (array))"), "0");
  EXPECT_THAT(R("(array-length 5)"), StartsWith("ERROR: array-length: non-"));
  EXPECT_THAT(R("(array-length '(1 2))"), StartsWith("ERROR: array-length: non-"));
  EXPECT_EQ(R("(array-length)"), "ERROR: wrong number of arguments (0) in: array-length");
}

TEST_F(ArrayPrimitivesTest, ArrayAt) {
  EXPECT_EQ(R("(define a (array 3)) (set-array-at a 0 'x) (set-array-at a 2 \"z\") (array-at a 0)"),
            "x");
  EXPECT_EQ(R("(array-at a 2)"), "\"z\"");
  EXPECT_EQ(R("(array-at a 1)"), "()");
  EXPECT_EQ(R("(array-at (array 1) 5)"), "()");  // §12
  EXPECT_EQ(R("(array-at a 3)"), "()");
  EXPECT_EQ(R("(array-at a -1)"), "()");
  EXPECT_EQ(R("(array-at a 'i)"), "()");
  EXPECT_EQ(R("(array-at 5 0)"), "()");
  EXPECT_EQ(R("(array-at '(1 2) 0)"), "()");
  EXPECT_EQ(R("(array-at a)"), "ERROR: wrong number of arguments (1) in: array-at");
}

TEST_F(ArrayPrimitivesTest, SetArrayAtReturnsTheValue) {
  EXPECT_EQ(R("(set-array-at (array 2) 1 'v)"), "v");
  EXPECT_EQ(R("(set-array-at (array 2) 0 \"s\")"), "\"s\"");
}

TEST_F(ArrayPrimitivesTest, SetArrayAtGrows) {
  // §12 and §7.6: the array grows to length i+1, new elements nil.
  EXPECT_EQ(R("(let ((a (array))) (set-array-at a 3 'x) a)"), "Array<4>(() () () x)");
  EXPECT_EQ(R("(define a (array 2)) (set-array-at a 0 1) (set-array-at a 1 2) "
              "(set-array-at a 4 5) a"),
            "Array<5>(1 2 () () 5)");
  EXPECT_EQ(R("(array-length a)"), "5");
  // Growing many times keeps the elements.
  EXPECT_EQ(R("(define b (array)) (define i 0) (while (< i 1000) (set-array-at b i i) "
              "(set i (+ i 1))) (cons (array-length b) (cons (array-at b 0) "
              "(cons (array-at b 999) ())))"),
            "(1000 0 999)");
}

TEST_F(ArrayPrimitivesTest, SetArrayAtIgnoresBadIndexOrTarget) {
  EXPECT_EQ(R("(define a (array 1)) (set-array-at a 'i 5)"), "()");
  EXPECT_EQ(R("a"), "Array<1>(())");
  EXPECT_EQ(R("(set-array-at '(1) 0 5)"), "()");
  EXPECT_EQ(R("(set-array-at 5 0 5)"), "()");
}

TEST_F(ArrayPrimitivesTest, SetArrayAtNegativeIndexIsAnError) {
  EXPECT_EQ(R("(set-array-at (array 2) -1 5)"), "ERROR: set-array-at: index out of range: -1");
}

TEST_F(ArrayPrimitivesTest, SetArrayAtArity) {
  EXPECT_EQ(R("(set-array-at (array 2) 0)"),
            "ERROR: wrong number of arguments (2) in: set-array-at");
}

TEST_F(ArrayPrimitivesTest, ArrayPredicate) {
  EXPECT_EQ(R("(array? (array))"), "t");
  EXPECT_EQ(R("(array? '(1))"), "()");
  EXPECT_EQ(R("(array? \"s\")"), "()");
  EXPECT_EQ(R("(array?)"), "()");                   // §7.3: not arity-checked
  EXPECT_EQ(R("(array? (array) 1 2)"), "t");
}

class ArrayCompareTest : public ArrayPrimitivesTest {
 protected:
  void SetUp() override {
    // A = [1 2 3], B = [1 2 4], C = [5 1 2], D = [1 2]
    ASSERT_EQ(R("(define mk (lambda (a b c n) (let ((r (array n))) (set-array-at r 0 a) "
                "(if (> n 1) (set-array-at r 1 b)) (if (> n 2) (set-array-at r 2 c)) r))) "
                "(define A (mk 1 2 3 3)) (define B (mk 1 2 4 3)) (define C (mk 5 1 2 3)) "
                "(define D (mk 1 2 () 2)) (define E (mk 1 2 3 3)) D"),
              "Array<2>(1 2)");
  }
};

TEST_F(ArrayCompareTest, EqualArraysGiveZero) {
  EXPECT_EQ(R("(array-compare A E)"), "0");
  EXPECT_EQ(R("(array-compare A A)"), "0");
}

TEST_F(ArrayCompareTest, DifferenceOfRawWords) {
  // §7.6: for fixnums the difference is 2*(x-y).
  EXPECT_EQ(R("(array-compare A B)"), "-2");
  EXPECT_EQ(R("(array-compare B A)"), "2");
  EXPECT_EQ(R("(array-compare C D 0 1)"), "8");  // 5 vs 1
}

TEST_F(ArrayCompareTest, OffsetIntoA) {
  EXPECT_EQ(R("(array-compare C D 1)"), "0");   // [1 2] vs [1 2]
  EXPECT_EQ(R("(array-compare C D -2)"), "0");  // negative off counts from the end
  EXPECT_EQ(R("(array-compare C D 1 1)"), "0");
  EXPECT_EQ(R("(array-compare C D 2 0)"), "0");
}

TEST_F(ArrayCompareTest, OutOfRangeGivesMinusOne) {
  EXPECT_EQ(R("(array-compare A B 4)"), "-1");     // off out of range
  EXPECT_EQ(R("(array-compare A B -4)"), "-1");
  EXPECT_EQ(R("(array-compare A B 0 -1)"), "-1");  // len < 0
  EXPECT_EQ(R("(array-compare C D 0 3)"), "-1");   // len > length of b
  EXPECT_EQ(R("(array-compare A B 0 3)"), "-1");   // off+len >= length of a
  EXPECT_EQ(R("(array-compare A B 1 2)"), "-1");
  // §11.3: a range extending beyond b gives -1 instead of reading past b.
  EXPECT_EQ(R("(array-compare A D)"), "-1");
}

TEST_F(ArrayCompareTest, Errors) {
  EXPECT_THAT(R("(array-compare A 5)"), StartsWith("ERROR: array-compare: non-"));
  EXPECT_THAT(R("(array-compare '(1) A)"), StartsWith("ERROR: array-compare: non-"));
  EXPECT_THAT(R("(array-compare A B 'x)"), StartsWith("ERROR: array-compare: non-"));
  EXPECT_THAT(R("(array-compare A B 0 'y)"), StartsWith("ERROR: array-compare: non-"));
}

}  // namespace
}  // namespace maru
