// Unit tests of the definition, evaluation and control primitives (spec §7.2).
#include <ctime>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/heap.h"
#include "runtime/vm.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::StartsWith;

using ControlPrimitivesTest = ::maru::test::SessionTest;

// ---- eval -----------------------------------------------------------------------------------

TEST_F(ControlPrimitivesTest, Eval) {
  EXPECT_EQ(R("(eval '(+ 1 2))"), "3");  // §12
  EXPECT_EQ(R("(eval 5)"), "5");
  EXPECT_EQ(R("(eval ''a)"), "a");
  EXPECT_EQ(R("(eval '(define qq 7)) qq"), "7");
  EXPECT_EQ(R("(eval 'car *globals*)"), "car");
}

TEST_F(ControlPrimitivesTest, EvalDoesNotSeeCallerLocals) {
  // §7.2: local variables of the caller are not visible.
  EXPECT_EQ(R("(let ((x 5)) (eval 'x))"), "ERROR: undefined variable: x");
  EXPECT_EQ(R("((lambda (y) (eval 'y)) 1)"), "ERROR: undefined variable: y");
}

TEST_F(ControlPrimitivesTest, EvalExpandsItsArgument) {
  // §7.2: eval expands, encodes and evaluates, so macros work.
  EXPECT_EQ(R("(define twice (form (lambda (env x) (cons '+ (cons x (cons x ()))))))"),
            "Form(Expr.twice=(env x), ())");
  EXPECT_EQ(R("(eval '(twice 21))"), "42");
}

TEST_F(ControlPrimitivesTest, EvalErrorsPropagate) {
  EXPECT_EQ(R("(eval '(car 1 2))"), "ERROR: wrong number of arguments (2) in: car");
  EXPECT_EQ(R("(eval 'nosuch)"), "ERROR: undefined variable: nosuch");
}

// ---- expand / encode ------------------------------------------------------------------------

TEST_F(ControlPrimitivesTest, Expand) {
  EXPECT_EQ(R("(expand '(+ 1 2))"), "(+ 1 2)");
  EXPECT_EQ(R("(expand 'x)"), "x");
  EXPECT_EQ(R("(define m (form (lambda (env . args) (cons '+ args)))) (expand '(m 1 2))"),
            "(+ 1 2)");
  // Generalised set (§5.2).
  EXPECT_EQ(R("(expand '(set (car x) v))"), "(set-car x v)");
  EXPECT_EQ(R("(expand '(set (array-at a i) v))"), "(set-array-at a i v)");
  // Nothing is evaluated.
  EXPECT_EQ(R("(expand '(nosuch 1))"), "(nosuch 1)");
}

TEST_F(ControlPrimitivesTest, ExpandWithThePrelude) {
  Session s(/*prelude=*/true);
  EXPECT_EQ(s.Run("(expand '(when 1 2))"), "(and 1 (let () 2))");  // §12
}

TEST_F(ControlPrimitivesTest, Encode) {
  EXPECT_EQ(R("(encode '(if car 1 2) *globals*)"), "(Fixed<if> car 1 2)");  // §7.2
  EXPECT_EQ(R("(encode '(lambda (x) x) *globals*)"), "(Fixed<lambda> (x) x)");
  EXPECT_EQ(R("(encode '(define x 1) *globals*)"), "(Fixed<define> x 1)");
  // §5.3: a global Variable, not the symbol.
  EXPECT_EQ(R("(type-of (car (encode '(car 1) *globals*)))"), "13");
  EXPECT_EQ(R("(type-of (encode 'car *globals*))"), "13");
  EXPECT_EQ(R("(encode 'nosuch *globals*)"), "ERROR: undefined variable: nosuch");
}

// ---- apply ----------------------------------------------------------------------------------

TEST_F(ControlPrimitivesTest, Apply) {
  EXPECT_EQ(R("(apply + '(1 2))"), "3");  // §12
  EXPECT_EQ(R("(define lst (lambda args args)) (apply lst 1 2 '(3))"), "(1 2 3)");
  EXPECT_EQ(R("(apply lst)"), "()");
  EXPECT_EQ(R("(apply lst '())"), "()");
  EXPECT_EQ(R("(apply lst 1 ())"), "(1)");
  EXPECT_EQ(R("(apply if '(1 2 3))"), "2");  // §5.4
  EXPECT_EQ(R("(apply (lambda (a b) (- a b)) '(10 3))"), "7");
  EXPECT_EQ(R("(apply)"), "ERROR: too few arguments in: apply");  // §7.2
  EXPECT_EQ(R("(apply 5 '(1))"), "ERROR: cannot apply: 5");
}

// ---- defined? -------------------------------------------------------------------------------

TEST_F(ControlPrimitivesTest, Defined) {
  EXPECT_EQ(R("(defined? 'nope)"), "()");  // §12
  EXPECT_EQ(R("(defined? 'car)"), "car");
  EXPECT_EQ(R("(type-of (defined? 'car))"), "13");
  EXPECT_EQ(R("(oop-at (defined? 'car) 1)"), "car");
  EXPECT_EQ(R("(define dd 4) (oop-at (defined? 'dd *globals*) 1)"), "4");
}

// ---- form -----------------------------------------------------------------------------------

TEST_F(ControlPrimitivesTest, Form) {
  EXPECT_EQ(R("(form car)"), "Form(car, ())");
  EXPECT_EQ(R("(form car cdr)"), "Form(car, cdr)");
  EXPECT_EQ(R("(form)"), "Form((), ())");
  EXPECT_EQ(R("(type-of (form ()))"), "10");
}

// ---- exit / abort ---------------------------------------------------------------------------

TEST_F(ControlPrimitivesTest, ExitIsARequestNotAnError) {
  // §7.2 [project rule]: in the library, an exit request returned to the caller.
  EXPECT_EQ(R("(exit 3)"), "EXIT: 3");
  EXPECT_EQ(s_.last_error().kind, Unwind::kExit);
  EXPECT_EQ(R("(exit)"), "EXIT: 0");
  EXPECT_EQ(R("(exit 'a)"), "EXIT: 0");
  EXPECT_EQ(R("(exit 0)"), "EXIT: 0");
}

TEST_F(ControlPrimitivesTest, ExitStopsTheRestOfTheProgram) {
  EXPECT_EQ(R("(define before 1) (exit 2) (define after 1)"), "EXIT: 2");
  EXPECT_EQ(R("before"), "1");
  EXPECT_EQ(R("after"), "ERROR: undefined variable: after");
}

TEST_F(ControlPrimitivesTest, ExitFromDeepInside) {
  EXPECT_EQ(R("(define f (lambda (n) (if (= n 0) (exit 4) (+ 1 (f (- n 1)))))) (f 50)"),
            "EXIT: 4");
  EXPECT_EQ(R("(+ 1 1)"), "2");
}

TEST_F(ControlPrimitivesTest, Abort) {
  EXPECT_EQ(R("(abort)"), "ERROR: abort");  // §7.2 [project rule]
  EXPECT_EQ(R("(+ 1 1)"), "2");
}

// ---- verbose / optimised --------------------------------------------------------------------

TEST_F(ControlPrimitivesTest, VerboseAndOptimised) {
  EXPECT_EQ(R("(verbose)"), "0");
  EXPECT_EQ(R("(optimised)"), "0");
  EXPECT_EQ(R("(optimised 2)"), "2");
  EXPECT_EQ(R("(optimised)"), "2");
  EXPECT_EQ(s_.vm().optimised, 2);
  EXPECT_EQ(R("(optimised 'x)"), "()");
  EXPECT_EQ(R("(optimised 0)"), "0");
  EXPECT_EQ(R("(verbose \"a\")"), "()");
  EXPECT_EQ(R("(verbose)"), "0");
  s_.vm().verbose = 1;
  EXPECT_EQ(R("(verbose)"), "1");
  s_.vm().verbose = 0;
}

// ---- address-of / times / save --------------------------------------------------------------

TEST_F(ControlPrimitivesTest, AddressOf) {
  EXPECT_EQ(R("(address-of 5)"), "11");  // §7.2
  EXPECT_EQ(R("(address-of -1)"), "-1");
  EXPECT_EQ(R("(address-of ())"), "0");
  // Any other value gives its object address (even, non-zero, stable).
  EXPECT_EQ(R("(define p (cons 1 2)) (= (address-of p) (address-of p))"), "t");
  EXPECT_EQ(R("(& (address-of p) 7)"), "0");
  EXPECT_EQ(R("(= (address-of p) 0)"), "()");
}

TEST_F(ControlPrimitivesTest, Times) {
  // §7.2: (real-ms user-ms system-ms unix-seconds).
  EXPECT_EQ(R("(define t4 (times)) (type-of t4)"), "6");
  EXPECT_EQ(R("(type-of (car t4))"), "2");
  EXPECT_EQ(R("(type-of (car (cdr t4)))"), "2");
  EXPECT_EQ(R("(type-of (car (cdr (cdr t4))))"), "2");
  EXPECT_EQ(R("(cdr (cdr (cdr (cdr t4))))"), "()");
  Oop v = s_.Eval("(car (cdr (cdr (cdr t4))))");
  ASSERT_TRUE(IsLong(v));
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  EXPECT_LE(std::abs(LongValue(v) - now), 5);
  EXPECT_EQ(R("(>= (car t4) 0)"), "t");
}

TEST_F(ControlPrimitivesTest, SaveExists) {
  // §7.2: the name MUST exist (calling it may be `save: not supported`).
  EXPECT_EQ(R("(type-of save)"), "12");
}

// ---- Core globals (§7.7) --------------------------------------------------------------------

TEST_F(ControlPrimitivesTest, CoreGlobalsExist) {
  EXPECT_EQ(R("*expanders*"), "()");
  EXPECT_EQ(R("*encoders*"), "()");
  EXPECT_EQ(R("*evaluators*"), "()");
  EXPECT_EQ(R("*applicators*"), "()");
  EXPECT_EQ(R("*backtrace*"), "()");
  EXPECT_EQ(R("*arguments*"), "()");
  EXPECT_EQ(R("(type-of *output*)"), "2");  // a Long stream handle, stdout [project rule]
  EXPECT_EQ(R("(type-of *globals*)"), "14");
}

TEST_F(ControlPrimitivesTest, AllPrimitiveNamesExist) {
  // §7: every primitive named in §7 exists under that name.
  const char* names[] = {
      "+", "-", "*", "/", "%", "~", "&", "|", "^", "<<", ">>", "<", "<=", ">=", ">", "=", "!=",
      "defined?", "eval", "expand", "encode", "apply", "form", "exit", "abort", "verbose",
      "optimised", "not", "type-of", "address-of", "times", "save", "pair?", "symbol?",
      "string?", "form?", "fixed?", "array?", "cons", "car", "cdr", "set-car", "set-cdr",
      "string", "string-length", "string-at", "set-string-at", "string-copy", "string-compare",
      "symbol->string", "string->symbol", "symbol-compare", "format", "long->double",
      "double->long", "long->string", "double->string", "string->long", "string->double", "sin",
      "cos", "log", "array", "array-length", "array-at", "set-array-at", "array-compare", "open",
      "close", "getc", "getb", "putc", "putb", "read", "print", "dump", "warn", "data",
      "data-length", "allocate", "allocate-atomic", "oop-at", "set-oop-at", "subr", "subr-name",
      "native-call"};
  for (const char* n : names) {
    EXPECT_EQ(R(std::string("(type-of ") + n + ")"), "12") << n;
  }
}

}  // namespace
}  // namespace maru
