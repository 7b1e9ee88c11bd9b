// Strings and symbols (spec §7.4, except `format`).
#include <algorithm>

#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/strings.h"

namespace maru {

namespace {

Oop Checked(Vm& vm, Oop o) { return o == kNil ? vm.OutOfMemory() : o; }

Oop StringP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop size = Arg(a, n, 0);
  int64_t length = IsLong(size) ? LongValue(size) : 0;
  if (length < 0) return vm.Error("string: negative size: " + std::to_string(length));
  return Checked(vm, NewString(length));
}

Oop StringLengthP(Vm& vm, const Oop* a, int, Frame*) {
  if (!IsString(a[0])) return ArgumentError(vm, "string-length", "String", a[0]);
  return MakeFixnum(StringLength(a[0]));
}

Oop StringAtP(Vm& vm, const Oop* a, int, Frame*) {
  if (!IsString(a[0])) return ArgumentError(vm, "string-at", "String", a[0]);
  if (!IsLong(a[1])) return kNil;
  int64_t i = LongValue(a[1]);
  if (i < 0 || i >= StringLength(a[0])) return kNil;
  // Characters are the reference's wchar_t: 32-bit signed.
  return MakeFixnum(static_cast<int32_t>(StringChars(a[0])[i]));
}

Oop SetStringAtP(Vm& vm, const Oop* a, int, Frame*) {
  if (!IsString(a[0])) return ArgumentError(vm, "set-string-at", "String", a[0]);
  if (!IsLong(a[1])) return ArgumentError(vm, "set-string-at", "integer", a[1]);
  if (!IsLong(a[2])) return ArgumentError(vm, "set-string-at", "integer", a[2]);
  int64_t i = LongValue(a[1]);
  if (i < 0) return kNil;
  if (i > (int64_t{1} << 32)) return vm.Error("set-string-at: index out of range: " + std::to_string(i));
  if (!StringSetGrowing(a[0], i, static_cast<uint32_t>(LongValue(a[2])))) return vm.OutOfMemory();
  return a[2];
}

Oop StringCopyP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop s = Arg(a, n, 0);
  if (!IsString(s)) return ArgumentError(vm, "string-copy", "String", s);
  int64_t length = StringLength(s);
  int64_t from = 0, count = length;
  if (n > 1) {
    if (!IsLong(a[1])) return ArgumentError(vm, "string-copy", "integer", a[1]);
    from = std::clamp<int64_t>(LongValue(a[1]), 0, length);
  }
  count = length - from;
  if (n > 2) {
    if (!IsLong(a[2])) return ArgumentError(vm, "string-copy", "integer", a[2]);
    count = std::clamp<int64_t>(LongValue(a[2]), 0, length - from);
  }
  return Checked(vm, NewStringFromChars(StringChars(s) + from, count));
}

Oop StringCompareP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop s = Arg(a, n, 0), t = Arg(a, n, 1);
  if (!IsString(s)) return ArgumentError(vm, "string-compare", "String", s);
  if (!IsString(t)) return ArgumentError(vm, "string-compare", "String", t);
  int64_t slen = StringLength(s), tlen = StringLength(t);
  int64_t off = 0, len = slen;
  if (n > 2) {
    if (!IsLong(a[2])) return ArgumentError(vm, "string-compare", "integer", a[2]);
    off = LongValue(a[2]);
  }
  if (n > 3) {
    if (!IsLong(a[3])) return ArgumentError(vm, "string-compare", "integer", a[3]);
    len = LongValue(a[3]);
  }
  if (off < 0 || len < 0 || off >= slen) return MakeFixnum(-1);
  const uint32_t* sc = StringChars(s);
  const uint32_t* tc = StringChars(t);
  for (int64_t i = 0; i < len; ++i) {
    uint32_t x = off + i < slen ? sc[off + i] : 0;
    uint32_t y = i < tlen ? tc[i] : 0;
    if (x != y) return MakeFixnum(x < y ? -1 : 1);
    if (x == 0) break;
  }
  return MakeFixnum(0);
}

Oop SymbolToStringP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0);
  if (IsString(x)) return x;
  if (!IsSymbol(x)) return kNil;
  return Checked(vm, NewStringFromUtf8(SymbolName(x)));
}

Oop StringToSymbolP(Vm&, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0);
  if (IsSymbol(x)) return x;
  if (!IsString(x)) return kNil;
  return Intern(StringToUtf8(x));
}

Oop SymbolCompareP(Vm& vm, const Oop* a, int, Frame*) {
  if (!IsSymbol(a[0])) return ArgumentError(vm, "symbol-compare", "Symbol", a[0]);
  if (!IsSymbol(a[1])) return ArgumentError(vm, "symbol-compare", "Symbol", a[1]);
  int c = SymbolName(a[0]).compare(SymbolName(a[1]));
  return MakeFixnum(c < 0 ? -1 : c > 0 ? 1 : 0);
}

}  // namespace

void RegisterStringPrimitives(Vm& vm) {
  DefinePrimitive(vm, "string", StringP, -1);
  DefinePrimitive(vm, "string-length", StringLengthP, 1);
  DefinePrimitive(vm, "string-at", StringAtP, 2);
  DefinePrimitive(vm, "set-string-at", SetStringAtP, 3);
  DefinePrimitive(vm, "string-copy", StringCopyP, -1);
  DefinePrimitive(vm, "string-compare", StringCompareP, -1);
  DefinePrimitive(vm, "symbol->string", SymbolToStringP, -1);
  DefinePrimitive(vm, "string->symbol", StringToSymbolP, -1);
  DefinePrimitive(vm, "symbol-compare", SymbolCompareP, 2);
}

}  // namespace maru
