// Register allocation for the IR, independent of the ISA: liveness over the blocks, one live
// interval per value, and linear scan. Values live across a call point get callee-saved
// registers (or stack slots), so no caller-saved register holds a live value at any call and
// call sequences need no saving around them. A backend may instead preserve the caller-saved
// registers around the general case of inline primitives (RegisterFile::
// primitives_preserve_registers): those are then no call points, and values live across
// arithmetic keep caller-saved registers.
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
  // Where the entry receives each parameter (ir kParam), by index: a parameter not live across
  // a call gets that register when it is free, so the entry moves nothing.
  std::vector<int> param_registers;
  bool primitives_preserve_registers = false;
};

struct Allocation {
  std::vector<Location> location;  // per value
  int spill_slots = 0;
  std::vector<int> callee_saved_used;  // registers the prologue must save
  // With RegisterFile::primitives_preserve_registers: the caller-saved registers holding values
  // needed after each inline primitive (bit r for register r), for its general case to keep.
  // Instruction i of block b is at position block_start[b] + 2 + 2 * i; the masks are indexed by
  // position / 2.
  std::vector<int> block_start;
  std::vector<uint32_t> kept_at;
};

Allocation AllocateRegisters(const ir::Function& f, const RegisterFile& registers);

// Whether caller-saved registers die at `in` under `registers`' conventions.
bool ClobbersCallerSaved(const ir::Instr& in, const RegisterFile& registers);

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_REGALLOC_H_
