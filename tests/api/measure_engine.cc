// Measurements behind the numbers in api/README.md (not a test):
//   bazel run //tests/api:measure_engine
// * the cost of handing a call to the engine thread and back (Threading::kEngineThread) versus
//   running on the calling thread, for back-to-back calls and for calls that find the engine
//   thread asleep;
// * the native stack used per nested Maru call (interpreted and compiled);
// * the deepest recursion an 8 MiB calling thread allows, and the smallest stack that loads the
//   prelude;
// * the time to create an Engine.
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "maru/engine.h"

namespace maru {
namespace {

using Clock = std::chrono::steady_clock;

double NanosPer(Clock::duration d, int64_t n) {
  return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(n);
}

std::unique_ptr<Engine> Make(Threading threading, ExecutionMode mode, bool prelude = true) {
  EngineOptions options;
  options.threading = threading;
  options.execution = mode;
  options.load_prelude = prelude;
  absl::StatusOr<std::unique_ptr<Engine>> e = Engine::Create(options);
  if (!e.ok()) {
    std::fprintf(stderr, "Create: %s\n", e.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(e);
}

const char* Name(Threading t) {
  return t == Threading::kEngineThread ? "engine thread " : "calling thread";
}
const char* Name(ExecutionMode m) {
  return m == ExecutionMode::kOff ? "interpreter" : m == ExecutionMode::kEager ? "eager" : "auto";
}

void CallOverhead() {
  std::printf("== Per-call cost of Function<int64_t(int64_t)> on (lambda (x) x)\n");
  for (ExecutionMode mode : {ExecutionMode::kOff, ExecutionMode::kEager}) {
    for (Threading threading : {Threading::kCallingThread, Threading::kEngineThread}) {
      std::unique_ptr<Engine> e = Make(threading, mode);
      (void)e->Eval("(define id (lambda (x) x))");
      auto id = e->Function<int64_t(int64_t)>("id");
      constexpr int64_t kCalls = 200000;
      for (int i = 0; i < 1000; ++i) (void)id(i);
      double best = 1e30;
      for (int rep = 0; rep < 5; ++rep) {
        auto start = Clock::now();
        for (int64_t i = 0; i < kCalls; ++i) (void)id(i);
        best = std::min(best, NanosPer(Clock::now() - start, kCalls));
      }
      // Calls that find the engine thread asleep (its spin has expired).
      constexpr int kSparse = 300;
      Clock::duration sparse{};
      for (int i = 0; i < kSparse; ++i) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        auto start = Clock::now();
        (void)id(i);
        sparse += Clock::now() - start;
      }
      // Eval of a tiny expression.
      constexpr int kEvals = 20000;
      auto start = Clock::now();
      for (int i = 0; i < kEvals; ++i) (void)e->Eval("(+ 1 2)");
      double eval_ns = NanosPer(Clock::now() - start, kEvals);
      std::printf(
          "  %-11s %s: back-to-back %7.0f ns/call, after 200us idle %7.0f ns/call, "
          "Eval(\"(+ 1 2)\") %7.0f ns\n",
          Name(mode), Name(threading), best, NanosPer(sparse, kSparse), eval_ns);
    }
  }
}

// The stack address seen by a host function at depth 0 and depth n of a recursion.
void StackPerCall() {
  std::printf("== Native stack per nested Maru call\n");
  for (ExecutionMode mode : {ExecutionMode::kOff, ExecutionMode::kEager}) {
    std::unique_ptr<Engine> e = Make(Threading::kEngineThread, mode);
    (void)e->Define("sp", []() {
      return static_cast<int64_t>(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
    });
    (void)e->Eval("(define-function probe (n) (if (= n 0) (sp) (+ 0 (probe (- n 1)))))");
    auto probe = e->Function<int64_t(int64_t)>("probe");
    (void)probe(1);  // compile
    constexpr int64_t kDepth = 10000;
    int64_t top = *probe(0), deep = *probe(kDepth);
    std::printf("  %-11s %.0f bytes per call (simple recursive function)\n", Name(mode),
                static_cast<double>(top - deep) / kDepth);
    (void)e->Eval(
        "(define-function probe2 (n a b) (let ((c (+ a b)) (d (- a b))) "
        "(if (= n 0) (sp) (+ 0 (probe2 (- n 1) c d)))))");
    auto probe2 = e->Function<int64_t(int64_t, int64_t, int64_t)>("probe2");
    (void)probe2(1, 1, 1);
    top = *probe2(0, 1, 1);
    deep = *probe2(kDepth, 1, 1);
    std::printf("  %-11s %.0f bytes per call (3 parameters, a let with 2 locals)\n", Name(mode),
                static_cast<double>(top - deep) / kDepth);
  }
}

struct StackRun {
  size_t stack_bytes;
  ExecutionMode mode;
  std::string result;
};

void* RunOnStack(void* arg) {
  auto* run = static_cast<StackRun*>(arg);
  EngineOptions options;
  options.threading = Threading::kCallingThread;
  options.execution = run->mode;
  absl::StatusOr<std::unique_ptr<Engine>> e = Engine::Create(options);
  if (!e.ok()) {
    run->result = "prelude failed: " + std::string(e.status().message().substr(0, 40));
    return nullptr;
  }
  (void)(*e)->Eval("(define-function depth (n) (if (= n 0) 0 (+ 1 (depth (- n 1)))))");
  auto depth = (*e)->Function<int64_t(int64_t)>("depth");
  // The deepest recursion that works (binary search).
  int64_t lo = 0, hi = 1 << 24;
  while (lo < hi) {
    int64_t mid = (lo + hi + 1) / 2;
    if (depth(mid).ok()) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  run->result = "prelude ok, max depth " + std::to_string(lo);
  return nullptr;
}

void StackSizes() {
  std::printf("== Calling-thread engines on small stacks (prelude load, deepest recursion)\n");
  for (ExecutionMode mode : {ExecutionMode::kOff, ExecutionMode::kAuto, ExecutionMode::kEager}) {
    for (size_t kib : {64, 128, 256, 512, 1024, 8192}) {
      StackRun run{kib * 1024, mode, ""};
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setstacksize(&attr, run.stack_bytes);
      pthread_t thread;
      if (pthread_create(&thread, &attr, RunOnStack, &run) != 0) {
        std::printf("  cannot create a thread\n");
        continue;
      }
      pthread_join(thread, nullptr);
      pthread_attr_destroy(&attr);
      std::printf("  %-11s %5zu KiB stack: %s\n", Name(mode), kib, run.result.c_str());
    }
  }
}

void CreateTimes() {
  std::printf("== Engine::Create\n");
  for (ExecutionMode mode : {ExecutionMode::kOff, ExecutionMode::kAuto, ExecutionMode::kEager}) {
    for (Threading threading : {Threading::kCallingThread, Threading::kEngineThread}) {
      for (bool prelude : {false, true}) {
        constexpr int kRuns = 20;
        auto start = Clock::now();
        for (int i = 0; i < kRuns; ++i) Make(threading, mode, prelude);
        std::printf("  %-11s %s prelude=%d: %.2f ms\n", Name(mode), Name(threading), prelude,
                    NanosPer(Clock::now() - start, kRuns) / 1e6);
      }
    }
  }
}

}  // namespace
}  // namespace maru

int main() {
  maru::CallOverhead();
  maru::StackPerCall();
  maru::StackSizes();
  maru::CreateTimes();
  return 0;
}
