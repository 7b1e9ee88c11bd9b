// Dead-code elimination: a value nobody uses, computed by an instruction without effects (a
// constant, a load, a type test), is not computed. Calls, stores and anything that may raise an
// error stay.
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

namespace {

bool IsPure(ir::Opcode op) {
  switch (op) {
    case ir::Opcode::kConst:
    case ir::Opcode::kLoadSlot:
    case ir::Opcode::kParam:
    case ir::Opcode::kLoadGlobal:
    case ir::Opcode::kIsFixed:
    case ir::Opcode::kGlobalIs:
    case ir::Opcode::kGuardsHold:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool EliminateDeadCode(ir::Function& f) {
  std::vector<int> uses = ir::UseCounts(f);
  std::vector<int> def_block(f.value_count, -1);
  for (size_t b = 0; b < f.blocks.size(); ++b) {
    for (const ir::Instr& in : f.blocks[b].instrs) {
      if (in.result != ir::kNoValue) def_block[in.result] = static_cast<int>(b);
    }
  }
  std::vector<uint8_t> dead;  // per instruction of the block being swept
  bool changed_any = false;
  // Sweeps from the last block and the last instruction back: an instruction that goes frees
  // the ones it used, most often just before it. Another sweep only when it freed a value
  // whose block was already swept.
  for (bool again = true; again;) {
    again = false;
    for (size_t b = f.blocks.size(); b-- > 0;) {
      std::vector<ir::Instr>& instrs = f.blocks[b].instrs;
      dead.assign(instrs.size(), 0);
      bool any = false;
      for (size_t i = instrs.size(); i-- > 0;) {
        const ir::Instr& in = instrs[i];
        if (!IsPure(in.op) || in.result == ir::kNoValue || uses[in.result] != 0) continue;
        dead[i] = 1;
        any = true;
        for (ir::ValueId a : in.args) {
          again |= --uses[a] == 0 && def_block[a] > static_cast<int>(b);
        }
      }
      if (!any) continue;
      size_t kept = 0;
      for (size_t i = 0; i < instrs.size(); ++i) {
        if (dead[i]) continue;
        if (kept != i) instrs[kept] = std::move(instrs[i]);
        ++kept;
      }
      instrs.resize(kept);
      changed_any = true;
    }
  }
  return changed_any;
}

}  // namespace maru::jit
