// Structural check of a shared-object image before it is handed to dlopen.
//
// glibc's loader trusts what it maps: a PT_LOAD that extends past the end of the file maps
// fine and faults (SIGBUS) on first touch, a wild DT_SYMTAB or hash table faults in dlsym.
// This check makes "refuse cleanly" hold for any byte string, and it pins the shape our writer
// produces: no dependencies, relocations, initialisers or interpreter, no W+X segment, a
// non-executable stack.
#ifndef MARU_JIT_OBJFILE_ELF_VALIDATOR_H_
#define MARU_JIT_OBJFILE_ELF_VALIDATOR_H_

#include <string_view>

#include "absl/status/status.h"
#include "jit/objfile/module_spec.h"

namespace maru::jit::objfile {

// OK when `image` is an ELF64 little-endian ET_DYN for `arch` that
//  * has program headers inside the file, PT_LOADs in ascending, non-overlapping address order,
//    each with p_filesz <= p_memsz, its file bytes inside the image, p_align a power of two
//    >= 4096 with p_offset == p_vaddr mod p_align, flags R, RW or RX (never W+X, never
//    unreadable: glibc reads the tables through these mappings);
//    read-only and executable PT_LOADs have p_memsz == p_filesz (no zero-filled tail, which glibc
//    would write through a temporarily writable page);
//  * has exactly one PT_DYNAMIC inside the file bytes of a writable PT_LOAD, a PT_GNU_STACK
//    without PF_X, and no other program header types than these and PT_NULL (no PT_INTERP,
//    PT_TLS, PT_GNU_RELRO, PT_GNU_PROPERTY);
//  * has a dynamic array terminated by DT_NULL using only DT_HASH, DT_GNU_HASH, DT_STRTAB,
//    DT_SYMTAB, DT_STRSZ, DT_SYMENT (= 24), DT_SONAME; DT_HASH, DT_STRTAB, DT_SYMTAB required;
//  * has hash tables, symbol table and string table inside loaded file bytes, every bucket and
//    chain index inside the symbol table, every GNU hash chain terminated inside its array, every
//    symbol name inside the string table, every defined symbol inside a PT_LOAD, and symbols of
//    type NOTYPE/OBJECT/FUNC and binding LOCAL/GLOBAL/WEAK only (dlsym would run an IFUNC
//    resolver or set up TLS; STB_GNU_UNIQUE would make the module impossible to unload).
// InvalidArgument naming the first violation otherwise. Section headers are not examined (the
// loader ignores them).
absl::Status ValidateSharedObject(std::string_view image, Arch arch);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_ELF_VALIDATOR_H_
