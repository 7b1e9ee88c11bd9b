// JIT benchmarks: compiled Maru against the interpreter and call-faithful C++ in one binary, and
// compile latency per phase. Run with
//   bazel run -c opt //benchmarks:jit_benchmark
// Ratios worth quoting come from one run (the machines are noisy).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "benchmarks/baselines/call_faithful.h"
#include "jit/backend/backend.h"
#include "jit/codemem/code_memory.h"
#include "jit/ir/verifier.h"
#include "jit/jit.h"
#include "jit/lower/lower.h"
#include "jit/passes/passes.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/reader.h"
#include "runtime/vm.h"

namespace maru {
namespace {

constexpr char kPrograms[] =
    "(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))"
    "(define-function tak (x y z)"
    "  (if (not (< y x)) z (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y))))";

// A function of about 100 IR nodes: straight-line arithmetic and calls.
constexpr char kHundredNodes[] =
    "(define-function hundred (a b c)"
    "  (let ((x (+ a b)) (y (- b c)) (z (* a c)))"
    "    (if (< x y) (set x (+ x (car (list y z)))) (set y (- y 1)))"
    "    (while (< z 10) (set z (+ z 1)) (set x (+ x z)))"
    "    (list (+ x y) (- x z) (* y z) (+ (+ x 1) (+ y 2)) (- (- z 3) (- x 4))"
    "          (if (= x y) (car (cons x y)) (cdr (cons y x))) (max x y z) (min x y z))))";

Oop EvalSource(Vm& vm, const std::string& source) {
  FILE* f = fmemopen(const_cast<char*>(source.data()), source.size(), "r");
  Oop result = kNil;
  {
    Reader reader(vm, f, "<benchmark>");
    for (;;) {
      bool eof = false;
      Oop form = reader.Read(&eof);
      if (eof || form == kErrorOop) break;
      result = EvalTopLevel(vm, form);
      if (result == kErrorOop) break;
    }
  }
  std::fclose(f);
  if (vm.HasError()) {
    std::fprintf(stderr, "benchmark error: %s\n", vm.TakeError().message.c_str());
    std::abort();
  }
  return result;
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
  state.counters["ns_per_call"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * calls,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

constexpr double kFib30Calls = 2692537;   // calls made by (fib 30)
constexpr double kTakCalls = 63609;       // calls made by (tak 18 12 6)

void BM_Fib30_Interpreter(benchmark::State& s) {
  RunProgram(s, jit::JitMode::kOff, "(fib 30)", MakeFixnum(832040), kFib30Calls);
}
void BM_Fib30_Jit(benchmark::State& s) {
  RunProgram(s, jit::JitMode::kEager, "(fib 30)", MakeFixnum(832040), kFib30Calls);
}
void BM_Fib30_CallFaithfulCxx(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(baselines::Fib(30));
  state.counters["ns_per_call"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kFib30Calls,
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
  state.counters["ns_per_call"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kTakCalls,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Fib30_Interpreter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fib30_Jit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fib30_CallFaithfulCxx)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Tak_Interpreter)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Tak_Jit)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Tak_CallFaithfulCxx)->Unit(benchmark::kMicrosecond);

// Compile latency from an encoded function to installed code, per phase.
void CompileLatency(benchmark::State& state, const char* definition, const char* name) {
  Engine engine(jit::JitMode::kOff);
  EvalSource(engine.vm, definition);
  Oop expr = Slot(engine.vm.FindGlobal(name), variable::kValue);
  std::string why;
  std::unique_ptr<jit::CodeMemory> memory = jit::NewDualMappedCodeMemory(&why);
  std::unique_ptr<jit::Backend> backend = jit::NewHostBackend();
  using Clock = std::chrono::steady_clock;
  double lower_ns = 0, passes_ns = 0, codegen_ns = 0, nodes = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    jit::ir::Function f;
    if (!jit::LowerExpr(engine.vm, expr, &f).empty()) state.SkipWithError("lowering failed");
    auto t1 = Clock::now();
    jit::RunPasses(f, /*verify=*/false);
    auto t2 = Clock::now();
    jit::CodeBlock block;
    std::string error;
    if (!backend->Compile(f, *memory, jit::BackendOptions(), &block, &error)) {
      state.SkipWithError(error.c_str());
    }
    auto t3 = Clock::now();
    memory->Release(block);
    lower_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
    passes_ns += std::chrono::duration<double, std::nano>(t2 - t1).count();
    codegen_ns += std::chrono::duration<double, std::nano>(t3 - t2).count();
    nodes = 0;
    for (const auto& b : f.blocks) nodes += static_cast<double>(b.instrs.size());
  }
  double n = static_cast<double>(state.iterations());
  state.counters["lower_us"] = lower_ns / n / 1000;
  state.counters["passes_us"] = passes_ns / n / 1000;
  state.counters["codegen_install_us"] = codegen_ns / n / 1000;
  state.counters["ir_nodes"] = nodes;
}
void BM_CompileFib(benchmark::State& s) { CompileLatency(s, kPrograms, "fib"); }
void BM_CompileHundredNodes(benchmark::State& s) { CompileLatency(s, kHundredNodes, "hundred"); }
BENCHMARK(BM_CompileFib)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CompileHundredNodes)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace maru

int main(int argc, char** argv) {
  maru::InitHeap();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
