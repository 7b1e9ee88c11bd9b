// Self-calls through the second entry both backends give a function that calls itself.
//
// A call of the function being compiled, with as many arguments as it has parameters, enters
// past the arity check, and the callee keeps its slots in the caller's argument buffer (the
// arguments are already where its parameters live; nothing is copied). The caller sizes that
// buffer for all of the callee's slots. The generic entry (start of the code) stays the one
// everybody else calls.
#ifndef MARU_JIT_BACKEND_SELF_ENTRY_H_
#define MARU_JIT_BACKEND_SELF_ENTRY_H_

#include "jit/ir/ir.h"

namespace maru::jit {

// A call of f itself with as many arguments as f has fixed parameters (and no rest parameter).
bool IsDirectSelfCall(const ir::Function& f, const ir::Instr& in);
// Whether f gets the self entry: its parameters are its first slots, in order, and it makes a
// direct self-call.
bool UsesSelfEntry(const ir::Function& f);

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_SELF_ENTRY_H_
