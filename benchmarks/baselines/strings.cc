// strings: string building (benchmarks/programs/strings.l). Strings hold 32-bit characters, as
// Maru's do; concat-strings, concat-string and the character copy loop are calls, as the prelude
// functions they are in Maru; long->string and string-copy (Maru primitives) are functions too.
#include <cstdio>
#include <cstring>

#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

// A length followed by that many characters, in one collector block (not scanned).
struct Str {
  int64_t length;
  char32_t* chars() { return reinterpret_cast<char32_t*>(this + 1); }
  const char32_t* chars() const { return reinterpret_cast<const char32_t*>(this + 1); }
};

// (string n): n characters of code 0.
Str* NewString(int64_t n) {
  const size_t bytes = sizeof(Str) + static_cast<size_t>(n) * sizeof(char32_t);
  auto* s = static_cast<Str*>(GC_MALLOC_ATOMIC(bytes));
  std::memset(static_cast<void*>(s), 0, bytes);
  s->length = n;
  return s;
}

Str* FromAscii(const char* text) {
  const int64_t n = static_cast<int64_t>(std::strlen(text));
  Str* s = NewString(n);
  for (int64_t i = 0; i < n; ++i) s->chars()[i] = static_cast<char32_t>(text[i]);
  return s;
}

// The primitive long->string.
MARU_CALL_FAITHFUL Str* LongToString(int64_t v) {
  char text[24];
  std::snprintf(text, sizeof(text), "%lld", static_cast<long long>(v));
  return FromAscii(text);
}

// The primitive string-copy with `from` and `length` in range.
MARU_CALL_FAITHFUL Str* StringCopy(const Str* s, int64_t from, int64_t length) {
  Str* copy = NewString(length);
  std::memcpy(copy->chars(), s->chars() + from, static_cast<size_t>(length) * sizeof(char32_t));
  return copy;
}

// The prelude's %string-copy-into, concat-string and concat-strings.
MARU_CALL_FAITHFUL Str* CopyInto(Str* to, int64_t at, const Str* from) {
  for (int64_t i = 0, n = from->length; i < n; ++i) to->chars()[at + i] = from->chars()[i];
  return to;
}
MARU_CALL_FAITHFUL Str* ConcatString(const Str* a, const Str* b) {
  Str* s = NewString(a->length + b->length);
  CopyInto(s, 0, a);
  return CopyInto(s, a->length, b);
}
MARU_CALL_FAITHFUL const Str* ConcatStrings(const Str* const* strings, int count) {
  const Str* result = strings[0];
  for (int i = 1; i < count; ++i) result = ConcatString(result, strings[i]);
  return result;
}

Str* buffer = nullptr;
int64_t buffer_length = 0;

MARU_CALL_FAITHFUL void BufAppend(const Str* s) {
  const int64_t n = s->length;
  if (buffer_length + n > buffer->length) {
    int64_t capacity = 2 * buffer->length;
    while (buffer_length + n > capacity) capacity *= 2;
    Str* bigger = NewString(capacity);
    for (int64_t k = 0; k < buffer_length; ++k) bigger->chars()[k] = buffer->chars()[k];
    buffer = bigger;
  }
  for (int64_t i = 0; i < n; ++i) buffer->chars()[buffer_length + i] = s->chars()[i];
  buffer_length += n;
}

MARU_CALL_FAITHFUL int64_t HashString(const Str* s) {
  int64_t h = 0;
  for (int64_t i = 0, n = s->length; i < n; ++i) h = (h * 31 + s->chars()[i]) % 1000000007;
  return h;
}

}  // namespace

std::string RunStrings(int64_t n) {
  // String literals of the Maru program (made once, when it is read).
  const Str* k = FromAscii("k");
  const Str* equals = FromAscii("=");
  const Str* semicolon = FromAscii(";");
  buffer = NewString(16);
  buffer_length = 0;
  for (int64_t i = 0; i < n; ++i) {
    const Str* parts[] = {k, LongToString(i), equals, LongToString((i * i) % 9973), semicolon};
    BufAppend(ConcatStrings(parts, 5));
  }
  const Str* result = StringCopy(buffer, 0, buffer_length);
  buffer = nullptr;
  return "strings " + std::to_string(n) + ": length " + std::to_string(result->length) + " hash " +
         std::to_string(HashString(result));
}

}  // namespace maru::baselines
