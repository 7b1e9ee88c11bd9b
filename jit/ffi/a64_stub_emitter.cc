// Foreign-call stubs for AArch64 (AAPCS64, and Apple's variant within the limits PlanStub sets)
// with asmjit's a64::Assembler (see stub_generator.h for what a stub does). Compiled on every
// host, so the generator is tested on x86-64 too.
//
// Registers: x19 = the Vm, x20 = the Subr, x21 = the argument array, x22 = argc (callee-saved,
// so they survive calls into the runtime); x9, x10 and x16 (call targets) are scratch; x18 is
// never touched (the platform register on Apple). Frame: a standard frame record (x29, x30),
// then x19-x22, then the plan's frame (stub_plan.h); sp stays 16-byte aligned.
#include <asmjit/arm/a64assembler.h>

#include "jit/ffi/stub_emitters.h"
#include "jit/ffi/stub_runtime.h"
#include "runtime/object.h"

namespace maru::jit::ffi {

namespace {

namespace a64 = asmjit::a64;
using asmjit::Imm;
using asmjit::Label;
using asmjit::arm::CondCode;

const a64::GpX kVm = a64::x19;
const a64::GpX kSubr = a64::x20;
const a64::GpX kArgs = a64::x21;
const a64::GpX kArgc = a64::x22;
const a64::GpX kValue = a64::x9;  // the argument being converted
const a64::GpX kScratch = a64::x10;
const a64::GpX kCallTarget = a64::x16;
// Bytes between the frame record and the plan's frame: x19-x22.
constexpr int32_t kSavedBelowFramePointer = 4 * 8;

class A64StubEmitter {
 public:
  A64StubEmitter(const StubPlan& plan, a64::Assembler& a) : plan_(plan), a_(a) {}

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
    a_.sub(a64::sp, a64::x29, Imm(kSavedBelowFramePointer));
    a_.ldp(a64::x21, a64::x22, a64::ptr_post(a64::sp, 16));
    a_.ldp(a64::x19, a64::x20, a64::ptr_post(a64::sp, 16));
    a_.ldp(a64::x29, a64::x30, a64::ptr_post(a64::sp, 16));
    a_.ret(a64::x30);
    EmitFallback();
  }

 private:
  void EmitPrologue() {
    a_.stp(a64::x29, a64::x30, a64::ptr_pre(a64::sp, -16));
    a_.mov(a64::x29, a64::sp);
    a_.stp(a64::x19, a64::x20, a64::ptr_pre(a64::sp, -16));
    a_.stp(a64::x21, a64::x22, a64::ptr_pre(a64::sp, -16));
    a_.sub(a64::sp, a64::sp, Imm(plan_.frame_size()));
    a_.mov(kVm, a64::x0);
    a_.mov(kSubr, a64::x1);
    a_.mov(kArgs, a64::x2);
    a_.mov(kArgc, a64::x3);
  }

  // The argument count, then the Subr's signature byte by byte up to its NUL: a shorter text
  // differs at its NUL, so no byte past the end of the Subr's string is read.
  void EmitChecks() {
    a_.cmp(kArgc, Imm(plan_.parsed.nfixed));
    a_.b(CondCode::kNE, fallback_);
    a_.ldr(kValue, a64::ptr(kSubr, kSubrSigOffset));
    a_.cbz(kValue, fallback_);
    const std::string& sig = plan_.signature;
    for (size_t i = 0; i <= sig.size(); ++i) {
      uint32_t byte = i < sig.size() ? static_cast<unsigned char>(sig[i]) : 0;
      a_.ldrb(kScratch.w(), a64::ptr(kValue, static_cast<int32_t>(i)));
      a_.cmp(kScratch.w(), Imm(byte));
      a_.b(CondCode::kNE, fallback_);
    }
  }

  a64::Mem Slot(int i) const { return a64::ptr(a64::sp, plan_.SlotOffset(i)); }

  // Branches to the fallback unless kValue is a heap object of `type`.
  void RequireObjectOfType(uint32_t type) {
    a_.cbz(kValue, fallback_);
    a_.tst(kValue, Imm(7));
    a_.b(CondCode::kNE, fallback_);
    a_.ldr(kScratch.w(), a64::ptr(kValue));
    a_.cmp(kScratch.w(), Imm(type));
    a_.b(CondCode::kNE, fallback_);
  }

  void EmitArgument(int i) {
    char letter = plan_.parsed.letters[i];
    a_.ldr(kValue, a64::ptr(kArgs, i * 8));
    switch (letter) {
      case 'i':
      case 'j':
      case 'k':
      case 'l': {
        Label boxed = a_.newLabel(), store = a_.newLabel();
        a_.tbz(kValue, Imm(0), boxed);
        a_.asr(kValue, kValue, Imm(1));
        a_.b(store);
        a_.bind(boxed);
        RequireObjectOfType(kLongType);
        a_.ldr(kValue, a64::ptr(kValue, kRawOffset));
        a_.bind(store);
        // int and int32_t: the low 32 bits, sign-extended as libffi passes them.
        if (letter == 'i' || letter == 'j') a_.sxtw(kValue, kValue.w());
        a_.str(kValue, Slot(i));
        break;
      }
      case 'd':
        RequireObjectOfType(kDoubleType);
        a_.ldr(kValue, a64::ptr(kValue, kRawOffset));
        a_.str(kValue, Slot(i));
        break;
      case 'f':
        RequireObjectOfType(kDoubleType);
        a_.ldr(a64::d0, a64::ptr(kValue, kRawOffset));
        a_.fcvt(a64::s0, a64::d0);
        a_.fmov(kValue.w(), a64::s0);  // zero-extends: the slot's upper half is 0
        a_.str(kValue, Slot(i));
        break;
      case 's':
        a_.mov(a64::x0, kValue);
        CallRuntime(EntryAddress(&StubUtf8Argument));
        a_.cbz(a64::x0, fallback_);
        a_.str(a64::x0, Slot(i));
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
    a_.cbz(kValue, store);  // nil: NULL
    a_.tbz(kValue, Imm(0), object);
    a_.asr(kValue, kValue, Imm(1));
    a_.b(store);
    a_.bind(object);
    a_.tst(kValue, Imm(7));
    a_.b(CondCode::kNE, fallback_);  // not an object (the error word): the libffi path reports it
    a_.ldr(kScratch.w(), a64::ptr(kValue));
    a_.cmp(kScratch.w(), Imm(kLongType));
    a_.b(CondCode::kNE, not_long);
    a_.ldr(kValue, a64::ptr(kValue, kRawOffset));
    a_.b(store);
    a_.bind(not_long);
    a_.cmp(kScratch.w(), Imm(kDataType));
    a_.b(CondCode::kEQ, raw);
    a_.cmp(kScratch.w(), Imm(kDoubleType));
    a_.b(CondCode::kNE, runtime);
    a_.bind(raw);
    a_.add(kValue, kValue, Imm(kRawOffset));
    a_.bind(store);
    a_.str(kValue, Slot(i));
    a_.b(done);
    a_.bind(runtime);
    a_.mov(a64::x0, kValue);
    a_.add(a64::x1, a64::sp, Imm(plan_.SlotOffset(i)));
    CallRuntime(EntryAddress(&StubPointerArgument));
    a_.cbz(a64::x0, fallback_);
    a_.bind(done);
  }

  void EmitCall() {
    for (int i = 0; i < plan_.parsed.nfixed; ++i) {
      const ArgumentPlace& place = plan_.places[i];
      if (place.kind == ArgumentPlace::kGp) a_.ldr(a64::x(place.index), Slot(i));
      if (place.kind == ArgumentPlace::kFp) a_.ldr(a64::d(place.index), Slot(i));
    }
    a_.ldr(kCallTarget, a64::ptr(kSubr, kSubrImpOffset));
    a_.blr(kCallTarget);
  }

  void EmitResult() {
    a64::Mem result = a64::ptr(a64::sp, plan_.result_offset());
    char ret = plan_.parsed.ret;
    switch (ret) {
      case 'v':
        a_.mov(a64::x0, a64::xzr);
        return;
      case 'i':
      case 'j':
        // Always a fixnum.
        a_.sxtw(a64::x0, a64::w0);
        a_.add(a64::x0, a64::x0, a64::x0);
        a_.orr(a64::x0, a64::x0, Imm(1));
        return;
      case 0:
      case 'k':
      case 'l':
      case 'p': {
        // A fixnum when v fits in 63 bits, i.e. when (v << 1) >> 1 == v; else boxed.
        Label box = a_.newLabel();
        a_.add(kValue, a64::x0, a64::x0);
        a_.asr(kScratch, kValue, Imm(1));
        a_.cmp(kScratch, a64::x0);
        a_.b(CondCode::kNE, box);
        a_.orr(a64::x0, kValue, Imm(1));
        a_.b(epilogue_);
        a_.bind(box);
        a_.str(a64::x0, result);
        break;
      }
      case 'f':
        a_.str(a64::s0, result);
        break;
      case 'd':
        a_.str(a64::d0, result);
        break;
      default:  // 's', 'S'
        a_.str(a64::x0, result);
        break;
    }
    a_.mov(a64::x0, kVm);
    a_.movz(a64::x1, Imm(static_cast<unsigned char>(ret)));
    a_.add(a64::x2, a64::sp, Imm(plan_.result_offset()));
    CallRuntime(EntryAddress(&StubResult));
  }

  void EmitFallback() {
    a_.bind(fallback_);
    a_.mov(a64::x0, kVm);
    a_.mov(a64::x1, kSubr);
    a_.mov(a64::x2, kArgs);
    a_.mov(a64::x3, kArgc);
    CallRuntime(EntryAddress(&StubCallThroughLibffi));
    a_.b(epilogue_);
  }

  // Position independent: the absolute address with movz and movk, called through a register.
  void CallRuntime(uint64_t address) {
    a_.movz(kCallTarget, Imm(address & 0xffff));
    for (uint32_t shift = 16; shift < 64; shift += 16) {
      uint32_t chunk = static_cast<uint32_t>((address >> shift) & 0xffff);
      if (chunk != 0) a_.movk(kCallTarget, Imm(chunk), Imm(shift));
    }
    a_.blr(kCallTarget);
  }

  const StubPlan& plan_;
  a64::Assembler& a_;
  Label fallback_, epilogue_;
};

}  // namespace

void EmitA64Stub(const StubPlan& plan, asmjit::CodeHolder* code) {
  a64::Assembler a(code);
  A64StubEmitter(plan, a).Emit();
}

}  // namespace maru::jit::ffi
