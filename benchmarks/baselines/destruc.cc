// destruc: destructive list operations on (600 50) (benchmarks/programs/destruc.l). The result
// is a list of 10 lists whose elements are nil or a repetition index (>= 1); 0 stands for nil.
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

// A pair whose head is a list of numbers (the outer list).
struct ListCell {
  IntCell* car;
  ListCell* cdr;
};

// (nils n) for the lists of numbers and for the outer list: the same Maru function.
MARU_CALL_FAITHFUL IntCell* Nils(int64_t n) {
  IntCell* a = nullptr;
  while (n > 0) {
    a = ConsInt(0, a);
    n -= 1;
  }
  return a;
}
MARU_CALL_FAITHFUL ListCell* OuterNils(int64_t n) {
  ListCell* a = nullptr;
  while (n > 0) {
    ListCell* cell = GcNew<ListCell>();
    cell->cdr = a;
    a = cell;
    n -= 1;
  }
  return a;
}

MARU_CALL_FAITHFUL IntCell* AppendToTail(IntCell* x, IntCell* y) {
  if (x == nullptr) return y;
  IntCell* a = x;
  for (IntCell* b = x->cdr; b != nullptr; b = b->cdr) a = b;
  a->cdr = y;
  return x;
}

// Stores i into the first half of list x; returns the cell after that half.
MARU_CALL_FAITHFUL IntCell* DestrucHead(IntCell* x, int64_t i) {
  for (int64_t j = ListLength(x) / 2; j != 0; --j) {
    x->car = i;
    x = x->cdr;
  }
  return x;
}

// Cuts the list held by cell l1 after its first half (storing i there) and returns the rest.
MARU_CALL_FAITHFUL IntCell* DestrucTail(ListCell* l1, int64_t i) {
  int64_t n = ListLength(l1->car) / 2;
  if (n == 0) {
    l1->car = nullptr;
    return l1->car;
  }
  IntCell* a = l1->car;
  for (int64_t j = n; j != 1; --j) {
    a->car = i;
    a = a->cdr;
  }
  IntCell* rest = a->cdr;
  a->cdr = nullptr;
  return rest;
}

MARU_CALL_FAITHFUL ListCell* Destructive(int64_t n, int64_t m) {
  ListCell* l = OuterNils(10);
  for (int64_t i = n; i > 0; --i) {
    if (l->car == nullptr) {
      for (ListCell* ll = l; ll != nullptr; ll = ll->cdr) {
        if (ll->car == nullptr) ll->car = ConsInt(0, nullptr);
        AppendToTail(ll->car, Nils(m));
      }
    } else {
      for (ListCell *l1 = l, *l2 = l->cdr; l2 != nullptr; l1 = l1->cdr, l2 = l2->cdr) {
        IntCell* head = DestrucHead(l2->car, i);
        IntCell* tail = DestrucTail(l1, i);
        if (head != nullptr) head->cdr = tail;  // set-cdr of nil stores nothing
      }
    }
  }
  return l;
}

// The prelude's list-reverse!.
MARU_CALL_FAITHFUL IntCell* ListReverse(IntCell* list) {
  IntCell* result = nullptr;
  while (list != nullptr) {
    IntCell* next = list->cdr;
    list->cdr = result;
    result = list;
    list = next;
  }
  return result;
}

}  // namespace

std::string RunDestruc(int64_t repetitions) {
  ListCell* result = nullptr;
  for (int64_t r = 0; r < repetitions; ++r) result = Destructive(Opaque<int64_t>(600), 50);
  IntCell* lengths = nullptr;
  int64_t sum = 0;
  for (; result != nullptr; result = result->cdr) {
    lengths = ConsInt(ListLength(result->car), lengths);
    for (const IntCell* s = result->car; s != nullptr; s = s->cdr) sum += s->car;
  }
  return "destruc 600 50 x" + std::to_string(repetitions) + ": lengths " +
         FormatIntList(ListReverse(lengths)) + " sum " + std::to_string(sum);
}

}  // namespace maru::baselines
