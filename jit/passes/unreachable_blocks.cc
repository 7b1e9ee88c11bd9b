// Unreachable-block removal: blocks no path from the entry reaches (left by branch folding and
// guard sharing) are deleted and the others renumbered in their order, so that later passes see
// only the edges that can run (a jump from dead code no longer joins a value into a parameter,
// nor a second predecessor into a block).
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

bool RemoveUnreachableBlocks(ir::Function& f) {
  const size_t n = f.blocks.size();
  // Each block's new number, or -1 while unreached (the search's stack is kept per thread: the
  // pass runs often, on small functions, where allocations were most of its cost).
  std::vector<ir::BlockId> renumbered(n, -1);
  thread_local std::vector<ir::BlockId> stack;
  stack.assign(1, 0);
  renumbered[0] = 0;
  while (!stack.empty()) {
    ir::BlockId b = stack.back();
    stack.pop_back();
    for (ir::BlockId s : f.blocks[b].instrs.back().targets) {
      if (s >= 0 && renumbered[s] < 0) {
        renumbered[s] = 0;
        stack.push_back(s);
      }
    }
  }
  ir::BlockId next = 0;
  for (size_t b = 0; b < n; ++b) {
    if (renumbered[b] == 0) renumbered[b] = next++;  // (reached)
  }
  if (static_cast<size_t>(next) == n) return false;
  // (Compacted in place: blocks move down, none is copied.)
  for (size_t b = 0; b < n; ++b) {
    if (renumbered[b] < 0) continue;
    for (ir::BlockId& t : f.blocks[b].instrs.back().targets) {
      if (t >= 0) t = renumbered[t];
    }
    if (static_cast<size_t>(renumbered[b]) != b) f.blocks[renumbered[b]] = std::move(f.blocks[b]);
  }
  f.blocks.resize(next);
  return true;
}

}  // namespace maru::jit
