// Copy propagation: a value that is only another value under a new name is replaced by that
// value at every use. Two kinds of copies exist in this IR: the result of storeslot (the stored
// value), and a block parameter that receives the same value from every predecessor (or itself,
// around a loop) — it is removed, with its argument in every jump to the block.
#include <span>
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

namespace {

// Follows the replacement chain of v.
ir::ValueId Resolve(std::vector<ir::ValueId>& replace, ir::ValueId v) {
  while (replace[v] != ir::kNoValue) v = replace[v];
  return v;
}

}  // namespace

bool PropagateCopies(ir::Function& f) {
  std::vector<ir::ValueId> replace(f.value_count, ir::kNoValue);
  std::vector<ir::BlockId> defined_in(f.value_count, -1);
  bool changed_any = false;
  for (size_t b = 0; b < f.blocks.size(); ++b) {
    for (ir::ValueId p : f.blocks[b].params) defined_in[p] = static_cast<ir::BlockId>(b);
    for (const ir::Instr& in : f.blocks[b].instrs) {
      if (in.result != ir::kNoValue) defined_in[in.result] = static_cast<ir::BlockId>(b);
      if (in.op == ir::Opcode::kStoreSlot) replace[in.result] = in.args[0];
    }
  }
  // Jumps into each block: its predecessors' terminators (a block with parameters is only
  // entered by jumps).
  const ir::PredecessorLists predecessors(f);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t b = 0; b < f.blocks.size(); ++b) {
      ir::Block& block = f.blocks[b];
      std::span<const ir::BlockId> from = predecessors[static_cast<ir::BlockId>(b)];
      if (block.params.empty() || from.empty()) continue;
      auto jump = [&](ir::BlockId p) -> ir::Instr& { return f.blocks[p].instrs.back(); };
      for (size_t i = block.params.size(); i-- > 0;) {
        ir::ValueId p = block.params[i];
        ir::ValueId same = ir::kNoValue;
        bool copy = true;
        for (ir::BlockId q : from) {
          ir::ValueId v = Resolve(replace, jump(q).args[i]);
          if (v == p) continue;
          if (same == ir::kNoValue) same = v;
          if (v != same) copy = false;
        }
        // A value defined in this very block cannot stand for its parameter.
        if (!copy || same == ir::kNoValue || defined_in[same] == static_cast<ir::BlockId>(b)) {
          continue;
        }
        replace[p] = same;
        block.params.erase(block.params.begin() + static_cast<std::ptrdiff_t>(i));
        for (ir::BlockId q : from) {
          jump(q).args.erase(jump(q).args.begin() + static_cast<std::ptrdiff_t>(i));
        }
        changed = changed_any = true;
      }
    }
  }
  bool rewrote = false;
  for (ir::Block& b : f.blocks) {
    for (ir::Instr& in : b.instrs) {
      for (ir::ValueId& v : in.args) {
        ir::ValueId r = Resolve(replace, v);
        if (r != v) {
          v = r;
          rewrote = true;
        }
      }
    }
  }
  return rewrote || changed_any;
}

}  // namespace maru::jit
