#include "jit/backend/regalloc.h"

#include <algorithm>

namespace maru::jit {

namespace {

using ir::Opcode;

struct Interval {
  ir::ValueId value;
  int start;
  int end;
  bool crosses_call;
};

// One set of values per block, as rows of a bit matrix in a single allocation (functions have
// at most a few thousand values; the allocator runs for every compile, so it allocates little).
class BlockSets {
 public:
  BlockSets(size_t rows, int nvalues)
      : words_((static_cast<size_t>(nvalues) + 63) / 64), bits_(rows * words_, 0) {}
  uint64_t* Row(size_t r) { return bits_.data() + r * words_; }
  const uint64_t* Row(size_t r) const { return bits_.data() + r * words_; }
  size_t words() const { return words_; }

  static void Add(uint64_t* row, int v) { row[v >> 6] |= uint64_t{1} << (v & 63); }
  static bool Has(const uint64_t* row, int v) { return (row[v >> 6] >> (v & 63)) & 1; }
  // row |= other; true when row changed.
  bool UnionInto(uint64_t* row, const uint64_t* other) const {
    bool changed = false;
    for (size_t i = 0; i < words_; ++i) {
      uint64_t merged = row[i] | other[i];
      changed |= merged != row[i];
      row[i] = merged;
    }
    return changed;
  }
  template <typename Fn>
  void ForEach(const uint64_t* row, Fn fn) const {
    for (size_t i = 0; i < words_; ++i) {
      for (uint64_t w = row[i]; w != 0; w &= w - 1) {
        fn(static_cast<int>(i * 64 + __builtin_ctzll(w)));
      }
    }
  }

 private:
  size_t words_;
  std::vector<uint64_t> bits_;
};

}  // namespace

bool ClobbersCallerSaved(const ir::Instr& in, const RegisterFile& registers) {
  if (!ir::IsCallPoint(in)) return false;
  // (cons always calls the allocator: no general case.)
  return !(registers.primitives_preserve_registers && in.op == Opcode::kPrimitive &&
           static_cast<ir::PrimitiveOp>(in.aux) != ir::PrimitiveOp::kCons);
}

Allocation AllocateRegisters(const ir::Function& f, const RegisterFile& registers) {
  const int nvalues = f.value_count;
  const size_t nblocks = f.blocks.size();
  // Positions: two per instruction and two at each block start (its parameters), blocks in
  // reverse post-order, then the unreachable ones (the emission order may differ: intervals only
  // have to overlap wherever their values are live together). In that order a value's single
  // range spans little more than the blocks between its definition and its uses; in index order
  // the lowering's and the passes' numbering (a moved entry is numbered last) stretched the
  // arguments over every call of the function.
  std::vector<ir::BlockId> block_order = ir::ReversePostOrder(f);
  if (block_order.size() < nblocks) {
    std::vector<bool> placed(nblocks, false);
    for (ir::BlockId b : block_order) placed[b] = true;
    for (size_t b = 0; b < nblocks; ++b) {
      if (!placed[b]) block_order.push_back(static_cast<ir::BlockId>(b));
    }
  }
  std::vector<int> block_start(nblocks), block_end(nblocks);
  int pos = 0;
  for (ir::BlockId b : block_order) {
    // The block's parameters are defined at block_start, before its first instruction: a call
    // there is inside their intervals (they live across it).
    block_start[b] = pos;
    pos += 2;
    pos += 2 * static_cast<int>(f.blocks[b].instrs.size());
    block_end[b] = pos - 1;
  }
  const int end_position = pos;

  // Liveness: live-in = uses before defs, plus live-out minus defs (parameters are defs);
  // iterate to a fixed point.
  // (One matrix: per block its uses, definitions, live-in and live-out; then two scratch rows.)
  BlockSets sets(4 * nblocks + 2, nvalues);
  auto use = [&](size_t b) { return sets.Row(b); };
  auto def = [&](size_t b) { return sets.Row(nblocks + b); };
  auto live_in = [&](size_t b) { return sets.Row(2 * nblocks + b); };
  auto live_out = [&](size_t b) { return sets.Row(3 * nblocks + b); };
  for (size_t b = 0; b < nblocks; ++b) {
    uint64_t* d = def(b);
    uint64_t* u = use(b);
    for (ir::ValueId p : f.blocks[b].params) BlockSets::Add(d, p);
    for (const ir::Instr& in : f.blocks[b].instrs) {
      for (ir::ValueId v : in.args) {
        if (!BlockSets::Has(d, v)) BlockSets::Add(u, v);
      }
      if (in.result != ir::kNoValue) BlockSets::Add(d, in.result);
    }
  }
  const size_t words = sets.words();
  uint64_t* in = sets.Row(4 * nblocks);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t k = block_order.size(); k-- > 0;) {  // (successors first: fewer rounds)
      const ir::BlockId b = block_order[k];
      const ir::Instr& t = f.blocks[b].instrs.back();
      uint64_t* out = live_out(b);
      for (ir::BlockId s : t.targets) {
        if (s >= 0) changed |= sets.UnionInto(out, live_in(s));
      }
      const uint64_t* d = def(b);
      const uint64_t* u = use(b);
      for (size_t i = 0; i < words; ++i) in[i] = (out[i] & ~d[i]) | u[i];
      changed |= sets.UnionInto(live_in(b), in);
    }
  }

  // One interval per value: from its definition to its last use, stretched over every block
  // it is live through (a single range: loops make it conservative, never wrong).
  std::vector<Interval> intervals(nvalues);
  for (int v = 0; v < nvalues; ++v) intervals[v] = {v, INT32_MAX, -1, false};
  for (ir::BlockId b : block_order) {
    for (ir::ValueId p : f.blocks[b].params) {
      intervals[p].start = std::min(intervals[p].start, block_start[b]);
      intervals[p].end = std::max(intervals[p].end, block_start[b]);
    }
    sets.ForEach(live_in(b), [&](int v) {
      intervals[v].start = std::min(intervals[v].start, block_start[b]);
      intervals[v].end = std::max(intervals[v].end, block_start[b]);
    });
    sets.ForEach(live_out(b),
                 [&](int v) { intervals[v].end = std::max(intervals[v].end, block_end[b]); });
    pos = block_start[b] + 2;
    for (const ir::Instr& in : f.blocks[b].instrs) {
      for (ir::ValueId v : in.args) intervals[v].end = std::max(intervals[v].end, pos);
      if (in.result != ir::kNoValue) {
        intervals[in.result].start = std::min(intervals[in.result].start, pos);
        intervals[in.result].end = std::max(intervals[in.result].end, pos);
      }
      pos += 2;
    }
  }
  // Live across a call: live right after a call point (its own result aside), from liveness
  // rather than the interval, which may span calls on paths where the value is dead (an argument
  // used by one arm of an if whose other arm calls).
  uint64_t* crossing = sets.Row(4 * nblocks + 1);
  for (size_t b = 0; b < nblocks; ++b) {
    std::copy(live_out(b), live_out(b) + words, in);
    const auto& instrs = f.blocks[b].instrs;
    for (size_t i = instrs.size(); i-- > 0;) {
      const ir::Instr& instr = instrs[i];
      if (instr.result != ir::kNoValue)
        in[instr.result >> 6] &= ~(uint64_t{1} << (instr.result & 63));
      if (ClobbersCallerSaved(instr, registers)) sets.UnionInto(crossing, in);
      for (ir::ValueId v : instr.args) BlockSets::Add(in, v);
    }
  }
  std::vector<Interval*> order;
  order.reserve(nvalues);
  for (Interval& iv : intervals) {
    if (iv.end < 0) continue;  // never defined or used (dead code left behind)
    iv.crosses_call = BlockSets::Has(crossing, iv.value);
    order.push_back(&iv);
  }
  std::sort(order.begin(), order.end(),
            [](const Interval* a, const Interval* b) { return a->start < b->start; });

  // The parameter each kParam value is (they start block 0).
  std::vector<int> param_of(nvalues, -1);
  if (nblocks > 0) {
    for (const ir::Instr& in : f.blocks[0].instrs) {
      if (in.op == Opcode::kParam) param_of[in.result] = static_cast<int>(in.aux);
    }
  }

  // Linear scan.
  Allocation result;
  result.location.resize(nvalues);
  result.block_start = block_start;
  std::vector<const Interval*> active;  // intervals holding a register
  active.reserve(registers.caller_saved.size() + registers.callee_saved.size());
  std::vector<int> free_caller = registers.caller_saved;
  std::vector<int> free_callee = registers.callee_saved;
  uint64_t callee_used = 0;  // (bit r: register r)
  std::vector<int> free_slots;
  std::vector<std::pair<int, int>> slot_release;  // (end, slot) of spilled intervals
  for (Interval* iv : order) {
    // Expire intervals that ended before this one starts.
    for (size_t i = 0; i < active.size();) {
      if (active[i]->end < iv->start) {
        const Location& loc = result.location[active[i]->value];
        bool callee = std::find(registers.callee_saved.begin(), registers.callee_saved.end(),
                                loc.index) != registers.callee_saved.end();
        (callee ? free_callee : free_caller).push_back(loc.index);
        active.erase(active.begin() + static_cast<long>(i));
      } else {
        ++i;
      }
    }
    for (size_t i = 0; i < slot_release.size();) {
      if (slot_release[i].first < iv->start) {
        free_slots.push_back(slot_release[i].second);
        slot_release.erase(slot_release.begin() + static_cast<long>(i));
      } else {
        ++i;
      }
    }
    std::vector<int>* pool = iv->crosses_call ? &free_callee : &free_caller;
    if (pool->empty() && !iv->crosses_call) pool = &free_callee;  // callee-saved also work
    Location& loc = result.location[iv->value];
    if (const int p = param_of[iv->value];
        p >= 0 && !iv->crosses_call && p < static_cast<int>(registers.param_registers.size())) {
      auto it = std::find(free_caller.begin(), free_caller.end(), registers.param_registers[p]);
      if (it != free_caller.end()) {
        loc.kind = Location::kRegister;
        loc.index = *it;
        free_caller.erase(it);
        active.push_back(iv);
        continue;
      }
    }
    if (!pool->empty()) {
      loc.kind = Location::kRegister;
      loc.index = pool->back();
      pool->pop_back();
      if (pool == &free_callee) callee_used |= uint64_t{1} << loc.index;
      active.push_back(iv);
    } else {
      loc.kind = Location::kStack;
      if (free_slots.empty()) {
        loc.index = result.spill_slots++;
      } else {
        loc.index = free_slots.back();
        free_slots.pop_back();
      }
      slot_release.emplace_back(iv->end, loc.index);
    }
  }
  for (int r : registers.callee_saved) {
    if ((callee_used >> r) & 1) result.callee_saved_used.push_back(r);
  }
  if (registers.primitives_preserve_registers) {
    // Each value in a caller-saved register marks the primitives strictly inside its range (not
    // the one using it last, not the one defining it).
    std::vector<int> primitives;  // positions, increasing
    for (ir::BlockId b : block_order) {
      const auto& instrs = f.blocks[b].instrs;
      for (size_t i = 0; i < instrs.size(); ++i) {
        if (instrs[i].op == Opcode::kPrimitive && !ClobbersCallerSaved(instrs[i], registers)) {
          primitives.push_back(block_start[b] + 2 + 2 * static_cast<int>(i));
        }
      }
    }
    result.kept_at.assign(static_cast<size_t>(end_position / 2 + 1), 0);
    for (int v = 0; v < nvalues && !primitives.empty(); ++v) {
      const Location& loc = result.location[v];
      if (loc.kind != Location::kRegister ||
          std::find(registers.caller_saved.begin(), registers.caller_saved.end(), loc.index) ==
              registers.caller_saved.end()) {
        continue;
      }
      for (auto it = std::upper_bound(primitives.begin(), primitives.end(), intervals[v].start);
           it != primitives.end() && *it < intervals[v].end; ++it) {
        result.kept_at[*it / 2] |= uint32_t{1} << loc.index;
      }
    }
  }
  return result;
}

}  // namespace maru::jit
