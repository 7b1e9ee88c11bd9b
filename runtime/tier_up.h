// The one interface between the runtime and a compiler (tier 1). The runtime never includes a
// JIT header: it counts calls, asks the hook to compile hot functions, and calls compiled code
// through the entry stored in the Expr.
#ifndef MARU_RUNTIME_TIER_UP_H_
#define MARU_RUNTIME_TIER_UP_H_

#include <cstdint>

#include "runtime/object.h"

namespace maru {

class Vm;

// Machine code of a compiled function. `args` holds `argc` evaluated arguments; the code checks
// its arity itself. Returns a value, or kErrorOop with an error pending in `vm`.
using CompiledEntry = Oop (*)(Vm* vm, Oop self, const Oop* args, int64_t argc);

class TierUp {
 public:
  virtual ~TierUp() = default;
  // Called when `expr` (an Expr) has been called `threshold()` times, before the call. Returns
  // true when the Expr's entry (expr::kEntry) now holds compiled code; false when the function
  // stays interpreted (the hook records why and is not asked again for it).
  virtual bool Compile(Vm& vm, Oop expr) = 0;
  // Calls before compilation; 0 compiles before the first call.
  virtual int64_t threshold() const = 0;
  // Called at the first call of an Expr that has no code (before counting it): closures made
  // from one lambda are new Exprs each time, often called once each, so the hook counts first
  // calls per lambda and may install code compiled for (or now compiled from) the lambda.
  // Returns true when the Expr's entry now holds compiled code.
  virtual bool FirstCall(Vm& vm, Oop expr) { return false; }
};

// Values of an Expr's native words (object.h: expr::kInfo, kEntry, kCalls).
inline constexpr Oop kExprNotCompilable = 1;  // kInfo: the hook declined; never ask again

}  // namespace maru

#endif  // MARU_RUNTIME_TIER_UP_H_
