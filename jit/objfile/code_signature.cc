#include "jit/objfile/code_signature.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "jit/objfile/macho_format.h"
#include "jit/objfile/sha256.h"

namespace maru::jit::objfile {
namespace {

// The CodeDirectory follows the SuperBlob header and its single index entry directly, as
// codesign lays it out.
constexpr uint32_t kCodeDirectoryOffset = macho::kCsSuperBlobHeaderSize + macho::kCsBlobIndexSize;

uint64_t CodeSlotCount(uint64_t code_limit) {
  return (code_limit + macho::kCsPageSize - 1) / macho::kCsPageSize;
}

// Offset of the first code hash within the CodeDirectory: after the fixed header and the
// NUL-terminated identifier.
uint64_t HashOffset(std::string_view identifier) {
  return macho::kCsCodeDirectoryHeaderSize + identifier.size() + 1;
}

uint64_t SuperBlobLength(uint64_t code_limit, std::string_view identifier) {
  return kCodeDirectoryOffset + HashOffset(identifier) +
         CodeSlotCount(code_limit) * macho::kCsHashSizeSha256;
}

void PutBigEndian32(std::string& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(v >> (24 - 8 * i));
}

void PutBigEndian64(std::string& out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[at + i] = static_cast<char>(v >> (56 - 8 * i));
}

}  // namespace

uint64_t AdHocSignatureSize(uint64_t code_limit, std::string_view identifier) {
  const uint64_t length = SuperBlobLength(code_limit, identifier);
  return (length + macho::kCsSignatureAlign - 1) / macho::kCsSignatureAlign *
         macho::kCsSignatureAlign;
}

absl::StatusOr<std::string> BuildAdHocSignature(std::string_view signed_bytes,
                                                const CodeSignatureParams& params) {
  const std::string_view identifier = params.identifier;
  if (identifier.empty() || identifier.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError("code signature identifier must be non-empty, without NUL");
  }
  const uint64_t code_limit = signed_bytes.size();
  if (code_limit > std::numeric_limits<uint32_t>::max() ||
      SuperBlobLength(code_limit, identifier) > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError("image too large for a 32-bit codeLimit");
  }
  const uint64_t blob_length = SuperBlobLength(code_limit, identifier);
  const uint64_t slots = CodeSlotCount(code_limit);
  std::string out(AdHocSignatureSize(code_limit, identifier), '\0');

  // SuperBlob and its index.
  PutBigEndian32(out, 0, macho::kCsMagicEmbeddedSignature);
  PutBigEndian32(out, 4, static_cast<uint32_t>(blob_length));
  PutBigEndian32(out, 8, 1);
  PutBigEndian32(out, 12, macho::kCsSlotCodeDirectory);
  PutBigEndian32(out, 16, kCodeDirectoryOffset);

  // CodeDirectory (field offsets: macho_format.h).
  const size_t cd = kCodeDirectoryOffset;
  const uint64_t hash_offset = HashOffset(identifier);
  PutBigEndian32(out, cd + 0, macho::kCsMagicCodeDirectory);
  PutBigEndian32(out, cd + 4, static_cast<uint32_t>(blob_length - kCodeDirectoryOffset));
  PutBigEndian32(out, cd + 8, macho::kCsVersionSupportsExecSeg);
  PutBigEndian32(out, cd + 12, macho::kCsFlagAdhoc | macho::kCsFlagLinkerSigned);
  PutBigEndian32(out, cd + 16, static_cast<uint32_t>(hash_offset));
  PutBigEndian32(out, cd + 20, macho::kCsCodeDirectoryHeaderSize);  // identOffset
  PutBigEndian32(out, cd + 24, 0);                                  // nSpecialSlots
  PutBigEndian32(out, cd + 28, static_cast<uint32_t>(slots));
  PutBigEndian32(out, cd + 32, static_cast<uint32_t>(code_limit));
  out[cd + 36] = static_cast<char>(macho::kCsHashSizeSha256);
  out[cd + 37] = static_cast<char>(macho::kCsHashTypeSha256);
  out[cd + 38] = 0;  // platform
  out[cd + 39] = static_cast<char>(macho::kCsPageSizeLog2);
  // spare2, scatterOffset, teamOffset, spare3 stay 0; codeLimit64 is 0 because codeLimit fits.
  PutBigEndian64(out, cd + 64, params.exec_segment_base);
  PutBigEndian64(out, cd + 72, params.exec_segment_limit);
  PutBigEndian64(out, cd + 80, params.exec_segment_flags);
  out.replace(cd + macho::kCsCodeDirectoryHeaderSize, identifier.size(), identifier);

  // One hash per page; the last page is hashed over the bytes that exist.
  for (uint64_t page = 0; page < slots; ++page) {
    const uint64_t begin = page * macho::kCsPageSize;
    const Sha256Digest digest = Sha256::Digest(
        signed_bytes.substr(begin, std::min<uint64_t>(macho::kCsPageSize, code_limit - begin)));
    out.replace(cd + hash_offset + page * macho::kCsHashSizeSha256, digest.size(),
                reinterpret_cast<const char*>(digest.data()), digest.size());
  }
  return out;
}

}  // namespace maru::jit::objfile
