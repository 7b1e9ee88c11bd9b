// The nine special forms (spec §6). Each receives its encoded, unevaluated operands.
#include "runtime/special_forms.h"

#include "runtime/env.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/hot_loops.h"
#include "runtime/subr.h"

namespace maru {

namespace {

// Evaluates a body; the value of the last form (nil for none).
Oop EvalBody(Vm& vm, Oop body, Frame* frame) {
  Oop result = kNil;
  while (IsPair(body)) {
    result = Eval(vm, Slot(body, pair::kHead), frame);
    if (result == kErrorOop) return result;
    body = Slot(body, pair::kTail);
  }
  return result;
}

Oop Quote(Vm&, Oop operands, Frame*) { return Car(operands); }

Oop If(Vm& vm, Oop operands, Frame* frame) {
  Oop test = Eval(vm, Car(operands), frame);
  if (test == kErrorOop) return test;
  if (test != kNil) return Eval(vm, Car(Cdr(operands)), frame);
  return EvalBody(vm, Cdr(Cdr(operands)), frame);
}

Oop And(Vm& vm, Oop operands, Frame* frame) {
  Oop result = vm.sym_t;
  while (IsPair(operands)) {
    result = Eval(vm, Slot(operands, pair::kHead), frame);
    if (result == kErrorOop || result == kNil) return result;
    operands = Slot(operands, pair::kTail);
  }
  return result;
}

Oop Or(Vm& vm, Oop operands, Frame* frame) {
  while (IsPair(operands)) {
    Oop result = Eval(vm, Slot(operands, pair::kHead), frame);
    if (result != kNil) return result;  // a value, or kErrorOop
    operands = Slot(operands, pair::kTail);
  }
  return kNil;
}

Oop While(Vm& vm, Oop operands, Frame* frame) {
  Oop test = Car(operands);
  Oop body = Cdr(operands);
  const int64_t compile_after = LoopIterationsBeforeCompiling(vm);
  for (int64_t iterations = 1;; ++iterations) {
    if (vm.InterruptPending()) return vm.TakeInterrupt();
    Oop value = Eval(vm, test, frame);
    if (value == kErrorOop) return value;
    if (value == kNil) return kNil;
    if (EvalBody(vm, body, frame) == kErrorOop) return kErrorOop;
    if (vm.tier_up != nullptr && frame != nullptr) {
      if (frame->self != kNil) CountBackEdge(vm, frame->self);
      Oop result;
      if (iterations == compile_after && ContinueLoopCompiled(vm, operands, frame, &result)) {
        return result;
      }
    }
  }
}

Oop Lambda(Vm& vm, Oop operands, Frame* frame) {
  Oop ctx = kNil;
  if (frame != nullptr) {
    if (!Materialize(vm, frame)) return vm.OutOfMemory();
    ctx = frame->context;
  }
  Oop e = NewExpr(kNil, operands, ctx);
  return e == kNil ? vm.OutOfMemory() : e;
}

Oop Let(Vm& vm, Oop operands, Frame* frame) {
  for (Oop b = Car(Cdr(operands)); IsPair(b); b = Slot(b, pair::kTail)) {
    Oop binding = Slot(b, pair::kHead);
    Oop var = Car(binding);
    if (!Is(var, kVariableType)) continue;
    Oop value = EvalBody(vm, Cdr(binding), frame);
    if (value == kErrorOop) return value;
    if (SetVariableValue(vm, var, value, frame) == kErrorOop) return kErrorOop;
  }
  return EvalBody(vm, Cdr(Cdr(operands)), frame);
}

Oop Define(Vm& vm, Oop operands, Frame* frame) {
  Oop var = Car(operands);
  Oop rest = Cdr(operands);
  Oop value = IsPair(rest) ? Eval(vm, Slot(rest, pair::kHead), frame) : kNil;
  if (value == kErrorOop) return value;
  if (!Is(var, kVariableType)) return vm.Error("define: not a variable");
  AssignGlobal(vm, var, value);
  NameValue(value, Slot(var, variable::kName));
  return value;
}

Oop Set(Vm& vm, Oop operands, Frame* frame) {
  Oop var = Car(operands);
  Oop value = Eval(vm, Car(Cdr(operands)), frame);
  if (value == kErrorOop) return value;
  if (!Is(var, kVariableType)) return vm.Error("set: not a variable");
  if (SetVariableValue(vm, var, value, frame) == kErrorOop) return kErrorOop;
  NameValue(value, Slot(var, variable::kName));
  return value;
}

}  // namespace

SpecialFormFn SpecialFormFunction(SpecialForm f) {
  switch (f) {
    case kQuote:
      return Quote;
    case kIf:
      return If;
    case kAnd:
      return And;
    case kOr:
      return Or;
    case kWhile:
      return While;
    case kLambda:
      return Lambda;
    case kLet:
      return Let;
    case kDefine:
      return Define;
    case kSet:
      return Set;
    case kSpecialFormCount:
      break;
  }
  return nullptr;
}

const char* SpecialFormName(SpecialForm f) {
  static const char* const kNames[] = {"quote", "if",  "and",    "or", "while",
                                       "lambda", "let", "define", "set"};
  return kNames[f];
}

}  // namespace maru
