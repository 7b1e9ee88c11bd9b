// Constant folding: an inline primitive whose operands are all constants becomes a constant when
// its value cannot depend on anything else: fixnum arithmetic that stays a fixnum, comparisons
// and bitwise operations (but <<) of fixnums, `not`, `pair?`, car/cdr of (), and the type of
// () or a fixnum. The guard before a primitive guarantees the
// core primitive is what runs, so its result is known. Quoted pairs are mutable: car/cdr of one is
// never folded.
#include <optional>
#include <vector>

#include "jit/passes/passes.h"
#include "runtime/heap.h"
#include "runtime/object.h"

namespace maru::jit {

namespace {

using ir::PrimitiveOp;

Oop Truth(bool b) { return b ? SymbolT() : kNil; }

std::optional<Oop> Fold(PrimitiveOp op, const std::vector<Oop>& x) {
  switch (op) {
    case PrimitiveOp::kNot:
      return Truth(x[0] == kNil);
    case PrimitiveOp::kPairP:
      return Truth(IsPair(x[0]));
    case PrimitiveOp::kCar:
    case PrimitiveOp::kCdr:
      if (x[0] == kNil) return kNil;
      return std::nullopt;
    case PrimitiveOp::kBitNot:
      if (!IsFixnum(x[0])) return std::nullopt;
      return MakeFixnum(~FixnumValue(x[0]));
    case PrimitiveOp::kTypeOf:
      if (x[0] != kNil && !IsFixnum(x[0])) return std::nullopt;  // heap objects may change type
      return MakeFixnum(TypeOf(x[0]));
    default:
      break;
  }
  if (x.size() != 2 || !IsFixnum(x[0]) || !IsFixnum(x[1])) return std::nullopt;
  int64_t a = FixnumValue(x[0]), b = FixnumValue(x[1]);
  int64_t r = 0;
  switch (op) {
    case PrimitiveOp::kAdd:
      if (__builtin_add_overflow(a, b, &r) || !FitsFixnum(r)) return std::nullopt;
      return MakeFixnum(r);
    case PrimitiveOp::kSub:
      if (__builtin_sub_overflow(a, b, &r) || !FitsFixnum(r)) return std::nullopt;
      return MakeFixnum(r);
    case PrimitiveOp::kMul:
      if (__builtin_mul_overflow(a, b, &r) || !FitsFixnum(r)) return std::nullopt;
      return MakeFixnum(r);
    case PrimitiveOp::kLt:
      return Truth(a < b);
    case PrimitiveOp::kLe:
      return Truth(a <= b);
    case PrimitiveOp::kGt:
      return Truth(a > b);
    case PrimitiveOp::kGe:
      return Truth(a >= b);
    case PrimitiveOp::kEq:
      return Truth(a == b);
    case PrimitiveOp::kNe:
      return Truth(a != b);
    case PrimitiveOp::kBitAnd:
      return MakeFixnum(a & b);
    case PrimitiveOp::kBitOr:
      return MakeFixnum(a | b);
    case PrimitiveOp::kBitXor:
      return MakeFixnum(a ^ b);
    case PrimitiveOp::kShr:
      return MakeFixnum(a >> (b & 63));
    default:
      return std::nullopt;
  }
}

}  // namespace

bool FoldConstants(ir::Function& f) {
  // The constant each value is known to be (values are defined once: one sweep in block order
  // may miss a constant defined in a later block, so repeat until nothing changes).
  std::vector<std::optional<Oop>> constant(f.value_count);
  bool changed_any = false;
  for (bool changed = true; changed;) {
    changed = false;
    for (ir::Block& b : f.blocks) {
      for (ir::Instr& in : b.instrs) {
        if (in.op == ir::Opcode::kConst) {
          constant[in.result] = in.imm;
          continue;
        }
        if (in.op != ir::Opcode::kPrimitive) continue;
        std::vector<Oop> operands;
        for (ir::ValueId v : in.args) {
          if (!constant[v].has_value()) break;
          operands.push_back(*constant[v]);
        }
        if (operands.size() != in.args.size()) continue;
        std::optional<Oop> value = Fold(static_cast<PrimitiveOp>(in.aux), operands);
        if (!value.has_value()) continue;
        ir::Instr folded;
        folded.op = ir::Opcode::kConst;
        folded.result = in.result;
        folded.imm = *value;
        folded.form = in.form;
        in = folded;
        constant[in.result] = *value;
        changed = changed_any = true;
      }
    }
  }
  return changed_any;
}

}  // namespace maru::jit
