// Machine code of foreign-call stubs, generated with asmjit from a StubPlan (stub_plan.h).
//
// A stub has the entry ABI of compiled Maru code:
//     Oop stub(Vm* vm, Oop subr, const Oop* args, int64_t argc)
// `subr` must be a foreign Subr (SubrKind::kForeign); the stub serves every Subr whose signature
// is the plan's, calling the C function in the Subr's `imp`. In order it:
//   1. checks argc against the signature and the Subr's signature text against the plan's
//      (Maru code can rewrite a Subr's raw words); on a mismatch it returns what the libffi path
//      (CallForeignSubr) returns, which reports the interpreter's errors in the interpreter's
//      order;
//   2. converts each argument into its C type: Longs (fixnum or boxed) for `i j k l`, Doubles
//      for `f d`, and for `p`/`S` nil, Longs, Data and Doubles inline; other pointer arguments
//      and `s` through the runtime (stub_runtime.h). An argument the libffi path would reject
//      also goes back to the libffi path, which reports it;
//   3. calls StubBeforeCall, then the C function;
//   4. converts the result: nil for `v`, fixnums inline, everything that allocates (boxed
//      Longs, Doubles, Strings) through StubResult.
// Errors are values: kErrorOop with the error pending in the Vm. No C++ exception crosses a
// stub (the runtime functions are noexcept; a C function that throws terminates the process, as
// through compiled Maru code).
//
// The code is position independent: runtime entry points are 64-bit immediates, every call goes
// through a register, and branches stay inside the stub. So the bytes run wherever they are
// installed, in-memory or in a dlopen'ed module.
#ifndef MARU_JIT_FFI_STUB_GENERATOR_H_
#define MARU_JIT_FFI_STUB_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "jit/ffi/stub_plan.h"

namespace maru::jit::ffi {

// Assembles the stub of `plan` for its ABI's ISA (on any host: asmjit assembles x86-64 and
// AArch64 anywhere). False, with the reason in *error, when asmjit fails or the code would
// need relocation.
bool AssembleStub(const StubPlan& plan, std::vector<uint8_t>* code, std::string* error);

}  // namespace maru::jit::ffi

#endif  // MARU_JIT_FFI_STUB_GENERATOR_H_
