// C++ versions of the benchmark programs, compiled "call-faithful" (-O2 -fno-inline
// -fno-optimize-sibling-calls -fno-ipa-cp, see BUILD): every call in the source is a call in the
// machine code, as in the Maru programs they are compared with.
#ifndef MARU_BENCHMARKS_BASELINES_CALL_FAITHFUL_H_
#define MARU_BENCHMARKS_BASELINES_CALL_FAITHFUL_H_

#include <cstdint>

namespace maru::baselines {

int64_t Fib(int64_t n);
int64_t Tak(int64_t x, int64_t y, int64_t z);

}  // namespace maru::baselines

#endif  // MARU_BENCHMARKS_BASELINES_CALL_FAITHFUL_H_
