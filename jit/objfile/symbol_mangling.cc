#include "jit/objfile/symbol_mangling.h"

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace maru::jit::objfile {
namespace {

struct Escape {
  char byte;
  char code;
};

// Punctuation common in Lisp names, spelled with one letter. 'x' is reserved for hex escapes,
// and no code is a digit or '_' (those mean "duplicate suffix" and "literal underscore").
constexpr Escape kEscapes[] = {
    {'-', 'h'}, {'?', 'p'}, {'!', 'b'}, {'*', 's'}, {'+', 'a'}, {'<', 'l'}, {'>', 'g'},
    {'=', 'e'}, {'/', 'd'}, {'.', 'o'}, {':', 'c'}, {'%', 'm'}, {'&', 'n'},
};

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase is never produced
}

}  // namespace

std::string MangleFunctionName(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kFunctionSymbolPrefix);
  out.reserve(out.size() + name.size() + 8);
  for (char c : name) {
    if (IsAlnum(c)) {
      out.push_back(c);
      continue;
    }
    out.push_back('_');
    if (c == '_') {
      out.push_back('_');
      continue;
    }
    char code = 0;
    for (const Escape& e : kEscapes) {
      if (e.byte == c) code = e.code;
    }
    if (code != 0) {
      out.push_back(code);
    } else {
      const auto b = static_cast<uint8_t>(c);
      out.push_back('x');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    }
  }
  return out;
}

std::vector<std::string> MangleUniqueFunctionNames(const std::vector<std::string_view>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  absl::flat_hash_map<std::string, int> seen;  // mangled name -> occurrences so far
  for (std::string_view name : names) {
    std::string symbol = MangleFunctionName(name);
    int& count = seen[symbol];
    if (count > 0) absl::StrAppend(&symbol, "_", count);
    ++count;
    out.push_back(std::move(symbol));
  }
  return out;
}

absl::StatusOr<DemangledName> DemangleFunctionSymbol(std::string_view symbol) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a mangled Maru function symbol (", why, "): ", std::string(symbol)));
  };
  if (symbol.substr(0, kFunctionSymbolPrefix.size()) != kFunctionSymbolPrefix) {
    return invalid("no maru_f_ prefix");
  }
  DemangledName out;
  const std::string_view s = symbol.substr(kFunctionSymbolPrefix.size());
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (IsAlnum(c)) {
      out.name.push_back(c);
      ++i;
      continue;
    }
    if (c != '_' || i + 1 >= s.size()) return invalid("bad character or trailing '_'");
    const char code = s[i + 1];
    if (code == '_') {
      out.name.push_back('_');
      i += 2;
    } else if (IsDigit(code)) {
      // Duplicate suffix: runs to the end, no leading zero, >= 1.
      const std::string_view digits = s.substr(i + 1);
      if (digits[0] == '0' || digits.size() > 9) return invalid("bad duplicate suffix");
      int k = 0;
      for (char d : digits) {
        if (!IsDigit(d)) return invalid("bad duplicate suffix");
        k = k * 10 + (d - '0');
      }
      out.duplicate = k;
      break;
    } else if (code == 'x') {
      if (i + 3 >= s.size()) return invalid("short hex escape");
      const int hi = HexValue(s[i + 2]);
      const int lo = HexValue(s[i + 3]);
      if (hi < 0 || lo < 0) return invalid("bad hex escape");
      const char b = static_cast<char>(hi * 16 + lo);
      // Bytes with a shorter spelling are never hex-escaped (keeps the scheme a bijection).
      bool has_short_form = IsAlnum(b) || b == '_';
      for (const Escape& e : kEscapes) has_short_form |= e.byte == b;
      if (has_short_form) return invalid("hex escape of a byte with a shorter form");
      out.name.push_back(b);
      i += 4;
    } else {
      char byte = 0;
      for (const Escape& e : kEscapes) {
        if (e.code == code) byte = e.byte;
      }
      if (byte == 0) return invalid("unknown escape");
      out.name.push_back(byte);
      i += 2;
    }
  }
  return out;
}

}  // namespace maru::jit::objfile
