// Failure reporting of the fuzz targets. A violated property is a finding: the target describes it
// on stderr and aborts, which libFuzzer records as a crash (and saves the input), and which fails
// the regression test that replays the corpus. Nothing here runs in the library under test.
#ifndef MARU_TESTS_FUZZ_FUZZ_CHECK_H_
#define MARU_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>

namespace maru::fuzz {

[[noreturn]] inline void FuzzFailure(const std::string& what) {
  std::fprintf(stderr, "\n==== FUZZ FINDING ====\n%s\n======================\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace maru::fuzz

// Checks a property of the code under test; `what` (a std::string expression) is only built when
// the property does not hold.
#define MARU_FUZZ_CHECK(condition, what)                                                     \
  do {                                                                                       \
    if (!(condition))                                                                        \
      ::maru::fuzz::FuzzFailure(std::string("check failed: ") + #condition + "\n" + (what)); \
  } while (false)

#endif  // MARU_TESTS_FUZZ_FUZZ_CHECK_H_
