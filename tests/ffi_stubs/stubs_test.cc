// Foreign-call stubs (jit/ffi) on the host ISA, against the libffi path: every call is made both
// through the stub and through CallForeignSubr on the same inputs, and the results, the error
// messages and what the C function received must be identical. Valid calls must be completed by
// the stub itself (no fallback to libffi); invalid ones must fall back. Run for every kind of
// code memory, the dlopen kind included (position-independent stubs).
#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "jit/codemem/code_memory.h"
#include "jit/ffi/foreign_stubs.h"
#include "jit/ffi/stub_runtime.h"
#include "runtime/ffi/ffi.h"
#include "runtime/heap.h"
#include "runtime/strings.h"
#include "runtime/subr.h"
#include "runtime/vm.h"
#include "tests/ffi_stubs/stub_test_functions.h"

namespace maru::jit::ffi {
namespace {

// Written against the embedding interface: what a Subr without signature calls.
Oop ArgcPrimitive(Vm&, const Oop*, int argc, Frame*) { return MakeFixnum(100 + argc); }

char* GcCopy(const char* text) {
  size_t n = std::strlen(text) + 1;
  auto* copy = static_cast<char*>(AllocAtomicBytes(n));
  std::memcpy(copy, text, n);
  return copy;
}

// What a call produced: its value described exactly, or its error message.
struct Outcome {
  std::string value;
  std::string error;
  bool operator==(const Outcome& other) const {
    return value == other.value && error == other.error;
  }
};

std::ostream& operator<<(std::ostream& out, const Outcome& o) {
  return out << (o.error.empty() ? "value " + o.value : "error " + o.error);
}

std::string Describe(Oop x) {
  if (x == kNil) return "nil";
  if (IsFixnum(x)) return "fixnum " + std::to_string(FixnumValue(x));
  if (IsLong(x)) return "boxed Long " + std::to_string(LongValue(x));
  if (IsDouble(x)) {
    char text[64];
    std::snprintf(text, sizeof text, "Double %a", DoubleValue(x));
    return text;
  }
  if (IsString(x)) return "String \"" + StringToUtf8(x) + "\"";
  return "object of type " + std::to_string(TypeOf(x));
}

std::unique_ptr<CodeMemory> NewCodeMemory(const std::string& kind, std::string* error) {
  if (kind == "dual") return NewDualMappedCodeMemory(error);
  if (kind == "wx") return NewWriteThenExecuteCodeMemory(error);
  return NewDlopenCodeMemory(error);
}

class StubsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    InitHeap();
    vm_ = std::make_unique<Vm>();
    std::string error;
    memory_ = NewCodeMemory(GetParam(), &error);
    if (memory_ == nullptr) GTEST_SKIP() << GetParam() << " code memory: " << error;
    stubs_ = std::make_unique<ForeignStubs>(*memory_);
  }

  void TearDown() override {
    stubs_.reset();
    memory_.reset();
  }

  // A foreign Subr as `subr` makes it (names and signatures in collector memory).
  Oop Subr(const char* name, void* address, const char* signature) {
    Oop s = AllocRaw(kSubrType, sizeof(SubrBody), /*scanned=*/true);
    SubrBody* body = SubrOf(s);
    body->name = GcCopy(name);
    body->imp = address;
    body->sig = signature == nullptr ? nullptr : GcCopy(signature);
    body->kind = SubrKind::kForeign;
    body->arity = -1;
    if (signature != nullptr) {
      body->data = NewForeignCallData(*vm_, body->sig);
      EXPECT_NE(body->data, nullptr) << signature;
    }
    return s;
  }

  Oop Libc(const char* name, const char* signature) {
    void* address = dlsym(RTLD_DEFAULT, name);
    EXPECT_NE(address, nullptr) << name;
    return Subr(name, address, signature);
  }

  Outcome Capture(Oop result) {
    if (result == kErrorOop) return {"", vm_->TakeError().message};
    EXPECT_FALSE(vm_->HasError());
    return {Describe(result), ""};
  }

  // Calls `subr` with `args` through libffi and through its stub; expects the same outcome and
  // the same record of what the C function received, and returns the stub's outcome. `valid`:
  // whether the stub must complete the call itself.
  Outcome Both(Oop subr, std::initializer_list<Oop> args, bool valid = true) {
    // On the stack: the collector sees the arguments.
    Oop array[kMaxForeignArgs + 2] = {};
    int argc = 0;
    for (Oop a : args) array[argc++] = a;
    ForeignStub stub = stubs_->StubFor(subr);
    EXPECT_NE(stub, nullptr) << SubrOf(subr)->sig;
    if (stub == nullptr) return {};
    stub_test::received.clear();
    Outcome libffi = Capture(CallForeignSubr(*vm_, subr, array, argc, nullptr));
    std::string libffi_received = stub_test::received;
    stub_test::received.clear();
    int64_t fallbacks = StubFallbackCount();
    Outcome stubbed = Capture(stub(vm_.get(), subr, array, argc));
    EXPECT_EQ(StubFallbackCount() - fallbacks, valid ? 0 : 1)
        << (valid ? "the stub gave a valid call to libffi" : "the stub made an invalid call");
    EXPECT_EQ(stubbed, libffi) << SubrOf(subr)->sig;
    EXPECT_EQ(stub_test::received, libffi_received) << SubrOf(subr)->sig;
    return stubbed;
  }

  Outcome Error(Oop subr, std::initializer_list<Oop> args) { return Both(subr, args, false); }

  static Outcome Value(std::string v) { return {std::move(v), ""}; }
  static Outcome Failure(std::string message) { return {"", std::move(message)}; }

  Oop Long(int64_t v) { return NewLong(v); }
  Oop Double(double d) { return NewDouble(d); }
  Oop String(const char* utf8) { return NewStringFromUtf8(utf8); }

  std::unique_ptr<Vm> vm_;
  std::unique_ptr<CodeMemory> memory_;
  std::unique_ptr<ForeignStubs> stubs_;
};

TEST_P(StubsTest, Libc) {
  EXPECT_EQ(Both(Libc("strlen", "s>l"), {String("hello")}), Value("fixnum 5"));
  EXPECT_EQ(Both(Libc("strlen", "s"), {String("h\xc3\xa9llo")}), Value("fixnum 6"));
  EXPECT_EQ(Both(Libc("strlen", "s>l"), {String("")}), Value("fixnum 0"));
  EXPECT_EQ(Both(Libc("labs", "l>l"), {Long(-1234567890123)}), Value("fixnum 1234567890123"));
  EXPECT_EQ(Both(Libc("labs", "l"), {Long(-7)}), Value("fixnum 7"));
  // A boxed Long in, a boxed Long out.
  EXPECT_EQ(Both(Libc("labs", "l>l"), {Long(-(int64_t{1} << 62) - 5)}),
            Value("boxed Long " + std::to_string((int64_t{1} << 62) + 5)));
  EXPECT_EQ(Both(Libc("atoi", "s>i"), {String("-123")}), Value("fixnum -123"));
  EXPECT_EQ(Both(Libc("atoi", "s>i"), {String("2147483647")}), Value("fixnum 2147483647"));
  EXPECT_EQ(Both(Libc("wcslen", "S>l"), {String("h\xc3\xa9llo")}), Value("fixnum 5"));
}

TEST_P(StubsTest, Libm) {
  EXPECT_EQ(Both(Libc("sqrt", "d>d"), {Double(2.0)}), Value(Describe(Double(std::sqrt(2.0)))));
  volatile double minus_one = -1.0;
  EXPECT_EQ(Both(Libc("sqrt", "d>d"), {Double(-1.0)}),
            Value(Describe(Double(std::sqrt(minus_one)))));
  EXPECT_EQ(Both(Libc("pow", "dd>d"), {Double(2.0), Double(10.0)}), Value("Double 0x1p+10"));
  EXPECT_EQ(Both(Libc("sqrtf", "f>f"), {Double(2.0)}),
            Value(Describe(Double(static_cast<double>(std::sqrt(2.0f))))));
  EXPECT_EQ(Both(Libc("floor", "d>d"), {Double(-2.5)}), Value("Double -0x1.8p+1"));
}

TEST_P(StubsTest, Memcpy) {
  Oop destination = NewData(8);
  Oop source = NewData(8);
  std::memcpy(RawBytes(source), "abcdefgh", 8);
  Outcome out = Both(Libc("memcpy", "ppl>p"), {destination, source, Long(8)});
  EXPECT_EQ(out,
            Value("fixnum " + std::to_string(reinterpret_cast<intptr_t>(RawBytes(destination)))));
  EXPECT_EQ(std::memcmp(RawBytes(destination), "abcdefgh", 8), 0);
}

TEST_P(StubsTest, StackArguments) {
  Oop ints = Subr("maru_stub_ints", reinterpret_cast<void*>(&maru_stub_ints), "llllllllll>l");
  EXPECT_EQ(Both(ints, {Long(1), Long(2), Long(3), Long(4), Long(5), Long(6), Long(7), Long(8),
                        Long(9), Long(int64_t{1} << 40)}),
            Value("fixnum " + std::to_string(1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 + 81 +
                                             10 * (int64_t{1} << 40))));
  EXPECT_EQ(stub_test::received, "1 2 3 4 5 6 7 8 9 1099511627776");
  Oop doubles =
      Subr("maru_stub_doubles", reinterpret_cast<void*>(&maru_stub_doubles), "dddddddddd>d");
  EXPECT_EQ(Both(doubles, {Double(1), Double(2), Double(3), Double(4), Double(5), Double(6),
                           Double(7), Double(8), Double(9), Double(0.5)}),
            Value(Describe(Double(1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 + 81 + 5.0))));
  Oop mixed =
      Subr("maru_stub_mixed", reinterpret_cast<void*>(&maru_stub_mixed), "ifdlpjkfdiidlfddddi>d");
  Oop data = NewData(4);
  Outcome out = Both(mixed, {Long(-1), Double(0.25), Double(1.5), Long(int64_t{1} << 62), data,
                             Long(-2), Long(int64_t{1} << 33), Double(3.5), Double(-4.25), Long(5),
                             Long(6), Double(7.125), Long(-8), Double(9.5), Double(10.5),
                             Double(11.5), Double(12.5), Double(13.5), Long(14)});
  EXPECT_TRUE(out.error.empty()) << out;
  EXPECT_NE(stub_test::received.find("0x1p-2 0x1.8p+0 4611686018427387904"), std::string::npos)
      << stub_test::received;
}

TEST_P(StubsTest, ReturnTypes) {
  Oop half = Subr("maru_stub_half", reinterpret_cast<void*>(&maru_stub_half), "f>f");
  EXPECT_EQ(Both(half, {Double(3.0)}), Value("Double 0x1.8p+0"));
  Oop negate = Subr("maru_stub_negate", reinterpret_cast<void*>(&maru_stub_negate), "i>i");
  EXPECT_EQ(Both(negate, {Long(5)}), Value("fixnum -5"));
  // Only the low 32 bits reach an int (both paths truncate alike).
  EXPECT_EQ(Both(negate, {Long((int64_t{1} << 32) + 3)}), Value("fixnum -3"));
  EXPECT_EQ(Both(negate, {Long(INT32_MIN)}), Value("fixnum -2147483648"));
  Oop negate32 = Subr("maru_stub_negate32", reinterpret_cast<void*>(&maru_stub_negate32), "j>j");
  EXPECT_EQ(Both(negate32, {Long(-(int64_t{1} << 40) - 9)}), Value("fixnum 9"));
  Oop echo = Subr("maru_stub_echo64", reinterpret_cast<void*>(&maru_stub_echo64), "k>k");
  EXPECT_EQ(Both(echo, {Long((int64_t{1} << 62) - 1)}),
            Value("fixnum " + std::to_string((int64_t{1} << 62) - 1)));
  EXPECT_EQ(Both(echo, {Long(int64_t{1} << 62)}),
            Value("boxed Long " + std::to_string(int64_t{1} << 62)));
  EXPECT_EQ(Both(echo, {Long(-(int64_t{1} << 62))}),
            Value("fixnum " + std::to_string(-(int64_t{1} << 62))));
  EXPECT_EQ(Both(echo, {Long(INT64_MIN)}), Value("boxed Long " + std::to_string(INT64_MIN)));
  Oop untyped = Subr("maru_stub_untyped", reinterpret_cast<void*>(&maru_stub_untyped), "l");
  EXPECT_EQ(Both(untyped, {Long(int64_t{1} << 61)}),
            Value("boxed Long " + std::to_string(3 * (int64_t{1} << 61))));
  Oop nothing = Subr("maru_stub_void", reinterpret_cast<void*>(&maru_stub_void), "i>v");
  EXPECT_EQ(Both(nothing, {Long(3)}), Value("nil"));
  EXPECT_EQ(stub_test::received, "void 3");
  Oop text = Subr("maru_stub_text", reinterpret_cast<void*>(&maru_stub_text), "i>s");
  EXPECT_EQ(Both(text, {Long(1)}), Value("String \"utf-8 \xc3\xa9\""));
  EXPECT_EQ(Both(text, {Long(0)}), Value("nil"));
  Oop wide = Subr("maru_stub_wide", reinterpret_cast<void*>(&maru_stub_wide), "i>S");
  EXPECT_EQ(Both(wide, {Long(1)}), Value("String \"wide \xc3\xa9\""));
  EXPECT_EQ(Both(wide, {Long(0)}), Value("nil"));
  Oop none = Subr("maru_stub_no_arguments", reinterpret_cast<void*>(&maru_stub_no_arguments), ">l");
  EXPECT_EQ(Both(none, {}), Value("fixnum 42"));
  Oop pointer = Subr("maru_stub_pointer", reinterpret_cast<void*>(&maru_stub_pointer), "p>p");
  EXPECT_EQ(Both(pointer, {kNil}), Value("fixnum 0"));
}

TEST_P(StubsTest, PointerArguments) {
  Oop pointer = Subr("maru_stub_pointer", reinterpret_cast<void*>(&maru_stub_pointer), "p>p");
  Oop wide_pointer = Subr("maru_stub_pointer", reinterpret_cast<void*>(&maru_stub_pointer), "S>p");
  Oop data = NewData(16);
  Oop variable = vm_->DefineGlobal("stub-test-variable", Long(1));
  Oop values[] = {kNil,        Long(0x1234),   Long(-(int64_t{1} << 62) - 1),
                  data,        Double(1.5),    String("text"),
                  Intern("sym"), pointer};
  for (Oop x : values) {
    Outcome p = Both(pointer, {x});
    EXPECT_TRUE(p.error.empty()) << Describe(x) << ": " << p;
    EXPECT_EQ(Both(wide_pointer, {x}), p);
  }
  // A Variable's value cell: C may assign the Variable through it, so the stub leaves the call to
  // the libffi path, which advances the global epoch (compiled code then rechecks its guards).
  uint64_t epoch = vm_->global_epoch;
  Outcome cell = Both(pointer, {variable}, /*valid=*/false);
  EXPECT_TRUE(cell.error.empty()) << cell;
  EXPECT_EQ(cell, Value("fixnum " + std::to_string(reinterpret_cast<intptr_t>(
                                        &Slot(variable, variable::kValue)))));
  EXPECT_GT(vm_->global_epoch, epoch);
  EXPECT_EQ(Both(pointer, {data}),
            Value("fixnum " + std::to_string(reinterpret_cast<intptr_t>(RawBytes(data)))));
  EXPECT_EQ(Both(pointer, {pointer}),
            Value("fixnum " + std::to_string(reinterpret_cast<intptr_t>(&maru_stub_pointer))));
  // Strings and Symbols are passed as arrays of 32-bit characters.
  Oop first = Subr("maru_stub_first_char", reinterpret_cast<void*>(&maru_stub_first_char), "p>i");
  EXPECT_EQ(Both(first, {String("\xc3\xa9t\xc3\xa9")}), Value("fixnum 233"));
  EXPECT_EQ(Both(first, {Intern("zeta")}), Value("fixnum 122"));
  EXPECT_EQ(Both(first, {String("")}), Value("fixnum 0"));
}

TEST_P(StubsTest, Errors) {
  Oop strlen_subr = Libc("strlen", "s>l");
  EXPECT_EQ(Error(strlen_subr, {}), Failure("too few arguments (0 < 1) in call to strlen"));
  EXPECT_EQ(Error(strlen_subr, {String("a"), String("b")}),
            Failure("too many arguments in call to strlen"));
  EXPECT_EQ(Error(strlen_subr, {Long(1)}), Failure("non-String argument in foreign call: 1"));
  EXPECT_EQ(Error(strlen_subr, {Intern("abc")}),
            Failure("non-String argument in foreign call: abc"));
  Oop labs_subr = Libc("labs", "l>l");
  EXPECT_EQ(Error(labs_subr, {Double(2.0)}),
            Failure("non-Long argument in foreign call: 2.000000"));
  EXPECT_EQ(Error(labs_subr, {kNil}), Failure("non-Long argument in foreign call: ()"));
  EXPECT_EQ(Error(labs_subr, {String("x")}), Failure("non-Long argument in foreign call: \"x\""));
  Oop sqrt_subr = Libc("sqrt", "d>d");
  EXPECT_EQ(Error(sqrt_subr, {Long(2)}), Failure("non-Double argument in foreign call: 2"));
  EXPECT_EQ(Error(sqrt_subr, {Long(int64_t{1} << 62)}),
            Failure("non-Double argument in foreign call: 4611686018427387904"));
  EXPECT_EQ(Error(sqrt_subr, {kNil}), Failure("non-Double argument in foreign call: ()"));
  Oop sqrtf_subr = Libc("sqrtf", "f>f");
  EXPECT_EQ(Error(sqrtf_subr, {Intern("x")}), Failure("non-Double argument in foreign call: x"));
  // A conversion error comes before the shortage, the shortage before the surplus.
  Oop pow_subr = Libc("pow", "dd>d");
  EXPECT_EQ(Error(pow_subr, {String("x")}), Failure("non-Double argument in foreign call: \"x\""));
  EXPECT_EQ(Error(pow_subr, {Double(2.0)}), Failure("too few arguments (1 < 2) in call to pow"));
  EXPECT_EQ(Error(pow_subr, {Long(2), Double(3.0), Double(4.0)}),
            Failure("non-Double argument in foreign call: 2"));
  EXPECT_EQ(Error(pow_subr, {Double(2.0), Double(3.0), Double(4.0)}),
            Failure("too many arguments in call to pow"));
  Oop pointer = Subr("maru_stub_pointer", reinterpret_cast<void*>(&maru_stub_pointer), "p>p");
  EXPECT_EQ(Error(pointer, {NewPair(Long(1), kNil)}), Failure("invalid pointer argument: (1)"));
  Oop array = NewArray(1);
  EXPECT_EQ(Error(pointer, {array}), Failure("invalid pointer argument: Array<1>(())"));
  // An error in an argument passed on the stack.
  Oop mixed =
      Subr("maru_stub_mixed", reinterpret_cast<void*>(&maru_stub_mixed), "ifdlpjkfdiidlfddddi>d");
  EXPECT_EQ(Error(mixed, {Long(-1), Double(0.25), Double(1.5), Long(4), kNil, Long(-2), Long(3),
                          Double(3.5), Double(-4.25), Long(5), Long(6), Double(7.125), Long(-8),
                          Double(9.5), Double(10.5), Double(11.5), Double(12.5), Double(13.5),
                          Double(14)}),
            Failure("non-Long argument in foreign call: 14.000000"));
  EXPECT_EQ(stub_test::received, "");  // never called
}

// Maru code may rewrite a Subr's signature word after the stub was chosen: the stub then defers
// to the libffi path, which follows the new signature.
TEST_P(StubsTest, ChangedSignature) {
  Oop echo = Subr("maru_stub_echo64", reinterpret_cast<void*>(&maru_stub_echo64), "k>k");
  ForeignStub stub = stubs_->StubFor(echo);
  ASSERT_NE(stub, nullptr);
  Oop args[] = {Long(77)};
  for (const char* changed : {"k>v", "l>l", "k>", "k>kk", "k"}) {
    SubrOf(echo)->sig = GcCopy(changed);
    int64_t fallbacks = StubFallbackCount();
    Outcome stubbed = Capture(stub(vm_.get(), echo, args, 1));
    Outcome libffi = Capture(CallForeignSubr(*vm_, echo, args, 1, nullptr));
    EXPECT_EQ(stubbed, libffi) << changed;
    EXPECT_EQ(StubFallbackCount() - fallbacks, 1) << changed;
  }
  SubrOf(echo)->sig = GcCopy("k>v");
  EXPECT_EQ(Capture(stub(vm_.get(), echo, args, 1)), Value("nil"));
  SubrOf(echo)->sig = GcCopy("k>k");
  EXPECT_EQ(Capture(stub(vm_.get(), echo, args, 1)), Value("fixnum 77"));
  // No signature any more: the embedding interface.
  Oop sigless = Subr("argc", reinterpret_cast<void*>(&ArgcPrimitive), nullptr);
  EXPECT_EQ(Capture(stub(vm_.get(), sigless, args, 1)), Value("fixnum 101"));
}

TEST_P(StubsTest, FlushesStdoutBeforeTheCall) {
  Oop pending =
      Subr("maru_stub_pending_stdout", reinterpret_cast<void*>(&maru_stub_pending_stdout), ">i");
  std::fputs("", stdout);
  std::fflush(stdout);
  std::fputs("x", stdout);  // buffered (stdout is not a terminal under the test runner)
  EXPECT_EQ(Both(pending, {}), Value("fixnum 0"));
  std::fputs("\n", stdout);
}

TEST_P(StubsTest, StringCopiesSurviveACollection) {
  Oop f = Subr("maru_stub_strings_across_gc", reinterpret_cast<void*>(&maru_stub_strings_across_gc),
               "ss>l");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Both(f, {String("first \xc3\xa9"), String("second")}), Value("fixnum 14"));
    EXPECT_EQ(stub_test::received, "first \xc3\xa9|second");
  }
}

TEST_P(StubsTest, OneStubPerSignature) {
  Oop labs_subr = Libc("labs", "l>l");
  Oop echo = Subr("maru_stub_untyped", reinterpret_cast<void*>(&maru_stub_untyped), "l>l");
  ForeignStub stub = stubs_->StubFor(labs_subr);
  ASSERT_NE(stub, nullptr);
  EXPECT_EQ(stubs_->StubFor(echo), stub);
  EXPECT_NE(stubs_->StubFor(Libc("labs", "l")), stub);
  // The function comes from the Subr at each call.
  Oop args[] = {Long(-4)};
  EXPECT_EQ(Capture(stub(vm_.get(), labs_subr, args, 1)), Value("fixnum 4"));
  EXPECT_EQ(Capture(stub(vm_.get(), echo, args, 1)), Value("fixnum -12"));
  ForeignStubStats stats = stubs_->stats();
  EXPECT_EQ(stats.stubs, 2);
  EXPECT_GT(stats.code_bytes, 0u);
}

TEST_P(StubsTest, NoStub) {
  EXPECT_EQ(stubs_->StubFor(Libc("printf", "s.")), nullptr);
  EXPECT_EQ(stubs_->StubFor(Libc("printf", "s.>i")), nullptr);
  EXPECT_EQ(stubs_->StubFor(Subr("argc", reinterpret_cast<void*>(&ArgcPrimitive), nullptr)),
            nullptr);
  EXPECT_EQ(stubs_->StubFor(NewPrimitive("argc", &ArgcPrimitive, -1)), nullptr);
  EXPECT_EQ(stubs_->StubFor(MakeFixnum(3)), nullptr);
  EXPECT_EQ(stubs_->StubForSignature("x"), nullptr);
  EXPECT_EQ(stubs_->StubForSignature("l>"), nullptr);
  EXPECT_EQ(stubs_->stats().stubs, 0);
  EXPECT_EQ(stubs_->stats().refused, 4);
  // Variadic calls keep working through the runtime.
  Oop printf_subr = Libc("printf", "s.>i");
  Oop args[] = {String("%s %ld %g|\n"), String("varargs"), Long(42), Double(1.5)};
  EXPECT_EQ(Capture(CallForeignSubr(*vm_, printf_subr, args, 4, nullptr)), Value("fixnum 16"));
}

TEST_P(StubsTest, ThreadSafe) {
  const std::vector<std::string> signatures = {"l>l", "ll>l", "d>d", "dd>d", "s>l",  "p>p",
                                               "i>v", "f>f",  "k",   ">i",   "lldd", "S>S"};
  constexpr int kThreads = 4;
  std::vector<std::vector<ForeignStub>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < signatures.size(); ++i) {
          size_t k = (i + static_cast<size_t>(t) * 5) % signatures.size();
          ForeignStub stub = stubs_->StubForSignature(signatures[k]);
          if (round == 0) seen[t].push_back(stub);
        }
      }
      // Sorted by signature, for the comparison below.
      std::vector<ForeignStub> by_signature(signatures.size());
      for (size_t i = 0; i < signatures.size(); ++i) {
        by_signature[(i + static_cast<size_t>(t) * 5) % signatures.size()] = seen[t][i];
      }
      seen[t] = by_signature;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (size_t i = 0; i < signatures.size(); ++i) {
      EXPECT_NE(seen[t][i], nullptr) << signatures[i];
      EXPECT_EQ(seen[t][i], seen[0][i]) << signatures[i];
    }
  }
  EXPECT_EQ(stubs_->stats().stubs, static_cast<int64_t>(signatures.size()));
}

INSTANTIATE_TEST_SUITE_P(CodeMemoryKinds, StubsTest, ::testing::Values("dual", "wx", "dlopen"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace maru::jit::ffi
