// Values of the maru-jit embedding API: handles on Maru objects, and the conversions between
// Maru data and C++ types used by Engine (engine.h).
//
// A Value keeps its object alive across garbage collections for as long as the handle (or a copy
// of it) exists: heap objects are held through a reference-counted root cell in memory the
// collector scans. Copying a Value is cheap (no allocation); nil and small integers need no cell
// at all. A Value belongs to the Engine that produced it: passing it to another Engine fails with
// kInvalidArgument.
//
// Conversions (Value::As<T>, the arguments and results of Engine::Call, Function<> and Define):
//   Maru                      C++
//   integer (Long)            int64_t and the other integer types (range-checked)
//   Double or integer         double, float
//   String or Symbol          std::string (UTF-8); to Maru also std::string_view, const char*
//   anything (nil is false)   bool; to Maru true is the symbol t, false is nil
//   list or array             std::vector<T> (to Maru: a list)
//   list or array             maru::Array<T> (to Maru: an array)
//   nil or T                  std::optional<T>
//   anything                  maru::Value
// A failed conversion is an absl::Status with code kInvalidArgument ("expected an integer, got
// \"abc\"").
#ifndef MARU_API_MARU_VALUE_H_
#define MARU_API_MARU_VALUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace maru {

class Value;

// A C++ vector that converts to a Maru array (std::vector converts to a list).
template <typename T>
struct Array {
  std::vector<T> elements;
};

namespace internal {

// A Maru value word (runtime/object.h Oop). Words are only valid while something keeps their
// object alive; the API handles them on the evaluation thread only.
using Word = std::uintptr_t;
struct Cell;

// Non-template conversions (value.cc). `owner` is the id of the Engine involved.
absl::Status Decode(Word w, uint64_t owner, int64_t* out);
absl::Status Decode(Word w, uint64_t owner, double* out);
absl::Status Decode(Word w, uint64_t owner, bool* out);
absl::Status Decode(Word w, uint64_t owner, std::string* out);
absl::Status Decode(Word w, uint64_t owner, Value* out);
// Calls `element` for each element of a proper list or an array.
absl::Status DecodeSequence(Word w, absl::FunctionRef<absl::Status(Word)> element);
bool IsNil(Word w);

// Encoding allocates Maru objects: only on the evaluation thread (see Engine).
absl::Status Encode(int64_t v, uint64_t owner, Word* out);
absl::Status Encode(double v, uint64_t owner, Word* out);
absl::Status Encode(bool v, uint64_t owner, Word* out);
absl::Status Encode(std::string_view v, uint64_t owner, Word* out);
absl::Status Encode(const Value& v, uint64_t owner, Word* out);
// A list (or array) of n elements; `element(i, &word)` encodes the i-th.
absl::Status EncodeList(size_t n, absl::FunctionRef<absl::Status(size_t, Word*)> element,
                        Word* out);
absl::Status EncodeArray(size_t n, absl::FunctionRef<absl::Status(size_t, Word*)> element,
                         Word* out);
absl::Status OutOfRange(std::string_view type, int64_t v);

// Codec<T>: Decode(word, owner, T*) and Encode(const T&, owner, Word*).
template <typename T, typename Enable = void>
struct Codec;

template <>
struct Codec<Value> {
  static absl::Status Decode(Word w, uint64_t owner, Value* out) {
    return internal::Decode(w, owner, out);
  }
  static absl::Status Encode(const Value& v, uint64_t owner, Word* out) {
    return internal::Encode(v, owner, out);
  }
};

template <>
struct Codec<bool> {
  static absl::Status Decode(Word w, uint64_t owner, bool* out) {
    return internal::Decode(w, owner, out);
  }
  static absl::Status Encode(bool v, uint64_t owner, Word* out) {
    return internal::Encode(v, owner, out);
  }
};

template <typename T>
struct Codec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static absl::Status Decode(Word w, uint64_t owner, T* out) {
    int64_t v;
    absl::Status s = internal::Decode(w, owner, &v);
    if (!s.ok()) return s;
    if constexpr (std::is_unsigned_v<T>) {
      if (v < 0 || static_cast<uint64_t>(v) > std::numeric_limits<T>::max()) {
        return OutOfRange("unsigned integer", v);
      }
    } else if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
      return OutOfRange("integer", v);
    }
    *out = static_cast<T>(v);
    return absl::OkStatus();
  }
  static absl::Status Encode(T v, uint64_t owner, Word* out) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<int64_t>::max())) {
        return absl::InvalidArgumentError("unsigned integer too large for a Maru integer");
      }
    }
    return internal::Encode(static_cast<int64_t>(v), owner, out);
  }
};

template <typename T>
struct Codec<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static absl::Status Decode(Word w, uint64_t owner, T* out) {
    double v;
    absl::Status s = internal::Decode(w, owner, &v);
    if (s.ok()) *out = static_cast<T>(v);
    return s;
  }
  static absl::Status Encode(T v, uint64_t owner, Word* out) {
    return internal::Encode(static_cast<double>(v), owner, out);
  }
};

template <>
struct Codec<std::string> {
  static absl::Status Decode(Word w, uint64_t owner, std::string* out) {
    return internal::Decode(w, owner, out);
  }
  static absl::Status Encode(const std::string& v, uint64_t owner, Word* out) {
    return internal::Encode(std::string_view(v), owner, out);
  }
};

// Encode only.
template <>
struct Codec<std::string_view> {
  static absl::Status Encode(std::string_view v, uint64_t owner, Word* out) {
    return internal::Encode(v, owner, out);
  }
};
template <>
struct Codec<const char*> {
  static absl::Status Encode(const char* v, uint64_t owner, Word* out) {
    return internal::Encode(std::string_view(v), owner, out);
  }
};

template <typename T>
struct Codec<std::vector<T>> {
  static absl::Status Decode(Word w, uint64_t owner, std::vector<T>* out) {
    out->clear();
    return DecodeSequence(w, [&](Word element) {
      T value{};
      absl::Status s = Codec<T>::Decode(element, owner, &value);
      if (s.ok()) out->push_back(std::move(value));
      return s;
    });
  }
  static absl::Status Encode(const std::vector<T>& v, uint64_t owner, Word* out) {
    return EncodeList(
        v.size(), [&](size_t i, Word* w) { return Codec<T>::Encode(v[i], owner, w); }, out);
  }
};

template <typename T>
struct Codec<Array<T>> {
  static absl::Status Decode(Word w, uint64_t owner, Array<T>* out) {
    return Codec<std::vector<T>>::Decode(w, owner, &out->elements);
  }
  static absl::Status Encode(const Array<T>& v, uint64_t owner, Word* out) {
    return EncodeArray(
        v.elements.size(),
        [&](size_t i, Word* w) { return Codec<T>::Encode(v.elements[i], owner, w); }, out);
  }
};

template <typename T>
struct Codec<std::optional<T>> {
  static absl::Status Decode(Word w, uint64_t owner, std::optional<T>* out) {
    if (IsNil(w)) {
      out->reset();
      return absl::OkStatus();
    }
    T value{};
    absl::Status s = Codec<T>::Decode(w, owner, &value);
    if (s.ok()) *out = std::move(value);
    return s;
  }
  static absl::Status Encode(const std::optional<T>& v, uint64_t owner, Word* out) {
    if (!v.has_value()) {
      *out = 0;  // nil
      return absl::OkStatus();
    }
    return Codec<T>::Encode(*v, owner, out);
  }
};

// The type a function parameter or result converts through (const std::string& -> std::string,
// char arrays -> const char*).
template <typename T>
struct CodecTypeOf {
  using type = T;
};
template <>
struct CodecTypeOf<char*> {
  using type = const char*;
};
template <typename T>
using CodecType = typename CodecTypeOf<std::decay_t<T>>::type;

}  // namespace internal

// A handle on a Maru value. See the file comment for lifetime and conversion rules.
// Reading a Value (kind(), As<T>()) is allowed on any thread while its Engine is not mutating the
// object; a Value may outlive its Engine, but then only its data can be read.
class Value {
 public:
  enum class Kind { kNil, kInteger, kDouble, kString, kSymbol, kPair, kArray, kFunction, kOther };

  Value() = default;  // nil
  Value(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other);
  Value& operator=(Value&& other) noexcept;
  ~Value();

  Kind kind() const;
  // "nil", "integer", "double", "string", "symbol", "pair", "array", "function" or "object".
  static std::string_view KindName(Kind kind);

  bool is_nil() const { return word_ == 0; }
  // Maru truth: everything but nil is true.
  bool is_true() const { return word_ != 0; }
  // Identity (Maru `=` on objects, `eq`): the same object, or equal integers / nil.
  bool Is(const Value& other) const { return word_ == other.word_; }

  // Converts to T (see the file comment); kInvalidArgument when the value has another type.
  template <typename T>
  absl::StatusOr<T> As() const {
    T out{};
    absl::Status s = internal::Codec<T>::Decode(word_, owner_, &out);
    if (!s.ok()) return s;
    return out;
  }

  // The id of the Engine this value belongs to (0: none, e.g. nil or an integer).
  uint64_t owner() const { return owner_; }

 private:
  friend struct ValueAccess;
  Value(internal::Word word, internal::Cell* cell, uint64_t owner)
      : word_(word), cell_(cell), owner_(owner) {}
  void Release();

  internal::Word word_ = 0;
  internal::Cell* cell_ = nullptr;  // the root of a heap object (nullptr for immediates)
  uint64_t owner_ = 0;
};

}  // namespace maru

#endif  // MARU_API_MARU_VALUE_H_
