// What both backends' emitters share: the object layout facts machine code relies on, asmjit's
// error collection, and questions about IR instructions that do not depend on the ISA.
#ifndef MARU_JIT_BACKEND_EMIT_SUPPORT_H_
#define MARU_JIT_BACKEND_EMIT_SUPPORT_H_

#include <asmjit/core.h>

#include <cstdint>
#include <string>

#include "jit/ir/ir.h"
#include "runtime/object.h"

namespace maru::jit {

// The byte offset of a heap object's slot from the object's address.
constexpr int32_t SlotOffset(int slot) { return static_cast<int32_t>(sizeof(Header) + slot * 8); }

// The header word of an Expr made by the core (type 9, four public slots): compiled entries are
// only looked for in such objects.
constexpr uint64_t kCoreExprHeader = kExprType | (static_cast<uint64_t>(expr::kSlots << 1) << 32);

// Keeps asmjit's first error (its emitters report errors to a handler instead of failing).
class ErrorCollector : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, asmjit::BaseEmitter*) override {
    if (error == asmjit::kErrorOk) {
      error = err;
      text = message;
    }
  }
  asmjit::Error error = asmjit::kErrorOk;
  std::string text;
};

// < <= > >= = !=: the primitives whose fast path can branch instead of producing t or nil.
inline bool IsComparison(ir::PrimitiveOp op) {
  switch (op) {
    case ir::PrimitiveOp::kLt:
    case ir::PrimitiveOp::kLe:
    case ir::PrimitiveOp::kGt:
    case ir::PrimitiveOp::kGe:
    case ir::PrimitiveOp::kEq:
    case ir::PrimitiveOp::kNe:
      return true;
    default:
      return false;
  }
}

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_EMIT_SUPPORT_H_
