// The SHA-256 behind Mach-O code signatures: the FIPS 180-4 / NIST example vectors, padding
// boundaries, incremental hashing, and agreement with coreutils' sha256sum.
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/objfile/sha256.h"
#include "tests/objfile/macho_external_sha256.h"

namespace maru::objfile_test {
namespace {

namespace objfile = ::maru::jit::objfile;
using objfile::Sha256;
using objfile::Sha256Hex;

std::string Hex(std::string_view bytes) { return Sha256Hex(Sha256::Digest(bytes)); }

// NIST's SHA-256 examples (FIPS 180-4 appendix examples, "SHA256.pdf" and the secure-hashing
// test vectors).
TEST(Sha256Test, StandardVectors) {
  EXPECT_EQ(Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                "klmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Every split of a message into two updates (and byte-at-a-time) gives the one-shot digest,
// around the 64-byte block and the 56-byte padding boundaries.
TEST(Sha256Test, IncrementalUpdatesMatchOneShot) {
  const std::string data = RandomBytes(200, 1);
  for (size_t length : {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200}) {
    const std::string_view message(data.data(), length);
    const objfile::Sha256Digest expected = Sha256::Digest(message);
    for (size_t split = 0; split <= length; ++split) {
      Sha256 h;
      h.Update(message.substr(0, split));
      h.Update(message.substr(split));
      EXPECT_EQ(h.Finish(), expected) << "length " << length << " split " << split;
    }
    Sha256 bytewise;
    for (char c : message) bytewise.Update(std::string_view(&c, 1));
    EXPECT_EQ(bytewise.Finish(), expected) << "length " << length;
  }
}

TEST(Sha256Test, ResetStartsOver) {
  Sha256 h;
  h.Update("some earlier message");
  (void)h.Finish();
  h.Reset();
  h.Update("abc");
  EXPECT_EQ(Sha256Hex(h.Finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Lengths 0..130 (every padding case) and a few page-sized ones, against sha256sum.
TEST(Sha256Test, AgreesWithSha256sum) {
  std::vector<std::string> messages;
  for (size_t n = 0; n <= 130; ++n) messages.push_back(RandomBytes(n, 100 + n));
  for (size_t n : {1000, 4095, 4096, 4097, 16384, 65537}) messages.push_back(RandomBytes(n, n));
  std::vector<std::string_view> views(messages.begin(), messages.end());
  absl::StatusOr<std::vector<std::string>> reference = ExternalSha256(views);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (size_t i = 0; i < messages.size(); ++i) {
    const objfile::Sha256Digest d = Sha256::Digest(messages[i]);
    EXPECT_EQ(std::string(d.begin(), d.end()), (*reference)[i]) << "length " << messages[i].size();
  }
}

}  // namespace
}  // namespace maru::objfile_test
