// The JIT's foreign-call stubs: one stub of machine code per distinct signature, shared by every
// foreign Subr with that signature (the C function is read from the Subr at each call), so
// compiled code calls C without libffi's per-call interpretation of the signature.
//
// Use from a backend: when a call's known callee is a foreign Subr and StubFor returns a stub,
// call the stub with the entry ABI of compiled code, (vm, subr, args, argc) -> Oop, and treat
// its result like any call's (kErrorOop: error pending). stub_generator.h says what a stub does.
#ifndef MARU_JIT_FFI_FOREIGN_STUBS_H_
#define MARU_JIT_FFI_FOREIGN_STUBS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "jit/codemem/code_memory.h"
#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru::jit::ffi {

using ForeignStub = Oop (*)(Vm* vm, Oop subr, const Oop* args, int64_t argc);

struct ForeignStubStats {
  int64_t stubs = 0;    // signatures with a stub
  int64_t refused = 0;  // signatures without one (see PlanStub), or whose code could not be had
  size_t code_bytes = 0;
};

class ForeignStubs {
 public:
  // Stubs are installed in `memory`, which must outlive this object.
  explicit ForeignStubs(CodeMemory& memory);
  // Frees every stub: none may run any more.
  ~ForeignStubs();
  ForeignStubs(const ForeignStubs&) = delete;
  ForeignStubs& operator=(const ForeignStubs&) = delete;

  // The stub for a foreign Subr's signature, made on first request; nullptr when `subr` is not
  // a foreign Subr with a signature, or its signature gets no stub (variadic signatures, the
  // limits of PlanStub, no code memory): such calls go through the runtime (libffi). Thread-safe.
  ForeignStub StubFor(Oop subr);
  // The same for a signature text.
  ForeignStub StubForSignature(std::string_view signature);

  ForeignStubStats stats() const;

 private:
  ForeignStub Make(const std::string& signature) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CodeMemory& memory_;
  mutable absl::Mutex mu_;
  // Per signature text: its stub, or nullptr when it has none (not asked again).
  absl::flat_hash_map<std::string, ForeignStub> by_signature_ ABSL_GUARDED_BY(mu_);
  std::vector<CodeBlock> blocks_ ABSL_GUARDED_BY(mu_);
  ForeignStubStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace maru::jit::ffi

#endif  // MARU_JIT_FFI_FOREIGN_STUBS_H_
