// sort: quicksort (Hoare partition, middle pivot) of N Park-Miller pseudo-random numbers in an
// array (benchmarks/programs/sort.l).
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

int64_t seed = 42;

MARU_CALL_FAITHFUL int64_t NextRandom() {
  seed = (seed * 16807) % 2147483647;
  return seed;
}

MARU_CALL_FAITHFUL void Quicksort(int64_t* a, int64_t lo, int64_t hi) {
  if (lo < hi) {
    const int64_t p = a[(lo + hi) / 2];
    int64_t i = lo;
    int64_t j = hi;
    while (i <= j) {
      while (a[i] < p) i += 1;
      while (a[j] > p) j -= 1;
      if (i <= j) {
        const int64_t tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i += 1;
        j -= 1;
      }
    }
    Quicksort(a, lo, j);
    Quicksort(a, i, hi);
  }
}

}  // namespace

std::string RunSort(int64_t n) {
  // (array n): an array on the collector (of numbers: not scanned).
  auto* a = static_cast<int64_t*>(GC_MALLOC_ATOMIC(static_cast<size_t>(n) * sizeof(int64_t)));
  seed = 42;
  for (int64_t i = 0; i < n; ++i) a[i] = NextRandom();
  Quicksort(a, 0, n - 1);
  int64_t h = 0;
  bool ok = true;
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0 && a[i] < a[i - 1]) ok = false;
    h = (h * 31 + a[i]) % 1000000007;
  }
  return "sort " + std::to_string(n) + ": first " + std::to_string(a[0]) + " median " +
         std::to_string(a[n / 2]) + " last " + std::to_string(a[n - 1]) + " hash " +
         std::to_string(h) + (ok ? " ok" : " BAD");
}

}  // namespace maru::baselines
