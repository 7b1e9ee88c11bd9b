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
  bool changed_any = false;
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<int> uses = ir::UseCounts(f);
    for (ir::Block& b : f.blocks) {
      std::vector<ir::Instr> kept;
      kept.reserve(b.instrs.size());
      for (ir::Instr& in : b.instrs) {
        if (IsPure(in.op) && in.result != ir::kNoValue && uses[in.result] == 0) {
          changed = true;
          continue;
        }
        kept.push_back(std::move(in));
      }
      b.instrs = std::move(kept);
    }
    changed_any |= changed;
  }
  return changed_any;
}

}  // namespace maru::jit
