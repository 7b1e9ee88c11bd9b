// IR -> AArch64 machine code with asmjit 1.9's a64::Assembler and the ISA-independent register
// allocation of jit/backend/regalloc.h: the same design as the x86-64 backend, so that both ISAs
// run the same IR with the same fast paths and the same error protocol.
//
// Entry ABI (runtime/tier_up.h, AAPCS64): Oop entry(Vm* vm, Oop self, const Oop* args,
// int64_t argc) with vm in x0, self in x1, args in x2, argc in x3, the result in x0.
//
// Registers: x28 = the Vm, x27 = the activation's slot array (reloaded after any runtime call
// that may move the slots to a heap Context), x15/x16/x17 = scratch. x0-x14 hold values that do
// not live across calls, x19-x26 those that do. x18 is never touched (the platform register on
// Apple and Windows). x29/x30 form a standard frame record, so unwinders and profilers walk
// through compiled frames. The frame (sp-based, 16-byte aligned):
// [argument buffer][Frame][slots][spill slots][jump moves].
//
// The code is position independent: heap constants and runtime entry points (words of this
// process) are built with movz and three movk in memory, patchable in a copy for an identical
// function, or loaded with adrp + ldr from the module's data table for the dlopen kind
// (data_table.h); every call goes through a register or is a pc-relative `bl` to this function's
// own entry, and branches stay inside the function.
//
// This file compiles on every host (asmjit assembles AArch64 anywhere), so the code generator is
// tested on x86-64 too; it is the host backend only on AArch64.
#include <asmjit/arm/a64assembler.h>
#include <asmjit/core.h>

#include <cstddef>
#include <cstring>
#include <functional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "jit/backend/backend.h"
#include "jit/backend/block_layout.h"
#include "jit/backend/data_table.h"
#include "jit/backend/direct_entry.h"
#include "jit/backend/emit_support.h"
#include "jit/backend/generated_code.h"
#include "jit/backend/installed_helpers.h"
#include "jit/backend/regalloc.h"
#include "jit/runtime_calls.h"
#include "runtime/heap.h"
#include "runtime/object.h"
#include "runtime/subr.h"
#include "runtime/vm.h"

namespace maru::jit {

namespace {

namespace a64 = asmjit::a64;
using asmjit::Imm;
using asmjit::Label;
using asmjit::arm::CondCode;
using ir::Opcode;
using ir::PrimitiveOp;

// Scaled 12-bit offsets of 64-bit loads and stores reach this far from sp or a slot base.
constexpr int32_t kMaxScaledOffset = 4095 * 8;

template <typename Fn>
uint64_t Address(Fn* fn) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(fn));
}

const a64::GpX kVm = a64::x28;
const a64::GpX kSlots = a64::x27;
const a64::GpX kScratch = a64::x16;
const a64::GpX kScratch2 = a64::x17;
const a64::GpX kScratch3 = a64::x15;
const a64::GpX kFramePointer = a64::x29;
const a64::GpX kLinkRegister = a64::x30;

// Where the process-wide helpers (A64Backend::InstallHelpers) are: code in memory calls them
// instead of carrying its own copy. Their addresses are the same for every function a Jit
// compiles, so they are plain immediates, not words of the data table.
struct A64Helpers {
  uint64_t revalidate_guards = 0;
  uint64_t request_optimized_code = 0;
};

// Loads `value` into r with movz and movk (the chunks that are not zero).
void MoveConstant(a64::Assembler& a, const a64::GpX& r, uint64_t value) {
  if (value == 0) {
    a.mov(r, a64::xzr);
    return;
  }
  bool first = true;
  for (uint32_t shift = 0; shift < 64; shift += 16) {
    const auto chunk = static_cast<uint32_t>((value >> shift) & 0xffff);
    if (chunk == 0) continue;
    if (first) {
      a.movz(r, Imm(chunk), Imm(shift));
      first = false;
    } else {
      a.movk(r, Imm(chunk), Imm(shift));
    }
  }
}

// The answer to "do the guards hold?" once the Vm's epoch moved, entered by a call (bl or blr)
// with the function's GuardRecord in kScratch3 (the slow path of every kGuardsHold calls it):
// kScratch = 1 when they do, else 0, with x0-x15 kept (kScratch2 is not). The record's last
// validated epoch answers without the runtime. `move_word` loads a word of this process.
template <typename MoveWordFn>
void EmitRevalidateGuardsBody(a64::Assembler& a, MoveWordFn move_word) {
  Label slow = a.newLabel();
  a.ldr(kScratch2, a64::ptr(kScratch3, offsetof(GuardRecord, validated_epoch)));
  a.ldr(kScratch, a64::ptr(kVm, kVmGlobalEpochOffset));
  a.cmp(kScratch2, kScratch);
  a.b(CondCode::kNE, slow);
  a.movz(kScratch, Imm(1));
  a.ret(kLinkRegister);
  a.bind(slow);
  // x0-x14 are the allocatable caller-saved registers; x15 is the record; the link register
  // is this call's return.
  for (int i = 0; i < 16; i += 2) a.stp(a64::x(i), a64::x(i + 1), a64::ptr_pre(a64::sp, -16));
  a.stp(kLinkRegister, kScratch2, a64::ptr_pre(a64::sp, -16));
  a.mov(a64::x0, kVm);
  a.mov(a64::x1, kScratch3);
  move_word(kScratch, Address(&RevalidateGuards));
  a.blr(kScratch);
  a.mov(kScratch, a64::x0);
  a.ldp(kLinkRegister, kScratch2, a64::ptr_post(a64::sp, 16));
  for (int i = 14; i >= 0; i -= 2) a.ldp(a64::x(i), a64::x(i + 1), a64::ptr_post(a64::sp, 16));
  a.ret(kLinkRegister);
}

// Tier 1 code's request for optimised code once its call countdown ran out, entered by a call
// at a function's entry with the GuardRecord in kScratch3 (the caller keeps its own link
// register). The argument registers of either entry (x0-x7) and kScratch3 are kept.
template <typename MoveWordFn>
void EmitRequestOptimizedCodeBody(a64::Assembler& a, MoveWordFn move_word) {
  for (int r = 0; r < 8; r += 2) a.stp(a64::x(r), a64::x(r + 1), a64::ptr_pre(a64::sp, -16));
  a.stp(kLinkRegister, kScratch3, a64::ptr_pre(a64::sp, -16));
  a.mov(a64::x0, kScratch3);
  move_word(kScratch, Address(&RequestOptimizedCode));
  a.blr(kScratch);
  a.ldp(kLinkRegister, kScratch3, a64::ptr_post(a64::sp, 16));
  for (int r = 6; r >= 0; r -= 2) a.ldp(a64::x(r), a64::x(r + 1), a64::ptr_post(a64::sp, 16));
  a.ret(kLinkRegister);
}

class A64Emitter {
 public:
  // `helpers`: the process-wide helpers, or nullptr for code carrying its own copies.
  A64Emitter(const ir::Function& f, a64::Assembler& a, ffi::ForeignStubs* foreign_stubs,
             DataTable* table, const A64Helpers* helpers)
      : f_(f),
        a_(a),
        symbol_t_(SymbolT()),
        foreign_stubs_(foreign_stubs),
        table_(table),
        helpers_(helpers) {}

  // Returns false (with *error) when the function does not fit this backend's frame addressing.
  bool Generate(std::string* error) {
    RegisterFile registers;
    for (int r = 0; r <= 14; ++r) registers.caller_saved.push_back(r);
    for (int r = 19; r <= 26; ++r) registers.callee_saved.push_back(r);
    alloc_ = AllocateRegisters(f_, registers);
    use_count_.assign(f_.value_count, 0);
    const_of_.assign(f_.value_count, nullptr);
    std::vector<bool> needs_register(f_.value_count, false);
    for (const ir::Block& b : f_.blocks) {
      for (const ir::Instr& in : b.instrs) {
        if (in.op == Opcode::kConst) const_of_[in.result] = &in;
      }
    }
    for (const ir::Block& b : f_.blocks) {
      for (const ir::Instr& in : b.instrs) {
        for (size_t i = 0; i < in.args.size(); ++i) {
          ir::ValueId v = in.args[i];
          ++use_count_[v];
          bool immediate_use =
              ((in.op == Opcode::kPrimitive || (in.op == Opcode::kCall && i > 0)) &&
               IsFixnumConstant(v)) ||
              (in.op == Opcode::kCall && i == 0 && const_of_[v] != nullptr);
          if (!immediate_use) needs_register[v] = true;
        }
      }
    }
    // Constants used only as immediates are never materialised.
    for (ir::ValueId v = 0; v < f_.value_count; ++v) {
      if (const_of_[v] != nullptr && !needs_register[v]) skip_const_.insert(v);
    }

    // Frame layout.
    int max_args = 1;
    int max_moves = 0;
    for (const ir::Block& b : f_.blocks) {
      for (const ir::Instr& in : b.instrs) {
        if (in.op == Opcode::kCall || in.op == Opcode::kPrimitive) {
          max_args = std::max<int>(max_args, static_cast<int>(in.args.size()));
        }
        if (in.op == Opcode::kJump) max_moves = std::max<int>(max_moves, in.args.size());
      }
    }
    // Direct calls (jit/backend/direct_entry.h) leave the callee's slots in the argument buffer:
    // it must then hold all of them.
    for (const ir::Block& b : f_.blocks) {
      for (const ir::Instr& in : b.instrs) {
        max_args = std::max<int>(max_args, static_cast<int>(DirectCallSlots(in)));
      }
    }
    direct_entry_used_ = HasDirectEntry(f_);
    buffer_offset_ = 0;
    frame_offset_ = 8 * max_args;
    slots_offset_ = frame_offset_ + static_cast<int32_t>(sizeof(Frame));
    inline_slots_offset_ = slots_offset_ + static_cast<int32_t>(8 * f_.nslots);
    // Inlined calls (ir::InlineFrame): their locals, then a Frame for each.
    inline_frame_offset_ = inline_slots_offset_ + static_cast<int32_t>(8 * f_.inline_slots);
    spill_offset_ = inline_frame_offset_ +
                    static_cast<int32_t>(sizeof(Frame) * f_.inline_frames.size());
    move_offset_ = spill_offset_ + 8 * alloc_.spill_slots;
    frame_size_ = (move_offset_ + 8 * max_moves + 15) & ~15;
    if (frame_size_ > (1 << 24)) {
      *error = "the activation is too large (over 16 MiB of frame)";
      return false;
    }

    frame_errors_.resize(f_.inline_frames.size() + 1);
    for (Label& l : frame_errors_) l = a_.newLabel();
    SetFrame(0);
    epilogue_ = a_.newLabel();
    Label overflow = a_.newLabel();
    Label arity = a_.newLabel();

    // Prologue: a frame record (x29, x30), then x27 (slots) and x28 (the Vm) always, and the
    // callee-saved registers the allocator handed out, in pairs.
    saved_ = {kSlots.id(), kVm.id()};
    for (int r : alloc_.callee_saved_used) saved_.push_back(r);
    // Tier 1 code counts its calls, before anything else at each entry (the arguments are still
    // in their registers: the out-of-line request keeps them).
    std::vector<std::pair<Label, Label>> hot_requests;  // (request, back)
    auto count_call = [&] {
      if (!f_.counts_calls || f_.guard_record == 0) return;
      Label request = a_.newLabel();
      Label back = a_.newLabel();
      MoveWord(kScratch3, f_.guard_record);
      a64::Mem countdown = a64::ptr(kScratch3, offsetof(GuardRecord, hot_countdown));
      a_.ldr(kScratch, countdown);
      a_.subs(kScratch, kScratch, Imm(1));
      a_.str(kScratch, countdown);
      a_.b(CondCode::kEQ, request);
      a_.bind(back);
      hot_requests.emplace_back(request, back);
    };
    auto enter = [&] {
      count_call();
      a_.stp(kFramePointer, kLinkRegister, a64::ptr_pre(a64::sp, -16));
      a_.mov(kFramePointer, a64::sp);
      for (size_t i = 0; i < saved_.size(); i += 2) {
        if (i + 1 < saved_.size()) {
          a_.stp(a64::x(saved_[i]), a64::x(saved_[i + 1]), a64::ptr_pre(a64::sp, -16));
        } else {
          a_.str(a64::x(saved_[i]), a64::ptr_pre(a64::sp, -16));
        }
      }
      AdjustStack(-frame_size_);
      // Stack guard: recursion too deep for the native stack is the error "stack overflow".
      a_.ldr(kScratch, a64::ptr(a64::x0, kVmStackLimitOffset));
      a_.mov(kScratch2, a64::sp);
      a_.cmp(kScratch2, kScratch);
      a_.b(CondCode::kLO, overflow);
      a_.mov(kVm, a64::x0);
    };
    Label common = a_.newLabel();
    direct_entry_ = a_.newLabel();
    entry_ = a_.newLabel();
    a_.bind(entry_);
    enter();
    // Arity, while self/args/argc are still in x1/x2/x3.
    int64_t nparams = static_cast<int64_t>(f_.param_slots.size());
    CompareImmediate(a64::x3, nparams);
    a_.b(f_.rest_slot >= 0 ? CondCode::kLT : CondCode::kNE, arity);
    AddressInFrame(kSlots, slots_offset_);
    for (int64_t i = 0; i < nparams; ++i) {
      a_.ldr(kScratch, a64::ptr(a64::x2, static_cast<int32_t>(i * 8)));
      a_.str(kScratch, SlotMem(f_.param_slots[i]));
    }
    if (direct_entry_used_) {
      // The direct entry (x0 = the Vm, x1 = self, x2 = the caller's argument buffer with the
      // arguments, which becomes the slots). Not at the start of the code, which is the entry
      // everybody else calls, but falling into the body: direct calls are the hot ones.
      a_.b(common);
      a_.bind(direct_entry_);
      enter();
      a_.mov(kSlots, a64::x2);
    }
    a_.bind(common);
    // The Frame fields that depend on the call; the others (home from self among them) are
    // written before each runtime call that receives the Frame (LeaFrame), off the fast paths.
    a_.str(a64::x1, FrameField(offsetof(Frame, self)));
    a_.str(a64::xzr, FrameField(offsetof(Frame, context)));
    std::vector<bool> is_param(f_.nslots, false);
    for (int64_t s : f_.param_slots) is_param[s] = true;
    for (int64_t i = 0; i < f_.nslots; ++i) {
      if (!is_param[i]) a_.str(a64::xzr, SlotMem(i));
    }
    if (f_.rest_slot >= 0) {
      a_.mov(a64::x0, kVm);
      a_.add(a64::x1, a64::x2, Imm(nparams * 8));
      a_.sub(a64::x2, a64::x3, Imm(nparams));
      CallRuntime(Address(&MakeRestList));
      CheckError();
      a_.str(a64::x0, SlotMem(f_.rest_slot));
    }

    labels_.resize(f_.blocks.size());
    for (auto& l : labels_) l = a_.newLabel();
    std::vector<int> order = LayoutBlocks(f_);
    next_block_.assign(f_.blocks.size(), -1);
    for (size_t i = 0; i + 1 < order.size(); ++i) next_block_[order[i]] = order[i + 1];
    for (int b : order) {
      a_.bind(labels_[b]);
      current_block_ = b;
      const auto& instrs = f_.blocks[b].instrs;
      for (size_t i = 0; i < instrs.size(); ++i) {
        SetFrame(instrs[i].frame);
        // A test whose only use is the branch right after it branches directly.
        if (i + 1 < instrs.size() && instrs[i].op == Opcode::kGlobalIs &&
            FeedsBranch(instrs[i], instrs[i + 1])) {
          EmitGlobalCompare(instrs[i]);
          BranchTo(CondCode::kEQ, instrs[i + 1].targets[0], instrs[i + 1].targets[1]);
          ++i;
          continue;
        }
        if (i + 1 < instrs.size() && instrs[i].op == Opcode::kIsFixed &&
            FeedsBranch(instrs[i], instrs[i + 1])) {
          EmitIsFixedBranch(instrs[i], instrs[i + 1]);
          ++i;
          continue;
        }
        if (i + 1 < instrs.size() && FusesWithBranch(instrs[i], instrs[i + 1])) {
          EmitPrimitive(instrs[i], &instrs[i + 1]);
          ++i;
          continue;
        }
        Emit(instrs[i]);
      }
    }

    // Slow paths, out of line so that fast paths fall through.
    for (size_t i = 0; i < deferred_.size(); ++i) {
      SetFrame(deferred_[i].frame);
      deferred_[i].emit();
    }
    // Errors inside an inlined call gain its line, as when the callee returns one.
    for (size_t k = f_.inline_frames.size(); k > 0; --k) {
      const ir::InlineFrame& frame = f_.inline_frames[k - 1];
      a_.bind(frame_errors_[k]);
      a_.mov(a64::x0, kVm);
      MoveOop(a64::x1, frame.call_form);
      CallRuntime(Address(&AddCallLine));
      a_.b(frame_errors_[frame.parent]);
    }
    SetFrame(0);

    if (revalidate_used_) EmitRevalidateGuards();
    if (!hot_requests.empty()) {
      // At an entry (kScratch3 still holds the record): the entry's link register is kept
      // around the call, which changes it.
      Label local_request;
      if (helpers_ == nullptr) local_request = a_.newLabel();
      for (const auto& [request, back] : hot_requests) {
        a_.bind(request);
        a_.stp(kLinkRegister, kScratch3, a64::ptr_pre(a64::sp, -16));
        if (helpers_ != nullptr) {
          MoveConstant(a_, kScratch, helpers_->request_optimized_code);
          a_.blr(kScratch);
        } else {
          a_.bl(local_request);
        }
        a_.ldp(kLinkRegister, kScratch3, a64::ptr_post(a64::sp, 16));
        a_.b(back);
      }
      if (helpers_ == nullptr) {
        a_.bind(local_request);
        EmitRequestOptimizedCodeBody(a_, [this](const a64::GpX& r, uint64_t w) { MoveWord(r, w); });
      }
    }

    a_.bind(arity);
    // x0 = vm, x1 = self, x2 = args, x3 = argc still hold the entry's arguments.
    MoveImmediate(a64::x4, static_cast<uint64_t>(nparams));
    CallRuntime(Address(&ArityMismatch));
    a_.b(error_);
    a_.bind(overflow);
    CallRuntime(Address(&StackOverflow));  // x0 = vm
    a_.bind(error_);
    MoveImmediate(a64::x0, static_cast<uint64_t>(kErrorOop));
    a_.bind(epilogue_);
    AdjustStack(frame_size_);
    size_t pairs_end = saved_.size() % 2 == 0 ? saved_.size() : saved_.size() - 1;
    if (saved_.size() % 2 != 0) a_.ldr(a64::x(saved_.back()), a64::ptr_post(a64::sp, 16));
    for (size_t i = pairs_end; i > 0; i -= 2) {
      a_.ldp(a64::x(saved_[i - 2]), a64::x(saved_[i - 1]), a64::ptr_post(a64::sp, 16));
    }
    a_.ldp(kFramePointer, kLinkRegister, a64::ptr_post(a64::sp, 16));
    a_.ret(kLinkRegister);
    return true;
  }

  // Where the direct entry is in the flattened code (0: none).
  size_t DirectEntryOffset(const asmjit::CodeHolder& code) const {
    return direct_entry_used_ ? static_cast<size_t>(code.labelOffsetFromBase(direct_entry_)) : 0;
  }

 private:
  // sp + offset as a memory operand; beyond the scaled 12-bit offsets of ldr/str the address is
  // formed in x15 first (only activations with thousands of locals or arguments get there).
  a64::Mem FrameSlot(int32_t offset) {
    if (offset <= kMaxScaledOffset) return a64::ptr(a64::sp, offset);
    AddressInFrame(kScratch3, offset);
    return a64::ptr(kScratch3);
  }
  // A field of inline frame k's Frame (k >= 1).
  a64::Mem InlineFrameField(int32_t k, size_t field) {
    return FrameSlot(inline_frame_offset_ + static_cast<int32_t>(sizeof(Frame) * (k - 1) + field));
  }
  // Slot `index` of the activation, likewise. The function's own are reached through kSlots
  // (reloaded when the activation may have been materialised); an inlined call's through its
  // Frame's slots pointer, loaded into kScratch3 (a runtime path may have materialised that
  // activation).
  a64::Mem SlotMem(int64_t index) {
    if (index >= f_.nslots) {
      int32_t k = ir::InlineFrameOfSlot(f_, index);
      a_.ldr(kScratch3, InlineFrameField(k, offsetof(Frame, slots)));
      int64_t offset = 8 * (index - f_.inline_frames[k - 1].slot_base);
      if (offset <= kMaxScaledOffset) return a64::ptr(kScratch3, static_cast<int32_t>(offset));
      MoveImmediate(kScratch2, static_cast<uint64_t>(offset));
      a_.add(kScratch3, kScratch3, kScratch2);
      return a64::ptr(kScratch3);
    }
    int64_t offset = index * 8;
    if (offset <= kMaxScaledOffset) return a64::ptr(kSlots, static_cast<int32_t>(offset));
    MoveImmediate(kScratch3, static_cast<uint64_t>(offset));
    a_.add(kScratch3, kSlots, kScratch3);
    return a64::ptr(kScratch3);
  }
  // The instructions that follow run in inline frame `frame` (0: the function's own).
  void SetFrame(int32_t frame) {
    current_frame_ = frame;
    error_ = frame_errors_[frame];
  }
  // Out-of-line code, emitted after the blocks in the frame of the instruction deferring it.
  void Defer(std::function<void()> emit) { deferred_.push_back({current_frame_, std::move(emit)}); }
  a64::Mem FrameField(size_t field) {
    return FrameSlot(frame_offset_ + static_cast<int32_t>(field));
  }
  a64::Mem BufferSlot(size_t i) { return FrameSlot(buffer_offset_ + static_cast<int32_t>(8 * i)); }

  // sp += delta, in steps that add/sub immediates encode (16-byte multiples keep sp aligned).
  void AdjustStack(int32_t delta) {
    while (delta != 0) {
      int32_t step = std::min<int32_t>(delta < 0 ? -delta : delta, 4080);
      if (delta < 0) {
        a_.sub(a64::sp, a64::sp, Imm(step));
        delta += step;
      } else {
        a_.add(a64::sp, a64::sp, Imm(step));
        delta -= step;
      }
    }
  }
  // r = sp + offset (offset < 16 MiB): a 12-bit immediate, shifted by 12 for the high part.
  void AddressInFrame(const a64::GpX& r, int32_t offset) {
    int32_t high = offset >> 12, low = offset & 0xfff;
    if (high == 0) {
      a_.add(r, a64::sp, Imm(low));
      return;
    }
    a_.add(r, a64::sp, Imm(high), Imm(asmjit::arm::lsl(12)));
    if (low != 0) a_.add(r, r, Imm(low));
  }

  // Any 64-bit value with movz and up to three movk (zero through the zero register).
  void MoveImmediate(const a64::GpX& r, uint64_t value) { MoveConstant(a_, r, value); }

  // A word that only means something in this process (an address): an immediate, or a load from
  // the module's data table (jit/backend/data_table.h), its address made by adrp + ldr.
  void MoveWord(const a64::GpX& r, uint64_t word) {
    uint32_t index = table_->IndexOf(word);
    if (!table_->in_table()) {
      // Always movz and three movk (zero chunks included): a copy can be patched.
      table_->AddPatch({static_cast<uint32_t>(a_.offset()), index});
      a_.movz(r, Imm(word & 0xffff), Imm(0));
      for (uint32_t shift = 16; shift < 64; shift += 16) {
        a_.movk(r, Imm((word >> shift) & 0xffff), Imm(shift));
      }
      return;
    }
    auto offset = static_cast<uint32_t>(a_.offset());
    a_.embedUInt32(0x90000000u | r.id());  // adrp r, 0 (the fixup sets the page)
    a_.ldr(r, a64::ptr(r, 0));
    table_->AddFixup({.kind = objfile::FixupKind::kAArch64AdrpPage,
                      .offset = offset,
                      .target = objfile::FixupTarget::kDataTable,
                      .index = index});
    table_->AddFixup({.kind = objfile::FixupKind::kAArch64Ldst64Lo12,
                      .offset = offset + 4,
                      .target = objfile::FixupTarget::kDataTable,
                      .index = index});
  }
  void MoveOop(const a64::GpX& r, Oop value) {
    if (IsProcessWord(value)) {
      MoveWord(r, value);
    } else {
      MoveImmediate(r, value);
    }
  }

  // Sets the flags of `r - value`.
  void CompareImmediate(const a64::GpX& r, int64_t value) {
    if (value >= 0 && value <= 4095) {
      a_.cmp(r, Imm(value));
    } else if (value < 0 && value >= -4095) {
      a_.cmn(r, Imm(-value));
    } else {
      MoveImmediate(kScratch3, static_cast<uint64_t>(value));
      a_.cmp(r, kScratch3);
    }
  }

  bool InRegister(ir::ValueId v) const { return alloc_.location[v].kind == Location::kRegister; }
  a64::GpX RegisterOf(ir::ValueId v) const { return a64::x(alloc_.location[v].index); }
  a64::Mem StackOf(ir::ValueId v) {
    return FrameSlot(spill_offset_ + 8 * alloc_.location[v].index);
  }

  // A register holding v: its own, or `scratch` loaded from its spill slot.
  a64::GpX Use(ir::ValueId v, const a64::GpX& scratch) {
    if (InRegister(v)) return RegisterOf(v);
    a_.ldr(scratch, StackOf(v));
    return scratch;
  }
  void LoadInto(const a64::GpX& r, ir::ValueId v) {
    if (InRegister(v)) {
      if (RegisterOf(v).id() != r.id()) a_.mov(r, RegisterOf(v));
    } else {
      a_.ldr(r, StackOf(v));
    }
  }
  // The register to compute v in; Commit stores it when v lives on the stack.
  a64::GpX Def(ir::ValueId v) { return InRegister(v) ? RegisterOf(v) : kScratch; }
  void Commit(ir::ValueId v, const a64::GpX& r) {
    if (!InRegister(v)) a_.str(r, StackOf(v));
  }
  void StoreResult(ir::ValueId v, const a64::GpX& r) {
    if (v == ir::kNoValue || alloc_.location[v].kind == Location::kNone) return;
    if (InRegister(v)) {
      if (RegisterOf(v).id() != r.id()) a_.mov(RegisterOf(v), r);
    } else {
      a_.str(r, StackOf(v));
    }
  }

  // A runtime function (vm, constant, frame) whose result may be an error and which may move the
  // slots (it can run closures or the interpreter in this activation).
  void CallWithFrame(uint64_t target, Oop constant, ir::ValueId result) {
    a_.mov(a64::x0, kVm);
    MoveOop(a64::x1, constant);
    LeaFrame(a64::x2);
    CallRuntime(target);
    FinishFrameCall(result);
  }
  void FinishFrameCall(ir::ValueId result) {
    CheckError();
    ReloadSlots();
    StoreResult(result, a64::x0);
  }

  void CallRuntime(uint64_t target) {
    MoveWord(kScratch, target);
    a_.blr(kScratch);
  }
  void CheckError() {
    a_.cmp(a64::x0, Imm(static_cast<int64_t>(kErrorOop)));
    a_.b(CondCode::kEQ, error_);
  }
  // After a call made without the runtime (no ActiveForm records it): an error also gets the
  // call's line in its backtrace, out of line.
  void CheckDirectCallError(const ir::Instr& call) {
    Label line = a_.newLabel();
    a_.cmp(a64::x0, Imm(static_cast<int64_t>(kErrorOop)));
    a_.b(CondCode::kEQ, line);
    Oop form = call.imm;
    Defer([this, line, form] {
      a_.bind(line);
      a_.mov(a64::x0, kVm);
      MoveOop(a64::x1, form);
      CallRuntime(Address(&AddCallLine));
      a_.b(error_);
    });
  }
  // The Frame's address for a runtime call, after completing its fields.
  void LeaFrame(const a64::GpX& r) {
    if (current_frame_ != 0) {
      // An inlined call's Frame: its slots, nslots and context were set by its enterinline and
      // are the runtime's to change; the rest is constant.
      const int32_t k = current_frame_;
      const ir::InlineFrame& frame = f_.inline_frames[k - 1];
      MoveImmediate(kScratch2, static_cast<uint64_t>(frame.level));
      a_.str(kScratch2, InlineFrameField(k, offsetof(Frame, level)));
      MoveOop(kScratch2, frame.env);
      a_.str(kScratch2, InlineFrameField(k, offsetof(Frame, env)));
      MoveOop(kScratch2, frame.home);
      a_.str(kScratch2, InlineFrameField(k, offsetof(Frame, home)));
      a_.str(a64::xzr, InlineFrameField(k, offsetof(Frame, self)));  // (an inlined call: no Expr)
      AddressInFrame(r, inline_frame_offset_ + static_cast<int32_t>(sizeof(Frame) * (k - 1)));
      return;
    }
    a_.str(kSlots, FrameField(offsetof(Frame, slots)));
    MoveImmediate(kScratch2, static_cast<uint64_t>(f_.nslots));
    a_.str(kScratch2, FrameField(offsetof(Frame, nslots)));
    MoveImmediate(kScratch2, static_cast<uint64_t>(f_.level));
    a_.str(kScratch2, FrameField(offsetof(Frame, level)));
    MoveOop(kScratch2, f_.env);
    a_.str(kScratch2, FrameField(offsetof(Frame, env)));
    a_.ldr(kScratch2, FrameField(offsetof(Frame, self)));
    a_.ldr(kScratch2, a64::ptr(kScratch2, SlotOffset(expr::kCtx)));
    a_.str(kScratch2, FrameField(offsetof(Frame, home)));
    AddressInFrame(r, frame_offset_);
  }
  // After a runtime call that received the Frame. An inlined call's Frame was passed instead
  // of the function's own, whose slots therefore stayed where they were (and the inlined call's
  // slots pointer is read at each use).
  void ReloadSlots() {
    if (current_frame_ == 0) a_.ldr(kSlots, FrameField(offsetof(Frame, slots)));
  }

  // Jumps to `not_object` unless x is a heap object (not nil, not a fixnum).
  void RequireObject(const a64::GpX& x, const Label& not_object) {
    a_.tst(x, Imm(7));
    a_.b(CondCode::kNE, not_object);
    a_.cbz(x, not_object);
  }
  // Sets the flags of (the object's type) - type.
  void CompareType(const a64::GpX& object, uint32_t type) {
    a_.ldr(kScratch3.w(), a64::ptr(object));
    a_.cmp(kScratch3.w(), Imm(type));
  }

  void Emit(const ir::Instr& in) {
    switch (in.op) {
      case Opcode::kConst: {
        if (alloc_.location[in.result].kind == Location::kNone || skip_const_.contains(in.result)) {
          break;
        }
        a64::GpX r = Def(in.result);
        MoveOop(r, in.imm);
        Commit(in.result, r);
        break;
      }
      case Opcode::kLoadSlot: {
        a64::GpX r = Def(in.result);
        a_.ldr(r, SlotMem(in.aux));
        Commit(in.result, r);
        break;
      }
      case Opcode::kParam: {
        // Both entries leave the arguments in the slots (this backend's direct entry takes them
        // in the caller's buffer): the start of block 0 reads them there.
        if (alloc_.location[in.result].kind == Location::kNone) break;
        a64::GpX r = Def(in.result);
        a_.ldr(r, SlotMem(f_.param_slots[in.aux]));
        Commit(in.result, r);
        break;
      }
      case Opcode::kStoreSlot: {
        a64::GpX v = Use(in.args[0], kScratch);
        a_.str(v, SlotMem(in.aux));
        if (use_count_[in.result] > 0) StoreResult(in.result, v);
        break;
      }
      case Opcode::kLoadGlobal: {
        a64::GpX r = Def(in.result);
        MoveOop(kScratch2, in.imm);
        a_.ldr(r, a64::ptr(kScratch2, SlotOffset(variable::kValue)));
        Commit(in.result, r);
        break;
      }
      case Opcode::kStoreGlobal: {
        // As AssignGlobal: a watched Variable given a different value advances the epoch.
        Label done = a_.newLabel();
        a64::GpX v = Use(in.args[0], kScratch);
        MoveOop(kScratch2, in.imm);
        a_.ldr(kScratch3, a64::ptr(kScratch2, SlotOffset(variable::kValue)));
        a_.str(v, a64::ptr(kScratch2, SlotOffset(variable::kValue)));
        a_.cmp(kScratch3, v);
        a_.b(CondCode::kEQ, done);
        a_.ldr(kScratch3, a64::ptr(kScratch2, SlotOffset(variable::kWatched)));
        a_.cbz(kScratch3, done);
        a_.ldr(kScratch3, a64::ptr(kVm, kVmGlobalEpochOffset));
        a_.add(kScratch3, kScratch3, Imm(1));
        a_.str(kScratch3, a64::ptr(kVm, kVmGlobalEpochOffset));
        a_.bind(done);
        break;
      }
      case Opcode::kLoadVar:
        MoveOop(a64::x0, in.imm);
        LeaFrame(a64::x1);
        CallRuntime(Address(&LoadOuterVariable));
        StoreResult(in.result, a64::x0);
        break;
      case Opcode::kStoreVar:
        LoadInto(kScratch3, in.args[0]);
        a_.mov(a64::x0, kVm);
        MoveOop(a64::x1, in.imm);
        a_.mov(a64::x2, kScratch3);
        LeaFrame(a64::x3);
        CallRuntime(Address(&StoreOuterVariable));
        CheckError();
        break;
      case Opcode::kDefine:
        LoadInto(a64::x2, in.args[0]);
        MoveOop(a64::x1, in.imm);
        a_.mov(a64::x0, kVm);
        CallRuntime(Address(&DefineGlobal));
        StoreResult(in.result, a64::x0);
        break;
      case Opcode::kNameValue: {
        // Only Exprs and Forms get names: test inline, call out for them.
        Label done = a_.newLabel();
        Label name = a_.newLabel();
        LoadInto(kScratch, in.args[0]);
        RequireObject(kScratch, done);
        CompareType(kScratch, kExprType);
        a_.b(CondCode::kEQ, name);
        a_.cmp(kScratch3.w(), Imm(kFormType));
        a_.b(CondCode::kNE, done);
        a_.bind(name);
        a_.mov(a64::x0, kScratch);
        MoveOop(a64::x1, in.imm);
        CallRuntime(Address(&NameValueIfUnnamed));
        a_.bind(done);
        break;
      }
      case Opcode::kGlobalIs: {
        a64::GpX r = Def(in.result);
        EmitGlobalCompare(in);
        a_.cset(r, Imm(CondCode::kEQ));
        Commit(in.result, r);
        break;
      }
      case Opcode::kGuardsHold:
        EmitGuardsHold(in);
        break;
      case Opcode::kIsFixed: {
        Label done = a_.newLabel();
        a64::GpX r = Def(in.result);
        LoadInto(kScratch2, in.args[0]);
        a_.mov(r, a64::xzr);
        if (in.imm2 != kNil) {  // the value it had when compiled is not a Fixed
          MoveOop(kScratch3, in.imm2);
          a_.cmp(kScratch2, kScratch3);
          a_.b(CondCode::kEQ, done);
        }
        RequireObject(kScratch2, done);
        CompareType(kScratch2, kFixedType);
        a_.cset(r, Imm(CondCode::kEQ));  // any non-nil word: only branched on
        a_.bind(done);
        Commit(in.result, r);
        break;
      }
      case Opcode::kCall:
        EmitCall(in);
        break;
      case Opcode::kPrimitive:
        EmitPrimitive(in, nullptr);
        break;
      case Opcode::kClosure:
        // The site's ClosureSite (0: none).
        if (in.aux == 0) {
          a_.mov(a64::x3, a64::xzr);
        } else {
          MoveWord(a64::x3, static_cast<uint64_t>(in.aux));
        }
        CallWithFrame(Address(&MakeClosure), in.imm, in.result);
        break;
      case Opcode::kApplyFixed:
        LoadInto(kScratch3, in.args[0]);
        a_.mov(a64::x0, kVm);
        a_.mov(a64::x1, kScratch3);
        MoveOop(a64::x2, in.imm);
        LeaFrame(a64::x3);
        CallRuntime(Address(&ApplyFixed));
        FinishFrameCall(in.result);
        break;
      case Opcode::kEvalForm:
        CallWithFrame(Address(&EvalForm), in.imm, in.result);
        break;
      case Opcode::kEvalAtom:
        a_.mov(a64::x0, kVm);
        MoveOop(a64::x1, in.imm);
        CallRuntime(Address(&EvalHookedAtom));
        CheckError();
        StoreResult(in.result, a64::x0);
        break;
      case Opcode::kEnterInline: {
        // A fresh activation of the inlined callee: its slots in the machine frame, no Context.
        const ir::InlineFrame& frame = f_.inline_frames[in.frame - 1];
        AddressInFrame(kScratch, inline_slots_offset_ +
                                     static_cast<int32_t>(8 * (frame.slot_base - f_.nslots)));
        a_.str(kScratch, InlineFrameField(in.frame, offsetof(Frame, slots)));
        MoveImmediate(kScratch, static_cast<uint64_t>(frame.nslots));
        a_.str(kScratch, InlineFrameField(in.frame, offsetof(Frame, nslots)));
        a_.str(a64::xzr, InlineFrameField(in.frame, offsetof(Frame, context)));
        break;
      }
      case Opcode::kPollInterrupt: {
        Label done = a_.newLabel();
        a_.ldrb(kScratch.w(), a64::ptr(kVm, kVmInterruptOffset));
        a_.cbz(kScratch.w(), done);
        a_.mov(a64::x0, kVm);
        CallRuntime(Address(&TakeInterrupt));
        a_.b(error_);
        a_.bind(done);
        break;
      }
      case Opcode::kJump:
        EmitJump(in);
        break;
      case Opcode::kBranch: {
        a64::GpX c = Use(in.args[0], kScratch);
        a_.cmp(c, Imm(0));
        BranchTo(CondCode::kNE, in.targets[0], in.targets[1]);
        break;
      }
      case Opcode::kReturn:
        LoadInto(a64::x0, in.args[0]);
        a_.b(epilogue_);
        break;
    }
  }

  // Jumps to if_true when `cc` holds, else to if_false, falling through where possible.
  void BranchTo(CondCode cc, ir::BlockId if_true, ir::BlockId if_false) {
    if (if_false == next_block_[current_block_]) {
      a_.b(cc, labels_[if_true]);
    } else if (if_true == next_block_[current_block_]) {
      a_.b(asmjit::arm::negateCond(cc), labels_[if_false]);
    } else {
      a_.b(cc, labels_[if_true]);
      a_.b(labels_[if_false]);
    }
  }

  void EmitJump(const ir::Instr& in) {
    const ir::Block& target = f_.blocks[in.targets[0]];
    if (in.args.size() == 1) {
      ir::ValueId p = target.params[0];
      if (alloc_.location[p].kind != Location::kNone) {
        a64::GpX v = Use(in.args[0], kScratch);
        StoreResult(p, v);
      }
    } else if (!in.args.empty()) {
      // A parallel move through the frame's move area.
      for (size_t i = 0; i < in.args.size(); ++i) {
        a64::GpX v = Use(in.args[i], kScratch);  // before FrameSlot: both may use x15
        a_.str(v, FrameSlot(move_offset_ + 8 * static_cast<int32_t>(i)));
      }
      for (size_t i = 0; i < in.args.size(); ++i) {
        a_.ldr(kScratch, FrameSlot(move_offset_ + 8 * static_cast<int32_t>(i)));
        StoreResult(target.params[i], kScratch);
      }
    }
    if (in.targets[0] != next_block_[current_block_]) a_.b(labels_[in.targets[0]]);
  }

  // A constant fixnum or nil: an immediate operand of primitives and call arguments.
  bool IsFixnumConstant(ir::ValueId v) const {
    const ir::Instr* c = const_of_[v];
    return c != nullptr && (IsFixnum(c->imm) || c->imm == kNil);
  }
  int64_t ConstantWord(ir::ValueId v) const { return static_cast<int64_t>(const_of_[v]->imm); }

  void StoreArguments(const ir::Instr& in, size_t first) {
    for (size_t i = first; i < in.args.size(); ++i) {
      if (IsFixnumConstant(in.args[i])) {
        int64_t word = ConstantWord(in.args[i]);
        if (word == 0) {
          a_.str(a64::xzr, BufferSlot(i - first));
        } else {
          MoveImmediate(kScratch, static_cast<uint64_t>(word));
          a_.str(kScratch, BufferSlot(i - first));
        }
      } else {
        a64::GpX v = Use(in.args[i], kScratch);  // before BufferSlot: both may use x15
        a_.str(v, BufferSlot(i - first));
      }
    }
  }

  // The runtime's general call (x0 vm, x1 f, x2 args, x3 argc, x4 frame, x5 form); f in x1.
  void CallThroughRuntime(const ir::Instr& call) {
    a_.mov(a64::x0, kVm);
    AddressInFrame(a64::x2, buffer_offset_);
    MoveImmediate(a64::x3, static_cast<uint64_t>(call.args.size()) - 1);
    LeaFrame(a64::x4);
    MoveOop(a64::x5, call.imm);
    CallRuntime(Address(&CallFunction));
    ReloadSlots();
  }

  void EmitCall(const ir::Instr& in) {
    uint64_t argc = static_cast<uint64_t>(in.args.size()) - 1;
    StoreArguments(in, 1);
    // The function (a constant head is an immediate).
    if (const_of_[in.args[0]] != nullptr) {
      MoveOop(kScratch3, const_of_[in.args[0]]->imm);
    } else {
      LoadInto(kScratch3, in.args[0]);
    }
    Label slow = a_.newLabel();
    Label done = a_.newLabel();
    Oop known = in.imm2;
    if (known != kNil && Is(known, kExprType) && SlotCount(known) == expr::kSlots) {
      // The Expr the global held (checked before the operands): its entry, when compiled.
      a_.mov(a64::x0, kVm);
      a_.mov(a64::x1, kScratch3);
      AddressInFrame(a64::x2, buffer_offset_);
      // (The direct entry does not read argc; the slow path sets its own.)
      // (Tier 1 code calls itself through the Expr: its recursion moves to its successor.)
      const bool through_direct_entry =
          (known != f_.expr || f_.counts_calls) && DirectCallSlots(in) > 0;
      const bool direct = IsDirectSelfCall(f_, in) || through_direct_entry;
      if (!direct) MoveImmediate(a64::x3, argc);
      if (IsDirectSelfCall(f_, in)) {
        a_.bl(direct_entry_);  // self-recursion past the arity check
      } else if (through_direct_entry) {
        // Compiled code always has the direct entry then: none means not compiled (yet).
        a_.ldr(kScratch, a64::ptr(a64::x1, SlotOffset(expr::kDirectEntry)));
        a_.cbz(kScratch, slow);
        a_.blr(kScratch);
      } else if (known == f_.expr) {
        a_.bl(entry_);  // self-recursion: this very code
      } else {
        a_.ldr(kScratch, a64::ptr(a64::x1, SlotOffset(expr::kEntry)));
        a_.cbz(kScratch, slow);
        a_.blr(kScratch);
      }
      CheckDirectCallError(in);
      const ir::Instr* call = &in;
      Defer([call, slow, done, this] {
        a_.bind(slow);
        MoveOop(a64::x1, call->imm2);
        CallThroughRuntime(*call);
        CheckError();
        a_.b(done);
      });
    } else if (known != kNil && IsSubr(known) && SubrOf(known)->kind == SubrKind::kPrimitive &&
               (SubrOf(known)->arity < 0 || SubrOf(known)->arity == static_cast<int64_t>(argc))) {
      // A core primitive: its C function, directly (PrimitiveFn: vm, args, argc, caller).
      a_.mov(a64::x0, kVm);
      AddressInFrame(a64::x1, buffer_offset_);
      MoveImmediate(a64::x2, argc);
      LeaFrame(a64::x3);
      CallRuntime(Address(SubrOf(known)->imp));
      ReloadSlots();
      CheckDirectCallError(in);
    } else if (ffi::ForeignStub stub = ForeignStubFor(known); stub != nullptr) {
      // A foreign Subr: its signature's stub (converts, calls, boxes; errors fall back to the
      // runtime's libffi path inside the stub). It never receives the Frame.
      a_.mov(a64::x0, kVm);
      MoveOop(a64::x1, known);
      AddressInFrame(a64::x2, buffer_offset_);
      MoveImmediate(a64::x3, argc);
      CallRuntime(Address(stub));
      CheckDirectCallError(in);
    } else {
      // A compiled Expr is called directly through its entry; anything else goes to the runtime.
      RequireObject(kScratch3, slow);
      a_.ldr(kScratch, a64::ptr(kScratch3));
      MoveImmediate(kScratch2, kCoreExprHeader);
      a_.cmp(kScratch, kScratch2);
      a_.b(CondCode::kNE, slow);
      a_.ldr(kScratch, a64::ptr(kScratch3, SlotOffset(expr::kEntry)));
      a_.cbz(kScratch, slow);
      a_.mov(a64::x0, kVm);
      a_.mov(a64::x1, kScratch3);
      AddressInFrame(a64::x2, buffer_offset_);
      MoveImmediate(a64::x3, argc);
      a_.blr(kScratch);
      CheckDirectCallError(in);
      a_.b(done);
      a_.bind(slow);
      a_.mov(a64::x1, kScratch3);
      CallThroughRuntime(in);
      CheckError();
    }
    a_.bind(done);  // every path checked its result for the error
    StoreResult(in.result, a64::x0);
  }

  bool FusesWithBranch(const ir::Instr& in, const ir::Instr& next) const {
    return in.op == Opcode::kPrimitive && IsComparison(static_cast<PrimitiveOp>(in.aux)) &&
           FeedsBranch(in, next);
  }

  bool FeedsBranch(const ir::Instr& in, const ir::Instr& next) const {
    return next.op == Opcode::kBranch && next.args[0] == in.result && use_count_[in.result] == 1;
  }

  // Non-nil when the Vm's global epoch is the one the guard record last validated; else the
  // record is revalidated out of line, with every allocatable register preserved (this is not a
  // call point for the register allocator).
  void EmitGuardsHold(const ir::Instr& in) {
    a64::GpX r = Def(in.result);
    if (f_.guard_record == 0) {
      a_.mov(r, a64::xzr);
      Commit(in.result, r);
      return;
    }
    Label slow = a_.newLabel();
    Label join = a_.newLabel();
    MoveWord(kScratch, f_.guard_record);
    a_.ldr(kScratch, a64::ptr(kScratch, offsetof(GuardRecord, validated_epoch)));
    a_.ldr(kScratch2, a64::ptr(kVm, kVmGlobalEpochOffset));
    a_.cmp(kScratch, kScratch2);
    a_.b(CondCode::kNE, slow);
    MoveImmediate(r, 1);
    Commit(in.result, r);
    a_.bind(join);
    ir::ValueId result = in.result;
    if (!revalidate_used_) {
      revalidate_used_ = true;
      revalidate_ = a_.newLabel();
    }
    Defer([this, slow, join, result] {
      a_.bind(slow);
      a_.bl(revalidate_);  // (the link register is the frame record's to restore)
      StoreResult(result, kScratch);
      a_.b(join);
    });
  }

  // The function's one out-of-line answer to "do the guards hold?" (EmitRevalidateGuardsBody,
  // with this function's record): the process-wide helper's, or a copy of its own.
  void EmitRevalidateGuards() {
    a_.bind(revalidate_);
    MoveWord(kScratch3, f_.guard_record);
    if (helpers_ != nullptr) {
      MoveConstant(a_, kScratch, helpers_->revalidate_guards);
      a_.br(kScratch);
      return;
    }
    EmitRevalidateGuardsBody(a_, [this](const a64::GpX& r, uint64_t w) { MoveWord(r, w); });
  }

  void EmitGlobalCompare(const ir::Instr& in) {
    MoveOop(kScratch2, in.imm);
    a_.ldr(kScratch2, a64::ptr(kScratch2, SlotOffset(variable::kValue)));
    MoveOop(kScratch, in.imm2);
    a_.cmp(kScratch2, kScratch);
  }

  void EmitIsFixedBranch(const ir::Instr& test, const ir::Instr& branch) {
    const Label& not_fixed = labels_[branch.targets[1]];
    LoadInto(kScratch2, test.args[0]);
    if (test.imm2 != kNil) {  // the value it had when compiled is not a Fixed
      MoveOop(kScratch, test.imm2);
      a_.cmp(kScratch2, kScratch);
      a_.b(CondCode::kEQ, not_fixed);
    }
    RequireObject(kScratch2, not_fixed);
    CompareType(kScratch2, kFixedType);
    BranchTo(CondCode::kEQ, branch.targets[0], branch.targets[1]);
  }

  static CondCode ConditionOf(PrimitiveOp op) {
    switch (op) {
      case PrimitiveOp::kLt:
        return CondCode::kLT;
      case PrimitiveOp::kLe:
        return CondCode::kLE;
      case PrimitiveOp::kGt:
        return CondCode::kGT;
      case PrimitiveOp::kGe:
        return CondCode::kGE;
      case PrimitiveOp::kEq:
        return CondCode::kEQ;
      default:
        return CondCode::kNE;
    }
  }

  // Sets t (the symbol) or nil in `r` by `cc`.
  void MaterialiseCondition(const a64::GpX& r, CondCode cc) {
    MoveOop(kScratch3, symbol_t_);
    a_.csel(r, kScratch3, a64::xzr, Imm(cc));
  }

  // The inline fast path of a core primitive, guarded by the identity of the global's value
  // (late binding: a redefined primitive takes the general path). With `branch`, a comparison
  // branches directly instead of producing t or nil.
  void EmitPrimitive(const ir::Instr& in, const ir::Instr* branch) {
    auto op = static_cast<PrimitiveOp>(in.aux);
    Label slow = a_.newLabel();
    Label done = a_.newLabel();
    if (op == PrimitiveOp::kCons) {
      // The allocator, directly (a call point: nothing lives in caller-saved registers here).
      LoadOperand(kScratch, in.args[0]);
      LoadOperand(kScratch2, in.args[1]);
      a_.mov(a64::x0, kVm);
      a_.mov(a64::x1, kScratch);
      a_.mov(a64::x2, kScratch2);
      CallRuntime(Address(&AllocatePair));
      CheckError();
      StoreResult(in.result, a64::x0);
      return;
    }
    if (op >= PrimitiveOp::kBitAnd) {
      EmitBitOrAccessPrimitive(in, slow);
      EmitPrimitiveGeneralCase(in, nullptr, slow, done);
      return;
    }
    bool const_a = IsFixnumConstant(in.args[0]);
    bool const_b = in.args.size() > 1 && IsFixnumConstant(in.args[1]);
    int64_t imm_b = const_b ? ConstantWord(in.args[1]) : 0;
    // Operands are read where they are (three-operand instructions need no copies).
    a64::GpX a = kScratch;
    a64::GpX b = kScratch2;
    if (const_a) {
      MoveImmediate(kScratch, static_cast<uint64_t>(ConstantWord(in.args[0])));
    } else {
      a = Use(in.args[0], kScratch);
    }
    // A constant right operand of + - and comparisons is an instruction's immediate when the
    // 12-bit field holds it.
    auto fits = [](int64_t v) { return v >= -4095 && v <= 4095; };
    bool b_immediate = const_b && IsFixnum(static_cast<Oop>(imm_b)) &&
                       (((op == PrimitiveOp::kAdd || op == PrimitiveOp::kSub) && fits(imm_b - 1)) ||
                        (IsComparison(op) && fits(imm_b)));
    if (in.args.size() > 1 && !b_immediate) {
      if (const_b) {
        MoveImmediate(kScratch2, static_cast<uint64_t>(imm_b));
      } else {
        b = Use(in.args[1], kScratch2);
      }
    }
    // kScratch = a + delta, setting the flags.
    auto add_immediate = [this, &a](int64_t delta) {
      if (delta >= 0) {
        a_.adds(kScratch, a, Imm(delta));
      } else {
        a_.subs(kScratch, a, Imm(-delta));
      }
    };
    // Constant operands are known (fixnums or nil): only the others are tested.
    auto require_fixnums = [&] {
      if ((!const_a || !IsFixnum(const_of_[in.args[0]]->imm)) && !KnownFixnum(in, 0)) {
        a_.tst(a, Imm(1));
        a_.b(CondCode::kEQ, slow);
      }
      if ((!const_b || !IsFixnum(static_cast<Oop>(imm_b))) && !KnownFixnum(in, 1)) {
        a_.tst(b, Imm(1));
        a_.b(CondCode::kEQ, slow);
      }
    };
    ir::ValueId result = in.result;
    switch (op) {
      case PrimitiveOp::kAdd:
        require_fixnums();
        // (2x+1) + (2y+1) - 1
        if (b_immediate) {
          add_immediate(imm_b - 1);
        } else {
          a_.sub(kScratch3, b, Imm(1));
          a_.adds(kScratch, a, kScratch3);
        }
        if (!in.no_overflow) a_.b(CondCode::kVS, slow);
        StoreResult(result, kScratch);
        break;
      case PrimitiveOp::kSub:
        require_fixnums();
        // (2x+1) - (2y+1) + 1
        if (b_immediate) {
          add_immediate(1 - imm_b);
          if (!in.no_overflow) a_.b(CondCode::kVS, slow);
        } else {
          a_.subs(kScratch, a, b);
          if (!in.no_overflow) a_.b(CondCode::kVS, slow);
          a_.orr(kScratch, kScratch, Imm(1));
        }
        StoreResult(result, kScratch);
        break;
      case PrimitiveOp::kMul:
        // x * (2y) = 2xy exactly when the high half is the sign extension of the low half.
        require_fixnums();
        a_.asr(kScratch3, a, Imm(1));
        a_.sub(kScratch, b, Imm(1));
        a_.smulh(kScratch2, kScratch3, kScratch);
        a_.mul(kScratch, kScratch3, kScratch);
        if (!in.no_overflow) {
          a_.cmp(kScratch2, kScratch, asmjit::arm::asr(63));
          a_.b(CondCode::kNE, slow);
        }
        a_.orr(kScratch, kScratch, Imm(1));
        StoreResult(result, kScratch);
        break;
      case PrimitiveOp::kLt:
      case PrimitiveOp::kLe:
      case PrimitiveOp::kGt:
      case PrimitiveOp::kGe:
      case PrimitiveOp::kEq:
      case PrimitiveOp::kNe:
        require_fixnums();
        // Tagged fixnums order like their values.
        if (b_immediate) {
          CompareImmediate(a, imm_b);
        } else {
          a_.cmp(a, b);
        }
        if (branch != nullptr) {
          BranchTo(ConditionOf(op), branch->targets[0], branch->targets[1]);
        } else {
          MaterialiseCondition(kScratch, ConditionOf(op));
          StoreResult(result, kScratch);
        }
        break;
      case PrimitiveOp::kCar:
      case PrimitiveOp::kCdr: {
        Label not_nil = a_.newLabel();
        a_.tst(a, Imm(7));
        a_.b(CondCode::kNE, slow);
        a_.cbnz(a, not_nil);
        StoreResult(result, a64::xzr);  // (car ()) and (cdr ()) are ()
        a_.b(done);
        a_.bind(not_nil);
        CompareType(a, kPairType);
        a_.b(CondCode::kNE, slow);
        a_.ldr(kScratch,
               a64::ptr(a, SlotOffset(op == PrimitiveOp::kCar ? pair::kHead : pair::kTail)));
        StoreResult(result, kScratch);
        break;
      }
      case PrimitiveOp::kNot:
        a_.cmp(a, Imm(0));
        MaterialiseCondition(kScratch, CondCode::kEQ);
        StoreResult(result, kScratch);
        break;
      case PrimitiveOp::kPairP: {
        Label no = a_.newLabel();
        a_.tst(a, Imm(7));
        a_.b(CondCode::kNE, no);
        a_.cbz(a, no);
        CompareType(a, kPairType);
        MaterialiseCondition(kScratch, CondCode::kEQ);
        StoreResult(result, kScratch);
        a_.b(done);
        a_.bind(no);
        StoreResult(result, a64::xzr);
        break;
      }
      default:
        break;
    }
    EmitPrimitiveGeneralCase(in, branch, slow, done);
  }

  // The general case of an inline primitive, out of line (from `slow`): the primitive itself (the
  // global was checked before the operands were evaluated) with the arguments. The fast path
  // ends at `done`, bound here.
  void EmitPrimitiveGeneralCase(const ir::Instr& in, const ir::Instr* branch, const Label& slow,
                                const Label& done) {
    auto op = static_cast<PrimitiveOp>(in.aux);
    const ir::Instr* instr = &in;
    Defer([this, instr, branch, op, slow, done] {
      a_.bind(slow);
      StoreArguments(*instr, 0);
      a_.mov(a64::x0, kVm);
      MoveOop(a64::x1, instr->imm2);
      AddressInFrame(a64::x2, buffer_offset_);
      MoveImmediate(a64::x3, static_cast<uint64_t>(instr->args.size()));
      LeaFrame(a64::x4);
      MoveOop(a64::x5, instr->form);
      CallRuntime(Address(&CallFunction));
      ReloadSlots();
      CheckError();
      if (branch != nullptr && IsComparison(op)) {
        a_.cbnz(a64::x0, labels_[branch->targets[0]]);
        a_.b(labels_[branch->targets[1]]);
        return;
      }
      StoreResult(instr->result, a64::x0);
      a_.b(done);
    });
    if (branch == nullptr || !IsComparison(op)) a_.bind(done);
  }

  // An operand in `r`: a constant as an immediate, else from its register or spill slot.
  void LoadOperand(const a64::GpX& r, ir::ValueId v) {
    if (IsFixnumConstant(v)) {
      MoveImmediate(r, static_cast<uint64_t>(ConstantWord(v)));
    } else {
      LoadInto(r, v);
    }
  }

  // Whether in's operand i is known to be a fixnum (jit/passes/fixnum_types.cc).
  static bool KnownFixnum(const ir::Instr& in, size_t i) { return (in.fixnum_args >> i) & 1; }
  // Branches to `slow` unless r holds operand v of `in`, a fixnum (a constant fixnum operand, or
  // one known to be a fixnum, is not tested).
  void RequireFixnum(const a64::GpX& r, const ir::Instr& in, ir::ValueId v, const Label& slow) {
    if (IsFixnumConstant(v) && IsFixnum(static_cast<Oop>(ConstantWord(v)))) return;
    for (size_t i = 0; i < in.args.size(); ++i) {
      if (in.args[i] == v && KnownFixnum(in, i)) return;
    }
    a_.tst(r, Imm(1));
    a_.b(CondCode::kEQ, slow);
  }

  // r = 2r + 1: a fixnum from a value known to fit.
  void Tag(const a64::GpX& r) {
    a_.lsl(r, r, Imm(1));
    a_.orr(r, r, Imm(1));
  }

  // Bitwise operations, array and string elements, type-of: the fast path for fixnums and
  // in-range indices, computed in the scratch registers x16/x17 (and x15; the operands stay where
  // they are for the general case).
  void EmitBitOrAccessPrimitive(const ir::Instr& in, const Label& slow) {
    auto op = static_cast<PrimitiveOp>(in.aux);
    const ir::ValueId x = in.args[0];
    LoadOperand(kScratch, x);
    switch (op) {
      case PrimitiveOp::kBitAnd:
      case PrimitiveOp::kBitOr:
      case PrimitiveOp::kBitXor: {
        ir::ValueId y = in.args[1];
        LoadOperand(kScratch2, y);
        RequireFixnum(kScratch, in, x, slow);
        RequireFixnum(kScratch2, in, y, slow);
        // Tagged: (2a+1) & (2b+1) = 2(a&b)+1, the same for |; ^ clears the tag.
        if (op == PrimitiveOp::kBitAnd) a_.and_(kScratch, kScratch, kScratch2);
        if (op == PrimitiveOp::kBitOr) a_.orr(kScratch, kScratch, kScratch2);
        if (op == PrimitiveOp::kBitXor) {
          a_.eor(kScratch, kScratch, kScratch2);
          a_.orr(kScratch, kScratch, Imm(1));
        }
        break;
      }
      case PrimitiveOp::kBitNot:
        RequireFixnum(kScratch, in, x, slow);
        a_.mvn(kScratch, kScratch);  // -(2a+1)-1 = 2(~a): tag it again
        a_.orr(kScratch, kScratch, Imm(1));
        break;
      case PrimitiveOp::kShl:
      case PrimitiveOp::kShr: {
        ir::ValueId n = in.args[1];
        LoadOperand(kScratch2, n);
        RequireFixnum(kScratch, in, x, slow);
        RequireFixnum(kScratch2, in, n, slow);
        // Register shifts take the count modulo 64, as the primitives do.
        a_.asr(kScratch2, kScratch2, Imm(1));
        a_.asr(kScratch, kScratch, Imm(1));
        if (op == PrimitiveOp::kShr) {
          a_.asr(kScratch, kScratch, kScratch2);
        } else {
          // 64-bit wrap, then a boxed Long (the general case) when it leaves the fixnum range.
          a_.lsl(kScratch, kScratch, kScratch2);
          a_.lsl(kScratch3, kScratch, Imm(1));
          a_.asr(kScratch3, kScratch3, Imm(1));
          a_.cmp(kScratch3, kScratch);
          a_.b(CondCode::kNE, slow);
        }
        Tag(kScratch);
        break;
      }
      case PrimitiveOp::kArrayAt:
      case PrimitiveOp::kSetArrayAt:
      case PrimitiveOp::kStringAt: {
        ir::ValueId i = in.args[1];
        bool is_string = op == PrimitiveOp::kStringAt;
        LoadOperand(kScratch2, i);
        RequireObject(kScratch, slow);
        CompareType(kScratch, is_string ? kStringType : kArrayType);
        a_.b(CondCode::kNE, slow);
        RequireFixnum(kScratch2, in, i, slow);
        // Tagged indices compare like their values; unsigned, a negative one is out of range.
        a_.ldr(kScratch3, a64::ptr(kScratch, SlotOffset(is_string ? string::kSize : array::kSize)));
        a_.cmp(kScratch2, kScratch3);
        a_.b(CondCode::kHS, slow);
        a_.lsr(kScratch3, kScratch2, Imm(1));  // the index
        if (is_string) {
          // 32-bit signed characters.
          a_.ldr(kScratch, a64::ptr(kScratch, SlotOffset(string::kBits)));
          a_.ldrsw(kScratch, a64::ptr(kScratch, kScratch3, asmjit::arm::lsl(2)));
          Tag(kScratch);
          break;
        }
        // Element i of the storage: after its header, at 8 + 8i.
        a_.ldr(kScratch, a64::ptr(kScratch, SlotOffset(array::kStorage)));
        a_.add(kScratch, kScratch, kScratch3, asmjit::arm::lsl(3));
        if (op == PrimitiveOp::kArrayAt) {
          a_.ldr(kScratch, a64::ptr(kScratch, 8));
          break;
        }
        LoadOperand(kScratch2, in.args[2]);
        a_.str(kScratch2, a64::ptr(kScratch, 8));
        StoreResult(in.result, kScratch2);  // the value stored
        return;
      }
      case PrimitiveOp::kTypeOf: {
        Label object = a_.newLabel(), known = a_.newLabel(), not_nil = a_.newLabel();
        a_.tbz(kScratch, 0, object);
        MoveImmediate(kScratch, MakeFixnum(kLongType));
        a_.b(known);
        a_.bind(object);
        a_.tst(kScratch, Imm(7));
        a_.b(CondCode::kNE, slow);
        a_.cbnz(kScratch, not_nil);
        MoveImmediate(kScratch, MakeFixnum(kUndefinedType));
        a_.b(known);
        a_.bind(not_nil);
        a_.ldr(kScratch.w(), a64::ptr(kScratch));
        Tag(kScratch);
        a_.bind(known);
        break;
      }
      default:
        a_.b(slow);
        return;
    }
    StoreResult(in.result, kScratch);
  }

  // The stub for calls to `known` when it is a foreign Subr with a stub, else nullptr.
  ffi::ForeignStub ForeignStubFor(Oop known) const {
    if (foreign_stubs_ == nullptr || known == kNil || !IsSubr(known) ||
        SubrOf(known)->kind != SubrKind::kForeign) {
      return nullptr;
    }
    return foreign_stubs_->StubFor(known);
  }

  const ir::Function& f_;
  a64::Assembler& a_;
  Oop symbol_t_;  // predicates return the symbol t (interned once per process)
  ffi::ForeignStubs* foreign_stubs_;
  DataTable* table_;  // the words of this process the code holds or loads
  const A64Helpers* helpers_;
  bool revalidate_used_ = false;
  Label revalidate_;  // EmitRevalidateGuards, bound once revalidate_used_
  Allocation alloc_;
  std::vector<int> use_count_;
  std::vector<const ir::Instr*> const_of_;  // the kConst defining each value, or null
  absl::flat_hash_set<ir::ValueId> skip_const_;
  std::vector<uint32_t> saved_;                  // registers the prologue saves
  struct Deferred {
    int32_t frame;
    std::function<void()> emit;
  };
  std::vector<Deferred> deferred_;  // out-of-line code, emitted after the blocks
  Label entry_;
  Label direct_entry_;  // bound only when direct_entry_used_
  bool direct_entry_used_ = false;
  int32_t buffer_offset_ = 0, frame_offset_ = 0, slots_offset_ = 0, spill_offset_ = 0;
  int32_t inline_slots_offset_ = 0, inline_frame_offset_ = 0;
  int32_t move_offset_ = 0, frame_size_ = 0;
  Label error_;  // where an error of the current frame goes (frame_errors_[current_frame_])
  Label epilogue_;
  int32_t current_frame_ = 0;
  std::vector<Label> frame_errors_;  // 0: the function's error exit; k: inline frame k's
  std::vector<Label> labels_;
  int current_block_ = 0;
  std::vector<int> next_block_;  // the block emitted after each one (-1 for the last)
};

class A64Backend : public Backend {
 public:
  const char* name() const override { return "aarch64"; }

  bool InstallHelpers(CodeMemory& memory, std::string* error) override {
    if (installed_.installed()) return true;
    asmjit::CodeHolder code;
    code.init(asmjit::Environment(asmjit::Arch::kAArch64));
    ErrorCollector errors;
    code.setErrorHandler(&errors);
    Label revalidate, request;
    {
      a64::Assembler a(&code);
      auto move_word = [&a](const a64::GpX& r, uint64_t w) { MoveConstant(a, r, w); };
      revalidate = a.newLabel();
      request = a.newLabel();
      a.bind(revalidate);
      EmitRevalidateGuardsBody(a, move_word);
      a.bind(request);
      EmitRequestOptimizedCodeBody(a, move_word);
    }
    const bool ok = installed_.Install(code, errors, "maru_a64_helpers", memory, error);
    code.resetErrorHandler();
    if (!ok) return false;
    helpers_.revalidate_guards = installed_.AddressOf(code, revalidate);
    helpers_.request_optimized_code = installed_.AddressOf(code, request);
    return true;
  }

  bool PatchWords(uint8_t* code, size_t size, const std::vector<ImmediatePatch>& patches,
                  const std::vector<uint64_t>& words) const override {
    for (const ImmediatePatch& p : patches) {
      if (p.index >= words.size() || p.offset + 16 > size || p.offset % 4 != 0) return false;
      for (uint32_t i = 0; i < 4; ++i) {
        uint32_t insn;
        std::memcpy(&insn, code + p.offset + 4 * i, 4);
        // movz (i = 0) or movk, 64-bit, hw = i: only the 16-bit immediate changes.
        const uint32_t expected = (i == 0 ? 0xd2800000u : 0xf2800000u) | (i << 21);
        if ((insn & 0xffe00000u) != expected) return false;
        const auto chunk = static_cast<uint32_t>((words[p.index] >> (16 * i)) & 0xffff);
        insn = (insn & ~(0xffffu << 5)) | (chunk << 5);
        std::memcpy(code + p.offset + 4 * i, &insn, 4);
      }
    }
    return true;
  }

  bool Generate(const ir::Function& f, const BackendOptions& options, GeneratedCode* out,
                std::string* error) override {
    // Shared with out->write, which copies the code at installation.
    auto code = std::make_shared<asmjit::CodeHolder>();
    asmjit::Environment environment(asmjit::Arch::kAArch64);
    code->init(environment);
    ErrorCollector errors;
    code->setErrorHandler(&errors);
    asmjit::StringLogger logger;
    auto table = std::make_unique<DataTable>(options.words_in_table);
    if (options.assembly != nullptr) {
      logger.addFlags(asmjit::FormatFlags::kMachineCode);
      code->setLogger(&logger);
    }
    bool generated;
    {
      a64::Assembler a(code.get());
      // (Code with a data table may run in another process: it carries its own helpers.)
      const A64Helpers* helpers =
          installed_.installed() && !options.words_in_table ? &helpers_ : nullptr;
      A64Emitter emitter(f, a, options.foreign_stubs, table.get(), helpers);
      generated = emitter.Generate(error);
      if (generated && errors.error == asmjit::kErrorOk) code->flatten();
      if (generated && errors.error == asmjit::kErrorOk) code->resolveUnresolvedLinks();
      out->direct_entry = emitter.DirectEntryOffset(*code);
    }
    code->setLogger(nullptr);
    code->resetErrorHandler();
    if (!generated) return false;
    // The assembly up to a failure helps to see what failed.
    if (options.assembly != nullptr) options.assembly->append(logger.data(), logger.dataSize());
    if (errors.error != asmjit::kErrorOk) {
      *error = "code generation: " + errors.text;
      return false;
    }
    FinishGeneratedCode(code, *table, out);
    return true;
  }

 private:
  InstalledHelpers installed_;
  A64Helpers helpers_;  // (where installed_ put them)
};

}  // namespace

std::unique_ptr<Backend> NewA64Backend() { return std::make_unique<A64Backend>(); }

}  // namespace maru::jit
