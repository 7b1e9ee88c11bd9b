#include "tests/objfile/sample_modules.h"

#include <initializer_list>
#include <string>
#include <utility>

namespace maru::objfile_test {
namespace {

using objfile::Fixup;
using objfile::FixupKind;
using objfile::FixupTarget;
using objfile::Function;

Function X86(std::string name, std::initializer_list<uint8_t> code, std::vector<Fixup> fixups = {},
             uint32_t alignment = 16) {
  return Function{std::move(name), std::vector<uint8_t>(code), alignment, std::move(fixups)};
}

Fixup TableRel32(uint32_t offset, uint32_t slot, int64_t addend = -4) {
  return Fixup{FixupKind::kX86Pc32, offset, FixupTarget::kDataTable, slot, addend};
}

void PutWord(std::vector<uint8_t>& code, uint32_t insn) {
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(insn >> (8 * i)));
}

Function A64(std::string name, std::initializer_list<uint32_t> insns,
             std::vector<Fixup> fixups = {}) {
  Function f{std::move(name), {}, 4, std::move(fixups)};
  for (uint32_t insn : insns) PutWord(f.code, insn);
  return f;
}

constexpr uint32_t kRet = 0xd65f03c0;

}  // namespace

objfile::ModuleSpec SampleX86Module() {
  objfile::ModuleSpec spec;
  spec.arch = objfile::Arch::kX86_64;
  spec.data_table_words = kSampleTableWords;
  spec.data_table_init = {0, 0, kInitValue};
  auto& f = spec.functions;
  f.push_back(X86("answer", {0xb8, 42, 0, 0, 0, 0xc3}));
  f.push_back(X86("table-ref", {0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3}, {TableRel32(3, kSlotValue)}));
  f.push_back(X86("call-helper!",
                  {0x48, 0x83, 0xec, 0x08,  // sub rsp, 8 (align the stack for the call)
                   0xff, 0x15, 0, 0, 0, 0,  // call qword ptr [rip + slot]
                   0x48, 0x83, 0xc4, 0x08,  // add rsp, 8
                   0xc3},
                  {TableRel32(6, kSlotHelper)}));
  f.push_back(X86("+", {0x48, 0x8d, 0x04, 0x37, 0xc3}));  // lea rax, [rdi + rsi]; ret
  f.push_back(X86("answer+1", {0xe8, 0, 0, 0, 0, 0x83, 0xc0, 0x01, 0xc3},
                  {Fixup{FixupKind::kX86Pc32, 1, FixupTarget::kFunction, kAnswer, -4}}));
  f.push_back(X86("table-address", {0x48, 0x8d, 0x05, 0, 0, 0, 0, 0xc3}, {TableRel32(3, 0)}));
  f.push_back(X86("init-word", {0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3}, {TableRel32(3, kSlotInit)}));
  f.push_back(X86("answer", {0xb8, 7, 0, 0, 0, 0xc3}));
  f.push_back(X86("aligned/64", {0xb8, 64, 0, 0, 0, 0xc3}, {}, 64));
  f.push_back(X86("five?",
                  {0x48, 0x83, 0x3d, 0, 0, 0, 0, 5,  // cmp qword ptr [rip + slot], 5
                   0x0f, 0x94, 0xc0,                 // sete al
                   0x0f, 0xb6, 0xc0,                 // movzx eax, al
                   0xc3},
                  {TableRel32(3, kSlotValue, -5)}));  // an imm8 follows the disp32
  return spec;
}

objfile::ModuleSpec SmallX86Module(int count) {
  objfile::ModuleSpec spec;
  spec.arch = objfile::Arch::kX86_64;
  spec.data_table_words = 16;
  for (int i = 0; i < count; ++i) {
    // mov eax, i; add rax, [rip + table]; ret -- one table reference each.
    Function fn = X86("fn" + std::to_string(i),
                      {0xb8, static_cast<uint8_t>(i), 0, 0, 0, 0x48, 0x03, 0x05, 0, 0, 0, 0, 0xc3},
                      {TableRel32(8, 0)});
    spec.functions.push_back(std::move(fn));
  }
  return spec;
}

objfile::ModuleSpec SampleAArch64Module() {
  objfile::ModuleSpec spec;
  spec.arch = objfile::Arch::kAArch64;
  spec.data_table_words = kSampleTableWords;
  auto table = [](FixupKind kind, uint32_t offset, uint32_t slot) {
    return Fixup{kind, offset, FixupTarget::kDataTable, slot, 0};
  };
  auto& f = spec.functions;
  f.push_back(A64("answer", {0x52800540 /* mov w0, #42 */, kRet}));
  f.push_back(A64("table-ref", {0x90000000 /* adrp x0 */, 0xf9400000 /* ldr x0, [x0] */, kRet},
                  {table(FixupKind::kAArch64AdrpPage, 0, kSlotValue + 1),
                   table(FixupKind::kAArch64Ldst64Lo12, 4, kSlotValue + 1)}));
  f.push_back(
      A64("table-address", {0x90000000, 0x91000000 /* add x0, x0, #0 */, kRet},
          {table(FixupKind::kAArch64AdrpPage, 0, 0), table(FixupKind::kAArch64AddLo12, 4, 0)}));
  f.push_back(A64("call-answer",
                  {0xa9bf7bfd /* stp x29, x30, [sp, #-16]! */, 0x94000000 /* bl */,
                   0xa8c17bfd /* ldp x29, x30, [sp], #16 */, kRet},
                  {Fixup{FixupKind::kAArch64Branch26, 4, FixupTarget::kFunction, kA64Answer, 0}}));
  f.push_back(
      A64("adr-table", {0x10000000 /* adr x0 */, kRet}, {table(FixupKind::kAArch64Adr, 0, 0)}));
  f.push_back(A64("ldr-literal", {0x58000000 /* ldr x0, <literal> */, kRet},
                  {table(FixupKind::kAArch64LdrLiteral, 0, kSlotInit)}));
  return spec;
}

}  // namespace maru::objfile_test
