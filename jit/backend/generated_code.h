// What both backends do once a function is assembled: hand its code to GeneratedCode.
#ifndef MARU_JIT_BACKEND_GENERATED_CODE_H_
#define MARU_JIT_BACKEND_GENERATED_CODE_H_

#include <asmjit/core.h>

#include <cstdint>
#include <memory>
#include <utility>

#include "jit/backend/backend.h"
#include "jit/backend/data_table.h"

namespace maru::jit {

// Hands code assembled in `code` to `out`: its size, the words of this process it holds or
// loads (DataTable), and the writer that copies it to where it is installed (relocated to the
// address it runs at; the code is position independent, so 0 will do).
inline void FinishGeneratedCode(std::shared_ptr<asmjit::CodeHolder> code, DataTable& table,
                                GeneratedCode* out) {
  out->size = code->codeSize();
  if (table.in_table()) {
    out->table = std::move(table.words());
    out->fixups = std::move(table.fixups());
  } else {
    out->immediates = std::move(table.words());
    out->patches = std::move(table.patches());
    out->patchable = table.patchable();
  }
  out->write = [code, size = out->size](uint8_t* rw, uint64_t rx) {
    if (code->relocateToBase(rx) != asmjit::kErrorOk) return false;
    code->copyFlattenedData(rw, size, asmjit::CopySectionFlags::kPadTargetBuffer);
    return true;
  };
}

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_GENERATED_CODE_H_
