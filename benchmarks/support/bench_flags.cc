#include "benchmarks/support/bench_flags.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "absl/strings/numbers.h"

namespace maru::bench {

namespace {

bool ParseIterations(std::string_view text, int64_t* out) {
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), out) || *out <= 0) {
    std::fprintf(stderr, "bad iteration count: %.*s\n", static_cast<int>(text.size()), text.data());
    return false;
  }
  return true;
}

}  // namespace

bool ParseBenchFlags(int* argc, char** argv, BenchFlags* flags) {
  if (const char* env = std::getenv("MARU_BENCH_ITERATIONS"); env != nullptr && *env != '\0') {
    if (!ParseIterations(env, &flags->iterations)) return false;
  }
  constexpr std::string_view kIterations = "--maru_iterations=";
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, kIterations.size()) == kIterations) {
      if (!ParseIterations(arg.substr(kIterations.size()), &flags->iterations)) return false;
    } else if (arg == "--maru_callgrind") {
      flags->callgrind = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  argv[kept] = nullptr;
  return true;
}

}  // namespace maru::bench
