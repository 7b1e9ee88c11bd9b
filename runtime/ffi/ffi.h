// Calls into C (spec §7.10, §13): foreign Subrs made by `subr`, and `native-call`.
//
// A foreign Subr (SubrKind::kForeign) keeps the C entry address in `imp` and its signature
// string in `sig` (nullptr without a signature). With a signature, calls go through libffi:
// the signature is parsed and its ffi_cif prepared once, when the Subr is made, into a block of
// collector memory held in the Subr's native `data` word (ForeignCallData, ffi.cc). Varargs
// signatures (`.`) prepare a per-call cif for the actual argument types.
//
// Without a signature the C function is called as a maru::PrimitiveFn (the project's embedding
// interface, subr.h); see CallForeignSubr.
#ifndef MARU_RUNTIME_FFI_FFI_H_
#define MARU_RUNTIME_FFI_FFI_H_

#include <string>
#include <string_view>

#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru {

// The most arguments a foreign call passes (fixed and variable together), as in the reference.
inline constexpr int kMaxForeignArgs = 32;

// Parses and prepares a signature for a new foreign Subr. Returns the call data to store in the
// Subr's `data` word, or nullptr with an error pending in the Vm (`illegal type specification:
// SIG`, or "out of memory").
void* NewForeignCallData(Vm& vm, const char* signature);

// Applies a foreign Subr to evaluated arguments (the SubrKind::kForeign case of Apply).
Oop CallForeignSubr(Vm& vm, Oop subr, const Oop* args, int argc, Frame* caller);

// The `native-call` primitive: args[0] is the code (Data, Long address or Subr), the rest are
// passed as C arguments (integers and pointers as `long`, Doubles as `double`); the C `int`
// result comes back as a Long.
Oop NativeCall(Vm& vm, const Oop* args, int argc);

}  // namespace maru

#endif  // MARU_RUNTIME_FFI_FFI_H_
