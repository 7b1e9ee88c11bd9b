#include "jit/ir/printer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace maru::jit::ir {

namespace {

std::string ValueName(ValueId v) { return absl::StrCat("v", v); }

std::string ValueNames(std::span<const ValueId> values, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < values.size(); ++i) {
    if (i > from) out += ", ";
    out += ValueName(values[i]);
  }
  return out;
}

}  // namespace

std::string Print(const Function& f, const OopFormatter& format_oop) {
  auto oop = [&](Oop o) {
    return format_oop ? format_oop(o) : absl::StrFormat("0x%x", static_cast<uint64_t>(o));
  };
  std::string out = absl::StrCat("function ", f.name, " level=", f.level, " slots=", f.nslots,
                                 " params=(");
  for (size_t i = 0; i < f.param_slots.size(); ++i) {
    if (i > 0) out += " ";
    absl::StrAppend(&out, "s", f.param_slots[i]);
  }
  if (f.rest_slot >= 0) absl::StrAppend(&out, f.param_slots.empty() ? "" : " ", ". s", f.rest_slot);
  out += ")\n";
  for (size_t k = 0; k < f.inline_frames.size(); ++k) {
    const InlineFrame& frame = f.inline_frames[k];
    absl::StrAppend(&out, "inline @", k + 1, " in @", frame.parent, " slots=s", frame.slot_base,
                    "+", frame.nslots, " level=", frame.level, " callee=", oop(frame.callee),
                    "\n");
  }
  for (size_t b = 0; b < f.blocks.size(); ++b) {
    const Block& block = f.blocks[b];
    absl::StrAppend(&out, "b", b);
    if (!block.params.empty()) absl::StrAppend(&out, "(", ValueNames(block.params), ")");
    out += ":\n";
    for (const Instr& in : block.instrs) {
      out += "  ";
      if (in.result != kNoValue) absl::StrAppend(&out, ValueName(in.result), " = ");
      out += OpcodeName(in.op);
      switch (in.op) {
        case Opcode::kConst:
        case Opcode::kLoadGlobal:
        case Opcode::kLoadVar:
        case Opcode::kClosure:
        case Opcode::kEvalForm:
        case Opcode::kEvalAtom:
          absl::StrAppend(&out, " ", oop(in.imm));
          break;
        case Opcode::kLoadSlot:
          absl::StrAppend(&out, " s", in.aux);
          break;
        case Opcode::kParam:
          absl::StrAppend(&out, " #", in.aux);
          break;
        case Opcode::kStoreSlot:
          absl::StrAppend(&out, " s", in.aux, ", ", ValueName(in.args[0]));
          break;
        case Opcode::kGlobalIs:
          absl::StrAppend(&out, " ", oop(in.imm), ", ", oop(in.imm2));
          break;
        case Opcode::kStoreGlobal:
        case Opcode::kStoreVar:
        case Opcode::kDefine:
        case Opcode::kNameValue:
          absl::StrAppend(&out, " ", oop(in.imm), ", ", ValueName(in.args[0]));
          break;
        case Opcode::kPrimitive:
          absl::StrAppend(&out, ".", PrimitiveOpName(static_cast<PrimitiveOp>(in.aux)), " ",
                          ValueNames(in.args));
          break;
        case Opcode::kCall:
          absl::StrAppend(&out, " ", ValueName(in.args[0]), "(", ValueNames(in.args, 1), ")");
          break;
        case Opcode::kJump:
          absl::StrAppend(&out, " b", in.targets[0]);
          if (!in.args.empty()) absl::StrAppend(&out, "(", ValueNames(in.args), ")");
          break;
        case Opcode::kBranch:
          absl::StrAppend(&out, " ", ValueName(in.args[0]), ", b", in.targets[0], ", b",
                          in.targets[1]);
          break;
        default:
          if (!in.args.empty()) absl::StrAppend(&out, " ", ValueNames(in.args));
          break;
      }
      if (in.fixnum_args != 0) {
        out += " fixnum(";
        bool first = true;
        for (size_t i = 0; i < 8; ++i) {
          if (((in.fixnum_args >> i) & 1) == 0) continue;
          absl::StrAppend(&out, first ? "" : ",", i);
          first = false;
        }
        out += ")";
      }
      if (in.no_overflow) out += " nooverflow";
      if (in.frame != 0) absl::StrAppend(&out, " @", in.frame);
      out += "\n";
    }
  }
  return out;
}

}  // namespace maru::jit::ir
