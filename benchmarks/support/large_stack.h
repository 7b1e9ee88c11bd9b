// Running a function on a thread with a large stack: the C++ baselines recurse as deeply as the
// Maru programs (cpstak: ~130,000 nested calls per repetition, no tail calls), which would
// overflow a default 8 MiB stack.
#ifndef MARU_BENCHMARKS_SUPPORT_LARGE_STACK_H_
#define MARU_BENCHMARKS_SUPPORT_LARGE_STACK_H_

#include <cstddef>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace maru::bench {

// The stack the benchmarks give deep recursion (virtual memory: only the used part is touched).
inline constexpr size_t kLargeStackBytes = size_t{1} << 30;

// Runs `fn` on a new thread with a stack of `stack_bytes`, registered with the collector (so
// that objects referenced only from that stack stay alive), and waits for it to finish.
absl::Status RunOnLargeStack(absl::FunctionRef<void()> fn, size_t stack_bytes = kLargeStackBytes);

}  // namespace maru::bench

#endif  // MARU_BENCHMARKS_SUPPORT_LARGE_STACK_H_
