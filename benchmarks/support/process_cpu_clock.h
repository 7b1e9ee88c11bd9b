// CPU time of the whole process: the benchmarks compare Maru runs (on an engine thread, with
// the collector's marker threads) with C++ runs (on a thread of their own), so the time of
// every thread counts, and time spent waiting for a processor on a shared machine does not.
#ifndef MARU_BENCHMARKS_SUPPORT_PROCESS_CPU_CLOCK_H_
#define MARU_BENCHMARKS_SUPPORT_PROCESS_CPU_CLOCK_H_

#include <time.h>

namespace maru::bench {

inline double ProcessCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace maru::bench

#endif  // MARU_BENCHMARKS_SUPPORT_PROCESS_CPU_CLOCK_H_
