// Resolution of module-internal references (module_spec.h, Fixup) at write time. The image the
// writer produces has no dynamic relocations at all: every reference is PC-relative and final.
#ifndef MARU_JIT_OBJFILE_FIXUPS_H_
#define MARU_JIT_OBJFILE_FIXUPS_H_

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "jit/objfile/module_spec.h"

namespace maru::jit::objfile {

// Whether `kind` belongs to `arch`.
bool FixupKindMatchesArch(FixupKind kind, Arch arch);

// Patches `code` (one function's bytes, already at their final place in the image) for `fixup`.
// `target` is S (module-relative, before the addend) and `function_offset` the module-relative
// address of code[0]. Checks the field lies inside `code`, the arch, range and alignment of the
// result, and for AArch64 the opcode of the patched instruction; returns InvalidArgument (and
// leaves `code` unchanged) otherwise.
absl::Status ApplyFixup(Arch arch, const Fixup& fixup, uint64_t target, uint64_t function_offset,
                        std::span<uint8_t> code);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_FIXUPS_H_
