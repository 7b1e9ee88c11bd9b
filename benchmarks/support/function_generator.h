// Maru functions of a chosen size for the compile benchmarks: straight-line arithmetic, branches,
// loops, allocation and calls, repeated until the lowered IR has about the requested number of
// instructions.
#ifndef MARU_BENCHMARKS_SUPPORT_FUNCTION_GENERATOR_H_
#define MARU_BENCHMARKS_SUPPORT_FUNCTION_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/vm.h"

namespace maru::bench {

// The helper that generated functions call; evaluate it before any of them.
inline constexpr char kGeneratedFunctionHelper[] = "(define-function gen-helper (p q) (- p q))";

// The definition of a function `name` of three parameters whose body has `statements`
// statements (0: the smallest body, (+ a b)). Calling it with small numbers terminates and
// returns a number.
std::string GenerateFunction(const std::string& name, int statements);

struct GeneratedFunction {
  std::string source;  // the definition (already evaluated in the Vm)
  int statements = 0;
  int64_t ir_nodes = 0;  // instructions after lowering
};

// Defines `name` in `vm` with the number of statements whose lowered IR is closest to
// `target_nodes` instructions (the helper must be defined).
absl::StatusOr<GeneratedFunction> DefineFunctionOfSize(Vm& vm, const std::string& name,
                                                       int64_t target_nodes);

// The lowered IR's instruction count of the global function `name`.
absl::StatusOr<int64_t> LoweredNodes(Vm& vm, const std::string& name);

}  // namespace maru::bench

#endif  // MARU_BENCHMARKS_SUPPORT_FUNCTION_GENERATOR_H_
