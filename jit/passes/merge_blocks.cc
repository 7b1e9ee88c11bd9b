// Block merging: lowering makes a block per form and the other passes turn branches into jumps,
// which leaves chains of blocks joined by unconditional jumps (`b3: jump b5`, `b5: jump b7`, ...).
// Each later pass and the backend pay per block, so chains become one block:
//
//   1. An edge to an empty block that only jumps on goes straight to where it jumps (a branch's
//      edge only when that jump passes no arguments: branch targets take no parameters; a jump
//      takes the arguments along, which the definitions reaching the empty block dominate).
//   2. A block that ends with a jump to a block with no other predecessor absorbs it: the
//      target's parameters become the jump's arguments and its instructions follow in place.
//
// Blocks left without predecessors are removed, the others renumbered in order.
#include <cstdint>
#include <iterator>
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

namespace {

bool IsEmptyJump(const ir::Block& b) {
  return b.params.empty() && b.instrs.size() == 1 && b.instrs[0].op == ir::Opcode::kJump;
}

// Where an edge to `t` can go instead: past empty blocks that only jump (with no arguments if
// `plain`), never to the entry (it has no predecessors), stopping at a cycle of them.
ir::BlockId SkipEmptyJumps(const ir::Function& f, ir::BlockId t, bool plain) {
  for (size_t steps = 0; steps < f.blocks.size(); ++steps) {
    const ir::Block& block = f.blocks[t];
    if (!IsEmptyJump(block)) break;
    const ir::Instr& jump = block.instrs[0];
    if ((plain && !jump.args.empty()) || jump.targets[0] == 0 || jump.targets[0] == t) break;
    t = jump.targets[0];
  }
  return t;
}

}  // namespace

bool MergeBlocks(ir::Function& f) {
  bool changed = false;
  // 1. Edges skip empty jumping blocks.
  for (ir::Block& b : f.blocks) {
    ir::Instr& t = b.instrs.back();
    if (t.op == ir::Opcode::kBranch) {
      for (ir::BlockId& target : t.targets) {
        ir::BlockId to = SkipEmptyJumps(f, target, true);
        changed |= to != target;
        target = to;
      }
    } else if (t.op == ir::Opcode::kJump && t.args.empty()) {
      // An argument-less jump goes past the empty blocks that pass none, then takes on the jump
      // of one that passes some.
      ir::BlockId to = SkipEmptyJumps(f, t.targets[0], true);
      const ir::Block& empty = f.blocks[to];
      if (IsEmptyJump(empty) && empty.instrs[0].targets[0] != 0 &&
          empty.instrs[0].targets[0] != to) {
        t.args = empty.instrs[0].args;
        to = empty.instrs[0].targets[0];
      }
      changed |= to != t.targets[0];
      t.targets[0] = to;
    }
  }
  // 2. Sole successors join their predecessor. (Only edges from reached blocks count: the
  // blocks skipped above may have none left.)
  const size_t n = f.blocks.size();
  // (A block other than the entry is reached when it has a predecessor. The search's stack is
  // per-thread scratch: the pass runs twice per compile.)
  std::vector<int> predecessors(n, 0);
  thread_local std::vector<ir::BlockId> stack;
  stack.assign(1, 0);
  while (!stack.empty()) {
    const ir::BlockId b = stack.back();
    stack.pop_back();
    for (ir::BlockId s : f.blocks[b].instrs.back().targets) {
      if (s < 0) continue;
      if (predecessors[s]++ == 0 && s != 0) stack.push_back(s);
    }
  }
  std::vector<ir::ValueId> replacement;  // a merged parameter's argument (kNoValue: none)
  bool merged = false;
  for (size_t b = 0; b < n; ++b) {
    std::vector<ir::Instr>& instrs = f.blocks[b].instrs;
    if ((b != 0 && predecessors[b] == 0) || instrs.empty()) continue;  // (empty: absorbed)
    while (instrs.back().op == ir::Opcode::kJump) {
      const ir::BlockId t = instrs.back().targets[0];
      if (t == 0 || static_cast<size_t>(t) == b || predecessors[t] != 1) break;
      ir::Block& target = f.blocks[t];
      if (!target.params.empty()) {
        if (replacement.empty()) replacement.assign(f.value_count, ir::kNoValue);
        for (size_t i = 0; i < target.params.size(); ++i) {
          replacement[target.params[i]] = instrs.back().args[i];
        }
        target.params.clear();
      }
      instrs.pop_back();
      instrs.insert(instrs.end(), std::make_move_iterator(target.instrs.begin()),
                    std::make_move_iterator(target.instrs.end()));
      target.instrs.clear();
      predecessors[t] = 0;
      merged = true;
    }
  }
  if (!merged) {
    if (changed) RemoveUnreachableBlocks(f);
    return changed;
  }
  if (!replacement.empty()) {
    for (ir::Block& b : f.blocks) {
      for (ir::Instr& in : b.instrs) {
        for (ir::ValueId& v : in.args) {
          // (An argument may itself be a merged parameter.)
          while (replacement[v] != ir::kNoValue) v = replacement[v];
        }
      }
    }
  }
  // (Absorbed blocks are empty and unreached: removal never looks into them.)
  RemoveUnreachableBlocks(f);
  return true;
}

}  // namespace maru::jit
