// The plan of a foreign-call stub: where each argument of a signature goes in the C calling
// convention, and the layout of the stub's frame. ISA-independent; the generators
// (stub_generator.h) turn a plan into machine code.
//
// Conventions planned for:
//   kX64SysV   x86-64 System V (Linux, macOS on Intel): integers and pointers in rdi, rsi, rdx,
//              rcx, r8, r9; floats and doubles in xmm0-7; the rest on the stack, one 8-byte slot
//              each, in argument order.
//   kA64Aapcs  AArch64 AAPCS64 (Linux): integers and pointers in x0-x7, floats and doubles in
//              v0-v7, the rest in 8-byte stack slots.
//   kA64Apple  Apple's AArch64 variant: the same registers, but arguments narrower than 8 bytes
//              are packed on the stack and variadic arguments always go there; a signature
//              that needs the stack gets no stub (libffi calls it).
// Variadic signatures (`.`) get no stub on any ISA: where a variadic argument goes depends on
// the types of the actual arguments, known only at each call, so a stub would have to classify
// and place them at run time — the per-call work libffi already does (ffi_prep_cif_var). C
// functions taking `...` are mostly formatted output, where the call itself is not the cost.
#ifndef MARU_JIT_FFI_STUB_PLAN_H_
#define MARU_JIT_FFI_STUB_PLAN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/ffi/ffi.h"

namespace maru::jit::ffi {

enum class StubAbi { kX64SysV, kA64Aapcs, kA64Apple };

// The convention of the machine this process runs on, if stubs can be made for it.
std::optional<StubAbi> HostStubAbi();

struct ArgumentPlace {
  enum Kind { kGp, kFp, kStack };
  Kind kind;
  int index;  // register number within its class, or stack slot
};

struct StubPlan {
  StubAbi abi = StubAbi::kX64SysV;
  std::string signature;  // the exact text: a stub only runs for a Subr with this signature
  ForeignSignature parsed;
  std::vector<ArgumentPlace> places;  // one per argument letter
  int gp_used = 0;
  int fp_used = 0;
  int stack_slots = 0;

  // The frame below the saved registers, from the stack pointer at the call: the outgoing stack
  // arguments, then the values meant for argument registers (converted first, loaded last,
  // because conversions may call the runtime), then 16 bytes for the C result.
  int gp_image_offset() const { return stack_slots * 8; }
  int fp_image_offset() const { return gp_image_offset() + gp_used * 8; }
  int result_offset() const { return fp_image_offset() + fp_used * 8; }
  int frame_size() const { return (result_offset() + 16 + 15) / 16 * 16; }
  // Where the converted argument `i` is stored, from the stack pointer.
  int SlotOffset(int i) const;
};

// Plans the stub of `signature` for `abi`. False, with the reason in *why, when the signature
// gets no stub (illegal, variadic, or not supported by the convention).
bool PlanStub(StubAbi abi, std::string_view signature, StubPlan* plan, std::string* why);

}  // namespace maru::jit::ffi

#endif  // MARU_JIT_FFI_STUB_PLAN_H_
