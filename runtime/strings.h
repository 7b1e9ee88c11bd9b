// Strings: mutable sequences of Unicode code points (one 32-bit element per code point), and the
// UTF-8 conversions used for all text I/O (spec §3.1, project rule 3).
#ifndef MARU_RUNTIME_STRINGS_H_
#define MARU_RUNTIME_STRINGS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/heap.h"
#include "runtime/object.h"

namespace maru {

inline bool IsString(Oop o) { return Is(o, kStringType); }
inline int64_t StringLength(Oop s) { return FixnumValue(Slot(s, string::kSize)); }
inline uint32_t* StringChars(Oop s) { return reinterpret_cast<uint32_t*>(Slot(s, string::kBits)); }

// A new String of `length` code-0 characters; kNil when memory cannot be had.
Oop NewString(int64_t length);
Oop NewStringFromChars(const uint32_t* chars, int64_t length);
// Decodes UTF-8; invalid sequences become U+FFFD (text from the reader is validated before).
Oop NewStringFromUtf8(std::string_view utf8);
// Stores c at i, growing by the reference's rule (spec §7.4) when i >= length.
bool StringSetGrowing(Oop s, int64_t i, uint32_t c);

// The UTF-8 text of a String up to its first code 0.
std::string StringToUtf8(Oop s);
// Text of a String or Symbol (for format, concat, FFI ...).
std::string TextOf(Oop string_or_symbol);

// UTF-8 encoding of one code point, appended to `out`.
void AppendUtf8(uint32_t c, std::string* out);
// Decodes one code point from [p, end). Returns the number of bytes used, 0 for an invalid or
// truncated sequence.
int DecodeUtf8(const unsigned char* p, const unsigned char* end, uint32_t* c);

}  // namespace maru

#endif  // MARU_RUNTIME_STRINGS_H_
