// Foreign-call stubs for x86-64 System V with asmjit's x86::Assembler (see stub_generator.h for
// what a stub does).
//
// Registers: rbx = the Vm, r12 = the Subr, r13 = the argument array, r14 = argc (callee-saved,
// so they survive calls into the runtime); rax, rcx, rdx, r11 are scratch. Frame: rbp-based,
// the four saved registers, then the plan's frame (stub_plan.h) with rsp 16-byte aligned at
// every call.
#include <asmjit/x86.h>

#include "jit/ffi/stub_emitters.h"
#include "jit/ffi/stub_runtime.h"
#include "runtime/object.h"

namespace maru::jit::ffi {

namespace {

namespace x86 = asmjit::x86;
using asmjit::Imm;
using asmjit::Label;

const x86::Gp kVm = x86::rbx;
const x86::Gp kSubr = x86::r12;
const x86::Gp kArgs = x86::r13;
const x86::Gp kArgc = x86::r14;
const x86::Gp kGpArguments[] = {x86::rdi, x86::rsi, x86::rdx, x86::rcx, x86::r8, x86::r9};
// Bytes pushed below the return address before the plan's frame: rbp, rbx, r12, r13, r14.
constexpr int32_t kSavedBelowFramePointer = 4 * 8;

class X64StubEmitter {
 public:
  X64StubEmitter(const StubPlan& plan, x86::Assembler& a) : plan_(plan), a_(a) {}

  void Emit() {
    fallback_ = a_.newLabel();
    epilogue_ = a_.newLabel();
    EmitPrologue();
    EmitChecks();
    for (int i = 0; i < plan_.parsed.nfixed; ++i) EmitArgument(i);
    CallRuntime(EntryAddress(&StubBeforeCall));
    EmitCall();
    EmitResult();
    a_.bind(epilogue_);
    a_.lea(x86::rsp, x86::qword_ptr(x86::rbp, -kSavedBelowFramePointer));
    a_.pop(x86::r14);
    a_.pop(x86::r13);
    a_.pop(x86::r12);
    a_.pop(x86::rbx);
    a_.pop(x86::rbp);
    a_.ret();
    EmitFallback();
  }

 private:
  void EmitPrologue() {
    a_.push(x86::rbp);
    a_.mov(x86::rbp, x86::rsp);
    a_.push(x86::rbx);
    a_.push(x86::r12);
    a_.push(x86::r13);
    a_.push(x86::r14);
    // Five pushes after the return address: rsp is 16-byte aligned here.
    a_.sub(x86::rsp, Imm(plan_.frame_size()));
    a_.mov(kVm, x86::rdi);
    a_.mov(kSubr, x86::rsi);
    a_.mov(kArgs, x86::rdx);
    a_.mov(kArgc, x86::rcx);
  }

  // The argument count, then the Subr's signature byte by byte up to its NUL: a shorter text
  // differs at its NUL, so no byte past the end of the Subr's string is read.
  void EmitChecks() {
    a_.cmp(kArgc, Imm(plan_.parsed.nfixed));
    a_.jne(fallback_);
    a_.mov(x86::rax, x86::qword_ptr(kSubr, kSubrSigOffset));
    a_.test(x86::rax, x86::rax);
    a_.jz(fallback_);
    const std::string& sig = plan_.signature;
    for (size_t i = 0; i <= sig.size(); ++i) {
      int32_t byte = i < sig.size() ? static_cast<unsigned char>(sig[i]) : 0;
      a_.cmp(x86::byte_ptr(x86::rax, static_cast<int32_t>(i)), Imm(byte));
      a_.jne(fallback_);
    }
  }

  x86::Mem Slot(int i) const { return x86::qword_ptr(x86::rsp, plan_.SlotOffset(i)); }

  // Jumps to the fallback unless rax is a heap object of `type`.
  void RequireObjectOfType(uint32_t type) {
    a_.test(x86::rax, x86::rax);
    a_.jz(fallback_);
    a_.test(x86::al, Imm(7));
    a_.jnz(fallback_);
    a_.cmp(x86::dword_ptr(x86::rax), Imm(type));
    a_.jne(fallback_);
  }

  void EmitArgument(int i) {
    char letter = plan_.parsed.letters[i];
    a_.mov(x86::rax, x86::qword_ptr(kArgs, i * 8));
    switch (letter) {
      case 'i':
      case 'j':
      case 'k':
      case 'l': {
        Label boxed = a_.newLabel(), store = a_.newLabel();
        a_.test(x86::al, Imm(1));
        a_.jz(boxed);
        a_.sar(x86::rax, Imm(1));
        a_.jmp(store);
        a_.bind(boxed);
        RequireObjectOfType(kLongType);
        a_.mov(x86::rax, x86::qword_ptr(x86::rax, kRawOffset));
        a_.bind(store);
        // int and int32_t: the low 32 bits, sign-extended as libffi passes them.
        if (letter == 'i' || letter == 'j') a_.movsxd(x86::rax, x86::eax);
        a_.mov(Slot(i), x86::rax);
        break;
      }
      case 'd':
        RequireObjectOfType(kDoubleType);
        a_.mov(x86::rax, x86::qword_ptr(x86::rax, kRawOffset));
        a_.mov(Slot(i), x86::rax);
        break;
      case 'f':
        RequireObjectOfType(kDoubleType);
        a_.cvtsd2ss(x86::xmm0, x86::qword_ptr(x86::rax, kRawOffset));
        a_.mov(Slot(i), Imm(0));
        a_.movss(x86::dword_ptr(x86::rsp, plan_.SlotOffset(i)), x86::xmm0);
        break;
      case 's':
        a_.mov(x86::rdi, x86::rax);
        CallRuntime(EntryAddress(&StubUtf8Argument));
        a_.test(x86::rax, x86::rax);
        a_.jz(fallback_);
        a_.mov(Slot(i), x86::rax);
        break;
      default:  // 'p', 'S'
        EmitPointerArgument(i);
        break;
    }
  }

  // nil, fixnums, boxed Longs, Data and Doubles inline; other objects through the runtime.
  void EmitPointerArgument(int i) {
    Label store = a_.newLabel(), object = a_.newLabel(), not_long = a_.newLabel();
    Label raw = a_.newLabel(), runtime = a_.newLabel(), done = a_.newLabel();
    a_.test(x86::rax, x86::rax);
    a_.jz(store);  // nil: NULL
    a_.test(x86::al, Imm(1));
    a_.jz(object);
    a_.sar(x86::rax, Imm(1));
    a_.jmp(store);
    a_.bind(object);
    a_.test(x86::al, Imm(7));
    a_.jnz(fallback_);  // not an object (the error word): the libffi path reports it
    a_.mov(x86::ecx, x86::dword_ptr(x86::rax));
    a_.cmp(x86::ecx, Imm(kLongType));
    a_.jne(not_long);
    a_.mov(x86::rax, x86::qword_ptr(x86::rax, kRawOffset));
    a_.jmp(store);
    a_.bind(not_long);
    a_.cmp(x86::ecx, Imm(kDataType));
    a_.je(raw);
    a_.cmp(x86::ecx, Imm(kDoubleType));
    a_.jne(runtime);
    a_.bind(raw);
    a_.add(x86::rax, Imm(kRawOffset));
    a_.bind(store);
    a_.mov(Slot(i), x86::rax);
    a_.jmp(done);
    a_.bind(runtime);
    a_.mov(x86::rdi, x86::rax);
    a_.lea(x86::rsi, Slot(i));
    CallRuntime(EntryAddress(&StubPointerArgument));
    a_.test(x86::rax, x86::rax);
    a_.jz(fallback_);
    a_.bind(done);
  }

  void EmitCall() {
    for (int i = 0; i < plan_.parsed.nfixed; ++i) {
      const ArgumentPlace& place = plan_.places[i];
      if (place.kind == ArgumentPlace::kGp) a_.mov(kGpArguments[place.index], Slot(i));
      if (place.kind == ArgumentPlace::kFp) a_.movsd(x86::xmm(place.index), Slot(i));
    }
    // The number of vector registers used, as libffi sets it (read by variadic callees).
    a_.mov(x86::eax, Imm(plan_.fp_used));
    a_.mov(x86::r11, x86::qword_ptr(kSubr, kSubrImpOffset));
    a_.call(x86::r11);
  }

  void EmitResult() {
    x86::Mem result = x86::qword_ptr(x86::rsp, plan_.result_offset());
    char ret = plan_.parsed.ret;
    switch (ret) {
      case 'v':
        a_.xor_(x86::eax, x86::eax);
        return;
      case 'i':
      case 'j':
        // Always a fixnum.
        a_.movsxd(x86::rax, x86::eax);
        a_.lea(x86::rax, x86::ptr(x86::rax, x86::rax, 0, 1));
        return;
      case 0:
      case 'k':
      case 'l':
      case 'p': {
        // A fixnum when v fits in 63 bits, i.e. when (v << 1) >> 1 == v; else boxed.
        Label box = a_.newLabel();
        a_.lea(x86::rcx, x86::ptr(x86::rax, x86::rax));
        a_.mov(x86::rdx, x86::rcx);
        a_.sar(x86::rdx, Imm(1));
        a_.cmp(x86::rdx, x86::rax);
        a_.jne(box);
        a_.lea(x86::rax, x86::ptr(x86::rcx, 1));
        a_.jmp(epilogue_);
        a_.bind(box);
        a_.mov(result, x86::rax);
        break;
      }
      case 'f':
        a_.movss(x86::dword_ptr(x86::rsp, plan_.result_offset()), x86::xmm0);
        break;
      case 'd':
        a_.movsd(result, x86::xmm0);
        break;
      default:  // 's', 'S'
        a_.mov(result, x86::rax);
        break;
    }
    a_.mov(x86::rdi, kVm);
    a_.mov(x86::esi, Imm(static_cast<unsigned char>(ret)));
    a_.lea(x86::rdx, result);
    CallRuntime(EntryAddress(&StubResult));
  }

  void EmitFallback() {
    a_.bind(fallback_);
    a_.mov(x86::rdi, kVm);
    a_.mov(x86::rsi, kSubr);
    a_.mov(x86::rdx, kArgs);
    a_.mov(x86::rcx, kArgc);
    CallRuntime(EntryAddress(&StubCallThroughLibffi));
    a_.jmp(epilogue_);
  }

  // Position independent: the absolute address as an immediate, called through a register.
  void CallRuntime(uint64_t address) {
    a_.mov(x86::r11, Imm(address));
    a_.call(x86::r11);
  }

  const StubPlan& plan_;
  x86::Assembler& a_;
  Label fallback_, epilogue_;
};

}  // namespace

void EmitX64Stub(const StubPlan& plan, asmjit::CodeHolder* code) {
  x86::Assembler a(code);
  X64StubEmitter(plan, a).Emit();
}

}  // namespace maru::jit::ffi
