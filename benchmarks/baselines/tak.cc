// tak: the Takeuchi function on (18 12 6), summed over repetitions (benchmarks/programs/tak.l).
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

MARU_CALL_FAITHFUL int64_t Tak(int64_t x, int64_t y, int64_t z) {
  if (!(y < x)) return z;
  return Tak(Tak(x - 1, y, z), Tak(y - 1, z, x), Tak(z - 1, x, y));
}

std::string RunTak(int64_t repetitions) {
  int64_t sum = 0;
  for (int64_t i = 0; i < repetitions; ++i) sum += Tak(Opaque<int64_t>(18), 12, 6);
  return "tak 18 12 6 x" + std::to_string(repetitions) + ": " + std::to_string(sum);
}

}  // namespace maru::baselines
