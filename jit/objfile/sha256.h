// SHA-256 (FIPS 180-4), for the page hashes of Mach-O code signatures (code_signature.h). A
// small self-contained implementation: the project links no crypto library, and signing needs
// only the digest of a few pages per module.
#ifndef MARU_JIT_OBJFILE_SHA256_H_
#define MARU_JIT_OBJFILE_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace maru::jit::objfile {

inline constexpr size_t kSha256DigestSize = 32;
using Sha256Digest = std::array<uint8_t, kSha256DigestSize>;

// Incremental hashing: Update any number of times, then Finish once (the object is then spent;
// Reset makes it reusable).
class Sha256 {
 public:
  Sha256() { Reset(); }

  void Reset();
  void Update(std::span<const uint8_t> bytes);
  void Update(std::string_view bytes) {
    Update(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  Sha256Digest Finish();

  // One-shot digest.
  static Sha256Digest Digest(std::string_view bytes);

 private:
  void Compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;       // bytes in buffer_
  uint64_t total_bytes_ = 0;  // message length so far
};

// Lowercase hexadecimal, as sha256sum prints it.
std::string Sha256Hex(const Sha256Digest& digest);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_SHA256_H_
