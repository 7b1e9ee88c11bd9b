// Inlining: a call of a small known function becomes a copy of its body.
//
// Calls of a global's compile-time value are guarded (the lowering branches to the interpreter
// when the global holds anything else), so on the path of the call the callee is known exactly,
// and its body may replace the call while late binding stays exact: redefining the callee makes
// the guard fail, and the interpreter then calls whatever the global holds.
//
//   b:  ...                            b:  ...
//       v = call vf(a0, a1)                enterinline @k             (a fresh activation)
//       rest of b                 =>       storeslot s(B+p0), a0      (the callee's locals are
//                                          storeslot s(B+p1), a1       slots B.. past the
//                                          storeslot s(B+k), ()        caller's own)
//                                          jump b'0
//                                      b'0..: the callee's blocks (each return v' jumps to c(v'))
//                                      c(v): rest of b
//
// The copied instructions belong to a new ir::InlineFrame: their slow paths run the callee's
// forms in a Frame of the callee's own, and their errors gain the call's backtrace line. A callee
// qualifies when the interpreter can run any of its forms in such a Frame (the caller of this
// pass checks that nothing in its body can capture or grow its activation: no lambda, define or
// user special form) and its lowered body only uses instructions whose meaning does not depend
// on the activation they run in. Calls inside a copied body stay calls (one level), and the
// budget bounds how much a function grows.
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "jit/passes/passes.h"

namespace maru::jit {

namespace {

// Instructions a copied body may hold: everything that touches the activation goes through
// slots (renumbered) or the Frame the backend builds for the inline frame.
bool Copyable(const ir::Instr& in) {
  switch (in.op) {
    case ir::Opcode::kConst:
    case ir::Opcode::kParam:
    case ir::Opcode::kLoadSlot:
    case ir::Opcode::kStoreSlot:
    case ir::Opcode::kLoadGlobal:
    case ir::Opcode::kStoreGlobal:
    case ir::Opcode::kGlobalIs:
    case ir::Opcode::kIsFixed:
    case ir::Opcode::kCall:
    case ir::Opcode::kPrimitive:
    case ir::Opcode::kEvalForm:
    case ir::Opcode::kPollInterrupt:
    case ir::Opcode::kNameValue:
    case ir::Opcode::kJump:
    case ir::Opcode::kBranch:
    case ir::Opcode::kReturn:
      return true;
    default:
      // kLoadVar/kStoreVar reach the callee's enclosing activations, kClosure and kApplyFixed
      // may capture its activation, kDefine and kEvalAtom are rare enough not to matter, and a
      // kGuardsHold only appears after ShareGuards.
      return false;
  }
}

int InstructionCount(const ir::Function& f) {
  int count = 0;
  for (const ir::Block& b : f.blocks) count += static_cast<int>(b.instrs.size());
  return count;
}

bool Qualifies(const ir::Function& callee, size_t argc, const InlineLimits& limits) {
  if (callee.rest_slot >= 0 || callee.param_slots.size() != argc) return false;
  if (!callee.inline_frames.empty() || callee.inline_slots != 0) return false;
  if (callee.nslots > limits.max_callee_slots) return false;
  if (InstructionCount(callee) > limits.max_callee_instructions) return false;
  for (const ir::Block& b : callee.blocks) {
    for (const ir::Instr& in : b.instrs) {
      if (!Copyable(in) || in.frame != 0) return false;
      if ((in.op == ir::Opcode::kLoadSlot || in.op == ir::Opcode::kStoreSlot) &&
          (in.aux < 0 || in.aux >= callee.nslots)) {
        return false;
      }
    }
  }
  return true;
}

// Replaces the call at f.blocks[b].instrs[i] by a copy of callee (which qualifies).
void Splice(ir::Function& f, ir::BlockId b, size_t i, const InlineCallee& callee) {
  const ir::Function& body = callee.ir;
  ir::Instr call = std::move(f.blocks[b].instrs[i]);
  const int32_t frame_id = static_cast<int32_t>(f.inline_frames.size()) + 1;
  const int64_t slot_base = f.nslots + f.inline_slots;
  f.inline_frames.push_back({.parent = call.frame,
                             .slot_base = slot_base,
                             .nslots = body.nslots,
                             .level = body.level,
                             .env = body.env,
                             .home = callee.home,
                             .callee = body.expr,
                             .call_form = call.imm});
  f.inline_slots += body.nslots;

  const ir::ValueId value_base = f.value_count;
  f.value_count += body.value_count;
  const ir::BlockId block_base = static_cast<ir::BlockId>(f.blocks.size());
  const ir::BlockId continuation = block_base + static_cast<ir::BlockId>(body.blocks.size());
  const bool cold = f.blocks[b].cold;

  // The continuation: the rest of b, entered with the call's result.
  ir::Block rest;
  rest.params = {call.result};
  rest.cold = cold;
  rest.instrs.assign(
      std::make_move_iterator(f.blocks[b].instrs.begin() + static_cast<std::ptrdiff_t>(i) + 1),
      std::make_move_iterator(f.blocks[b].instrs.end()));

  // b ends by binding the callee's locals and entering its body.
  std::vector<ir::Instr>& head = f.blocks[b].instrs;
  head.resize(i);
  auto append = [&](ir::Instr in) {
    in.form = call.form;
    in.frame = frame_id;
    head.push_back(std::move(in));
  };
  append({.op = ir::Opcode::kEnterInline});
  std::vector<bool> is_param(body.nslots, false);
  for (size_t k = 0; k < body.param_slots.size(); ++k) {
    is_param[body.param_slots[k]] = true;
    append({.op = ir::Opcode::kStoreSlot,
            .result = f.value_count++,
            .args = {call.args[k + 1]},
            .aux = slot_base + body.param_slots[k]});
  }
  ir::ValueId nil = ir::kNoValue;
  for (int64_t s = 0; s < body.nslots; ++s) {
    if (is_param[s]) continue;
    if (nil == ir::kNoValue) {
      nil = f.value_count++;
      append({.op = ir::Opcode::kConst, .result = nil, .imm = kNil});
    }
    append({.op = ir::Opcode::kStoreSlot, .result = f.value_count++, .args = {nil},
            .aux = slot_base + s});
  }
  append({.op = ir::Opcode::kJump, .targets = {block_base, -1}});

  // The callee's blocks, renumbered; its parameters' values are the call's arguments (its params
  // start block 0, which comes first, before any use).
  std::vector<ir::ValueId> argument_of(body.value_count, ir::kNoValue);
  for (const ir::Block& source : body.blocks) {
    ir::Block copy;
    copy.cold = cold || source.cold;
    for (ir::ValueId p : source.params) copy.params.push_back(p + value_base);
    for (const ir::Instr& original : source.instrs) {
      if (original.op == ir::Opcode::kParam) {
        argument_of[original.result] = call.args[original.aux + 1];
        continue;
      }
      ir::Instr in = original;
      in.frame = frame_id;
      if (in.result != ir::kNoValue) in.result += value_base;
      for (ir::ValueId& v : in.args) {
        v = argument_of[v] != ir::kNoValue ? argument_of[v] : v + value_base;
      }
      for (ir::BlockId& t : in.targets) {
        if (t >= 0) t += block_base;
      }
      if (in.op == ir::Opcode::kLoadSlot || in.op == ir::Opcode::kStoreSlot) in.aux += slot_base;
      if (in.op == ir::Opcode::kReturn) {
        in.op = ir::Opcode::kJump;
        in.targets[0] = continuation;
      }
      copy.instrs.push_back(std::move(in));
    }
    f.blocks.push_back(std::move(copy));
  }
  f.blocks.push_back(std::move(rest));
  f.interpreted_forms += body.interpreted_forms;
}

}  // namespace

int InlineCalls(ir::Function& f, const CalleeLowering& lower, const InlineLimits& limits) {
  // The value of each constant (a known call's function is one).
  std::vector<bool> is_constant(f.value_count, false);
  std::vector<Oop> constant_value(f.value_count, kNil);
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) {
      if (in.op != ir::Opcode::kConst) continue;
      is_constant[in.result] = true;
      constant_value[in.result] = in.imm;
    }
  }
  struct Lowered {
    bool ok = false;
    InlineCallee callee;
  };
  absl::flat_hash_map<Oop, Lowered> lowered;
  int inlined = 0;
  int budget = limits.max_added_instructions;
  // Only the function's own blocks are scanned: calls in copied bodies stay calls.
  const size_t own_blocks = f.blocks.size();
  std::vector<ir::BlockId> work;
  for (size_t b = 0; b < own_blocks; ++b) work.push_back(static_cast<ir::BlockId>(b));
  while (!work.empty()) {
    ir::BlockId b = work.back();
    work.pop_back();
    for (size_t i = 0; i < f.blocks[b].instrs.size(); ++i) {
      const ir::Instr& in = f.blocks[b].instrs[i];
      if (in.op != ir::Opcode::kCall || in.frame != 0 || in.result == ir::kNoValue) continue;
      ir::ValueId fn = in.args[0];
      // A known call: its function is the constant the guard compared the global with.
      if (fn >= static_cast<ir::ValueId>(is_constant.size()) || !is_constant[fn] ||
          constant_value[fn] != in.imm2 || in.imm2 == kNil) {
        continue;
      }
      if (f.nslots + f.inline_slots > limits.max_total_slots) return inlined;
      // Each callee is lowered once per function (a recursive one is called at several sites).
      auto [it, fresh] = lowered.try_emplace(in.imm2);
      if (fresh) it->second.ok = lower(in.imm2, &it->second.callee);
      if (!it->second.ok) continue;
      const InlineCallee& callee = it->second.callee;
      if (!Qualifies(callee.ir, in.args.size() - 1, limits)) continue;
      int cost = InstructionCount(callee.ir);
      if (cost > budget ||
          f.nslots + f.inline_slots + callee.ir.nslots > limits.max_total_slots) {
        continue;
      }
      budget -= cost;
      Splice(f, b, i, callee);
      ++inlined;
      // The rest of b moved to the continuation (the last block): scan it next.
      work.push_back(static_cast<ir::BlockId>(f.blocks.size() - 1));
      break;
    }
  }
  return inlined;
}

}  // namespace maru::jit
