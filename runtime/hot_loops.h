// Loops the interpreter finds hot continue in compiled code (on-stack replacement for `while`).
//
// A function's loops count towards compiling the function, but its running activation stays
// interpreted: a function called once, or top-level code, would run its whole loop in the
// interpreter. After enough iterations of one execution of a `while`, the interpreter instead
// makes the rest of the loop a function of its own: the activation gets its heap Context (as
// when a closure captures it), and `(lambda () (while ...))` over that Context is compiled
// through the tier-up hook and called. The loop's variables are the activation's, reached from
// the compiled code along the Context chain, so the interpreter continues after the loop with
// every assignment the compiled iterations made. Loops that make closures stay interpreted (a
// closure must capture the activation its lambda was encoded for, not the loop's).
#ifndef MARU_RUNTIME_HOT_LOOPS_H_
#define MARU_RUNTIME_HOT_LOOPS_H_

#include <cstdint>

#include "runtime/object.h"

namespace maru {

class Vm;
struct Frame;

// Iterations of one execution of a `while` before it asks for compiled code: four times the
// hook's threshold of calls (with threshold 0, eager compilation, at the first).
int64_t LoopIterationsBeforeCompiling(const Vm& vm);

// Runs the rest of the `while` whose operands are `operands`, being evaluated in `frame`, in
// compiled code: true with its value (or kErrorOop) in *result; false, with nothing run, when
// it cannot be compiled (the interpreter goes on).
bool ContinueLoopCompiled(Vm& vm, Oop operands, Frame* frame, Oop* result);

}  // namespace maru

#endif  // MARU_RUNTIME_HOT_LOOPS_H_
