// The programs of benchmarks/programs, in process, in every execution mode, next to their
// call-faithful C++ versions (benchmarks/baselines) in the same binary. Run with
//   bazel run -c opt //benchmarks:programs_benchmark [-- --benchmark_filter=fib]
//
// For each program (programs.tsv, in-process argument) the benchmarks are
//   BM_Program/<name>/cxx          the C++ version (on a thread with a 1 GiB stack)
//   BM_Program/<name>/interpreter  maru::Engine, ExecutionMode::kOff
//   BM_Program/<name>/jit_auto     kAuto (the default: compiled after 16 calls)
//   BM_Program/<name>/jit_eager    kEager (every function compiled before its first call)
//   BM_Program/<name>/dlopen       kAuto with CodeMemoryRequest::kDlopen (code in shared objects)
// Each Engine evaluates on its own thread with a 1 GiB stack (Maru has no tail calls: cpstak
// nests ~130,000 calls). An iteration is one (run-benchmark ARG) call; its output line must be
// the line of expected.tsv (and the C++ version's). Counters: cpu_ms per run (process CPU time:
// every thread, including the collector's), ratio_to_cxx (cpu_ms / the C++ version's cpu_ms
// measured in this process), ns_per_call for fib and tak.
// The program is loaded with its quick argument (a first, checked run); JIT modes then run once
// more, untimed, at the benchmark's argument so that the hot functions are compiled.
// `startup` is left out: it measures process start-up only (see benchmarks/peers).
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/support/large_stack.h"
#include "benchmarks/support/process_cpu_clock.h"
#include "benchmarks/support/program_table.h"
#include "maru/engine.h"

namespace maru::bench {
namespace {

struct Mode {
  const char* name;
  ExecutionMode execution;
  CodeMemoryRequest code;
};

constexpr Mode kModes[] = {
    {"interpreter", ExecutionMode::kOff, CodeMemoryRequest::kAuto},
    {"jit_auto", ExecutionMode::kAuto, CodeMemoryRequest::kMemory},
    {"jit_eager", ExecutionMode::kEager, CodeMemoryRequest::kMemory},
    {"dlopen", ExecutionMode::kAuto, CodeMemoryRequest::kDlopen},
};

struct Program {
  ProgramSpec spec;
  std::string path;           // the .l file
  std::string expected_line;  // for spec.in_process_argument
  std::string quick_line;     // for spec.quick_argument ("" if expected.tsv has none)
  const baselines::BaselineProgram* baseline;
};

// CPU seconds per run of each C++ version, measured by its benchmark (or on demand).
std::map<std::string, double>& CxxSecondsPerRun() {
  static auto* seconds = new std::map<std::string, double>;
  return *seconds;
}

// Calls made by one run, for the programs whose count is known: ns_per_call.
double CallsPerRun(const Program& p) {
  const int64_t arg = p.spec.in_process_argument;
  if (p.spec.name == "fib") {
    double a = 0, b = 1;  // calls(fib n) = 2 fib(n+1) - 1
    for (int64_t i = 0; i < arg + 1; ++i) {
      const double next = a + b;
      a = b;
      b = next;
    }
    return 2 * a - 1;
  }
  if (p.spec.name == "tak") return 63609.0 * static_cast<double>(arg);  // (tak 18 12 6)
  return 0;
}

// One run of the C++ version: its line and the process CPU time it took.
absl::Status RunCxx(const Program& p, std::string* line, double* cpu_seconds) {
  const double start = ProcessCpuSeconds();
  absl::Status s = RunOnLargeStack([&] { *line = p.baseline->run(p.spec.in_process_argument); });
  *cpu_seconds = ProcessCpuSeconds() - start;
  return s;
}

void BM_Cxx(benchmark::State& state, const Program* p) {
  double cpu = 0;
  for (auto _ : state) {
    std::string line;
    double seconds = 0;
    if (absl::Status s = RunCxx(*p, &line, &seconds); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
    cpu += seconds;
    if (line != p->expected_line) {
      state.SkipWithError(("printed '" + line + "', expected '" + p->expected_line + "'").c_str());
      break;
    }
  }
  const double runs = static_cast<double>(state.iterations());
  if (runs == 0) return;
  CxxSecondsPerRun()[p->spec.name] = cpu / runs;
  state.counters["cpu_ms"] = cpu / runs * 1e3;
  state.counters["ratio_to_cxx"] = 1.0;
  if (const double calls = CallsPerRun(*p); calls > 0) {
    state.counters["ns_per_call"] = cpu / runs / calls * 1e9;
  }
}

// The C++ version's CPU seconds per run: from its benchmark in this process, else measured now
// (at least 0.2 s), e.g. when --benchmark_filter left its benchmark out.
absl::StatusOr<double> CxxReference(const Program& p) {
  auto known = CxxSecondsPerRun().find(p.spec.name);
  if (known != CxxSecondsPerRun().end()) return known->second;
  double total = 0;
  int runs = 0;
  while (total < 0.2 || runs < 3) {
    std::string line;
    double seconds = 0;
    if (absl::Status s = RunCxx(p, &line, &seconds); !s.ok()) return s;
    total += seconds;
    ++runs;
  }
  return CxxSecondsPerRun()[p.spec.name] = total / runs;
}

void BM_Maru(benchmark::State& state, const Program* p, Mode mode) {
  absl::StatusOr<double> cxx = CxxReference(*p);
  if (!cxx.ok()) {
    state.SkipWithError(std::string(cxx.status().message()).c_str());
    return;
  }
  std::string output;
  EngineOptions options;
  options.execution = mode.execution;
  options.code_memory = mode.code;
  options.threading = Threading::kEngineThread;
  options.engine_stack_bytes = kLargeStackBytes;
  options.output = [&output](std::string_view text) { output.append(text); };
  options.arguments = {std::to_string(p->spec.quick_argument)};
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(std::move(options));
  if (!engine.ok()) {
    state.SkipWithError(std::string(engine.status().message()).c_str());
    return;
  }
  // Loading runs the program once, on its quick argument.
  if (absl::StatusOr<Value> loaded = (*engine)->Load(p->path); !loaded.ok()) {
    state.SkipWithError(std::string(loaded.status().message()).c_str());
    return;
  }
  if (!p->quick_line.empty() && output != p->quick_line + "\n") {
    state.SkipWithError(("loading printed '" + output + "'").c_str());
    return;
  }
  Function<void(int64_t)> run = (*engine)->Function<void(int64_t)>("run-benchmark");
  const std::string expected = p->expected_line + "\n";
  auto run_once = [&]() -> absl::Status {
    output.clear();
    if (absl::Status s = run(p->spec.in_process_argument); !s.ok()) return s;
    if (output != expected) {
      return absl::InternalError("printed '" + output + "', expected '" + p->expected_line + "'");
    }
    return absl::OkStatus();
  };
  if (mode.execution != ExecutionMode::kOff) {
    if (absl::Status s = run_once(); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  double cpu = 0;
  for (auto _ : state) {
    const double start = ProcessCpuSeconds();
    absl::Status s = run_once();
    cpu += ProcessCpuSeconds() - start;
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
  }
  const double runs = static_cast<double>(state.iterations());
  if (runs == 0) return;
  state.counters["cpu_ms"] = cpu / runs * 1e3;
  state.counters["ratio_to_cxx"] = cpu / runs / *cxx;
  if (const double calls = CallsPerRun(*p); calls > 0) {
    state.counters["ns_per_call"] = cpu / runs / calls * 1e9;
  }
  const EngineStats stats = (*engine)->Stats();
  state.counters["functions_compiled"] = static_cast<double>(stats.functions_compiled);
  state.counters["functions_fallback"] = static_cast<double>(stats.functions_fallback);
  state.SetLabel(mode.execution == ExecutionMode::kOff ? "interpreter"
                                                       : "code_memory=" + stats.code_memory);
  if (mode.execution != ExecutionMode::kOff && stats.code_memory == "none") {
    state.SkipWithError(("no code memory: " + stats.code_memory_reason).c_str());
  }
}

absl::StatusOr<std::vector<Program>> LoadPrograms(const char* argv0) {
  absl::StatusOr<std::string> dir = FindProgramsDirectory(argv0);
  if (!dir.ok()) return dir.status();
  absl::StatusOr<std::vector<ProgramSpec>> specs = ReadProgramTable(*dir);
  if (!specs.ok()) return specs.status();
  absl::StatusOr<ExpectedLines> expected = ReadExpectedLines(*dir);
  if (!expected.ok()) return expected.status();
  std::vector<Program> programs;
  for (const ProgramSpec& spec : *specs) {
    if (spec.name == "startup") continue;
    Program p{spec, absl::StrCat(*dir, "/", spec.name, ".l"), "", "",
              baselines::FindBaselineProgram(spec.name)};
    if (p.baseline == nullptr) {
      return absl::NotFoundError(absl::StrCat(spec.name, ": no C++ version in baselines/"));
    }
    auto line = expected->find({spec.name, spec.in_process_argument});
    if (line == expected->end()) {
      return absl::NotFoundError(
          absl::StrCat("expected.tsv has no line for ", spec.name, " ", spec.in_process_argument));
    }
    p.expected_line = line->second;
    auto quick = expected->find({spec.name, spec.quick_argument});
    if (quick != expected->end()) p.quick_line = quick->second;
    programs.push_back(std::move(p));
  }
  return programs;
}

void RegisterBenchmarks(const std::vector<Program>& programs) {
  for (const Program& p : programs) {
    const std::string prefix = absl::StrCat("BM_Program/", p.spec.name, "/");
    benchmark::RegisterBenchmark((prefix + "cxx").c_str(), BM_Cxx, &p)
        ->Unit(benchmark::kMillisecond)
        ->MeasureProcessCPUTime();
    for (const Mode& mode : kModes) {
      benchmark::RegisterBenchmark((prefix + mode.name).c_str(), BM_Maru, &p, mode)
          ->Unit(benchmark::kMillisecond)
          ->MeasureProcessCPUTime();
    }
  }
}

}  // namespace
}  // namespace maru::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  absl::StatusOr<std::vector<maru::bench::Program>> programs = maru::bench::LoadPrograms(argv[0]);
  if (!programs.ok()) {
    std::fprintf(stderr, "programs_benchmark: %s\n",
                 std::string(programs.status().message()).c_str());
    return 1;
  }
  maru::bench::RegisterBenchmarks(*programs);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
