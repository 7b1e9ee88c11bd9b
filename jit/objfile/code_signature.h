// Ad-hoc code signature of a Mach-O image, as the arm64 linker makes it (`ld -adhoc_codesign`)
// and as Apple silicon requires for every executable page (platform notes §1.1, §3.2).
//
// The signature is a SuperBlob (magic CSMAGIC_EMBEDDED_SIGNATURE) with exactly one blob, the
// CodeDirectory (slot CSSLOT_CODEDIRECTORY):
//   version 0x20400 (with the executable-segment fields), flags CS_ADHOC | CS_LINKER_SIGNED,
//   identifier (the file name), no special slots (no Info.plist, requirements or entitlements
//   are bound: the notes' recipe, as lld's), one SHA-256 per 4 KiB page of the file from offset
//   0 up to codeLimit = the signature's own file offset (the last page may be partial),
//   pageSize log2 12 even on 16 KiB-page hardware, execSegBase/execSegLimit = __TEXT's file
//   range, execSegFlags 0 for a dylib.
// Every multi-byte field is big-endian, whatever the target's byte order. Being ad hoc, there is
// no CMS blob and no certificate: the kernel checks the page hashes against this directory, and
// library validation (hardened runtime) rejects it unless the host process opts out.
#ifndef MARU_JIT_OBJFILE_CODE_SIGNATURE_H_
#define MARU_JIT_OBJFILE_CODE_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace maru::jit::objfile {

struct CodeSignatureParams {
  std::string identifier;           // non-empty, no NUL (conventionally the file name)
  uint64_t exec_segment_base = 0;   // file offset of __TEXT
  uint64_t exec_segment_limit = 0;  // file size of __TEXT
  uint64_t exec_segment_flags = 0;  // CS_EXECSEG_*: 0 for a dylib
};

// Bytes reserved for the signature of a `code_limit`-byte prefix (what LC_CODE_SIGNATURE's
// datasize must be): the SuperBlob, padded with zeros to a multiple of 16. Depends only on
// code_limit and the identifier's length, so a writer can lay out the file before hashing.
uint64_t AdHocSignatureSize(uint64_t code_limit, std::string_view identifier);

// The signature of `signed_bytes` (the file's first codeLimit bytes, headers included, with
// every size and offset already final), exactly AdHocSignatureSize(signed_bytes.size(),
// identifier) bytes. InvalidArgument for an empty identifier or one with a NUL, or a prefix
// beyond the 32-bit codeLimit field.
absl::StatusOr<std::string> BuildAdHocSignature(std::string_view signed_bytes,
                                                const CodeSignatureParams& params);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_CODE_SIGNATURE_H_
