// IR -> x86-64 through asmjit 1.9's x86::Compiler (virtual registers, asmjit's register
// allocator). Every IR value is a virtual register; locals live in the activation's slot array
// (the interpreter's Frame layout), addressed through a base register that is reloaded after any
// runtime call that may move the slots to a heap Context.
//
// Entry ABI (runtime/tier_up.h): Oop entry(Vm* vm, Oop self, const Oop* args, int64_t argc).
#include <asmjit/x86.h>

#include <cstddef>
#include <vector>

#include "jit/backend/backend.h"
#include "jit/runtime_calls.h"
#include "runtime/heap.h"
#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru::jit {

namespace {

using asmjit::CallConvId;
using asmjit::FuncSignatureT;
using asmjit::Imm;
using asmjit::InvokeNode;
using asmjit::Label;
namespace x86 = asmjit::x86;
using ir::Opcode;
using ir::PrimitiveOp;

constexpr int32_t SlotOffset(int slot) { return static_cast<int32_t>(sizeof(Header) + slot * 8); }

// The header word of an Expr made by the core (type 9, four public slots): compiled entries are
// only looked for in such objects.
constexpr uint64_t kCoreExprHeader =
    kExprType | (static_cast<uint64_t>(expr::kSlots << 1) << 32);

template <typename Fn>
uint64_t Address(Fn* fn) {
  return reinterpret_cast<uint64_t>(fn);
}

class ErrorCollector : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, asmjit::BaseEmitter*) override {
    if (error == asmjit::kErrorOk) {
      error = err;
      text = message;
    }
  }
  asmjit::Error error = asmjit::kErrorOk;
  std::string text;
};

class X64Codegen {
 public:
  X64Codegen(const ir::Function& f, x86::Compiler& cc) : f_(f), cc_(cc), symbol_t_(Intern("t")) {}

  void Generate() {
    using Sig = FuncSignatureT<uint64_t, uint64_t, uint64_t, uint64_t, int64_t>;
    asmjit::FuncNode* func = cc_.addFunc(Sig(CallConvId::kHost));
    vm_ = cc_.newUIntPtr("vm");
    self_ = cc_.newUInt64("self");
    args_ = cc_.newUIntPtr("args");
    argc_ = cc_.newInt64("argc");
    func->setArg(0, vm_);
    func->setArg(1, self_);
    func->setArg(2, args_);
    func->setArg(3, argc_);
    error_ = cc_.newLabel();
    Label overflow = cc_.newLabel();
    Label arity = cc_.newLabel();

    // Stack guard: recursion too deep for the native stack is the error "stack overflow".
    cc_.cmp(x86::rsp, x86::qword_ptr(vm_, kVmStackLimitOffset));
    cc_.jb(overflow);

    // The activation: a Frame and its slot array, as the interpreter lays them out.
    x86::Mem frame_mem = cc_.newStack(sizeof(Frame), 16, "frame");
    x86::Mem slots_mem = cc_.newStack(static_cast<uint32_t>(8 * (f_.nslots + 1)), 16, "slots");
    frame_ = cc_.newUIntPtr("frame");
    slots_ = cc_.newUIntPtr("slots");
    cc_.lea(frame_, frame_mem);
    cc_.lea(slots_, slots_mem);
    x86::Gp t = cc_.newUInt64("t");
    cc_.mov(x86::qword_ptr(frame_, offsetof(Frame, slots)), slots_);
    cc_.mov(x86::qword_ptr(frame_, offsetof(Frame, nslots)), Imm(f_.nslots));
    cc_.mov(x86::qword_ptr(frame_, offsetof(Frame, level)), Imm(f_.level));
    cc_.mov(t, Imm(static_cast<int64_t>(f_.env)));
    cc_.mov(x86::qword_ptr(frame_, offsetof(Frame, env)), t);
    cc_.mov(t, x86::qword_ptr(self_, SlotOffset(expr::kCtx)));
    cc_.mov(x86::qword_ptr(frame_, offsetof(Frame, home)), t);
    cc_.xor_(t.r32(), t.r32());
    cc_.mov(x86::qword_ptr(frame_, offsetof(Frame, context)), t);
    for (int64_t i = 0; i < f_.nslots; ++i) cc_.mov(x86::qword_ptr(slots_, i * 8), t);

    // Arity and parameters.
    int64_t nparams = static_cast<int64_t>(f_.param_slots.size());
    cc_.cmp(argc_, Imm(nparams));
    if (f_.rest_slot >= 0) {
      cc_.jl(arity);
    } else {
      cc_.jne(arity);
    }
    for (int64_t i = 0; i < nparams; ++i) {
      cc_.mov(t, x86::qword_ptr(args_, i * 8));
      cc_.mov(x86::qword_ptr(slots_, f_.param_slots[i] * 8), t);
    }
    if (f_.rest_slot >= 0) {
      x86::Gp rest_args = cc_.newUIntPtr();
      x86::Gp rest_count = cc_.newInt64();
      cc_.lea(rest_args, x86::ptr(args_, static_cast<int32_t>(nparams * 8)));
      cc_.mov(rest_count, argc_);
      cc_.sub(rest_count, Imm(nparams));
      x86::Gp rest = cc_.newUInt64("rest");
      Invoke(Address(&MakeRestList), {vm_, rest_args, rest_count}, rest);
      CheckError(rest);
      cc_.mov(x86::qword_ptr(slots_, f_.rest_slot * 8), rest);
    }

    // One argument buffer serves every call site (arguments are stored right before a call).
    int max_args = 1;
    for (const ir::Block& b : f_.blocks) {
      for (const ir::Instr& in : b.instrs) {
        if (in.op == Opcode::kCall || in.op == Opcode::kPrimitive) {
          max_args = std::max<int>(max_args, static_cast<int>(in.args.size()));
        }
      }
    }
    x86::Mem buffer_mem = cc_.newStack(static_cast<uint32_t>(8 * max_args), 16, "argbuf");
    buffer_ = cc_.newUIntPtr("argbuf");
    cc_.lea(buffer_, buffer_mem);

    values_.resize(f_.value_count);
    labels_.resize(f_.blocks.size());
    for (auto& l : labels_) l = cc_.newLabel();
    for (size_t b = 0; b < f_.blocks.size(); ++b) {
      cc_.bind(labels_[b]);
      current_block_ = static_cast<int>(b);
      for (const ir::Instr& in : f_.blocks[b].instrs) Emit(in);
    }

    cc_.bind(arity);
    x86::Gp failed = cc_.newUInt64("failed");
    Invoke(Address(&ArityMismatch), {vm_, self_, args_, argc_, Imm(nparams)}, failed);
    cc_.jmp(error_);
    cc_.bind(overflow);
    Invoke(Address(&StackOverflow), {vm_}, failed);
    cc_.bind(error_);
    x86::Gp error_value = cc_.newUInt64("error");
    cc_.mov(error_value, Imm(static_cast<int64_t>(kErrorOop)));
    cc_.ret(error_value);
    cc_.endFunc();
  }

 private:
  x86::Gp Value(ir::ValueId v) {
    if (!values_[v].isValid()) values_[v] = cc_.newUInt64();
    return values_[v];
  }

  // Calls a runtime function; every operand is a register or an immediate.
  void Invoke(uint64_t target, std::initializer_list<asmjit::Operand> operands, const x86::Gp& ret) {
    asmjit::FuncSignatureBuilder sig(CallConvId::kHost);
    sig.setRetT<uint64_t>();
    for (size_t i = 0; i < operands.size(); ++i) sig.addArgT<uint64_t>();
    InvokeNode* node;
    cc_.invoke(&node, Imm(static_cast<int64_t>(target)), sig);
    size_t i = 0;
    for (const asmjit::Operand& op : operands) {
      if (op.isImm()) {
        node->setArg(i, op.as<Imm>());
      } else {
        node->setArg(i, op.as<x86::Gp>());
      }
      ++i;
    }
    if (ret.isValid()) node->setRet(0, ret);
  }

  void CheckError(const x86::Gp& value) {
    cc_.cmp(value, Imm(static_cast<int64_t>(kErrorOop)));
    cc_.je(error_);
  }

  // After a runtime call that received the Frame, the slots may have moved to a heap Context.
  void ReloadSlots() { cc_.mov(slots_, x86::qword_ptr(frame_, offsetof(Frame, slots))); }

  x86::Gp Constant(Oop value) {
    x86::Gp r = cc_.newUInt64();
    if (value == 0) {
      cc_.xor_(r.r32(), r.r32());
    } else {
      cc_.mov(r, Imm(static_cast<int64_t>(value)));
    }
    return r;
  }

  void StoreArgs(const ir::Instr& in, size_t first) {
    for (size_t i = first; i < in.args.size(); ++i) {
      cc_.mov(x86::qword_ptr(buffer_, static_cast<int32_t>((i - first) * 8)), Value(in.args[i]));
    }
  }

  // Jumps to `not_object` unless x is a heap object (not nil, not a fixnum).
  void RequireObject(const x86::Gp& x, const Label& not_object) {
    cc_.test(x, Imm(7));
    cc_.jnz(not_object);
    cc_.test(x, x);
    cc_.jz(not_object);
  }

  void Emit(const ir::Instr& in) {
    switch (in.op) {
      case Opcode::kConst:
        if (in.imm == 0) {
          cc_.xor_(Value(in.result).r32(), Value(in.result).r32());
        } else {
          cc_.mov(Value(in.result), Imm(static_cast<int64_t>(in.imm)));
        }
        break;
      case Opcode::kLoadSlot:
        cc_.mov(Value(in.result), x86::qword_ptr(slots_, static_cast<int32_t>(in.aux * 8)));
        break;
      case Opcode::kStoreSlot:
        cc_.mov(x86::qword_ptr(slots_, static_cast<int32_t>(in.aux * 8)), Value(in.args[0]));
        cc_.mov(Value(in.result), Value(in.args[0]));
        break;
      case Opcode::kLoadGlobal: {
        x86::Gp var = Constant(in.imm);
        cc_.mov(Value(in.result), x86::qword_ptr(var, SlotOffset(variable::kValue)));
        break;
      }
      case Opcode::kStoreGlobal: {
        x86::Gp var = Constant(in.imm);
        cc_.mov(x86::qword_ptr(var, SlotOffset(variable::kValue)), Value(in.args[0]));
        break;
      }
      case Opcode::kLoadVar:
        Invoke(Address(&LoadOuterVariable), {Constant(in.imm), frame_}, Value(in.result));
        break;
      case Opcode::kStoreVar: {
        x86::Gp r = cc_.newUInt64();
        Invoke(Address(&StoreOuterVariable), {vm_, Constant(in.imm), Value(in.args[0]), frame_}, r);
        CheckError(r);
        break;
      }
      case Opcode::kDefine:
        Invoke(Address(&DefineGlobal), {Constant(in.imm), Value(in.args[0])}, Value(in.result));
        break;
      case Opcode::kNameValue: {
        // Only Exprs and Forms get names: test inline, call out for them.
        Label done = cc_.newLabel();
        Label name = cc_.newLabel();
        x86::Gp v = Value(in.args[0]);
        RequireObject(v, done);
        x86::Gp type = cc_.newUInt32();
        cc_.mov(type, x86::dword_ptr(v));
        cc_.cmp(type, Imm(kExprType));
        cc_.je(name);
        cc_.cmp(type, Imm(kFormType));
        cc_.jne(done);
        cc_.bind(name);
        x86::Gp ignored = cc_.newUInt64();
        Invoke(Address(&NameValueIfUnnamed), {v, Constant(in.imm)}, ignored);
        cc_.bind(done);
        break;
      }
      case Opcode::kIsFixed: {
        x86::Gp r = Value(in.result);
        x86::Gp v = Value(in.args[0]);
        Label done = cc_.newLabel();
        cc_.xor_(r.r32(), r.r32());
        RequireObject(v, done);
        cc_.cmp(x86::dword_ptr(v), Imm(kFixedType));
        cc_.jne(done);
        cc_.mov(r, Imm(1));  // any non-nil word: only branched on
        cc_.bind(done);
        break;
      }
      case Opcode::kCall:
        EmitCall(in);
        break;
      case Opcode::kPrimitive:
        EmitPrimitive(in);
        break;
      case Opcode::kClosure:
        Invoke(Address(&MakeClosure), {vm_, Constant(in.imm), frame_}, Value(in.result));
        CheckError(Value(in.result));
        ReloadSlots();
        break;
      case Opcode::kApplyFixed:
        Invoke(Address(&ApplyFixed), {vm_, Value(in.args[0]), Constant(in.imm), frame_},
               Value(in.result));
        CheckError(Value(in.result));
        ReloadSlots();
        break;
      case Opcode::kEvalForm:
        Invoke(Address(&EvalForm), {vm_, Constant(in.imm), frame_}, Value(in.result));
        CheckError(Value(in.result));
        ReloadSlots();
        break;
      case Opcode::kEvalAtom:
        Invoke(Address(&EvalHookedAtom), {vm_, Constant(in.imm)}, Value(in.result));
        CheckError(Value(in.result));
        break;
      case Opcode::kPollInterrupt: {
        Label done = cc_.newLabel();
        cc_.cmp(x86::byte_ptr(vm_, kVmInterruptOffset), Imm(0));
        cc_.je(done);
        x86::Gp r = cc_.newUInt64();
        Invoke(Address(&TakeInterrupt), {vm_}, r);
        cc_.jmp(error_);
        cc_.bind(done);
        break;
      }
      case Opcode::kJump: {
        const ir::Block& target = f_.blocks[in.targets[0]];
        for (size_t i = 0; i < in.args.size(); ++i) {
          cc_.mov(Value(target.params[i]), Value(in.args[i]));
        }
        if (in.targets[0] != current_block_ + 1) cc_.jmp(labels_[in.targets[0]]);
        break;
      }
      case Opcode::kBranch: {
        x86::Gp c = Value(in.args[0]);
        cc_.test(c, c);
        if (in.targets[1] == current_block_ + 1) {
          cc_.jnz(labels_[in.targets[0]]);
        } else if (in.targets[0] == current_block_ + 1) {
          cc_.jz(labels_[in.targets[1]]);
        } else {
          cc_.jnz(labels_[in.targets[0]]);
          cc_.jmp(labels_[in.targets[1]]);
        }
        break;
      }
      case Opcode::kReturn:
        cc_.ret(Value(in.args[0]));
        break;
    }
  }

  void EmitCall(const ir::Instr& in) {
    x86::Gp fn = Value(in.args[0]);
    x86::Gp r = Value(in.result);
    int64_t argc = static_cast<int64_t>(in.args.size()) - 1;
    StoreArgs(in, 1);
    Label slow = cc_.newLabel();
    Label done = cc_.newLabel();
    // A compiled Expr is called directly through its entry.
    RequireObject(fn, slow);
    x86::Gp header = cc_.newUInt64();
    cc_.mov(header, Imm(static_cast<int64_t>(kCoreExprHeader)));
    cc_.cmp(x86::qword_ptr(fn), header);
    cc_.jne(slow);
    x86::Gp entry = cc_.newUInt64();
    cc_.mov(entry, x86::qword_ptr(fn, SlotOffset(expr::kEntry)));
    cc_.test(entry, entry);
    cc_.jz(slow);
    {
      using Sig = FuncSignatureT<uint64_t, uint64_t, uint64_t, uint64_t, int64_t>;
      InvokeNode* node;
      cc_.invoke(&node, entry, Sig(CallConvId::kHost));
      node->setArg(0, vm_);
      node->setArg(1, fn);
      node->setArg(2, buffer_);
      node->setArg(3, Imm(argc));
      node->setRet(0, r);
    }
    cc_.jmp(done);
    cc_.bind(slow);
    Invoke(Address(&CallFunction), {vm_, fn, buffer_, Imm(argc), frame_, Constant(in.imm)}, r);
    ReloadSlots();
    cc_.bind(done);
    CheckError(r);
  }

  void EmitPrimitive(const ir::Instr& in) {
    x86::Gp r = Value(in.result);
    Label slow = cc_.newLabel();
    Label done = cc_.newLabel();
    // Late binding: the fast path holds only while the global still holds the core primitive.
    x86::Gp current = cc_.newUInt64();
    x86::Gp expected = Constant(in.imm2);
    cc_.mov(current, Constant(in.imm));
    cc_.mov(current, x86::qword_ptr(current, SlotOffset(variable::kValue)));
    cc_.cmp(current, expected);
    cc_.jne(slow);
    auto op = static_cast<PrimitiveOp>(in.aux);
    x86::Gp a = Value(in.args[0]);
    x86::Gp t = cc_.newUInt64();
    auto require_fixnums = [&](const x86::Gp& x, const x86::Gp& y) {
      cc_.mov(t, x);
      cc_.and_(t, y);
      cc_.test(t, Imm(1));
      cc_.jz(slow);
    };
    switch (op) {
      case PrimitiveOp::kAdd: {
        x86::Gp b = Value(in.args[1]);
        require_fixnums(a, b);
        cc_.mov(r, a);
        cc_.sub(r, Imm(1));
        cc_.add(r, b);
        cc_.jo(slow);
        break;
      }
      case PrimitiveOp::kSub: {
        x86::Gp b = Value(in.args[1]);
        require_fixnums(a, b);
        cc_.mov(r, a);
        cc_.sub(r, b);
        cc_.jo(slow);
        cc_.or_(r, Imm(1));
        break;
      }
      case PrimitiveOp::kMul: {
        x86::Gp b = Value(in.args[1]);
        require_fixnums(a, b);
        cc_.mov(r, a);
        cc_.sar(r, Imm(1));
        cc_.mov(t, b);
        cc_.sub(t, Imm(1));
        cc_.imul(r, t);
        cc_.jo(slow);
        cc_.or_(r, Imm(1));
        break;
      }
      case PrimitiveOp::kLt:
      case PrimitiveOp::kLe:
      case PrimitiveOp::kGt:
      case PrimitiveOp::kGe:
      case PrimitiveOp::kEq:
      case PrimitiveOp::kNe: {
        x86::Gp b = Value(in.args[1]);
        require_fixnums(a, b);
        x86::Gp truth = cc_.newUInt64();
        cc_.mov(truth, Imm(static_cast<int64_t>(SymbolT())));
        cc_.xor_(r.r32(), r.r32());
        cc_.cmp(a, b);  // tagged fixnums order like their values
        switch (op) {
          case PrimitiveOp::kLt: cc_.cmovl(r, truth); break;
          case PrimitiveOp::kLe: cc_.cmovle(r, truth); break;
          case PrimitiveOp::kGt: cc_.cmovg(r, truth); break;
          case PrimitiveOp::kGe: cc_.cmovge(r, truth); break;
          case PrimitiveOp::kEq: cc_.cmove(r, truth); break;
          default: cc_.cmovne(r, truth); break;
        }
        break;
      }
      case PrimitiveOp::kCar:
      case PrimitiveOp::kCdr: {
        Label not_nil = cc_.newLabel();
        cc_.test(a, Imm(7));
        cc_.jnz(slow);
        cc_.test(a, a);
        cc_.jnz(not_nil);
        cc_.xor_(r.r32(), r.r32());  // (car ()) and (cdr ()) are ()
        cc_.jmp(done);
        cc_.bind(not_nil);
        cc_.cmp(x86::dword_ptr(a), Imm(kPairType));
        cc_.jne(slow);
        cc_.mov(r, x86::qword_ptr(a, SlotOffset(op == PrimitiveOp::kCar ? pair::kHead
                                                                       : pair::kTail)));
        break;
      }
      case PrimitiveOp::kNot: {
        x86::Gp truth = cc_.newUInt64();
        cc_.mov(truth, Imm(static_cast<int64_t>(SymbolT())));
        cc_.xor_(r.r32(), r.r32());
        cc_.test(a, a);
        cc_.cmovz(r, truth);
        break;
      }
      case PrimitiveOp::kPairP: {
        cc_.xor_(r.r32(), r.r32());
        RequireObject(a, done);
        cc_.cmp(x86::dword_ptr(a), Imm(kPairType));
        cc_.jne(done);
        cc_.mov(r, Imm(static_cast<int64_t>(SymbolT())));
        break;
      }
      case PrimitiveOp::kCount:
        break;
    }
    cc_.jmp(done);
    cc_.bind(slow);
    StoreArgs(in, 0);
    int64_t argc = static_cast<int64_t>(in.args.size());
    Invoke(Address(&CallGlobal), {vm_, Constant(in.imm), buffer_, Imm(argc), frame_, Constant(in.form)},
           r);
    ReloadSlots();
    CheckError(r);
    cc_.bind(done);
  }

  // Predicates return the symbol t (interned once per process).
  Oop SymbolT() const { return symbol_t_; }

  const ir::Function& f_;
  x86::Compiler& cc_;
  x86::Gp vm_, self_, args_, argc_, frame_, slots_, buffer_;
  Label error_;
  std::vector<x86::Gp> values_;
  std::vector<Label> labels_;
  int current_block_ = 0;
  Oop symbol_t_;
};

class X64Backend : public Backend {
 public:
  const char* name() const override { return "x86-64"; }

  bool Compile(const ir::Function& f, CodeMemory& memory, const BackendOptions& options,
               CodeBlock* out, std::string* error) override {
    asmjit::CodeHolder code;
    code.init(asmjit::Environment::host());
    ErrorCollector errors;
    code.setErrorHandler(&errors);
    asmjit::StringLogger logger;
    if (options.assembly != nullptr) {
      logger.addFlags(asmjit::FormatFlags::kMachineCode);
      code.setLogger(&logger);
    }
    x86::Compiler cc(&code);
    X64Codegen gen(f, cc);
    gen.Generate();
    cc.finalize();
    if (errors.error == asmjit::kErrorOk) code.flatten();
    if (errors.error == asmjit::kErrorOk) code.resolveUnresolvedLinks();
    if (errors.error != asmjit::kErrorOk) {
      *error = "code generation: " + errors.text;
      return false;
    }
    if (options.assembly != nullptr) options.assembly->append(logger.data(), logger.dataSize());
    size_t size = code.codeSize();
    return memory.Install(
        size,
        [&](uint8_t* rw, uint64_t rx) {
          if (code.relocateToBase(rx) != asmjit::kErrorOk) return false;
          code.copyFlattenedData(rw, size, asmjit::CopySectionFlags::kPadTargetBuffer);
          return true;
        },
        out, error);
  }
};

}  // namespace

std::unique_ptr<Backend> NewX64Backend() { return std::make_unique<X64Backend>(); }

}  // namespace maru::jit
