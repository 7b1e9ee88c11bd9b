// Cost of the dlopen tier per module: write the image, load it (memfd or cache file), look up
// every function (dlsym or base + layout offset), call each once, and unload (dlclose, in the
// LoadedModule destructor). Run: bazel run -c opt //tests/objfile:dlopen_benchmark
#include <cstdint>

#include "benchmark/benchmark.h"
#include "jit/objfile/elf_writer.h"
#include "jit/objfile/shared_object_loader.h"
#include "tests/objfile/sample_modules.h"

namespace maru::objfile_test {
namespace {

using objfile::LoadOptions;

constexpr int64_t kMemfd = 0;
constexpr int64_t kCacheFile = 1;

void BM_WriteImage(benchmark::State& state) {
  const objfile::ModuleSpec spec = SmallX86Module(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    absl::StatusOr<objfile::WrittenModule> w = objfile::WriteElfSharedObject(spec);
    benchmark::DoNotOptimize(w->image.data());
  }
}

// range(0): functions per module; range(1): kMemfd / kCacheFile; range(2): 1 = dlsym each
// function, 0 = base + layout offset.
void BM_WriteLoadCallUnload(benchmark::State& state) {
  if (objfile::HostArch() != objfile::Arch::kX86_64) {
    state.SkipWithError("x86-64 sample code");
    return;
  }
  const objfile::ModuleSpec spec = SmallX86Module(static_cast<int>(state.range(0)));
  LoadOptions options;
  options.method = state.range(1) == kMemfd ? LoadOptions::Method::kMemfdOnly
                                            : LoadOptions::Method::kCacheFileOnly;
  const bool use_dlsym = state.range(2) != 0;
  for (auto _ : state) {
    absl::StatusOr<objfile::WrittenModule> w = objfile::WriteElfSharedObject(spec);
    absl::StatusOr<objfile::LoadedModule> m = objfile::LoadSharedObject(w->image, "bench", options);
    if (!m.ok()) {
      state.SkipWithError(std::string(m.status().message()).c_str());
      break;
    }
    int64_t sum = 0;
    for (const objfile::FunctionLayout& f : w->layout.functions) {
      void* p = use_dlsym ? *m->Symbol(f.symbol) : m->Address(f.offset);
      sum += reinterpret_cast<int64_t (*)()>(p)();
    }
    benchmark::DoNotOptimize(sum);
  }
}

// Loading alone: the image is written once, outside the loop (validation is included: it is
// part of LoadSharedObject).
void BM_LoadCallUnload(benchmark::State& state) {
  if (objfile::HostArch() != objfile::Arch::kX86_64) {
    state.SkipWithError("x86-64 sample code");
    return;
  }
  const absl::StatusOr<objfile::WrittenModule> w =
      objfile::WriteElfSharedObject(SmallX86Module(static_cast<int>(state.range(0))));
  LoadOptions options;
  options.method = LoadOptions::Method::kMemfdOnly;
  for (auto _ : state) {
    absl::StatusOr<objfile::LoadedModule> m = objfile::LoadSharedObject(w->image, "bench", options);
    if (!m.ok()) {
      state.SkipWithError(std::string(m.status().message()).c_str());
      break;
    }
    int64_t sum = 0;
    for (const objfile::FunctionLayout& f : w->layout.functions) {
      sum += reinterpret_cast<int64_t (*)()>(*m->Symbol(f.symbol))();
    }
    benchmark::DoNotOptimize(sum);
  }
}

BENCHMARK(BM_LoadCallUnload)
    ->Arg(10)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WriteImage)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WriteLoadCallUnload)
    ->ArgNames({"functions", "file", "dlsym"})
    ->Args({10, kMemfd, 1})
    ->Args({10, kMemfd, 0})
    ->Args({1, kMemfd, 1})
    ->Args({100, kMemfd, 1})
    ->Args({10, kCacheFile, 1})
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace maru::objfile_test
