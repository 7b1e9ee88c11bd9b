#include "jit/backend/direct_entry.h"

namespace maru::jit {

bool HasDirectEntry(const ir::Function& f) {
  if (f.rest_slot >= 0 || f.expr == kNil || f.param_slots.size() > kMaxDirectParams) return false;
  for (size_t i = 0; i < f.param_slots.size(); ++i) {
    if (f.param_slots[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

int64_t DirectCallSlots(const ir::Instr& in) {
  if (in.op != ir::Opcode::kCall || in.imm2 == kNil || in.args.size() - 1 > kMaxDirectParams) {
    return 0;
  }
  return in.aux;
}

bool IsDirectSelfCall(const ir::Function& f, const ir::Instr& in) {
  return DirectCallSlots(in) > 0 && in.imm2 == f.expr && HasDirectEntry(f) && !f.counts_calls;
}

}  // namespace maru::jit
