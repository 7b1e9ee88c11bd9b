// Guard sharing: the guards of one stretch of code without calls are answered by one check.
//
// Every call to a global's compile-time value is guarded by a globalis (late binding: the global
// may have been assigned since); when the guard fails, the interpreter evaluates the whole form in
// the compiled activation, which is exact whatever the globals hold. Globals change only where
// Maru code runs (MayRunCode) or where this function assigns one, so between two such points
// every guard answers as it would at the first of them. A guardshold asks once whether all the
// function's guards pass (the Vm's global epoch is unchanged since the function's guard record
// last found them passing; else the record is revalidated), and each guard becomes a branch on
// that answer:
//
//   v = globalis V, X              g = guardshold
//   branch v, fast, interpret  =>  branch g, fast, interpret      ((V, X) joins shared_guards)
//
// A "no" only means that some guard of the function fails: every site then interprets its form,
// which is slower but exact. The pass puts a guardshold before every guard, then removes each one
// that an earlier guardshold answers (one that reaches it along every path with no code-running
// instruction or global assignment in between: a forward dataflow where different answers meet
// as "none"), and folds a branch on an answer already known along a chain of sole predecessors.
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

namespace {

// Ends what a guardshold knows: Maru code may run, or this function assigns a global.
bool EndsKnowledge(const ir::Instr& in) {
  return ir::MayRunCode(in) || in.op == ir::Opcode::kStoreGlobal || in.op == ir::Opcode::kDefine;
}

constexpr ir::ValueId kUnknown = -2;  // not reached yet (the optimistic start of the dataflow)
constexpr ir::ValueId kNone = -1;     // no guardshold answers here

// What a block does to the answer known on entry, from one scan of its instructions (the
// dataflow below then never looks at instructions again).
struct BlockEffect {
  bool ends = false;              // something in it ends what is known
  bool repeats = false;           // a guardshold follows another with nothing ending between
  ir::ValueId first = kNone;      // its first guardshold before anything ends knowledge
  ir::ValueId after_end = kNone;  // its first guardshold after the last end of knowledge

  ir::ValueId Transfer(ir::ValueId state) const {
    if (ends) return after_end;
    return state != kNone ? state : first;  // (a later guardshold is redundant)
  }
};

// Which guardshold answers at the entry of each block (kNone where none does), in *in_state.
void AnswersAtEntry(const ir::Function& f, const ir::PredecessorLists& predecessors,
                    const std::vector<BlockEffect>& effects,
                    std::vector<ir::ValueId>* in_state_out) {
  const size_t n = f.blocks.size();
  // (Per-thread scratch: the pass runs a few times per compile.)
  thread_local std::vector<ir::ValueId> out_state;
  std::vector<ir::ValueId>& in_state = *in_state_out;
  in_state.assign(n, kUnknown);
  out_state.assign(n, kUnknown);
  const std::vector<ir::BlockId> order = ir::ReversePostOrder(f);  // (unreached blocks: none)
  for (bool moved = true; moved;) {
    moved = false;
    for (ir::BlockId b : order) {
      ir::ValueId state = b == 0 ? kNone : kUnknown;  // block 0 is entered from the prologue
      for (ir::BlockId p : predecessors[b]) {
        ir::ValueId s = out_state[p];
        if (s == kUnknown) continue;
        state = state == kUnknown || state == s ? s : kNone;
      }
      if (state == kUnknown) continue;  // not reached (yet)
      ir::ValueId out = effects[b].Transfer(state);
      if (state != in_state[b] || out != out_state[b]) {
        in_state[b] = state;
        out_state[b] = out;
        moved = true;
      }
    }
  }
  for (ir::ValueId& s : in_state) {
    if (s == kUnknown) s = kNone;
  }
}

}  // namespace

bool ShareGuards(ir::Function& f) {
  std::vector<int> uses;  // (counted at the first candidate: later runs usually find none)
  // 1. Every guard that only feeds the branch ending its block asks a guardshold instead.
  bool changed = false;
  for (ir::Block& b : f.blocks) {
    if (b.instrs.size() < 2) continue;
    ir::Instr& guard = b.instrs[b.instrs.size() - 2];
    ir::Instr& branch = b.instrs.back();
    if (guard.op != ir::Opcode::kGlobalIs || branch.op != ir::Opcode::kBranch ||
        branch.args[0] != guard.result) {
      continue;
    }
    if (uses.empty()) uses = ir::UseCounts(f);
    if (uses[guard.result] != 1) continue;
    f.shared_guards.emplace_back(guard.imm, guard.imm2);
    guard = ir::Instr();
    guard.op = ir::Opcode::kGuardsHold;
    guard.result = f.value_count++;
    branch.args[0] = guard.result;
    changed = true;
  }
  // What each block does to the answer (guardsholds from an earlier run may have become
  // redundant since: unreachable code removed).
  const size_t n = f.blocks.size();
  // (Per-thread scratch: the pass runs a few times per compile.)
  thread_local std::vector<BlockEffect> effects;
  thread_local std::vector<uint8_t> is_answer;
  thread_local std::vector<ir::ValueId> in_state;
  effects.assign(n, BlockEffect{});
  is_answer.assign(f.value_count, 0);
  bool any_answer = false;
  for (size_t b = 0; b < n; ++b) {
    BlockEffect& e = effects[b];
    bool known = false;  // (within the block)
    for (const ir::Instr& in : f.blocks[b].instrs) {
      if (in.op == ir::Opcode::kGuardsHold) {
        any_answer = true;
        is_answer[in.result] = 1;
        e.repeats |= known;
        known = true;
        if (!e.ends && e.first == kNone) e.first = in.result;
        if (e.ends && e.after_end == kNone) e.after_end = in.result;
      } else if (EndsKnowledge(in)) {
        known = false;
        e.ends = true;
        e.after_end = kNone;
      }
    }
  }
  if (!any_answer) return changed;

  // 2. Redundant guardsholds go; their uses read the answer that reaches them. Only blocks
  // entered with an answer that have a guardshold before anything ends it, or with a guardshold
  // after another, have one.
  // (Step 2 changes no terminator: the lists serve step 3 too.)
  const ir::PredecessorLists predecessors(f);
  AnswersAtEntry(f, predecessors, effects, &in_state);
  std::vector<ir::ValueId> replacement;
  for (size_t b = 0; b < n; ++b) {
    ir::ValueId state = in_state[b];
    if (!effects[b].repeats && (state == kNone || effects[b].first == kNone)) continue;
    std::vector<ir::Instr>& instrs = f.blocks[b].instrs;  // compacted in place
    size_t kept = 0;
    for (size_t r = 0; r < instrs.size(); ++r) {
      ir::Instr& in = instrs[r];
      if (in.op == ir::Opcode::kGuardsHold) {
        if (state != kNone) {
          if (replacement.empty()) replacement.assign(f.value_count, kNone);
          replacement[in.result] = state;
          continue;
        }
        state = in.result;
      } else if (EndsKnowledge(in)) {
        state = kNone;
      }
      if (kept != r) instrs[kept] = std::move(in);
      ++kept;
    }
    instrs.resize(kept);
  }
  if (!replacement.empty()) {
    changed = true;
    for (ir::Block& b : f.blocks) {
      for (ir::Instr& in : b.instrs) {
        for (ir::ValueId& v : in.args) {
          if (replacement[v] != kNone) v = replacement[v];
        }
      }
    }
  }

  // 3. A branch on an answer already known (the block is entered only from one edge of a branch
  // on it, directly or through sole predecessors) becomes a jump.
  for (size_t b = 0; b < n; ++b) {
    ir::Instr& t = f.blocks[b].instrs.back();
    if (t.op != ir::Opcode::kBranch || !is_answer[t.args[0]]) continue;
    // Walk up the chain of sole predecessors looking for a branch on the same answer.
    ir::BlockId child = static_cast<ir::BlockId>(b);
    for (size_t steps = 0; steps < f.blocks.size(); ++steps) {
      if (predecessors[child].size() != 1) break;
      ir::BlockId parent = predecessors[child][0];
      const ir::Instr& pt = f.blocks[parent].instrs.back();
      if (pt.op == ir::Opcode::kBranch && pt.args[0] == t.args[0] &&
          pt.targets[0] != pt.targets[1]) {
        ir::BlockId target = pt.targets[0] == child ? t.targets[0] : t.targets[1];
        t = ir::Instr();
        t.op = ir::Opcode::kJump;
        t.targets[0] = target;
        changed = true;
        break;
      }
      if (parent == child || parent == 0) break;
      child = parent;
    }
  }
  return changed;
}

// Sharing guards folds branches on known answers, which leaves code unreachable (the fallbacks
// of inlined callees' guards, say), and removing that code can make more guardsholds redundant:
// the two alternate until no code goes.
bool ShareGuardsUntilStable(ir::Function& f) {
  bool changed = false;
  for (int round = 0; round < 8; ++round) {
    if (!ShareGuards(f)) break;
    changed = true;
    if (!RemoveUnreachableBlocks(f)) break;
  }
  return changed;
}

}  // namespace maru::jit
