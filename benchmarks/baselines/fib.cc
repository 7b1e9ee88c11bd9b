// fib: doubly recursive Fibonacci (benchmarks/programs/fib.l).
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

MARU_CALL_FAITHFUL int64_t Fib(int64_t n) { return n < 2 ? n : Fib(n - 1) + Fib(n - 2); }

std::string RunFib(int64_t n) {
  return "fib " + std::to_string(n) + ": " + std::to_string(Fib(Opaque(n)));
}

}  // namespace maru::baselines
