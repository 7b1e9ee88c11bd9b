// divrec: divide a list of 1000 nils by 2, recursively (benchmarks/programs/divrec.l).
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

MARU_CALL_FAITHFUL IntCell* CreateN(int64_t n) {
  IntCell* a = nullptr;
  while (n > 0) {
    a = ConsInt(0, a);
    n -= 1;
  }
  return a;
}

MARU_CALL_FAITHFUL IntCell* Cddr(const IntCell* l) {
  return l == nullptr || l->cdr == nullptr ? nullptr : l->cdr->cdr;
}

MARU_CALL_FAITHFUL IntCell* RecursiveDiv2(IntCell* l) {
  if (l == nullptr) return nullptr;
  // Maru evaluates (car l) before the recursive call, then conses.
  int64_t head = l->car;
  return ConsInt(head, RecursiveDiv2(Cddr(l)));
}

}  // namespace

std::string RunDivrec(int64_t repetitions) {
  IntCell* ll = CreateN(1000);  // made once, when the Maru program is loaded
  IntCell* result = nullptr;
  for (int64_t i = 0; i < repetitions; ++i) result = RecursiveDiv2(Opaque(ll));
  return "divrec 1000 x" + std::to_string(repetitions) + ": " + std::to_string(ListLength(result));
}

}  // namespace maru::baselines
