// Tests of the embedding API (api/maru/engine.h, value.h): every public function, the error
// cases, stats, output redirection and stack behaviour. Most tests run in every combination of
// threading (engine thread / calling thread) and execution mode (off / auto / eager).
#include "maru/engine.h"

#include <gc.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "maru/value.h"

namespace maru {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kFib[] = "(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))";

std::string ModeName(ExecutionMode mode) {
  switch (mode) {
    case ExecutionMode::kOff:
      return "Off";
    case ExecutionMode::kAuto:
      return "Auto";
    case ExecutionMode::kEager:
      return "Eager";
  }
  return "?";
}

class EngineTest : public ::testing::TestWithParam<std::tuple<Threading, ExecutionMode>> {
 protected:
  EngineOptions Options() {
    EngineOptions options;
    options.threading = std::get<0>(GetParam());
    options.execution = std::get<1>(GetParam());
    options.output = [this](std::string_view text) { output_.append(text); };
    return options;
  }
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(Options());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }
  Engine& e() { return *engine_; }

  // Evaluates and returns the dumped result, or the status text.
  std::string Run(std::string_view source) {
    absl::StatusOr<Value> v = engine_->Eval(source);
    if (!v.ok()) return "STATUS: " + v.status().ToString();
    absl::StatusOr<std::string> text = engine_->Dump(*v);
    return text.ok() ? *text : "DUMP: " + text.status().ToString();
  }

  std::string output_;
  std::unique_ptr<Engine> engine_;
};

INSTANTIATE_TEST_SUITE_P(
    AllModes, EngineTest,
    ::testing::Combine(::testing::Values(Threading::kEngineThread, Threading::kCallingThread),
                       ::testing::Values(ExecutionMode::kOff, ExecutionMode::kAuto,
                                         ExecutionMode::kEager)),
    [](const auto& info) {
      return std::string(std::get<0>(info.param) == Threading::kEngineThread ? "EngineThread"
                                                                             : "CallingThread") +
             ModeName(std::get<1>(info.param));
    });

// --- Eval / Load ---------------------------------------------------------------------------------

TEST_P(EngineTest, EvalReturnsTheLastValue) {
  absl::StatusOr<Value> v = e().Eval("(define x 20) (+ x 22)");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->kind(), Value::Kind::kInteger);
  EXPECT_EQ(*v->As<int64_t>(), 42);
}

TEST_P(EngineTest, EvalOfNothingIsNil) {
  absl::StatusOr<Value> v = e().Eval("");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->is_nil());
  v = e().Eval("  ; only a comment\n");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->is_nil());
}

TEST_P(EngineTest, SyntaxErrorIsAStatusWithThePosition) {
  absl::StatusOr<Value> v = e().Eval("(+ 1 2", "snippet.l");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(std::string(v.status().message()), StartsWith("error: "));
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("snippet.l:1"));
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("(while reading)"));
  EXPECT_TRUE(MaruErrorMessage(v.status()).has_value());
  EXPECT_FALSE(IsExit(v.status()));
  // Still usable.
  EXPECT_EQ(Run("(+ 1 2)"), "3");
}

TEST_P(EngineTest, RuntimeErrorHasMessageAndBacktrace) {
  absl::StatusOr<Value> v = e().Eval("(define-function g (x) (/ x 0))\n\n(g 7)\n", "prog.l");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kUnknown);
  std::optional<std::string> message = MaruErrorMessage(v.status());
  ASSERT_TRUE(message.has_value());
  EXPECT_THAT(std::string(v.status().message()), StartsWith("error: " + *message + "\n"));
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("prog.l:3: (g 7)"));
  if (std::get<1>(GetParam()) == ExecutionMode::kOff) {
    // The interpreter also records the form inside g (compiled code records calls only).
    EXPECT_THAT(std::string(v.status().message()), HasSubstr("prog.l:1: (/ x 0)"));
  }
  EXPECT_EQ(Run("(+ 1 2)"), "3");
}

TEST_P(EngineTest, ErrorFunctionMessage) {
  absl::StatusOr<Value> v = e().Eval("(error \"bad \" 42)");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(MaruErrorMessage(v.status()), "bad 42");
}

TEST_P(EngineTest, ExitIsADistinctStatus) {
  absl::StatusOr<Value> v = e().Eval("(print \"before\") (exit 3) (print \"after\")");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(IsExit(v.status()));
  EXPECT_EQ(ExitStatus(v.status()), 3);
  EXPECT_FALSE(MaruErrorMessage(v.status()).has_value());
  EXPECT_EQ(output_, "before");
  EXPECT_EQ(Run("'still-alive"), "still-alive");
  EXPECT_EQ(ExitStatus(absl::OkStatus()), std::nullopt);
  EXPECT_FALSE(IsExit(absl::UnknownError("x")));
}

TEST_P(EngineTest, LoadFileReturnsItsLastValue) {
  std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/load_test.l";
  {
    std::ofstream out(path);
    out << "#!/usr/bin/env maru\n(define loaded 5)\n(* loaded 2)\n";
  }
  absl::StatusOr<Value> v = e().Load(path);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v->As<int64_t>(), 10);
  EXPECT_EQ(Run("loaded"), "5");
}

TEST_P(EngineTest, LoadErrors) {
  absl::StatusOr<Value> v = e().Load("/nonexistent/file.l");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(MaruErrorMessage(v.status()), "/nonexistent/file.l: No such file or directory");
  v = e().Load(std::getenv("TEST_TMPDIR"));
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("Is a directory"));
  std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/bad.l";
  {
    std::ofstream out(path);
    out << "(define y 1)\n(car 1 2)\n";
  }
  v = e().Load(path);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(std::string(v.status().message()), HasSubstr(path + ":2: (car 1 2)"));
}

// --- Values
// ----------------------------------------------------------------------------------------

TEST_P(EngineTest, ValueKindsAndConversions) {
  struct Case {
    const char* source;
    Value::Kind kind;
  };
  for (const Case& c :
       {Case{"()", Value::Kind::kNil}, Case{"12", Value::Kind::kInteger},
        Case{"1.5", Value::Kind::kDouble}, Case{"\"s\"", Value::Kind::kString},
        Case{"'sym", Value::Kind::kSymbol}, Case{"'(1 2)", Value::Kind::kPair},
        Case{"(array 2)", Value::Kind::kArray}, Case{"(lambda (x) x)", Value::Kind::kFunction},
        Case{"car", Value::Kind::kFunction}, Case{"*globals*", Value::Kind::kOther}}) {
    absl::StatusOr<Value> v = e().Eval(c.source);
    ASSERT_TRUE(v.ok()) << c.source << ": " << v.status();
    EXPECT_EQ(v->kind(), c.kind) << c.source;
  }
  EXPECT_EQ(Value::KindName(Value::Kind::kInteger), "integer");
  EXPECT_EQ(Value::KindName(Value::Kind::kOther), "object");

  EXPECT_EQ(*e().Eval("(- 0 7)")->As<int64_t>(), -7);
  EXPECT_EQ(*e().Eval("2.5")->As<double>(), 2.5);
  EXPECT_EQ(*e().Eval("3")->As<double>(), 3.0);  // integers widen to double
  EXPECT_EQ(*e().Eval("\"h\\u00e9llo\"")->As<std::string>(), "h\xc3\xa9llo");
  EXPECT_EQ(*e().Eval("'abc")->As<std::string>(), "abc");
  EXPECT_FALSE(*e().Eval("()")->As<bool>());
  EXPECT_TRUE(*e().Eval("0")->As<bool>());  // Maru truth: only nil is false
  EXPECT_EQ(*e().Eval("'(1 2 3)")->As<std::vector<int64_t>>(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(*e().Eval("(list->array '(4 5))")->As<std::vector<int>>(), (std::vector<int>{4, 5}));
  EXPECT_EQ(e().Eval("'(\"a\" b)")->As<Array<std::string>>()->elements,
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*e().Eval("'((1) () (2 3))")->As<std::vector<std::vector<int64_t>>>(),
            (std::vector<std::vector<int64_t>>{{1}, {}, {2, 3}}));
  EXPECT_EQ(*e().Eval("()")->As<std::optional<int64_t>>(), std::nullopt);
  EXPECT_EQ(*e().Eval("9")->As<std::optional<int64_t>>(), 9);
  // Large integers (boxed Longs) and identity.
  EXPECT_EQ(*e().Eval("(* 4611686018427387904 1)")->As<int64_t>(), int64_t{1} << 62);
  Value a = *e().Eval("(define shared (cons 1 2))");
  Value b = *e().Eval("shared");
  EXPECT_TRUE(a.Is(b));
  EXPECT_FALSE(a.Is(*e().Eval("(cons 1 2)")));
  EXPECT_TRUE(Value().is_nil());
  EXPECT_FALSE(Value().is_true());
}

TEST_P(EngineTest, ConversionMismatches) {
  absl::StatusOr<int64_t> n = e().Eval("\"abc\"")->As<int64_t>();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(n.status().message(), "expected an integer, got \"abc\"");
  EXPECT_EQ(e().Eval("'x")->As<double>().status().message(), "expected a number, got x");
  EXPECT_EQ(e().Eval("12")->As<std::string>().status().message(), "expected a string, got 12");
  EXPECT_EQ(e().Eval("'(1 x)")->As<std::vector<int64_t>>().status().message(),
            "element 1: expected an integer, got x");
  EXPECT_EQ(e().Eval("'(1 . 2)")->As<std::vector<int64_t>>().status().message(),
            "expected a proper list, got a list");
  EXPECT_EQ(e().Eval("7")->As<std::vector<int64_t>>().status().message(),
            "expected a list or an array, got 7");
  EXPECT_EQ(e().Eval("1099511627776")->As<int32_t>().status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e().Eval("(- 0 1)")->As<uint32_t>().status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(EngineTest, ToValueAndDump) {
  auto dump = [&](absl::StatusOr<Value> v) {
    EXPECT_TRUE(v.ok()) << v.status();
    return *e().Dump(*v);
  };
  EXPECT_EQ(dump(e().ToValue(int64_t{5})), "5");
  EXPECT_EQ(dump(e().ToValue(int64_t{1} << 62)), "4611686018427387904");
  EXPECT_EQ(dump(e().ToValue(1.25)), "1.250000");
  EXPECT_EQ(dump(e().ToValue(std::string("q\"uote"))), "\"q\\\"uote\"");
  EXPECT_EQ(dump(e().ToValue("literal")), "\"literal\"");
  EXPECT_EQ(dump(e().ToValue(true)), "t");
  EXPECT_EQ(dump(e().ToValue(false)), "()");
  EXPECT_EQ(dump(e().ToValue(std::vector<int>{1, 2, 3})), "(1 2 3)");
  EXPECT_EQ(dump(e().ToValue(Array<double>{{0.5}})), "Array<1>(0.500000)");
  EXPECT_EQ(dump(e().ToValue(std::vector<std::vector<std::string>>{{"a"}, {}})), "((\"a\") ())");
  EXPECT_EQ(dump(e().ToValue(std::optional<int>())), "()");
  EXPECT_EQ(*e().Print(*e().ToValue(std::string("raw"))), "raw");
  EXPECT_EQ(e().ToValue(uint64_t{1} << 63).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(EngineTest, ValuesSurviveCollections) {
  std::vector<Value> kept;
  for (int i = 0; i < 200; ++i) {
    kept.push_back(*e().Eval("(cons (list->string (list 97 98 99)) (array 3))"));
  }
  Value copy = kept[7];
  Value moved = std::move(kept[8]);
  ASSERT_TRUE(e().Eval("(define-function churn (n) (if (= n 0) 0 (let ((x (array 100))) "
                       "(churn (- n 1))))) (churn 1000)")
                  .ok());
  GC_gcollect();
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i == 8) continue;
    EXPECT_EQ(*e().Dump(kept[i]), "(\"abc\" . Array<3>(() () ()))") << i;
  }
  EXPECT_EQ(*e().Dump(copy), "(\"abc\" . Array<3>(() () ()))");
  EXPECT_EQ(*e().Dump(moved), "(\"abc\" . Array<3>(() () ()))");
  EXPECT_TRUE(kept[8].is_nil());  // moved from
}

TEST_P(EngineTest, PrintAndDump) {
  Value v = *e().Eval("(list \"s\" 'sym 1.5)");
  EXPECT_EQ(*e().Print(v), "(s sym 1.500000)");
  EXPECT_EQ(*e().Dump(v), "(\"s\" sym 1.500000)");
}

TEST_P(EngineTest, GlobalsGetAndSet) {
  ASSERT_TRUE(e().SetGlobal("limit", 10).ok());
  ASSERT_TRUE(e().SetGlobal("names", std::vector<std::string>{"x", "y"}).ok());
  EXPECT_EQ(Run("(+ limit 1)"), "11");
  EXPECT_EQ(Run("names"), "(\"x\" \"y\")");
  EXPECT_EQ(*e().GetGlobal("limit")->As<int64_t>(), 10);
  ASSERT_TRUE(e().Eval("(set limit 12)").ok());
  EXPECT_EQ(*e().GetGlobal("limit")->As<int64_t>(), 12);
  absl::StatusOr<Value> missing = e().GetGlobal("no-such-global");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  Value v = *e().Eval("(cons 1 2)");
  ASSERT_TRUE(e().SetGlobal("pair", v).ok());
  EXPECT_EQ(Run("(car pair)"), "1");
}

// --- Calling Maru from C++ ---------------------------------------------------------------------

TEST_P(EngineTest, TypedFunction) {
  ASSERT_TRUE(e().Eval(kFib).ok());
  auto fib = e().Function<int64_t(int64_t)>("fib");
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<int64_t> r = fib(20);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(*r, 6765);
  }
  ASSERT_TRUE(e().Eval("(define-function greet (name times) "
                       "(concat-string \"hi \" (concat-string name (long->string times))))")
                  .ok());
  auto greet = e().Function<std::string(const std::string&, int)>("greet");
  EXPECT_EQ(*greet("bob", 3), "hi bob3");
  ASSERT_TRUE(e().Eval("(define-function half (x) (/ x 2.0))").ok());
  EXPECT_EQ(*e().Function<double(double)>("half")(3.0), 1.5);
  ASSERT_TRUE(e().Eval("(define-function sum (l) (if l (+ (car l) (sum (cdr l))) 0))").ok());
  EXPECT_EQ(*e().Function<int64_t(std::vector<int64_t>)>("sum")({1, 2, 3, 4}), 10);
  ASSERT_TRUE(
      e().Eval("(define counter 0) (define-function bump () (set counter (+ counter 1)))").ok());
  auto bump = e().Function<void()>("bump");
  EXPECT_TRUE(bump().ok());
  EXPECT_TRUE(bump().ok());
  EXPECT_EQ(Run("counter"), "2");
}

TEST_P(EngineTest, FunctionLookupIsLazyAndSeesRedefinition) {
  auto f = e().Function<int64_t(int64_t)>("later");
  absl::StatusOr<int64_t> r = f(1);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "later: undefined");
  ASSERT_TRUE(e().Eval("(define-function later (x) (+ x 1))").ok());
  EXPECT_EQ(*f(1), 2);
  ASSERT_TRUE(e().Eval("(define-function later (x) (* x 10))").ok());
  EXPECT_EQ(*f(2), 20);
}

TEST_P(EngineTest, FunctionErrors) {
  ASSERT_TRUE(e().Eval(kFib).ok());
  // Wrong arity: a Maru error from the callee.
  absl::StatusOr<int64_t> r = e().Function<int64_t(int64_t, int64_t)>("fib")(1, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("too many arguments applying Expr.fib=(n) to (1 2)"));
  // Result type mismatch.
  ASSERT_TRUE(e().Eval("(define-function name () \"abc\")").ok());
  absl::StatusOr<int64_t> n = e().Function<int64_t()>("name")();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(n.status().message(), "name: result: expected an integer, got \"abc\"");
  // A runtime error inside, with the backtrace.
  ASSERT_TRUE(e().Eval("(define-function boom (x) (car x 1))", "boom.l").ok());
  absl::StatusOr<Value> b = e().Function<Value(int)>("boom")(1);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("boom.l:1: (car x 1)"));
  // Not a function.
  ASSERT_TRUE(e().Eval("(define not-fn 3)").ok());
  EXPECT_THAT(std::string(e().Function<void()>("not-fn")().message()), HasSubstr("cannot apply"));
  // Exit inside.
  ASSERT_TRUE(e().Eval("(define-function quit (n) (exit n))").ok());
  absl::Status q = e().Function<void(int)>("quit")(4);
  EXPECT_EQ(ExitStatus(q), 4);
  // Still usable after all that.
  EXPECT_EQ(*e().Function<int64_t(int64_t)>("fib")(10), 55);
}

TEST_P(EngineTest, FunctionOfAValueAndCall) {
  Value adder = *e().Eval("(lambda (a b) (+ a b))");
  EXPECT_EQ(*e().Function<int64_t(int64_t, int64_t)>(adder)(2, 3), 5);
  absl::StatusOr<Value> r = e().Call(adder, 4, 5);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r->As<int64_t>(), 9);
  r = e().Call("list", 1, "two", 3.0, std::vector<int>{4});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*e().Dump(*r), "(1 \"two\" 3.000000 (4))");
  EXPECT_EQ(e().Call("no-such-function").status().code(), absl::StatusCode::kNotFound);
  // Many arguments (beyond the inline buffer).
  r = e().Call("list", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->As<std::vector<int>>()->size(), 20u);
}

TEST_P(EngineTest, ValuesOfAnotherEngineAreRejected) {
  EngineOptions options;
  options.load_prelude = false;
  options.threading = Threading::kCallingThread;
  std::unique_ptr<Engine> other = *Engine::Create(options);
  Value foreign = *other->Eval("(cons 1 2)");
  EXPECT_NE(foreign.owner(), e().id());
  EXPECT_EQ(e().SetGlobal("x", foreign).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e().Dump(foreign).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e().Call(foreign).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e().Call("list", foreign).status().code(), absl::StatusCode::kInvalidArgument);
  // Immediates belong to no engine.
  Value small = *other->Eval("5");
  EXPECT_EQ(small.owner(), 0u);
  EXPECT_TRUE(e().SetGlobal("five", small).ok());
  // A Value outlives its engine (its data stays readable).
  other.reset();
  EXPECT_EQ(foreign.kind(), Value::Kind::kPair);
}

// --- Calling C++ from Maru ---------------------------------------------------------------------

int64_t Triple(int64_t x) { return 3 * x; }

TEST_P(EngineTest, DefineTypedFunctions) {
  ASSERT_TRUE(e().Define("add", [](int64_t a, int64_t b) { return a + b; }).ok());
  ASSERT_TRUE(e().Define("triple", &Triple).ok());
  ASSERT_TRUE(e().Define("shout", [](const std::string& s) { return s + "!"; }).ok());
  ASSERT_TRUE(e().Define("lengths",
                         [](const std::vector<std::string>& v) {
                           std::vector<int64_t> out;
                           for (const std::string& s : v)
                             out.push_back(static_cast<int64_t>(s.size()));
                           return Array<int64_t>{out};
                         })
                  .ok());
  int calls = 0;
  ASSERT_TRUE(e().Define("note", [&calls]() { ++calls; }).ok());
  ASSERT_TRUE(e().Define("positive?", [](double d) { return d > 0; }).ok());
  ASSERT_TRUE(e().Define("checked-sqrt",
                         [](double d) -> absl::StatusOr<double> {
                           if (d < 0) return absl::InvalidArgumentError("negative input");
                           return d / 2;
                         })
                  .ok());
  ASSERT_TRUE(e().Define("must-be-even",
                         [](int64_t n) {
                           return n % 2 == 0 ? absl::OkStatus() : absl::OutOfRangeError("odd");
                         })
                  .ok());
  int64_t total = 0;
  ASSERT_TRUE(e().Define("accumulate", [total](int64_t n) mutable { return total += n; }).ok());

  EXPECT_EQ(Run("(add 1 2)"), "3");
  EXPECT_EQ(Run("(triple (add 1 2))"), "9");
  EXPECT_EQ(Run("(shout \"hey\")"), "\"hey!\"");
  EXPECT_EQ(Run("(lengths '(\"a\" \"bcd\" \"\"))"), "Array<3>(1 3 0)");
  EXPECT_EQ(Run("(note)"), "()");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Run("(list (positive? 1) (positive? -1.5))"), "(t ())");
  EXPECT_EQ(Run("(checked-sqrt 8)"), "4.000000");
  EXPECT_EQ(Run("(must-be-even 2)"), "()");
  EXPECT_EQ(Run("(accumulate 5) (accumulate 6)"), "11");

  // Errors: wrong argument type, wrong arity, error statuses.
  absl::StatusOr<Value> v = e().Eval("(add \"x\" 1)", "host.l");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(MaruErrorMessage(v.status()), "add: argument 1: expected an integer, got \"x\"");
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("host.l:1: (add \"x\" 1)"));
  v = e().Eval("(add 1)");
  EXPECT_EQ(MaruErrorMessage(v.status()), "wrong number of arguments (1) in: add");
  v = e().Eval("(checked-sqrt -1)");
  EXPECT_EQ(MaruErrorMessage(v.status()), "checked-sqrt: negative input");
  v = e().Eval("(must-be-even 3)");
  EXPECT_EQ(MaruErrorMessage(v.status()), "must-be-even: odd");
  // Host functions are ordinary Maru functions: higher-order use, from compiled code too.
  EXPECT_EQ(Run("(map triple '(1 2 3))"), "(3 6 9)");
  ASSERT_TRUE(e().Eval("(define-function sum-triples (n) (if (= n 0) 0 "
                       "(add (triple n) (sum-triples (- n 1)))))")
                  .ok());
  EXPECT_EQ(*e().Function<int64_t(int64_t)>("sum-triples")(100), 15150);
  EXPECT_EQ(Run("(add 1 2)"), "3");
}

TEST_P(EngineTest, DefineRawFunctions) {
  ASSERT_TRUE(e().DefineRaw("count-args",
                            [](std::span<const Value> args) -> absl::StatusOr<Value> {
                              return Value();  // nil
                            })
                  .ok());
  EXPECT_EQ(Run("(count-args 1 2 3)"), "()");
  Engine* engine = &e();
  ASSERT_TRUE(e().DefineRaw("kinds",
                            [engine](std::span<const Value> args) -> absl::StatusOr<Value> {
                              std::vector<std::string> kinds;
                              for (const Value& a : args) {
                                kinds.emplace_back(Value::KindName(a.kind()));
                              }
                              return engine->ToValue(kinds);
                            })
                  .ok());
  EXPECT_EQ(Run("(kinds 1 \"s\" 'x '(1) car)"),
            "(\"integer\" \"string\" \"symbol\" \"pair\" \"function\")");
  ASSERT_TRUE(e().DefineRaw(
                     "first", [](std::span<const Value> args) { return args[0]; }, 1)
                  .ok());
  EXPECT_EQ(Run("(first '(a b))"), "(a b)");
  EXPECT_EQ(MaruErrorMessage(e().Eval("(first 1 2)").status()),
            "wrong number of arguments (2) in: first");
  ASSERT_TRUE(e().DefineRaw("fail",
                            [](std::span<const Value>) -> absl::StatusOr<Value> {
                              return absl::InternalError("broken");
                            })
                  .ok());
  EXPECT_EQ(MaruErrorMessage(e().Eval("(fail)").status()), "fail: broken");
  EXPECT_EQ(e().DefineRaw("empty", RawFunction()).code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(EngineTest, HostExceptionsBecomeMaruErrors) {
  ASSERT_TRUE(e().Define("thrower",
                         [](int64_t n) -> int64_t {
                           if (n > 0) throw std::runtime_error("boom");
                           return n;
                         })
                  .ok());
  ASSERT_TRUE(e().Define("thrower2", []() -> int64_t { throw 42; }).ok());
  absl::StatusOr<Value> v = e().Eval("(thrower 1)");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(MaruErrorMessage(v.status()), "thrower: C++ exception: boom");
  EXPECT_EQ(MaruErrorMessage(e().Eval("(thrower2)").status()), "thrower2: C++ exception");
  EXPECT_EQ(Run("(thrower 0)"), "0");
}

TEST_P(EngineTest, HostFunctionsMayReenterTheEngine) {
  Engine* engine = &e();
  ASSERT_TRUE(
      e().Define("eval-string", [engine](const std::string& s) { return engine->Eval(s); }).ok());
  ASSERT_TRUE(e().Eval(kFib).ok());
  ASSERT_TRUE(
      e().Define("host-fib",
                 [engine](int64_t n) { return engine->Function<int64_t(int64_t)>("fib")(n); })
          .ok());
  EXPECT_EQ(Run("(+ 1 (eval-string \"(+ 2 3)\"))"), "6");
  EXPECT_EQ(Run("(host-fib 15)"), "610");
  // A nested Maru error comes back with its own message.
  absl::StatusOr<Value> v = e().Eval("(eval-string \"(car 1 2 3)\")");
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(*MaruErrorMessage(v.status()), HasSubstr("wrong number of arguments"));
  // A nested exit exits.
  v = e().Eval("(eval-string \"(exit 7)\") 'not-reached");
  EXPECT_EQ(ExitStatus(v.status()), 7);
  EXPECT_EQ(Run("(host-fib 10)"), "55");
}

// --- Output ------------------------------------------------------------------------------------

TEST_P(EngineTest, OutputGoesToTheCallbackInOrder) {
  std::string* out = &output_;
  ASSERT_TRUE(e().Define("mark", [out](const std::string& s) { out->append("<" + s + ">"); }).ok());
  ASSERT_TRUE(e().Eval("(print \"a\") (mark \"m\") (dump \"b\") (putc 10)").ok());
  EXPECT_EQ(output_, "a<m>\"b\"\n");
  output_.clear();
  // with-output-to-string still captures.
  EXPECT_EQ(Run("(%with-output-to-string (lambda () (print 'inner)))"), "\"inner\"");
  EXPECT_EQ(output_, "");
  // Output before an error is delivered.
  EXPECT_FALSE(e().Eval("(print \"partial\") (car 1 2 3)").ok());
  EXPECT_EQ(output_, "partial");
}

// --- Stats and interrupts ----------------------------------------------------------------------

TEST_P(EngineTest, Stats) {
  ASSERT_TRUE(e().Eval(kFib).ok());
  ASSERT_TRUE(e().Function<int64_t(int64_t)>("fib")(22).ok());
  EngineStats s = e().Stats();
  EXPECT_EQ(s.engine_thread, std::get<0>(GetParam()) == Threading::kEngineThread);
  EXPECT_EQ(s.engine_stack_bytes, s.engine_thread ? kDefaultEngineStackBytes : 0);
  EXPECT_FALSE(s.code_memory_reason.empty());
  std::string text = e().FormatStats();
  EXPECT_THAT(text, HasSubstr("maru-stats: code_memory=" + s.code_memory + "\n"));
  EXPECT_THAT(text, HasSubstr("maru-stats: engine_thread="));
  if (std::get<1>(GetParam()) == ExecutionMode::kOff) {
    EXPECT_EQ(s.code_memory, "none");
    EXPECT_EQ(s.functions_compiled, 0);
  } else if (s.code_memory != "none") {
    EXPECT_GT(s.functions_compiled, 0);
    EXPECT_GT(s.code_bytes, 0);
    EXPECT_GE(s.compile_us, 0);
  }
}

TEST_P(EngineTest, InterruptStopsALoop) {
  ASSERT_TRUE(e().Eval("(define-function spin (n) (while 1 (set n (+ n 1))))").ok());
  std::thread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    e().Interrupt();
  });
  absl::StatusOr<Value> v = e().Eval("(spin 0)");
  interrupter.join();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(MaruErrorMessage(v.status()), "interrupt");
  EXPECT_EQ(Run("(+ 1 1)"), "2");
}

// --- Threading rules and stack -----------------------------------------------------------------

TEST_P(EngineTest, SecondThreadIsRefusedWhileTheFirstIsInside) {
  std::atomic<bool> inside{false}, release{false};
  ASSERT_TRUE(e().Define("wait-here",
                         [&]() {
                           inside = true;
                           while (!release) std::this_thread::yield();
                         })
                  .ok());
  std::thread first([&] { EXPECT_TRUE(e().Eval("(wait-here)").ok()); });
  while (!inside) std::this_thread::yield();
  absl::StatusOr<Value> v = e().Eval("1");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
  release = true;
  first.join();
  // Used from another thread afterwards: fine.
  std::thread later([&] { EXPECT_EQ(Run("(+ 2 2)"), "4"); });
  later.join();
  EXPECT_EQ(Run("(+ 3 3)"), "6");
}

TEST_P(EngineTest, DeepRecursionOrACleanStackOverflow) {
  ASSERT_TRUE(e().Eval("(define-function depth (n) (if (= n 0) 0 (+ 1 (depth (- n 1)))))").ok());
  auto depth = e().Function<int64_t(int64_t)>("depth");
  // 2,000 interpreted levels fit an 8 MiB stack even with ASan's larger frames.
  absl::StatusOr<int64_t> some = depth(2000);
  ASSERT_TRUE(some.ok()) << some.status();
  EXPECT_EQ(*some, 2000);
  if (std::get<0>(GetParam()) == Threading::kEngineThread) {
    absl::StatusOr<int64_t> deep = depth(100000);  // 256 MiB of stack (also under ASan)
    ASSERT_TRUE(deep.ok()) << deep.status();
    EXPECT_EQ(*deep, 100000);
  }
  // Far too deep for any stack here: an error, not a crash.
  absl::StatusOr<int64_t> r = depth(100000000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(MaruErrorMessage(r.status()), "stack overflow");
  EXPECT_EQ(*depth(100), 100);
}

// --- Options -----------------------------------------------------------------------------------

TEST(EngineOptionsTest, WithoutPreludeAndWithArguments) {
  EngineOptions options;
  options.load_prelude = false;
  options.arguments = {"one", "two"};
  std::unique_ptr<Engine> e = *Engine::Create(options);
  EXPECT_EQ(*e->Dump(*e->Eval("*arguments*")), "(\"one\" \"two\")");
  EXPECT_EQ(*e->Eval("(define x 4) (+ x x)")->As<int64_t>(), 8);
  absl::StatusOr<Value> v = e->Eval("(define-function f (x) x)");  // a prelude macro
  EXPECT_FALSE(v.ok());
  EXPECT_FALSE(e->Eval("(list 1 2)").ok());  // `list` comes from the prelude
}

TEST(EngineOptionsTest, DefaultsAndProcessStdout) {
  std::unique_ptr<Engine> e = *Engine::Create();
  EXPECT_EQ(e->options().execution, ExecutionMode::kAuto);
  EXPECT_EQ(e->options().threading, Threading::kCallingThread);
  EXPECT_EQ(e->options().tier_threshold, kDefaultTierThreshold);
  EXPECT_FALSE(e->Stats().engine_thread);
  EXPECT_GT(e->id(), 0u);
  // No output callback: print writes to the process's stdout.
  testing::internal::CaptureStdout();
  ASSERT_TRUE(e->Eval("(print \"to stdout\")").ok());
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "to stdout");
}

TEST(EngineOptionsTest, TierThresholdAndCodeMemory) {
  EngineOptions options;
  options.tier_threshold = 2;
  std::unique_ptr<Engine> e = *Engine::Create(options);
  ASSERT_TRUE(e->Eval("(define-function inc (x) (+ x 1))").ok());
  int64_t before = e->Stats().functions_compiled;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(e->Call("inc", i).ok());
  if (e->Stats().code_memory != "none") EXPECT_GT(e->Stats().functions_compiled, before);

  options.code_memory = CodeMemoryRequest::kDlopen;
  std::unique_ptr<Engine> d = *Engine::Create(options);
  EXPECT_THAT(d->Stats().code_memory, ::testing::AnyOf("dlopen", "none"));
  EXPECT_FALSE(d->Stats().code_memory_reason.empty());
  EXPECT_EQ(*d->Eval("(define-function twice (x) (* 2 x)) (twice (twice 3))")->As<int64_t>(), 12);

  options.code_memory = CodeMemoryRequest::kMemory;
  options.execution = ExecutionMode::kOff;
  std::unique_ptr<Engine> off = *Engine::Create(options);
  EXPECT_EQ(off->Stats().code_memory, "none");
  EXPECT_EQ(off->Stats().code_memory_reason, "--jit=off");

  options.tier_threshold = -1;
  EXPECT_EQ(Engine::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EngineOptionsTest, CallingThreadEngineMovesBetweenThreads) {
  EngineOptions options;
  options.threading = Threading::kCallingThread;
  std::unique_ptr<Engine> e;
  std::thread maker([&] { e = *Engine::Create(options); });
  maker.join();
  ASSERT_TRUE(e->Eval("(define-function depth (n) (if (= n 0) 0 (+ 1 (depth (- n 1)))))").ok());
  // The stack limit follows the thread: deep recursion here works and overflow is clean.
  std::thread user([&] {
    EXPECT_EQ(*e->Function<int64_t(int64_t)>("depth")(5000), 5000);
    EXPECT_EQ(MaruErrorMessage(e->Function<int64_t(int64_t)>("depth")(100000000).status()),
              "stack overflow");
  });
  user.join();
  EXPECT_EQ(*e->Function<int64_t(int64_t)>("depth")(5000), 5000);
}

// Small callees are inlined into compiled callers unless the options say not to; the results and
// late binding are the same either way.
TEST(EngineOptionsTest, InliningCanBeTurnedOff) {
  for (bool inline_calls : {true, false}) {
    EngineOptions options;
    options.execution = ExecutionMode::kEager;
    options.inline_calls = inline_calls;
    options.optimize_threshold = 0;  // inline at the first compile
    std::unique_ptr<Engine> e = *Engine::Create(options);
    ASSERT_TRUE(e->Eval("(define-function sq (x) (* x x))"
                        "(define-function sum-sq (a b) (+ (sq a) (sq b)))")
                    .ok());
    EXPECT_EQ(*e->Function<int64_t(int64_t, int64_t)>("sum-sq")(3, 4), 25);
    ASSERT_TRUE(e->Eval("(define-function sq (x) (+ x x))").ok());
    EXPECT_EQ(*e->Function<int64_t(int64_t, int64_t)>("sum-sq")(3, 4), 14);
    EngineStats stats = e->Stats();
    if (stats.code_memory == "none") continue;  // no JIT on this machine
    if (inline_calls) {
      EXPECT_GE(stats.calls_inlined, 2);
    } else {
      EXPECT_EQ(stats.calls_inlined, 0);
    }
  }
}

// Two tiers: sum-sq is compiled without inlining first, and with it once its code has run
// optimize_threshold times; a lower threshold gets there sooner, results stay the same.
TEST(EngineOptionsTest, HotCodeIsCompiledAgainWithInlining) {
  for (int64_t threshold : {int64_t{1000}, int64_t{5}}) {
    EngineOptions options;
    options.execution = ExecutionMode::kEager;
    options.optimize_threshold = threshold;
    std::unique_ptr<Engine> e = *Engine::Create(options);
    ASSERT_TRUE(e->Eval("(define-function sq (x) (* x x))"
                        "(define-function sum-sq (a b) (+ (sq a) (sq b)))")
                    .ok());
    // (The prelude's own hot functions count too: only the changes are sum-sq's.)
    const EngineStats before = e->Stats();
    if (before.code_memory == "none") continue;  // no JIT on this machine
    auto sum_sq = e->Function<int64_t(int64_t, int64_t)>("sum-sq");
    for (int64_t i = 0; i < threshold - 1; ++i) EXPECT_EQ(*sum_sq(i, 1), i * i + 1);
    EngineStats stats = e->Stats();
    EXPECT_EQ(stats.functions_optimized - before.functions_optimized, 0) << threshold;
    EXPECT_EQ(stats.calls_inlined - before.calls_inlined, 0) << threshold;
    for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(*sum_sq(3, i), 9 + i * i);
    stats = e->Stats();
    EXPECT_EQ(stats.functions_optimized - before.functions_optimized, 1) << threshold;
    EXPECT_GE(stats.calls_inlined - before.calls_inlined, 2) << threshold;
  }
}

// A hot `while` of interpreted code (here top-level code) continues compiled, and says so in the
// stats; with the JIT off it stays interpreted. Same result either way.
TEST(EngineOptionsTest, HotLoopsContinueCompiled) {
  const char* kLoop =
      "(let ((i 0) (total 0)) (while (< i 5000) (set total (+ total i))"
      " (set i (+ i 1))) total)";
  for (ExecutionMode mode : {ExecutionMode::kOff, ExecutionMode::kAuto}) {
    EngineOptions options;
    options.execution = mode;
    std::unique_ptr<Engine> e = *Engine::Create(options);
    const EngineStats before = e->Stats();
    absl::StatusOr<Value> total = e->Eval(kLoop);
    ASSERT_TRUE(total.ok()) << total.status();
    EXPECT_EQ(*total->As<int64_t>(), 12497500);
    const EngineStats stats = e->Stats();
    if (mode == ExecutionMode::kOff || stats.code_memory == "none") {
      EXPECT_EQ(stats.loops_compiled, 0);
    } else {
      EXPECT_EQ(stats.loops_compiled - before.loops_compiled, 1);
    }
    EXPECT_NE(e->FormatStats().find("maru-stats: loops_compiled="), std::string::npos);
  }
}

// Two engines with the same module cache: the second loads the first one's modules, and their
// functions give the same results; identical functions and redefinitions show in the stats.
TEST(EngineOptionsTest, ModuleCacheIdenticalFunctionsAndRecompiles) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/engine_module_cache";
  EngineOptions options;
  options.execution = ExecutionMode::kEager;
  options.code_memory = CodeMemoryRequest::kDlopen;
  options.module_cache_dir = dir;
  constexpr char kProgram[] =
      "(define-function add1 (x) (+ x 1))"
      "(define-function inc (x) (+ x 1))"
      "(define-function twice (x) (add1 (add1 x)))";
  int64_t results[2];
  for (int run = 0; run < 2; ++run) {
    std::unique_ptr<Engine> e = *Engine::Create(options);
    ASSERT_TRUE(e->Eval(kProgram).ok());
    EXPECT_EQ(*e->Function<int64_t(int64_t)>("inc")(1), 2);
    EXPECT_EQ(*e->Function<int64_t(int64_t)>("add1")(2), 3);
    results[run] = *e->Function<int64_t(int64_t)>("twice")(40);
    ASSERT_TRUE(e->Eval("(set add1 (lambda (x) (* x 2)))").ok());
    // The first call finds the guard failed (and takes the code away), the second compiles.
    EXPECT_EQ(*e->Function<int64_t(int64_t)>("twice")(5), 20);
    EXPECT_EQ(*e->Function<int64_t(int64_t)>("twice")(6), 24);
    EngineStats stats = e->Stats();
    EXPECT_EQ(stats.code_memory, "dlopen");
    EXPECT_EQ(stats.module_cache, dir);
    EXPECT_GE(stats.guard_recompiles, 1);  // twice, after add1 changed
    if (run == 0) {
      // add1 reuses inc's code: from memory, or as the module the cache just stored.
      EXPECT_GE(stats.cache_hits + stats.module_cache_hits, 1);
      EXPECT_GT(stats.module_cache_stores, 0);
    } else {
      EXPECT_GT(stats.module_cache_hits, 0);  // (inc's module too: nothing is generated)
    }
  }
  EXPECT_EQ(results[0], 42);
  EXPECT_EQ(results[1], 42);
}

}  // namespace
}  // namespace maru
