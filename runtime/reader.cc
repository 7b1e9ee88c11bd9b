#include "runtime/reader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_format.h"
#include "runtime/heap.h"
#include "runtime/strings.h"

namespace maru {

bool IsSymbolCharacter(int32_t c) {
  if (c >= 128) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c >= 0 && std::strchr("!#$%&*+,-./:<=>?@\\^_|~", c) != nullptr && c != 0;
}

namespace {

bool IsDigit(int32_t c) { return c >= '0' && c <= '9'; }
bool IsBlank(int32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsCloser(int32_t c) { return c == ')' || c == ']' || c == '}'; }

std::string CharName(int32_t c) {
  std::string s;
  AppendUtf8(static_cast<uint32_t>(c), &s);
  return s;
}

}  // namespace

Reader::Reader(Vm& vm, FILE* in, std::string path)
    : vm_(vm), in_(in), path_(std::move(path)), path_string_(vm.SourcePath(path_)) {}

Reader::~Reader() = default;

int32_t Reader::Next() {
  // Pushed-back characters were counted (lines, columns) when first read.
  if (npeeked_ > 0) return peeked_[--npeeked_];
  int32_t c;
  int b = getc_unlocked(in_);
  if (b == EOF) return kEof;
  if (b < 0x80) {
    c = b;
  } else {
    unsigned char buf[4];
    buf[0] = static_cast<unsigned char>(b);
    int n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0) return kBadUtf8;
    for (int i = 1; i < n; ++i) {
      int more = getc_unlocked(in_);
      if (more == EOF) return kBadUtf8;
      buf[i] = static_cast<unsigned char>(more);
    }
    uint32_t code;
    if (DecodeUtf8(buf, buf + n, &code) != n) return kBadUtf8;
    c = static_cast<int32_t>(code);
  }
  if (c == '\n' || c == '\r') {
    if (pending_break_ != 0 && pending_break_ != c) {
      pending_break_ = 0;  // second half of CR LF or LF CR
    } else {
      ++line_;
      column_ = 0;
      pending_break_ = c;
    }
  } else {
    pending_break_ = 0;
    ++column_;
  }
  return c;
}

void Reader::Unread(int32_t c) {
  if (c == kEof) return;
  // Only characters that were just read are pushed back; positions are informational, so a
  // pushed-back line break keeps the line it counted.
  if (npeeked_ < 2) peeked_[npeeked_++] = c;
}

int32_t Reader::Peek() {
  int32_t c = Next();
  if (c == kEof || c == kBadUtf8) {
    if (c == kBadUtf8 && npeeked_ < 2) peeked_[npeeked_++] = kBadUtf8;
    return c;
  }
  Unread(c);
  return c;
}

Oop Reader::Fail(const std::string& message) {
  error_position_ = absl::StrFormat("%s:%d:%d", path_, line_, column_);
  Oop result = vm_.Error(message);
  return result;
}

Oop Reader::Source() {
  if (source_cache_ == kNil || source_cache_line_ != line_) {
    source_cache_ = NewPair(path_string_, MakeFixnum(line_));
    source_cache_line_ = line_;
  }
  return source_cache_;
}

int32_t Reader::SkipBlanks() {
  for (;;) {
    int32_t c = Next();
    if (c == ';') {
      do {
        c = Next();
      } while (c != '\n' && c != '\r' && c != kEof && c != kBadUtf8);
      if (c == kEof || c == kBadUtf8) return c;
      continue;
    }
    if (!IsBlank(c)) return c;
  }
}

Oop Reader::Read(bool* eof) {
  // Between forms the lookahead character belongs to the stream (the program may `getc` it).
  TakePushback();
  Oop form = ReadTopLevel(eof);
  // At most one character of lookahead remains after a complete form (an undecodable one too:
  // the next read, or getc, reports it).
  if (npeeked_ > 0 && peeked_[npeeked_ - 1] != kEof) vm_.pushback[in_] = peeked_[npeeked_ - 1];
  npeeked_ = 0;
  return form;
}

void Reader::TakePushback() {
  if (npeeked_ > 0) return;
  auto it = vm_.pushback.find(in_);
  if (it != vm_.pushback.end()) {
    peeked_[npeeked_++] = it->second;
    vm_.pushback.erase(it);
  }
}

void Reader::SkipShebangLine() {
  TakePushback();
  int32_t first = Next();
  if (first != '#') {
    Unread(first);
    return;
  }
  int32_t second = Next();
  if (second != '!') {
    Unread(second);
    Unread(first);
    return;
  }
  SkipRestOfLine();
}

void Reader::SkipRestOfLine() {
  for (;;) {
    int32_t c = Next();
    if (c == '\n' || c == '\r' || c == kEof) return;
  }
}

Oop Reader::ReadTopLevel(bool* eof) {
  *eof = false;
  int32_t c = SkipBlanks();
  if (c == kEof) {
    *eof = true;
    return kNil;
  }
  if (IsCloser(c)) {
    return Fail(absl::StrFormat("unexpected character 0x%02x '%c'", c, static_cast<char>(c)));
  }
  return ReadForm(c);
}

Oop Reader::ReadForm(int32_t c) {
  if (vm_.StackExhausted()) return Fail("stack overflow");
  switch (c) {
    case kBadUtf8:
      return Fail("illegal UTF-8 sequence");
    case '(':
      return ReadList(')');
    case '[':
    case '{': {
      Oop list = ReadList(c == '[' ? ']' : '}');
      if (list == kErrorOop) return list;
      return NewPair(c == '[' ? vm_.sym_bracket : vm_.sym_brace, list, Source());
    }
    case '\'':
      return ReadPrefixed(vm_.sym_quote);
    case '`':
      return ReadPrefixed(vm_.sym_quasiquote);
    case ',':
      if (Peek() == '@') {
        Next();
        return ReadPrefixed(vm_.sym_unquote_splicing);
      }
      return ReadPrefixed(vm_.sym_unquote);
    case '"':
      return ReadString();
    case '?':
      return ReadCharacter();
    default:
      break;
  }
  if (IsDigit(c) || (c == '-' && IsDigit(Peek()))) return ReadNumber(c);
  if (IsSymbolCharacter(c)) return ReadSymbol(c);
  if (c < 32 || c == 127) return Fail(absl::StrFormat("illegal character: 0x%02x", c));
  return Fail(absl::StrFormat("illegal character: 0x%02x", c));
}

Oop Reader::ReadPrefixed(Oop symbol) {
  int32_t c = SkipBlanks();
  if (c == kEof || IsCloser(c)) {
    Unread(c);
    return symbol;
  }
  Oop source = Source();
  Oop form = ReadForm(c);
  if (form == kErrorOop) return form;
  Oop tail = NewPair(form, kNil, source);
  return NewPair(symbol, tail, source);
}

Oop Reader::ReadList(int32_t closer) {
  Oop source = Source();
  Oop head = kNil, last = kNil;
  bool first = true;
  for (;;) {
    int32_t c = SkipBlanks();
    if (c == kEof) return Fail("EOF while reading list");
    if (IsCloser(c)) {
      if (c != closer) {
        return Fail(absl::StrFormat("mismatched delimiter: expected '%c' found '%c'",
                                    static_cast<char>(closer), static_cast<char>(c)));
      }
      return head;
    }
    // A bare "." after the first element introduces the final cdr.
    if (c == '.' && !first) {
      int32_t after = Peek();
      if (!IsSymbolCharacter(after) && !IsDigit(after)) {
        int32_t d = SkipBlanks();
        if (d == kEof) return Fail("EOF while reading list");
        if (IsCloser(d)) return Fail("missing item after .");
        Oop tail = ReadForm(d);
        if (tail == kErrorOop) return tail;
        Slot(last, pair::kTail) = tail;
        int32_t e = SkipBlanks();
        if (e == kEof) return Fail("EOF while reading list");
        if (!IsCloser(e)) return Fail("extra item after .");
        if (e != closer) {
          return Fail(absl::StrFormat("mismatched delimiter: expected '%c' found '%c'",
                                      static_cast<char>(closer), static_cast<char>(e)));
        }
        return head;
      }
    }
    Oop item = ReadForm(c);
    if (item == kErrorOop) return item;
    Oop cell = NewPair(item, kNil, source);
    if (cell == kNil) return vm_.OutOfMemory();
    if (head == kNil) {
      head = cell;
    } else {
      Slot(last, pair::kTail) = cell;
    }
    last = cell;
    first = false;
  }
}

int64_t Reader::ReadEscape() {
  int32_t c = Next();
  switch (c) {
    case kEof:
      Fail("EOF in string literal");
      return -1;
    case kBadUtf8:
      Fail("illegal UTF-8 sequence");
      return -1;
    case 'a':
      return '\a';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    case 'u': {
      int64_t v = 0;
      for (int i = 0; i < 4; ++i) {
        int32_t d = Next();
        int digit;
        if (d >= '0' && d <= '9') {
          digit = d - '0';
        } else if (d >= 'a' && d <= 'z') {
          digit = d - 'a' + 10;
        } else if (d >= 'A' && d <= 'Z') {
          digit = d - 'A' + 10;
        } else {
          Fail("illegal digit in character escape");
          return -1;
        }
        v = v * 16 + digit;
      }
      return v;
    }
    case 'x': {
      int64_t v = 0;
      for (int i = 0; i < 2; ++i) {
        int32_t d = Peek();
        int digit;
        if (d >= '0' && d <= '9') {
          digit = d - '0';
        } else if (d >= 'a' && d <= 'f') {
          digit = d - 'a' + 10;
        } else if (d >= 'A' && d <= 'F') {
          digit = d - 'A' + 10;
        } else {
          break;
        }
        Next();
        v = v * 16 + digit;
      }
      return v;
    }
    default:
      break;
  }
  if (c >= '0' && c <= '7') {
    int64_t v = c - '0';
    for (int i = 0; i < 2; ++i) {
      int32_t d = Peek();
      if (d < '0' || d > '7') break;
      Next();
      v = v * 8 + (d - '0');
    }
    return v;
  }
  if ((c < 128 && (IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) || c >= 128) {
    Fail("illegal character escape: \\" + CharName(c));
    return -1;
  }
  return c;
}

Oop Reader::ReadString() {
  std::u32string text;
  bool ended = false;  // a code 0 ends the content; the rest of the literal is discarded
  for (;;) {
    int32_t c = Next();
    if (c == kEof) return Fail("EOF in string literal");
    if (c == kBadUtf8) return Fail("illegal UTF-8 sequence");
    if (c == '"') break;
    int64_t code = c;
    if (c == '\\') {
      code = ReadEscape();
      if (code < 0) return kErrorOop;
    }
    if (code == 0) ended = true;
    if (!ended) text.push_back(static_cast<char32_t>(code));
  }
  Oop s = NewStringFromChars(reinterpret_cast<const uint32_t*>(text.data()),
                             static_cast<int64_t>(text.size()));
  return s == kNil ? vm_.OutOfMemory() : s;
}

Oop Reader::ReadCharacter() {
  int32_t c = Next();
  if (c == kEof) return Fail("EOF in character literal");
  if (c == kBadUtf8) return Fail("illegal UTF-8 sequence");
  if (c == '\\') {
    int64_t code = ReadEscape();
    if (code < 0) return kErrorOop;
    return MakeFixnum(code);
  }
  return MakeFixnum(c);
}

Oop Reader::ReadNumber(int32_t first) {
  bool negative = first == '-';
  std::string digits;
  if (!negative) digits.push_back(static_cast<char>(first));
  for (;;) {
    int32_t c = Peek();
    if (!IsDigit(c)) break;
    Next();
    digits.push_back(static_cast<char>(c));
  }
  int32_t c = Peek();
  if (c == '.' || c == 'e') {
    std::string text = negative ? "-" + digits : digits;
    if (c == '.') {
      Next();
      text.push_back('.');
      while (IsDigit(Peek())) text.push_back(static_cast<char>(Next()));
    }
    if (Peek() == 'e') {
      Next();
      text.push_back('e');
      if (Peek() == '-') text.push_back(static_cast<char>(Next()));
      while (IsDigit(Peek())) text.push_back(static_cast<char>(Next()));
    }
    Oop d = NewDouble(std::strtod(text.c_str(), nullptr));
    return d == kNil ? vm_.OutOfMemory() : d;
  }
  if (!negative && digits.size() == 1 && c == 'x') {
    Next();
    digits.push_back('x');
    for (;;) {
      int32_t h = Peek();
      if (!(IsDigit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) break;
      digits.push_back(static_cast<char>(Next()));
    }
  }
  errno = 0;
  unsigned long magnitude = std::strtoul(digits.c_str(), nullptr, 0);
  if (errno == ERANGE) magnitude = ~0UL;
  uint64_t bits = negative ? (~static_cast<uint64_t>(magnitude) + 1) : magnitude;
  Oop n = NewLong(static_cast<int64_t>(bits));
  return n == kNil ? vm_.OutOfMemory() : n;
}

Oop Reader::ReadSymbol(int32_t first) {
  std::string name;
  AppendUtf8(static_cast<uint32_t>(first), &name);
  for (;;) {
    int32_t c = Peek();
    if (c < 0 || !(IsSymbolCharacter(c) || IsDigit(c))) break;
    Next();
    AppendUtf8(static_cast<uint32_t>(c), &name);
  }
  return Intern(name);
}

}  // namespace maru
