#include "runtime/strings.h"

#include <cstring>

namespace maru {

namespace {

uint32_t* AllocChars(int64_t capacity) {
  if (capacity < 0 || capacity > (int64_t{1} << 33)) return nullptr;
  return static_cast<uint32_t*>(AllocAtomicBytes((capacity + 1) * sizeof(uint32_t)));
}

int64_t CharCapacity(Oop s) {
  uint32_t* chars = StringChars(s);
  if (chars == nullptr) return 0;
  return static_cast<int64_t>(AllocatedSize(chars) / sizeof(uint32_t)) - 1;
}

}  // namespace

Oop NewString(int64_t length) {
  uint32_t* chars = AllocChars(length);
  if (chars == nullptr) return kNil;
  Oop s = AllocSlots(kStringType, string::kSlots);
  if (s == kNil) return kNil;
  Slot(s, string::kSize) = MakeFixnum(length);
  Slot(s, string::kBits) = reinterpret_cast<Oop>(chars);
  return s;
}

Oop NewStringFromChars(const uint32_t* chars, int64_t length) {
  Oop s = NewString(length);
  if (s != kNil && length > 0) std::memcpy(StringChars(s), chars, length * sizeof(uint32_t));
  return s;
}

Oop NewStringFromUtf8(std::string_view utf8) {
  std::u32string decoded;
  decoded.reserve(utf8.size());
  auto p = reinterpret_cast<const unsigned char*>(utf8.data());
  auto end = p + utf8.size();
  while (p < end) {
    uint32_t c;
    int n = DecodeUtf8(p, end, &c);
    if (n == 0) {
      c = 0xFFFD;
      n = 1;
    }
    decoded.push_back(c);
    p += n;
  }
  return NewStringFromChars(reinterpret_cast<const uint32_t*>(decoded.data()),
                            static_cast<int64_t>(decoded.size()));
}

bool StringSetGrowing(Oop s, int64_t i, uint32_t c) {
  int64_t length = StringLength(s);
  if (i >= length) {
    int64_t capacity = length < 2 ? 2 : length;
    while (capacity <= i) capacity *= 2;
    if (capacity > CharCapacity(s)) {
      uint32_t* chars = AllocChars(capacity);
      if (chars == nullptr) return false;
      if (length > 0) std::memcpy(chars, StringChars(s), length * sizeof(uint32_t));
      Slot(s, string::kBits) = reinterpret_cast<Oop>(chars);
    } else {
      // Growing in place: the new characters are code 0 whatever the storage held before.
      std::memset(StringChars(s) + length, 0, (capacity - length) * sizeof(uint32_t));
    }
    // The reference's rule: the length becomes the new capacity (new characters are code 0).
    Slot(s, string::kSize) = MakeFixnum(capacity);
  }
  StringChars(s)[i] = c;
  return true;
}

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x110000) {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    AppendUtf8(0xFFFD, out);
  }
}

int DecodeUtf8(const unsigned char* p, const unsigned char* end, uint32_t* c) {
  if (p >= end) return 0;
  unsigned char b = p[0];
  if (b < 0x80) {
    *c = b;
    return 1;
  }
  int n;
  uint32_t v, min;
  if ((b & 0xE0) == 0xC0) {
    n = 2, v = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, v = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, v = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (end - p < n) return 0;
  for (int i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (p[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *c = v;
  return n;
}

std::string StringToUtf8(Oop s) {
  std::string out;
  int64_t n = StringLength(s);
  const uint32_t* chars = StringChars(s);
  out.reserve(n);
  for (int64_t i = 0; i < n && chars[i] != 0; ++i) AppendUtf8(chars[i], &out);
  return out;
}

std::string TextOf(Oop o) {
  if (IsString(o)) return StringToUtf8(o);
  if (IsSymbol(o)) return std::string(SymbolName(o));
  return std::string();
}

}  // namespace maru
