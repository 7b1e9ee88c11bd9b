// In-process writer of Mach-O dylibs for compiled Maru code: the macOS counterpart of
// elf_writer.h, for the dylib tier (a hardened process without a JIT entitlement can still
// dlopen a signed dylib when it has disable-library-validation; platform notes §3.2). The same
// ModuleSpec becomes an MH_DYLIB for x86-64 or arm64 (spec.arch), ad-hoc signed, ready to be
// written to a fresh path (macho_fresh_file.h) and dlopen'ed. Nothing here calls a macOS API:
// the bytes are built and checked on any host.
//
// The image (64-bit, little-endian; S = segment alignment: 4 KiB on x86-64, 16 KiB on arm64,
// the page size of the target; every segment's file offset, address and size are multiples of
// S, __TEXT starts at file offset 0 and address 0):
//
//   __TEXT     R+X  Mach-O header, load commands, then section __TEXT,__text: the functions,
//                   each aligned, gaps filled with traps (int3 on x86-64, udf #0 on arm64)
//   __DATA     RW   section __DATA,__data: the data table (16-aligned 64-bit words); omitted
//                   when the module has no table
//   __LINKEDIT R    (last) export trie, symbol table (nlist_64), string table, then the
//                   ad-hoc code signature (16-aligned; code_signature.h), which ends the file
//
// Load commands: LC_SEGMENT_64 ×2-3, LC_ID_DYLIB (options.install_name), LC_DYLD_INFO_ONLY
// (export trie only: no rebase or bind information, nothing is fixed up at load time),
// LC_SYMTAB, LC_DYSYMTAB (all symbols external definitions, sorted by name), LC_UUID (derived
// from the image's contents, so distinct modules get distinct UUIDs and a rewrite of the same
// module the same one), LC_BUILD_VERSION (macOS, options.min_os/sdk), LC_LOAD_DYLIB
// /usr/lib/libSystem.B.dylib (dyld requires one linked dylib from SDK 13 on), LC_CODE_SIGNATURE.
//
// Exports: every function as "_" + its mangled name (symbol_mangling.h; C symbols carry the
// underscore in Mach-O, so dlsym(handle, FunctionLayout::symbol) finds it) and, with a table,
// "_" + kDataTableSymbol. Addresses are module-relative: run-time address = the loaded image's
// header address (dladdr's dli_fbase, or dlsym of a symbol minus its offset) + offset.
//
// The rules for the code are those of elf_writer.h (position independent, module-internal
// references only through Fixups, applied here at write time; absolute process addresses in
// the table or in immediates; no unwind information).
#ifndef MARU_JIT_OBJFILE_MACHO_WRITER_H_
#define MARU_JIT_OBJFILE_MACHO_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "jit/objfile/macho_format.h"
#include "jit/objfile/module_spec.h"

namespace maru::jit::objfile {

struct MachODylibOptions {
  // LC_ID_DYLIB name: the path the dylib will be written to and loaded from. Each module needs a
  // fresh one (the kernel caches signature checks per file; never rewrite a loaded path).
  std::string install_name;
  // Code-signature identifier; empty = the last component of install_name.
  std::string identifier;
  // LC_BUILD_VERSION: the oldest macOS the module runs on (11.0: the first arm64 macOS, and the
  // MAP_JIT / pthread_jit_* floor of the rest of the JIT) and the SDK it claims, which sets how
  // strictly dyld checks the format (14.0: the strictest rules the notes list, all honoured).
  uint32_t min_os = macho::PackVersion(11, 0, 0);
  uint32_t sdk = macho::PackVersion(14, 0, 0);
};

struct WrittenDylib {
  std::string image;  // the signed dylib
  // Module-relative positions, as for ELF, with these Mach-O meanings: segment_alignment = S;
  // text_offset/text_size = the __text section (functions only; __TEXT itself starts at 0
  // with the headers); data_offset/data_size = the __data section (the table; 0/0 without
  // one); memory_size = end of __LINKEDIT's address range; file_size = image.size().
  ModuleLayout layout;
  // Where the parts of the file are (for tools and tests).
  uint64_t linkedit_offset = 0;
  uint64_t signature_offset = 0;  // = the CodeDirectory's codeLimit
  uint64_t signature_size = 0;
  std::string identifier;  // as signed
};

// Builds the signed dylib for `spec` (spec.arch: kX86_64 or kAArch64 = arm64; spec.gnu_hash is
// an ELF matter and ignored). InvalidArgument for a bad spec (as WriteElfSharedObject) or bad
// options (empty install name or identifier, a NUL or a '/' in the identifier, names over
// 1024 bytes, versions whose major is 0).
absl::StatusOr<WrittenDylib> WriteMachODylib(const ModuleSpec& spec,
                                             const MachODylibOptions& options);

// The layout WriteMachODylib(spec, options) will produce. It depends on the architecture, the
// function names, code sizes and alignments, the table size and the install name's length,
// never on code bytes, fixups or the table's initial contents.
absl::StatusOr<ModuleLayout> PlanMachODylibLayout(const ModuleSpec& spec,
                                                  const MachODylibOptions& options);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_MACHO_WRITER_H_
