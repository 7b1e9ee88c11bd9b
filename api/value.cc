#include "maru/value.h"

#include <gc.h>

#include <cinttypes>
#include <cstdio>
#include <new>

#include "absl/strings/str_cat.h"
#include "internal.h"
#include "runtime/heap.h"
#include "runtime/object.h"
#include "runtime/strings.h"

namespace maru {

namespace internal {

namespace {

// Undoes a registration made by EnsureThreadRegistered when its thread exits.
struct ThreadRegistration {
  bool registered_by_us = false;
  ~ThreadRegistration() {
    if (registered_by_us) GC_unregister_my_thread();
  }
};

thread_local bool tls_registration_checked = false;

absl::Status Mismatch(std::string_view expected, Word w) {
  return absl::InvalidArgumentError(
      absl::StrCat("expected ", std::string(expected), ", got ", Describe(w)));
}

absl::Status OutOfMemory() { return absl::ResourceExhaustedError("out of memory"); }

}  // namespace

void EnsureThreadRegistered() {
  if (tls_registration_checked) return;
  InitHeap();
  if (!GC_thread_is_registered()) {
    thread_local ThreadRegistration registration;
    GC_stack_base base;
    if (GC_get_stack_base(&base) == GC_SUCCESS && GC_register_my_thread(&base) == GC_SUCCESS) {
      registration.registered_by_us = true;
    }
  }
  tls_registration_checked = true;
}

std::string Describe(Word w) {
  if (w == kNil) return "nil";
  switch (TypeOf(w)) {
    case kLongType:
      return absl::StrCat(LongValue(w));
    case kDoubleType: {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%g", DoubleValue(w));
      return buffer;
    }
    case kStringType: {
      std::string text = StringToUtf8(w);
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      return absl::StrCat("\"", text, "\"");
    }
    case kSymbolType:
      return std::string(SymbolName(w));
    case kPairType:
      return "a list";
    case kArrayType:
      return "an array";
    case kExprType:
    case kSubrType:
      return "a function";
    case kFormType:
      return "a macro";
    default:
      return absl::StrCat("an object of type ", TypeOf(w));
  }
}

absl::Status Decode(Word w, uint64_t, int64_t* out) {
  if (!IsLong(w)) return Mismatch("an integer", w);
  *out = LongValue(w);
  return absl::OkStatus();
}

absl::Status Decode(Word w, uint64_t, double* out) {
  if (IsDouble(w)) {
    *out = DoubleValue(w);
  } else if (IsLong(w)) {
    *out = static_cast<double>(LongValue(w));
  } else {
    return Mismatch("a number", w);
  }
  return absl::OkStatus();
}

absl::Status Decode(Word w, uint64_t, bool* out) {
  *out = w != kNil;
  return absl::OkStatus();
}

absl::Status Decode(Word w, uint64_t, std::string* out) {
  if (IsString(w)) {
    *out = StringToUtf8(w);
  } else if (IsSymbol(w)) {
    *out = std::string(SymbolName(w));
  } else {
    return Mismatch("a string", w);
  }
  return absl::OkStatus();
}

absl::Status Decode(Word w, uint64_t owner, Value* out) {
  *out = ValueAccess::Make(w, owner);
  return absl::OkStatus();
}

absl::Status DecodeSequence(Word w, absl::FunctionRef<absl::Status(Word)> element) {
  if (Is(w, kArrayType)) {
    for (int64_t i = 0; i < ArraySize(w); ++i) {
      absl::Status s = element(ArrayAt(w, i));
      if (!s.ok()) return absl::Status(s.code(), absl::StrCat("element ", i, ": ", s.message()));
    }
    return absl::OkStatus();
  }
  Word p = w;
  int64_t i = 0;
  for (; IsPair(p); p = Slot(p, pair::kTail), ++i) {
    absl::Status s = element(Slot(p, pair::kHead));
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("element ", i, ": ", s.message()));
  }
  if (p != kNil) return Mismatch(w == p ? "a list or an array" : "a proper list", w);
  return absl::OkStatus();
}

bool IsNil(Word w) { return w == kNil; }

absl::Status Encode(int64_t v, uint64_t, Word* out) {
  Oop o = NewLong(v);
  if (o == kNil) return OutOfMemory();
  *out = o;
  return absl::OkStatus();
}

absl::Status Encode(double v, uint64_t, Word* out) {
  Oop o = NewDouble(v);
  if (o == kNil) return OutOfMemory();
  *out = o;
  return absl::OkStatus();
}

absl::Status Encode(bool v, uint64_t, Word* out) {
  *out = v ? Intern("t") : kNil;
  return absl::OkStatus();
}

absl::Status Encode(std::string_view v, uint64_t, Word* out) {
  Oop o = NewStringFromUtf8(v);
  if (o == kNil) return OutOfMemory();
  *out = o;
  return absl::OkStatus();
}

absl::Status Encode(const Value& v, uint64_t owner, Word* out) {
  uint64_t value_owner = ValueAccess::OwnerOf(v);
  if (value_owner != 0 && value_owner != owner) {
    return absl::InvalidArgumentError(
        absl::StrCat("a Value of engine ", value_owner, " passed to engine ", owner));
  }
  *out = ValueAccess::WordOf(v);
  return absl::OkStatus();
}

absl::Status EncodeList(size_t n, absl::FunctionRef<absl::Status(size_t, Word*)> element,
                        Word* out) {
  // Built from the end; `list` and `item` live on this (scanned) stack while allocating.
  Oop list = kNil;
  for (size_t i = n; i-- > 0;) {
    Oop item = kNil;
    absl::Status s = element(i, &item);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("element ", i, ": ", s.message()));
    list = NewPair(item, list);
    if (list == kNil) return OutOfMemory();
  }
  *out = list;
  return absl::OkStatus();
}

absl::Status EncodeArray(size_t n, absl::FunctionRef<absl::Status(size_t, Word*)> element,
                         Word* out) {
  Oop array = NewArray(static_cast<int64_t>(n));
  if (array == kNil) return OutOfMemory();
  for (size_t i = 0; i < n; ++i) {
    Oop item = kNil;
    absl::Status s = element(i, &item);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("element ", i, ": ", s.message()));
    ArrayElements(array)[i] = item;
  }
  *out = array;
  return absl::OkStatus();
}

absl::Status OutOfRange(std::string_view type, int64_t v) {
  return absl::InvalidArgumentError(
      absl::StrCat(v, " is out of range for the C++ ", std::string(type), " type"));
}

}  // namespace internal

Value ValueAccess::Make(internal::Word w, uint64_t owner) {
  if (!IsObject(w)) return Value(w, nullptr, 0);  // nil and fixnums need no root
  internal::EnsureThreadRegistered();
  void* memory = GC_MALLOC_UNCOLLECTABLE(sizeof(internal::Cell));
  if (memory == nullptr) return Value();  // out of memory: nil (allocation failures are rare)
  auto* cell = new (memory) internal::Cell{w, {1}};
  return Value(w, cell, owner);
}

Value::Value(const Value& other) : word_(other.word_), cell_(other.cell_), owner_(other.owner_) {
  if (cell_ != nullptr) cell_->refs.fetch_add(1, std::memory_order_relaxed);
}

Value::Value(Value&& other) noexcept
    : word_(other.word_), cell_(other.cell_), owner_(other.owner_) {
  other.word_ = 0;
  other.cell_ = nullptr;
  other.owner_ = 0;
}

Value& Value::operator=(const Value& other) {
  if (this != &other) {
    if (other.cell_ != nullptr) other.cell_->refs.fetch_add(1, std::memory_order_relaxed);
    Release();
    word_ = other.word_;
    cell_ = other.cell_;
    owner_ = other.owner_;
  }
  return *this;
}

Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    Release();
    word_ = other.word_;
    cell_ = other.cell_;
    owner_ = other.owner_;
    other.word_ = 0;
    other.cell_ = nullptr;
    other.owner_ = 0;
  }
  return *this;
}

Value::~Value() { Release(); }

void Value::Release() {
  if (cell_ != nullptr && cell_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    cell_->word = 0;
    GC_FREE(cell_);
  }
  cell_ = nullptr;
}

Value::Kind Value::kind() const {
  switch (TypeOf(word_)) {
    case kUndefinedType:
      return word_ == kNil ? Kind::kNil : Kind::kOther;
    case kLongType:
      return Kind::kInteger;
    case kDoubleType:
      return Kind::kDouble;
    case kStringType:
      return Kind::kString;
    case kSymbolType:
      return Kind::kSymbol;
    case kPairType:
      return Kind::kPair;
    case kArrayType:
      return Kind::kArray;
    case kExprType:
    case kSubrType:
      return Kind::kFunction;
    default:
      return Kind::kOther;
  }
}

std::string_view Value::KindName(Kind kind) {
  switch (kind) {
    case Kind::kNil:
      return "nil";
    case Kind::kInteger:
      return "integer";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kSymbol:
      return "symbol";
    case Kind::kPair:
      return "pair";
    case Kind::kArray:
      return "array";
    case Kind::kFunction:
      return "function";
    case Kind::kOther:
      return "object";
  }
  return "object";
}

}  // namespace maru
