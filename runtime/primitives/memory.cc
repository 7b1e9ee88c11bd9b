// Raw memory accessors (spec §7.9): (T-at obj idx [scale]) and (set-T-at obj idx [scale] value).
// A Long obj is a raw machine address (as in the reference); a heap object is bounds-checked.
#include <cstring>

#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"

namespace maru {

namespace {

enum class Kind { kUnsigned8, kSigned8, kSigned16, kSigned32, kSigned64, kFloat, kDouble, kLongDouble };

struct Accessor {
  const char* getter;
  const char* setter;
  Kind kind;
  size_t size;
};

constexpr Accessor kAccessors[] = {
    {"byte-at", "set-byte-at", Kind::kUnsigned8, 1},
    {"char-at", "set-char-at", Kind::kSigned8, 1},
    {"short-at", "set-short-at", Kind::kSigned16, 2},
    {"wchar-at", "set-wchar-at", Kind::kSigned32, 4},
    {"int-at", "set-int-at", Kind::kSigned32, 4},
    {"int32-at", "set-int32-at", Kind::kSigned32, 4},
    {"int64-at", "set-int64-at", Kind::kSigned64, 8},
    {"long-at", "set-long-at", Kind::kSigned64, 8},
    {"longlong-at", "set-longlong-at", Kind::kSigned64, 8},
    {"pointer-at", "set-pointer-at", Kind::kSigned64, 8},
    {"float-at", "set-float-at", Kind::kFloat, 4},
    {"double-at", "set-double-at", Kind::kDouble, 8},
    {"longdouble-at", "set-longdouble-at", Kind::kLongDouble, 16},
};

// The address of the accessed element, or nullptr after reporting an error.
uint8_t* Address(Vm& vm, const char* name, const Accessor& acc, Oop obj, Oop idx, Oop scale) {
  if (!IsLong(idx)) {
    vm.Error(std::string(name) + ": non-integer index: " + DumpForMessage(vm, idx));
    return nullptr;
  }
  if (scale != kNil && !IsLong(scale)) {
    vm.Error(std::string(name) + ": non-integer index: " + DumpForMessage(vm, scale));
    return nullptr;
  }
  int64_t offset = LongValue(idx) * (scale == kNil ? static_cast<int64_t>(acc.size) : LongValue(scale));
  if (IsFixnum(obj) || (Is(obj, kLongType) && IsRaw(obj))) {
    return reinterpret_cast<uint8_t*>(static_cast<intptr_t>(LongValue(obj)) + offset);
  }
  if (!IsObject(obj)) {
    ArgumentError(vm, name, "pointer", obj);
    return nullptr;
  }
  int64_t size = IsRaw(obj) ? ByteCount(obj) : SlotCount(obj) * static_cast<int64_t>(sizeof(Oop));
  if (offset < 0 || offset + static_cast<int64_t>(acc.size) > size) {
    vm.Error(std::string(name) + ": index (" + std::to_string(LongValue(idx)) +
             ") out of range: (" + DumpForMessage(vm, obj) + " " + std::to_string(LongValue(idx)) +
             ")");
    return nullptr;
  }
  return RawBytes(obj) + offset;
}

Oop Load(Vm& vm, const Accessor& acc, const uint8_t* p) {
  Oop r = kNil;
  switch (acc.kind) {
    case Kind::kUnsigned8:
      r = NewLong(*p);
      break;
    case Kind::kSigned8:
      r = NewLong(static_cast<int8_t>(*p));
      break;
    case Kind::kSigned16: {
      int16_t v;
      std::memcpy(&v, p, sizeof v);
      r = NewLong(v);
      break;
    }
    case Kind::kSigned32: {
      int32_t v;
      std::memcpy(&v, p, sizeof v);
      r = NewLong(v);
      break;
    }
    case Kind::kSigned64: {
      int64_t v;
      std::memcpy(&v, p, sizeof v);
      r = NewLong(v);
      break;
    }
    case Kind::kFloat: {
      float v;
      std::memcpy(&v, p, sizeof v);
      r = NewDouble(v);
      break;
    }
    case Kind::kDouble: {
      double v;
      std::memcpy(&v, p, sizeof v);
      r = NewDouble(v);
      break;
    }
    case Kind::kLongDouble: {
      long double v;
      std::memcpy(&v, p, sizeof v);
      r = NewDouble(static_cast<double>(v));
      break;
    }
  }
  return r == kNil ? vm.OutOfMemory() : r;
}

bool IsFloating(Kind k) { return k == Kind::kFloat || k == Kind::kDouble || k == Kind::kLongDouble; }

void Store(const Accessor& acc, uint8_t* p, Oop value) {
  int64_t i = IsLong(value) ? LongValue(value) : 0;
  double d = IsDouble(value) ? DoubleValue(value) : static_cast<double>(i);
  switch (acc.kind) {
    case Kind::kUnsigned8:
    case Kind::kSigned8:
      *p = static_cast<uint8_t>(i);
      break;
    case Kind::kSigned16: {
      auto v = static_cast<int16_t>(i);
      std::memcpy(p, &v, sizeof v);
      break;
    }
    case Kind::kSigned32: {
      auto v = static_cast<int32_t>(i);
      std::memcpy(p, &v, sizeof v);
      break;
    }
    case Kind::kSigned64:
      std::memcpy(p, &i, sizeof i);
      break;
    case Kind::kFloat: {
      auto v = static_cast<float>(d);
      std::memcpy(p, &v, sizeof v);
      break;
    }
    case Kind::kDouble:
      std::memcpy(p, &d, sizeof d);
      break;
    case Kind::kLongDouble: {
      long double v = d;
      std::memcpy(p, &v, sizeof v);
      break;
    }
  }
}

template <int kIndex>
Oop Get(Vm& vm, const Oop* a, int n, Frame*) {
  const Accessor& acc = kAccessors[kIndex];
  if (n != 2 && n != 3) return ArityError(vm, acc.getter, n);
  uint8_t* p = Address(vm, acc.getter, acc, a[0], a[1], n == 3 ? a[2] : kNil);
  if (p == nullptr) return kErrorOop;
  return Load(vm, acc, p);
}

template <int kIndex>
Oop Set(Vm& vm, const Oop* a, int n, Frame*) {
  const Accessor& acc = kAccessors[kIndex];
  if (n != 3 && n != 4) return ArityError(vm, acc.setter, n);
  Oop value = a[n - 1];
  bool ok = IsLong(value) || (IsFloating(acc.kind) && IsDouble(value));
  if (!ok) {
    return vm.Error(std::string(acc.setter) + ": improper store: " + DumpForMessage(vm, value));
  }
  uint8_t* p = Address(vm, acc.setter, acc, a[0], a[1], n == 4 ? a[2] : kNil);
  if (p == nullptr) return kErrorOop;
  Store(acc, p, value);
  return value;
}

template <int... kIndices>
void RegisterAll(Vm& vm, std::integer_sequence<int, kIndices...>) {
  (DefinePrimitive(vm, kAccessors[kIndices].getter, Get<kIndices>, -1), ...);
  (DefinePrimitive(vm, kAccessors[kIndices].setter, Set<kIndices>, -1), ...);
}

}  // namespace

void RegisterMemoryAccessPrimitives(Vm& vm) {
  RegisterAll(vm, std::make_integer_sequence<int, sizeof(kAccessors) / sizeof(kAccessors[0])>());
}

}  // namespace maru
