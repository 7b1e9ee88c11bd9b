// The direct entry both backends give a function whose parameters are its first slots.
//
// Calls of a known compiled function (a global's compile-time value, guarded) with as many
// arguments as it has parameters enter past the arity check, and the callee keeps its slots in
// the caller's argument buffer: the arguments are already where its parameters live, nothing is
// copied. The caller sizes that buffer for all of the callee's slots (the lowering records their
// number in the call's aux). The generic entry (the start of the code, Expr kEntry) stays the one
// the interpreter and everybody else calls; the direct one is Expr kDirectEntry (0: none).
//
// Direct entry ABI: as the generic entry (runtime/tier_up.h CompiledEntry), but args points to a
// writable buffer of at least as many words as the callee has slots, and argc is not read.
#ifndef MARU_JIT_BACKEND_DIRECT_ENTRY_H_
#define MARU_JIT_BACKEND_DIRECT_ENTRY_H_

#include <cstdint>

#include "jit/ir/ir.h"

namespace maru::jit {

// Whether f gets a direct entry: its parameters are its first slots, in order, and it has no
// rest parameter.
bool HasDirectEntry(const ir::Function& f);
// The number of slots a direct call passes (the callee's), or 0 when `in` is not one.
int64_t DirectCallSlots(const ir::Instr& in);
// A direct call of f itself (entered through its own direct entry, without loading it).
bool IsDirectSelfCall(const ir::Function& f, const ir::Instr& in);

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_DIRECT_ENTRY_H_
