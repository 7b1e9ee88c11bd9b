// IR -> x86-64 machine code with asmjit 1.9's x86::Assembler and our own register allocation
// (jit/backend/regalloc.h). asmjit's x86::Compiler was the first backend: it cost 85 us to compile
// fib and 600 us for a 131-node function, almost all in its register allocator; this one emits
// directly.
//
// Entry ABI (runtime/tier_up.h): Oop entry(Vm* vm, Oop self, const Oop* args, int64_t argc).
// A function with a direct entry (direct_entry.h) has a stub there that calls it.
//
// Layout of a function's code: the generic entry; the direct entry, which runs the frameless
// region first when there is one (the base case of a recursion: tests of the parameters and a
// return, before any frame exists; whatever else happens leaves through an exit that builds the
// frame and runs the block again) and then the prologue; the blocks; the slow paths.
//
// Registers: r15 = the Vm (kept from caller to callee through direct entries), r13 = the
// activation's slot array (reloaded after any runtime call that may move the slots to a heap
// Context), r10/r11 = scratch; rax rcx rdx rsi rdi r8 r9 hold values that do not live across calls,
// rbx r12 r14 those that do; rbp chains the frames. The frame (rsp-based): [argument buffer]
// [Frame][slots][inlined calls' slots and Frames][spill slots][saved caller-saved registers].
//
// The code is position independent: heap constants and runtime entry points (words of this
// process) are movabs immediates in memory, patchable in a copy for an identical function, or
// rip-relative loads from the module's data table for the dlopen kind (data_table.h); every call
// goes through a register, and branches stay inside the function.
#include <asmjit/x86.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <utility>
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
#include "runtime/env.h"
#include "runtime/heap.h"
#include "runtime/object.h"
#include "runtime/subr.h"
#include "runtime/vm.h"

namespace maru::jit {

namespace {

namespace x86 = asmjit::x86;
using asmjit::Imm;
using asmjit::Label;
using ir::Opcode;
using ir::PrimitiveOp;

template <typename Fn>
int64_t Address(Fn* fn) {
  return static_cast<int64_t>(reinterpret_cast<uintptr_t>(fn));
}

const x86::Gp kVm = x86::r15;
const x86::Gp kSlots = x86::r13;
const x86::Gp kScratch = x86::r10;
const x86::Gp kScratch2 = x86::r11;
// The direct entry's arguments (jit/backend/direct_entry.h), after the Vm (rdi) and self (rsi):
// where the C ABI would put them, and not the scratch registers, so a parallel move into them
// can break cycles through kScratch.
constexpr int kDirectArgRegisters[] = {x86::Gp::kIdDx, x86::Gp::kIdCx, 8, 9};
static_assert(std::size(kDirectArgRegisters) == kMaxDirectParams);

// Where the process-wide helpers (X64Backend::InstallHelpers) are: code in memory calls them
// instead of carrying its own copy. Their addresses are the same for every function a Jit
// compiles, so they are plain immediates, not words of the data table.
struct X64Helpers {
  uint64_t revalidate_guards = 0;
  uint64_t request_optimized_code = 0;
};

// The answer to "do the guards hold?" once the Vm's epoch moved, entered by a call with the
// function's GuardRecord in kScratch (the slow path of every kGuardsHold calls it): kScratch = 1
// when they do, else 0, with every register but kScratch2 kept. The record's last validated
// epoch answers without the runtime. `mov_word` loads a word of this process into a register.
template <typename MovWordFn>
void EmitRevalidateGuardsBody(x86::Assembler& a, MovWordFn mov_word) {
  static constexpr uint32_t kSaved[] = {
      x86::Gp::kIdAx, x86::Gp::kIdCx, x86::Gp::kIdDx, x86::Gp::kIdSi, x86::Gp::kIdDi, 8, 9};
  Label yes = a.newLabel();
  a.mov(kScratch2, x86::qword_ptr(kScratch, offsetof(GuardRecord, validated_epoch)));
  a.cmp(kScratch2, x86::qword_ptr(kVm, kVmGlobalEpochOffset));
  a.je(yes);
  // The call left rsp at 8 mod 16: seven pushes align the runtime call.
  for (auto id : kSaved) a.push(x86::gpq(id));
  a.mov(x86::rdi, kVm);
  a.mov(x86::rsi, kScratch);
  mov_word(x86::rax, Address(&RevalidateGuards));
  a.call(x86::rax);
  a.mov(kScratch, x86::rax);
  for (size_t i = std::size(kSaved); i-- > 0;) a.pop(x86::gpq(kSaved[i]));
  a.ret();
  a.bind(yes);
  a.mov(kScratch.r32(), Imm(1));
  a.ret();
}

// Tier 1 code's request for optimised code once its call countdown ran out, entered by a call
// at a function's entry (before the frame: rsp was 8 mod 16) with the GuardRecord in kScratch.
// The argument registers of either entry are kept.
template <typename MovWordFn>
void EmitRequestOptimizedCodeBody(x86::Assembler& a, MovWordFn mov_word) {
  static constexpr uint32_t kArguments[] = {
      x86::Gp::kIdDi, x86::Gp::kIdSi, x86::Gp::kIdDx, x86::Gp::kIdCx, 8, 9};
  for (auto id : kArguments) a.push(x86::gpq(id));
  a.mov(x86::rdi, kScratch);
  mov_word(x86::rax, Address(&RequestOptimizedCode));
  a.call(x86::rax);
  for (size_t i = std::size(kArguments); i-- > 0;) a.pop(x86::gpq(kArguments[i]));
  a.ret();
}

using BlockPair = std::pair<ir::BlockId, ir::BlockId>;

// A register's number as the allocator and the parallel moves count them.
int IdOf(const x86::Gp& r) { return static_cast<int>(r.id()); }

class X64Emitter {
 public:
  // `helpers`: the process-wide helpers, or nullptr for code carrying its own copies.
  X64Emitter(const ir::Function& f, x86::Assembler& a, ffi::ForeignStubs* foreign_stubs,
             DataTable* table, const X64Helpers* helpers)
      : f_(f),
        a_(a),
        symbol_t_(SymbolT()),
        foreign_stubs_(foreign_stubs),
        table_(table),
        helpers_(helpers) {}

  void Generate() {
    RegisterFile registers;
    registers.caller_saved = {
        x86::Gp::kIdAx, x86::Gp::kIdCx, x86::Gp::kIdDx, x86::Gp::kIdSi, x86::Gp::kIdDi, 8, 9};
    // rbp is the frame pointer (debuggers and profilers walk the rbp chain through JIT frames).
    registers.callee_saved = {x86::Gp::kIdBx, 12, 14};
    registers.param_registers.assign(std::begin(kDirectArgRegisters),
                                     std::end(kDirectArgRegisters));
    // The general cases of inline primitives save and restore the caller-saved registers in use
    // (EmitPrimitiveGeneralCase), so values live across arithmetic keep caller-saved registers.
    registers.primitives_preserve_registers = true;
    alloc_ = AllocateRegisters(f_, registers);
    for (const Location& loc : alloc_.location) {
      if (loc.kind == Location::kRegister &&
          std::find(registers.caller_saved.begin(), registers.caller_saved.end(), loc.index) !=
              registers.caller_saved.end() &&
          std::find(caller_saved_used_.begin(), caller_saved_used_.end(), loc.index) ==
              caller_saved_used_.end()) {
        caller_saved_used_.push_back(loc.index);
      }
    }
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
          int64_t unused;
          bool immediate_use =
              ((in.op == Opcode::kPrimitive || (in.op == Opcode::kCall && i > 0)) &&
               Immediate(v, &unused)) ||
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
    for (const ir::Block& b : f_.blocks) {
      for (const ir::Instr& in : b.instrs) {
        if (in.op == Opcode::kCall || in.op == Opcode::kPrimitive) {
          max_args = std::max<int>(max_args, static_cast<int>(in.args.size()));
        }
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
    // Where the general cases of inline primitives keep the caller-saved registers in use.
    save_offset_ = spill_offset_ + 8 * alloc_.spill_slots;
    frame_size_ = save_offset_ + 8 * static_cast<int32_t>(caller_saved_used_.size());
    // Six pushes and the return address leave rsp at 8 mod 16: keep calls 16-aligned.
    if (frame_size_ % 16 == 0) frame_size_ += 8;

    frame_errors_.resize(f_.inline_frames.size() + 1);
    for (Label& l : frame_errors_) l = a_.newLabel();
    SetFrame(0);
    epilogue_ = a_.newLabel();
    Label overflow = a_.newLabel();
    Label arity = a_.newLabel();

    // Prologue: r13 (slots), r15 (the Vm) unless the caller guarantees it (a function with a
    // direct entry: see below), and the callee-saved registers the allocator handed out.
    saved_ = {x86::r13.id()};
    if (!direct_entry_used_) saved_.push_back(x86::r15.id());
    for (int r : alloc_.callee_saved_used) saved_.push_back(r);
    // The return address, rbp and the pushes, plus the frame, keep calls 16-byte aligned.
    if ((16 + 8 * saved_.size() + frame_size_) % 16 != 0) frame_size_ += 8;
    // Tier 1 code counts its calls, before anything else at each entry (the arguments are still
    // in their registers: the out-of-line request keeps them).
    std::vector<std::pair<Label, Label>> hot_requests;  // (request, back)
    auto count_call = [&] {
      if (!f_.counts_calls || f_.guard_record == 0) return;
      Label request = a_.newLabel();
      Label back = a_.newLabel();
      MovWord(kScratch, f_.guard_record);
      a_.sub(x86::qword_ptr(kScratch, offsetof(GuardRecord, hot_countdown)), Imm(1));
      a_.jz(request);
      a_.bind(back);
      hot_requests.emplace_back(request, back);
    };
    auto open_frame = [&] {
      a_.push(x86::rbp);  // a standard frame: rbp chains the frames
      a_.mov(x86::rbp, x86::rsp);
      for (int r : saved_) a_.push(x86::gpq(r));
      a_.sub(x86::rsp, Imm(frame_size_));
      if (!direct_entry_used_) a_.mov(kVm, x86::rdi);
      // Stack guard: recursion too deep for the native stack is the error "stack overflow".
      a_.cmp(x86::rsp, x86::qword_ptr(kVm, kVmStackLimitOffset));
      a_.jb(overflow);
    };
    auto enter = [&] {
      count_call();
      open_frame();
    };
    direct_entry_ = a_.newLabel();
    entry_ = a_.newLabel();
    int64_t nparams = static_cast<int64_t>(f_.param_slots.size());
    // Both entries store the Frame fields that depend on the call (the others, home from self
    // among them, are written before each runtime call that receives the Frame: LeaFrame), and
    // give the locals that are not parameters nil.
    auto start_activation = [&] {
      a_.mov(FrameField(offsetof(Frame, self)), x86::rsi);
      a_.mov(FrameField(offsetof(Frame, context)), Imm(0));
      std::vector<bool> is_param(f_.nslots, false);
      for (int64_t s : f_.param_slots) is_param[s] = true;
      bool zeroed = false;
      for (int64_t i = 0; i < f_.nslots; ++i) {
        if (is_param[i]) continue;
        if (!zeroed) a_.xor_(kScratch2.r32(), kScratch2.r32());
        zeroed = true;
        a_.mov(x86::qword_ptr(kSlots, static_cast<int32_t>(i * 8)), kScratch2);
      }
    };
    // The parameters' values (ir kParam) the body uses.
    std::vector<std::pair<int64_t, ir::ValueId>> param_values;
    for (const ir::Instr& in : f_.blocks[0].instrs) {
      if (in.op != Opcode::kParam) break;
      if (alloc_.location[in.result].kind != Location::kNone) {
        param_values.emplace_back(in.aux, in.result);
      }
    }

    labels_.resize(f_.blocks.size());
    for (auto& l : labels_) l = a_.newLabel();
    std::vector<int> order = LayoutBlocks(f_);
    next_block_.assign(f_.blocks.size(), -1);
    for (size_t i = 0; i + 1 < order.size(); ++i) next_block_[order[i]] = order[i + 1];

    // The generic entry: rdi = the Vm, rsi = self, rdx = the arguments, rcx = their count.
    a_.bind(entry_);
    if (direct_entry_used_) {
      // A stub into the direct entry (jit/backend/direct_entry.h), which falls into the body:
      // direct calls, the hot ones, neither save nor set r15. (It opens a standard frame too:
      // debuggers find the frame of any pc of the function from the prologue at its start.)
      Label arity_stub = a_.newLabel();
      a_.push(x86::rbp);
      a_.mov(x86::rbp, x86::rsp);
      a_.cmp(x86::rcx, Imm(nparams));
      a_.jne(arity_stub);
      a_.push(kVm);
      a_.sub(x86::rsp, Imm(8));  // (calls 16-byte aligned)
      a_.mov(kVm, x86::rdi);
      // rdx, the first argument's register, is the buffer: loaded last.
      for (int64_t i = nparams; i-- > 0;) {
        a_.mov(x86::gpq(kDirectArgRegisters[i]),
               x86::qword_ptr(x86::rdx, static_cast<int32_t>(i * 8)));
      }
      a_.call(direct_entry_);
      a_.add(x86::rsp, Imm(8));
      a_.pop(kVm);
      a_.pop(x86::rbp);
      a_.ret();
      // rdi = vm, rsi = self, rdx = args, rcx = argc still hold the entry's arguments.
      a_.bind(arity_stub);
      a_.mov(x86::r8, Imm(nparams));
      CallRuntime(Address(&ArityMismatch));
      a_.mov(x86::eax, Imm(static_cast<int64_t>(kErrorOop)));
      a_.pop(x86::rbp);
      a_.ret();

      // The direct entry: r15 = the Vm (as everywhere in compiled code), rsi = self, the
      // arguments in kDirectArgRegisters.
      auto open_activation = [&] {
        open_frame();
        a_.lea(kSlots, FrameSlot(slots_offset_));
        for (int64_t i = 0; i < nparams; ++i) {
          a_.mov(x86::qword_ptr(kSlots, static_cast<int32_t>(i * 8)),
                 x86::gpq(kDirectArgRegisters[i]));
        }
        start_activation();
        std::vector<Move> moves;
        for (auto [index, value] : param_values) {
          const x86::Gp from = x86::gpq(kDirectArgRegisters[index]);
          if (InRegister(value)) {
            moves.push_back(
                {.dst = IdOf(RegisterOf(value)), .kind = Move::kRegister, .src = IdOf(from)});
          } else {
            a_.mov(StackOf(value), from);
          }
        }
        ParallelMove(std::move(moves));
      };
      a_.bind(direct_entry_);
      count_call();
      if (!EmitFramelessRegion(order, open_activation)) open_activation();
    } else {
      enter();
      // Arity, while self/args/argc are still in rsi/rdx/rcx.
      a_.cmp(x86::rcx, Imm(nparams));
      if (f_.rest_slot >= 0) {
        a_.jl(arity);
      } else {
        a_.jne(arity);
      }
      a_.lea(kSlots, FrameSlot(slots_offset_));
      for (int64_t i = 0; i < nparams; ++i) {
        a_.mov(kScratch, x86::qword_ptr(x86::rdx, static_cast<int32_t>(i * 8)));
        a_.mov(x86::qword_ptr(kSlots, static_cast<int32_t>(f_.param_slots[i] * 8)), kScratch);
      }
      start_activation();
      if (f_.rest_slot >= 0) {
        a_.mov(x86::rdi, kVm);
        a_.lea(x86::rsi, x86::ptr(x86::rdx, static_cast<int32_t>(nparams * 8)));
        a_.mov(x86::rdx, x86::rcx);
        a_.sub(x86::rdx, Imm(nparams));
        CallRuntime(Address(&MakeRestList));
        CheckError();
        a_.mov(x86::qword_ptr(kSlots, static_cast<int32_t>(f_.rest_slot * 8)), x86::rax);
      }
      // (From the slots: the argument registers may be where the values go.)
      for (auto [index, value] : param_values) {
        x86::Gp r = Def(value);
        a_.mov(r, x86::qword_ptr(kSlots, static_cast<int32_t>(f_.param_slots[index] * 8)));
        Commit(value, r);
      }
    }

    for (int b : order) {
      a_.bind(labels_[b]);
      current_block_ = b;
      ForgetFreshInlineFrames();
      const auto& instrs = f_.blocks[b].instrs;
      for (size_t i = 0; i < instrs.size(); ++i) {
        SetFrame(instrs[i].frame);
        if (!KeepsInlineSlotsInPlace(instrs[i].op)) ForgetFreshInlineFrames();
        current_position_ = alloc_.block_start[b] + 2 + 2 * static_cast<int>(i);
        // A test whose only use is the branch right after it branches directly.
        if (i + 1 < instrs.size() && instrs[i].op == Opcode::kGlobalIs &&
            FeedsBranch(instrs[i], instrs[i + 1])) {
          EmitGlobalCompare(instrs[i]);
          BranchTo(x86::CondCode::kE, instrs[i + 1].targets[0], instrs[i + 1].targets[1]);
          ++i;
          continue;
        }
        if (i + 1 < instrs.size() && instrs[i].op == Opcode::kGuardsHold &&
            FeedsBranch(instrs[i], instrs[i + 1])) {
          EmitGuardsHold(instrs[i], &instrs[i + 1]);
          ++i;
          continue;
        }
        if (i + 1 < instrs.size() && IsFixedThenBranch(instrs[i], instrs[i + 1])) {
          EmitIsFixedBranch(instrs[i], instrs[i + 1]);
          ++i;
          continue;
        }
        if (i + 1 < instrs.size() && FusesWithBranch(instrs[i], instrs[i + 1])) {
          EmitCompareAndBranch(instrs[i], instrs[i + 1]);
          ++i;
          continue;
        }
        Emit(instrs[i]);
      }
    }

    // Slow paths, out of line so that fast paths fall through.
    ForgetFreshInlineFrames();
    for (size_t i = 0; i < deferred_.size(); ++i) {
      SetFrame(deferred_[i].frame);
      deferred_[i].emit();
    }
    if (revalidate_used_) EmitRevalidateGuards();
    if (complete_frame_used_) EmitCompleteFrame();
    if (call_function_used_) EmitCallFunction();
    // Errors inside an inlined call gain its line, as when the callee returns one.
    for (size_t k = f_.inline_frames.size(); k > 0; --k) {
      const ir::InlineFrame& frame = f_.inline_frames[k - 1];
      a_.bind(frame_errors_[k]);
      a_.mov(x86::rdi, kVm);
      MovOop(x86::rsi, frame.call_form);
      CallRuntime(Address(&AddCallLine));
      a_.jmp(frame_errors_[frame.parent]);
    }
    SetFrame(0);

    if (!hot_requests.empty()) {
      // (kScratch still holds the record: the countdown's address.)
      Label local_request;
      if (helpers_ == nullptr) local_request = a_.newLabel();
      for (const auto& [request, back] : hot_requests) {
        a_.bind(request);
        if (helpers_ != nullptr) {
          a_.movabs(kScratch2, Imm(static_cast<int64_t>(helpers_->request_optimized_code)));
          a_.call(kScratch2);
        } else {
          a_.call(local_request);
        }
        a_.jmp(back);
      }
      if (helpers_ == nullptr) {
        a_.bind(local_request);
        EmitRequestOptimizedCodeBody(a_, [this](const x86::Gp& r, uint64_t w) { MovWord(r, w); });
      }
    }

    a_.bind(arity);
    // rdi = vm, rsi = self, rdx = args, rcx = argc still hold the entry's arguments.
    a_.mov(x86::r8, Imm(nparams));
    CallRuntime(Address(&ArityMismatch));
    a_.jmp(error_);
    a_.bind(overflow);
    a_.mov(x86::rdi, kVm);
    CallRuntime(Address(&StackOverflow));
    a_.bind(error_);
    a_.mov(x86::eax, Imm(static_cast<int64_t>(kErrorOop)));
    a_.bind(epilogue_);
    EmitEpilogue();
  }

  // Where the direct entry is in the flattened code (0: none).
  size_t DirectEntryOffset(const asmjit::CodeHolder& code) const {
    return direct_entry_used_ ? static_cast<size_t>(code.labelOffsetFromBase(direct_entry_)) : 0;
  }

 private:
  x86::Mem FrameSlot(int32_t offset) const { return x86::qword_ptr(x86::rsp, offset); }
  void EmitEpilogue() {
    if (frameless_) {
      a_.ret();
      return;
    }
    a_.add(x86::rsp, Imm(frame_size_));
    for (size_t i = saved_.size(); i-- > 0;) a_.pop(x86::gpq(saved_[i]));
    a_.pop(x86::rbp);
    a_.ret();
  }
  // A field of inline frame k's Frame (k >= 1).
  x86::Mem InlineFrameField(int32_t k, size_t field) const {
    return FrameSlot(inline_frame_offset_ + static_cast<int32_t>(sizeof(Frame) * (k - 1) + field));
  }
  // Performs `access` (one instruction) on slot `slot` of the activation. The function's own are
  // reached through kSlots (reloaded when the activation may have been materialised). An inlined
  // call's are at their place in the machine frame unless a runtime path materialised its
  // activation (its Frame then has a Context, and its slots pointer follows them): no test right
  // after its enterinline, else a test of the Context and an out-of-line access through the
  // pointer (a load through the pointer would make every access two dependent loads).
  template <typename Access>
  void AccessSlot(int64_t slot, Access access) {
    if (slot < f_.nslots) {
      access(x86::qword_ptr(kSlots, static_cast<int32_t>(slot * 8)));
      return;
    }
    const int32_t k = ir::InlineFrameOfSlot(f_, slot);
    const x86::Mem in_place =
        FrameSlot(inline_slots_offset_ + static_cast<int32_t>(8 * (slot - f_.nslots)));
    if (fresh_inline_frames_[k]) {
      access(in_place);
      return;
    }
    Label moved = a_.newLabel();
    Label back = a_.newLabel();
    a_.cmp(InlineFrameField(k, offsetof(Frame, context)), Imm(0));
    a_.jne(moved);
    access(in_place);
    a_.bind(back);
    const auto offset = static_cast<int32_t>(8 * (slot - f_.inline_frames[k - 1].slot_base));
    Defer([this, k, offset, moved, back, access] {
      a_.bind(moved);
      a_.mov(kScratch2, InlineFrameField(k, offsetof(Frame, slots)));
      access(x86::qword_ptr(kScratch2, offset));
      a_.jmp(back);
    });
  }
  // The frameless region: the blocks from the entry that run without the machine frame (the
  // base case of a recursion: tests of the parameters, then a return of one). The direct entry
  // runs them before the prologue, with the parameters where the caller put them; the rest of
  // the function, and every slow path of the region, is entered through an exit that builds the
  // activation and runs the block it left from the start (the region computes nothing that is
  // not recomputed: its blocks only test and return).
  //
  // Whether value v is a parameter in the register the direct entry receives it in.
  bool InArgumentRegister(ir::ValueId v) const {
    return param_index_[v] >= 0 && InRegister(v) &&
           RegisterOf(v).id() == static_cast<uint32_t>(kDirectArgRegisters[param_index_[v]]);
  }
  bool FramelessOperand(ir::ValueId v) const {
    int64_t unused;
    return InArgumentRegister(v) || Immediate(v, &unused);
  }
  bool FramelessBlock(ir::BlockId b) const {
    const auto& instrs = f_.blocks[b].instrs;
    for (size_t i = 0; i < instrs.size(); ++i) {
      const ir::Instr& in = instrs[i];
      if (in.frame != 0) return false;
      switch (in.op) {
        case Opcode::kParam:
          if (alloc_.location[in.result].kind != Location::kNone &&
              !InArgumentRegister(in.result)) {
            return false;
          }
          continue;
        case Opcode::kConst:
          if (alloc_.location[in.result].kind != Location::kNone &&
              !skip_const_.contains(in.result)) {
            return false;
          }
          continue;
        case Opcode::kGuardsHold:
          if (i + 1 == instrs.size() || !FeedsBranch(in, instrs[i + 1])) return false;
          ++i;
          continue;
        case Opcode::kPrimitive:
          if (i + 1 == instrs.size() || !FusesWithBranch(in, instrs[i + 1])) return false;
          for (ir::ValueId v : in.args) {
            if (!FramelessOperand(v)) return false;
          }
          ++i;
          continue;
        case Opcode::kBranch:
        case Opcode::kReturn:
          if (!InArgumentRegister(in.args[0])) return false;
          continue;
        case Opcode::kJump:
          if (in.args.empty()) continue;
          if (!ReturnsOnly(in.targets[0]) || in.args.size() != 1 ||
              !InArgumentRegister(in.args[0])) {
            return false;
          }
          continue;
        default:
          return false;
      }
    }
    return true;
  }
  // A block that only returns its parameter.
  bool ReturnsOnly(ir::BlockId b) const {
    const ir::Block& block = f_.blocks[b];
    return block.instrs.size() == 1 && block.instrs[0].op == Opcode::kReturn &&
           block.params.size() == 1 && block.instrs[0].args[0] == block.params[0];
  }
  // Emits the frameless region, if the function has one that returns, and its exits (each runs
  // `open_activation`, then its block). False when there is none.
  template <typename OpenActivation>
  bool EmitFramelessRegion(const std::vector<int>& order, OpenActivation open_activation) {
    constexpr size_t kMaxBlocks = 8;
    // (Not in tier 1 code, ir::Function::counts_calls, soon replaced: its compile stays short.)
    if (f_.counts_calls) return false;
    param_index_.assign(f_.value_count, -1);
    for (const ir::Instr& in : f_.blocks[0].instrs) {
      if (in.op == Opcode::kParam) param_index_[in.result] = static_cast<int>(in.aux);
    }
    in_region_.assign(f_.blocks.size(), false);
    std::vector<ir::BlockId> work = {0};
    size_t count = 0;
    bool returns = false;
    while (!work.empty()) {
      ir::BlockId b = work.back();
      work.pop_back();
      if (in_region_[b] || !FramelessBlock(b)) continue;
      if (++count > kMaxBlocks) return false;
      in_region_[b] = true;
      const ir::Instr& t = f_.blocks[b].instrs.back();
      returns |= t.op == Opcode::kReturn || (t.op == Opcode::kJump && !t.args.empty());
      for (ir::BlockId s : t.targets) {
        if (s >= 0) work.push_back(s);
      }
    }
    if (!in_region_[0] || !returns) return false;
    region_labels_.assign(f_.blocks.size(), Label());
    exit_labels_.assign(f_.blocks.size(), Label());
    std::vector<int> region_order;
    for (int b : order) {
      if (in_region_[b]) {
        region_order.push_back(b);
        region_labels_[b] = a_.newLabel();
      }
    }
    // (Block 0 first: the entry falls into it.)
    std::stable_partition(region_order.begin(), region_order.end(), [](int b) { return b == 0; });
    region_next_.assign(f_.blocks.size(), -1);
    for (size_t i = 0; i + 1 < region_order.size(); ++i) {
      region_next_[region_order[i]] = region_order[i + 1];
    }
    frameless_ = true;
    for (int b : region_order) {
      a_.bind(region_labels_[b]);
      current_block_ = b;
      const auto& instrs = f_.blocks[b].instrs;
      for (size_t i = 0; i < instrs.size(); ++i) {
        const ir::Instr& in = instrs[i];
        switch (in.op) {
          case Opcode::kParam:
          case Opcode::kConst:
            break;
          case Opcode::kGuardsHold:
            EmitGuardsHold(in, &instrs[++i]);
            break;
          case Opcode::kPrimitive:
            EmitCompareAndBranch(in, instrs[++i]);
            break;
          default:
            Emit(in);
        }
      }
    }
    frameless_ = false;
    for (size_t b = 0; b < exit_labels_.size(); ++b) {
      if (!exit_labels_[b].isValid()) continue;
      a_.bind(exit_labels_[b]);
      open_activation();
      a_.jmp(labels_[b]);
    }
    return true;
  }
  // Where code of the current mode goes to run block b, and the block it falls into.
  Label Target(ir::BlockId b) {
    if (!frameless_) return labels_[b];
    return in_region_[b] ? region_labels_[b] : Exit(b);
  }
  Label Exit(ir::BlockId b) {
    if (!exit_labels_[b].isValid()) exit_labels_[b] = a_.newLabel();
    return exit_labels_[b];
  }
  int NextBlock() const {
    return frameless_ ? region_next_[current_block_] : next_block_[current_block_];
  }

  void ForgetFreshInlineFrames() {
    if (!any_fresh_inline_frame_ && !fresh_inline_frames_.empty()) return;
    fresh_inline_frames_.assign(f_.inline_frames.size() + 1, false);
    any_fresh_inline_frame_ = false;
  }
  // Whether an inlined call's slots surely stay where its enterinline put them across `op`:
  // only runtime calls that receive its Frame can move them.
  static bool KeepsInlineSlotsInPlace(Opcode op) {
    return op == Opcode::kConst || op == Opcode::kParam || op == Opcode::kLoadSlot ||
           op == Opcode::kStoreSlot || op == Opcode::kEnterInline;
  }
  // The instructions that follow run in inline frame `frame` (0: the function's own).
  void SetFrame(int32_t frame) {
    current_frame_ = frame;
    error_ = frame_errors_[frame];
  }
  // Out-of-line code, emitted after the blocks in the frame of the instruction deferring it.
  void Defer(std::function<void()> emit) { deferred_.push_back({current_frame_, std::move(emit)}); }
  x86::Mem FrameField(size_t field) const {
    return x86::qword_ptr(x86::rsp, frame_offset_ + static_cast<int32_t>(field));
  }
  x86::Mem BufferSlot(size_t i) const {
    return x86::qword_ptr(x86::rsp, buffer_offset_ + static_cast<int32_t>(8 * i));
  }

  // A move into a register, part of a parallel move: from a register, memory or a constant.
  struct Move {
    int dst = 0;
    enum Kind : uint8_t { kRegister, kMemory, kConstant } kind = kRegister;
    int src = 0;       // kRegister
    x86::Mem memory;   // kMemory
    Oop value = kNil;  // kConstant
  };
  // The move that puts value v in register dst.
  Move MoveOf(int dst, ir::ValueId v) const {
    if (const_of_[v] != nullptr)
      return {.dst = dst, .kind = Move::kConstant, .value = const_of_[v]->imm};
    if (InRegister(v)) return {.dst = dst, .kind = Move::kRegister, .src = IdOf(RegisterOf(v))};
    return {.dst = dst, .kind = Move::kMemory, .memory = StackOf(v)};
  }
  // Performs the moves as if all at once (each destination at most once; no destination is a
  // scratch register): a move goes when no other still reads its destination, and a cycle of
  // register moves is broken through a scratch register.
  void ParallelMove(std::vector<Move> moves) {
    std::erase_if(moves, [](const Move& m) { return m.kind == Move::kRegister && m.src == m.dst; });
    auto read_by_other = [&](size_t i, int reg) {
      for (size_t j = 0; j < moves.size(); ++j) {
        if (j != i && moves[j].kind == Move::kRegister && moves[j].src == reg) return true;
      }
      return false;
    };
    while (!moves.empty()) {
      size_t ready = 0;
      while (ready < moves.size() && read_by_other(ready, moves[ready].dst)) ++ready;
      if (ready == moves.size()) {
        // Only cycles are left: the first destination's value moves to a free scratch register.
        const int d = moves[0].dst;
        const x86::Gp spare = read_by_other(moves.size(), kScratch.id()) ? kScratch2 : kScratch;
        a_.mov(spare, x86::gpq(d));
        for (Move& m : moves) {
          if (m.kind == Move::kRegister && m.src == d) m.src = IdOf(spare);
        }
        continue;
      }
      const Move& m = moves[ready];
      const x86::Gp dst = x86::gpq(m.dst);
      switch (m.kind) {
        case Move::kRegister:
          a_.mov(dst, x86::gpq(m.src));
          break;
        case Move::kMemory:
          a_.mov(dst, m.memory);
          break;
        case Move::kConstant:
          MovOop(dst, m.value);
          break;
      }
      moves.erase(moves.begin() + static_cast<std::ptrdiff_t>(ready));
    }
  }

  bool InRegister(ir::ValueId v) const { return alloc_.location[v].kind == Location::kRegister; }
  x86::Gp RegisterOf(ir::ValueId v) const { return x86::gpq(alloc_.location[v].index); }
  x86::Mem StackOf(ir::ValueId v) const {
    return FrameSlot(spill_offset_ + 8 * alloc_.location[v].index);
  }

  // A register holding v: its own, or `scratch` loaded from its spill slot.
  x86::Gp Use(ir::ValueId v, const x86::Gp& scratch) {
    if (InRegister(v)) return RegisterOf(v);
    a_.mov(scratch, StackOf(v));
    return scratch;
  }
  void LoadInto(const x86::Gp& r, ir::ValueId v) {
    if (InRegister(v)) {
      if (RegisterOf(v).id() != r.id()) a_.mov(r, RegisterOf(v));
    } else {
      a_.mov(r, StackOf(v));
    }
  }
  // The register to compute v in; Commit stores it when v lives on the stack.
  x86::Gp Def(ir::ValueId v) { return InRegister(v) ? RegisterOf(v) : kScratch; }
  void Commit(ir::ValueId v, const x86::Gp& r) {
    if (!InRegister(v)) a_.mov(StackOf(v), r);
  }
  void StoreResult(ir::ValueId v, const x86::Gp& r) {
    if (v == ir::kNoValue || alloc_.location[v].kind == Location::kNone) return;
    if (InRegister(v)) {
      if (RegisterOf(v).id() != r.id()) a_.mov(RegisterOf(v), r);
    } else {
      a_.mov(StackOf(v), r);
    }
  }

  // A runtime function (vm, constant, frame) whose result may be an error and which may move the
  // slots (it can run closures or the interpreter in this activation).
  void CallWithFrame(int64_t target, Oop constant, ir::ValueId result) {
    a_.mov(x86::rdi, kVm);
    MovOop(x86::rsi, constant);
    LeaFrame(x86::rdx);
    CallRuntime(target);
    FinishFrameCall(result);
  }
  void FinishFrameCall(ir::ValueId result) {
    CheckError();
    ReloadSlots();
    StoreResult(result, x86::rax);
  }

  // A word that only means something in this process (an address, the epoch): an immediate, or
  // a rip-relative load from the module's data table (jit/backend/data_table.h).
  void MovWord(const x86::Gp& r, uint64_t word) {
    uint32_t index = table_->IndexOf(word);
    if (!table_->in_table()) {
      // Always the 10-byte form, whose 8-byte immediate ends it: a copy can be patched.
      const size_t start = a_.offset();
      a_.movabs(r, Imm(static_cast<int64_t>(word)));
      if (a_.offset() - start == 10) {
        table_->AddPatch({static_cast<uint32_t>(a_.offset() - 8), index});
      } else {
        table_->MarkUnpatchable();
      }
      return;
    }
    a_.mov(r, x86::qword_ptr(x86::rip, 0));
    // The displacement ends the instruction; it counts from the next one.
    table_->AddFixup({.kind = objfile::FixupKind::kX86Pc32,
                      .offset = static_cast<uint32_t>(a_.offset() - 4),
                      .target = objfile::FixupTarget::kDataTable,
                      .index = index,
                      .addend = -4});
  }
  void MovOop(const x86::Gp& r, Oop value) {
    if (IsProcessWord(value)) {
      MovWord(r, value);
    } else {
      a_.mov(r, Imm(static_cast<int64_t>(value)));  // (leaves the flags alone, unlike xor)
    }
  }

  void CallRuntime(int64_t target) {
    MovWord(x86::rax, static_cast<uint64_t>(target));
    a_.call(x86::rax);
  }
  void CheckError() {
    a_.cmp(x86::rax, Imm(static_cast<int64_t>(kErrorOop)));
    a_.je(error_);
  }
  // After a call made without the runtime (no ActiveForm records it): an error also gets the
  // call's line in its backtrace, out of line.
  void CheckDirectCallError(const ir::Instr& call) {
    Label line = a_.newLabel();
    a_.cmp(x86::rax, Imm(static_cast<int64_t>(kErrorOop)));
    a_.je(line);
    Oop form = call.imm;
    Defer([this, line, form] {
      a_.bind(line);
      a_.mov(x86::rdi, kVm);
      MovOop(x86::rsi, form);
      CallRuntime(Address(&AddCallLine));
      a_.jmp(error_);
    });
  }
  // The Frame's address for a runtime call, after completing its fields.
  void LeaFrame(const x86::Gp& r) {
    if (current_frame_ != 0) {
      // An inlined call's Frame: its slots, nslots and context were set by its enterinline and
      // are the runtime's to change; the rest is constant.
      const int32_t k = current_frame_;
      const ir::InlineFrame& frame = f_.inline_frames[k - 1];
      a_.mov(InlineFrameField(k, offsetof(Frame, level)), Imm(frame.level));
      MovOop(kScratch2, frame.env);
      a_.mov(InlineFrameField(k, offsetof(Frame, env)), kScratch2);
      MovOop(kScratch2, frame.home);
      a_.mov(InlineFrameField(k, offsetof(Frame, home)), kScratch2);
      a_.mov(InlineFrameField(k, offsetof(Frame, self)), Imm(0));  // (an inlined call: no Expr)
      a_.lea(r, InlineFrameField(k, 0));
      return;
    }
    // (One subroutine completes the function's own Frame for every slow path: code size is
    // compile time.)
    if (!complete_frame_used_) {
      complete_frame_used_ = true;
      complete_frame_ = a_.newLabel();
    }
    a_.call(complete_frame_);
    a_.lea(r, x86::ptr(x86::rsp, frame_offset_));
  }
  // The subroutine LeaFrame calls: the Frame fields the prologue leaves to slow paths. Called,
  // so rsp is 8 lower than in the body; it changes only kScratch2.
  void EmitCompleteFrame() {
    a_.bind(complete_frame_);
    EmitFrameFields(8);
    a_.ret();
  }
  // The subroutine CallThroughRuntime calls in the function's own frame: the runtime's general
  // call (CallFunction) of the function in rsi, with ecx arguments in the buffer and the call's
  // form in r9; the Frame completed and passed, the slots pointer reloaded after. Returns
  // CallFunction's result (the caller checks it for the error).
  void EmitCallFunction() {
    constexpr int32_t kBias = 16;  // the return address, and 8 to keep rsp aligned for the call
    a_.bind(call_function_);
    a_.sub(x86::rsp, Imm(8));
    EmitFrameFields(kBias);
    a_.mov(x86::rdi, kVm);
    a_.lea(x86::rdx, x86::ptr(x86::rsp, kBias + buffer_offset_));
    a_.lea(x86::r8, x86::ptr(x86::rsp, kBias + frame_offset_));
    CallRuntime(Address(&CallFunction));
    a_.add(x86::rsp, Imm(8));
    a_.mov(kSlots, x86::qword_ptr(
                       x86::rsp, 8 + frame_offset_ + static_cast<int32_t>(offsetof(Frame, slots))));
    a_.ret();
  }
  // Stores the Frame fields the prologue leaves to slow paths, rsp being `bias` lower than in
  // the body. Changes only kScratch2.
  void EmitFrameFields(int32_t bias) {
    auto field = [&](size_t f) {
      return x86::qword_ptr(x86::rsp, bias + frame_offset_ + static_cast<int32_t>(f));
    };
    a_.mov(field(offsetof(Frame, slots)), kSlots);
    a_.mov(field(offsetof(Frame, nslots)), Imm(f_.nslots));
    a_.mov(field(offsetof(Frame, level)), Imm(f_.level));
    MovOop(kScratch2, f_.env);
    a_.mov(field(offsetof(Frame, env)), kScratch2);
    a_.mov(kScratch2, field(offsetof(Frame, self)));
    a_.mov(kScratch2, x86::qword_ptr(kScratch2, SlotOffset(expr::kCtx)));
    a_.mov(field(offsetof(Frame, home)), kScratch2);
  }
  // After a runtime call that received the Frame. An inlined call's Frame was passed instead
  // of the function's own, whose slots therefore stayed where they were (and the inlined call's
  // slots pointer is read at each use).
  void ReloadSlots() {
    if (current_frame_ == 0) a_.mov(kSlots, FrameField(offsetof(Frame, slots)));
  }

  // Variables of enclosing activations (ir kLoadVar, kStoreVar) are reached inline along the
  // Context chain from the activation's home, with the runtime's checks (a Context at each hop,
  // bindings an Array long enough); the runtime answers every other case, out of line. Leaves the
  // bindings' storage in kScratch and returns the variable's offset there, or -1 (with no code)
  // when the variable is not one the inline path knows how to reach.
  int32_t EmitOuterBinding(Oop var, const Label& slow) {
    const int64_t level =
        current_frame_ == 0 ? f_.level : f_.inline_frames[current_frame_ - 1].level;
    const int64_t hops = level - VariableLevel(var);
    const int64_t index = VariableIndex(var);
    if (VariableLevel(var) == 0 || hops < 1 || index < 0 || index >= (int64_t{1} << 24)) return -1;
    const x86::Gp ctx = kScratch;
    if (current_frame_ == 0) {
      a_.mov(ctx, FrameField(offsetof(Frame, self)));
      a_.mov(ctx, x86::qword_ptr(ctx, SlotOffset(expr::kCtx)));
    } else {
      MovOop(ctx, f_.inline_frames[current_frame_ - 1].home);
    }
    auto require = [&](uint32_t type) {
      RequireObject(ctx, slow);
      a_.cmp(x86::dword_ptr(ctx), Imm(type));
      a_.jne(slow);
    };
    for (int64_t i = 1; i < hops; ++i) {
      require(kContextType);
      a_.mov(ctx, x86::qword_ptr(ctx, SlotOffset(context::kHome)));
    }
    require(kContextType);
    a_.mov(ctx, x86::qword_ptr(ctx, SlotOffset(context::kBindings)));
    require(kArrayType);
    // Tagged fixnums order like their values: size <= index goes to the runtime.
    a_.cmp(x86::qword_ptr(ctx, SlotOffset(array::kSize)),
           Imm(static_cast<int64_t>(MakeFixnum(index))));
    a_.jle(slow);
    a_.mov(ctx, x86::qword_ptr(ctx, SlotOffset(array::kStorage)));
    return SlotOffset(static_cast<int>(index));
  }
  void EmitLoadOuterVariable(const ir::Instr& in) {
    Label slow = a_.newLabel();
    Label done = a_.newLabel();
    const int32_t offset = EmitOuterBinding(in.imm, slow);
    if (offset >= 0) {
      x86::Gp r = Def(in.result);
      a_.mov(r, x86::qword_ptr(kScratch, offset));
      Commit(in.result, r);
      a_.bind(done);
    }
    const ir::Instr* instr = &in;
    auto call = [this, instr] {
      MovOop(x86::rdi, instr->imm);
      LeaFrame(x86::rsi);
      CallRuntime(Address(&LoadOuterVariable));
      StoreResult(instr->result, x86::rax);
    };
    if (offset < 0) {
      call();
      return;
    }
    Defer([this, call, slow, done] {
      a_.bind(slow);
      call();
      a_.jmp(done);
    });
  }
  void EmitStoreOuterVariable(const ir::Instr& in) {
    Label slow = a_.newLabel();
    Label done = a_.newLabel();
    const int32_t offset = EmitOuterBinding(in.imm, slow);
    if (offset >= 0) {
      a_.mov(x86::qword_ptr(kScratch, offset), Use(in.args[0], kScratch2));
      a_.bind(done);
    }
    const ir::Instr* instr = &in;
    auto call = [this, instr] {
      LoadInto(kScratch, instr->args[0]);
      a_.mov(x86::rdi, kVm);
      MovOop(x86::rsi, instr->imm);
      a_.mov(x86::rdx, kScratch);
      LeaFrame(x86::rcx);
      CallRuntime(Address(&StoreOuterVariable));
      CheckError();
    };
    if (offset < 0) {
      call();
      return;
    }
    Defer([this, call, slow, done] {
      a_.bind(slow);
      call();
      a_.jmp(done);
    });
  }

  // Jumps to `not_object` unless x is a heap object (not nil, not a fixnum).
  void RequireObject(const x86::Gp& x, const Label& not_object) {
    a_.test(x.r8(), Imm(7));
    a_.jnz(not_object);
    a_.test(x, x);
    a_.jz(not_object);
  }

  void Emit(const ir::Instr& in) {
    switch (in.op) {
      case Opcode::kConst: {
        if (alloc_.location[in.result].kind == Location::kNone || skip_const_.contains(in.result)) {
          break;
        }
        x86::Gp r = Def(in.result);
        if (in.imm == 0) {
          a_.xor_(r.r32(), r.r32());
        } else {
          MovOop(r, in.imm);
        }
        Commit(in.result, r);
        break;
      }
      case Opcode::kLoadSlot: {
        x86::Gp r = Def(in.result);
        AccessSlot(in.aux, [this, r](const x86::Mem& m) { a_.mov(r, m); });
        Commit(in.result, r);
        break;
      }
      case Opcode::kStoreSlot: {
        x86::Gp v = Use(in.args[0], kScratch);
        AccessSlot(in.aux, [this, v](const x86::Mem& m) { a_.mov(m, v); });
        if (use_count_[in.result] > 0) StoreResult(in.result, v);
        break;
      }
      case Opcode::kLoadGlobal: {
        x86::Gp r = Def(in.result);
        MovOop(kScratch2, in.imm);
        a_.mov(r, x86::qword_ptr(kScratch2, SlotOffset(variable::kValue)));
        Commit(in.result, r);
        break;
      }
      case Opcode::kStoreGlobal: {
        // As AssignGlobal: a watched Variable given a different value advances the epoch.
        Label done = a_.newLabel();
        x86::Gp v = Use(in.args[0], kScratch);
        MovOop(kScratch2, in.imm);
        a_.cmp(x86::qword_ptr(kScratch2, SlotOffset(variable::kValue)), v);
        a_.je(done);
        a_.mov(x86::qword_ptr(kScratch2, SlotOffset(variable::kValue)), v);
        a_.cmp(x86::qword_ptr(kScratch2, SlotOffset(variable::kWatched)), Imm(0));
        a_.je(done);
        a_.add(x86::qword_ptr(kVm, kVmGlobalEpochOffset), Imm(1));
        a_.bind(done);
        break;
      }
      case Opcode::kLoadVar:
        EmitLoadOuterVariable(in);
        break;
      case Opcode::kStoreVar:
        EmitStoreOuterVariable(in);
        break;
      case Opcode::kDefine:
        LoadInto(kScratch, in.args[0]);
        a_.mov(x86::rdi, kVm);
        MovOop(x86::rsi, in.imm);
        a_.mov(x86::rdx, kScratch);
        CallRuntime(Address(&DefineGlobal));
        StoreResult(in.result, x86::rax);
        break;
      case Opcode::kNameValue: {
        // Only Exprs and Forms get names: test inline, call out for them.
        Label done = a_.newLabel();
        Label name = a_.newLabel();
        LoadInto(kScratch, in.args[0]);
        RequireObject(kScratch, done);
        a_.mov(kScratch2.r32(), x86::dword_ptr(kScratch));
        a_.cmp(kScratch2.r32(), Imm(kExprType));
        a_.je(name);
        a_.cmp(kScratch2.r32(), Imm(kFormType));
        a_.jne(done);
        a_.bind(name);
        a_.mov(x86::rdi, kScratch);
        MovOop(x86::rsi, in.imm);
        CallRuntime(Address(&NameValueIfUnnamed));
        a_.bind(done);
        break;
      }
      case Opcode::kGlobalIs: {
        x86::Gp r = Def(in.result);
        EmitGlobalCompare(in);
        a_.setz(r.r8());
        a_.movzx(r.r32(), r.r8());
        Commit(in.result, r);
        break;
      }
      case Opcode::kGuardsHold:
        EmitGuardsHold(in, nullptr);
        break;
      case Opcode::kIsFixed: {
        // r may be the scratch register the test uses: it is written only once the answer is
        // known.
        Label no = a_.newLabel();
        Label done = a_.newLabel();
        x86::Gp r = Def(in.result);
        LoadInto(kScratch2, in.args[0]);
        if (in.imm2 != kNil) {  // the value it had when compiled is not a Fixed
          MovOop(kScratch, in.imm2);
          a_.cmp(kScratch2, kScratch);
          a_.je(no);
        }
        RequireObject(kScratch2, no);
        a_.cmp(x86::dword_ptr(kScratch2), Imm(kFixedType));
        a_.jne(no);
        a_.mov(r.r32(), Imm(1));  // any non-nil word: only branched on
        a_.jmp(done);
        a_.bind(no);
        a_.xor_(r.r32(), r.r32());
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
          a_.xor_(x86::ecx, x86::ecx);
        } else {
          MovWord(x86::rcx, static_cast<uint64_t>(in.aux));
        }
        CallWithFrame(Address(&MakeClosure), in.imm, in.result);
        break;
      case Opcode::kApplyFixed:
        LoadInto(kScratch, in.args[0]);
        a_.mov(x86::rdi, kVm);
        a_.mov(x86::rsi, kScratch);
        MovOop(x86::rdx, in.imm);
        LeaFrame(x86::rcx);
        CallRuntime(Address(&ApplyFixed));
        FinishFrameCall(in.result);
        break;
      case Opcode::kEvalForm:
        CallWithFrame(Address(&EvalForm), in.imm, in.result);
        break;
      case Opcode::kEvalAtom:
        a_.mov(x86::rdi, kVm);
        MovOop(x86::rsi, in.imm);
        CallRuntime(Address(&EvalHookedAtom));
        CheckError();
        StoreResult(in.result, x86::rax);
        break;
      case Opcode::kParam:  // delivered by the entries
        break;
      case Opcode::kEnterInline: {
        // A fresh activation of the inlined callee: its slots in the machine frame, no Context.
        const ir::InlineFrame& frame = f_.inline_frames[in.frame - 1];
        a_.lea(kScratch, FrameSlot(inline_slots_offset_ +
                                   static_cast<int32_t>(8 * (frame.slot_base - f_.nslots))));
        a_.mov(InlineFrameField(in.frame, offsetof(Frame, slots)), kScratch);
        a_.mov(InlineFrameField(in.frame, offsetof(Frame, nslots)), Imm(frame.nslots));
        a_.mov(InlineFrameField(in.frame, offsetof(Frame, context)), Imm(0));
        fresh_inline_frames_[in.frame] = true;
        any_fresh_inline_frame_ = true;
        break;
      }
      case Opcode::kPollInterrupt: {
        Label done = a_.newLabel();
        a_.cmp(x86::byte_ptr(kVm, kVmInterruptOffset), Imm(0));
        a_.je(done);
        a_.mov(x86::rdi, kVm);
        CallRuntime(Address(&TakeInterrupt));
        a_.jmp(error_);
        a_.bind(done);
        break;
      }
      case Opcode::kJump:
        EmitJump(in);
        break;
      case Opcode::kBranch: {
        x86::Gp c = Use(in.args[0], kScratch);
        a_.test(c, c);
        BranchTo(x86::CondCode::kNZ, in.targets[0], in.targets[1]);
        break;
      }
      case Opcode::kReturn:
        // Each return has its own epilogue (a jump fewer on every call).
        LoadInto(x86::rax, in.args[0]);
        EmitEpilogue();
        break;
    }
  }

  // Jumps to if_true when `cc` holds, else to if_false, falling through where possible.
  void BranchTo(x86::CondCode cc, ir::BlockId if_true, ir::BlockId if_false) {
    if (if_false == NextBlock()) {
      a_.j(cc, Target(if_true));
    } else if (if_true == NextBlock()) {
      a_.j(x86::negateCond(cc), Target(if_false));
    } else {
      a_.j(cc, Target(if_true));
      a_.jmp(Target(if_false));
    }
  }

  void EmitJump(const ir::Instr& in) {
    const ir::Block& target = f_.blocks[in.targets[0]];
    // A jump to a block that only returns returns itself (the base case of a recursion, say).
    const bool to_return = target.instrs.size() == 1 && target.instrs[0].op == Opcode::kReturn &&
                           in.targets[0] != NextBlock();
    if (to_return && in.args.size() == 1 && target.instrs[0].args[0] == target.params[0]) {
      LoadInto(x86::rax, in.args[0]);
      EmitEpilogue();
      return;
    }
    if (in.args.size() == 1) {
      ir::ValueId p = target.params[0];
      if (alloc_.location[p].kind != Location::kNone) {
        x86::Gp v = Use(in.args[0], kScratch);
        StoreResult(p, v);
      }
    } else if (!in.args.empty()) {
      // A parallel move through the stack.
      for (ir::ValueId v : in.args) a_.push(Use(v, kScratch));
      for (size_t i = in.args.size(); i-- > 0;) {
        a_.pop(kScratch);
        StoreResult(target.params[i], kScratch);
      }
    }
    if (to_return) {
      LoadInto(x86::rax, target.instrs[0].args[0]);
      EmitEpilogue();
      return;
    }
    if (in.targets[0] != NextBlock()) a_.jmp(Target(in.targets[0]));
  }

  // A constant fixnum (or nil) whose word fits a sign-extended 32-bit immediate.
  bool Immediate(ir::ValueId v, int64_t* value) const {
    const ir::Instr* c = const_of_[v];
    if (c == nullptr || !(IsFixnum(c->imm) || c->imm == kNil)) return false;
    auto word = static_cast<int64_t>(c->imm);
    if (word < INT32_MIN || word > INT32_MAX) return false;
    *value = word;
    return true;
  }

  void StoreArguments(const ir::Instr& in, size_t first) {
    for (size_t i = first; i < in.args.size(); ++i) {
      int64_t imm;
      if (Immediate(in.args[i], &imm)) {
        a_.mov(BufferSlot(i - first), Imm(imm));
      } else {
        a_.mov(BufferSlot(i - first), Use(in.args[i], kScratch));
      }
    }
  }

  // The runtime's general call (CallFunction) of the function in rsi with the `argc` arguments
  // in the buffer; `form` names the call in backtraces. Checks the result for the error.
  void CallThroughRuntime(int64_t argc, Oop form) {
    if (current_frame_ == 0) {
      // (One subroutine makes the call for every slow path of the function's own frame: code
      // size is compile time.)
      if (!call_function_used_) {
        call_function_used_ = true;
        call_function_ = a_.newLabel();
      }
      a_.mov(x86::ecx, Imm(argc));
      MovOop(x86::r9, form);
      a_.call(call_function_);
      CheckError();
      return;
    }
    a_.mov(x86::rdi, kVm);
    a_.lea(x86::rdx, BufferSlot(0));
    a_.mov(x86::ecx, Imm(argc));
    LeaFrame(x86::r8);
    MovOop(x86::r9, form);
    CallRuntime(Address(&CallFunction));
    ReloadSlots();
    CheckError();
  }

  // Calls the entry the Expr in `expr` holds in its native word `slot`, or jumps to `slow` when
  // it holds none.
  void CallEntryOf(const x86::Gp& expr, int slot, const Label& slow) {
    a_.mov(x86::rax, x86::qword_ptr(expr, SlotOffset(slot)));
    a_.test(x86::rax, x86::rax);
    a_.jz(slow);
    a_.call(x86::rax);
  }

  // A call of the known Expr through its direct entry (jit/backend/direct_entry.h): the
  // arguments in registers. When the callee has no code (not compiled yet, or its guards failed),
  // the runtime calls it with the arguments stored in the buffer.
  void EmitDirectCall(const ir::Instr& in) {
    const size_t argc = in.args.size() - 1;
    std::vector<Move> moves;
    moves.push_back({.dst = x86::Gp::kIdSi, .kind = Move::kConstant, .value = in.imm2});
    for (size_t i = 0; i < argc; ++i)
      moves.push_back(MoveOf(kDirectArgRegisters[i], in.args[i + 1]));
    ParallelMove(std::move(moves));
    Label slow = a_.newLabel();
    Label done = a_.newLabel();
    if (IsDirectSelfCall(f_, in)) {
      a_.call(direct_entry_);  // self-recursion past the arity check
    } else {
      // Compiled code always has the direct entry then: none means no code.
      CallEntryOf(x86::rsi, expr::kDirectEntry, slow);
    }
    CheckDirectCallError(in);
    a_.bind(done);
    StoreResult(in.result, x86::rax);
    const ir::Instr* call = &in;
    Defer([call, slow, done, argc, this] {
      a_.bind(slow);
      for (size_t i = 0; i < argc; ++i) a_.mov(BufferSlot(i), x86::gpq(kDirectArgRegisters[i]));
      CallThroughRuntime(static_cast<int64_t>(argc), call->imm);  // (rsi: the callee still)
      a_.jmp(done);
    });
  }

  void EmitCall(const ir::Instr& in) {
    Oop known = in.imm2;
    bool known_expr = known != kNil && Is(known, kExprType) && SlotCount(known) == expr::kSlots;
    // (Tier 1 code calls itself through the Expr: its recursion moves to its successor.)
    if (known_expr && (IsDirectSelfCall(f_, in) ||
                       ((known != f_.expr || f_.counts_calls) && DirectCallSlots(in) > 0))) {
      EmitDirectCall(in);
      return;
    }
    int64_t argc = static_cast<int64_t>(in.args.size()) - 1;
    StoreArguments(in, 1);
    // The function (a constant head is an immediate; one that is the known Expr goes straight to
    // rsi).
    const ir::Instr* constant_head = const_of_[in.args[0]];
    bool head_in_rsi = known_expr && constant_head != nullptr && constant_head->imm == known;
    if (head_in_rsi) {
      MovOop(x86::rsi, known);
    } else if (constant_head != nullptr) {
      MovOop(kScratch, constant_head->imm);
    } else {
      LoadInto(kScratch, in.args[0]);
    }
    Label slow = a_.newLabel();
    Label done = a_.newLabel();
    Label generic = a_.newLabel();
    auto generic_path = [this, argc](const ir::Instr& call, const Label& slow, const Label& done) {
      // A compiled Expr is called directly through its entry; anything else goes to the runtime.
      a_.mov(x86::rdi, kVm);
      RequireObject(kScratch, slow);
      a_.mov(kScratch2, Imm(static_cast<int64_t>(kCoreExprHeader)));
      a_.cmp(x86::qword_ptr(kScratch), kScratch2);
      a_.jne(slow);
      a_.mov(x86::rax, x86::qword_ptr(kScratch, SlotOffset(expr::kEntry)));
      a_.test(x86::rax, x86::rax);
      a_.jz(slow);
      a_.mov(x86::rsi, kScratch);
      a_.lea(x86::rdx, BufferSlot(0));
      a_.mov(x86::ecx, Imm(argc));
      a_.call(x86::rax);
      CheckDirectCallError(call);
      a_.jmp(done);
      a_.bind(slow);
      a_.mov(x86::rsi, kScratch);
      CallThroughRuntime(argc, call.imm);
      a_.jmp(done);
    };
    if (known_expr) {
      // The Expr the global held (checked before the operands): its entry, when compiled.
      a_.mov(x86::rdi, kVm);
      if (!head_in_rsi) a_.mov(x86::rsi, kScratch);
      a_.lea(x86::rdx, BufferSlot(0));
      a_.mov(x86::ecx, Imm(argc));
      if (known == f_.expr) {
        a_.call(entry_);  // self-recursion: this very code
      } else {
        CallEntryOf(x86::rsi, expr::kEntry, slow);
      }
      CheckDirectCallError(in);
      const ir::Instr* call = &in;
      Defer([call, slow, done, this] {
        a_.bind(slow);
        MovOop(x86::rsi, call->imm2);
        CallThroughRuntime(static_cast<int64_t>(call->args.size()) - 1, call->imm);
        a_.jmp(done);
      });
    } else if (known != kNil && IsSubr(known) && SubrOf(known)->kind == SubrKind::kPrimitive &&
               (SubrOf(known)->arity < 0 || SubrOf(known)->arity == argc)) {
      // A core primitive: its C function, directly (PrimitiveFn: vm, args, argc, caller).
      a_.mov(x86::rdi, kVm);
      a_.lea(x86::rsi, BufferSlot(0));
      a_.mov(x86::edx, Imm(argc));
      LeaFrame(x86::rcx);
      CallRuntime(static_cast<int64_t>(reinterpret_cast<uintptr_t>(SubrOf(known)->imp)));
      ReloadSlots();
      CheckDirectCallError(in);
    } else if (ffi::ForeignStub stub = ForeignStubFor(known, argc); stub != nullptr) {
      // A foreign Subr: its signature's stub (converts, calls, boxes; errors fall back to the
      // runtime's libffi path inside the stub). It never receives the Frame.
      a_.mov(x86::rdi, kVm);
      MovOop(x86::rsi, known);
      a_.lea(x86::rdx, BufferSlot(0));
      a_.mov(x86::ecx, Imm(argc));
      CallRuntime(static_cast<int64_t>(reinterpret_cast<uintptr_t>(stub)));
      CheckDirectCallError(in);
    } else {
      generic_path(in, slow, done);
    }
    a_.bind(done);  // every path checked its result for the error
    StoreResult(in.result, x86::rax);
  }

  bool FusesWithBranch(const ir::Instr& in, const ir::Instr& next) const {
    return in.op == Opcode::kPrimitive && IsComparison(static_cast<PrimitiveOp>(in.aux)) &&
           next.op == Opcode::kBranch && next.args[0] == in.result && use_count_[in.result] == 1;
  }

  bool FeedsBranch(const ir::Instr& in, const ir::Instr& next) const {
    return next.op == Opcode::kBranch && next.args[0] == in.result && use_count_[in.result] == 1;
  }

  // Whether every guard of the function passes (ir kGuardsHold). Fast: the Vm's global epoch is
  // still the one the function was compiled at. Out of line: the epoch the guard record last
  // validated, then revalidation by the runtime, with every allocatable register preserved (this
  // is not a call point for the register allocator). With `branch` (the answer's only use), the
  // answer is branched on instead of produced.
  void EmitGuardsHold(const ir::Instr& in, const ir::Instr* branch) {
    if (f_.guard_record == 0) {  // no record: never known to hold
      if (branch != nullptr) {
        if (branch->targets[1] != NextBlock()) a_.jmp(Target(branch->targets[1]));
      } else {
        x86::Gp r = Def(in.result);
        a_.xor_(r.r32(), r.r32());
        Commit(in.result, r);
      }
      return;
    }
    Label slow = a_.newLabel();
    Label join = a_.newLabel();
    // The epoch is a word of this process like the others: a table word, or the immediate of
    // the compare (1 or 4 bytes: a copy of the code takes only epochs that fit).
    if (!table_->in_table() && f_.guard_epoch <= INT32_MAX) {
      uint32_t index = table_->IndexOf(f_.guard_epoch);
      const size_t start = a_.offset();
      a_.cmp(x86::qword_ptr(kVm, kVmGlobalEpochOffset), Imm(static_cast<int64_t>(f_.guard_epoch)));
      const size_t length = a_.offset() - start;  // REX, opcode, ModRM, disp8, immediate
      if (length == 5 || length == 8) {
        table_->AddPatch({static_cast<uint32_t>(a_.offset() - (length - 4)), index,
                          static_cast<uint8_t>(length - 4)});
      } else {
        table_->MarkUnpatchable();
      }
    } else {
      MovWord(kScratch, f_.guard_epoch);
      a_.cmp(x86::qword_ptr(kVm, kVmGlobalEpochOffset), kScratch);
    }
    if (frameless_) {
      // (The frame's slow path: from the start of the block, once there is a frame.)
      a_.jne(Exit(current_block_));
      if (branch->targets[0] != NextBlock()) a_.jmp(Target(branch->targets[0]));
      return;
    }
    a_.jne(slow);
    if (branch != nullptr) {
      if (branch->targets[0] != NextBlock()) a_.jmp(Target(branch->targets[0]));
    } else {
      x86::Gp r = Def(in.result);
      a_.mov(r.r32(), Imm(1));
      Commit(in.result, r);
      a_.bind(join);
    }
    ir::ValueId result = in.result;
    BlockPair targets =
        branch != nullptr ? BlockPair{branch->targets[0], branch->targets[1]} : BlockPair{-1, -1};
    if (!revalidate_used_) {
      revalidate_used_ = true;
      revalidate_ = a_.newLabel();
    }
    Defer([this, slow, join, result, targets] {
      a_.bind(slow);
      a_.call(revalidate_);
      if (targets.first >= 0) {
        a_.test(kScratch, kScratch);
        a_.jz(labels_[targets.second]);
        a_.jmp(labels_[targets.first]);
      } else {
        StoreResult(result, kScratch);
        a_.jmp(join);
      }
    });
  }

  // The function's one out-of-line answer to "do the guards hold?" (EmitRevalidateGuardsBody,
  // with this function's record): the process-wide helper's, or a copy of its own.
  void EmitRevalidateGuards() {
    a_.bind(revalidate_);
    MovWord(kScratch, f_.guard_record);
    if (helpers_ != nullptr) {
      a_.movabs(kScratch2, Imm(static_cast<int64_t>(helpers_->revalidate_guards)));
      a_.jmp(kScratch2);
      return;
    }
    EmitRevalidateGuardsBody(a_, [this](const x86::Gp& r, uint64_t w) { MovWord(r, w); });
  }

  // Sets ZF when the global holds the value it held when compiled.
  void EmitGlobalCompare(const ir::Instr& in) {
    MovOop(kScratch2, in.imm);
    MovOop(kScratch, in.imm2);
    a_.cmp(x86::qword_ptr(kScratch2, SlotOffset(variable::kValue)), kScratch);
  }

  bool IsFixedThenBranch(const ir::Instr& in, const ir::Instr& next) const {
    return in.op == Opcode::kIsFixed && next.op == Opcode::kBranch && next.args[0] == in.result &&
           use_count_[in.result] == 1;
  }

  void EmitIsFixedBranch(const ir::Instr& test, const ir::Instr& branch) {
    const Label& not_fixed = labels_[branch.targets[1]];
    LoadInto(kScratch2, test.args[0]);
    if (test.imm2 != kNil) {  // the value it had when compiled is not a Fixed
      MovOop(kScratch, test.imm2);
      a_.cmp(kScratch2, kScratch);
      a_.je(not_fixed);
    }
    RequireObject(kScratch2, not_fixed);
    a_.cmp(x86::dword_ptr(kScratch2), Imm(kFixedType));
    BranchTo(x86::CondCode::kE, branch.targets[0], branch.targets[1]);
  }

  static x86::CondCode ConditionOf(PrimitiveOp op) {
    switch (op) {
      case PrimitiveOp::kLt:
        return x86::CondCode::kL;
      case PrimitiveOp::kLe:
        return x86::CondCode::kLE;
      case PrimitiveOp::kGt:
        return x86::CondCode::kG;
      case PrimitiveOp::kGe:
        return x86::CondCode::kGE;
      case PrimitiveOp::kEq:
        return x86::CondCode::kE;
      default:
        return x86::CondCode::kNE;
    }
  }

  // (if (< a b) ...): no t/nil is made on the fast path.
  void EmitCompareAndBranch(const ir::Instr& compare, const ir::Instr& branch) {
    EmitPrimitive(compare, &branch);
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
      a_.mov(x86::rdi, kVm);
      a_.mov(x86::rsi, kScratch);
      a_.mov(x86::rdx, kScratch2);
      CallRuntime(Address(&AllocatePair));
      CheckError();
      StoreResult(in.result, x86::rax);
      return;
    }
    if (op >= PrimitiveOp::kBitAnd) {
      EmitBitOrAccessPrimitive(in, slow);
      EmitPrimitiveGeneralCase(in, nullptr, slow, done);
      return;
    }
    int64_t imm_a = 0, imm_b = 0;
    bool const_a = Immediate(in.args[0], &imm_a);
    bool const_b = in.args.size() > 1 && Immediate(in.args[1], &imm_b);
    // Arithmetic computes in the scratch registers; the other fast paths only read their
    // operands, in whatever register holds them.
    bool arithmetic = op == PrimitiveOp::kAdd || op == PrimitiveOp::kSub || op == PrimitiveOp::kMul;
    x86::Gp a = kScratch;
    x86::Gp b = kScratch2;
    // + and - compute straight into the result's register when it holds neither operand (the
    // general case still needs them); otherwise in scratch, then moved.
    x86::Gp sum = kScratch;
    if ((op == PrimitiveOp::kAdd || op == PrimitiveOp::kSub) && in.result != ir::kNoValue &&
        InRegister(in.result) && !const_a) {
      x86::Gp r = RegisterOf(in.result);
      bool clashes = false;
      for (ir::ValueId v : in.args) {
        if (InRegister(v) && RegisterOf(v).id() == r.id()) clashes = true;
      }
      if (!clashes) sum = r;
    }
    if (const_a) {
      a_.mov(kScratch, Imm(imm_a));
    } else if (arithmetic) {
      LoadInto(sum, in.args[0]);
      a = sum;  // the copy require_fixnums tests
    } else {
      a = Use(in.args[0], kScratch);
    }
    if (in.args.size() > 1 && !const_b) {
      if (op == PrimitiveOp::kMul) {
        LoadInto(kScratch2, in.args[1]);
      } else {
        b = Use(in.args[1], kScratch2);
      }
    }
    // Constant operands and those jit/passes/fixnum_types.cc found are known fixnums: only the
    // others are tested.
    auto require_fixnums = [&] {
      if ((!const_a || !IsFixnum(static_cast<Oop>(imm_a))) && !KnownFixnum(in, 0)) {
        a_.test(a.r8(), Imm(1));
        a_.jz(slow);
      }
      if ((!const_b || !IsFixnum(static_cast<Oop>(imm_b))) && !KnownFixnum(in, 1)) {
        if (const_b) a_.mov(kScratch2, Imm(imm_b));
        a_.test(b.r8(), Imm(1));
        a_.jz(slow);
      }
    };
    ir::ValueId result = in.result;
    switch (op) {
      case PrimitiveOp::kAdd:
        require_fixnums();
        if (const_b) {
          a_.add(sum, Imm(imm_b - 1));  // (2x+1) + (2y+1) - 1
        } else {
          a_.sub(sum, Imm(1));
          a_.add(sum, b);
        }
        if (!in.no_overflow) a_.jo(slow);
        StoreResult(result, sum);
        break;
      case PrimitiveOp::kSub:
        require_fixnums();
        if (const_b) {
          a_.sub(sum, Imm(imm_b - 1));  // (2x+1) - (2y+1) + 1
          if (!in.no_overflow) a_.jo(slow);
        } else {
          a_.sub(sum, b);
          if (!in.no_overflow) a_.jo(slow);
          a_.or_(sum, Imm(1));
        }
        StoreResult(result, sum);
        break;
      case PrimitiveOp::kMul:
        require_fixnums();
        if (const_b) a_.mov(kScratch2, Imm(imm_b));
        a_.sar(kScratch, Imm(1));
        a_.sub(kScratch2, Imm(1));
        a_.imul(kScratch, kScratch2);
        if (!in.no_overflow) a_.jo(slow);
        a_.or_(kScratch, Imm(1));
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
        if (const_b) {
          a_.cmp(a, Imm(imm_b));
        } else {
          a_.cmp(a, b);
        }
        if (branch != nullptr) {
          BranchTo(ConditionOf(op), branch->targets[0], branch->targets[1]);
        } else {
          Label yes = a_.newLabel();
          a_.j(ConditionOf(op), yes);
          a_.xor_(kScratch.r32(), kScratch.r32());
          StoreResult(result, kScratch);
          a_.jmp(done);
          a_.bind(yes);
          MovOop(kScratch, symbol_t_);
          StoreResult(result, kScratch);
        }
        break;
      case PrimitiveOp::kCar:
      case PrimitiveOp::kCdr: {
        Label not_nil = a_.newLabel();
        a_.test(a.r8(), Imm(7));
        a_.jnz(slow);
        a_.test(a, a);
        a_.jnz(not_nil);
        StoreResult(result, a);  // (car ()) and (cdr ()) are ()
        a_.jmp(done);
        a_.bind(not_nil);
        a_.cmp(x86::dword_ptr(a), Imm(kPairType));
        a_.jne(slow);
        a_.mov(kScratch,
               x86::qword_ptr(a, SlotOffset(op == PrimitiveOp::kCar ? pair::kHead : pair::kTail)));
        StoreResult(result, kScratch);
        break;
      }
      case PrimitiveOp::kNot: {
        Label was_nil = a_.newLabel();
        a_.test(a, a);
        a_.jz(was_nil);
        a_.xor_(kScratch.r32(), kScratch.r32());
        StoreResult(result, kScratch);
        a_.jmp(done);
        a_.bind(was_nil);
        MovOop(kScratch, symbol_t_);
        StoreResult(result, kScratch);
        break;
      }
      case PrimitiveOp::kPairP: {
        Label no = a_.newLabel();
        a_.test(a.r8(), Imm(7));
        a_.jnz(no);
        a_.test(a, a);
        a_.jz(no);
        a_.cmp(x86::dword_ptr(a), Imm(kPairType));
        a_.jne(no);
        MovOop(kScratch, symbol_t_);
        StoreResult(result, kScratch);
        a_.jmp(done);
        a_.bind(no);
        a_.xor_(kScratch.r32(), kScratch.r32());
        StoreResult(result, kScratch);
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
    if (frameless_) {
      // The general case runs with the frame: from the start of the block, once there is one.
      Label exit = Exit(current_block_);
      Defer([this, slow, exit] {
        a_.bind(slow);
        a_.jmp(exit);
      });
      if (branch == nullptr || !IsComparison(op)) a_.bind(done);
      return;
    }
    const ir::Instr* instr = &in;
    // This is no call point for the allocator: the caller-saved registers holding values needed
    // after it (not its operands' last uses, not its result) are kept in the frame across the
    // call.
    std::vector<std::pair<int, x86::Mem>> saved;
    const uint32_t kept = alloc_.kept_at[current_position_ / 2];
    for (size_t i = 0; i < caller_saved_used_.size(); ++i) {
      if ((kept >> caller_saved_used_[i]) & 1) {
        saved.emplace_back(caller_saved_used_[i],
                           FrameSlot(save_offset_ + 8 * static_cast<int32_t>(i)));
      }
    }
    Defer([this, instr, branch, op, slow, done, saved = std::move(saved)] {
      a_.bind(slow);
      const bool branches = branch != nullptr && IsComparison(op);
      for (const auto& [r, mem] : saved) a_.mov(mem, x86::gpq(r));
      StoreArguments(*instr, 0);
      MovOop(x86::rsi, instr->imm2);
      CallThroughRuntime(static_cast<int64_t>(instr->args.size()), instr->form);
      if (branches) {
        a_.test(x86::rax, x86::rax);  // (the moves back leave the flags alone)
        for (const auto& [r, mem] : saved) a_.mov(x86::gpq(r), mem);
        a_.jnz(labels_[branch->targets[0]]);
        a_.jmp(labels_[branch->targets[1]]);
        return;
      }
      StoreResult(instr->result, x86::rax);
      for (const auto& [r, mem] : saved) a_.mov(x86::gpq(r), mem);
      a_.jmp(done);
    });
    if (branch == nullptr || !IsComparison(op)) a_.bind(done);
  }

  // An operand in `r`: a constant as an immediate, else from its register or spill slot.
  void LoadOperand(const x86::Gp& r, ir::ValueId v) {
    int64_t imm;
    if (Immediate(v, &imm)) {
      a_.mov(r, Imm(imm));
    } else {
      LoadInto(r, v);
    }
  }

  // Whether in's operand i is known to be a fixnum (jit/passes/fixnum_types.cc).
  static bool KnownFixnum(const ir::Instr& in, size_t i) { return (in.fixnum_args >> i) & 1; }
  // Jumps to `slow` unless r holds operand v of `in`, a fixnum (a constant fixnum operand, or one
  // known to be a fixnum, is not tested).
  void RequireFixnum(const x86::Gp& r, const ir::Instr& in, ir::ValueId v, const Label& slow) {
    int64_t imm;
    if (Immediate(v, &imm) && IsFixnum(static_cast<Oop>(imm))) return;
    for (size_t i = 0; i < in.args.size(); ++i) {
      if (in.args[i] == v && KnownFixnum(in, i)) return;
    }
    a_.test(r.r8(), Imm(1));
    a_.jz(slow);
  }

  // Jumps to `slow` unless r holds an object of the given type.
  void RequireType(const x86::Gp& r, uint32_t type, const Label& slow) {
    RequireObject(r, slow);
    a_.cmp(x86::dword_ptr(r), Imm(type));
    a_.jne(slow);
  }

  // Bitwise operations, array and string elements, type-of: the fast path for fixnums and
  // in-range indices, computed in the scratch registers (the operands stay where they are for
  // the general case). Shifts are inline only by a constant count.
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
        if (op == PrimitiveOp::kBitAnd) a_.and_(kScratch, kScratch2);
        if (op == PrimitiveOp::kBitOr) a_.or_(kScratch, kScratch2);
        if (op == PrimitiveOp::kBitXor) {
          a_.xor_(kScratch, kScratch2);
          a_.or_(kScratch, Imm(1));
        }
        break;
      }
      case PrimitiveOp::kBitNot:
        RequireFixnum(kScratch, in, x, slow);
        a_.xor_(kScratch, Imm(-2));  // every bit but the tag
        break;
      case PrimitiveOp::kShl:
      case PrimitiveOp::kShr: {
        int64_t count;
        if (!Immediate(in.args[1], &count) || !IsFixnum(static_cast<Oop>(count))) {
          a_.jmp(slow);
          return;
        }
        int shift = static_cast<int>(FixnumValue(static_cast<Oop>(count)) & 63);
        RequireFixnum(kScratch, in, x, slow);
        a_.sar(kScratch, Imm(1));
        if (op == PrimitiveOp::kShr) {
          if (shift > 0) a_.sar(kScratch, Imm(shift));
        } else {
          // 64-bit wrap, then a boxed Long (the general case) when it leaves the fixnum range.
          if (shift > 0) a_.shl(kScratch, Imm(shift));
          a_.lea(kScratch2, x86::ptr(kScratch, kScratch, 0));
          a_.sar(kScratch2, Imm(1));
          a_.cmp(kScratch2, kScratch);
          a_.jne(slow);
        }
        a_.lea(kScratch, x86::ptr(kScratch, kScratch, 0, 1));
        break;
      }
      case PrimitiveOp::kArrayAt:
      case PrimitiveOp::kSetArrayAt:
      case PrimitiveOp::kStringAt: {
        ir::ValueId i = in.args[1];
        bool is_string = op == PrimitiveOp::kStringAt;
        LoadOperand(kScratch2, i);
        RequireType(kScratch, is_string ? kStringType : kArrayType, slow);
        RequireFixnum(kScratch2, in, i, slow);
        // Tagged indices compare like their values; unsigned, a negative one is out of range.
        a_.cmp(kScratch2,
               x86::qword_ptr(kScratch, SlotOffset(is_string ? string::kSize : array::kSize)));
        a_.jae(slow);
        if (is_string) {
          // 32-bit signed characters: element i at chars + 4i = chars + 2(2i+1) - 2.
          a_.mov(kScratch, x86::qword_ptr(kScratch, SlotOffset(string::kBits)));
          a_.movsxd(kScratch, x86::dword_ptr(kScratch, kScratch2, 1, -2));
          a_.lea(kScratch, x86::ptr(kScratch, kScratch, 0, 1));
          break;
        }
        // Element i of the storage at 8 + 8i = 4(2i+1) + 4.
        a_.mov(kScratch, x86::qword_ptr(kScratch, SlotOffset(array::kStorage)));
        if (op == PrimitiveOp::kArrayAt) {
          a_.mov(kScratch, x86::qword_ptr(kScratch, kScratch2, 2, 4));
          break;
        }
        a_.lea(kScratch, x86::ptr(kScratch, kScratch2, 2, 4));
        LoadOperand(kScratch2, in.args[2]);
        a_.mov(x86::qword_ptr(kScratch), kScratch2);
        StoreResult(in.result, kScratch2);  // the value stored
        return;
      }
      case PrimitiveOp::kTypeOf: {
        Label object = a_.newLabel(), known = a_.newLabel();
        a_.test(kScratch.r8(), Imm(1));
        a_.jz(object);
        a_.mov(kScratch, Imm(static_cast<int64_t>(MakeFixnum(kLongType))));
        a_.jmp(known);
        a_.bind(object);
        a_.test(kScratch.r8(), Imm(7));
        a_.jnz(slow);
        Label not_nil = a_.newLabel();
        a_.test(kScratch, kScratch);
        a_.jnz(not_nil);
        a_.mov(kScratch, Imm(static_cast<int64_t>(MakeFixnum(kUndefinedType))));
        a_.jmp(known);
        a_.bind(not_nil);
        a_.mov(kScratch.r32(), x86::dword_ptr(kScratch));
        a_.lea(kScratch, x86::ptr(kScratch, kScratch, 0, 1));
        a_.bind(known);
        break;
      }
      default:
        a_.jmp(slow);
        return;
    }
    StoreResult(in.result, kScratch);
  }

  // The stub for calls to `known` when it is a foreign Subr with a stub, else nullptr.
  ffi::ForeignStub ForeignStubFor(Oop known, int64_t /*argc*/) const {
    if (foreign_stubs_ == nullptr || known == kNil || !IsSubr(known) ||
        SubrOf(known)->kind != SubrKind::kForeign) {
      return nullptr;
    }
    return foreign_stubs_->StubFor(known);
  }

  const ir::Function& f_;
  x86::Assembler& a_;
  Oop symbol_t_;  // predicates return the symbol t (interned once per process)
  ffi::ForeignStubs* foreign_stubs_;
  DataTable* table_;  // the words of this process the code holds or loads
  const X64Helpers* helpers_;
  Allocation alloc_;
  std::vector<int> use_count_;
  std::vector<const ir::Instr*> const_of_;  // the kConst defining each value, or null
  absl::flat_hash_set<ir::ValueId> skip_const_;
  std::vector<int> saved_;                       // registers the prologue pushes
  struct Deferred {
    int32_t frame;
    std::function<void()> emit;
  };
  std::vector<Deferred> deferred_;  // out-of-line code, emitted after the blocks
  Label entry_;
  Label direct_entry_;  // bound only when direct_entry_used_
  bool direct_entry_used_ = false;
  int32_t buffer_offset_ = 0, frame_offset_ = 0, slots_offset_ = 0, spill_offset_ = 0;
  int32_t inline_slots_offset_ = 0, inline_frame_offset_ = 0, save_offset_ = 0;
  std::vector<int> caller_saved_used_;  // caller-saved registers the allocation hands out
  int32_t frame_size_ = 0;
  Label error_;  // where an error of the current frame goes (frame_errors_[current_frame_])
  Label epilogue_;
  int32_t current_frame_ = 0;
  int current_position_ = 0;  // the instruction being emitted (Allocation::block_start)
  bool revalidate_used_ = false;
  bool complete_frame_used_ = false;
  Label complete_frame_;             // EmitCompleteFrame, bound once complete_frame_used_
  bool call_function_used_ = false;
  Label call_function_;              // EmitCallFunction, bound once call_function_used_
  Label revalidate_;                 // EmitRevalidateGuards, bound once revalidate_used_
  std::vector<Label> frame_errors_;  // 0: the function's error exit; k: inline frame k's
  std::vector<Label> labels_;
  int current_block_ = 0;
  std::vector<int> next_block_;  // the block emitted after each one (-1 for the last)
  // Per inline frame: entered earlier in this block with nothing since that could move its
  // slots, which are then reached at their place in the machine frame, without the pointer.
  std::vector<bool> fresh_inline_frames_;
  bool any_fresh_inline_frame_ = false;
  // The frameless region (EmitFramelessRegion), while frameless_ its code is being emitted.
  bool frameless_ = false;
  std::vector<int> param_index_;  // per value: the parameter it is (kParam), or -1
  std::vector<bool> in_region_;
  std::vector<Label> region_labels_, exit_labels_;
  std::vector<int> region_next_;
};

class X64Backend : public Backend {
 public:
  const char* name() const override { return "x86-64"; }

  bool InstallHelpers(CodeMemory& memory, std::string* error) override {
    if (installed_.installed()) return true;
    asmjit::CodeHolder code;
    code.init(asmjit::Environment(asmjit::Arch::kX64));
    ErrorCollector errors;
    code.setErrorHandler(&errors);
    Label revalidate, request;
    {
      x86::Assembler a(&code);
      auto mov_word = [&a](const x86::Gp& r, uint64_t w) {
        a.movabs(r, Imm(static_cast<int64_t>(w)));
      };
      revalidate = a.newLabel();
      request = a.newLabel();
      a.bind(revalidate);
      EmitRevalidateGuardsBody(a, mov_word);
      a.align(asmjit::AlignMode::kCode, 16);
      a.bind(request);
      EmitRequestOptimizedCodeBody(a, mov_word);
    }
    const bool ok = installed_.Install(code, errors, "maru_x64_helpers", memory, error);
    code.resetErrorHandler();
    if (!ok) return false;
    helpers_.revalidate_guards = installed_.AddressOf(code, revalidate);
    helpers_.request_optimized_code = installed_.AddressOf(code, request);
    return true;
  }

  bool PatchWords(uint8_t* code, size_t size, const std::vector<ImmediatePatch>& patches,
                  const std::vector<uint64_t>& words) const override {
    for (const ImmediatePatch& p : patches) {
      if (p.short_width != 0) {
        // cmp qword [r15 + disp8], imm8 / imm32: REX.W+B, 0x83 / 0x81, ModRM, disp8, immediate.
        const bool byte = p.short_width == 1;
        if (p.index >= words.size() || !FitsPatch(p, words[p.index]) || p.offset < 4 ||
            p.offset + p.short_width > size || code[p.offset - 3] != (byte ? 0x83 : 0x81)) {
          return false;
        }
        const auto value = static_cast<uint32_t>(words[p.index]);
        std::memcpy(code + p.offset, &value, p.short_width);
        continue;
      }
      // movabs r64, imm64: REX.W (0x48/0x49), 0xb8 + r, then the immediate.
      if (p.index >= words.size() || p.offset < 2 || p.offset + 8 > size ||
          (code[p.offset - 2] & 0xf8) != 0x48 || (code[p.offset - 1] & 0xf8) != 0xb8) {
        return false;
      }
      std::memcpy(code + p.offset, &words[p.index], 8);
    }
    return true;
  }

  bool Generate(const ir::Function& f, const BackendOptions& options, GeneratedCode* out,
                std::string* error) override {
    // Shared with out->write, which copies the code at installation.
    auto code = std::make_shared<asmjit::CodeHolder>();
    // x86-64 whatever the host: the code generator is also tested on AArch64 hosts.
    code->init(asmjit::Environment(asmjit::Arch::kX64));
    ErrorCollector errors;
    code->setErrorHandler(&errors);
    asmjit::StringLogger logger;
    auto table = std::make_unique<DataTable>(options.words_in_table);
    if (options.assembly != nullptr) {
      logger.addFlags(asmjit::FormatFlags::kMachineCode);
      code->setLogger(&logger);
    }
    {
      x86::Assembler a(code.get());
      // (Code with a data table may run in another process: it carries its own helpers.)
      const X64Helpers* helpers =
          installed_.installed() && !options.words_in_table ? &helpers_ : nullptr;
      X64Emitter emitter(f, a, options.foreign_stubs, table.get(), helpers);
      emitter.Generate();
      if (errors.error == asmjit::kErrorOk) code->flatten();
      if (errors.error == asmjit::kErrorOk) code->resolveUnresolvedLinks();
      out->direct_entry = emitter.DirectEntryOffset(*code);
    }
    code->setLogger(nullptr);
    code->resetErrorHandler();
    if (errors.error != asmjit::kErrorOk) {
      *error = "code generation: " + errors.text;
      return false;
    }
    if (options.assembly != nullptr) options.assembly->append(logger.data(), logger.dataSize());
    FinishGeneratedCode(code, *table, out);
    return true;
  }

 private:
  InstalledHelpers installed_;
  X64Helpers helpers_;  // (where installed_ put them)
};

}  // namespace

std::unique_ptr<Backend> NewX64Backend() { return std::make_unique<X64Backend>(); }

}  // namespace maru::jit
