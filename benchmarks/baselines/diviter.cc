// diviter: divide a list of 1000 nils by 2, iteratively (benchmarks/programs/diviter.l). The
// elements are nil (0); cddr is a call, as the prelude function it is in Maru.
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

// cddr of a list is nil when it has fewer than two elements, as in Maru.
MARU_CALL_FAITHFUL IntCell* Cddr(const IntCell* l) {
  return l == nullptr || l->cdr == nullptr ? nullptr : l->cdr->cdr;
}

MARU_CALL_FAITHFUL IntCell* IterativeDiv2(IntCell* l) {
  IntCell* a = nullptr;
  while (l != nullptr) {
    a = ConsInt(l->car, a);
    l = Cddr(l);
  }
  return a;
}

}  // namespace

std::string RunDiviter(int64_t repetitions) {
  IntCell* ll = CreateN(1000);  // made once, when the Maru program is loaded
  IntCell* result = nullptr;
  for (int64_t i = 0; i < repetitions; ++i) result = IterativeDiv2(Opaque(ll));
  return "diviter 1000 x" + std::to_string(repetitions) + ": " + std::to_string(ListLength(result));
}

}  // namespace maru::baselines
