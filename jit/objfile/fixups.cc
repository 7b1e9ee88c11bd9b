#include "jit/objfile/fixups.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace maru::jit::objfile {
namespace {

// Addends beyond this are certainly wrong and would overflow the arithmetic below.
constexpr int64_t kMaxAbsAddend = int64_t{1} << 40;

const char* KindName(FixupKind kind) {
  switch (kind) {
    case FixupKind::kX86Pc32:
      return "X86Pc32";
    case FixupKind::kAArch64Adr:
      return "AArch64Adr";
    case FixupKind::kAArch64AdrpPage:
      return "AArch64AdrpPage";
    case FixupKind::kAArch64AddLo12:
      return "AArch64AddLo12";
    case FixupKind::kAArch64Ldst64Lo12:
      return "AArch64Ldst64Lo12";
    case FixupKind::kAArch64LdrLiteral:
      return "AArch64LdrLiteral";
    case FixupKind::kAArch64Branch26:
      return "AArch64Branch26";
  }
  return "?";
}

bool FitsSigned(int64_t v, int bits) {
  const int64_t limit = int64_t{1} << (bits - 1);
  return v >= -limit && v < limit;
}

// Replaces `mask` bits of the instruction with `bits` (already shifted into place).
uint32_t Insert(uint32_t insn, uint32_t mask, uint32_t bits) {
  return (insn & ~mask) | (bits & mask);
}

}  // namespace

bool FixupKindMatchesArch(FixupKind kind, Arch arch) {
  return (kind == FixupKind::kX86Pc32) == (arch == Arch::kX86_64);
}

absl::Status ApplyFixup(Arch arch, const Fixup& fixup, uint64_t target, uint64_t function_offset,
                        std::span<uint8_t> code) {
  auto error = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("fixup ", KindName(fixup.kind), " at code offset ", fixup.offset, ": ", what));
  };
  if (!FixupKindMatchesArch(fixup.kind, arch)) {
    return error(absl::StrCat("not a fixup kind for ", std::string(ArchName(arch))));
  }
  if (fixup.addend > kMaxAbsAddend || fixup.addend < -kMaxAbsAddend) {
    return error("addend out of range");
  }
  if (code.size() < 4 || fixup.offset > code.size() - 4) {
    return error(absl::StrCat("field does not fit in the function's ", code.size(), " bytes"));
  }
  uint8_t* field = code.data() + fixup.offset;
  const int64_t s_plus_a = static_cast<int64_t>(target) + fixup.addend;
  const int64_t place = static_cast<int64_t>(function_offset + fixup.offset);
  const int64_t pc_relative = s_plus_a - place;

  if (fixup.kind == FixupKind::kX86Pc32) {
    if (!FitsSigned(pc_relative, 32)) return error("displacement does not fit in 32 bits");
    const auto v = static_cast<int32_t>(pc_relative);
    std::memcpy(field, &v, 4);
    return absl::OkStatus();
  }

  // AArch64: instructions are 4-aligned little-endian words.
  if ((place & 3) != 0) return error("instruction not 4-byte aligned");
  uint32_t insn;
  std::memcpy(&insn, field, 4);
  switch (fixup.kind) {
    case FixupKind::kAArch64Adr:
    case FixupKind::kAArch64AdrpPage: {
      const bool page = fixup.kind == FixupKind::kAArch64AdrpPage;
      if ((insn & 0x9f000000u) != (page ? 0x90000000u : 0x10000000u)) {
        return error(page ? "instruction is not ADRP" : "instruction is not ADR");
      }
      const int64_t v =
          page ? ((s_plus_a & ~int64_t{0xfff}) - (place & ~int64_t{0xfff})) >> 12 : pc_relative;
      if (!FitsSigned(v, 21)) return error("target out of range");
      const auto imm = static_cast<uint32_t>(v);
      insn = Insert(insn, 0x60000000u, (imm & 3) << 29);              // immlo
      insn = Insert(insn, 0x00ffffe0u, ((imm >> 2) & 0x7ffff) << 5);  // immhi
      break;
    }
    case FixupKind::kAArch64AddLo12:
      // ADD (immediate), 32 or 64 bit, shift 0.
      if ((insn & 0x7fc00000u) != 0x11000000u) return error("instruction is not ADD #imm12");
      insn = Insert(insn, 0x003ffc00u, static_cast<uint32_t>(s_plus_a & 0xfff) << 10);
      break;
    case FixupKind::kAArch64Ldst64Lo12:
      // Load/store register (unsigned immediate) with an 8-byte access (size = 0b11).
      if ((insn & 0x3b000000u) != 0x39000000u || (insn >> 30) != 3) {
        return error("instruction is not a 64-bit LDR/STR [Xn, #imm]");
      }
      if ((s_plus_a & 7) != 0) return error("target not 8-byte aligned");
      insn = Insert(insn, 0x003ffc00u, static_cast<uint32_t>((s_plus_a & 0xfff) >> 3) << 10);
      break;
    case FixupKind::kAArch64LdrLiteral:
      if ((insn & 0x3b000000u) != 0x18000000u) return error("instruction is not LDR (literal)");
      if ((pc_relative & 3) != 0) return error("target not 4-byte aligned");
      if (!FitsSigned(pc_relative >> 2, 19)) return error("target out of range");
      insn = Insert(insn, 0x00ffffe0u, static_cast<uint32_t>(pc_relative >> 2) << 5);
      break;
    case FixupKind::kAArch64Branch26:
      if ((insn & 0x7c000000u) != 0x14000000u) return error("instruction is not B or BL");
      if ((pc_relative & 3) != 0) return error("target not 4-byte aligned");
      if (!FitsSigned(pc_relative >> 2, 26)) return error("target out of range");
      insn = Insert(insn, 0x03ffffffu, static_cast<uint32_t>(pc_relative >> 2));
      break;
    case FixupKind::kX86Pc32:
      break;  // handled above
  }
  std::memcpy(field, &insn, 4);
  return absl::OkStatus();
}

}  // namespace maru::jit::objfile
