// nqueens: the number of solutions of the n-queens problem, with lists and the prelude's
// concat-list (benchmarks/programs/nqueens.l).
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

// (1 2 ... n)
MARU_CALL_FAITHFUL IntCell* Iota1(int64_t n) {
  IntCell* l = nullptr;
  while (n > 0) {
    l = ConsInt(n, l);
    n -= 1;
  }
  return l;
}

// The prelude's concat-list: a copy of a, ending in b.
MARU_CALL_FAITHFUL IntCell* ConcatList(const IntCell* a, IntCell* b) {
  if (a == nullptr) return b;
  IntCell* head = ConsInt(a->car, nullptr);
  IntCell* last = head;
  for (a = a->cdr; a != nullptr; a = a->cdr) {
    last->cdr = ConsInt(a->car, nullptr);
    last = last->cdr;
  }
  last->cdr = b;
  return head;
}

MARU_CALL_FAITHFUL bool Ok(int64_t row, int64_t dist, const IntCell* placed) {
  if (placed == nullptr) return true;
  return placed->car != row + dist && placed->car != row - dist && Ok(row, dist + 1, placed->cdr);
}

MARU_CALL_FAITHFUL int64_t TryQueens(IntCell* x, IntCell* y, IntCell* z) {
  if (x == nullptr) return y == nullptr ? 1 : 0;
  int64_t placed_here =
      Ok(x->car, 1, z) ? TryQueens(ConcatList(x->cdr, y), nullptr, ConsInt(x->car, z)) : 0;
  return placed_here + TryQueens(x->cdr, ConsInt(x->car, y), z);
}

}  // namespace

std::string RunNqueens(int64_t n) {
  return "nqueens " + std::to_string(n) + ": " +
         std::to_string(TryQueens(Iota1(Opaque(n)), nullptr, nullptr));
}

}  // namespace maru::baselines
