// Arrays (spec §7.6).
#include "runtime/heap.h"
#include "runtime/primitives/registry.h"

namespace maru {

namespace {

Oop ArrayP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop size = Arg(a, n, 0);
  int64_t length = IsLong(size) ? LongValue(size) : 0;
  if (length < 0) return vm.Error("array: negative size: " + std::to_string(length));
  Oop array = NewArray(length);
  return array == kNil ? vm.OutOfMemory() : array;
}

Oop ArrayLengthP(Vm& vm, const Oop* a, int, Frame*) {
  if (!Is(a[0], kArrayType)) return ArgumentError(vm, "array-length", "Array", a[0]);
  return MakeFixnum(ArraySize(a[0]));
}

Oop ArrayAtP(Vm&, const Oop* a, int, Frame*) {
  if (!Is(a[0], kArrayType) || !IsLong(a[1])) return kNil;
  int64_t i = LongValue(a[1]);
  if (i < 0 || i >= ArraySize(a[0])) return kNil;
  return ArrayAt(a[0], i);
}

Oop SetArrayAtP(Vm& vm, const Oop* a, int, Frame*) {
  if (!Is(a[0], kArrayType) || !IsLong(a[1])) return kNil;
  int64_t i = LongValue(a[1]);
  if (i < 0 || i >= (int64_t{1} << 31) - 2) {
    return vm.Error("set-array-at: index out of range: " + std::to_string(i));
  }
  if (!ArraySetGrowing(a[0], i, a[2])) return vm.OutOfMemory();
  return a[2];
}

Oop ArrayCompareP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0), y = Arg(a, n, 1);
  if (!Is(x, kArrayType)) return ArgumentError(vm, "array-compare", "Array", x);
  if (!Is(y, kArrayType)) return ArgumentError(vm, "array-compare", "Array", y);
  int64_t xlen = ArraySize(x), ylen = ArraySize(y);
  int64_t off = 0;
  if (n > 2) {
    if (!IsLong(a[2])) return ArgumentError(vm, "array-compare", "integer", a[2]);
    off = LongValue(a[2]);
    if (off < 0) off += xlen;
  }
  if (off < 0 || off > xlen) return MakeFixnum(-1);
  int64_t len = xlen - off;
  if (n > 3) {
    if (!IsLong(a[3])) return ArgumentError(vm, "array-compare", "integer", a[3]);
    len = LongValue(a[3]);
    if (len < 0 || len > ylen || off + len >= xlen) return MakeFixnum(-1);
  }
  if (len > ylen) return MakeFixnum(-1);  // the range would extend beyond b
  for (int64_t i = 0; i < len; ++i) {
    Oop p = ArrayAt(x, off + i), q = ArrayAt(y, i);
    if (p != q) return NewLong(static_cast<int64_t>(p - q));
  }
  return MakeFixnum(0);
}

}  // namespace

void RegisterArrayPrimitives(Vm& vm) {
  DefinePrimitive(vm, "array", ArrayP, -1);
  DefinePrimitive(vm, "array-length", ArrayLengthP, 1);
  DefinePrimitive(vm, "array-at", ArrayAtP, 2);
  DefinePrimitive(vm, "set-array-at", SetArrayAtP, 3);
  DefinePrimitive(vm, "array-compare", ArrayCompareP, -1);
}

}  // namespace maru
