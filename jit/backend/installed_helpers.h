// Code a backend installs once and shares between all the functions it compiles (out-of-line
// helpers: jit/backend/backend.h Backend::InstallHelpers), released with the backend.
#ifndef MARU_JIT_BACKEND_INSTALLED_HELPERS_H_
#define MARU_JIT_BACKEND_INSTALLED_HELPERS_H_

#include <asmjit/core.h>

#include <cstdint>
#include <string>

#include "jit/backend/emit_support.h"
#include "jit/codemem/code_memory.h"

namespace maru::jit {

class InstalledHelpers {
 public:
  InstalledHelpers() = default;
  InstalledHelpers(const InstalledHelpers&) = delete;
  InstalledHelpers& operator=(const InstalledHelpers&) = delete;
  // Frees the code: nothing may call it any more.
  ~InstalledHelpers();

  bool installed() const { return memory_ != nullptr; }
  // Installs the code assembled in `code` (its errors collected by `errors`) in `memory`, which
  // must outlive this object: flattened, and relocated to where it lands. False with *error
  // when assembling failed or the memory refused it.
  bool Install(asmjit::CodeHolder& code, const ErrorCollector& errors, const std::string& name,
               CodeMemory& memory, std::string* error);
  // Where `label` of the installed code is.
  uint64_t AddressOf(const asmjit::CodeHolder& code, const asmjit::Label& label) const;

 private:
  CodeMemory* memory_ = nullptr;  // null: not installed
  CodeBlock block_;
};

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_INSTALLED_HELPERS_H_
