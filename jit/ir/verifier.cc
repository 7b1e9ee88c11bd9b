#include "jit/ir/verifier.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace maru::jit::ir {

namespace {

// Immediate dominators by the iterative algorithm of Cooper, Harvey and Kennedy over a reverse
// post-order; unreachable blocks get -1.
std::vector<BlockId> Dominators(const Function& f, std::vector<int>* rpo_index) {
  size_t n = f.blocks.size();
  const PredecessorLists preds(f);
  const std::vector<BlockId> rpo = ReversePostOrder(f);
  rpo_index->assign(n, -1);
  for (size_t i = 0; i < rpo.size(); ++i) (*rpo_index)[rpo[i]] = static_cast<int>(i);
  std::vector<BlockId> idom(n, -1);
  idom[0] = 0;
  auto intersect = [&](BlockId a, BlockId b) {
    while (a != b) {
      while ((*rpo_index)[a] > (*rpo_index)[b]) a = idom[a];
      while ((*rpo_index)[b] > (*rpo_index)[a]) b = idom[b];
    }
    return a;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 1; i < rpo.size(); ++i) {
      BlockId b = rpo[i];
      BlockId new_idom = -1;
      for (BlockId p : preds[b]) {
        if (idom[p] < 0) continue;
        new_idom = new_idom < 0 ? p : intersect(p, new_idom);
      }
      if (new_idom != idom[b]) {
        idom[b] = new_idom;
        changed = true;
      }
    }
  }
  return idom;
}

bool Dominates(const std::vector<BlockId>& idom, BlockId a, BlockId b) {
  for (;;) {
    if (a == b) return true;
    if (b == 0 || idom[b] < 0) return false;
    b = idom[b];
  }
}

}  // namespace

std::string Verify(const Function& f) {
  if (f.blocks.empty()) return "no blocks";
  if (!f.blocks[0].params.empty()) return "the entry block has parameters";
  size_t n = f.blocks.size();
  int64_t slot_limit = f.nslots + f.inline_slots;
  for (size_t k = 0; k < f.inline_frames.size(); ++k) {
    const InlineFrame& frame = f.inline_frames[k];
    if (frame.parent < 0 || frame.parent > static_cast<int32_t>(k)) {
      return absl::StrCat("inline @", k + 1, ": bad parent @", frame.parent);
    }
    if (frame.slot_base < f.nslots || frame.nslots < 0 ||
        frame.slot_base + frame.nslots > slot_limit) {
      return absl::StrCat("inline @", k + 1, ": slots outside the inline slots");
    }
  }
  // Where each value is defined: block and position (-1 for a block parameter).
  std::vector<std::pair<BlockId, int>> def(f.value_count, {-1, 0});
  for (size_t b = 0; b < n; ++b) {
    const Block& block = f.blocks[b];
    if (block.instrs.empty()) return absl::StrCat("b", b, " is empty");
    for (size_t i = 0; i < block.instrs.size(); ++i) {
      bool last = i + 1 == block.instrs.size();
      const Instr& in = block.instrs[i];
      if (in.frame < 0 || in.frame > static_cast<int32_t>(f.inline_frames.size())) {
        return absl::StrCat("b", b, ": bad frame @", in.frame);
      }
      if ((in.op == Opcode::kLoadSlot || in.op == Opcode::kStoreSlot) &&
          (in.aux < 0 || in.aux >= slot_limit ||
           (in.aux >= f.nslots && InlineFrameOfSlot(f, in.aux) == 0))) {
        return absl::StrCat("b", b, ": slot s", in.aux, " outside the activation");
      }
      if (in.op == Opcode::kParam) {
        if (b != 0 || (i > 0 && block.instrs[i - 1].op != Opcode::kParam)) {
          return absl::StrCat("b", b, ": param after the start of the entry block");
        }
        if (in.aux < 0 || in.aux >= static_cast<int64_t>(f.param_slots.size())) {
          return absl::StrCat("b", b, ": param #", in.aux, " of ", f.param_slots.size());
        }
      }
      if (in.op == Opcode::kEnterInline && in.frame == 0) {
        return absl::StrCat("b", b, ": enterinline outside an inline frame");
      }
      if (IsTerminator(in.op) != last) {
        return absl::StrCat("b", b, ": ", last ? "does not end with a terminator"
                                               : "terminator before the end");
      }
      for (BlockId t : in.targets) {
        if (t >= static_cast<BlockId>(n)) return absl::StrCat("b", b, ": bad target b", t);
      }
      if (in.op == Opcode::kJump) {
        if (in.targets[0] < 0) return absl::StrCat("b", b, ": jump without target");
        if (in.args.size() != f.blocks[in.targets[0]].params.size()) {
          return absl::StrCat("b", b, ": jump to b", in.targets[0], " passes ", in.args.size(),
                              " arguments for ", f.blocks[in.targets[0]].params.size(),
                              " parameters");
        }
      }
      if (in.op == Opcode::kBranch) {
        if (in.targets[0] < 0 || in.targets[1] < 0) return absl::StrCat("b", b, ": bad branch");
        if (!f.blocks[in.targets[0]].params.empty() || !f.blocks[in.targets[1]].params.empty()) {
          return absl::StrCat("b", b, ": branch to a block with parameters");
        }
      }
      if (in.result != kNoValue) {
        if (in.result < 0 || in.result >= f.value_count) return absl::StrCat("bad value v", in.result);
        if (def[in.result].first >= 0) return absl::StrCat("v", in.result, " defined twice");
        def[in.result] = {static_cast<BlockId>(b), static_cast<int>(i)};
      }
    }
    for (ValueId p : block.params) {
      if (p < 0 || p >= f.value_count) return absl::StrCat("bad parameter v", p);
      if (def[p].first >= 0) return absl::StrCat("v", p, " defined twice");
      def[p] = {static_cast<BlockId>(b), -1};
    }
  }
  std::vector<int> rpo_index;
  std::vector<BlockId> idom = Dominators(f, &rpo_index);
  for (size_t b = 0; b < n; ++b) {
    if (rpo_index[b] < 0) continue;  // unreachable code is not checked
    const Block& block = f.blocks[b];
    for (size_t i = 0; i < block.instrs.size(); ++i) {
      for (ValueId v : block.instrs[i].args) {
        if (v < 0 || v >= f.value_count || def[v].first < 0) {
          return absl::StrCat("b", b, ": use of undefined v", v);
        }
        auto [db, di] = def[v];
        bool ok = db == static_cast<BlockId>(b) ? di < static_cast<int>(i)
                                                : Dominates(idom, db, static_cast<BlockId>(b));
        if (!ok) return absl::StrCat("b", b, ": use of v", v, " not dominated by its definition");
      }
    }
  }
  return "";
}

}  // namespace maru::jit::ir
