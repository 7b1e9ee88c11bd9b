// Evaluating Maru source text in a Vm, for the benchmarks that drive the runtime directly.
#ifndef MARU_BENCHMARKS_SUPPORT_MARU_SOURCE_H_
#define MARU_BENCHMARKS_SUPPORT_MARU_SOURCE_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru::bench {

// Reads and evaluates each form of `source` in turn; returns the value of the last one, or the
// Maru error report (as the `maru` command prints it) as an kUnknown status.
absl::StatusOr<Oop> EvalSource(Vm& vm, std::string_view source);

// A Vm with the prelude loaded, or the error report of the prelude.
absl::Status LoadPreludeInto(Vm& vm);

}  // namespace maru::bench

#endif  // MARU_BENCHMARKS_SUPPORT_MARU_SOURCE_H_
