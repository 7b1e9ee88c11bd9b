// Fuzz target: differential execution. The input bytes drive a generator of well-formed Maru
// programs (program_generator.h); each program runs in fresh engines (api/maru/engine.h) under
//   * the interpreter (ExecutionMode::kOff), the oracle,
//   * the JIT in eager mode with in-memory code (every function compiled before its first call),
//   * the JIT in eager mode with code loaded through dlopen'ed shared objects,
//   * the JIT in auto mode with a threshold of 2 (functions switch tiers while they run),
// and the printed output, the outcome (value, Maru error message or exit status) and the dumped
// value must be identical. Backtraces are not compared: compiled frames list fewer inner forms
// (api/README.md). The eager engines must also have compiled every function they were given
// (no fallback to the interpreter) with the code memory kind they were asked for.
//
// The engines load the generator's small prelude (program_generator.h), not the project's: an
// engine is then tens of times cheaper to make (0.6 ms against 30-90 ms in the sanitizer build).
// MARU_FUZZ_PRELUDE=full in the environment loads the project's prelude instead.
// MARU_FUZZ_PRINT=1 in the environment prints each generated program and the interpreter's
// outcome on stderr (to read what a corpus or regression input does).
#include <gc.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "maru/engine.h"
#include "maru/value.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/program_generator.h"

namespace maru::fuzz {
namespace {

struct Mode {
  const char* name;
  ExecutionMode execution;
  CodeMemoryRequest code_memory;
  int64_t tier_threshold;
};

constexpr Mode kOracle = {"interpreter", ExecutionMode::kOff, CodeMemoryRequest::kAuto, 0};
constexpr Mode kCompiledModes[] = {
    {"eager (memory)", ExecutionMode::kEager, CodeMemoryRequest::kMemory, 0},
    {"eager (dlopen)", ExecutionMode::kEager, CodeMemoryRequest::kDlopen, 0},
    {"auto (threshold 2)", ExecutionMode::kAuto, CodeMemoryRequest::kAuto, 2},
};

struct Outcome {
  std::string output;  // what print/dump wrote
  std::string result;  // "value: <dump>", "error: <message>" or "exit <n>"
  EngineStats stats;
};

std::string Describe(const Outcome& o) {
  return "  result: " + o.result + "\n  output (" + std::to_string(o.output.size()) + " bytes):\n" +
         o.output;
}

// MARU_FUZZ_PRELUDE=full: the engines load the project's prelude instead of the generator's
// small one (slower; it adds the prelude's own functions to what is compiled and compared).
bool UseFullPrelude() {
  static const bool full = [] {
    const char* prelude = std::getenv("MARU_FUZZ_PRELUDE");
    return prelude != nullptr && std::string_view(prelude) == "full";
  }();
  return full;
}

Outcome Run(const Mode& mode, const std::string& program) {
  Outcome outcome;
  EngineOptions options;
  options.execution = mode.execution;
  options.code_memory = mode.code_memory;
  if (mode.tier_threshold > 0) options.tier_threshold = mode.tier_threshold;
  options.output = [&outcome](std::string_view text) { outcome.output.append(text); };
  const bool full_prelude = UseFullPrelude();
  options.load_prelude = full_prelude;
  absl::StatusOr<std::unique_ptr<Engine>> created = Engine::Create(std::move(options));
  MARU_FUZZ_CHECK(created.ok(), std::string(mode.name) + ": " + created.status().ToString());
  Engine& engine = **created;
  // The generated programs force collections with (gc): compiled frames are then on the stack.
  absl::Status defined = engine.Define("gc", [] { GC_gcollect(); });
  MARU_FUZZ_CHECK(defined.ok(), defined.ToString());
  if (!full_prelude) {
    absl::StatusOr<Value> loaded = engine.Eval(ProgramPrelude(), "<program-prelude>");
    MARU_FUZZ_CHECK(loaded.ok(), std::string(mode.name) + ": the program prelude does not load: " +
                                     loaded.status().ToString());
  }

  absl::StatusOr<Value> value = engine.Eval(program, "<fuzz>");
  if (value.ok()) {
    absl::StatusOr<std::string> dumped = engine.Dump(*value);
    outcome.result = dumped.ok() ? "value: " + *dumped
                                 : "dump failed: " + std::string(dumped.status().message());
  } else if (IsExit(value.status())) {
    outcome.result = "exit " + std::to_string(ExitStatus(value.status()).value_or(-1));
  } else {
    std::optional<std::string> message = MaruErrorMessage(value.status());
    MARU_FUZZ_CHECK(value.status().code() == absl::StatusCode::kUnknown && message.has_value(),
                    std::string(mode.name) + ": not a Maru error: " + value.status().ToString() +
                        "\nprogram:\n" + program);
    outcome.result = "error: " + *message;
  }
  outcome.stats = engine.Stats();
  return outcome;
}

void CheckCompiledMode(const Mode& mode, const Outcome& outcome, const std::string& program) {
  const std::string& kind = outcome.stats.code_memory;
  if (mode.code_memory == CodeMemoryRequest::kDlopen) {
    MARU_FUZZ_CHECK(kind == "dlopen", std::string(mode.name) + ": code memory " + kind + " (" +
                                          outcome.stats.code_memory_reason + ")");
  } else {
    MARU_FUZZ_CHECK(kind != "none" && kind != "dlopen", std::string(mode.name) + ": code memory " +
                                                            kind + " (" +
                                                            outcome.stats.code_memory_reason + ")");
  }
  if (mode.execution == ExecutionMode::kEager) {
    std::string reasons;
    for (const auto& [reason, count] : outcome.stats.fallback_reasons) {
      reasons += "  " + reason + ": " + std::to_string(count) + "\n";
    }
    MARU_FUZZ_CHECK(outcome.stats.functions_fallback == 0,
                    std::string(mode.name) + ": functions left to the interpreter:\n" + reasons +
                        "program:\n" + program);
    MARU_FUZZ_CHECK(outcome.stats.functions_compiled > 0,
                    std::string(mode.name) + ": nothing compiled");
  }
}

}  // namespace
}  // namespace maru::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace maru;
  using namespace maru::fuzz;
  const std::string program = GenerateProgram(data, size);
  if (std::getenv("MARU_FUZZ_PRINT") != nullptr) {
    std::fprintf(stderr, ";; ---- generated program (%zu input bytes)\n%s", size, program.c_str());
  }
  const Outcome expected = Run(kOracle, program);
  if (std::getenv("MARU_FUZZ_PRINT") != nullptr) {
    std::fprintf(stderr, ";; ---- interpreter: %s (%zu bytes of output)\n", expected.result.c_str(),
                 expected.output.size());
  }
  for (const Mode& mode : kCompiledModes) {
    const Outcome actual = Run(mode, program);
    MARU_FUZZ_CHECK(actual.output == expected.output && actual.result == expected.result,
                    std::string("the ") + mode.name +
                        " engine disagrees with the interpreter\nprogram:\n" + program +
                        "\ninterpreter:\n" + Describe(expected) + "\n" + mode.name + ":\n" +
                        Describe(actual));
    CheckCompiledMode(mode, actual, program);
  }
  return 0;
}
