// Functions of the runtime that compiled code calls: the slow paths of calls and primitives, and
// everything the backend leaves to the interpreter. Each returns kErrorOop when an error is
// pending, exactly like the interpreter, and never throws.
#ifndef MARU_JIT_RUNTIME_CALLS_H_
#define MARU_JIT_RUNTIME_CALLS_H_

#include <cstddef>
#include <cstdint>

#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru::jit {

// Applies f to evaluated arguments; `form` is the call, shown in backtraces.
Oop CallFunction(Vm* vm, Oop f, const Oop* args, int64_t argc, Frame* frame, Oop form);
// The general case of an inlined primitive: applies the current value of its global.
Oop CallGlobal(Vm* vm, Oop var, const Oop* args, int64_t argc, Frame* frame, Oop form);
// Applies a Fixed to the encoded, unevaluated operands of `form` in the compiled activation.
Oop ApplyFixed(Vm* vm, Oop fixed, Oop form, Frame* frame);
// Evaluates an encoded form with the interpreter in the compiled activation.
Oop EvalForm(Vm* vm, Oop form, Frame* frame);
Oop EvalHookedAtom(Vm* vm, Oop atom);
// What one `lambda` site of compiled code knows about the compiled code of its closures (they
// share their definition, hence their code): once one of them has been compiled (or declined),
// each new closure made there gets that code at once, without asking the JIT. Collector memory.
struct ClosureSite {
  Oop info;   // the compiled code record (Expr kInfo) for every closure made here; nil: unknown
  Oop entry;  // its entry (Expr kEntry)
  Oop direct_entry;  // and its direct entry (Expr kDirectEntry)
  Oop last;          // the latest closure made while info is unknown (watched for its compilation)
};
// `lambda`: a new closure over the activation (its locals move to a heap Context first). `site`
// may be null.
Oop MakeClosure(Vm* vm, Oop operands, Frame* frame, ClosureSite* site);
Oop LoadOuterVariable(Oop var, Frame* frame);
Oop StoreOuterVariable(Vm* vm, Oop var, Oop value, Frame* frame);
Oop DefineGlobal(Vm* vm, Oop var, Oop value);
// (cons head tail) of the core primitive: the new pair, or the out-of-memory error.
Oop AllocatePair(Vm* vm, Oop head, Oop tail);
void NameValueIfUnnamed(Oop value, Oop name);
// The rest parameter's list of args[0..n).
Oop MakeRestList(Vm* vm, const Oop* args, int64_t n);
// Reports a call with the wrong number of arguments (`nparams` fixed parameters).
Oop ArityMismatch(Vm* vm, Oop self, const Oop* args, int64_t argc, int64_t nparams);
Oop StackOverflow(Vm* vm);
// An error unwinds out of a call compiled code made directly (no ActiveForm recorded it): the
// call's line for the backtrace (Vm::AddCallLine).
void AddCallLine(Vm* vm, Oop form);
Oop TakeInterrupt(Vm* vm);

// What a compiled function assumes about globals: each guarded Variable still holds the value it
// held when the function was compiled (ir kGuardsHold). Lives in collector memory, referenced by
// the function's compiled code record; the pairs keep those objects alive.
struct GuardRecord {
  uint64_t validated_epoch;  // the Vm's global_epoch when every pair was last seen to hold
  int64_t count;             // pairs
  Oop* pairs;                // Variable, value, Variable, value, ...
  // The Expr compiled. When a pair no longer holds, its code is taken from it (once: `stale`),
  // so that its next call compiles it again against the globals' new values, while
  // `recompiles_left` allows (the JIT then drops the stale code for that lambda); activations
  // already running keep the old code, whose guarded forms the interpreter runs.
  Oop expr;
  int64_t recompiles_left;
  int64_t stale;
  // Tier 1 code (ir::Function::counts_calls) counts its calls down here; at zero it asks for
  // code with inlining (`optimize`: the JIT compiles the Expr again at its next call).
  int64_t hot_countdown;
  int64_t optimize;
};
static_assert(offsetof(GuardRecord, validated_epoch) == 0);
// The slow path of kGuardsHold (the epoch moved): 1 when every pair still holds (the current
// epoch is then recorded), else 0 (and the Expr loses its code, see GuardRecord). Runs no Maru
// code and allocates nothing; compiled code preserves every register around it.
int64_t RevalidateGuards(VmHotFields* vm, GuardRecord* record);
// Called by tier 1 code at the entry whose call brought hot_countdown to zero: takes the Expr's
// entries (its next call compiles it again, with inlining: GuardRecord::optimize), once. The
// running call goes on in the old code. Runs no Maru code and allocates nothing.
void RequestOptimizedCode(GuardRecord* record);

}  // namespace maru::jit

#endif  // MARU_JIT_RUNTIME_CALLS_H_
