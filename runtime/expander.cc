// Macro expansion (spec §5.2).
#include "runtime/env.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/printer.h"

namespace maru {

namespace {

// Pairs of a macro's expansion that have no source position get the call's.
void CopySource(Vm& vm, Oop x, Oop source) {
  while (IsPair(x) && SourceOf(x) == kNil) {
    if (vm.StackExhausted()) return;
    Slot(x, pair::kSource) = source;
    CopySource(vm, Slot(x, pair::kHead), source);
    x = Slot(x, pair::kTail);
  }
}

// The Form bound to a symbol in the expansion Env, or nil.
Oop FormFor(Oop env, Oop symbol) {
  Oop var = EnvLookup(env, symbol);
  if (var == kNil) return kNil;
  Oop value = Slot(var, variable::kValue);
  return Is(value, kFormType) && SlotCount(value) >= form::kSlots ? value : kNil;
}

Oop ApplyMacro(Vm& vm, Oop call, Oop fn, Oop args) {
  // The call is the active form while its macro runs, so errors point at the user's code.
  ActiveForm active{call, vm.active};
  vm.active = &active;
  Oop result = ApplyList(vm, fn, args, nullptr);
  vm.active = active.prev;
  return result;
}

}  // namespace

Oop Expand(Vm& vm, Oop x, Oop env) {
  if (vm.StackExhausted()) return vm.StackOverflow();
  if (IsPair(x)) {
    Oop source = SourceOf(x);
    Oop head = Expand(vm, Slot(x, pair::kHead), env);
    if (head == kErrorOop) return head;
    Oop tail = Slot(x, pair::kTail);
    if (IsSymbol(head)) {
      Oop form = FormFor(env, head);
      if (form != kNil && Slot(form, form::kFunction) != kNil) {
        Oop args = NewPair(env, tail);
        if (args == kNil) return vm.OutOfMemory();
        Oop expansion = ApplyMacro(vm, x, Slot(form, form::kFunction), args);
        if (expansion == kErrorOop) return expansion;
        if (source != kNil) CopySource(vm, expansion, source);
        return Expand(vm, expansion, env);
      }
    }
    if (head == vm.sym_quote) {
      Oop quoted = NewPair(head, tail, source);
      return quoted == kNil ? vm.OutOfMemory() : quoted;
    }
    Oop result = NewPair(head, kNil, source);
    if (result == kNil) return vm.OutOfMemory();
    Oop last = result;
    while (IsPair(tail)) {
      Oop item = Expand(vm, Slot(tail, pair::kHead), env);
      if (item == kErrorOop) return item;
      Oop cell = NewPair(item, kNil, SourceOf(tail));
      if (cell == kNil) return vm.OutOfMemory();
      Slot(last, pair::kTail) = cell;
      last = cell;
      tail = Slot(tail, pair::kTail);
    }
    if (tail != kNil) {
      Oop item = Expand(vm, tail, env);
      if (item == kErrorOop) return item;
      Slot(last, pair::kTail) = item;
    }
    // Generalised set: (set (S a...) v...) => (set-S a... v...).
    if (head == vm.sym_set) {
      Oop place = Car(Slot(result, pair::kTail));
      if (IsPair(place) && IsSymbol(Slot(place, pair::kHead))) {
        std::string name = "set-";
        name.append(SymbolName(Slot(place, pair::kHead)));
        Oop values = Cdr(Slot(result, pair::kTail));
        // Copy the place's arguments, then append the values.
        Oop rewritten = NewPair(Intern(name), kNil, source);
        if (rewritten == kNil) return vm.OutOfMemory();
        Oop end = rewritten;
        for (Oop a = Slot(place, pair::kTail); IsPair(a); a = Slot(a, pair::kTail)) {
          Oop cell = NewPair(Slot(a, pair::kHead), kNil, source);
          if (cell == kNil) return vm.OutOfMemory();
          Slot(end, pair::kTail) = cell;
          end = cell;
        }
        Slot(end, pair::kTail) = values;
        return rewritten;
      }
    }
    return result;
  }
  if (IsSymbol(x)) {
    Oop form = FormFor(env, x);
    if (form != kNil && Slot(form, form::kSymbol) != kNil) {
      Oop args[2] = {env, x};
      Oop expansion = Apply(vm, Slot(form, form::kSymbol), args, 2, nullptr);
      if (expansion == kErrorOop) return expansion;
      return Expand(vm, expansion, env);
    }
    return x;
  }
  Oop hook = vm.HookFor(vm.expanders_var(), TypeOf(x));
  if (hook == kNil) return x;
  return Apply(vm, hook, &x, 1, nullptr);
}

}  // namespace maru
