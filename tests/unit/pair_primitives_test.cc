// Unit tests of the predicates and pair primitives (spec §7.3) and of `not`/`type-of` (§7.2).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;

using PairPrimitivesTest = ::maru::test::SessionTest;

TEST_F(PairPrimitivesTest, Predicates) {
  EXPECT_EQ(R("(pair? '(1))"), "t");
  EXPECT_EQ(R("(pair? ())"), "()");
  EXPECT_EQ(R("(pair? (array))"), "()");
  EXPECT_EQ(R("(symbol? 'a)"), "t");
  EXPECT_EQ(R("(symbol? \"a\")"), "()");
  EXPECT_EQ(R("(symbol? ())"), "()");
  EXPECT_EQ(R("(string? \"a\")"), "t");
  EXPECT_EQ(R("(string? 'a)"), "()");
  EXPECT_EQ(R("(form? (form ()))"), "t");
  EXPECT_EQ(R("(form? car)"), "()");
  EXPECT_EQ(R("(fixed? if)"), "t");
  EXPECT_EQ(R("(fixed? car)"), "()");
  EXPECT_EQ(R("(fixed? (lambda () 1))"), "()");
}

TEST_F(PairPrimitivesTest, PredicatesAreArityChecked) {
  EXPECT_EQ(R("(pair?)"), "ERROR: wrong number of arguments (0) in: pair?");
  EXPECT_EQ(R("(symbol? 'a 'b)"), "ERROR: wrong number of arguments (2) in: symbol?");
  EXPECT_EQ(R("(string?)"), "ERROR: wrong number of arguments (0) in: string?");
  EXPECT_EQ(R("(form? 1 2)"), "ERROR: wrong number of arguments (2) in: form?");
  EXPECT_EQ(R("(fixed?)"), "ERROR: wrong number of arguments (0) in: fixed?");
}

TEST_F(PairPrimitivesTest, Cons) {
  EXPECT_EQ(R("(cons 1 2)"), "(1 . 2)");  // §12
  EXPECT_EQ(R("(cons 1 '(2 3))"), "(1 2 3)");
  EXPECT_EQ(R("(cons 1)"), "(1)");   // not arity-checked
  EXPECT_EQ(R("(cons)"), "(())");
  EXPECT_EQ(R("(cons 1 2 3)"), "(1 . 2)");  // extra arguments are ignored
  EXPECT_EQ(R("(= (cons 1 2) (cons 1 2))"), "()");
}

TEST_F(PairPrimitivesTest, CarAndCdr) {
  EXPECT_EQ(R("(car '(1 2))"), "1");
  EXPECT_EQ(R("(cdr '(1 2))"), "(2)");
  EXPECT_EQ(R("(car ())"), "()");  // §12
  EXPECT_EQ(R("(car 5)"), "()");
  EXPECT_EQ(R("(cdr \"abc\")"), "()");
  EXPECT_EQ(R("(cdr (array 2))"), "()");
  EXPECT_EQ(R("(car)"), "ERROR: wrong number of arguments (0) in: car");
  EXPECT_EQ(R("(cdr 1 2)"), "ERROR: wrong number of arguments (2) in: cdr");
}

TEST_F(PairPrimitivesTest, SetCarAndSetCdr) {
  EXPECT_EQ(R("(define p (cons 1 2)) (set-car p 'a)"), "a");
  EXPECT_EQ(R("(set-cdr p 'b)"), "b");
  EXPECT_EQ(R("p"), "(a . b)");
  // Not a pair: nothing stored, nil returned.
  EXPECT_EQ(R("(set-car 5 1)"), "()");
  EXPECT_EQ(R("(set-cdr () 1)"), "()");
  EXPECT_EQ(R("(set-car p)"), "ERROR: wrong number of arguments (1) in: set-car");
  EXPECT_EQ(R("(set-cdr p 1 2)"), "ERROR: wrong number of arguments (3) in: set-cdr");
}

TEST_F(PairPrimitivesTest, QuotedListsAreSharedLiterals) {
  // §3.4: the same holds for quoted lists as for string literals.
  EXPECT_EQ(R("(define f (lambda () '(1 2))) (set-car (f) 9) (f)"), "(9 2)");
}

TEST_F(PairPrimitivesTest, Not) {
  EXPECT_EQ(R("(not 0)"), "()");  // §12
  EXPECT_EQ(R("(not ())"), "t");
  EXPECT_EQ(R("(not \"\")"), "()");
  EXPECT_EQ(R("(not)"), "ERROR: wrong number of arguments (0) in: not");
  EXPECT_EQ(R("(not 1 2)"), "ERROR: wrong number of arguments (2) in: not");
}

TEST_F(PairPrimitivesTest, TypeOf) {
  // §12: (map type-of (list () 1 1.5 "s" 'x '(1) (array) (lambda ()) car if (form ())))
  EXPECT_EQ(R("(type-of ())"), "0");
  EXPECT_EQ(R("(type-of 1)"), "2");
  EXPECT_EQ(R("(type-of 1.5)"), "3");
  EXPECT_EQ(R("(type-of \"s\")"), "4");
  EXPECT_EQ(R("(type-of 'x)"), "5");
  EXPECT_EQ(R("(type-of '(1))"), "6");
  EXPECT_EQ(R("(type-of (array))"), "8");
  EXPECT_EQ(R("(type-of (lambda ()))"), "9");
  EXPECT_EQ(R("(type-of car)"), "12");
  EXPECT_EQ(R("(type-of if)"), "11");
  EXPECT_EQ(R("(type-of (form ()))"), "10");
  EXPECT_EQ(R("(type-of (defined? 'car))"), "13");
  EXPECT_EQ(R("(type-of *globals*)"), "14");
  EXPECT_EQ(R("(type-of (data 1))"), "1");
  EXPECT_EQ(R("(type-of)"), "ERROR: wrong number of arguments (0) in: type-of");
}

TEST_F(PairPrimitivesTest, TypeOfWithThePrelude) {
  Session s(/*prelude=*/true);
  EXPECT_EQ(s.Run("(map type-of (list () 1 1.5 \"s\" 'x '(1) (array) (lambda ()) car if "
                  "(form ())))"),
            "(0 2 3 4 5 6 8 9 12 11 10)");
}

}  // namespace
}  // namespace maru
