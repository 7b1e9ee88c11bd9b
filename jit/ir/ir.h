// The JIT's SSA intermediate representation.
//
// A Function is a list of basic blocks; block 0 is the entry. Values are produced by instructions
// or are block parameters (this IR uses block parameters instead of phi nodes: a jump passes one
// argument per parameter of its target). Every value is a tagged Maru word (Oop); the IR never
// knows a machine.
//
// Locals of the compiled Maru function live in the activation's slot array (the interpreter's
// Frame layout) and are read and written with LoadSlot/StoreSlot, so that the interpreter can run
// any form inside a compiled activation; the prologue stores the arguments there, and kParam
// names an argument's value as passed. Instructions that can raise an error have an implicit
// edge to the function's error exit (they return kErrorOop, which the backend tests).
#ifndef MARU_JIT_IR_IR_H_
#define MARU_JIT_IR_IR_H_

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "runtime/object.h"

namespace maru::jit::ir {

using ValueId = int32_t;
using BlockId = int32_t;
inline constexpr ValueId kNoValue = -1;

enum class Opcode : uint8_t {
  kConst,        // imm: the constant
  kLoadSlot,     // aux: slot index of the running activation
  kStoreSlot,    // args[0]: value; aux: slot index; result: the value
  kLoadGlobal,   // imm: Variable (level 0): its value cell
  kStoreGlobal,  // args[0]: value; imm: Variable
  kLoadVar,      // imm: Variable of an enclosing activation (through the Context chain)
  kStoreVar,     // args[0]: value; imm: Variable of an enclosing activation
  kDefine,       // args[0]: value; imm: Variable; stores and names the value (spec §6 define)
  kNameValue,    // args[0]: value; imm: name Symbol; names an unnamed Expr (spec §6 set)
  kGlobalIs,     // imm: a global Variable; imm2: a value; result: non-nil when the Variable holds
                 // exactly that value (the guard of calls to a global's compile-time value)
  kGuardsHold,   // result: non-nil when every guard of the function (Function::shared_guards
                 // and each globalis) would pass now: the Vm's global epoch is the one the guard
                 // record last validated, or revalidation succeeds (jit/passes/share_guards.cc)
  kIsFixed,      // args[0]: value; result: t if it is a Fixed, else nil; imm2: a value known
                 // not to be a Fixed that args[0] is likely to be (or nil)
  kCall,         // args[0]: function, args[1..]: arguments; imm: the call form; imm2: the Expr
                 // args[0] is likely to be (its entry is then called directly), or nil; aux:
                 // imm2's slot count when the call may use its direct entry, else 0
                 // (jit/backend/direct_entry.h)
  kPrimitive,    // args: operands; imm: the primitive's global Variable; aux: PrimitiveOp;
                 // imm2: the core Subr (called when the inline fast path does not apply; the
                 // global was checked by a kGlobalIs before the operands were evaluated)
  kClosure,      // imm: the encoded lambda operands (Env params . body); aux: the address of
                 // the site's record of the lambda's compiled code (jit/runtime_calls.h
                 // ClosureSite, set by the JIT before code generation), or 0
  kApplyFixed,   // args[0]: the Fixed; imm: the form (its operands are applied unevaluated)
  kEvalForm,     // imm: an encoded form the interpreter evaluates in this activation
  kEvalAtom,     // imm: an atom whose evaluation goes through *evaluators*
  kPollInterrupt,  // loop back-edges: raises "interrupt" when one is pending
  kEnterInline,    // the start of an inlined call (its frame): a fresh activation of the callee
  kParam,  // aux: a parameter's index (in Function::param_slots); result: the argument passed for
           // it. Only at the start of block 0, which loads of its slot before anything may
           // change it are forwarded to: the backends can keep arguments in registers.
  // Terminators.
  kJump,    // targets[0]; args: the target's parameters
  kBranch,  // args[0]: condition (nil is false); targets[0] if true, targets[1] if false
  kReturn,  // args[0]
};

// Inline fast paths for core primitives (their general case calls the primitive).
enum class PrimitiveOp : uint8_t {
  kAdd, kSub, kMul, kLt, kLe, kGt, kGe, kEq, kNe, kCar, kCdr, kNot, kPairP,
  kBitAnd, kBitOr, kBitXor, kBitNot, kShl, kShr,  // & | ^ ~ << >>
  kArrayAt, kSetArrayAt, kStringAt, kTypeOf,
  kCons,  // a direct call of the allocator (no general case)
  kCount
};

// An instruction's operands: most have at most four, kept inline (no allocation per instruction;
// passes copy and rebuild instructions often).
using ValueList = absl::InlinedVector<ValueId, 4>;

struct Instr {
  Opcode op;
  ValueId result = kNoValue;
  ValueList args;
  Oop imm = kNil;
  Oop imm2 = kNil;
  Oop form = kNil;  // the source form (call sites: for backtraces of slow paths)
  int64_t aux = 0;
  BlockId targets[2] = {-1, -1};
  // The activation the instruction runs in: 0 is the function's own, k > 0 the inlined call
  // Function::inline_frames[k - 1] (its slow paths get that activation's Frame, and its errors
  // gain the inlined call's backtrace line).
  int32_t frame = 0;
  // What jit/passes/fixnum_types.cc proved of an inline primitive, for the backends: bit i set
  // when args[i] is a fixnum (its tag test is omitted); no_overflow when + - * cannot leave the
  // fixnum range (its overflow test is omitted).
  uint8_t fixnum_args = 0;
  bool no_overflow = false;
};

// A call inlined into the function (jit/passes/inline_calls.cc). Its locals are the slots
// [slot_base, slot_base + nslots) past the function's own (Function::nslots). Each inlined call
// has a Frame of its own in the machine frame (level, env and home of the callee) that its slow
// paths receive, so the forms of the callee the interpreter runs see the callee's activation; its
// slots start in the machine frame too, and are reached through that Frame's slots pointer,
// which follows them when a runtime path materialises the activation. An enterinline starts
// each execution of the call with fresh slots.
struct InlineFrame {
  int32_t parent = 0;     // the frame the call was in (0: the function's own)
  int64_t slot_base = 0;  // >= Function::nslots
  int64_t nslots = 0;
  int64_t level = 0;
  Oop env = kNil;        // the callee's Env
  Oop home = kNil;       // the callee Expr's Context (its lexically enclosing activation)
  Oop callee = kNil;     // the Expr inlined
  Oop call_form = kNil;  // the call, for backtraces of errors inside
};

struct Block {
  std::vector<ValueId> params;
  std::vector<Instr> instrs;  // the last one is the terminator
  bool cold = false;          // rarely run: the backend places it after the hot code
};

struct Function {
  std::string name;            // for dumps and symbols
  Oop expr = kNil;             // the Expr compiled (its defn holds every Oop the code uses)
  Oop env = kNil;              // the lambda's Env
  Oop body = kNil;             // its encoded body forms (for jit/passes/guard_entry.cc)
  int64_t level = 0;           // its level
  int64_t nslots = 0;          // slots of the activation
  std::vector<int64_t> param_slots;  // slot of each fixed parameter, in order
  int64_t rest_slot = -1;            // slot of the rest parameter, or -1
  // Calls inlined (Instr::frame numbers them from 1) and the slots their locals take after the
  // function's own: slot indices run up to nslots + inline_slots.
  std::vector<InlineFrame> inline_frames;
  int64_t inline_slots = 0;
  std::vector<Block> blocks;
  int32_t value_count = 0;

  // Statistics of lowering: forms left to the interpreter inside compiled code.
  int64_t interpreted_forms = 0;

  // Guards replaced by kGuardsHold: (global Variable, the value it held when compiled).
  std::vector<std::pair<Oop, Oop>> shared_guards;
  // The address of the runtime's record of this function's guards, which kGuardsHold reads
  // (jit/runtime_calls.h GuardRecord), and the Vm's global epoch it was made at: set by the JIT
  // before code generation. 0: none, every kGuardsHold yields nil.
  uintptr_t guard_record = 0;
  uint64_t guard_epoch = 0;
  // Tier 1 of a function that inlining would speed up, compiled without it (its compile is
  // quick): its entries count calls down in the guard record (GuardRecord::hot_countdown), and
  // at zero ask for it to be compiled again with inlining (RequestOptimizedCode); its calls of
  // itself go through the Expr, so that a running recursion moves to the new code.
  bool counts_calls = false;
};

const char* OpcodeName(Opcode op);
const char* PrimitiveOpName(PrimitiveOp op);
bool IsTerminator(Opcode op);
bool HasResult(Opcode op);
bool MayFail(Opcode op);  // may return kErrorOop (an implicit edge to the error exit)
// True for instructions that may call out of the function (always, or on a slow path), and so
// may run arbitrary code: values in caller-saved registers die there, locals may change.
bool IsCallPoint(const Instr& in);
// True for instructions that may run Maru code (a call, the interpreter, an evaluator): anything
// may happen there, including assignments to globals and, through the Frame a runtime path gets
// as its caller, to this activation's locals. Inline primitives are not: their general case is a
// core primitive that touches neither.
bool MayRunCode(const Instr& in);

// The inline frame (numbered from 1) whose locals include `slot`, or 0 (the function's own).
int32_t InlineFrameOfSlot(const Function& f, int64_t slot);
// How many times each value is an argument.
std::vector<int> UseCounts(const Function& f);
// The blocks reachable from the entry in reverse post-order (a block before its successors, but
// along loop back-edges): forward dataflow converges in few rounds in this order.
std::vector<BlockId> ReversePostOrder(const Function& f);
// The blocks that end with a jump or branch to each block (once per edge), in two flat arrays
// (passes ask for them often: one allocation per block was most of their cost).
class PredecessorLists {
 public:
  explicit PredecessorLists(const Function& f);
  std::span<const BlockId> operator[](BlockId b) const {
    return {list_.data() + start_[b], static_cast<size_t>(start_[b + 1] - start_[b])};
  }

 private:
  std::vector<int32_t> start_;  // block b's predecessors are list_[start_[b], start_[b + 1])
  std::vector<BlockId> list_;
};
inline PredecessorLists Predecessors(const Function& f) { return PredecessorLists(f); }

// Appends instructions to a Function.
class Builder {
 public:
  explicit Builder(Function* f) : f_(f) {}

  BlockId NewBlock(int nparams = 0, bool cold = false);
  void SetBlock(BlockId b) { current_ = b; }
  BlockId current() const { return current_; }
  ValueId Param(BlockId b, int i) const { return f_->blocks[b].params[i]; }
  // True once the current block has its terminator.
  bool Terminated() const;

  ValueId Const(Oop value);
  ValueId Emit(Opcode op, ValueList args = {}, Oop imm = kNil, int64_t aux = 0, Oop imm2 = kNil);
  void Jump(BlockId target, ValueList args = {});
  void Branch(ValueId cond, BlockId if_true, BlockId if_false);
  void Return(ValueId value);
  // Records the source form of the instruction just emitted.
  void SetForm(Oop form) { f_->blocks[current_].instrs.back().form = form; }

 private:
  Function* f_;
  BlockId current_ = -1;
};

}  // namespace maru::jit::ir

#endif  // MARU_JIT_IR_IR_H_
