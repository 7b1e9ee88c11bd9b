// The per-ISA halves of AssembleStub (stub_generator.h): each emits a whole stub into a
// CodeHolder initialised for its ISA. Internal to jit/ffi.
#ifndef MARU_JIT_FFI_STUB_EMITTERS_H_
#define MARU_JIT_FFI_STUB_EMITTERS_H_

#include <asmjit/core.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "jit/ffi/stub_plan.h"
#include "runtime/object.h"
#include "runtime/subr.h"

namespace maru::jit::ffi {

// Offsets from a Subr Oop of the words a stub reads.
inline constexpr int32_t kSubrImpOffset =
    static_cast<int32_t>(sizeof(Header) + offsetof(SubrBody, imp));
inline constexpr int32_t kSubrSigOffset =
    static_cast<int32_t>(sizeof(Header) + offsetof(SubrBody, sig));
// Offset of a boxed Long's or Double's value, and of a raw object's first byte.
inline constexpr int32_t kRawOffset = static_cast<int32_t>(sizeof(Header));

template <typename Fn>
uint64_t EntryAddress(Fn* fn) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(fn));
}

// Errors are reported to the CodeHolder's error handler.
void EmitX64Stub(const StubPlan& plan, asmjit::CodeHolder* code);
void EmitA64Stub(const StubPlan& plan, asmjit::CodeHolder* code);

}  // namespace maru::jit::ffi

#endif  // MARU_JIT_FFI_STUB_EMITTERS_H_
