// Slot forwarding: a load of a local whose value is known (it was just stored or loaded, or it is
// a parameter not yet assigned (ir kParam), and nothing that may run other code came in between)
// reuses that value. Knowledge flows through a
// block and into a block whose only predecessor is the block before it in a chain.
//
// An instruction that may run Maru code (ir::MayRunCode) ends what is known of the function's own
// slots: the runtime paths of calls receive this activation's Frame as the caller, and what they
// run may write its slots (a special form applied as a function: (apply set (list V 42)) assigns
// the caller's local V), as may closures over a materialised activation, which code run from
// anywhere may call. Other call points (inline primitives' general cases, closures made, outer
// variables read or written) run no Maru code and write no local of this activation: a closure
// made here moves the slots to the heap, but not their values. The slots of an inlined
// call (ir::InlineFrame) are written only by its own instructions: its body has no closures, and
// only its call points receive its Frame.
#include <algorithm>
#include <utility>
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

bool ForwardSlots(ir::Function& f) {
  const size_t n = f.blocks.size();
  std::vector<int> predecessors(n, 0);
  std::vector<ir::BlockId> only_predecessor(n, -1);
  for (size_t b = 0; b < n; ++b) {
    for (ir::BlockId s : f.blocks[b].instrs.back().targets) {
      if (s < 0) continue;
      ++predecessors[s];
      only_predecessor[s] = static_cast<ir::BlockId>(b);
    }
  }
  // Values replaced by the value they are equal to.
  std::vector<ir::ValueId> replacement(f.value_count);
  for (ir::ValueId v = 0; v < f.value_count; ++v) replacement[v] = v;
  auto resolve = [&](ir::ValueId v) {
    while (replacement[v] != v) v = replacement[v];
    return v;
  };
  // Slot -> value, few at a time: a vector (copied from block to block) beats a hash map.
  using Known = std::vector<std::pair<int64_t, ir::ValueId>>;
  auto find = [](Known& known, int64_t slot) {
    return std::find_if(known.begin(), known.end(),
                        [slot](const auto& entry) { return entry.first == slot; });
  };
  auto set = [&](Known& known, int64_t slot, ir::ValueId v) {
    auto it = find(known, slot);
    if (it != known.end()) {
      it->second = v;
    } else {
      known.emplace_back(slot, v);
    }
  };
  // What each block knows at its exit: exits[exit_range[b].first, exit_range[b].second), or
  // first == -1 while b is not done. (All in one vector, and per-thread scratch: the pass runs
  // on every compile, and a vector per block was most of its cost.)
  thread_local Known exits;
  thread_local Known known;
  exits.clear();
  std::vector<std::pair<int, int>> exit_range(n, {-1, -1});
  // Reverse post-order: a block's sole predecessor (reached by a forward edge) comes before it,
  // whatever order the lowering created the blocks in.
  const std::vector<ir::BlockId> order = ir::ReversePostOrder(f);
  bool changed = false;
  for (ir::BlockId b : order) {
    known.clear();
    ir::BlockId p = only_predecessor[b];
    // Block 0 is entered from the prologue; other blocks inherit from a sole predecessor.
    if (b != 0 && predecessors[b] == 1 && p >= 0 && exit_range[p].first >= 0) {
      known.assign(exits.begin() + exit_range[p].first, exits.begin() + exit_range[p].second);
    }
    // Kept instructions are compacted in place.
    std::vector<ir::Instr>& instrs = f.blocks[b].instrs;
    size_t kept = 0;
    for (size_t r = 0; r < instrs.size(); ++r) {
      ir::Instr& in = instrs[r];
      for (ir::ValueId& v : in.args) v = resolve(v);
      if (in.op == ir::Opcode::kLoadSlot) {
        auto it = find(known, in.aux);
        if (it != known.end()) {
          replacement[in.result] = it->second;
          changed = true;
          continue;
        }
        set(known, in.aux, in.result);
      } else if (in.op == ir::Opcode::kStoreSlot) {
        set(known, in.aux, in.args[0]);
      } else if (in.op == ir::Opcode::kParam) {
        set(known, f.param_slots[in.aux], in.result);
      } else if (ir::MayRunCode(in)) {
        if (in.frame == 0) {
          known.clear();
        } else {
          const ir::InlineFrame& frame = f.inline_frames[in.frame - 1];
          std::erase_if(known, [&](const auto& entry) {
            int64_t slot = entry.first;
            return slot < f.nslots ||
                   (slot >= frame.slot_base && slot < frame.slot_base + frame.nslots);
          });
        }
      }
      if (kept != r) instrs[kept] = std::move(in);
      ++kept;
    }
    instrs.resize(kept);
    exit_range[b].first = static_cast<int>(exits.size());
    exits.insert(exits.end(), known.begin(), known.end());
    exit_range[b].second = static_cast<int>(exits.size());
  }
  if (changed) {
    // Rewrite every use once more: a use may sit in a block processed before the replacement
    // was found (unreachable blocks, or blocks reached only through a loop).
    for (ir::Block& b : f.blocks) {
      for (ir::Instr& in : b.instrs) {
        for (ir::ValueId& v : in.args) v = resolve(v);
      }
    }
  }
  return changed;
}

}  // namespace maru::jit
