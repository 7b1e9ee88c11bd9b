// JIT benchmarks: fib and tak per call, compiled Maru against the interpreter and call-faithful
// C++ in one binary. Run with
//   bazel run -c opt //benchmarks:jit_benchmark
// Ratios worth quoting come from one run (the machines are noisy). Compile latency is measured by
// //benchmarks:compile_benchmark, whole programs by //benchmarks:programs_benchmark.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/support/maru_source.h"
#include "jit/jit.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/vm.h"

namespace maru {
namespace {

constexpr char kPrograms[] =
    "(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))"
    "(define-function tak (x y z)"
    "  (if (not (< y x)) z (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y))))";

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

// A Vm with the prelude and the programs, in the given mode.
struct Engine {
  explicit Engine(jit::JitMode mode) {
    jit::JitOptions options;
    options.mode = mode;
    options.verify = false;
    compiler = jit::Jit::Create(options);
    if (mode != jit::JitMode::kOff) vm.tier_up = compiler.get();
    LoadPrelude(vm);
    EvalSource(vm, kPrograms);
  }
  Vm vm;
  std::unique_ptr<jit::Jit> compiler;
};

void RunProgram(benchmark::State& state, jit::JitMode mode, const char* call, Oop expected,
                double calls) {
  Engine engine(mode);
  EvalSource(engine.vm, call);  // warm up (and compile)
  for (auto _ : state) {
    if (EvalSource(engine.vm, call) != expected) state.SkipWithError("wrong result");
  }
  state.counters["ns_per_call"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * calls,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

constexpr double kFib30Calls = 2692537;  // calls made by (fib 30)
constexpr double kTakCalls = 63609;      // calls made by (tak 18 12 6)

void BM_Fib30_Interpreter(benchmark::State& s) {
  RunProgram(s, jit::JitMode::kOff, "(fib 30)", MakeFixnum(832040), kFib30Calls);
}
void BM_Fib30_Jit(benchmark::State& s) {
  RunProgram(s, jit::JitMode::kEager, "(fib 30)", MakeFixnum(832040), kFib30Calls);
}
void BM_Fib30_CallFaithfulCxx(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(baselines::Fib(30));
  state.counters["ns_per_call"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kFib30Calls,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
void BM_Tak_Interpreter(benchmark::State& s) {
  RunProgram(s, jit::JitMode::kOff, "(tak 18 12 6)", MakeFixnum(7), kTakCalls);
}
void BM_Tak_Jit(benchmark::State& s) {
  RunProgram(s, jit::JitMode::kEager, "(tak 18 12 6)", MakeFixnum(7), kTakCalls);
}
void BM_Tak_CallFaithfulCxx(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(baselines::Tak(18, 12, 6));
  state.counters["ns_per_call"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kTakCalls,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Fib30_Interpreter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fib30_Jit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fib30_CallFaithfulCxx)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Tak_Interpreter)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Tak_Jit)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Tak_CallFaithfulCxx)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace maru

int main(int argc, char** argv) {
  maru::InitHeap();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
