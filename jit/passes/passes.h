// IR optimisation passes (one per file) and the pipeline that runs them.
#ifndef MARU_JIT_PASSES_PASSES_H_
#define MARU_JIT_PASSES_PASSES_H_

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
// A load of a local whose value is already known (stored or loaded with no call point since, in
// this block or along a chain of sole predecessors) is replaced by that value.
bool ForwardSlots(ir::Function& f);
// A branch on the result of an inline `not` branches on its operand, targets swapped.
bool InvertNotBranches(ir::Function& f);
// A jump to a block that only branches on the jump's value becomes that branch.
bool ThreadJumps(ir::Function& f);
// Guards of globals between two points where code may run share one guardshold: each first
// branches on its answer and checks its own global only when the answer is no.
bool ShareGuards(ir::Function& f);
// Instructions without effects whose results are unused are removed.
bool EliminateDeadCode(ir::Function& f);

// Runs the pipeline. With `verify`, the verifier runs after every pass; returns its first
// complaint ("" when all is well).
std::string RunPasses(ir::Function& f, bool verify);

}  // namespace maru::jit

#endif  // MARU_JIT_PASSES_PASSES_H_
