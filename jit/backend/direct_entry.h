// The direct entry both backends give a function whose parameters are its first slots.
//
// Calls of a known compiled function (a global's compile-time value, guarded) with as many
// arguments as it has parameters (at most kMaxDirectParams) enter past the arity check. The
// generic entry (the start of the code, Expr kEntry) stays the one the interpreter and everybody
// else calls; the direct one is Expr kDirectEntry (0: none).
//
// Direct entry ABI, per backend (the Vm and self as in the generic entry, runtime/tier_up.h
// CompiledEntry; no argument count):
// - x86-64: the Vm in r15 (where all compiled code keeps it; rdi is not read), the arguments in
//   rdx, rcx, r8, r9. The callee stores them into its slots, and its body uses them in registers
//   until something may assign them (ir kParam). It does not save r15: its generic entry is a
//   stub that saves r15, sets it and calls the direct entry.
// - AArch64: x2 points to a writable buffer of at least as many words as the callee has slots
//   (the lowering records their number in the call's aux), the arguments first. The callee keeps
//   its slots there: nothing is copied.
#ifndef MARU_JIT_BACKEND_DIRECT_ENTRY_H_
#define MARU_JIT_BACKEND_DIRECT_ENTRY_H_

#include <cstdint>

#include "jit/ir/ir.h"

namespace maru::jit {

inline constexpr int kMaxDirectParams = 4;

// Whether f gets a direct entry: its parameters are its first slots, in order, there are at most
// kMaxDirectParams, and it has no rest parameter.
bool HasDirectEntry(const ir::Function& f);
// The number of slots a direct call passes (the callee's), or 0 when `in` is not one.
int64_t DirectCallSlots(const ir::Instr& in);
// A direct call of f itself (entered through its own direct entry, without loading it; not in
// tier 1 code, ir::Function::counts_calls, whose recursion moves to its successor).
bool IsDirectSelfCall(const ir::Function& f, const ir::Instr& in);

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_DIRECT_ENTRY_H_
