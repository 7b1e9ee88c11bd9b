#include "jit/ffi/stub_generator.h"

#include <asmjit/core.h>

#include "jit/backend/emit_support.h"
#include "jit/ffi/stub_emitters.h"

namespace maru::jit::ffi {

bool AssembleStub(const StubPlan& plan, std::vector<uint8_t>* code, std::string* error) {
  asmjit::Environment environment(plan.abi == StubAbi::kX64SysV ? asmjit::Arch::kX64
                                                                : asmjit::Arch::kAArch64);
  asmjit::CodeHolder holder;
  if (holder.init(environment) != asmjit::kErrorOk) {
    *error = "asmjit: cannot initialise code for the stub's ISA";
    return false;
  }
  ErrorCollector errors;
  holder.setErrorHandler(&errors);
  if (plan.abi == StubAbi::kX64SysV) {
    EmitX64Stub(plan, &holder);
  } else {
    EmitA64Stub(plan, &holder);
  }
  if (errors.error == asmjit::kErrorOk) holder.flatten();
  if (errors.error == asmjit::kErrorOk) holder.resolveUnresolvedLinks();
  if (errors.error != asmjit::kErrorOk) {
    *error = "asmjit: " + errors.text;
    return false;
  }
  // Branches are label-relative and calls go through registers: nothing may need the address
  // the code will run at (the dlopen kind of code memory does not know it when writing).
  if (holder.hasUnresolvedLinks() || !holder.relocEntries().empty()) {
    *error = "the stub is not position independent";
    return false;
  }
  code->assign(holder.codeSize(), 0);
  if (holder.copyFlattenedData(code->data(), code->size(),
                               asmjit::CopySectionFlags::kPadTargetBuffer) != asmjit::kErrorOk) {
    *error = "asmjit: cannot copy the stub's code";
    return false;
  }
  return true;
}

}  // namespace maru::jit::ffi
