// IR optimisation passes (one per file) and the pipeline that runs them.
#ifndef MARU_JIT_PASSES_PASSES_H_
#define MARU_JIT_PASSES_PASSES_H_

#include <functional>
#include <string>

#include "jit/ir/ir.h"

namespace maru::jit {

// An inline primitive of constants whose value is certain becomes a constant.
bool FoldConstants(ir::Function& f);
// Uses of a copy (a storeslot's result; a block parameter that every jump passes the same value)
// become uses of the original; such parameters are removed.
bool PropagateCopies(ir::Function& f);
// A branch on a constant becomes a jump (nil is the only false value).
bool FoldConstantBranches(ir::Function& f);
// A load of a local whose value is already known (stored or loaded with nothing that may run Maru
// code since, in this block or along a chain of sole predecessors) is replaced by that value.
bool ForwardSlots(ir::Function& f);
// A branch on the result of an inline `not` branches on its operand, targets swapped.
bool InvertNotBranches(ir::Function& f);
// A jump to a block that only branches on the jump's value becomes that branch.
bool ThreadJumps(ir::Function& f);
// Chains of blocks joined by jumps become one block: edges skip empty blocks that only jump, and
// a block absorbs the target of its jump when it is that target's only predecessor.
bool MergeBlocks(ir::Function& f);
// A function with guards checks them all on entry (a guardshold) and has the interpreter run its
// whole body (Function::body) when they do not hold.
bool GuardEntry(ir::Function& f);
// Blocks the entry does not reach are removed; the others are renumbered in order.
bool RemoveUnreachableBlocks(ir::Function& f);
// Guards of globals between two points where code may run share one guardshold: each first
// branches on its answer and checks its own global only when the answer is no.
bool ShareGuards(ir::Function& f);
// ShareGuards, then RemoveUnreachableBlocks when it changed anything: the result is stable (a
// second ShareGuards changes nothing).
bool ShareGuardsUntilStable(ir::Function& f);
// Operands of inline primitives known to be fixnums (from constants, fixnum-valued primitives and
// block parameters, with value ranges) are marked so the backends omit their tag tests, and
// + - * whose result stays in range are marked not to overflow.
bool EliminateTagChecks(ir::Function& f);
// Instructions without effects whose results are unused are removed.
bool EliminateDeadCode(ir::Function& f);

// A function to inline: its IR as lowered (no passes run) and its Expr's Context.
struct InlineCallee {
  ir::Function ir;
  Oop home = kNil;
};
// Lowers a known callee for inlining; false when it must stay a call (not an Expr, or something
// in its body could capture or grow its activation).
using CalleeLowering = std::function<bool(Oop callee, InlineCallee* out)>;
struct InlineLimits {
  int max_callee_instructions = 100;  // of the callee as lowered
  int max_added_instructions = 400;  // in all, per function
  int64_t max_callee_slots = 32;
  int64_t max_total_slots = 256;  // the function's own and its inlined calls'
};
// Known calls (of a global's compile-time value, guarded) of small functions become copies of
// their bodies (one level: calls in a copy stay calls). Runs on IR as lowered, before the
// pipeline. Returns the number of calls inlined.
int InlineCalls(ir::Function& f, const CalleeLowering& lower, const InlineLimits& limits);

// Runs the pipeline (a shorter one for tier 1 code, Function::counts_calls). With `verify`, the
// verifier runs after every pass; returns its first complaint ("" when all is well).
std::string RunPasses(ir::Function& f, bool verify);

}  // namespace maru::jit

#endif  // MARU_JIT_PASSES_PASSES_H_
