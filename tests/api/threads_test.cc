// Several engines in several threads at once (api/maru/engine.h THREADS): each thread creates its
// own Engine, defines Maru and C++ functions, and runs JIT-compiled code (eager mode) while the
// others do the same and the collector runs.
#include <gc.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"
#include "gtest/gtest.h"
#include "maru/engine.h"

namespace maru {
namespace {

constexpr int kThreads = 8;

// A crash in one of the threads prints its stack (races show up rarely).
[[maybe_unused]] const bool kCrashHandler = [] {
  absl::InitializeSymbolizer("threads_test");
  absl::InstallFailureSignalHandler(absl::FailureSignalHandlerOptions());
  return true;
}();

int64_t Fib(int64_t n) { return n < 2 ? n : Fib(n - 1) + Fib(n - 2); }

constexpr char kProgram[] =
    "(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))\n"
    "(define-function build (n) (if (= n 0) () (cons (scale n) (build (- n 1)))))\n"
    "(define-function work (n) (+ (fib n) (list-length (build (* n 50)))))\n";

// Registers a std::thread with the collector for its lifetime, as Boehm GC requires of threads
// that touch collector memory themselves (here: GC_gcollect). Threads that only use the API need
// not: it registers the threads that need it.
class GcThreadScope {
 public:
  GcThreadScope() {
    GC_stack_base base;
    registered_ =
        GC_get_stack_base(&base) == GC_SUCCESS && GC_register_my_thread(&base) == GC_SUCCESS;
  }
  ~GcThreadScope() {
    if (registered_) GC_unregister_my_thread();
  }

 private:
  bool registered_;
};

// One thread's share: everything it checks is recorded as failures of the test.
void Work(int index, Threading threading, std::latch* start, std::atomic<int>* failures,
          std::atomic<int64_t>* compiled) {
  GcThreadScope gc_thread;
  auto fail = [&](const std::string& what) {
    ADD_FAILURE() << "thread " << index << ": " << what;
    ++*failures;
  };
  EngineOptions options;
  options.execution = ExecutionMode::kEager;
  options.threading = threading;
  std::string output;
  options.output = [&output](std::string_view text) { output.append(text); };
  start->arrive_and_wait();
  absl::StatusOr<std::unique_ptr<Engine>> created = Engine::Create(options);
  if (!created.ok()) return fail(created.status().ToString());
  Engine& e = **created;
  if (!e.Define("scale", [index](int64_t n) { return n * (index + 1); }).ok()) {
    return fail("Define");
  }
  absl::StatusOr<Value> loaded = e.Eval(kProgram);
  if (!loaded.ok()) return fail(loaded.status().ToString());
  auto work = e.Function<int64_t(int64_t)>("work");
  for (int round = 0; round < 5; ++round) {
    for (int64_t n = 10; n <= 18; ++n) {
      absl::StatusOr<int64_t> r = work(n);
      if (!r.ok()) return fail(r.status().ToString());
      if (*r != Fib(n) + n * 50) return fail("work(" + std::to_string(n) + ") wrong");
    }
    // Values made here are kept across the others' collections.
    absl::StatusOr<Value> list = e.Eval("(build 100)");
    if (!list.ok()) return fail(list.status().ToString());
    GC_gcollect();
    absl::StatusOr<std::vector<int64_t>> items = list->As<std::vector<int64_t>>();
    if (!items.ok() || items->size() != 100 || (*items)[0] != 100 * (index + 1)) {
      return fail("list contents");
    }
    if (!e.Eval("(print \"x\")").ok()) return fail("print");
  }
  // An error in one engine does not disturb the others.
  if (e.Eval("(car 1 2)").ok()) return fail("expected an error");
  if (output != "xxxxx") return fail("output " + output);
  EngineStats stats = e.Stats();
  if (stats.code_memory != "none") {
    if (stats.functions_compiled == 0) return fail("nothing compiled");
    *compiled += stats.functions_compiled;
  }
}

class ThreadsTest : public ::testing::TestWithParam<Threading> {};

INSTANTIATE_TEST_SUITE_P(Threading, ThreadsTest,
                         ::testing::Values(Threading::kEngineThread, Threading::kCallingThread),
                         [](const auto& info) {
                           return info.param == Threading::kEngineThread ? "EngineThread"
                                                                         : "CallingThread";
                         });

TEST_P(ThreadsTest, ConcurrentEnginesRunCompiledCode) {
  std::latch start(kThreads);
  std::atomic<int> failures{0};
  std::atomic<int64_t> compiled{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(Work, i, GetParam(), &start, &failures, &compiled);
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::unique_ptr<Engine> probe = *Engine::Create();
  if (probe->Stats().code_memory != "none") EXPECT_GT(compiled.load(), 0);
}

// Threads that register themselves with the collector (as the Boehm GC documentation asks)
// work too: the API sees the registration and leaves it to them.
TEST_P(ThreadsTest, ThreadsRegisteredByTheHost) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      GC_stack_base base;
      ASSERT_EQ(GC_get_stack_base(&base), GC_SUCCESS);
      ASSERT_EQ(GC_register_my_thread(&base), GC_SUCCESS);
      {
        EngineOptions options;
        options.threading = GetParam();
        std::unique_ptr<Engine> e = *Engine::Create(options);
        absl::StatusOr<Value> v = e->Eval("(+ 40 " + std::to_string(i) + ")");
        if (v.ok() && *v->As<int64_t>() == 40 + i) ++ok;
      }
      GC_unregister_my_thread();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
}

// Engines made and destroyed over and over in several threads while collections run: compiled
// code of dead engines is released by finalizers running on other threads.
TEST_P(ThreadsTest, EnginesComeAndGo) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      GcThreadScope gc_thread;
      for (int round = 0; round < 6; ++round) {
        EngineOptions options;
        options.execution = ExecutionMode::kEager;
        options.threading = GetParam();
        options.load_prelude = false;
        std::unique_ptr<Engine> e = *Engine::Create(options);
        absl::StatusOr<Value> v =
            e->Eval("(define f (lambda (n) (if (< n 2) n (+ (f (- n 1)) (f (- n 2)))))) (f 15)");
        if (v.ok() && *v->As<int64_t>() == 610) ++ok;
        GC_gcollect();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 24);
}

// A Value made in one thread can be read and released in another.
TEST(ValueThreadsTest, ValuesMoveBetweenThreads) {
  std::unique_ptr<Engine> e = *Engine::Create();
  Value v;
  std::thread maker([&] { v = *e->Eval("(list 1 2 3)"); });
  maker.join();
  GC_gcollect();
  EXPECT_EQ(*v.As<std::vector<int>>(), (std::vector<int>{1, 2, 3}));
  std::thread reader([v] { EXPECT_EQ(v.As<std::vector<int>>()->size(), 3u); });
  reader.join();
}

}  // namespace
}  // namespace maru
