#include "jit/objfile/elf_hash.h"

#include <cstring>

namespace maru::jit::objfile {
namespace {

// Second bloom bit: hash >> kBloomShift (the value lld uses for ELF64).
constexpr uint32_t kBloomShift = 26;

void AppendWord32(uint32_t v, std::string* out) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

void AppendWord64(uint64_t v, std::string* out) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}

}  // namespace

uint32_t SysvHash(std::string_view name) {
  uint32_t h = 0;
  for (char c : name) {
    h = (h << 4) + static_cast<uint8_t>(c);
    const uint32_t g = h & 0xf0000000u;
    if (g != 0) h ^= g >> 24;
    h &= ~g;
  }
  return h;
}

uint32_t GnuHash(std::string_view name) {
  uint32_t h = 5381;
  for (char c : name) h = h * 33 + static_cast<uint8_t>(c);
  return h;
}

std::vector<uint32_t> BuildSysvHashTable(const std::vector<std::string_view>& names) {
  const auto nchain = static_cast<uint32_t>(names.size());
  const uint32_t nbucket = nchain > 1 ? nchain - 1 : 1;  // about one symbol per bucket
  std::vector<uint32_t> words(2 + nbucket + nchain, 0);
  words[0] = nbucket;
  words[1] = nchain;
  uint32_t* bucket = &words[2];
  uint32_t* chain = &words[2 + nbucket];
  // Insert in reverse so each chain lists symbols in table order (not required; deterministic).
  for (uint32_t i = nchain; i-- > 1;) {
    const uint32_t b = SysvHash(names[i]) % nbucket;
    chain[i] = bucket[b];
    bucket[b] = i;
  }
  return words;
}

uint32_t GnuHashBucketCount(size_t exported) {
  const size_t n = exported / 4;
  return static_cast<uint32_t>(n > 0 ? n : 1);
}

std::string BuildGnuHashTable(const std::vector<std::string_view>& names, uint32_t symoffset,
                              uint32_t nbuckets) {
  const size_t exported = names.size() - symoffset;
  // Bloom filter: 64-bit words, a power of two of them, ~16 bits per symbol (2 bits set each).
  uint32_t bloom_words = 1;
  while (bloom_words * 4 < exported) bloom_words *= 2;
  std::vector<uint64_t> bloom(bloom_words, 0);
  std::vector<uint32_t> buckets(nbuckets, 0);
  std::vector<uint32_t> chain(exported, 0);
  std::vector<uint32_t> hashes(names.size(), 0);
  for (size_t i = symoffset; i < names.size(); ++i) hashes[i] = GnuHash(names[i]);
  for (size_t i = symoffset; i < names.size(); ++i) {
    const uint32_t h = hashes[i];
    uint64_t& word = bloom[(h / 64) % bloom_words];
    word |= uint64_t{1} << (h % 64);
    word |= uint64_t{1} << ((h >> kBloomShift) % 64);
    const uint32_t b = h % nbuckets;
    if (buckets[b] == 0) buckets[b] = static_cast<uint32_t>(i);
    // Low bit set marks the last symbol of a bucket.
    const bool last = i + 1 == names.size() || hashes[i + 1] % nbuckets != b;
    chain[i - symoffset] = (h & ~1u) | (last ? 1u : 0u);
  }
  std::string out;
  out.reserve(16 + 8 * bloom.size() + 4 * (buckets.size() + chain.size()));
  AppendWord32(nbuckets, &out);
  AppendWord32(symoffset, &out);
  AppendWord32(bloom_words, &out);
  AppendWord32(kBloomShift, &out);
  for (uint64_t w : bloom) AppendWord64(w, &out);
  for (uint32_t b : buckets) AppendWord32(b, &out);
  for (uint32_t c : chain) AppendWord32(c, &out);
  return out;
}

}  // namespace maru::jit::objfile
