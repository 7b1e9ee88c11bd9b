// The runtime functions that foreign-call stubs call, for what they do not do inline. Plain
// C-compatible parameter types (stubs pass them in registers); none of them throws.
#ifndef MARU_JIT_FFI_STUB_RUNTIME_H_
#define MARU_JIT_FFI_STUB_RUNTIME_H_

#include <cstdint>

#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru::jit::ffi {

// The libffi path (CallForeignSubr), for every call a stub does not complete itself: wrong
// argument count, a Subr whose signature changed, an argument the stub cannot convert. It
// reports exactly the error the interpreter reports, or makes the call. A Subr without a
// signature is called with no calling Frame (as from the host).
Oop StubCallThroughLibffi(Vm* vm, Oop subr, const Oop* args, int64_t argc) noexcept;

// How many calls stubs of this process handed to StubCallThroughLibffi (for tests: a valid call
// must be made by the stub itself).
int64_t StubFallbackCount();

// The `p`/`S` conversion of an object the stub does not convert inline: 1 with the pointer in
// *out, or 0 when the libffi path must report the error.
int64_t StubPointerArgument(Oop x, void** out) noexcept;

// The `s` conversion: a NUL-terminated UTF-8 copy of the String x in collector memory (the
// stub's frame holds it, so it lives at least until the C function returns), or nullptr when x
// is not a String or memory ran out (then the libffi path decides).
const char* StubUtf8Argument(Oop x) noexcept;

// Called just before the C function (CallForeignSubr's preparation: output ordering).
void StubBeforeCall() noexcept;

// The Maru value of the C result stored at `result` (see maru::ForeignResult), for the results
// the stub does not box inline; kErrorOop when memory ran out.
Oop StubResult(Vm* vm, int64_t ret, const void* result) noexcept;

}  // namespace maru::jit::ffi

#endif  // MARU_JIT_FFI_STUB_RUNTIME_H_
