// Compile latency of the JIT: from an encoded Maru function (an Expr) to installed machine code,
// per phase and end to end, for fib, tak and generated functions of about 10, 100 and 1,000 IR
// nodes, with in-memory code and with code loaded through dlopen. Run with
//   bazel run -c opt //benchmarks:compile_benchmark
// Instruction counts per phase under callgrind: benchmarks/callgrind.sh. See benchmarks/README.md.
//
// Flags besides Google Benchmark's: --maru_iterations=N (exactly N iterations per benchmark; also
// the environment variable MARU_BENCH_ITERATIONS) and --maru_callgrind (the instruction-count
// benchmarks instead of the timed ones).
#include <gc.h>
#include <valgrind/callgrind.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/support/bench_flags.h"
#include "benchmarks/support/compile_pipeline.h"
#include "benchmarks/support/function_generator.h"
#include "benchmarks/support/maru_source.h"
#include "jit/backend/backend.h"
#include "jit/codemem/code_memory.h"
#include "jit/jit.h"
#include "jit/lower/lower.h"
#include "jit/passes/passes.h"
#include "runtime/heap.h"
#include "runtime/printer.h"
#include "runtime/vm.h"

namespace maru::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A function the benchmarks compile.
struct Subject {
  std::string name;
  std::string source;  // its definition
  std::string call;    // a call whose result is checked in the interpreter and compiled
  int64_t ir_nodes = 0;
  std::string problem;  // why it cannot be benchmarked ("" when it can)
};

enum class CodeKind { kMemory, kDlopen };

const char* CodeKindName(CodeKind kind) { return kind == CodeKind::kMemory ? "memory" : "dlopen"; }

// The code memory the JIT would use for `kind` (jit/jit.cc: dual mapping, else write-then-execute
// pages; or the dlopen kind).
std::unique_ptr<jit::CodeMemory> NewCodeMemory(CodeKind kind, std::string* why) {
  if (kind == CodeKind::kDlopen) return jit::NewDlopenCodeMemory(why);
  std::unique_ptr<jit::CodeMemory> memory = jit::NewDualMappedCodeMemory(why);
  return memory != nullptr ? std::move(memory) : jit::NewWriteThenExecuteCodeMemory(why);
}

Oop ValueOf(Vm& vm, const std::string& name) {
  Oop var = vm.FindGlobal(name);
  return var == kNil ? kNil : Slot(var, variable::kValue);
}

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// A Vm with the prelude, the generator's helper and every subject defined.
struct Context {
  Vm vm;
  std::vector<Subject> subjects;
};

// Evaluates `call` in a fresh interpreter and in a fresh eager JIT, and compares the printed
// results: the compile benchmarks must compile functions the JIT gets right.
std::string CheckCompiledResult(const Subject& s) {
  std::string printed[2];
  for (int compiled = 0; compiled < 2; ++compiled) {
    jit::JitOptions options;
    options.mode = compiled ? jit::JitMode::kEager : jit::JitMode::kOff;
    std::unique_ptr<jit::Jit> jit = jit::Jit::Create(options);
    Vm vm;
    if (compiled) {
      if (jit->stats().code_memory == "none") return "no code memory";
      vm.tier_up = jit.get();
    }
    if (absl::Status st = LoadPreludeInto(vm); !st.ok()) return std::string(st.message());
    absl::StatusOr<Oop> r =
        EvalSource(vm, absl::StrCat(kGeneratedFunctionHelper, s.source, s.call));
    if (!r.ok()) return std::string(r.status().message());
    printed[compiled] = DumpForMessage(vm, *r, 200);
    if (compiled && jit->stats().functions_fallback != 0) return "the JIT declined a function";
  }
  if (printed[0] != printed[1]) {
    return absl::StrCat(s.call, ": interpreted ", printed[0], ", compiled ", printed[1]);
  }
  return "";
}

absl::StatusOr<std::unique_ptr<Context>> MakeContext() {
  auto context = std::make_unique<Context>();
  Vm& vm = context->vm;
  if (absl::Status st = LoadPreludeInto(vm); !st.ok()) return st;
  if (absl::StatusOr<Oop> r = EvalSource(vm, kGeneratedFunctionHelper); !r.ok()) return r.status();
  context->subjects = {
      {"fib", "(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))",
       "(fib 20)"},
      {"tak",
       "(define-function tak (x y z)"
       "  (if (< y x) (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y)) z))",
       "(tak 18 12 6)"},
  };
  for (Subject& s : context->subjects) {
    if (absl::StatusOr<Oop> r = EvalSource(vm, s.source); !r.ok()) return r.status();
    absl::StatusOr<int64_t> nodes = LoweredNodes(vm, s.name);
    if (!nodes.ok()) return nodes.status();
    s.ir_nodes = *nodes;
  }
  for (int64_t target : {10, 100, 1000}) {
    const std::string name = absl::StrCat("nodes", target);
    absl::StatusOr<GeneratedFunction> f = DefineFunctionOfSize(vm, name, target);
    if (!f.ok()) return f.status();
    context->subjects.push_back({name, f->source, absl::StrCat("(", name, " 1 2 3)"), f->ir_nodes});
  }
  for (Subject& s : context->subjects) {
    s.problem = CheckCompiledResult(s);
    if (absl::Status st = CheckPassList(vm, ValueOf(vm, s.name)); !st.ok() && s.problem.empty()) {
      s.problem = std::string(st.message());
    }
  }
  return context;
}

// The median of `values` (reordered). On a loaded machine a preempted iteration costs
// milliseconds; the median of microsecond-long iterations ignores those.
double Median(std::vector<double>& values) {
  if (values.empty()) return 0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

// Lowering, each pass, code generation and installation, timed separately (manual time: their
// sum). Counters: the median microseconds of each phase (<phase>_us), of the passes together
// (passes_us) and of all phases (total_us, the median of the sums), and the mean of all phases
// (mean_us, also the benchmark's time). The code is released after each iteration (release_us:
// not part of the time).
void BM_CompilePhases(benchmark::State& state, Vm* vm, const Subject* s, CodeKind kind) {
  if (!s->problem.empty()) {
    state.SkipWithError(s->problem.c_str());
    return;
  }
  std::string why;
  std::unique_ptr<jit::CodeMemory> memory = NewCodeMemory(kind, &why);
  std::unique_ptr<jit::Backend> backend = jit::NewHostBackend();
  if (memory == nullptr || backend == nullptr) {
    state.SkipWithError(("no code memory or backend: " + why).c_str());
    return;
  }
  const Oop expr = ValueOf(*vm, s->name);
  std::vector<double> phase_ns[kCompilePhaseCount];
  std::vector<double> passes_ns, total_ns, release_ns;
  PhasedCompile result;
  for (auto _ : state) {
    PhaseMeter meter;
    jit::CodeBlock block;
    absl::Status st = CompileInPhases(*vm, expr, *backend, *memory, meter, &block, &result);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    Clock::time_point released = Clock::now();
    memory->Release(block);
    release_ns.push_back(Seconds(released, Clock::now()) * 1e9);
    for (int p = 0; p < kCompilePhaseCount; ++p) {
      phase_ns[p].push_back(meter.nanoseconds(static_cast<CompilePhase>(p)));
    }
    double passes = 0;
    // Each pass's phase once (a pass run twice has one phase).
    for (int p = static_cast<int>(CompilePhase::kForwardSlots);
         p <= static_cast<int>(CompilePhase::kDeadCode); ++p) {
      passes += meter.nanoseconds(static_cast<CompilePhase>(p));
    }
    passes_ns.push_back(passes);
    total_ns.push_back(meter.total_nanoseconds());
    state.SetIterationTime(meter.total_nanoseconds() * 1e-9);
  }
  if (total_ns.empty()) return;
  double sum_ns = 0;
  for (double ns : total_ns) sum_ns += ns;
  for (int p = 0; p < kCompilePhaseCount; ++p) {
    state.counters[absl::StrCat(CompilePhaseName(static_cast<CompilePhase>(p)), "_us")] =
        Median(phase_ns[p]) / 1000;
  }
  state.counters["passes_us"] = Median(passes_ns) / 1000;
  state.counters["total_us"] = Median(total_ns) / 1000;
  state.counters["mean_us"] = sum_ns / static_cast<double>(total_ns.size()) / 1000;
  state.counters["release_us"] = Median(release_ns) / 1000;
  state.counters["ir_nodes"] = static_cast<double>(result.lowered_nodes);
  state.counters["ir_nodes_optimized"] = static_cast<double>(result.optimized_nodes);
  state.counters["code_bytes"] = static_cast<double>(result.code_bytes);
  state.SetLabel(memory->kind());
}

// Jit::Compile as the runtime calls it, with the code memory kind forced. Jit::Compile reuses the
// code of a lambda it has compiled, so each iteration first evaluates the definition again (not
// timed: manual time) to get a new lambda. That lambda lowers to the same IR as the last. Sharing:
//   kFirst      the JIT forgets shared code before each compile: every compile is the first of
//               its function (what the JIT does for a new function)
//   kIdentical  each compile takes the code of the first (a function identical to one compiled
//               before)
//   kOff        no sharing: code generation alone, as before sharing existed
// inline_calls is JitOptions::inline_calls (the /no_inline variant turns it off). By default a
// function that inlining would speed up compiles as tier 1, without inlining
// (JitOptions::optimize_threshold); the /optimized variant measures the compile with inlining
// that replaces tier 1 once it is hot (optimize_threshold 0: inlining at once).
// Counters: median_us (of the compiles), ir_nodes.
enum class Sharing { kFirst, kIdentical, kOff };
void BM_CompileEndToEnd(benchmark::State& state, Vm* vm, const Subject* s, CodeKind kind,
                        bool verify, Sharing sharing, bool inline_calls, bool optimized) {
  const bool identical = sharing == Sharing::kIdentical;
  if (!s->problem.empty()) {
    state.SkipWithError(s->problem.c_str());
    return;
  }
  jit::JitOptions options;
  options.code = kind == CodeKind::kMemory ? jit::CodeRequest::kMemory : jit::CodeRequest::kDlopen;
  options.verify = verify;
  options.share_identical_code = sharing != Sharing::kOff;
  options.inline_calls = inline_calls;
  if (optimized) options.optimize_threshold = 0;
  std::unique_ptr<jit::Jit> jit = jit::Jit::Create(options);
  if (jit->stats().code_memory == "none") {
    state.SkipWithError(("no code memory: " + jit->stats().code_memory_reason).c_str());
    return;
  }
  int64_t compiled = 0;
  std::vector<double> compile_ns;
  for (auto _ : state) {
    if (absl::StatusOr<Oop> r = EvalSource(*vm, s->source); !r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
    const Oop expr = ValueOf(*vm, s->name);
    if (sharing == Sharing::kFirst) jit->ForgetSharedCodeForTesting();
    Clock::time_point start = Clock::now();
    const bool ok = jit->Compile(*vm, expr);
    const double seconds = Seconds(start, Clock::now());
    state.SetIterationTime(seconds);
    compile_ns.push_back(seconds * 1e9);
    if (!ok) {
      state.SkipWithError("Jit::Compile declined the function");
      break;
    }
    // Code of replaced definitions is freed once the collector finds them unreachable (with the
    // dlopen kind, each is a loaded module).
    if (++compiled % 256 == 0) GC_gcollect();
  }
  const jit::JitStats stats = jit->stats();
  if (!identical && stats.cache_hits != 0) state.SkipWithError("a compile reused earlier code");
  if (identical && stats.cache_hits != compiled - 1) {
    state.SkipWithError("an identical function did not reuse the code of the first");
  }
  state.counters["median_us"] = Median(compile_ns) / 1000;
  state.counters["ir_nodes"] = static_cast<double>(s->ir_nodes);
  state.SetLabel(stats.code_memory);
  // The Vm must not keep Exprs whose code goes with this Jit.
  if (absl::StatusOr<Oop> r = EvalSource(*vm, s->source); !r.ok()) {
    state.SkipWithError(std::string(r.status().message()).c_str());
  }
}

// Under callgrind (--maru_callgrind): the instructions of one phase (or of Jit::Compile as a
// whole: phase == nullopt), collected only inside that phase over the iterations and written
// as one dump labelled for benchmarks/callgrind.sh.
void BM_CompileInstructions(benchmark::State& state, Vm* vm, const Subject* s, CodeKind kind,
                            std::optional<CompilePhase> phase) {
  if (!s->problem.empty()) {
    state.SkipWithError(s->problem.c_str());
    return;
  }
  std::string why;
  std::unique_ptr<jit::CodeMemory> memory = NewCodeMemory(kind, &why);
  std::unique_ptr<jit::Backend> backend = jit::NewHostBackend();
  jit::JitOptions options;
  options.code = kind == CodeKind::kMemory ? jit::CodeRequest::kMemory : jit::CodeRequest::kDlopen;
  options.verify = false;
  std::unique_ptr<jit::Jit> jit = jit::Jit::Create(options);
  if (memory == nullptr || backend == nullptr || jit->stats().code_memory == "none") {
    state.SkipWithError(("no code memory or backend: " + why).c_str());
    return;
  }
  const Oop expr = ValueOf(*vm, s->name);
  auto compile_once = [&](PhaseMeter& meter) {
    jit::CodeBlock block;
    PhasedCompile result;
    absl::Status st = CompileInPhases(*vm, expr, *backend, *memory, meter, &block, &result);
    if (st.ok()) memory->Release(block);
    return st;
  };
  CALLGRIND_START_INSTRUMENTATION;
  {
    PhaseMeter warm_up;  // first-call costs (lazy binding, first allocations) are not counted
    if (absl::Status st = compile_once(warm_up); !st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
    }
  }
  int64_t compiled = 0;
  for (auto _ : state) {
    if (phase.has_value()) {
      PhaseMeter meter = PhaseMeter::CollectingOnly(*phase);
      if (absl::Status st = compile_once(meter); !st.ok()) {
        state.SkipWithError(std::string(st.message()).c_str());
        break;
      }
    } else {
      if (absl::StatusOr<Oop> r = EvalSource(*vm, s->source); !r.ok()) {
        state.SkipWithError(std::string(r.status().message()).c_str());
        break;
      }
      const Oop fresh = ValueOf(*vm, s->name);
      // Every compile is the first of its function (as BM_CompileEndToEnd's verify:0), not a
      // reuse of the code generated for the last iteration's identical lambda.
      jit->ForgetSharedCodeForTesting();
      CALLGRIND_TOGGLE_COLLECT;
      const bool ok = jit->Compile(*vm, fresh);
      CALLGRIND_TOGGLE_COLLECT;
      if (!ok) {
        state.SkipWithError("Jit::Compile declined the function");
        break;
      }
      if (++compiled % 256 == 0) GC_gcollect();
    }
  }
  const std::string label =
      absl::StrCat("maru-compile function=", s->name, " kind=", CodeKindName(kind),
                   " phase=", phase.has_value() ? CompilePhaseName(*phase) : "jit_compile",
                   " nodes=", s->ir_nodes, " iterations=", state.iterations());
  CALLGRIND_DUMP_STATS_AT(label.c_str());
  CALLGRIND_STOP_INSTRUMENTATION;
  if (!phase.has_value()) {
    if (absl::StatusOr<Oop> r = EvalSource(*vm, s->source); !r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
    }
  }
  state.counters["ir_nodes"] = static_cast<double>(s->ir_nodes);
}

// The dlopen kind's cost per module: `functions` copies of fib's code written into one shared
// object (a compile batch), loaded, and each called once: write + dlopen + symbol addresses +
// first calls. The code is generated once, before timing; the module is closed after each
// iteration (not timed).
void BM_DlopenModule(benchmark::State& state, Vm* vm, int functions) {
  const Oop fib = ValueOf(*vm, "fib");
  jit::ir::Function f;
  if (std::string failure = jit::LowerExpr(*vm, fib, &f); !failure.empty()) {
    state.SkipWithError(failure.c_str());
    return;
  }
  jit::RunPasses(f, /*verify=*/false);
  std::unique_ptr<jit::Backend> backend = jit::NewHostBackend();
  std::string error;
  std::unique_ptr<jit::CodeMemory> memory = jit::NewDlopenCodeMemory(&error);
  jit::GeneratedCode code;
  if (backend == nullptr || memory == nullptr ||
      !backend->Generate(f, jit::BackendOptions(), &code, &error)) {
    state.SkipWithError(("no code: " + error).c_str());
    return;
  }
  std::vector<jit::CodeMemory::Piece> pieces;
  for (int i = 0; i < functions; ++i) {
    pieces.push_back({absl::StrCat("fib", i), code.size, code.write});
  }
  using Entry = Oop (*)(Vm*, Oop, const Oop*, int64_t);
  const Oop argument = MakeFixnum(1);
  std::vector<double> micros;
  for (auto _ : state) {
    std::vector<jit::CodeBlock> blocks;
    const auto start = Clock::now();
    if (!memory->InstallBatch(pieces, &blocks, &error)) {
      state.SkipWithError(error.c_str());
      break;
    }
    bool right = true;
    for (const jit::CodeBlock& b : blocks) {
      right &= reinterpret_cast<Entry>(b.rx)(vm, fib, &argument, 1) == argument;
    }
    const double seconds = Seconds(start, Clock::now());
    state.SetIterationTime(seconds);
    micros.push_back(seconds * 1e6);
    for (const jit::CodeBlock& b : blocks) memory->Release(b);
    if (!right) {
      state.SkipWithError("(fib 1) is not 1");
      break;
    }
  }
  state.counters["functions"] = functions;
  state.counters["median_us"] = Median(micros);
}

void RegisterBenchmarks(Context& context, const BenchFlags& flags) {
  if (!flags.callgrind) {
    for (int functions : {1, 10}) {
      benchmark::RegisterBenchmark(absl::StrCat("BM_DlopenModule/functions:", functions).c_str(),
                                   BM_DlopenModule, &context.vm, functions)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  auto fixed = [&](benchmark::internal::Benchmark* b, int64_t default_iterations) {
    const int64_t n = flags.iterations > 0 ? flags.iterations : default_iterations;
    if (n > 0) b->Iterations(n);
    return b;
  };
  for (const Subject& s : context.subjects) {
    for (CodeKind kind : {CodeKind::kMemory, CodeKind::kDlopen}) {
      const std::string suffix = absl::StrCat(s.name, "/", CodeKindName(kind));
      if (flags.callgrind) {
        std::vector<std::optional<CompilePhase>> phases;
        for (int p = 0; p < kCompilePhaseCount; ++p) phases.push_back(static_cast<CompilePhase>(p));
        phases.push_back(std::nullopt);
        for (std::optional<CompilePhase> phase : phases) {
          fixed(benchmark::RegisterBenchmark(
                    absl::StrCat("BM_CompileInstructions/", suffix, "/",
                                 phase.has_value() ? CompilePhaseName(*phase) : "jit_compile")
                        .c_str(),
                    BM_CompileInstructions, &context.vm, &s, kind, phase),
                20)
              ->Unit(benchmark::kMicrosecond);
        }
        continue;
      }
      fixed(benchmark::RegisterBenchmark(("BM_CompilePhases/" + suffix).c_str(), BM_CompilePhases,
                                         &context.vm, &s, kind),
            0)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
      for (bool verify : {false, true}) {
        fixed(benchmark::RegisterBenchmark(
                  absl::StrCat("BM_CompileEndToEnd/", suffix, "/verify:", verify).c_str(),
                  BM_CompileEndToEnd, &context.vm, &s, kind, verify, Sharing::kFirst, true, false),
              0)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
      }
      // The compile with inlining that replaces tier 1 code once it is hot.
      fixed(benchmark::RegisterBenchmark(
                absl::StrCat("BM_CompileEndToEnd/", suffix, "/optimized").c_str(),
                BM_CompileEndToEnd, &context.vm, &s, kind, false, Sharing::kFirst, true, true),
            0)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
      // Without inlining (maru --inline=off): a function's own code only.
      fixed(benchmark::RegisterBenchmark(
                absl::StrCat("BM_CompileEndToEnd/", suffix, "/no_inline").c_str(),
                BM_CompileEndToEnd, &context.vm, &s, kind, false, Sharing::kFirst, false, false),
            0)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
      for (auto [name, sharing] :
           {std::pair{"identical", Sharing::kIdentical}, std::pair{"no_sharing", Sharing::kOff}}) {
        fixed(benchmark::RegisterBenchmark(
                  absl::StrCat("BM_CompileEndToEnd/", suffix, "/", name).c_str(),
                  BM_CompileEndToEnd, &context.vm, &s, kind, false, sharing, true, false),
              0)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace
}  // namespace maru::bench

int main(int argc, char** argv) {
  maru::InitHeap();
  maru::bench::BenchFlags flags;
  if (!maru::bench::ParseBenchFlags(&argc, argv, &flags)) return 2;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  absl::StatusOr<std::unique_ptr<maru::bench::Context>> context = maru::bench::MakeContext();
  if (!context.ok()) {
    std::fprintf(stderr, "compile_benchmark: %s\n",
                 std::string(context.status().message()).c_str());
    return 1;
  }
  maru::bench::RegisterBenchmarks(**context, flags);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
