// The read-eval-print loop (spec §2.1).
#ifndef MARU_RUNTIME_REPL_H_
#define MARU_RUNTIME_REPL_H_

#include <cstdio>

#include "runtime/vm.h"

namespace maru {

// Reads forms from `in` until end of input, printing the prompt "." before each and " => " with
// the dumped result after it; an error is reported on `err` and the loop goes on. Returns the
// process exit status: 0 at end of input, or n after (exit n).
int RunRepl(Vm& vm, FILE* in, FILE* out, FILE* err);

}  // namespace maru

#endif  // MARU_RUNTIME_REPL_H_
