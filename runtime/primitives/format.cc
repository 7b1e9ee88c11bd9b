// `format` (spec §7.4, §11.3): C printf-style formatting of one argument into a new String.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/strings.h"

namespace maru {

namespace {

struct Conversion {
  size_t begin = 0, end = 0;  // the spec's extent in the format text, '%' to conversion letter
  std::string flags_width_precision;
  std::string length;
  char letter = 0;
};

// Formats with a rebuilt spec and one C argument.
template <typename T>
void Append(std::string* out, const std::string& spec, T value) {
  char buffer[256];
  int n = std::snprintf(buffer, sizeof buffer, spec.c_str(), value);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof buffer) {
    out->append(buffer, n);
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), spec.c_str(), value);
  out->append(big.data(), n);
}

constexpr size_t kConversion = ~size_t{0};

// %s and %c of text: width and precision count characters (code points), not bytes.
void AppendText(std::string* out, const std::string& flags_width_precision,
                const std::string& utf8) {
  bool left = flags_width_precision.find('-') != std::string::npos;
  size_t dot = flags_width_precision.find('.');
  std::string width_text = flags_width_precision.substr(0, dot);
  size_t digits = width_text.find_first_of("123456789");
  long width = digits == std::string::npos ? 0 : std::strtol(width_text.c_str() + digits, nullptr, 10);
  long precision = dot == std::string::npos ? -1 : std::strtol(flags_width_precision.c_str() + dot + 1, nullptr, 10);
  // Split into characters.
  std::vector<std::string> chars;
  auto p = reinterpret_cast<const unsigned char*>(utf8.data());
  auto end = p + utf8.size();
  while (p < end) {
    uint32_t c;
    int n = DecodeUtf8(p, end, &c);
    if (n == 0) n = 1;
    chars.emplace_back(reinterpret_cast<const char*>(p), n);
    p += n;
  }
  if (precision >= 0 && chars.size() > static_cast<size_t>(precision)) chars.resize(precision);
  std::string text;
  for (const std::string& c : chars) text += c;
  long pad = width - static_cast<long>(chars.size());
  if (pad > 0 && !left) out->append(pad, ' ');
  out->append(text);
  if (pad > 0 && left) out->append(pad, ' ');
}

Oop Mismatch(Vm& vm) { return vm.Error("format: argument does not match conversion"); }

Oop Format(Vm& vm, const Oop* a, int, Frame*) {
  Oop fmt = a[0], arg = a[1];
  if (!IsString(fmt)) return vm.Error("format is not a string");
  std::string text = StringToUtf8(fmt);

  // Find the conversions.
  std::string literal_out;
  std::vector<Conversion> conversions;
  std::vector<std::pair<size_t, size_t>> literals;  // [begin, end) of literal text
  size_t i = 0, literal_start = 0;
  while (i < text.size()) {
    if (text[i] != '%') {
      ++i;
      continue;
    }
    literals.emplace_back(literal_start, i);
    Conversion c;
    c.begin = i++;
    if (i < text.size() && text[i] == '%') {
      literals.emplace_back(i, i + 1);  // "%%" is a literal '%'
      literal_start = ++i;
      continue;
    }
    while (i < text.size() && std::string_view("-+ #0'I").find(text[i]) != std::string::npos) {
      c.flags_width_precision.push_back(text[i++]);
    }
    bool star = false;
    while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '*' ||
                               text[i] == '.')) {
      if (text[i] == '*') star = true;
      c.flags_width_precision.push_back(text[i++]);
    }
    while (i < text.size() && std::string_view("hlLqjzt").find(text[i]) != std::string::npos) {
      c.length.push_back(text[i++]);
    }
    if (i >= text.size() || star) return Mismatch(vm);
    c.letter = text[i++];
    c.end = i;
    conversions.push_back(c);
    literals.emplace_back(kConversion, kConversion);  // marks the conversion's place
    literal_start = i;
  }
  literals.emplace_back(literal_start, text.size());
  if (conversions.size() > 1) return Mismatch(vm);

  std::string converted;
  if (conversions.size() == 1) {
    const Conversion& c = conversions[0];
    std::string spec = "%" + c.flags_width_precision;
    switch (c.letter) {
      case 'd':
      case 'i':
      case 'o':
      case 'u':
      case 'x':
      case 'X': {
        long value;
        if (arg == kNil) {
          value = 0;
        } else if (IsLong(arg)) {
          value = LongValue(arg);
        } else if (IsDouble(arg)) {
          return Mismatch(vm);
        } else {
          value = static_cast<long>(arg);  // any other object: its address
        }
        std::string length = c.length == "h" || c.length == "hh" ? c.length : "l";
        Append(&converted, spec + length + c.letter, value);
        break;
      }
      case 'c':
      case 'C': {
        if (!IsLong(arg)) return Mismatch(vm);
        std::string ch;
        AppendUtf8(static_cast<uint32_t>(LongValue(arg)), &ch);
        AppendText(&converted, c.flags_width_precision, ch);
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
      case 'a':
      case 'A': {
        double value;
        if (arg == kNil) {
          value = 0;
        } else if (IsDouble(arg)) {
          value = DoubleValue(arg);
        } else {
          return Mismatch(vm);
        }
        Append(&converted, spec + c.letter, value);
        break;
      }
      case 's':
      case 'S': {
        std::string value;
        if (arg == kNil) {
          value = "(null)";
        } else if (IsString(arg) || IsSymbol(arg)) {
          value = TextOf(arg);
        } else {
          return Mismatch(vm);
        }
        AppendText(&converted, c.flags_width_precision, value);
        break;
      }
      case 'p':
        if (arg == kNil) {
          Append(&converted, spec + "s", "(nil)");
        } else {
          Append(&converted, spec + "p",
                 reinterpret_cast<void*>(IsLong(arg) ? LongValue(arg) : static_cast<long>(arg)));
        }
        break;
      default:
        return Mismatch(vm);
    }
  }

  std::string out;
  for (const auto& [begin, end] : literals) {
    if (begin == kConversion) {
      out.append(converted);
      continue;
    }
    out.append(text, begin, end - begin);
  }
  Oop s = NewStringFromUtf8(out);
  return s == kNil ? vm.OutOfMemory() : s;
}

}  // namespace

void RegisterFormatPrimitive(Vm& vm) { DefinePrimitive(vm, "format", Format, 2); }

}  // namespace maru
