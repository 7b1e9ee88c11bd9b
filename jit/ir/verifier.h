// Structural checks of the IR, run after lowering and after every pass in debug builds and tests.
#ifndef MARU_JIT_IR_VERIFIER_H_
#define MARU_JIT_IR_VERIFIER_H_

#include <string>

#include "jit/ir/ir.h"

namespace maru::jit::ir {

// Returns "" when `f` is well formed, else a description of the first problem found:
// a block without exactly one final terminator, a bad branch target, a jump whose argument count
// differs from its target's parameters, a value defined twice, or a use not dominated by its
// definition.
std::string Verify(const Function& f);

}  // namespace maru::jit::ir

#endif  // MARU_JIT_IR_VERIFIER_H_
