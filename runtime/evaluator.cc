#include "runtime/evaluator.h"

#include <alloca.h>

#include <cstring>

#include "runtime/env.h"
#include "runtime/ffi/ffi.h"
#include "runtime/heap.h"
#include "runtime/printer.h"
#include "runtime/subr.h"
#include "runtime/tier_up.h"

namespace maru {

namespace {

// Activations with more slots than this start in a heap Context instead of on the C stack.
constexpr int64_t kMaxStackSlots = 256;
// Slots of an activation that fit the fixed buffer of ApplyExpr's C frame.
constexpr int64_t kStackSlots = 6;

Oop MakeList(const Oop* items, int n, Oop tail = kNil) {
  Oop list = tail;
  for (int i = n - 1; i >= 0; --i) {
    list = NewPair(items[i], list);
    if (list == kNil) return kNil;
  }
  return list;
}

Oop ContextSlotRef(Oop ctx, int64_t index, Oop** where) {
  *where = nullptr;
  if (!Is(ctx, kContextType)) return kNil;
  Oop bindings = Slot(ctx, context::kBindings);
  if (!Is(bindings, kArrayType) || index < 0 || index >= ArraySize(bindings)) return kNil;
  *where = &ArrayElements(bindings)[index];
  return **where;
}

Oop OuterContext(const Frame* frame, int64_t hops) {
  Oop ctx = frame->home;
  for (int64_t i = 1; i < hops && Is(ctx, kContextType); ++i) ctx = Slot(ctx, context::kHome);
  return ctx;
}

[[gnu::noinline, gnu::cold]] Oop CannotApply(Vm& vm, Oop fn) {
  return vm.Error("cannot apply: " + DumpForMessage(vm, fn));
}

[[gnu::noinline, gnu::cold]] Oop SubrArityError(Vm& vm, Oop fn, int argc) {
  return vm.Error("wrong number of arguments (" + std::to_string(argc) +
                  ") in: " + std::string(SubrName(fn)));
}

// Error paths are out of line and cold: they build strings, and inlined into the evaluator they
// would enlarge every recursive frame (the depth of recursion a stack allows).
[[gnu::noinline, gnu::cold]] Oop ArityError(Vm& vm, const char* what, Oop fn, const Oop* args,
                                            int argc) {
  Oop list = MakeList(args, argc);
  return vm.Error(std::string(what) + " arguments applying " + DumpForMessage(vm, fn) + " to " +
                  DumpForMessage(vm, list));
}

// The native words of an Expr exist when it was made by the core (or by `allocate` with no more
// than the public slots).
inline bool HasNativeWords(Oop fn) { return SlotCount(fn) <= expr::kSlots; }

Oop InterpretExpr(Vm& vm, Oop fn, const Oop* args, int argc);

Oop ApplyExpr(Vm& vm, Oop fn, const Oop* args, int argc) {
  if (HasNativeWords(fn)) {
    Oop entry = Slot(fn, expr::kEntry);
    if (entry != kNil) return reinterpret_cast<CompiledEntry>(entry)(&vm, fn, args, argc);
    if (vm.tier_up != nullptr && Slot(fn, expr::kInfo) != kExprNotCompilable) {
      // The counter is a raw integer (a native word, invisible to Maru code).
      Oop calls = Slot(fn, expr::kCalls) + 1;
      Slot(fn, expr::kCalls) = calls;
      // (FirstCall may have tried and declined: then kInfo says so and Compile is not asked.)
      if ((calls == 1 && vm.tier_up->FirstCall(vm, fn)) ||
          (static_cast<int64_t>(calls) > vm.tier_up->threshold() &&
           Slot(fn, expr::kInfo) != kExprNotCompilable && vm.tier_up->Compile(vm, fn))) {
        entry = Slot(fn, expr::kEntry);
        return reinterpret_cast<CompiledEntry>(entry)(&vm, fn, args, argc);
      }
    }
  }
  return InterpretExpr(vm, fn, args, argc);
}

Oop InterpretExpr(Vm& vm, Oop fn, const Oop* args, int argc) {
  if (vm.StackExhausted()) return vm.StackOverflow();
  if (vm.InterruptPending()) return vm.TakeInterrupt();
  Oop defn = Slot(fn, expr::kDefn);
  Oop env = Car(defn);
  if (!IsEnv(env)) return CannotApply(vm, fn);
  Oop params = Car(Cdr(defn));
  Oop body = Cdr(Cdr(defn));
  int64_t nslots = EnvOffset(env);
  Frame frame{nullptr, nslots, EnvLevel(env), env, Slot(fn, expr::kCtx), kNil, fn};
  Oop local_slots[kStackSlots];
  if (nslots <= kStackSlots) {
    frame.slots = local_slots;
    for (int64_t i = 0; i < nslots; ++i) local_slots[i] = kNil;
  } else {
    frame.nslots = 0;
    if (!Materialize(vm, &frame)) return vm.OutOfMemory();
    Oop bindings = Slot(frame.context, context::kBindings);
    if (!ArraySetGrowing(bindings, nslots - 1, kNil)) return vm.OutOfMemory();
    frame.slots = ArrayElements(bindings);
    frame.nslots = nslots;
  }
  int i = 0;
  while (IsPair(params)) {
    if (i >= argc) return ArityError(vm, "too few", fn, args, argc);
    Oop var = Slot(params, pair::kHead);
    int64_t index = VariableIndex(var);
    if (index >= 0 && index < frame.nslots) frame.slots[index] = args[i];
    ++i;
    params = Slot(params, pair::kTail);
  }
  if (params != kNil) {
    Oop rest = MakeList(args + i, argc - i);
    if (rest == kNil && i < argc) return vm.OutOfMemory();
    int64_t index = VariableIndex(params);
    if (index >= 0 && index < frame.nslots) frame.slots[index] = rest;
  } else if (i < argc) {
    return ArityError(vm, "too many", fn, args, argc);
  }
  Oop result = kNil;
  while (IsPair(body)) {
    result = Eval(vm, Slot(body, pair::kHead), &frame);
    if (result == kErrorOop) return result;
    body = Slot(body, pair::kTail);
  }
  return result;
}

[[gnu::noinline]] Oop ApplySubr(Vm& vm, Oop fn, const Oop* args, int argc, Frame* caller) {
  SubrBody* subr = SubrOf(fn);
  if (subr->imp == nullptr) return CannotApply(vm, fn);
  switch (subr->kind) {
    case SubrKind::kPrimitive:
      if (subr->arity >= 0 && argc != subr->arity) return SubrArityError(vm, fn, argc);
      return reinterpret_cast<PrimitiveFn>(subr->imp)(vm, args, argc, caller);
    case SubrKind::kSpecialForm: {
      Oop list = MakeList(args, argc);
      if (list == kNil && argc > 0) return vm.OutOfMemory();
      return reinterpret_cast<SpecialFormFn>(subr->imp)(vm, list, caller);
    }
    case SubrKind::kForeign:
      return CallForeignSubr(vm, fn, args, argc, caller);
    case SubrKind::kHost:
      if (subr->arity >= 0 && argc != subr->arity) return SubrArityError(vm, fn, argc);
      return reinterpret_cast<HostFn>(subr->imp)(vm, subr->data, args, argc, caller);
  }
  return CannotApply(vm, fn);
}

}  // namespace

Oop VariableValueSlow(Oop var, const Frame* frame) {
  int64_t level = VariableLevel(var);
  if (level == 0 || frame == nullptr) return Slot(var, variable::kValue);
  int64_t index = VariableIndex(var);
  int64_t hops = frame->level - level;
  if (hops == 0) return index >= 0 && index < frame->nslots ? frame->slots[index] : kNil;
  if (hops < 0) return kNil;
  Oop* where;
  return ContextSlotRef(OuterContext(frame, hops), index, &where);
}

Oop SetVariableValue(Vm& vm, Oop var, Oop value, Frame* frame) {
  int64_t level = VariableLevel(var);
  if (level == 0 || frame == nullptr) {
    AssignGlobal(vm, var, value);
    return value;
  }
  int64_t index = VariableIndex(var);
  if (index < 0) return value;
  int64_t hops = frame->level - level;
  if (hops == 0) {
    if (index >= frame->nslots) {
      // A slot the activation was not sized for (Envs edited by user code): grow the Context.
      if (frame->context == kNil && !Materialize(vm, frame)) return vm.OutOfMemory();
      Oop bindings = Slot(frame->context, context::kBindings);
      if (!ArraySetGrowing(bindings, index, kNil)) return vm.OutOfMemory();
      frame->slots = ArrayElements(bindings);
      frame->nslots = ArraySize(bindings);
    }
    frame->slots[index] = value;
    return value;
  }
  if (hops < 0) return value;
  Oop ctx = OuterContext(frame, hops);
  if (!Is(ctx, kContextType)) return value;
  Oop bindings = Slot(ctx, context::kBindings);
  if (!Is(bindings, kArrayType)) return value;
  if (!ArraySetGrowing(bindings, index, value)) return vm.OutOfMemory();
  return value;
}

bool Materialize(Vm& vm, Frame* frame) {
  if (frame->context != kNil) return true;
  Oop bindings = NewArray(frame->nslots);
  if (bindings == kNil) return false;
  Oop ctx = AllocSlots(kContextType, context::kSlots);
  if (ctx == kNil) return false;
  if (frame->nslots > 0) {
    std::memcpy(ArrayElements(bindings), frame->slots, frame->nslots * sizeof(Oop));
  }
  Slot(ctx, context::kHome) = frame->home;
  Slot(ctx, context::kEnv) = frame->env;
  Slot(ctx, context::kBindings) = bindings;
  frame->context = ctx;
  frame->slots = frame->nslots > 0 ? ArrayElements(bindings) : nullptr;
  return true;
}

Oop EvalAtom(Vm& vm, Oop x, uint32_t type) {
  if (type == kUndefinedType || type == kLongType || type == kDoubleType || type == kStringType) {
    return x;
  }
  Oop hook = vm.HookFor(vm.evaluators_var(), type);
  if (hook == kNil) return x;
  return Apply(vm, hook, &x, 1, nullptr);
}

namespace {

// Evaluates the operands into args (argc of them) and applies fn.
[[gnu::always_inline]] inline Oop EvalArgsAndApply(Vm& vm, Oop fn, Oop operands, int argc, Oop* args,
                                                Frame* frame) {
  Oop p = operands;
  for (int i = 0; i < argc; ++i) {
    Oop value = Eval(vm, Slot(p, pair::kHead), frame);
    if (value == kErrorOop) return value;
    args[i] = value;
    p = Slot(p, pair::kTail);
  }
  if (p != kNil) {
    // A dotted operand list: the final atom is passed on unevaluated.
    Oop list = MakeList(args, argc, p);
    return list == kNil ? vm.OutOfMemory() : ApplyList(vm, fn, list, frame);
  }
  if (IsSubr(fn) && !vm.debug) {
    SubrBody* subr = SubrOf(fn);
    if (subr->kind == SubrKind::kPrimitive && (subr->arity < 0 || subr->arity == argc)) {
      return reinterpret_cast<PrimitiveFn>(subr->imp)(vm, args, argc, frame);
    }
  }
  return Apply(vm, fn, args, argc, frame);
}

constexpr int kInlineArgs = 4;

}  // namespace

namespace {

// A call: evaluates the operands (left to right) and applies fn. Out of line, so that the
// frames of special forms (if, let, while...) do not carry the argument buffer: recursion depth
// per stack depends on it.
[[gnu::noinline]] Oop EvalCall(Vm& vm, Oop fn, Oop operands, Frame* frame) {
  int argc = 0;
  for (Oop p = operands; IsPair(p); p = Slot(p, pair::kTail)) ++argc;
  if (argc <= kInlineArgs) {
    Oop args[kInlineArgs];
    return EvalArgsAndApply(vm, fn, operands, argc, args, frame);
  }
  // Collector memory, so that the evaluated arguments stay visible to the GC.
  Oop buffer = NewArrayStorage(argc);
  if (buffer == kNil) return vm.OutOfMemory();
  return EvalArgsAndApply(vm, fn, operands, argc, Slots(buffer), frame);
}

}  // namespace

Oop EvalPair(Vm& vm, Oop x, Frame* frame) {
  if (vm.StackExhausted()) return vm.StackOverflow();
  ActiveForm active{x, vm.active};
  vm.active = &active;
  Oop result;
  Oop fn = Eval(vm, Slot(x, pair::kHead), frame);
  Oop operands = Slot(x, pair::kTail);
  if (fn == kErrorOop) {
    result = fn;
  } else if (Is(fn, kFixedType)) {
    Oop function = SlotCount(fn) > 0 ? Slot(fn, fixed::kFunction) : kNil;
    if (IsSubr(function) && SubrOf(function)->kind == SubrKind::kSpecialForm) {
      result = reinterpret_cast<SpecialFormFn>(SubrOf(function)->imp)(vm, operands, frame);
    } else {
      result = ApplyList(vm, function, operands, frame);
    }
  } else {
    result = EvalCall(vm, fn, operands, frame);
  }
  vm.active = active.prev;
  return result;
}

namespace {

// Applies a value that is not a function through *applicators* (spec §5.4).
[[gnu::noinline]] Oop ApplyThroughApplicator(Vm& vm, Oop f, const Oop* args, int argc,
                                            Frame* caller) {
  Oop applicator = vm.HookFor(vm.applicators_var(), TypeOf(f));
  if (applicator == kNil) return CannotApply(vm, f);
  if (vm.StackExhausted()) return vm.StackOverflow();
  Oop spread = NewArrayStorage(argc + 1);
  if (spread == kNil) return vm.OutOfMemory();
  Slot(spread, 0) = f;
  if (argc > 0) std::memcpy(&Slot(spread, 1), args, argc * sizeof(Oop));
  return Apply(vm, applicator, Slots(spread), argc + 1, caller);
}

}  // namespace

namespace {

Oop ApplyDirect(Vm& vm, Oop f, const Oop* args, int argc, Frame* caller);

// -g: the application itself is an active form, so backtraces show the function applied and
// its arguments.
[[gnu::noinline]] Oop ApplyShowingArguments(Vm& vm, Oop f, const Oop* args, int argc,
                                            Frame* caller) {
  Oop list = MakeList(args, argc);
  if (list == kNil && argc > 0) return vm.OutOfMemory();
  Oop form = NewPair(f, list);
  if (form == kNil) return vm.OutOfMemory();
  ActiveForm active{form, vm.active};
  vm.active = &active;
  Oop result = ApplyDirect(vm, f, args, argc, caller);
  vm.active = active.prev;
  return result;
}

}  // namespace

Oop Apply(Vm& vm, Oop f, const Oop* args, int argc, Frame* caller) {
  if (vm.debug) [[unlikely]] return ApplyShowingArguments(vm, f, args, argc, caller);
  return ApplyDirect(vm, f, args, argc, caller);
}

namespace {

Oop ApplyDirect(Vm& vm, Oop f, const Oop* args, int argc, Frame* caller) {
  switch (TypeOf(f)) {
    case kExprType:
      return ApplyExpr(vm, f, args, argc);
    case kSubrType:
      return ApplySubr(vm, f, args, argc, caller);
    case kFixedType:
      return Apply(vm, SlotCount(f) > 0 ? Slot(f, fixed::kFunction) : kNil, args, argc, caller);
    default:
      return ApplyThroughApplicator(vm, f, args, argc, caller);
  }
}

}  // namespace

Oop ApplyList(Vm& vm, Oop f, Oop list, Frame* caller) {
  int64_t n = ListLength(list);
  if (n > (int64_t{1} << 24)) return vm.Error("too many arguments in: apply");
  Oop buffer = NewArrayStorage(n);  // collector memory: the arguments stay visible to the GC
  if (buffer == kNil) return vm.OutOfMemory();
  for (int64_t i = 0; i < n; ++i) {
    Slot(buffer, static_cast<int>(i)) = Slot(list, pair::kHead);
    list = Slot(list, pair::kTail);
  }
  return Apply(vm, f, Slots(buffer), static_cast<int>(n), caller);
}

Oop EvalInEnv(Vm& vm, Oop x, Oop env) {
  Oop expanded = Expand(vm, x, env);
  if (expanded == kErrorOop) return expanded;
  Oop encoded = Encode(vm, expanded, env);
  if (encoded == kErrorOop) return encoded;
  int64_t level = EnvLevel(env);
  // A level-0 Env holds globals (value cells), so its activation needs no slots.
  int64_t nslots = level == 0 ? 0 : EnvOffset(env);
  Frame frame{nullptr, nslots, level, env, kNil, kNil};
  if (nslots <= kMaxStackSlots) {
    frame.slots = static_cast<Oop*>(alloca((nslots + 1) * sizeof(Oop)));
    std::memset(frame.slots, 0, (nslots + 1) * sizeof(Oop));
  } else {
    frame.nslots = 0;
    if (!Materialize(vm, &frame)) return vm.OutOfMemory();
    Oop bindings = Slot(frame.context, context::kBindings);
    if (!ArraySetGrowing(bindings, nslots - 1, kNil)) return vm.OutOfMemory();
    frame.slots = ArrayElements(bindings);
    frame.nslots = nslots;
  }
  return Eval(vm, encoded, &frame);
}

Oop EvalTopLevel(Vm& vm, Oop form) {
  Oop env = NewEnv(vm.current_globals(), 1, 0);
  if (env == kNil) return vm.OutOfMemory();
  return EvalInEnv(vm, form, env);
}

void NameValue(Oop value, Oop name) {
  if (Is(value, kExprType)) {
    if (Slot(value, expr::kName) == kNil) Slot(value, expr::kName) = name;
  } else if (Is(value, kFormType) && SlotCount(value) > 0) {
    Oop fn = Slot(value, form::kFunction);
    if (Is(fn, kExprType) && Slot(fn, expr::kName) == kNil) Slot(fn, expr::kName) = name;
  }
}

Oop NewExpr(Oop name, Oop defn, Oop ctx) {
  Oop e = AllocSlots(kExprType, expr::kSlots, expr::kAllSlots - expr::kSlots);
  if (e == kNil) return kNil;
  Slot(e, expr::kName) = name;
  Slot(e, expr::kDefn) = defn;
  Slot(e, expr::kCtx) = ctx;
  Slot(e, expr::kProfile) = MakeFixnum(0);
  return e;
}

Oop NewForm(Oop function, Oop symbol_function) {
  Oop f = AllocSlots(kFormType, form::kSlots);
  if (f == kNil) return kNil;
  Slot(f, form::kFunction) = function;
  Slot(f, form::kSymbol) = symbol_function;
  return f;
}

Oop NewFixed(Oop function) {
  Oop f = AllocSlots(kFixedType, fixed::kSlots);
  if (f == kNil) return kNil;
  Slot(f, fixed::kFunction) = function;
  return f;
}

void CountBackEdge(Vm& vm, Oop fn) {
  if (vm.tier_up == nullptr || !HasNativeWords(fn) || Slot(fn, expr::kEntry) != kNil ||
      Slot(fn, expr::kInfo) == kExprNotCompilable) {
    return;
  }
  // As a call (ApplyExpr): a function that loops is as hot as one called as often. The running
  // activation stays interpreted; the next call runs the code.
  Oop count = Slot(fn, expr::kCalls) + 1;
  Slot(fn, expr::kCalls) = count;
  if (static_cast<int64_t>(count) > vm.tier_up->threshold()) vm.tier_up->Compile(vm, fn);
}

}  // namespace maru
