// The three phases of evaluation (spec §5): expansion, encoding and evaluation of encoded forms,
// plus application of functions. This is tier 0; compiled code calls back into Apply for anything
// it does not handle itself.
#ifndef MARU_RUNTIME_EVALUATOR_H_
#define MARU_RUNTIME_EVALUATOR_H_

#include "runtime/env.h"
#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru {

// Macro expansion of x in the expansion Env `env` (spec §5.2).
Oop Expand(Vm& vm, Oop x, Oop env);
// Encoding of an expanded form in `env` (spec §5.3).
Oop Encode(Vm& vm, Oop x, Oop env);
// Evaluation of an encoded form in an activation (spec §5.4). Atoms and Variables are handled
// inline; pairs and hooked atoms go out of line.
Oop EvalPair(Vm& vm, Oop x, Frame* frame);
Oop EvalAtom(Vm& vm, Oop x, uint32_t type);
Oop VariableValueSlow(Oop var, const Frame* frame);

inline Oop VariableValue(Oop var, const Frame* frame) {
  Oop env = Slot(var, variable::kEnv);
  // Locals of the running activation are the common case.
  if (frame != nullptr && IsObject(env) && Slot(env, env::kLevel) == MakeFixnum(frame->level) &&
      frame->level != 0) {
    Oop index = Slot(var, variable::kIndex);
    int64_t i = FixnumValue(index);
    if (IsFixnum(index) && static_cast<uint64_t>(i) < static_cast<uint64_t>(frame->nslots)) {
      return frame->slots[i];
    }
  }
  return VariableValueSlow(var, frame);
}

inline Oop Eval(Vm& vm, Oop x, Frame* frame) {
  if (!IsObject(x)) return x;
  uint32_t type = HeaderOf(x)->type;
  if (type == kVariableType) return VariableValue(x, frame);
  if (type == kPairType) return EvalPair(vm, x, frame);
  return EvalAtom(vm, x, type);
}

// Applies f to argc arguments (spec §5.4 `apply`).
Oop Apply(Vm& vm, Oop f, const Oop* args, int argc, Frame* caller);
// Applies f to the elements of a list.
Oop ApplyList(Vm& vm, Oop f, Oop list, Frame* caller);

// Expands, encodes and evaluates one top-level form in a fresh Env (level 1) whose parent is the
// current *globals* (spec §5.1).
Oop EvalTopLevel(Vm& vm, Oop form);
// Expands, encodes and evaluates x directly in `env` (the `eval` primitive with an Env).
Oop EvalInEnv(Vm& vm, Oop x, Oop env);

// Moves an activation's locals from the C stack into a heap Context (needed once a closure
// captures them). Returns false when memory cannot be had.
bool Materialize(Vm& vm, Frame* frame);
// A loop of fn's body went round once more in the interpreter: counted as a call towards
// compiling fn (runtime/tier_up.h).
void CountBackEdge(Vm& vm, Oop fn);

// Writes a Variable (global value cell or local slot) from an activation.
Oop SetVariableValue(Vm& vm, Oop var, Oop value, Frame* frame);

// Gives an unnamed Expr (or a Form's unnamed Expr function) the name `name` (define / set).
void NameValue(Oop value, Oop name);

// Allocation of the built-in applicable objects.
Oop NewExpr(Oop name, Oop defn, Oop ctx);
Oop NewForm(Oop function, Oop symbol_function);
Oop NewFixed(Oop function);

}  // namespace maru

#endif  // MARU_RUNTIME_EVALUATOR_H_
