// What the code generator hands to the shared-object writer (ModuleSpec), and what it gets back
// about where everything landed (ModuleLayout). See elf_writer.h for the writer itself.
//
// A module is one batch of compiled Maru functions plus one RW "data table" of 64-bit words
// (helper addresses, heap constants) that the JIT fills after loading. Code and table are in
// the same module at a fixed distance, so code reaches the table PC-relatively; all addresses
// below are module-relative ("offsets from the module base", i.e. ELF virtual addresses with
// the first segment at 0; after dlopen, run-time address = load base + offset).
#ifndef MARU_JIT_OBJFILE_MODULE_SPEC_H_
#define MARU_JIT_OBJFILE_MODULE_SPEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace maru::jit::objfile {

enum class Arch { kX86_64, kAArch64 };

// "x86-64" / "aarch64".
constexpr std::string_view ArchName(Arch arch) {
  return arch == Arch::kX86_64 ? "x86-64" : "aarch64";
}

// The architecture this process runs on, if it is one the writer supports.
constexpr std::optional<Arch> HostArch() {
#if defined(__x86_64__)
  return Arch::kX86_64;
#elif defined(__aarch64__)
  return Arch::kAArch64;
#else
  return std::nullopt;
#endif
}

// A reference from code to something in the same module, patched by the writer once the layout
// is known (the module is never relocated as a whole afterwards: nothing is left for the dynamic
// loader). Semantics are those of the ELF relocation of the same name with
//   S = module-relative address of the target, A = addend,
//   P = module-relative address of the patched field (function offset + `offset`).
// AArch64 kinds patch the immediate of an existing instruction and check its opcode; the x86-64
// kind overwrites a 4-byte little-endian field.
enum class FixupKind {
  // R_X86_64_PC32: int32 at `offset` = S + A - P. For a rip-relative operand or a call/jmp rel32
  // whose field ends the instruction, A = -4 (-4 - n when an n-byte immediate follows it).
  kX86Pc32,
  // R_AARCH64_ADR_PREL_LO21: ADR imm = S + A - P (+-1 MiB).
  kAArch64Adr,
  // R_AARCH64_ADR_PREL_PG_HI21: ADRP imm = Page(S + A) - Page(P), Page(x) = x & ~0xfff
  // (+-4 GiB). Pair with kAArch64AddLo12 or kAArch64Ldst64Lo12 on the next instruction.
  kAArch64AdrpPage,
  // R_AARCH64_ADD_ABS_LO12_NC: ADD (immediate, no shift) imm12 = (S + A) & 0xfff.
  kAArch64AddLo12,
  // R_AARCH64_LDST64_ABS_LO12_NC: 64-bit LDR/STR (unsigned offset) imm12 = ((S + A) & 0xfff) / 8;
  // S + A must be 8-aligned.
  kAArch64Ldst64Lo12,
  // R_AARCH64_LD_PREL_LO19: LDR (literal) imm19 = (S + A - P) / 4 (+-1 MiB).
  kAArch64LdrLiteral,
  // R_AARCH64_CALL26 / JUMP26: B or BL imm26 = (S + A - P) / 4 (+-128 MiB).
  kAArch64Branch26,
};

enum class FixupTarget {
  kDataTable,  // S = data table + 8 * index (index <= data_table_words: one-past-the-end is ok)
  kFunction,   // S = entry of functions[index] in the same ModuleSpec
};

struct Fixup {
  FixupKind kind = FixupKind::kX86Pc32;
  uint32_t offset = 0;  // of the field (x86) or instruction (AArch64) within the function's code
  FixupTarget target = FixupTarget::kDataTable;
  uint32_t index = 0;
  int64_t addend = 0;
};

struct Function {
  // The Maru name; mangled into the exported symbol (symbol_mangling.h). May be empty
  // (anonymous lambdas) or repeat within a module: symbols are made unique.
  std::string name;
  std::vector<uint8_t> code;  // non-empty, position independent (see elf_writer.h)
  uint32_t alignment = 16;    // power of two, 1..4096
  std::vector<Fixup> fixups;
};

// Limits every writer enforces (ValidateModuleSpec).
inline constexpr size_t kMaxModuleFunctions = size_t{1} << 20;
inline constexpr uint32_t kMaxFunctionAlignment = 4096;
// Keeps every module-relative distance well inside +-2 GiB (x86-64 rel32, AArch64 ADRP +-4 GiB)
// and every Mach-O linkedit offset inside the 32-bit fields that hold it.
inline constexpr uint64_t kMaxModuleMemorySize = uint64_t{1} << 30;

// Symbol of the data table in every module that has one (STT_OBJECT, STB_GLOBAL). Cannot clash
// with a function symbol: those all start with "maru_f_".
inline constexpr std::string_view kDataTableSymbol = "maru_data_table";

struct ModuleSpec {
  Arch arch = Arch::kX86_64;
  std::vector<Function> functions;
  // Size of the RW data table in 64-bit words (0: no table, no table symbol).
  size_t data_table_words = 0;
  // Optional initial contents of the first words (size <= data_table_words); the rest is zero.
  std::vector<uint64_t> data_table_init;
  // Also emit a DT_GNU_HASH table (glibc then uses it instead of DT_HASH, which is always
  // emitted).
  bool gnu_hash = true;
};

struct FunctionLayout {
  std::string symbol;   // exported name
  uint64_t offset = 0;  // entry, module-relative
  uint64_t size = 0;    // bytes of code (= Function::code.size(); st_size)
};

struct ModuleLayout {
  Arch arch = Arch::kX86_64;
  // p_align of every PT_LOAD: 4 KiB on x86-64, 64 KiB on AArch64 (valid for 4/16/64 KiB
  // pages). Each segment starts on a fresh p_align-aligned range of addresses, so no page
  // is shared by two segments at run time.
  uint64_t segment_alignment = 0;
  std::vector<FunctionLayout> functions;  // same order as ModuleSpec::functions
  uint64_t text_offset = 0;               // R+X segment (functions only)
  uint64_t text_size = 0;
  uint64_t data_offset = 0;  // RW segment: dynamic array, then the table
  uint64_t data_size = 0;
  uint64_t data_table_offset = 0;  // 16-aligned; meaningful when data_table_words > 0
  uint64_t data_table_words = 0;
  std::string data_table_symbol;  // kDataTableSymbol, or empty when there is no table
  uint64_t file_size = 0;         // bytes of the image
  uint64_t memory_size = 0;       // end of the last segment (address span after loading)
};

// The checks of `spec` that do not depend on the file format, made by every writer before it lays
// a module out: a known architecture; at most kMaxModuleFunctions functions; each with code, no
// larger than kMaxModuleMemorySize, aligned to a power of two <= kMaxFunctionAlignment (>= 4 for
// AArch64); an initial table no larger than the table, and the table within
// kMaxModuleMemorySize; fixups that target an existing function or table word (one past the end
// included). InvalidArgument naming the first offence. A fixup's kind, field and range are
// checked when it is applied (fixups.h), its architecture also up front by the Mach-O writer.
absl::Status ValidateModuleSpec(const ModuleSpec& spec);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_MODULE_SPEC_H_
