// The order in which a backend emits a function's blocks, shared by every ISA.
#ifndef MARU_JIT_BACKEND_BLOCK_LAYOUT_H_
#define MARU_JIT_BACKEND_BLOCK_LAYOUT_H_

#include <vector>

#include "jit/ir/ir.h"

namespace maru::jit {

// Every block once, the entry first. Hot blocks come first, laid out in chains so that each
// block is followed by a successor where one is still free (a jump's target, a branch's taken
// target first): most jumps become fall-throughs. Cold blocks (interpreter fallbacks) follow, in
// the same manner, after all hot ones.
std::vector<int> LayoutBlocks(const ir::Function& f);

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_BLOCK_LAYOUT_H_
