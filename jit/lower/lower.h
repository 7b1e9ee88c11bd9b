// Lowering of an encoded Maru function (an Expr's defn, spec §5.3) to the JIT's IR.
#ifndef MARU_JIT_LOWER_LOWER_H_
#define MARU_JIT_LOWER_LOWER_H_

#include <string>

#include "jit/ir/ir.h"
#include "runtime/vm.h"

namespace maru::jit {

// Lowers the body of `expr` into `out`. Returns "" on success, else why the function cannot be
// compiled (it then stays interpreted). Forms that have no native lowering (user special forms,
// dotted calls, hooked atoms) become instructions that run them with the interpreter inside the
// compiled activation; `out->interpreted_forms` counts them.
std::string LowerExpr(Vm& vm, Oop expr, ir::Function* out);

// True when `expr` may be inlined as far as its forms go (jit/passes/inline_calls.cc): nothing in
// its body creates a closure over its activation or grows it (no lambda, define or user special
// form, no global holding a special form), so the interpreter can run any of its forms in a
// Frame over slots its caller owns. Bodies larger than a few hundred nodes are refused.
bool InlineableBody(Vm& vm, Oop expr);

}  // namespace maru::jit

#endif  // MARU_JIT_LOWER_LOWER_H_
