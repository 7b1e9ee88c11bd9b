#include "runtime/hot_loops.h"

#include <algorithm>
#include <vector>

#include "runtime/env.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/tier_up.h"
#include "runtime/vm.h"

namespace maru {

int64_t LoopIterationsBeforeCompiling(const Vm& vm) {
  // Four times the calls before a function is compiled (64 by default, near LuaJIT's 56 for hot
  // loops): a compile costs tens of microseconds, which a short loop would not win back.
  return vm.tier_up == nullptr ? 0 : std::max<int64_t>(1, 4 * vm.tier_up->threshold());
}

namespace {

// Whether the encoded form may make a closure: a lambda anywhere in it (or a tree too big to
// look through). A closure made in the loop's own activation, one level in, would capture that
// instead of the activation the lambda was encoded for.
bool MayMakeClosure(const Vm& vm, Oop form) {
  constexpr int kMaxPairs = 20000;
  int pairs = 0;
  std::vector<Oop> work = {form};
  while (!work.empty()) {
    Oop x = work.back();
    work.pop_back();
    while (IsPair(x)) {
      if (++pairs > kMaxPairs) return true;
      Oop head = Slot(x, pair::kHead);
      if (vm.IsCoreFixed(head, kLambda)) return true;
      if (IsPair(head)) work.push_back(head);
      x = Slot(x, pair::kTail);
    }
  }
  return false;
}

}  // namespace

bool ContinueLoopCompiled(Vm& vm, Oop operands, Frame* frame, Oop* result) {
  if (vm.tier_up == nullptr || frame == nullptr || !IsEnv(frame->env)) return false;
  if (MayMakeClosure(vm, operands)) return false;
  // The loop as the body of a lambda one level in: its variables are the activation's, now in
  // a Context the lambda's home.
  Oop env = NewEnv(frame->env, frame->level + 1, 0);
  if (env == kNil) return false;
  Oop loop = NewPair(vm.special_form(kWhile), operands);
  Oop body = loop == kNil ? kNil : NewPair(loop, kNil);
  Oop params_and_body = body == kNil ? kNil : NewPair(kNil, body);
  Oop defn = params_and_body == kNil ? kNil : NewPair(env, params_and_body);
  if (defn == kNil || !Materialize(vm, frame)) return false;
  // (Named after the function the loop is in, for dumps and profiles.)
  Oop name = Is(frame->self, kExprType) ? Slot(frame->self, expr::kName) : kNil;
  Oop lambda = NewExpr(name, defn, frame->context);
  if (lambda == kNil || !vm.tier_up->Compile(vm, lambda)) return false;
  vm.loops_compiled.fetch_add(1, std::memory_order_relaxed);
  *result = Apply(vm, lambda, nullptr, 0, frame);
  return true;
}

}  // namespace maru
