// C++ versions of the benchmark programs (benchmarks/programs/*.l), compiled "call-faithful"
// (-O2 -fno-inline -fno-optimize-sibling-calls -fno-ipa-cp, see BUILD): every call of the Maru
// program is a call in the machine code, including the calls of prelude functions the program
// makes (list-length, concat-list, map, cadr, ...), and every allocation of the Maru program is
// an allocation on the same collector (Boehm GC). Primitives (car, +, array-at, ...) are inline
// C. Each program is the same algorithm on the same data, and returns the line the Maru program
// prints, so the two can be compared exactly (//benchmarks:baselines_test checks them against
// benchmarks/programs/expected.tsv).
//
// The collector must be initialised first (GC_INIT(); maru::InitHeap() does it). cpstak recurses
// as deeply as the Maru program (no tail calls): run it on a thread with a large stack.
#ifndef MARU_BENCHMARKS_BASELINES_CALL_FAITHFUL_H_
#define MARU_BENCHMARKS_BASELINES_CALL_FAITHFUL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace maru::baselines {

int64_t Fib(int64_t n);
int64_t Tak(int64_t x, int64_t y, int64_t z);

// One benchmark program: `run(argument)` does what `(run-benchmark argument)` does in the Maru
// program of the same name and returns the line that program prints (without the newline).
struct BaselineProgram {
  const char* name;
  std::string (*run)(int64_t argument);
};

// Every program of benchmarks/programs except `startup` (it measures process start-up only).
std::span<const BaselineProgram> BaselinePrograms();
// The program called `name`, or nullptr.
const BaselineProgram* FindBaselineProgram(std::string_view name);

std::string RunFib(int64_t n);
std::string RunTak(int64_t repetitions);
std::string RunTakl(int64_t repetitions);
std::string RunCpstak(int64_t repetitions);
std::string RunNqueens(int64_t n);
std::string RunDeriv(int64_t repetitions);
std::string RunDestruc(int64_t repetitions);
std::string RunDiviter(int64_t repetitions);
std::string RunDivrec(int64_t repetitions);
std::string RunTriangl(int64_t repetitions);
std::string RunPuzzle(int64_t repetitions);
std::string RunStrings(int64_t n);
std::string RunSort(int64_t n);
std::string RunClosures(int64_t n);

}  // namespace maru::baselines

#endif  // MARU_BENCHMARKS_BASELINES_CALL_FAITHFUL_H_
