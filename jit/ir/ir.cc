#include "jit/ir/ir.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>

namespace maru::jit::ir {

const char* OpcodeName(Opcode op) {
  switch (op) {
    case Opcode::kConst: return "const";
    case Opcode::kLoadSlot: return "loadslot";
    case Opcode::kStoreSlot: return "storeslot";
    case Opcode::kLoadGlobal: return "loadglobal";
    case Opcode::kStoreGlobal: return "storeglobal";
    case Opcode::kLoadVar: return "loadvar";
    case Opcode::kStoreVar: return "storevar";
    case Opcode::kDefine: return "define";
    case Opcode::kNameValue: return "namevalue";
    case Opcode::kGlobalIs: return "globalis";
    case Opcode::kGuardsHold: return "guardshold";
    case Opcode::kIsFixed: return "isfixed";
    case Opcode::kCall: return "call";
    case Opcode::kPrimitive: return "prim";
    case Opcode::kClosure: return "closure";
    case Opcode::kApplyFixed: return "applyfixed";
    case Opcode::kEvalForm: return "evalform";
    case Opcode::kEvalAtom: return "evalatom";
    case Opcode::kPollInterrupt: return "pollinterrupt";
    case Opcode::kEnterInline: return "enterinline";
    case Opcode::kParam: return "param";
    case Opcode::kJump: return "jump";
    case Opcode::kBranch: return "branch";
    case Opcode::kReturn: return "return";
  }
  return "?";
}

const char* PrimitiveOpName(PrimitiveOp op) {
  static const char* const kNames[] = {
      "+",  "-",  "*",  "<",        "<=",           ">",         ">=",     "=", "!=", "car", "cdr",
      "not", "pair?", "&", "|", "^", "~", "<<", ">>", "array-at", "set-array-at", "string-at",
      "type-of", "cons"};
  static_assert(std::size(kNames) == static_cast<size_t>(PrimitiveOp::kCount));
  return kNames[static_cast<int>(op)];
}

bool IsTerminator(Opcode op) {
  return op == Opcode::kJump || op == Opcode::kBranch || op == Opcode::kReturn;
}

bool HasResult(Opcode op) {
  switch (op) {
    case Opcode::kStoreGlobal:
    case Opcode::kStoreVar:
    case Opcode::kNameValue:
    case Opcode::kPollInterrupt:
    case Opcode::kEnterInline:
    case Opcode::kJump:
    case Opcode::kBranch:
    case Opcode::kReturn:
      return false;
    default:
      return true;
  }
}

bool MayFail(Opcode op) {
  switch (op) {
    case Opcode::kLoadVar:
    case Opcode::kStoreVar:
    case Opcode::kCall:
    case Opcode::kPrimitive:
    case Opcode::kClosure:
    case Opcode::kApplyFixed:
    case Opcode::kEvalForm:
    case Opcode::kEvalAtom:
    case Opcode::kPollInterrupt:
      return true;
    default:
      return false;
  }
}

bool IsCallPoint(const Instr& in) {
  switch (in.op) {
    case Opcode::kLoadVar:
    case Opcode::kStoreVar:
    case Opcode::kDefine:
    case Opcode::kNameValue:
    case Opcode::kCall:
    case Opcode::kPrimitive:
    case Opcode::kClosure:
    case Opcode::kApplyFixed:
    case Opcode::kEvalForm:
    case Opcode::kEvalAtom:
    case Opcode::kPollInterrupt:
      return true;
    default:
      return false;
  }
}

bool MayRunCode(const Instr& in) {
  switch (in.op) {
    case Opcode::kCall:
    case Opcode::kApplyFixed:
    case Opcode::kEvalForm:
    case Opcode::kEvalAtom:
      return true;
    default:
      return false;
  }
}

int32_t InlineFrameOfSlot(const Function& f, int64_t slot) {
  for (size_t k = 0; k < f.inline_frames.size(); ++k) {
    const InlineFrame& frame = f.inline_frames[k];
    if (slot >= frame.slot_base && slot < frame.slot_base + frame.nslots) {
      return static_cast<int32_t>(k + 1);
    }
  }
  return 0;
}

std::vector<int> UseCounts(const Function& f) {
  std::vector<int> uses(f.value_count, 0);
  for (const Block& b : f.blocks) {
    for (const Instr& in : b.instrs) {
      for (ValueId v : in.args) ++uses[v];
    }
  }
  return uses;
}

std::vector<BlockId> ReversePostOrder(const Function& f) {
  const size_t n = f.blocks.size();
  std::vector<BlockId> order;
  if (n == 0) return order;
  // The search's scratch is kept per thread: passes ask for the order often, and allocations
  // were most of its cost.
  thread_local std::vector<uint8_t> seen;
  thread_local std::vector<std::pair<BlockId, int>> stack;
  seen.assign(n, 0);
  stack.clear();
  stack.push_back({0, 0});
  seen[0] = 1;
  // Post-order filled from the back is the reverse post-order (unreached blocks leave room at
  // the front).
  order.resize(n);
  size_t next = n;
  while (!stack.empty()) {
    BlockId b = stack.back().first;
    int i = stack.back().second;
    if (i < 2) {
      stack.back().second = i + 1;
      BlockId s = f.blocks[b].instrs.back().targets[i];
      if (s >= 0 && !seen[s]) {
        seen[s] = 1;
        stack.push_back({s, 0});
      }
      continue;
    }
    order[--next] = b;
    stack.pop_back();
  }
  if (next > 0) order.erase(order.begin(), order.begin() + static_cast<ptrdiff_t>(next));
  return order;
}

PredecessorLists::PredecessorLists(const Function& f) : start_(f.blocks.size() + 1, 0) {
  const size_t n = f.blocks.size();
  // Counts, then where each block's list ends; filling each list from its end (blocks in
  // decreasing order) leaves start_[b] at its beginning, and each list in increasing order.
  for (size_t b = 0; b < n; ++b) {
    for (BlockId s : f.blocks[b].instrs.back().targets) {
      if (s >= 0) ++start_[s];
    }
  }
  for (size_t b = 1; b <= n; ++b) start_[b] += start_[b - 1];
  list_.resize(start_[n]);
  for (size_t b = n; b-- > 0;) {
    const BlockId* targets = f.blocks[b].instrs.back().targets;
    for (int i = 1; i >= 0; --i) {
      if (targets[i] >= 0) list_[--start_[targets[i]]] = static_cast<BlockId>(b);
    }
  }
}

BlockId Builder::NewBlock(int nparams, bool cold) {
  Block block;
  block.cold = cold;
  block.instrs.reserve(4);  // (most blocks are this small: one allocation, not three)
  for (int i = 0; i < nparams; ++i) block.params.push_back(f_->value_count++);
  f_->blocks.push_back(std::move(block));
  return static_cast<BlockId>(f_->blocks.size() - 1);
}

bool Builder::Terminated() const {
  const Block& b = f_->blocks[current_];
  return !b.instrs.empty() && IsTerminator(b.instrs.back().op);
}

ValueId Builder::Const(Oop value) { return Emit(Opcode::kConst, {}, value); }

ValueId Builder::Emit(Opcode op, ValueList args, Oop imm, int64_t aux, Oop imm2) {
  Instr instr;
  instr.op = op;
  instr.args = std::move(args);
  instr.imm = imm;
  instr.imm2 = imm2;
  instr.aux = aux;
  if (HasResult(op)) instr.result = f_->value_count++;
  f_->blocks[current_].instrs.push_back(std::move(instr));
  return f_->blocks[current_].instrs.back().result;
}

void Builder::Jump(BlockId target, ValueList args) {
  Instr instr;
  instr.op = Opcode::kJump;
  instr.args = std::move(args);
  instr.targets[0] = target;
  f_->blocks[current_].instrs.push_back(std::move(instr));
}

void Builder::Branch(ValueId cond, BlockId if_true, BlockId if_false) {
  Instr instr;
  instr.op = Opcode::kBranch;
  instr.args = {cond};
  instr.targets[0] = if_true;
  instr.targets[1] = if_false;
  f_->blocks[current_].instrs.push_back(std::move(instr));
}

void Builder::Return(ValueId value) {
  Instr instr;
  instr.op = Opcode::kReturn;
  instr.args = {value};
  f_->blocks[current_].instrs.push_back(std::move(instr));
}

}  // namespace maru::jit::ir
