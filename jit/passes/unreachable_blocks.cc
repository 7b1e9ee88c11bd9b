// Unreachable-block removal: blocks no path from the entry reaches (left by branch folding and
// guard sharing) are deleted and the others renumbered in their order, so that later passes see
// only the edges that can run (a jump from dead code no longer joins a value into a parameter,
// nor a second predecessor into a block).
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

bool RemoveUnreachableBlocks(ir::Function& f) {
  const size_t n = f.blocks.size();
  std::vector<bool> reached(n, false);
  std::vector<ir::BlockId> stack = {0};
  reached[0] = true;
  while (!stack.empty()) {
    ir::BlockId b = stack.back();
    stack.pop_back();
    for (ir::BlockId s : f.blocks[b].instrs.back().targets) {
      if (s >= 0 && !reached[s]) {
        reached[s] = true;
        stack.push_back(s);
      }
    }
  }
  std::vector<ir::BlockId> renumbered(n, -1);
  ir::BlockId next = 0;
  for (size_t b = 0; b < n; ++b) {
    if (reached[b]) renumbered[b] = next++;
  }
  if (static_cast<size_t>(next) == n) return false;
  std::vector<ir::Block> kept;
  kept.reserve(next);
  for (size_t b = 0; b < n; ++b) {
    if (!reached[b]) continue;
    for (ir::BlockId& t : f.blocks[b].instrs.back().targets) {
      if (t >= 0) t = renumbered[t];
    }
    kept.push_back(std::move(f.blocks[b]));
  }
  f.blocks = std::move(kept);
  return true;
}

}  // namespace maru::jit
