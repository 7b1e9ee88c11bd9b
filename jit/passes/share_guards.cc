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
// instruction or global assignment in between), and folds a branch on an answer whose value is
// known where it branches. One forward dataflow finds both: its state is the answer that holds
// and, past a branch on it, whether it is yes or no; the edge a known answer does not take is
// never followed, so code behind it (a guard's interpreted path) neither reaches nor weakens
// anything, and one run leaves nothing for another (once the unreachable blocks are removed).
#include <cstdint>
#include <vector>

#include "jit/passes/passes.h"

namespace maru::jit {

namespace {

// Ends what a guardshold knows: Maru code may run, or this function assigns a global.
bool EndsKnowledge(const ir::Instr& in) {
  return ir::MayRunCode(in) || in.op == ir::Opcode::kStoreGlobal || in.op == ir::Opcode::kDefine;
}

constexpr ir::ValueId kUnreached = -2;  // no path reaches here (yet: the optimistic start)
constexpr ir::ValueId kNone = -1;       // no guardshold answers here

enum Truth : uint8_t { kEither, kYes, kNo };

// What is known at a point: the guardshold whose answer holds, and its value when a branch on it
// decided the path.
struct Known {
  ir::ValueId answer = kUnreached;
  Truth truth = kEither;

  bool operator==(const Known&) const = default;
};

// Where paths meet.
Known Meet(Known a, Known b) {
  if (a.answer == kUnreached) return b;
  if (b.answer == kUnreached) return a;
  if (a.answer != b.answer) return {kNone, kEither};
  return {a.answer, a.truth == b.truth ? a.truth : kEither};
}

// What a block does to what is known on entry, from one scan of its instructions (the dataflow
// below then never looks at instructions again).
struct BlockEffect {
  bool ends = false;              // something in it ends what is known
  bool repeats = false;           // a guardshold follows another with nothing ending between
  ir::ValueId first = kNone;      // its first guardshold before anything ends knowledge
  ir::ValueId after_end = kNone;  // its first guardshold after the last end of knowledge
  // It ends in a branch on the answer that holds at its end (a guardshold of its own after the
  // last end of knowledge; a branch on another value is checked against the answer itself).
  bool branches_on_own_answer = false;

  Known Transfer(Known in) const {
    if (ends) return {after_end, kEither};
    if (in.answer != kNone) return in;  // (a later guardshold is redundant)
    return {first, kEither};
  }
};

// Whether terminator t of a block with effect e branches on the answer `out` known at its end.
bool BranchesOnAnswer(const ir::Instr& t, const BlockEffect& e, Known out) {
  return t.op == ir::Opcode::kBranch && out.answer >= 0 &&
         (e.branches_on_own_answer || t.args[0] == out.answer);
}

// What is known along each edge of b (its targets' order), given what is known at its end.
void EdgeStates(const ir::Instr& t, const BlockEffect& e, Known out, Known edges[2]) {
  edges[0] = edges[1] = out;
  if (!BranchesOnAnswer(t, e, out)) return;
  // Yes takes the first target, no the second; the edge a known answer does not take is not.
  edges[0] = out.truth == kNo ? Known{} : Known{out.answer, kYes};
  edges[1] = out.truth == kYes ? Known{} : Known{out.answer, kNo};
}

// What is known at the entry of each block (answer kUnreached where no path the answers allow
// reaches it).
void KnownAtEntry(const ir::Function& f, const ir::PredecessorLists& predecessors,
                  const std::vector<BlockEffect>& effects, std::vector<Known>* in_state_out) {
  const size_t n = f.blocks.size();
  // (Per-thread scratch: the pass runs on every compile.)
  thread_local std::vector<Known> out_state;
  std::vector<Known>& in_state = *in_state_out;
  in_state.assign(n, Known{});
  out_state.assign(n, Known{});
  const std::vector<ir::BlockId> order = ir::ReversePostOrder(f);  // (unreached blocks: none)
  for (bool moved = true; moved;) {
    moved = false;
    for (ir::BlockId b : order) {
      Known state = b == 0 ? Known{kNone, kEither} : Known{};  // block 0: from the prologue
      for (ir::BlockId p : predecessors[b]) {
        if (out_state[p].answer == kUnreached) continue;
        Known edges[2];
        const ir::Instr& t = f.blocks[p].instrs.back();
        EdgeStates(t, effects[p], out_state[p], edges);
        for (int k = 0; k < 2; ++k) {
          if (t.targets[k] == b) state = Meet(state, edges[k]);
        }
      }
      if (state.answer == kUnreached) continue;  // not reached (yet)
      // (States only move down the lattice, so the iteration ends.)
      if (in_state[b].answer != kUnreached) state = Meet(in_state[b], state);
      const Known out = effects[b].Transfer(state);
      if (state != in_state[b] || out != out_state[b]) {
        in_state[b] = state;
        out_state[b] = out;
        moved = true;
      }
    }
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
  // What each block does to what is known.
  const size_t n = f.blocks.size();
  // (Per-thread scratch: the pass runs on every compile.)
  thread_local std::vector<BlockEffect> effects;
  thread_local std::vector<Known> in_state;
  effects.assign(n, BlockEffect{});
  bool any_answer = false;
  for (size_t b = 0; b < n; ++b) {
    BlockEffect& e = effects[b];
    const std::vector<ir::Instr>& instrs = f.blocks[b].instrs;
    bool known = false;  // (within the block)
    const ir::ValueId condition =
        instrs.back().op == ir::Opcode::kBranch ? instrs.back().args[0] : ir::kNoValue;
    for (const ir::Instr& in : instrs) {
      if (in.op == ir::Opcode::kGuardsHold) {
        any_answer = true;
        e.repeats |= known;
        known = true;
        if (!e.ends && e.first == kNone) e.first = in.result;
        if (e.ends && e.after_end == kNone) e.after_end = in.result;
        if (in.result == condition) e.branches_on_own_answer = true;
      } else if (EndsKnowledge(in)) {
        known = false;
        e.ends = true;
        e.after_end = kNone;
        e.branches_on_own_answer = false;
      }
    }
  }
  if (!any_answer) return changed;
  const ir::PredecessorLists predecessors(f);
  KnownAtEntry(f, predecessors, effects, &in_state);

  // 2. Redundant guardsholds go; their uses read the answer that reaches them. Only blocks
  // entered with an answer that have a guardshold before anything ends it, or with a guardshold
  // after another, have one. (Unreached blocks are left to the removal of unreachable code.)
  std::vector<ir::ValueId> replacement;
  for (size_t b = 0; b < n; ++b) {
    ir::ValueId state = in_state[b].answer;
    if (state == kUnreached) continue;
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

  // 3. A branch on an answer whose value is known where it branches becomes a jump.
  for (size_t b = 0; b < n; ++b) {
    if (in_state[b].answer == kUnreached) continue;
    const Known out = effects[b].Transfer(in_state[b]);
    ir::Instr& t = f.blocks[b].instrs.back();
    if (out.truth == kEither || !BranchesOnAnswer(t, effects[b], out)) continue;
    const ir::BlockId target = t.targets[out.truth == kYes ? 0 : 1];
    t = ir::Instr();
    t.op = ir::Opcode::kJump;
    t.targets[0] = target;
    changed = true;
  }
  return changed;
}

// The dataflow never follows the edges a known answer does not take, so removing the code that
// only they reached makes nothing more redundant: one run, then the removal. (A second run could
// still fold a branch on a guardshold defined in another block, which step 1 never makes.)
bool ShareGuardsUntilStable(ir::Function& f) {
  if (!ShareGuards(f)) return false;
  RemoveUnreachableBlocks(f);
  return true;
}

}  // namespace maru::jit
