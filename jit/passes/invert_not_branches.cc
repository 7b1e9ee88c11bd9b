// Branches on `not`: (if (not x) a b) is (if x b a). The inline `not` has no general case (its
// global was checked before its operand was evaluated, and it cannot fail), so a branch on its
// result may branch on its operand with the targets swapped. A comparison under the `not`, as in
// (if (not (< y x)) ...), then meets the branch (directly, or once jump threading has moved the
// branch up to it) and the backend fuses them: no t or nil is made at all.
#include <utility>
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

bool InvertNotBranches(ir::Function& f) {
  std::vector<int> uses = ir::UseCounts(f);
  bool changed = false;
  for (ir::Block& b : f.blocks) {
    std::vector<ir::Instr>& instrs = b.instrs;
    if (instrs.size() < 2) continue;
    const ir::Instr& test = instrs[instrs.size() - 2];
    ir::Instr& branch = instrs.back();
    if (test.op != ir::Opcode::kPrimitive ||
        static_cast<ir::PrimitiveOp>(test.aux) != ir::PrimitiveOp::kNot ||
        branch.op != ir::Opcode::kBranch || branch.args[0] != test.result ||
        uses[test.result] != 1) {
      continue;
    }
    branch.args[0] = test.args[0];
    std::swap(branch.targets[0], branch.targets[1]);
    instrs.erase(instrs.end() - 2);
    changed = true;
  }
  return changed;
}

}  // namespace maru::jit
