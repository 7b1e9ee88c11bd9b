// Entry guard: a function whose code relies on globals (it has globalis guards) checks them all
// once on entry, and when they do not hold, the interpreter runs its whole body in the compiled
// activation, which is exact whatever the globals hold (nothing has happened yet).
//
//   b0: (params)       b0:  (params)
//       ...                 g = guardshold
//                           branch g, bN, bF
//                      bN:  ... (the old entry)
//                      bF:  v1 = evalform <form 1> ... vn = evalform <form n>   (cold)
//                           return vn
//
// On the path where the answer is yes, every guard before the first instruction that may run
// code is answered already (ShareGuards folds them), so their fallbacks, and the joins after
// them that made later guards and values unknown, go.
#include <iterator>
#include <vector>

#include "jit/passes/passes.h"
#include "runtime/object.h"

namespace maru::jit {

bool GuardEntry(ir::Function& f) {
  if (!IsPair(f.body) || f.blocks.empty()) return false;
  // The entry's params stay where they must be, at its start.
  std::vector<ir::Instr>& first = f.blocks[0].instrs;
  size_t nparams = 0;
  while (first[nparams].op == ir::Opcode::kParam) ++nparams;
  if (first[nparams].op == ir::Opcode::kGuardsHold) return false;  // guarded already
  bool guarded = false;
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) guarded |= in.op == ir::Opcode::kGlobalIs;
    for (ir::BlockId t : b.instrs.back().targets) {
      if (t == 0) return false;  // the entry is entered from the prologue only
    }
  }
  if (!guarded) return false;
  const ir::BlockId moved = static_cast<ir::BlockId>(f.blocks.size());
  const ir::BlockId fallback = moved + 1;
  ir::Block entry;
  entry.instrs.assign(
      std::make_move_iterator(first.begin()),
      std::make_move_iterator(first.begin() + static_cast<std::ptrdiff_t>(nparams)));
  first.erase(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(nparams));
  f.blocks.push_back(std::move(f.blocks[0]));
  ir::Block interpret;
  interpret.cold = true;
  ir::ValueId last = ir::kNoValue;
  for (Oop forms = f.body; IsPair(forms); forms = Slot(forms, pair::kTail)) {
    Oop form = Slot(forms, pair::kHead);
    last = f.value_count++;
    interpret.instrs.push_back(
        {.op = ir::Opcode::kEvalForm, .result = last, .imm = form, .form = form});
  }
  interpret.instrs.push_back({.op = ir::Opcode::kReturn, .args = {last}});
  f.blocks.push_back(std::move(interpret));
  ir::ValueId answer = f.value_count++;
  entry.instrs.push_back({.op = ir::Opcode::kGuardsHold, .result = answer});
  entry.instrs.push_back(
      {.op = ir::Opcode::kBranch, .args = {answer}, .targets = {moved, fallback}});
  f.blocks[0] = std::move(entry);
  return true;
}

}  // namespace maru::jit
