// Unit tests of error reporting (spec §11): messages, backtraces, FormatErrorReport, the
// *backtrace* hook, exit requests, stack overflow, and that the Vm stays usable.
#include <gc.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/vm.h"
#include "tests/unit/test_support.h"

namespace maru {
namespace {

using ::maru::test::Session;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ErrorsTest : public ::testing::Test {
 protected:
  std::string R(std::string_view text) { return s_.Run(text); }
  // Loads `text` as the file `path` and returns the tool's report of the error it raises.
  std::string Report(Session& s, std::string_view text, const std::string& path = "prog.l") {
    if (LoadText(s.vm(), text, path)) return "NO ERROR";
    return FormatErrorReport(s.vm().TakeError());
  }
  Session s_;
};

// ---- §11.1 messages -------------------------------------------------------------------------

TEST_F(ErrorsTest, EncoderMessages) {
  EXPECT_EQ(R("x"), "ERROR: undefined variable: x");
  EXPECT_EQ(R("(set nosuch 1)"), "ERROR: set: undefined variable: nosuch");
  EXPECT_EQ(R("(lambda (1) 1)"), "ERROR: non-symbol parameter name: 1");
  EXPECT_EQ(R("t"), "ERROR: undefined variable: t");  // §5.6
  EXPECT_EQ(R("nil"), "ERROR: undefined variable: nil");
}

TEST_F(ErrorsTest, UndefinedVariableIsAnEncodeTimeError) {
  // §5.3: even inside a lambda that never runs; and nothing of the form runs.
  EXPECT_EQ(R("(define side 0)"), "0");
  EXPECT_EQ(R("(set side 1) (lambda () nosuch)"), "ERROR: undefined variable: nosuch");
  EXPECT_EQ(R("side"), "1");
  EXPECT_EQ(R("(let () (set side 2) (lambda () nosuch))"), "ERROR: undefined variable: nosuch");
  EXPECT_EQ(R("side"), "1");
}

TEST_F(ErrorsTest, EvaluatorMessages) {
  EXPECT_EQ(R("((lambda (x) x))"), "ERROR: too few arguments applying Expr=(x) to ()");
  EXPECT_EQ(R("((lambda (x) x) 1 2)"), "ERROR: too many arguments applying Expr=(x) to (1 2)");
  EXPECT_EQ(R("(5 1)"), "ERROR: cannot apply: 5");
  EXPECT_EQ(R("(\"s\")"), "ERROR: cannot apply: \"s\"");
  EXPECT_EQ(R("(() 1)"), "ERROR: cannot apply: ()");
  EXPECT_THAT(R("((form car))"), StartsWith("ERROR: cannot apply: Form("));
}

TEST_F(ErrorsTest, PrimitiveMessages) {
  EXPECT_EQ(R("(+ 1 2 3)"), "ERROR: wrong number of arguments (3) in: +");
  EXPECT_EQ(R("(+ 1 \"a\")"), "ERROR: +: non-numeric argument: \"a\"");
  EXPECT_EQ(R("(string-at 5 0)"), "ERROR: string-at: non-String argument: 5");
  EXPECT_EQ(R("(format 5 1)"), "ERROR: format is not a string");
  EXPECT_EQ(R("(apply)"), "ERROR: too few arguments in: apply");
  EXPECT_EQ(R("(/ 1 0)"), "ERROR: division by zero");
  EXPECT_EQ(R("(% 1 0)"), "ERROR: division by zero");
}

TEST_F(ErrorsTest, PreludeMessages) {
  // §12 error table.
  Session s(/*prelude=*/true);
  EXPECT_EQ(s.Run("(error \"boom\" 1)"), "ERROR: boom1");
  EXPECT_EQ(s.TakeOutput(), "");  // [project rule]: nothing on stdout
  EXPECT_EQ(s.Run("(set (foo 1) 2)"), "ERROR: undefined variable: set-foo");
  EXPECT_EQ(s.Run("(define-function f () (g))"), "ERROR: undefined variable: g");
  EXPECT_EQ(s.Run("(error \"list: \" '(1 \"a\"))"), "ERROR: list: (1 a)");
}

TEST_F(ErrorsTest, ErrorWrappedInAFunction) {
  EXPECT_EQ(R("(define f (lambda (x) (car x x))) (f 1)"),
            "ERROR: wrong number of arguments (2) in: car");
}

// ---- §11.2 the Vm stays usable --------------------------------------------------------------

TEST_F(ErrorsTest, VmStaysUsableAfterErrors) {
  EXPECT_EQ(R("(define g 10)"), "10");
  EXPECT_EQ(R("(define f (lambda (n) (let ((a n)) (if (= n 0) (car 1 2) (f (- n 1)))))) (f 20)"),
            "ERROR: wrong number of arguments (2) in: car");
  EXPECT_FALSE(s_.vm().HasError());
  EXPECT_EQ(s_.vm().active, nullptr);
  EXPECT_EQ(R("g"), "10");
  EXPECT_EQ(R("(define h (lambda (n) (let ((a n)) (if (= n 0) a (h (- n 1)))))) (h 20)"), "0");
  EXPECT_EQ(R("(+ g 1)"), "11");
}

TEST_F(ErrorsTest, FormsBeforeTheErrorTookEffect) {
  EXPECT_EQ(R("(define a 1) (define b (car 1 2)) (define c 3)"),
            "ERROR: wrong number of arguments (2) in: car");
  EXPECT_EQ(R("a"), "1");
  EXPECT_EQ(R("c"), "ERROR: undefined variable: c");
}

TEST_F(ErrorsTest, TheFirstErrorWins) {
  Oop r = s_.vm().Error("first");
  EXPECT_EQ(r, kErrorOop);
  s_.vm().Error("second");
  EXPECT_EQ(s_.vm().TakeError().message, "first");
  EXPECT_FALSE(s_.vm().HasError());
}

// ---- Backtraces and FormatErrorReport -------------------------------------------------------

TEST_F(ErrorsTest, ReportHasMessageThenInnermostFirstPositions) {
  // §11.2: `error: <message>`, then `<file>:<line>: <expression as dumped>`, innermost first.
  std::string report = Report(s_,
                              "(define f (lambda (x)\n"
                              "  (+ x \"a\")))\n"
                              "(f 1)\n");
  EXPECT_EQ(report,
            "error: +: non-numeric argument: \"a\"\n"
            "prog.l:2: (+ x \"a\")\n"
            "prog.l:3: (f 1)\n");
}

TEST_F(ErrorsTest, ReportThroughSeveralFunctions) {
  std::string report = Report(s_,
                              "(define inner (lambda (x)\n"
                              "  (car x x)))\n"
                              "(define outer (lambda (y)\n"
                              "  (inner y)))\n"
                              "\n"
                              "(outer 7)\n",
                              "dir/two.l");
  EXPECT_EQ(report,
            "error: wrong number of arguments (2) in: car\n"
            "dir/two.l:2: (car x x)\n"
            "dir/two.l:4: (inner y)\n"
            "dir/two.l:6: (outer 7)\n");
}

TEST_F(ErrorsTest, ReportCountsCrLfLineBreaks) {
  std::string report = Report(s_, "; a\r\n; b\r\n(car 1 2)\r\n");
  EXPECT_EQ(report, "error: wrong number of arguments (2) in: car\nprog.l:3: (car 1 2)\n");
}

TEST_F(ErrorsTest, ReportFirstLineForReaderErrors) {
  std::string report = Report(s_, "(a b", "r.l");
  EXPECT_THAT(report, StartsWith("error: EOF while reading list\n"));
}

TEST_F(ErrorsTest, ReportForErrorWithoutActiveExpression) {
  // An undefined variable at top level: the message line comes first.
  std::string report = Report(s_, "nosuch");
  EXPECT_THAT(report, StartsWith("error: undefined variable: nosuch\n"));
}

TEST_F(ErrorsTest, BacktraceLinesInThePendingError) {
  EXPECT_EQ(R("(define f (lambda () (car 1 2)))"), "Expr.f=()");
  s_.set_path("bt.l");
  EXPECT_EQ(R("\n(f)"), "ERROR: wrong number of arguments (2) in: car");
  const auto& bt = s_.last_error().backtrace;
  ASSERT_EQ(bt.size(), 2u);
  EXPECT_EQ(bt[0].location, "<test>:1");
  EXPECT_EQ(bt[0].expression, "(car 1 2)");
  EXPECT_EQ(bt[1].location, "bt.l:2");
  EXPECT_EQ(bt[1].expression, "(f)");
}

TEST_F(ErrorsTest, ExpressionsWithoutPositionShowDots) {
  // §11.2: `...` in place of the position when there is none.
  EXPECT_EQ(R("(eval (cons car (cons 1 (cons 2 ()))))"),
            "ERROR: wrong number of arguments (2) in: car");
  const auto& bt = s_.last_error().backtrace;
  ASSERT_GE(bt.size(), 2u);
  EXPECT_EQ(bt[0].location, "...");
  EXPECT_EQ(bt[0].expression, "(car 1 2)");
}

TEST_F(ErrorsTest, MacroExpansionsInheritTheCallPosition) {
  // §5.2: source positions are copied from a macro call to the pairs of its expansion that have
  // none; the backtrace then shows the call's line.
  std::string report = Report(s_,
                              "(define m (form (lambda (env) (cons 'car (cons 1 (cons 2 ()))))))\n"
                              "\n"
                              "(m)\n");
  EXPECT_EQ(report, "error: wrong number of arguments (2) in: car\nprog.l:3: (car 1 2)\n");
}

TEST_F(ErrorsTest, LoadingAMissingFile) {
  // §2.1 / §11.1: `<path>: No such file or directory`.
  EXPECT_FALSE(LoadFile(s_.vm(), "/nonexistent/prog.l"));
  EXPECT_EQ(s_.vm().TakeError().message, "/nonexistent/prog.l: No such file or directory");
}

// ---- *backtrace* hook -----------------------------------------------------------------------

TEST_F(ErrorsTest, BacktraceHookGetsArrayAndCount) {
  // §11.2: called with an Array of the active expressions (outermost first) and their count.
  EXPECT_EQ(R("(define seen ()) (set *backtrace* (lambda (forms n) (set seen (cons forms n))))"),
            "Expr.*backtrace*=(forms n)");  // §5.6: set names an unnamed Expr
  EXPECT_EQ(R("(define g (lambda (x) (car x x))) (g 5)"),
            "ERROR: wrong number of arguments (2) in: car");
  EXPECT_TRUE(s_.last_error().reported_by_hook);
  EXPECT_EQ(R("(set *backtrace* ()) (cdr seen)"), "2");
  EXPECT_EQ(R("(array-length (car seen))"), "2");
  EXPECT_EQ(R("(array-at (car seen) 0)"), "(g 5)");
  EXPECT_EQ(R("(array-at (car seen) 1)"), "(car x x)");
}

TEST_F(ErrorsTest, ToolOmitsItsBacktraceAfterTheHook) {
  R("(set *backtrace* (lambda (forms n) n))");
  std::string report = Report(s_, "(define g (lambda (x) (car x x)))\n(g 5)\n");
  EXPECT_EQ(report, "error: wrong number of arguments (2) in: car\n");
}

TEST_F(ErrorsTest, ErrorsInsideTheHookAreIgnored) {
  R("(set *backtrace* (lambda (forms n) (car 1 2 3)))");
  EXPECT_EQ(R("(cdr 1 2)"), "ERROR: wrong number of arguments (2) in: cdr");
  EXPECT_EQ(R("(set *backtrace* ()) (+ 1 2)"), "3");
}

// ---- Exit requests --------------------------------------------------------------------------

TEST_F(ErrorsTest, ExitRequest) {
  // §7.2 [project rule], §11.2: exit is not an error.
  EXPECT_EQ(R("(define f (lambda () (exit 7))) (f)"), "EXIT: 7");
  EXPECT_EQ(s_.last_error().kind, Unwind::kExit);
  EXPECT_EQ(s_.last_error().exit_status, 7);
  EXPECT_EQ(s_.last_error().message, "");
  EXPECT_FALSE(s_.vm().HasError());
  EXPECT_EQ(R("(+ 1 2)"), "3");
}

TEST_F(ErrorsTest, ExitRequestDoesNotCallTheBacktraceHook) {
  R("(define called ()) (set *backtrace* (lambda (forms n) (set called 't)))");
  EXPECT_EQ(R("(exit 1)"), "EXIT: 1");
  EXPECT_EQ(R("(set *backtrace* ()) called"), "()");
}

// ---- Stack overflow -------------------------------------------------------------------------

TEST_F(ErrorsTest, UnboundedRecursionIsStackOverflow) {
  // [project rule] §1.3 rule 2, §11.2.
  EXPECT_EQ(R("(define f (lambda (n) (+ 1 (f n)))) (f 1)"), "ERROR: stack overflow");
  EXPECT_FALSE(s_.vm().HasError());
  EXPECT_EQ(s_.vm().active, nullptr);
  EXPECT_EQ(R("(+ 1 2)"), "3");
  // Again: the stack limit still works.
  EXPECT_EQ(R("(f 1)"), "ERROR: stack overflow");
  EXPECT_EQ(R("(define g (lambda (n) (if (= n 0) 0 (+ 1 (g (- n 1)))))) (g 100)"), "100");
}

TEST_F(ErrorsTest, StackOverflowReportIsAbbreviatedButKeepsBothEnds) {
  std::string report = Report(s_, "(define f (lambda (n)\n (+ 1 (f n))))\n(f 1)\n");
  EXPECT_THAT(report, StartsWith("error: stack overflow\nprog.l:2: "));
  EXPECT_THAT(report, ::testing::EndsWith("prog.l:3: (f 1)\n"));
  EXPECT_LT(report.size(), 100000u);
}

TEST_F(ErrorsTest, RecursionThroughApplyAndEvalOverflowsCleanly) {
  EXPECT_EQ(R("(define f (lambda () (apply f ()))) (f)"), "ERROR: stack overflow");
  EXPECT_EQ(R("(define e (lambda () (eval '(e)))) (e)"), "ERROR: stack overflow");
  EXPECT_EQ(R("(+ 1 2)"), "3");
}

TEST_F(ErrorsTest, RecursiveMacroExpansionOverflowsCleanly) {
  // §11.2: expansion too.
  EXPECT_EQ(R("(define m (form (lambda (env) '(m))))"), "Form(Expr.m=(env), ())");
  EXPECT_EQ(R("(m)"), "ERROR: stack overflow");
  EXPECT_EQ(R("(+ 1 2)"), "3");
}

TEST_F(ErrorsTest, DeeplyNestedCodeOverflowsCleanly) {
  // §11.2: expansion, encoding and evaluation of deeply nested code: `stack overflow`, no crash.
  EXPECT_EQ(R("(define x 0) (define i 0) "
              "(while (< i 100000) (set x (cons '+ (cons 1 (cons x ())))) (set i (+ i 1))) "
              "(eval x)"),
            "ERROR: stack overflow");
  EXPECT_EQ(R("(+ 1 2)"), "3");
  // Moderately deep code still works.
  EXPECT_EQ(R("(set x 0) (set i 0) "
              "(while (< i 500) (set x (cons '+ (cons 1 (cons x ())))) (set i (+ i 1))) "
              "(eval x)"),
            "500");
}

void TenThousandNestedCalls(void* arg) {
  auto* result = static_cast<std::string*>(arg);
  Session s;
  *result = s.Run(
      "(define f (lambda (n) (if (= n 0) 0 (+ 1 (f (- n 1)))))) (f 10000)");
}

TEST_F(ErrorsTest, TenThousandNestedCallsOnASixteenMegabyteStack) {
  // §11.2: at least 10,000 nested calls of an ordinary recursive function. The interpreter uses
  // about 0.9 KiB of native stack per nested Maru call (about 9,000 fit in 8 MiB), so embedders
  // give the evaluating thread at least 16 MiB; the maru tool evaluates on a 1 GiB stack.
  std::string result;
#if defined(__SANITIZE_ADDRESS__)
  constexpr size_t kStack = size_t{64} << 20;  // AddressSanitizer's red zones enlarge frames
#else
  constexpr size_t kStack = size_t{16} << 20;
#endif
  maru::test::RunOnThreadWithStack(kStack, TenThousandNestedCalls, &result);
  EXPECT_EQ(result, "10000");
}

void HundredThousandNestedCalls(void* arg) {
  auto* result = static_cast<std::string*>(arg);
  Session s;
  *result = s.Run(
      "(define f (lambda (n) (if (= n 0) 0 (+ 1 (f (- n 1)))))) (f 100000)");
}

TEST_F(ErrorsTest, DeepRecursionOnTheToolsStack) {
  // §11.2: SHOULD support far more than 10,000; the maru tool evaluates on a 1 GiB stack.
  std::string result;
  maru::test::RunOnThreadWithStack(size_t{1} << 30, HundredThousandNestedCalls, &result);
  EXPECT_EQ(result, "100000");
}

// ---- Interrupts -----------------------------------------------------------------------------

TEST_F(ErrorsTest, InterruptIsAnError) {
  // §11.2 [project rule]: the error `interrupt`.
  s_.vm().RequestInterrupt();
  EXPECT_EQ(R("(define i 0) (while (< i 1000000) (set i (+ i 1)))"), "ERROR: interrupt");
  EXPECT_FALSE(s_.vm().InterruptPending());
  EXPECT_EQ(R("(+ 1 2)"), "3");
}

}  // namespace
}  // namespace maru
