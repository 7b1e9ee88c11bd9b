#include "jit/backend/installed_helpers.h"

namespace maru::jit {

InstalledHelpers::~InstalledHelpers() {
  if (memory_ != nullptr) memory_->Release(block_);
}

bool InstalledHelpers::Install(asmjit::CodeHolder& code, const ErrorCollector& errors,
                               const std::string& name, CodeMemory& memory, std::string* error) {
  if (errors.error == asmjit::kErrorOk) code.flatten();
  if (errors.error == asmjit::kErrorOk) code.resolveUnresolvedLinks();
  if (errors.error != asmjit::kErrorOk) {
    *error = "helpers: " + errors.text;
    return false;
  }
  const size_t size = code.codeSize();
  // (Kinds that learn the address only after loading pass 0: the helpers hold absolute
  // addresses, but they are only installed in memory.)
  auto write = [&code, size](uint8_t* rw, uint64_t rx) {
    if (rx == 0 || code.relocateToBase(rx) != asmjit::kErrorOk) return false;
    code.copyFlattenedData(rw, size, asmjit::CopySectionFlags::kPadTargetBuffer);
    return true;
  };
  if (!memory.Install(name, size, write, &block_, error)) return false;
  memory_ = &memory;
  return true;
}

uint64_t InstalledHelpers::AddressOf(const asmjit::CodeHolder& code,
                                     const asmjit::Label& label) const {
  return reinterpret_cast<uint64_t>(block_.rx) + code.labelOffsetFromBase(label);
}

}  // namespace maru::jit
