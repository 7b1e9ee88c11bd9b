// takl: Takeuchi with lists as counters (benchmarks/programs/takl.l).
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

MARU_CALL_FAITHFUL IntCell* Listn(int64_t n) { return n == 0 ? nullptr : ConsInt(n, Listn(n - 1)); }

// True when list x is shorter than list y.
MARU_CALL_FAITHFUL bool Shorterp(const IntCell* x, const IntCell* y) {
  return y != nullptr && (x == nullptr || Shorterp(x->cdr, y->cdr));
}

// x is longer than y whenever its cdr is taken, so it is never nil there.
MARU_CALL_FAITHFUL IntCell* Mas(IntCell* x, IntCell* y, IntCell* z) {
  if (!Shorterp(y, x)) return z;
  return Mas(Mas(x->cdr, y, z), Mas(y->cdr, z, x), Mas(z->cdr, x, y));
}

}  // namespace

std::string RunTakl(int64_t repetitions) {
  // The Maru program builds these once, when it is loaded.
  IntCell* l18 = Listn(18);
  IntCell* l12 = Listn(12);
  IntCell* l6 = Listn(6);
  int64_t sum = 0;
  for (int64_t i = 0; i < repetitions; ++i) sum += ListLength(Mas(Opaque(l18), l12, l6));
  return "takl 18 12 6 x" + std::to_string(repetitions) + ": " + std::to_string(sum);
}

}  // namespace maru::baselines
