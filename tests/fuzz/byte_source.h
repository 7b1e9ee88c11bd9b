// The fuzzer's input seen as a stream of choices. Each decision of a structure-aware generator
// takes bytes from the front; once the input is exhausted every choice is 0, which the generators
// treat as "the simplest option" (stop adding items, pick the first alternative), so any input,
// however short, yields a complete program and generation always ends.
#ifndef MARU_TESTS_FUZZ_BYTE_SOURCE_H_
#define MARU_TESTS_FUZZ_BYTE_SOURCE_H_

#include <cstddef>
#include <cstdint>

namespace maru::fuzz {

class ByteSource {
 public:
  ByteSource(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool exhausted() const { return pos_ >= size_; }

  // The next byte, 0 once the input is exhausted.
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }

  // A value in [0, n); n must be at least 1. One byte for n <= 256, two otherwise (a uniform
  // enough choice for a fuzzer: mutations of one byte move to a neighbouring choice).
  uint32_t Below(uint32_t n) {
    if (n <= 256) return Byte() % n;
    uint32_t v = Byte();
    v = (v << 8) | Byte();
    return v % n;
  }

  // True with probability about percent/100 (false once exhausted).
  bool Chance(uint32_t percent) { return !exhausted() && Below(100) < percent; }

  // Eight bytes, little-endian (missing bytes are 0).
  uint64_t Word() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(Byte()) << (8 * i);
    return v;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace maru::fuzz

#endif  // MARU_TESTS_FUZZ_BYTE_SOURCE_H_
