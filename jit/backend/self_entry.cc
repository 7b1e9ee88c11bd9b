#include "jit/backend/self_entry.h"

namespace maru::jit {

bool IsDirectSelfCall(const ir::Function& f, const ir::Instr& in) {
  return in.op == ir::Opcode::kCall && f.expr != kNil && in.imm2 == f.expr && f.rest_slot < 0 &&
         in.args.size() - 1 == f.param_slots.size();
}

bool UsesSelfEntry(const ir::Function& f) {
  if (f.rest_slot >= 0 || f.expr == kNil) return false;
  for (size_t i = 0; i < f.param_slots.size(); ++i) {
    if (f.param_slots[i] != static_cast<int64_t>(i)) return false;
  }
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) {
      if (IsDirectSelfCall(f, in)) return true;
    }
  }
  return false;
}

}  // namespace maru::jit
