// Jump threading: a jump whose target does nothing but branch on the value passed to it
// (b: jump j(v) ; j(p): branch p, t, f) becomes that branch (b: branch v, t, f). This is what
// puts a comparison next to the branch of its `if` again after calls to known functions joined
// their fast and fallback paths, so the backend can fuse them.
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

bool ThreadJumps(ir::Function& f) {
  std::vector<int> uses = ir::UseCounts(f);
  bool changed = false;
  for (ir::Block& b : f.blocks) {
    ir::Instr& jump = b.instrs.back();
    if (jump.op != ir::Opcode::kJump || jump.args.size() != 1) continue;
    const ir::Block& target = f.blocks[jump.targets[0]];
    if (target.params.size() != 1 || target.instrs.size() != 1) continue;
    const ir::Instr& branch = target.instrs[0];
    if (branch.op != ir::Opcode::kBranch || branch.args[0] != target.params[0] ||
        uses[target.params[0]] != 1) {
      continue;
    }
    ir::ValueId value = jump.args[0];
    jump.op = ir::Opcode::kBranch;
    jump.args = {value};
    jump.targets[0] = branch.targets[0];
    jump.targets[1] = branch.targets[1];
    changed = true;
  }
  return changed;
}

}  // namespace maru::jit
