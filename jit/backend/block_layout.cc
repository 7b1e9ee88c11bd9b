#include "jit/backend/block_layout.h"

namespace maru::jit {

std::vector<int> LayoutBlocks(const ir::Function& f) {
  const int n = static_cast<int>(f.blocks.size());
  std::vector<int> order;
  order.reserve(n);
  std::vector<bool> placed(n, false);
  for (bool cold : {false, true}) {
    for (int start = 0; start < n; ++start) {
      if (placed[start] || f.blocks[start].cold != cold) continue;
      // Follow a chain from `start` through successors of the same temperature.
      for (int b = start; b >= 0;) {
        placed[b] = true;
        order.push_back(b);
        int next = -1;
        const ir::Instr& last = f.blocks[b].instrs.back();
        for (ir::BlockId t : last.targets) {
          if (t >= 0 && !placed[t] && f.blocks[t].cold == cold) {
            next = t;
            break;
          }
        }
        b = next;
      }
    }
  }
  return order;
}

}  // namespace maru::jit
