// Raw data and slot access (spec §4.2, §7.8).
#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"
#include "runtime/strings.h"

namespace maru {

namespace {

// The declared slot count and native words of each built-in slot type: objects made with
// `allocate` always get at least this much memory, so the core can use them as genuine objects
// whatever `n` was (spec §4.3) without reading past their end.
struct BuiltinLayout {
  uint32_t slots;
  uint32_t native;
  bool raw;
};

BuiltinLayout LayoutOf(uint32_t type) {
  switch (type) {
    case kDataType:
      return {0, 0, true};
    case kLongType:
    case kDoubleType:
      return {1, 0, true};
    case kSymbolType:
      return {2, 0, true};
    case kSubrType:
      return {7, 0, true};
    case kStringType:
      return {string::kSlots, 0, false};
    case kPairType:
      return {pair::kSlots, 0, false};
    case kArrayType:
      return {array::kSlots, 0, false};
    case kExprType:
      return {expr::kSlots, expr::kAllSlots - expr::kSlots, false};
    case kFormType:
      return {form::kSlots, 0, false};
    case kFixedType:
      return {fixed::kSlots, 0, false};
    case kVariableType:
      return {variable::kSlots, variable::kAllSlots - variable::kSlots, false};
    case kEnvType:
      return {env::kSlots, env::kAllSlots - env::kSlots, false};
    case kContextType:
      return {context::kSlots, 0, false};
    default:
      return {0, 0, false};
  }
}

Oop DataP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop size = Arg(a, n, 0);
  int64_t bytes = IsLong(size) ? LongValue(size) : 0;
  if (bytes < 0) return vm.Error("data: negative size: " + std::to_string(bytes));
  Oop d = NewData(bytes);
  return d == kNil ? vm.OutOfMemory() : d;
}

Oop DataLengthP(Vm& vm, const Oop* a, int, Frame*) {
  if (!Is(a[0], kDataType) || !IsRaw(a[0])) return ArgumentError(vm, "data-length", "Data", a[0]);
  return MakeFixnum(ByteCount(a[0]));
}

Oop AllocateP(Vm& vm, const Oop* a, int, Frame*) {
  if (!IsLong(a[0]) || !IsLong(a[1])) return kNil;
  int64_t type = LongValue(a[0]), n = LongValue(a[1]);
  if (type < 0 || type > 0x7fffffff) return vm.Error("allocate: illegal type: " + std::to_string(type));
  if (n < 0 || n > (int64_t{1} << 30)) return vm.Error("allocate: illegal size: " + std::to_string(n));
  BuiltinLayout layout = LayoutOf(static_cast<uint32_t>(type));
  Oop o;
  if (layout.raw) {
    size_t bytes = std::max<size_t>(n * sizeof(Oop), layout.slots * sizeof(Oop));
    o = AllocRaw(static_cast<uint32_t>(type), bytes, /*scanned=*/true);
  } else {
    uint32_t physical = std::max<uint32_t>(static_cast<uint32_t>(n), layout.slots + layout.native);
    o = AllocSlots(static_cast<uint32_t>(type), physical);
    if (o != kNil) HeaderOf(o)->info = static_cast<uint32_t>(n) << 1;
  }
  return o == kNil ? vm.OutOfMemory() : o;
}

Oop AllocateAtomicP(Vm& vm, const Oop* a, int, Frame*) {
  if (!IsLong(a[0]) || !IsLong(a[1])) return kNil;
  int64_t type = LongValue(a[0]), n = LongValue(a[1]);
  if (type < 0 || type > 0x7fffffff) return vm.Error("allocate-atomic: illegal type: " + std::to_string(type));
  if (n < 0) return vm.Error("allocate-atomic: illegal size: " + std::to_string(n));
  Oop o = AllocRaw(static_cast<uint32_t>(type), static_cast<size_t>(n));
  return o == kNil ? vm.OutOfMemory() : o;
}

// Whether slot i of obj is an oop slot visible to oop-at.
bool HasOopSlot(Oop obj, Oop index, int64_t* i) {
  if (!IsObject(obj) || IsRaw(obj) || !IsLong(index)) return false;
  *i = LongValue(index);
  if (*i < 0 || *i >= SlotCount(obj)) return false;
  // The character storage of a String is raw.
  return !(HeaderOf(obj)->type == kStringType && *i == string::kBits);
}

Oop OopAtP(Vm&, const Oop* a, int, Frame*) {
  int64_t i;
  if (!HasOopSlot(a[0], a[1], &i)) return kNil;
  return Slot(a[0], static_cast<int>(i));
}

// Stores that would break the core's invariants on Strings and Arrays (their sizes and storage)
// are ignored, so that no program can make the runtime read outside an object.
bool StoreKeepsInvariants(Oop obj, int64_t i, Oop v) {
  switch (HeaderOf(obj)->type) {
    case kStringType:  // the size may change within the storage; the storage is raw
      if (i != string::kSize || !IsFixnum(v) || FixnumValue(v) < 0) return false;
      return StringChars(obj) == nullptr
                 ? FixnumValue(v) == 0
                 : static_cast<size_t>(FixnumValue(v)) < AllocatedSize(StringChars(obj)) / 4;
    case kArrayType:
      if (i == array::kSize) {
        return IsFixnum(v) && FixnumValue(v) >= 0 && FixnumValue(v) <= ArrayCapacity(obj);
      }
      return (v == kNil && ArraySize(obj) == 0) ||
             (Is(v, kArrayStorageType) && SlotCount(v) >= ArraySize(obj));
    default:
      return true;
  }
}

Oop SetOopAtP(Vm& vm, const Oop* a, int, Frame*) {
  int64_t i;
  if (!HasOopSlot(a[0], a[1], &i)) return kNil;
  if (!StoreKeepsInvariants(a[0], i, a[2])) return a[2];
  if (Is(a[0], kVariableType) && i == variable::kValue) {
    AssignGlobal(vm, a[0], a[2]);
  } else {
    Slot(a[0], static_cast<int>(i)) = a[2];
  }
  return a[2];
}

}  // namespace

void RegisterDataPrimitives(Vm& vm) {
  DefinePrimitive(vm, "data", DataP, -1);
  DefinePrimitive(vm, "data-length", DataLengthP, 1);
  DefinePrimitive(vm, "allocate", AllocateP, 2);
  DefinePrimitive(vm, "allocate-atomic", AllocateAtomicP, 2);
  DefinePrimitive(vm, "oop-at", OopAtP, 2);
  DefinePrimitive(vm, "set-oop-at", SetOopAtP, 3);
}

}  // namespace maru
