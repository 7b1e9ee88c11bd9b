#include "jit/runtime_calls.h"

#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/printer.h"
#include "runtime/subr.h"
#include "runtime/tier_up.h"

namespace maru::jit {

namespace {

// Keeps `form` on the Vm's chain of active expressions for the duration of a slow path, so that
// errors raised there have a backtrace entry for the compiled call site.
class ActiveFormScope {
 public:
  ActiveFormScope(Vm* vm, Oop form) : vm_(vm), active_{form, vm->active} { vm->active = &active_; }
  ~ActiveFormScope() { vm_->active = active_.prev; }

 private:
  Vm* vm_;
  ActiveForm active_;
};

}  // namespace

Oop CallFunction(Vm* vm, Oop f, const Oop* args, int64_t argc, Frame* frame, Oop form) {
  ActiveFormScope scope(vm, form);
  return Apply(*vm, f, args, static_cast<int>(argc), frame);
}

Oop CallGlobal(Vm* vm, Oop var, const Oop* args, int64_t argc, Frame* frame, Oop form) {
  return CallFunction(vm, Slot(var, variable::kValue), args, argc, frame, form);
}

Oop ApplyFixed(Vm* vm, Oop fixed, Oop form, Frame* frame) {
  ActiveFormScope scope(vm, form);
  Oop function = SlotCount(fixed) > 0 ? Slot(fixed, fixed::kFunction) : kNil;
  Oop operands = Cdr(form);
  if (IsSubr(function) && SubrOf(function)->kind == SubrKind::kSpecialForm) {
    return reinterpret_cast<SpecialFormFn>(SubrOf(function)->imp)(*vm, operands, frame);
  }
  return ApplyList(*vm, function, operands, frame);
}

Oop EvalForm(Vm* vm, Oop form, Frame* frame) { return Eval(*vm, form, frame); }

Oop EvalHookedAtom(Vm* vm, Oop atom) { return EvalAtom(*vm, atom, TypeOf(atom)); }

Oop MakeClosure(Vm* vm, Oop operands, Frame* frame, ClosureSite* site) {
  if (!Materialize(*vm, frame)) return vm->OutOfMemory();
  Oop e = NewExpr(kNil, operands, frame->context);
  if (e == kNil) return vm->OutOfMemory();
  if (site == nullptr) return e;
  // (Code the last closure holds is shared once it runs, or once it is known it never will: an
  // Expr whose guards failed keeps its old code without an entry until compiled again.)
  if (site->info == kNil && site->last != kNil && Slot(site->last, expr::kInfo) != kNil &&
      (Slot(site->last, expr::kEntry) != kNil ||
       Slot(site->last, expr::kInfo) == kExprNotCompilable)) {
    site->info = Slot(site->last, expr::kInfo);
    site->entry = Slot(site->last, expr::kEntry);
    site->direct_entry = Slot(site->last, expr::kDirectEntry);
    site->last = kNil;
  }
  if (site->info != kNil) {
    Slot(e, expr::kInfo) = site->info;
    Slot(e, expr::kEntry) = site->entry;
    Slot(e, expr::kDirectEntry) = site->direct_entry;
  } else {
    site->last = e;
  }
  return e;
}

Oop LoadOuterVariable(Oop var, Frame* frame) { return VariableValueSlow(var, frame); }

Oop StoreOuterVariable(Vm* vm, Oop var, Oop value, Frame* frame) {
  return SetVariableValue(*vm, var, value, frame);
}

int64_t RevalidateGuards(VmHotFields* vm, GuardRecord* record) {
  for (int64_t i = 0; i < record->count; ++i) {
    if (Slot(record->pairs[2 * i], variable::kValue) != record->pairs[2 * i + 1]) {
      if (record->stale == 0 && record->recompiles_left > 0) {
        record->stale = 1;
        // The next call of the Expr goes to the tier-up hook (its first call again), which
        // compiles it anew; compiled callers find no entry and call through the runtime.
        Oop expr = record->expr;
        Slot(expr, expr::kEntry) = kNil;
        Slot(expr, expr::kDirectEntry) = kNil;
        // (kInfo keeps the code: activations of the Expr may be running it.)
        Slot(expr, expr::kCalls) = 0;
      }
      return 0;
    }
  }
  record->validated_epoch = vm->global_epoch;
  return 1;
}

void RequestOptimizedCode(GuardRecord* record) {
  record->hot_countdown = INT64_MAX;  // asked once
  if (record->stale != 0 || record->optimize != 0) return;
  record->optimize = 1;
  // As when guards fail: compiled callers find no entry and call through the runtime, whose
  // tier-up hook compiles the Expr again at its next call (kInfo keeps the old code alive for
  // the activations running it).
  Oop expr = record->expr;
  Slot(expr, expr::kEntry) = kNil;
  Slot(expr, expr::kDirectEntry) = kNil;
  Slot(expr, expr::kCalls) = 0;
}

void AddCallLine(Vm* vm, Oop form) { vm->AddCallLine(form); }

Oop AllocatePair(Vm* vm, Oop head, Oop tail) {
  Oop p = NewPair(head, tail);
  return p == kNil ? vm->OutOfMemory() : p;
}

Oop DefineGlobal(Vm* vm, Oop var, Oop value) {
  AssignGlobal(*vm, var, value);
  NameValue(value, Slot(var, variable::kName));
  return value;
}

void NameValueIfUnnamed(Oop value, Oop name) { NameValue(value, name); }

Oop MakeRestList(Vm* vm, const Oop* args, int64_t n) {
  Oop list = kNil;
  for (int64_t i = n - 1; i >= 0; --i) {
    list = NewPair(args[i], list);
    if (list == kNil) return vm->OutOfMemory();
  }
  return list;
}

Oop ArityMismatch(Vm* vm, Oop self, const Oop* args, int64_t argc, int64_t nparams) {
  Oop list = MakeRestList(vm, args, argc);
  if (list == kErrorOop) return list;
  return vm->Error(std::string(argc < nparams ? "too few" : "too many") + " arguments applying " +
                   DumpForMessage(*vm, self) + " to " + DumpForMessage(*vm, list));
}

Oop StackOverflow(Vm* vm) { return vm->StackOverflow(); }

Oop TakeInterrupt(Vm* vm) { return vm->TakeInterrupt(); }

}  // namespace maru::jit
