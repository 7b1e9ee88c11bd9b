// Tier-0 interpreter benchmarks (issue: foundation). Run with
//   bazel run -c opt //benchmarks:interpreter_benchmark
// Reported counters: ns per fib call, ns per loop iteration, start-up cost.
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "benchmark/benchmark.h"
#include "benchmarks/support/maru_source.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/vm.h"

extern char** environ;

namespace maru {
namespace {

// Evaluates `source`, returning the value of the last form; a Maru error ends the process (a
// benchmark of a broken program would measure nothing).
Oop EvalSource(Vm& vm, const std::string& source) {
  absl::StatusOr<Oop> result = bench::EvalSource(vm, source);
  if (!result.ok()) {
    std::fprintf(stderr, "benchmark error: %s\n", std::string(result.status().message()).c_str());
    std::exit(1);
  }
  return *result;
}

void BM_InterpreterFib25(benchmark::State& state) {
  Vm vm;
  LoadPrelude(vm);
  EvalSource(vm, "(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))");
  constexpr int64_t kCalls = 242785;  // calls made by (fib 25)
  for (auto _ : state) {
    Oop r = EvalSource(vm, "(fib 25)");
    if (r != MakeFixnum(75025)) state.SkipWithError("wrong result");
  }
  state.counters["ns_per_call"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kCalls,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_InterpreterFib25)->Unit(benchmark::kMillisecond);

void BM_InterpreterLoopSum(benchmark::State& state) {
  Vm vm;
  LoadPrelude(vm);
  EvalSource(vm,
             "(define-function loop-sum (n)"
             "  (let ((s 0) (i 1)) (while (<= i n) (set s (+ s i)) (set i (+ i 1))) s))");
  constexpr int64_t kIterations = 1000000;
  for (auto _ : state) {
    Oop r = EvalSource(vm, "(loop-sum 1000000)");
    if (r != MakeFixnum(500000500000)) state.SkipWithError("wrong result");
  }
  state.counters["ns_per_iteration"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kIterations,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_InterpreterLoopSum)->Unit(benchmark::kMillisecond);

// A new Vm with the prelude loaded: the in-process part of `maru -e 1`.
void BM_StartupWithPrelude(benchmark::State& state) {
  for (auto _ : state) {
    Vm vm;
    if (!LoadPrelude(vm)) state.SkipWithError("prelude failed");
  }
}
BENCHMARK(BM_StartupWithPrelude)->Unit(benchmark::kMillisecond);

// The whole process: `maru -e 1` (exec, dynamic linking, Vm, prelude, exit).
void BM_ProcessMaruE1(benchmark::State& state) {
  std::string maru = "tools/maru/maru";
  for (auto _ : state) {
    char* argv[] = {maru.data(), const_cast<char*>("-e"), const_cast<char*>("1"), nullptr};
    pid_t pid;
    if (posix_spawn(&pid, maru.c_str(), nullptr, nullptr, argv, environ) != 0) {
      state.SkipWithError("cannot start tools/maru/maru");
      break;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) state.SkipWithError("maru -e 1 failed");
  }
}
BENCHMARK(BM_ProcessMaruE1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace maru

int main(int argc, char** argv) {
  maru::InitHeap();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
