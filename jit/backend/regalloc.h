// Register allocation for the IR, independent of the ISA: liveness over the blocks, one live
// interval per value, and linear scan. Values live across a call point get callee-saved
// registers (or stack slots), so no caller-saved register holds a live value at any call and
// call sequences need no saving around them.
#ifndef MARU_JIT_BACKEND_REGALLOC_H_
#define MARU_JIT_BACKEND_REGALLOC_H_

#include <cstdint>
#include <vector>

#include "jit/ir/ir.h"

namespace maru::jit {

struct Location {
  enum Kind : uint8_t { kNone, kRegister, kStack } kind = kNone;
  int32_t index = 0;  // register number (the backend's), or spill slot number
};

struct RegisterFile {
  std::vector<int> caller_saved;  // allocatable, clobbered by calls
  std::vector<int> callee_saved;  // allocatable, preserved by calls
};

struct Allocation {
  std::vector<Location> location;  // per value
  int spill_slots = 0;
  std::vector<int> callee_saved_used;  // registers the prologue must save
};

Allocation AllocateRegisters(const ir::Function& f, const RegisterFile& registers);

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_REGALLOC_H_
