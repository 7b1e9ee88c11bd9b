// Branch folding: (if 0 ...), (while 1 ...), (and 'x ...) and the like branch on a constant.
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

bool FoldConstantBranches(ir::Function& f) {
  // Which values are constants, and their words.
  std::vector<const ir::Instr*> constants(f.value_count, nullptr);
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) {
      if (in.op == ir::Opcode::kConst) constants[in.result] = &in;
    }
  }
  bool changed = false;
  for (ir::Block& b : f.blocks) {
    ir::Instr& t = b.instrs.back();
    if (t.op != ir::Opcode::kBranch) continue;
    const ir::Instr* c = constants[t.args[0]];
    if (c == nullptr) continue;
    ir::BlockId target = c->imm != kNil ? t.targets[0] : t.targets[1];
    t.op = ir::Opcode::kJump;
    t.args.clear();
    t.targets[0] = target;
    t.targets[1] = -1;
    changed = true;
  }
  return changed;
}

}  // namespace maru::jit
