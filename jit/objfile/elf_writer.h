// In-process writer of ELF64 shared objects for compiled Maru code (the dlopen tier: used when
// the platform refuses in-memory JIT). No assembler, linker or compiler is involved: the image is
// built in memory and loaded with LoadSharedObject (shared_object_loader.h).
//
// The image (x86-64 or AArch64, little-endian, ET_DYN) has no relocations, no DT_NEEDED and no
// section the loader must process beyond the symbol lookup tables:
//
//   PT_LOAD R    ELF header, program headers, .hash (DT_HASH), .gnu.hash (DT_GNU_HASH, optional),
//                .dynsym, .dynstr
//   PT_LOAD R+X  .text: the functions, each aligned, gaps filled with traps (int3 / udf)
//   PT_LOAD RW   .dynamic, then .data: the data table (16-aligned 64-bit words)
//   PT_DYNAMIC   the .dynamic bytes;  PT_GNU_STACK RW (non-executable stack)
//   section headers (.hash .gnu.hash .dynsym .dynstr .text .dynamic .data .shstrtab) for tools
//   only (readelf, objdump -d); the loader ignores them.
//
// Segments are packed in the file but each starts on a fresh p_align boundary in the address
// space (p_offset == p_vaddr mod p_align), so no page is both writable and executable and no
// two segments share a page. p_align = 4 KiB on x86-64 and 64 KiB on AArch64, valid on 4, 16
// and 64 KiB page kernels. The first segment is at address 0, so "module-relative address"
// below = ELF virtual address = offset from the load base (dlinfo l_addr).
//
// Exports: one STB_GLOBAL STT_FUNC symbol per function (named per symbol_mangling.h, st_size =
// code size) and, when the table is non-empty, STB_GLOBAL STT_OBJECT kDataTableSymbol.
//
// Rules for the code it is given (position-independent code; the image is final when written):
//  * Code runs at an address unknown until dlopen and the text is never writable: no absolute
//    address of anything in the module may appear in code or data (there are no R_*_RELATIVE
//    relocations). With asmjit: after emitting, flatten() + resolveUnresolvedLinks() and
//    require !hasRelocEntries(); never embedLabel(), absolute-Imm call/jmp targets or absolute
//    memory operands for module-internal things. Jump tables hold relative offsets.
//  * Reach the data table and other functions of the module PC-relatively through Fixups
//    (x86-64: rip-relative disp32 / call rel32 + kX86Pc32; AArch64: ADRP + ADD/LDR, ADR, LDR
//    literal, B/BL), or with displacements computed from PlanModuleLayout.
//  * Absolute process addresses (runtime helpers, heap objects) are fine because a module lives
//    only in this process: put them in the data table (load PC-relatively, call through a
//    register: `call qword ptr [rip + slot]`; `ldr x16, [...]; blr x16`) or embed them as
//    64-bit immediates (`mov rax, imm64; call rax`; `movz/movk x16; blr x16`).
//  * No unwind information is emitted: C++ exceptions must never propagate through this code.
#ifndef MARU_JIT_OBJFILE_ELF_WRITER_H_
#define MARU_JIT_OBJFILE_ELF_WRITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "jit/objfile/module_spec.h"

namespace maru::jit::objfile {

struct WrittenModule {
  std::string image;    // the shared object, ready for LoadSharedObject
  ModuleLayout layout;  // where everything is (module-relative)
};

// Builds the shared object for `spec`: lays it out, copies the code, applies every Fixup.
// InvalidArgument for a bad spec (empty code, bad alignment, fixup out of range or of the
// other architecture, initial table larger than the table, ...); nothing is written then.
absl::StatusOr<WrittenModule> WriteElfSharedObject(const ModuleSpec& spec);

// The layout WriteElfSharedObject(spec) will produce. It depends only on the architecture,
// the function names, code sizes and alignments, the table size and `gnu_hash`, never on code
// bytes or fixups, so a code generator that wants displacements up front can plan with
// placeholder bytes of the final sizes.
absl::StatusOr<ModuleLayout> PlanModuleLayout(const ModuleSpec& spec);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_ELF_WRITER_H_
