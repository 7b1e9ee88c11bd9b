// What the C++ baselines share: allocation on the collector Maru's heap uses (Boehm GC, so both
// sides pay the same allocator and collector), list cells, the prelude functions the programs
// call (list-length, ...), and the printing of results. Internal to benchmarks/baselines.
#ifndef MARU_BENCHMARKS_BASELINES_GC_CELLS_H_
#define MARU_BENCHMARKS_BASELINES_GC_CELLS_H_

#include <gc.h>

#include <cstdint>
#include <string>

// Every function that stands for a Maru function stays a function: not inlined into its callers
// (the library is also compiled with -fno-inline; this says so at the definition).
#define MARU_CALL_FAITHFUL __attribute__((noinline))

namespace maru::baselines {

// A zeroed object of type T on the collector (scanned for pointers). Like a Maru allocation that
// fails, a failure here ends the run: it only happens when the machine is out of memory.
template <typename T>
T* GcNew() {
  return static_cast<T*>(GC_MALLOC(sizeof(T)));
}

// A pair whose head is a small integer: the lists of numbers of the programs. In the programs
// whose lists hold nil or a positive number, 0 stands for nil.
struct IntCell {
  int64_t car;
  IntCell* cdr;
};

inline IntCell* ConsInt(int64_t car, IntCell* cdr) {
  IntCell* cell = GcNew<IntCell>();
  cell->car = car;
  cell->cdr = cdr;
  return cell;
}

// The prelude's list-length: the number of pairs of a list (of any cell type with a `cdr`).
template <typename Cell>
MARU_CALL_FAITHFUL int64_t ListLength(const Cell* list) {
  int64_t n = 0;
  while (list != nullptr) {
    n += 1;
    list = list->cdr;
  }
  return n;
}

// "(1 2 3)", as Maru prints a list of numbers; "()" for nil.
std::string FormatIntList(const IntCell* list);

// Returns `value` unchanged, unknown to the optimiser: a call in a loop with such an argument
// is made on every iteration even when the compiler could prove the callee pure.
template <typename T>
inline T Opaque(T value) {
  asm volatile("" : "+r"(value));
  return value;
}

}  // namespace maru::baselines

#endif  // MARU_BENCHMARKS_BASELINES_GC_CELLS_H_
