// Unit tests of the foreign-function interface (spec §7.10, §13): signature parsing, argument
// conversion, return types, Subrs without a signature (the embedding interface), native-call,
// and the embedded library files. The C functions called below are defined in this file and
// exported from the test binary (-rdynamic), so `subr` finds them with dlsym(RTLD_DEFAULT).
#include <gc.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <memory>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "runtime/evaluator.h"
#include "runtime/ffi/ffi.h"
#include "runtime/ffi/library.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/strings.h"
#include "runtime/subr.h"
#include "runtime/vm.h"

#define EXPORT extern "C" __attribute__((visibility("default"), used))

// --- C functions called from Maru ---------------------------------------------------------------

// Written against the embedding interface (maru::PrimitiveFn): called by Subrs without signature.
EXPORT maru::Oop maru_ffi_test_sum(maru::Vm& vm, const maru::Oop* args, int argc, maru::Frame*) {
  int64_t sum = 0;
  for (int i = 0; i < argc; ++i) {
    if (!maru::IsLong(args[i])) return vm.Error("maru_ffi_test_sum: non-Long argument");
    sum += maru::LongValue(args[i]);
  }
  return maru::NewLong(sum);
}

EXPORT maru::Oop maru_ffi_test_argc(maru::Vm&, const maru::Oop*, int argc, maru::Frame*) {
  return maru::MakeFixnum(argc);
}

// Records what it was given, for the argument conversion tests.
struct Received {
  int i;
  int32_t j;
  int64_t k;
  long l;
  float f;
  double d;
  void* p;
  std::wstring wide;
  std::string utf8;
};
Received received;

EXPORT int maru_ffi_test_all(int i, int32_t j, int64_t k, long l, float f, double d, void* p,
                             const wchar_t* wide, const char* utf8) {
  received.i = i;
  received.j = j;
  received.k = k;
  received.l = l;
  received.f = f;
  received.d = d;
  received.p = p;
  received.wide = wide != nullptr ? wide : L"(null)";
  received.utf8 = utf8 != nullptr ? utf8 : "(null)";
  return 7;
}

EXPORT void* maru_ffi_test_identity(void* p) { return p; }
EXPORT int maru_ffi_test_minus_one() { return -1; }
EXPORT float maru_ffi_test_half() { return 0.5f; }
EXPORT double maru_ffi_test_third() { return 1.0 / 3.0; }
EXPORT int64_t maru_ffi_test_big() { return int64_t{1} << 62; }
EXPORT const char* maru_ffi_test_utf8() { return "utf-8 \xc3\xa9"; }
EXPORT const wchar_t* maru_ffi_test_wide() { return L"wide \u00e9"; }
EXPORT const char* maru_ffi_test_null() { return nullptr; }
int void_calls = 0;
EXPORT void maru_ffi_test_void() { ++void_calls; }

// Sums `n` variadic longs.
EXPORT long maru_ffi_test_sum_longs(int n, ...) {
  va_list ap;
  va_start(ap, n);
  long sum = 0;
  for (int i = 0; i < n; ++i) sum += va_arg(ap, long);
  va_end(ap);
  return sum;
}

// Sums `n` variadic doubles.
EXPORT double maru_ffi_test_sum_doubles(int n, ...) {
  va_list ap;
  va_start(ap, n);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += va_arg(ap, double);
  va_end(ap);
  return sum;
}

EXPORT int maru_ffi_test_mix(long a, double b, long c) {
  return static_cast<int>(a + static_cast<long>(b * 10) + c * 100);
}

// --- Harness ------------------------------------------------------------------------------------

namespace maru {
namespace {

class FfiTest : public ::testing::Test {
 protected:
  explicit FfiTest(bool prelude = false) {
    InitHeap();
    vm_ = std::make_unique<Vm>();
    if (prelude && !LoadPrelude(*vm_)) {
      ADD_FAILURE() << "prelude: " << vm_->TakeError().message;
    }
  }

  // Evaluates every form of `text`; the last value, or kErrorOop (error_ holds the message).
  Oop Eval(std::string_view text) {
    error_.clear();
    source_ = std::string(text) + " ";
    FILE* in = fmemopen(source_.data(), source_.size(), "r");
    Oop result = kNil;
    {
      Reader reader(*vm_, in, "<test>");
      for (;;) {
        bool eof = false;
        Oop form = reader.Read(&eof);
        if (form == kErrorOop) {
          result = kErrorOop;
          break;
        }
        if (eof) break;
        result = EvalTopLevel(*vm_, form);
        if (result == kErrorOop) break;
      }
    }
    vm_->pushback.erase(in);
    std::fclose(in);
    if (result == kErrorOop) error_ = vm_->TakeError().message;
    return result;
  }

  // The dumped value, or "ERROR: message".
  std::string R(std::string_view text) {
    Oop v = Eval(text);
    if (v == kErrorOop) return "ERROR: " + error_;
    std::string out;
    if (!PrintTo(*vm_, v, true, &out)) return "PRINT ERROR: " + vm_->TakeError().message;
    return out;
  }

  Oop Global(std::string_view name) { return Slot(vm_->FindGlobal(name), variable::kValue); }

  std::unique_ptr<Vm> vm_;
  std::string source_;
  std::string error_;
};

class FfiPreludeTest : public FfiTest {
 protected:
  FfiPreludeTest() : FfiTest(/*prelude=*/true) {}
};

// --- subr without a signature: the embedding interface ------------------------------------------

TEST_F(FfiTest, NoSignatureCallsAPrimitiveFn) {
  // §13.1: without a signature the function is called like a core primitive.
  EXPECT_EQ(R("((subr \"maru_ffi_test_sum\") 1 2 3 4)"), "10");
  EXPECT_EQ(R("((subr \"maru_ffi_test_sum\" ()) 5)"), "5");  // nil: no signature
  EXPECT_EQ(R("((subr \"maru_ffi_test_argc\"))"), "0");
  EXPECT_EQ(R("(apply (subr 'maru_ffi_test_argc) '(a b c))"), "3");
  EXPECT_EQ(R("((subr \"maru_ffi_test_sum\") 1 'x)"),
            "ERROR: maru_ffi_test_sum: non-Long argument");
  // The runtime stays usable after the error.
  EXPECT_EQ(R("((subr \"maru_ffi_test_sum\") 2 2)"), "4");
}

TEST_F(FfiTest, SubrObjects) {
  Oop s = Eval("(subr \"maru_ffi_test_identity\" \"p>p\")");
  ASSERT_TRUE(IsSubr(s));
  EXPECT_EQ(SubrOf(s)->kind, SubrKind::kForeign);
  EXPECT_STREQ(SubrOf(s)->sig, "p>p");
  EXPECT_NE(SubrOf(s)->data, nullptr);  // the prepared call, made once
  EXPECT_EQ(SubrOf(s)->imp, reinterpret_cast<void*>(&maru_ffi_test_identity));
  Oop plain = Eval("(subr \"maru_ffi_test_sum\")");
  EXPECT_EQ(SubrOf(plain)->sig, nullptr);
  EXPECT_EQ(SubrOf(plain)->data, nullptr);
  EXPECT_EQ(R("(subr \"maru_ffi_test_identity\" \"p>p\")"), "maru_ffi_test_identity");
  EXPECT_EQ(R("(subr-name (subr 'maru_ffi_test_identity \"\"))"), "\"maru_ffi_test_identity\"");
}

TEST_F(FfiTest, PreparedDataSurvivesCollections) {
  Eval("(define id (subr \"maru_ffi_test_identity\" \"p>p\"))");
  for (int i = 0; i < 3; ++i) {
    GC_gcollect();
    EXPECT_EQ(R("(id 1234)"), "1234");
  }
}

// --- signatures ---------------------------------------------------------------------------------

TEST_F(FfiTest, SignaturesAccepted) {
  // §13.1 letters, `.` (the reference ignores what follows it), §13.2 `>x` at the very end.
  for (const char* sig : {"", "s", "ijklfdpSs", "s.", "s.xyz", "s.>i", "s.xyz>i", ">v", ".>d",
                          "ijklfdpSs>S", "d>d", "p>p", "s>s", "i>j", "i>k", "i>l", "i>f", "i>p"}) {
    EXPECT_EQ(R(std::string("(subr-name (subr \"maru_ffi_test_identity\" \"") + sig + "\"))"),
              "\"maru_ffi_test_identity\"")
        << sig;
  }
  std::string max(kMaxForeignArgs, 'i');
  EXPECT_EQ(R("(subr-name (subr \"maru_ffi_test_identity\" \"" + max + "\"))"),
            "\"maru_ffi_test_identity\"");
}

TEST_F(FfiTest, SignaturesRejected) {
  for (const char* sig : {"q", "sq", "s>", ">", "s>ii", "s>>i", "d>d>", "d>x", "i>.", "S>v.",
                          "d>D", "d >d"}) {
    EXPECT_EQ(R(std::string("(subr \"maru_ffi_test_identity\" \"") + sig + "\")"),
              std::string("ERROR: illegal type specification: ") + sig)
        << sig;
  }
  std::string too_long(kMaxForeignArgs + 1, 'i');
  EXPECT_EQ(R("(subr \"maru_ffi_test_identity\" \"" + too_long + "\")"),
            "ERROR: illegal type specification: " + too_long);
  EXPECT_EQ(R("(subr \"maru_ffi_test_identity\" 'p)"), "ERROR: subr: non-String signature: p");
  EXPECT_EQ(R("(subr \"maru_ffi_test_identity\" 5)"), "ERROR: subr: non-String signature: 5");
  EXPECT_EQ(R("(subr 5)"), "ERROR: subr: argument must be string or symbol");
  EXPECT_EQ(R("(subr)"), "ERROR: subr: argument must be string or symbol");
  EXPECT_EQ(R("(subr \"maru_no_such_function\" \"\")"),
            "ERROR: could not find symbol: maru_no_such_function");
}

// --- arguments ----------------------------------------------------------------------------------

TEST_F(FfiTest, EveryArgumentLetter) {
  Eval("(define all (subr \"maru_ffi_test_all\" \"ijklfdpSs>i\"))");
  EXPECT_EQ(R("(all -1 -2 -9000000000000000000 4611686018427387904 0.5 2.25 4096 \"wïde\" "
              "\"ütf\")"),
            "7");
  EXPECT_EQ(received.i, -1);
  EXPECT_EQ(received.j, -2);
  EXPECT_EQ(received.k, -9000000000000000000);
  EXPECT_EQ(received.l, 4611686018427387904L);  // a boxed Long
  EXPECT_EQ(received.f, 0.5f);
  EXPECT_EQ(received.d, 2.25);
  EXPECT_EQ(received.p, reinterpret_cast<void*>(4096));
  EXPECT_EQ(received.wide, L"w\u00efde");
  EXPECT_EQ(received.utf8, "\xc3\xbctf");
  // Ints keep their low 32 bits.
  EXPECT_EQ(R("(all 4294967297 4294967298 0 0 0.0 0.0 () () \"\")"), "7");
  EXPECT_EQ(received.i, 1);
  EXPECT_EQ(received.j, 2);
  EXPECT_EQ(received.p, nullptr);
  EXPECT_EQ(received.wide, L"(null)");
}

TEST_F(FfiTest, ArgumentErrors) {
  Eval("(define all (subr \"maru_ffi_test_all\" \"ijklfdpSs>i\"))");
  const char* ok[] = {"1", "2", "3", "4", "0.5", "0.5", "()", "()", "\"s\""};
  struct Case {
    int index;
    const char* value;
    const char* message;
  } cases[] = {
      {0, "1.5", "non-Long argument in foreign call: 1.500000"},
      {1, "\"x\"", "non-Long argument in foreign call: \"x\""},
      {2, "()", "non-Long argument in foreign call: ()"},
      {3, "'a", "non-Long argument in foreign call: a"},
      {4, "1", "non-Double argument in foreign call: 1"},
      {5, "2", "non-Double argument in foreign call: 2"},
      {6, "'(1)", "invalid pointer argument: (1)"},
      {7, "(array 1)", "invalid pointer argument: Array<1>(())"},
      {8, "'sym", "non-String argument in foreign call: sym"},
      {8, "()", "non-String argument in foreign call: ()"},
  };
  for (const Case& c : cases) {
    std::string call = "(all";
    for (int i = 0; i < 9; ++i) call += std::string(" ") + (i == c.index ? c.value : ok[i]);
    call += ")";
    EXPECT_EQ(R(call), std::string("ERROR: ") + c.message) << call;
  }
  // Conversion errors come first, in argument order; then the count is checked.
  EXPECT_EQ(R("(all 1.5)"), "ERROR: non-Long argument in foreign call: 1.500000");
  EXPECT_EQ(R("(all 1 2 3)"), "ERROR: too few arguments (3 < 9) in call to maru_ffi_test_all");
  EXPECT_EQ(R("(all)"), "ERROR: too few arguments (0 < 9) in call to maru_ffi_test_all");
  EXPECT_EQ(R("(all 1 2 3 4 0.5 0.5 () () \"s\" 10)"),
            "ERROR: too many arguments in call to maru_ffi_test_all");
  EXPECT_EQ(R("((subr \"maru_ffi_test_minus_one\" \"\") 1)"),
            "ERROR: too many arguments in call to maru_ffi_test_minus_one");
}

TEST_F(FfiTest, PointerArguments) {
  // §13.1 `p`: the address each kind of object is passed as.
  Eval("(define id (subr \"maru_ffi_test_identity\" \"p>p\"))");
  auto pointer = [&](const std::string& arg) -> int64_t {
    Oop v = Eval("(id " + arg + ")");
    EXPECT_TRUE(IsLong(v)) << arg << ": " << error_;
    return IsLong(v) ? LongValue(v) : 0;
  };
  auto address = [](const void* p) {
    return static_cast<int64_t>(reinterpret_cast<intptr_t>(p));
  };
  EXPECT_EQ(pointer("()"), 0);
  EXPECT_EQ(pointer("-8"), -8);
  Eval("(define d (data 16)) (define x 2.5) (define f (lambda (a) a)) (define s \"abc\")"
       " (define raw (allocate-atomic 30 8))");
  EXPECT_EQ(pointer("d"), address(RawBytes(Global("d"))));
  EXPECT_EQ(pointer("x"), address(RawBytes(Global("x"))));
  EXPECT_EQ(*reinterpret_cast<double*>(pointer("x")), 2.5);
  EXPECT_EQ(pointer("f"), address(RawBytes(Global("f"))));
  EXPECT_EQ(pointer("raw"), address(RawBytes(Global("raw"))));
  EXPECT_EQ(pointer("s"), address(StringChars(Global("s"))));
  EXPECT_EQ(std::wstring(reinterpret_cast<const wchar_t*>(pointer("s"))), L"abc");
  EXPECT_EQ(pointer("(subr \"maru_ffi_test_half\")"),
            address(reinterpret_cast<void*>(&maru_ffi_test_half)));
  EXPECT_EQ(pointer("(defined? 's)"), address(&Slot(vm_->FindGlobal("s"), variable::kValue)));
  // A Symbol: a NUL-terminated 32-bit copy of its name, the same one every time.
  int64_t sym = pointer("'h\u00e9llo");
  EXPECT_EQ(std::wstring(reinterpret_cast<const wchar_t*>(sym)), L"h\u00e9llo");
  EXPECT_EQ(pointer("'h\u00e9llo"), sym);
  // Objects with oop slots other than those above cannot be passed.
  EXPECT_EQ(R("(id (cons 1 2))"), "ERROR: invalid pointer argument: (1 . 2)");
  EXPECT_EQ(R("(id (array))"), "ERROR: invalid pointer argument: Array<0>()");
  EXPECT_EQ(R("(id (form ()))"), "ERROR: invalid pointer argument: Form((), ())");
  EXPECT_EQ(R("(id if)"), "ERROR: invalid pointer argument: Fixed<if>");
  EXPECT_EQ(R("(id *globals*)"), "ERROR: invalid pointer argument: <globals>");
}

TEST_F(FfiTest, StringsAreNulTerminatedForC) {
  Eval("(define wlen (subr \"wcslen\" \"S>l\"))");
  // A String whose storage has no room for a terminator gets larger storage.
  Oop s = AllocSlots(kStringType, string::kSlots);
  auto* chars = static_cast<uint32_t*>(AllocAtomicBytes(4 * sizeof(uint32_t)));
  const int64_t n = static_cast<int64_t>(GC_size(chars) / sizeof(uint32_t));  // all of it
  std::string text;
  for (int64_t i = 0; i < n; ++i) {
    chars[i] = 'a' + i;
    text.push_back(static_cast<char>('a' + i));
  }
  Slot(s, string::kSize) = MakeFixnum(n);
  Slot(s, string::kBits) = reinterpret_cast<Oop>(chars);
  vm_->DefineGlobal("full", s);
  EXPECT_EQ(R("(wlen full)"), std::to_string(n));
  EXPECT_NE(StringChars(s), chars);
  EXPECT_EQ(R("full"), "\"" + text + "\"");
  // Characters beyond the length are not the String's: a terminator is put there.
  Eval("(define six \"abcdef\")");
  Oop six = Global("six");
  Slot(six, string::kSize) = MakeFixnum(3);
  EXPECT_EQ(R("(wlen six)"), "3");
  EXPECT_EQ(R("six"), "\"abc\"");
  // `s` copies stop at the first code 0.
  EXPECT_EQ(R("((subr \"strlen\" \"s\") (let ((s (string 4))) (set-string-at s 0 65) s))"), "1");
}

TEST_F(FfiTest, Varargs) {
  Eval("(define sum (subr \"maru_ffi_test_sum_longs\" \"i.>l\"))"
       "(define dsum (subr \"maru_ffi_test_sum_doubles\" \"i.>d\"))");
  EXPECT_EQ(R("(sum 0)"), "0");
  EXPECT_EQ(R("(sum 3 1 20 300)"), "321");
  EXPECT_EQ(R("(sum 2 -4611686018427387905 1)"), "-4611686018427387904");
  EXPECT_EQ(R("(dsum 2 0.25 0.5)"), "0.750000");
  // 32 arguments in all.
  std::string call = "(sum 31";
  for (int i = 1; i <= 31; ++i) call += " " + std::to_string(i);
  EXPECT_EQ(R(call + ")"), "496");
  EXPECT_EQ(R(call + " 32)"), "ERROR: too many arguments in call to maru_ffi_test_sum_longs");
  EXPECT_EQ(R("(sum 1 'x)"), "ERROR: cannot pass object through '...': x");
  EXPECT_EQ(R("(sum 1 (data 8))"), "ERROR: cannot pass object through '...': <data[8]>");
  EXPECT_EQ(R("(sum)"), "ERROR: too few arguments (0 < 1) in call to maru_ffi_test_sum_longs");
  // nil and Subrs pass as pointers, Strings as UTF-8 copies.
  EXPECT_EQ(R("((subr \"snprintf\" \"pl.>i\") () 0 \"%p|%s|%s\" () \"\u00e9\" \"x\")"), "10");
  EXPECT_EQ(R("((subr \"maru_ffi_test_sum_longs\" \".>l\") 2 5 6)"), "11");
}

// --- results ------------------------------------------------------------------------------------

TEST_F(FfiTest, ReturnTypes) {
  EXPECT_EQ(R("((subr \"maru_ffi_test_minus_one\" \">i\"))"), "-1");
  EXPECT_EQ(R("((subr \"maru_ffi_test_minus_one\" \">j\"))"), "-1");
  EXPECT_EQ(R("((subr \"maru_ffi_test_big\" \">k\"))"), "4611686018427387904");
  EXPECT_EQ(R("((subr \"maru_ffi_test_big\" \">l\"))"), "4611686018427387904");
  EXPECT_EQ(R("((subr \"maru_ffi_test_big\" \"\"))"), "4611686018427387904");
  EXPECT_EQ(R("((subr \"maru_ffi_test_half\" \">f\"))"), "0.500000");
  EXPECT_EQ(R("((subr \"maru_ffi_test_third\" \">d\"))"), "0.333333");
  EXPECT_EQ(R("((subr \"maru_ffi_test_utf8\" \">s\"))"), "\"utf-8 \u00e9\"");
  EXPECT_EQ(R("((subr \"maru_ffi_test_wide\" \">S\"))"), "\"wide \u00e9\"");
  EXPECT_EQ(R("((subr \"maru_ffi_test_null\" \">s\"))"), "()");
  EXPECT_EQ(R("((subr \"maru_ffi_test_null\" \">S\"))"), "()");
  EXPECT_EQ(R("((subr \"maru_ffi_test_null\" \">p\"))"), "0");
  EXPECT_EQ(R("((subr \"maru_ffi_test_null\" \"\"))"), "0");
  void_calls = 0;
  EXPECT_EQ(R("((subr \"maru_ffi_test_void\" \">v\"))"), "()");
  EXPECT_EQ(void_calls, 1);
  EXPECT_EQ(R("(= ((subr \"maru_ffi_test_utf8\" \">p\")) ((subr \"maru_ffi_test_utf8\" \"\")))"),
            "t");
}

// --- native-call --------------------------------------------------------------------------------

TEST_F(FfiTest, NativeCall) {
  EXPECT_EQ(R("(native-call (subr \"maru_ffi_test_mix\") 1 2.5 3)"), "326");
  EXPECT_EQ(R("(native-call (subr \"maru_ffi_test_mix\" \"\") () 0.0 -1)"), "-100");
  EXPECT_EQ(R("(native-call (subr \"maru_ffi_test_minus_one\"))"), "-1");
  std::string call = "(native-call (subr \"maru_ffi_test_minus_one\")";
  for (int i = 0; i < kMaxForeignArgs; ++i) call += " 0";
  EXPECT_EQ(R(call + ")"), "-1");
  EXPECT_EQ(R(call + " 0)"), "ERROR: native-call: too many arguments (33 > 32)");
  EXPECT_EQ(R("(native-call)"), "ERROR: call: cannot call object of type 0");
  EXPECT_EQ(R("(native-call 'f)"), "ERROR: call: cannot call object of type 5");
  EXPECT_EQ(R("(native-call \"code\")"), "ERROR: call: cannot call object of type 4");
  EXPECT_EQ(R("(native-call 0)"), "ERROR: native-call: null code address");
  // Data: a copy of its bytes runs (the host's machine code returning its first argument).
#if defined(__x86_64__)
  // mov eax, edi ; ret
  EXPECT_EQ(R("(let ((d (data 3))) (set-byte-at d 0 0x89) (set-byte-at d 1 0xf8)"
              " (set-byte-at d 2 0xc3) (native-call d 77))"),
            "77");
#elif defined(__aarch64__)
  // ret (w0 already holds the first argument): 0xd65f03c0
  EXPECT_EQ(R("(let ((d (data 4))) (set-byte-at d 0 0xc0) (set-byte-at d 1 0x03)"
              " (set-byte-at d 2 0x5f) (set-byte-at d 3 0xd6) (native-call d 77))"),
            "77");
#endif
}

// --- library files ------------------------------------------------------------------------------

TEST_F(FfiTest, EmbeddedLibraryFiles) {
  EXPECT_TRUE(EmbeddedLibrarySource("dlopen.k").has_value());
  EXPECT_TRUE(EmbeddedLibrarySource("osdefs.k").has_value());
  EXPECT_FALSE(EmbeddedLibrarySource("nope.k").has_value());
  EXPECT_FALSE(EmbeddedLibrarySource("./dlopen.k").has_value());
  EXPECT_EQ(R("(string? (%library-source \"dlopen.k\"))"), "t");
  EXPECT_NE(R("(%library-source 'osdefs.k)"), "()");  // a Symbol names a file too
  EXPECT_EQ(R("(%library-source \"nope.k\")"), "()");
  EXPECT_EQ(R("(%library-source 5)"), "()");
  EXPECT_EQ(R("(= (%library-source \"osdefs.k\")"
              " (%library-source \"osdefs.k\"))"),
            "t");
}

TEST_F(FfiTest, ReadString) {
  EXPECT_EQ(R("(%read-string \"(a b) 1 \\\"s\\\" ; comment\n x\")"), "((a b) 1 \"s\" x)");
  EXPECT_EQ(R("(%read-string \"\")"), "()");
  EXPECT_EQ(R("(%read-string \"  \")"), "()");
  EXPECT_EQ(R("(%read-string \"(a\")"), "ERROR: EOF while reading list");
  EXPECT_EQ(R("(%read-string 5)"), "ERROR: %read-string: non-String argument: 5");
  // Source positions carry the given path.
  Oop forms = Eval("(%read-string \"\n(x)\" \"lib.k\")");
  ASSERT_TRUE(IsPair(forms));
  Oop source = SourceOf(Car(forms));
  ASSERT_TRUE(IsPair(source));
  EXPECT_EQ(StringToUtf8(Car(source)), "lib.k");
  EXPECT_EQ(LongValue(Cdr(source)), 2);
}

TEST_F(FfiPreludeTest, RequireFindsTheEmbeddedLibrary) {
  // §13.3 (the test's working directory has no dlopen.k).
  EXPECT_EQ(R("(require \"dlopen.k\") (init-dlopen) ((dlextern \"libm\" \"sqrt\" \"d>d\") 2.0)"),
            "1.414214");
  EXPECT_EQ(R("(list RTLD_NOW RTLD_GLOBAL RTLD_DEFAULT sizeof-pointer)"), "(2 256 0 8)");
  EXPECT_EQ(R("(dlextern \"libc\" \"maru_ffi_test_half\" \">f\")"), "maru_ffi_test_half");
  EXPECT_EQ(R("(load \"maru-no-such-file.k\")"),
            "ERROR: file not found or empty: maru-no-such-file.k");
}

}  // namespace
}  // namespace maru
