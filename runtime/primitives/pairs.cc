// Type predicates and pairs (spec §7.3).
#include "runtime/heap.h"
#include "runtime/primitives/registry.h"

namespace maru {

namespace {

Oop PairP(Vm& vm, const Oop* a, int, Frame*) { return Truth(vm, IsPair(a[0])); }
Oop SymbolP(Vm& vm, const Oop* a, int, Frame*) { return Truth(vm, Is(a[0], kSymbolType)); }
Oop StringP(Vm& vm, const Oop* a, int, Frame*) { return Truth(vm, Is(a[0], kStringType)); }
Oop FormP(Vm& vm, const Oop* a, int, Frame*) { return Truth(vm, Is(a[0], kFormType)); }
Oop FixedP(Vm& vm, const Oop* a, int, Frame*) { return Truth(vm, Is(a[0], kFixedType)); }
Oop ArrayP(Vm& vm, const Oop* a, int n, Frame*) { return Truth(vm, Is(Arg(a, n, 0), kArrayType)); }

Oop Cons(Vm& vm, const Oop* a, int n, Frame*) {
  Oop p = NewPair(Arg(a, n, 0), Arg(a, n, 1));
  return p == kNil ? vm.OutOfMemory() : p;
}

Oop CarP(Vm&, const Oop* a, int, Frame*) { return Car(a[0]); }
Oop CdrP(Vm&, const Oop* a, int, Frame*) { return Cdr(a[0]); }

Oop SetCar(Vm&, const Oop* a, int, Frame*) {
  if (!IsPair(a[0])) return kNil;
  Slot(a[0], pair::kHead) = a[1];
  return a[1];
}

Oop SetCdr(Vm&, const Oop* a, int, Frame*) {
  if (!IsPair(a[0])) return kNil;
  Slot(a[0], pair::kTail) = a[1];
  return a[1];
}

}  // namespace

void RegisterPairPrimitives(Vm& vm) {
  DefinePrimitive(vm, "pair?", PairP, 1);
  DefinePrimitive(vm, "symbol?", SymbolP, 1);
  DefinePrimitive(vm, "string?", StringP, 1);
  DefinePrimitive(vm, "form?", FormP, 1);
  DefinePrimitive(vm, "fixed?", FixedP, 1);
  DefinePrimitive(vm, "array?", ArrayP, -1);
  DefinePrimitive(vm, "cons", Cons, -1);
  DefinePrimitive(vm, "car", CarP, 1);
  DefinePrimitive(vm, "cdr", CdrP, 1);
  DefinePrimitive(vm, "set-car", SetCar, 2);
  DefinePrimitive(vm, "set-cdr", SetCdr, 2);
}

}  // namespace maru
