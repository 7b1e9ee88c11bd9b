// Foreign calls through libffi (spec §7.10, §13). See ffi.h for the overview.
//
// Argument conversion follows the reference's order: the fixed arguments are converted one by
// one (a conversion error is reported at the first bad argument), then a shortage is reported
// (`too few arguments (1 < 2) in call to NAME`), then variadic arguments are converted, and
// finally any surplus is reported (`too many arguments in call to NAME`).
//
// Pointers handed to C:
//   * `s` (and Strings passed through `...`): a NUL-terminated UTF-8 copy owned by the call,
//     valid only while the C function runs.
//   * `p`/`S` with a String: the String's own array of 32-bit characters (C may read and write
//     it), with a code 0 guaranteed after the last character (the storage is extended when there
//     is no room for it). With a Symbol: a NUL-terminated 32-bit copy of its name, made once per
//     Symbol and kept for the life of the process (Symbols are never collected).
//   * `p` with Data, Double, Expr or another raw object: the address of the object's first byte
//     after its header (the bytes `byte-at` reads), which is what the reference's object pointer
//     designates.
#include "runtime/ffi/ffi.h"

#include <ffi.h>
#include <gc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "runtime/heap.h"
#include "runtime/printer.h"
#include "runtime/strings.h"
#include "runtime/subr.h"

namespace maru {

namespace {

// The prepared form of a signature; lives in collector memory, referenced from the Subr's
// `data` word (Subrs are scanned objects, so the block lives as long as the Subr). `cif` points
// into `types` in the same block.
struct ForeignCallData {
  const char* sig;  // the signature string this was prepared from (the Subr's `sig` word)
  int32_t nfixed;   // argument letters before `.` (or in the whole signature)
  bool variadic;    // `.` present
  char ret;         // the return letter after `>`, or 0: the reference's pointer-sized result
  char letters[kMaxForeignArgs];
  ffi_type* types[kMaxForeignArgs];
  ffi_type* rtype;
  ffi_cif cif;  // prepared for exactly the fixed arguments (used as is when not variadic)
};

ffi_type* ArgumentType(char c) {
  switch (c) {
    case 'i': return &ffi_type_sint;
    case 'j': return &ffi_type_sint32;
    case 'k': return &ffi_type_sint64;
    case 'l': return &ffi_type_slong;
    case 'f': return &ffi_type_float;
    case 'd': return &ffi_type_double;
    case 'p':
    case 'S':
    case 's': return &ffi_type_pointer;
    default: return nullptr;
  }
}

ffi_type* ReturnType(char c) {
  switch (c) {
    case 'v': return &ffi_type_void;
    case 'i': return &ffi_type_sint;
    case 'j': return &ffi_type_sint32;
    case 'k': return &ffi_type_sint64;
    case 'l': return &ffi_type_slong;
    case 'f': return &ffi_type_float;
    case 'd': return &ffi_type_double;
    case 'p':
    case 's':
    case 'S': return &ffi_type_pointer;
    default: return nullptr;
  }
}

// Parses a signature (spec §13.1, §13.2) into *d; false if it is illegal.
bool ParseSignature(std::string_view sig, ForeignCallData* d) {
  d->nfixed = 0;
  d->variadic = false;
  d->ret = 0;
  d->rtype = &ffi_type_pointer;  // the reference: the integer return register, as a Long
  size_t i = 0;
  for (; i < sig.size(); ++i) {
    char c = sig[i];
    if (c == '>') break;
    if (c == '.') {
      d->variadic = true;
      // The reference ignores whatever follows `.`; only the project's `>x` is looked at.
      while (i < sig.size() && sig[i] != '>') ++i;
      break;
    }
    ffi_type* type = ArgumentType(c);
    if (type == nullptr || d->nfixed == kMaxForeignArgs) return false;
    d->letters[d->nfixed] = c;
    d->types[d->nfixed] = type;
    ++d->nfixed;
  }
  if (i < sig.size()) {  // sig[i] == '>': exactly one return letter, at the very end
    if (sig.size() != i + 2) return false;
    d->ret = sig[i + 1];
    d->rtype = ReturnType(d->ret);
    if (d->rtype == nullptr) return false;
  }
  return true;
}

union ArgValue {
  int i;
  int32_t j;
  int64_t k;
  long l;
  float f;
  double d;
  void* p;
};

// A String whose slots can be trusted (Strings made with `allocate` may lack them).
bool WellFormedString(Oop s) {
  return SlotCount(s) >= string::kSlots && IsFixnum(Slot(s, string::kSize)) &&
         StringLength(s) >= 0;
}

// UTF-8 text of a String up to its first code 0 (empty for a malformed String).
std::string Utf8Of(Oop s) {
  if (!WellFormedString(s) || StringChars(s) == nullptr) return std::string();
  return StringToUtf8(s);
}

// The String's character array with a code 0 after its last character; nullptr when memory
// for a larger array cannot be had.
uint32_t* TerminatedChars(Oop s) {
  int64_t length = StringLength(s);
  uint32_t* chars = StringChars(s);
  if (chars != nullptr) {
    void* base = GC_base(chars);
    if (base == nullptr) return chars;  // not collector memory: nothing can be checked
    size_t offset = reinterpret_cast<char*>(chars) - static_cast<char*>(base);
    size_t room = (GC_size(base) - offset) / sizeof(uint32_t);
    if (static_cast<uint64_t>(length) < room) {
      if (chars[length] != 0) chars[length] = 0;  // beyond the String: not part of its value
      return chars;
    }
  }
  // No room for the terminator: move the characters to a larger array.
  if (length > (int64_t{1} << 33)) return nullptr;
  auto* fresh = static_cast<uint32_t*>(AllocAtomicBytes((length + 1) * sizeof(uint32_t)));
  if (fresh == nullptr) return nullptr;
  if (chars != nullptr && length > 0) std::memcpy(fresh, chars, length * sizeof(uint32_t));
  fresh[length] = 0;
  Slot(s, string::kBits) = reinterpret_cast<Oop>(fresh);
  return fresh;
}

// A NUL-terminated array of 32-bit characters with a Symbol's name, one per Symbol for the life
// of the process.
const uint32_t* WideSymbolName(Oop symbol) {
  static std::mutex mutex;
  static auto* cache = new std::unordered_map<Oop, std::unique_ptr<uint32_t[]>>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache->find(symbol);
  if (it != cache->end()) return it->second.get();
  std::string_view name = SymbolName(symbol);
  std::u32string codes;
  auto p = reinterpret_cast<const unsigned char*>(name.data());
  auto end = p + name.size();
  while (p < end) {
    uint32_t c;
    int n = DecodeUtf8(p, end, &c);
    if (n == 0) {
      c = 0xFFFD;
      n = 1;
    }
    codes.push_back(c);
    p += n;
  }
  auto wide = std::make_unique<uint32_t[]>(codes.size() + 1);
  std::memcpy(wide.get(), codes.data(), codes.size() * sizeof(uint32_t));
  wide[codes.size()] = 0;
  const uint32_t* result = wide.get();
  cache->emplace(symbol, std::move(wide));
  return result;
}

enum class PointerResult { kOk, kInvalid, kNoMemory };

// The `p`/`S` conversion (spec §13.1).
PointerResult PointerArgument(Oop x, void** out) {
  if (x == kNil) {
    *out = nullptr;
    return PointerResult::kOk;
  }
  if (IsLong(x)) {
    *out = reinterpret_cast<void*>(static_cast<intptr_t>(LongValue(x)));
    return PointerResult::kOk;
  }
  if (!IsObject(x)) return PointerResult::kInvalid;
  switch (HeaderOf(x)->type) {
    case kStringType:
      if (!WellFormedString(x)) return PointerResult::kInvalid;
      *out = TerminatedChars(x);
      return *out == nullptr ? PointerResult::kNoMemory : PointerResult::kOk;
    case kSymbolType:
      *out = const_cast<uint32_t*>(WideSymbolName(x));
      return PointerResult::kOk;
    case kSubrType:
      *out = SubrOf(x)->imp;
      return PointerResult::kOk;
    case kVariableType:
      if (SlotCount(x) <= variable::kValue) return PointerResult::kInvalid;
      *out = &Slot(x, variable::kValue);
      return PointerResult::kOk;
    case kDataType:
    case kDoubleType:
    case kExprType:
      *out = RawBytes(x);
      return PointerResult::kOk;
    default:
      if (!IsRaw(x)) return PointerResult::kInvalid;
      *out = RawBytes(x);
      return PointerResult::kOk;
  }
}

[[gnu::noinline, gnu::cold]] Oop ConversionError(Vm& vm, const char* what, Oop x) {
  return vm.Error(std::string(what) + DumpForMessage(vm, x));
}

// Converts one fixed argument for `letter`; false with an error pending.
bool ConvertFixed(Vm& vm, char letter, Oop x, ArgValue* value, std::string* utf8) {
  switch (letter) {
    case 'i':
    case 'j':
    case 'k':
    case 'l': {
      if (!IsLong(x)) {
        ConversionError(vm, "non-Long argument in foreign call: ", x);
        return false;
      }
      int64_t v = LongValue(x);
      if (letter == 'i') value->i = static_cast<int>(v);
      if (letter == 'j') value->j = static_cast<int32_t>(v);
      if (letter == 'k') value->k = v;
      if (letter == 'l') value->l = static_cast<long>(v);
      return true;
    }
    case 'f':
    case 'd':
      if (!IsDouble(x)) {
        ConversionError(vm, "non-Double argument in foreign call: ", x);
        return false;
      }
      if (letter == 'f') {
        value->f = static_cast<float>(DoubleValue(x));
      } else {
        value->d = DoubleValue(x);
      }
      return true;
    case 's':
      if (!IsString(x)) {
        ConversionError(vm, "non-String argument in foreign call: ", x);
        return false;
      }
      *utf8 = Utf8Of(x);
      value->p = utf8->data();
      return true;
    default: {  // 'p', 'S'
      switch (PointerArgument(x, &value->p)) {
        case PointerResult::kOk:
          // C may assign the Variable through the pointer: compiled code rechecks its globals.
          if (Is(x, kVariableType)) ++vm.global_epoch;
          return true;
        case PointerResult::kNoMemory: vm.OutOfMemory(); return false;
        case PointerResult::kInvalid: break;
      }
      ConversionError(vm, "invalid pointer argument: ", x);
      return false;
    }
  }
}

// Converts one argument passed through `...`; its type, or nullptr with an error pending.
ffi_type* ConvertVariadic(Vm& vm, Oop x, ArgValue* value, std::string* utf8) {
  if (x == kNil) {
    value->p = nullptr;
    return &ffi_type_pointer;
  }
  if (IsLong(x)) {
    value->l = static_cast<long>(LongValue(x));
    return &ffi_type_slong;
  }
  if (IsDouble(x)) {
    value->d = DoubleValue(x);
    return &ffi_type_double;
  }
  if (IsString(x)) {
    *utf8 = Utf8Of(x);
    value->p = utf8->data();
    return &ffi_type_pointer;
  }
  if (IsSubr(x)) {
    value->p = SubrOf(x)->imp;
    return &ffi_type_pointer;
  }
  ConversionError(vm, "cannot pass object through '...': ", x);
  return nullptr;
}

// The largest value libffi may store for any return type used here.
union ReturnValue {
  ffi_arg a;
  ffi_sarg s;
  float f;
  double d;
  void* p;
  unsigned char bytes[16];
};

Oop LongResult(Vm& vm, int64_t v) {
  Oop r = NewLong(v);
  return r == kNil ? vm.OutOfMemory() : r;
}

Oop ConvertResult(Vm& vm, char ret, const ReturnValue& result) {
  switch (ret) {
    case 0: return LongResult(vm, static_cast<int64_t>(result.a));
    case 'v': return kNil;
    case 'i':
    case 'j': return LongResult(vm, static_cast<int32_t>(result.s));
    case 'k':
    case 'l': return LongResult(vm, static_cast<int64_t>(result.s));
    case 'p': return LongResult(vm, static_cast<int64_t>(reinterpret_cast<intptr_t>(result.p)));
    case 'f':
    case 'd': {
      Oop r = NewDouble(ret == 'f' ? static_cast<double>(result.f) : result.d);
      return r == kNil ? vm.OutOfMemory() : r;
    }
    case 's': {
      if (result.p == nullptr) return kNil;
      Oop r = NewStringFromUtf8(static_cast<const char*>(result.p));
      return r == kNil ? vm.OutOfMemory() : r;
    }
    case 'S': {
      if (result.p == nullptr) return kNil;
      const auto* chars = static_cast<const uint32_t*>(result.p);  // wchar_t: 32 bits here
      int64_t n = 0;
      while (chars[n] != 0) ++n;
      Oop r = NewStringFromChars(chars, n);
      return r == kNil ? vm.OutOfMemory() : r;
    }
    default: return kNil;
  }
}

// C code may write to the file descriptor directly; what Maru wrote before the call must reach
// it first. (C stdio shares the `stdout` buffer with the runtime, so that needs nothing.)
inline void FlushBeforeCall() { std::fflush(stdout); }

// Executable memory holding a copy of a Data object's bytes, for `native-call`. Never writable
// and executable at once: the bytes are written to a memfd and mapped read+execute (allowed even
// under Linux's MDWE policy, since no mapping gains execute permission); if memfds are not
// available, an anonymous page is written and then flipped to read+execute. The copy runs at a
// different address from the Data object: only position-independent code that does not modify
// itself behaves as it would in place.
class ExecutableCopy {
 public:
  ExecutableCopy() = default;
  ExecutableCopy(const ExecutableCopy&) = delete;
  ExecutableCopy& operator=(const ExecutableCopy&) = delete;
  ~ExecutableCopy() {
    if (code_ != nullptr) munmap(code_, size_);
  }

  bool Make(const void* bytes, size_t n) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_ = n == 0 ? page : (n + page - 1) / page * page;
    int fd = memfd_create("maru-native-call", MFD_CLOEXEC);
    if (fd >= 0) {
      bool written = ftruncate(fd, static_cast<off_t>(size_)) == 0 && WriteAll(fd, bytes, n);
      if (written) {
        void* p = mmap(nullptr, size_, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) code_ = p;
      }
      close(fd);
      if (code_ != nullptr) return true;
    }
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
    std::memcpy(p, bytes, n);
    if (mprotect(p, size_, PROT_READ | PROT_EXEC) != 0) {
      munmap(p, size_);
      return false;
    }
    code_ = p;
    return true;
  }

  void* entry() const { return code_; }

 private:
  static bool WriteAll(int fd, const void* bytes, size_t n) {
    const char* p = static_cast<const char*>(bytes);
    while (n > 0) {
      ssize_t w = write(fd, p, n);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }

  void* code_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

void* NewForeignCallData(Vm& vm, const char* signature) {
  auto* data = static_cast<ForeignCallData*>(GC_MALLOC(sizeof(ForeignCallData)));
  if (data == nullptr) {
    vm.OutOfMemory();
    return nullptr;
  }
  data->sig = signature;
  if (!ParseSignature(signature, data)) {
    vm.Error(std::string("illegal type specification: ") + signature);
    return nullptr;
  }
  if (ffi_prep_cif(&data->cif, FFI_DEFAULT_ABI, static_cast<unsigned>(data->nfixed), data->rtype,
                   data->types) != FFI_OK) {
    vm.Error("FFI call setup failed");
    return nullptr;
  }
  return data;
}

Oop CallForeignSubr(Vm& vm, Oop fn, const Oop* args, int argc, Frame* caller) {
  SubrBody* subr = SubrOf(fn);
  if (subr->sig == nullptr) {
    // No signature: the function is written against the embedding interface (a PrimitiveFn,
    // subr.h), as the reference calls signature-less Subrs like its own primitives.
    return reinterpret_cast<PrimitiveFn>(subr->imp)(vm, args, argc, caller);
  }
  auto* data = static_cast<ForeignCallData*>(subr->data);
  if (data == nullptr || data->sig != subr->sig) {
    // A Subr whose raw words were made or changed by Maru code: prepare it now.
    data = static_cast<ForeignCallData*>(NewForeignCallData(vm, subr->sig));
    if (data == nullptr) return kErrorOop;
    subr->data = data;
  }

  ArgValue values[kMaxForeignArgs];
  void* pointers[kMaxForeignArgs];
  std::string utf8[kMaxForeignArgs];
  int count = 0;
  for (; count < data->nfixed && count < argc; ++count) {
    if (!ConvertFixed(vm, data->letters[count], args[count], &values[count], &utf8[count])) {
      return kErrorOop;
    }
    pointers[count] = &values[count];
  }
  if (count < data->nfixed) {
    return vm.Error("too few arguments (" + std::to_string(count) + " < " +
                    std::to_string(data->nfixed) + ") in call to " + std::string(SubrName(fn)));
  }
  ffi_cif* cif = &data->cif;
  ffi_cif variadic_cif;
  if (data->variadic) {
    ffi_type* types[kMaxForeignArgs];
    std::memcpy(types, data->types, data->nfixed * sizeof(ffi_type*));
    for (; count < argc && count < kMaxForeignArgs; ++count) {
      types[count] = ConvertVariadic(vm, args[count], &values[count], &utf8[count]);
      if (types[count] == nullptr) return kErrorOop;
      pointers[count] = &values[count];
    }
    if (count < argc) {
      return vm.Error("too many arguments in call to " + std::string(SubrName(fn)));
    }
    if (ffi_prep_cif_var(&variadic_cif, FFI_DEFAULT_ABI, static_cast<unsigned>(data->nfixed),
                         static_cast<unsigned>(count), data->rtype, types) != FFI_OK) {
      return vm.Error("FFI call setup failed");
    }
    cif = &variadic_cif;
  } else if (count < argc) {
    return vm.Error("too many arguments in call to " + std::string(SubrName(fn)));
  }

  ReturnValue result;
  std::memset(&result, 0, sizeof result);
  FlushBeforeCall();
  ffi_call(cif, FFI_FN(subr->imp), &result, pointers);
  return ConvertResult(vm, data->ret, result);
}

Oop NativeCall(Vm& vm, const Oop* args, int argc) {
  Oop code = argc > 0 ? args[0] : kNil;
  uint32_t type = TypeOf(code);
  ExecutableCopy copy;
  void* entry = nullptr;
  switch (type) {
    case kLongType:
      entry = reinterpret_cast<void*>(static_cast<intptr_t>(LongValue(code)));
      break;
    case kSubrType:
      entry = SubrOf(code)->imp;
      break;
    case kDataType:
      if (!copy.Make(RawBytes(code), ByteCount(code))) {
        return vm.Error("native-call: data is not executable");
      }
      entry = copy.entry();
      break;
    default:
      return vm.Error("call: cannot call object of type " + std::to_string(type));
  }
  if (entry == nullptr) return vm.Error("native-call: null code address");
  int nargs = argc > 0 ? argc - 1 : 0;
  if (nargs > kMaxForeignArgs) {
    return vm.Error("native-call: too many arguments (" + std::to_string(nargs) + " > " +
                    std::to_string(kMaxForeignArgs) + ")");
  }
  ArgValue values[kMaxForeignArgs];
  void* pointers[kMaxForeignArgs];
  ffi_type* types[kMaxForeignArgs];
  std::string utf8[kMaxForeignArgs];
  for (int i = 0; i < nargs; ++i) {
    Oop x = args[i + 1];
    pointers[i] = &values[i];
    types[i] = &ffi_type_slong;
    if (x == kNil) {
      values[i].l = 0;
    } else if (IsLong(x)) {
      values[i].l = static_cast<long>(LongValue(x));
    } else if (IsDouble(x)) {
      values[i].d = DoubleValue(x);
      types[i] = &ffi_type_double;
    } else if (IsString(x)) {
      utf8[i] = Utf8Of(x);
      values[i].l = reinterpret_cast<long>(utf8[i].data());
    } else if (IsSubr(x)) {
      values[i].l = reinterpret_cast<long>(SubrOf(x)->imp);
    } else {
      values[i].l = static_cast<long>(reinterpret_cast<intptr_t>(RawBytes(x)));
    }
  }
  ffi_cif cif;
  if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, static_cast<unsigned>(nargs), &ffi_type_sint, types) !=
      FFI_OK) {
    return vm.Error("FFI call setup failed");
  }
  ReturnValue result;
  std::memset(&result, 0, sizeof result);
  FlushBeforeCall();
  ffi_call(&cif, FFI_FN(entry), &result, pointers);
  return MakeFixnum(static_cast<int32_t>(result.s));
}

bool ParseForeignSignature(std::string_view signature, ForeignSignature* out) {
  ForeignCallData data;
  if (!ParseSignature(signature, &data)) return false;
  out->nfixed = data.nfixed;
  out->variadic = data.variadic;
  out->ret = data.ret;
  std::memcpy(out->letters, data.letters, static_cast<size_t>(data.nfixed));
  return true;
}

bool ForeignPointerArgument(Oop x, void** out) {
  return PointerArgument(x, out) == PointerResult::kOk;
}

std::string ForeignUtf8Argument(Oop string) { return Utf8Of(string); }

void PrepareForeignCall() { FlushBeforeCall(); }

Oop ForeignResult(Vm& vm, char ret, const void* result) {
  ReturnValue value;
  std::memset(&value, 0, sizeof value);
  std::memcpy(&value, result, sizeof(uint64_t));
  return ConvertResult(vm, ret, value);
}

}  // namespace maru
