// The cost of one call, by kind of callee, through the embedding API (maru::Engine) in the
// interpreter and with the JIT:
//   maru              a Maru function:            (one-arg 1)
//   primitive         a primitive that is called: (array-at a 0)
//   inline_primitive  a primitive the JIT inlines: (car l)
//   ffi               a C function through subr:  (labs -1), labs = (subr "labs" "l>l")
//   host              a C++ function given to Engine::Define: (host-identity 1)
//   from_cxx          C++ calling a Maru function: Engine::Function<int64_t(int64_t)>
// Each Maru loop runs kCallsPerRun iterations of (set s (+ s CALL)); ns_per_call subtracts the
// same loop with CALL replaced by 1 (loop_ns, measured in the same Engine just before). Times
// are process CPU time (the machines these run on are shared: waiting does not count).
// Run with: bazel run -c opt //benchmarks:calls_benchmark
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/support/process_cpu_clock.h"
#include "maru/engine.h"

namespace maru {
namespace {

constexpr int64_t kCallsPerRun = 100000;

constexpr char kDefinitions[] = R"maru(
(define-function one-arg (x) x)
(define *one-array* (array 1))
(set-array-at *one-array* 0 1)
(define labs (subr "labs" "l>l"))

(define-function loop-bare (n)
  (let ((i 0) (s 0))
    (while (< i n) (set s (+ s 1)) (set i (+ i 1)))
    s))
(define-function loop-maru (n)
  (let ((i 0) (s 0))
    (while (< i n) (set s (+ s (one-arg 1))) (set i (+ i 1)))
    s))
(define-function loop-primitive (n)
  (let ((i 0) (s 0) (a *one-array*))
    (while (< i n) (set s (+ s (array-at a 0))) (set i (+ i 1)))
    s))
(define-function loop-inline-primitive (n)
  (let ((i 0) (s 0) (l '(1)))
    (while (< i n) (set s (+ s (car l))) (set i (+ i 1)))
    s))
(define-function loop-ffi (n)
  (let ((i 0) (s 0))
    (while (< i n) (set s (+ s (labs -1))) (set i (+ i 1)))
    s))
(define-function loop-host (n)
  (let ((i 0) (s 0))
    (while (< i n) (set s (+ s (host-identity 1))) (set i (+ i 1)))
    s))
)maru";

absl::StatusOr<std::unique_ptr<Engine>> MakeEngine(ExecutionMode mode) {
  EngineOptions options;
  options.execution = mode;
  options.code_memory = CodeMemoryRequest::kMemory;
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(std::move(options));
  if (!engine.ok()) return engine.status();
  absl::Status defined = (*engine)->Define("host-identity", [](int64_t x) { return x; });
  if (!defined.ok()) return defined;
  if (absl::StatusOr<Value> r = (*engine)->Eval(kDefinitions, "calls_benchmark"); !r.ok()) {
    return r.status();
  }
  return engine;
}

// CPU seconds per run of `loop` (the mean of 5 runs after one more that compiles it).
absl::StatusOr<double> SecondsPerRun(Engine& engine, const std::string& loop) {
  Function<int64_t(int64_t)> run = engine.Function<int64_t(int64_t)>(loop);
  std::vector<double> seconds;
  for (int i = 0; i < 6; ++i) {
    const double start = bench::ProcessCpuSeconds();
    absl::StatusOr<int64_t> r = run(kCallsPerRun);
    if (!r.ok()) return r.status();
    if (i > 0) seconds.push_back(bench::ProcessCpuSeconds() - start);
  }
  double sum = 0;
  for (double s : seconds) sum += s;
  return sum / static_cast<double>(seconds.size());
}

// A Maru loop making kCallsPerRun calls of one kind per iteration.
void BM_CallFromMaru(benchmark::State& state, ExecutionMode mode, std::string loop) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = MakeEngine(mode);
  if (!engine.ok()) {
    state.SkipWithError(std::string(engine.status().message()).c_str());
    return;
  }
  absl::StatusOr<double> bare = SecondsPerRun(**engine, "loop-bare");
  absl::StatusOr<double> warm = SecondsPerRun(**engine, loop);  // also compiles it
  if (!bare.ok() || !warm.ok()) {
    state.SkipWithError(std::string((bare.ok() ? warm.status() : bare.status()).message()).c_str());
    return;
  }
  Function<int64_t(int64_t)> run = (*engine)->Function<int64_t(int64_t)>(loop);
  double seconds = 0;
  for (auto _ : state) {
    const double start = bench::ProcessCpuSeconds();
    absl::StatusOr<int64_t> r = run(kCallsPerRun);
    seconds += bench::ProcessCpuSeconds() - start;
    if (!r.ok() || *r != kCallsPerRun) {
      state.SkipWithError(r.ok() ? "wrong result" : std::string(r.status().message()).c_str());
      break;
    }
  }
  const double calls = static_cast<double>(state.iterations()) * kCallsPerRun;
  if (calls == 0) return;
  const double loop_ns = *bare / kCallsPerRun * 1e9;
  state.counters["ns_per_iteration"] = seconds / calls * 1e9;
  state.counters["loop_ns"] = loop_ns;
  state.counters["ns_per_call"] = seconds / calls * 1e9 - loop_ns;
  const EngineStats stats = (*engine)->Stats();
  state.SetLabel(mode == ExecutionMode::kOff ? "interpreter"
                                             : absl::StrCat("jit ", stats.code_memory));
  if (mode != ExecutionMode::kOff && stats.functions_fallback != 0) {
    state.SkipWithError("the JIT declined a function");
  }
}

// C++ calling a Maru function through Engine::Function, kCallsPerRun times per iteration.
void BM_CallFromCxx(benchmark::State& state, ExecutionMode mode) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = MakeEngine(mode);
  if (!engine.ok()) {
    state.SkipWithError(std::string(engine.status().message()).c_str());
    return;
  }
  Function<int64_t(int64_t)> one_arg = (*engine)->Function<int64_t(int64_t)>("one-arg");
  for (int i = 0; i < 100; ++i) (void)one_arg(i);  // compiles it (auto mode: after 16 calls)
  for (auto _ : state) {
    int64_t sum = 0;
    for (int64_t i = 0; i < kCallsPerRun; ++i) {
      absl::StatusOr<int64_t> r = one_arg(1);
      sum += r.ok() ? *r : 0;
    }
    if (sum != kCallsPerRun) {
      state.SkipWithError("wrong result");
      break;
    }
  }
  state.counters["ns_per_call"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kCallsPerRun,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(mode == ExecutionMode::kOff
                     ? "interpreter"
                     : absl::StrCat("jit ", (*engine)->Stats().code_memory));
}

void RegisterBenchmarks() {
  struct Mode {
    const char* name;
    ExecutionMode mode;
  };
  for (Mode m : {Mode{"interpreter", ExecutionMode::kOff}, Mode{"jit", ExecutionMode::kEager}}) {
    for (const char* kind : {"maru", "primitive", "inline_primitive", "ffi", "host"}) {
      std::string loop = absl::StrCat("loop-", kind);
      std::replace(loop.begin(), loop.end(), '_', '-');
      benchmark::RegisterBenchmark(absl::StrCat("BM_Call/", kind, "/", m.name).c_str(),
                                   BM_CallFromMaru, m.mode, loop)
          ->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark(absl::StrCat("BM_Call/from_cxx/", m.name).c_str(), BM_CallFromCxx,
                                 m.mode)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace maru

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  maru::RegisterBenchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
