#include "benchmarks/baselines/call_faithful.h"

namespace maru::baselines {

__attribute__((noinline)) int64_t Fib(int64_t n) { return n < 2 ? n : Fib(n - 1) + Fib(n - 2); }

__attribute__((noinline)) int64_t Tak(int64_t x, int64_t y, int64_t z) {
  if (!(y < x)) return z;
  return Tak(Tak(x - 1, y, z), Tak(y - 1, z, x), Tak(z - 1, x, y));
}

}  // namespace maru::baselines
