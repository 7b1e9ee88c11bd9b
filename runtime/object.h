// The Maru object model (spec §4): tagged words, object headers, the 16 built-in types and their
// public slot layouts.
//
// A value ("Oop") is one machine word:
//   - 0 is nil;
//   - an odd word is a fixnum: the Long v is stored as (v << 1) | 1, for -2^62 <= v < 2^62;
//   - any other word is the address of a heap object (16-byte aligned, from the Boehm GC);
//   - the word kErrorOop (2) is never a value: a function that returns it reports that an error is
//     pending in its Vm (see error.h). Machine code uses the same convention.
//
// A heap object starts with a one-word Header; its slots follow. Objects whose header is marked raw
// (Data, boxed Longs, Doubles, Symbols, Subrs, allocate-atomic objects) have no oop slots visible to
// `oop-at`. Some built-in types carry native-only words after their public slots; the header's slot
// count covers only the public slots, so those words are invisible to Maru code.
#ifndef MARU_RUNTIME_OBJECT_H_
#define MARU_RUNTIME_OBJECT_H_

#include <cstdint>
#include <cstring>

namespace maru {

using Oop = uintptr_t;

inline constexpr Oop kNil = 0;
// Returned instead of a value when an error is pending (never a valid Oop: not odd, not aligned).
inline constexpr Oop kErrorOop = 2;

enum TypeId : uint32_t {
  kUndefinedType = 0,
  kDataType = 1,
  kLongType = 2,
  kDoubleType = 3,
  kStringType = 4,
  kSymbolType = 5,
  kPairType = 6,
  kArrayStorageType = 7,  // <_array>
  kArrayType = 8,
  kExprType = 9,
  kFormType = 10,
  kFixedType = 11,
  kSubrType = 12,
  kVariableType = 13,
  kEnvType = 14,
  kContextType = 15,
  kFirstUserType = 16,
};

struct Header {
  uint32_t type;
  // (count << 1) | raw. For slot objects, count is the number of public oop slots; for raw objects
  // it is the size in bytes.
  uint32_t info;
};
static_assert(sizeof(Header) == 8);

inline constexpr int64_t kFixnumMin = -(int64_t{1} << 62);
inline constexpr int64_t kFixnumMax = (int64_t{1} << 62) - 1;

inline bool IsFixnum(Oop o) { return (o & 1) != 0; }
inline bool IsObject(Oop o) { return o != kNil && (o & 7) == 0; }
inline int64_t FixnumValue(Oop o) { return static_cast<int64_t>(o) >> 1; }
inline bool FitsFixnum(int64_t v) { return v >= kFixnumMin && v <= kFixnumMax; }
inline Oop MakeFixnum(int64_t v) { return (static_cast<Oop>(v) << 1) | 1; }

inline Header* HeaderOf(Oop o) { return reinterpret_cast<Header*>(o); }
inline Oop* Slots(Oop o) { return reinterpret_cast<Oop*>(o + sizeof(Header)); }
inline Oop& Slot(Oop o, int i) { return Slots(o)[i]; }
inline uint8_t* RawBytes(Oop o) { return reinterpret_cast<uint8_t*>(o + sizeof(Header)); }

inline bool IsRaw(Oop o) { return (HeaderOf(o)->info & 1) != 0; }
inline uint32_t SlotCount(Oop o) { return HeaderOf(o)->info >> 1; }  // slot objects
inline uint32_t ByteCount(Oop o) { return HeaderOf(o)->info >> 1; }  // raw objects

inline uint32_t TypeOf(Oop o) {
  if (o == kNil) return kUndefinedType;
  if (IsFixnum(o)) return kLongType;
  return HeaderOf(o)->type;
}
inline bool Is(Oop o, uint32_t type) { return IsObject(o) && HeaderOf(o)->type == type; }
inline bool IsPair(Oop o) { return Is(o, kPairType); }

// Public slot indices of the built-in types (spec §4.1).
namespace pair {
enum : int { kHead = 0, kTail = 1, kSource = 2, kSlots = 3 };
}
namespace string {
enum : int { kSize = 0, kBits = 1, kSlots = 2 };
}
namespace array {
enum : int { kSize = 0, kStorage = 1, kSlots = 2 };
}
namespace expr {
enum : int { kName = 0, kDefn = 1, kCtx = 2, kProfile = 3, kSlots = 4 };
// Native-only words after the public slots.
// kDirectEntry: compiled code's entry for calls that pass exactly the parameters in a buffer
// sized for all slots (jit/backend/direct_entry.h), or 0.
enum : int { kInfo = 4, kEntry = 5, kCalls = 6, kDirectEntry = 7, kAllSlots = 8 };
}  // namespace expr
namespace form {
enum : int { kFunction = 0, kSymbol = 1, kSlots = 2 };
}
namespace fixed {
enum : int { kFunction = 0, kSlots = 1 };
}
namespace variable {
enum : int { kName = 0, kValue = 1, kEnv = 2, kIndex = 3, kType = 4, kSlots = 5 };
// Native-only: non-nil once compiled code relies on the value (see Vm::global_epoch).
enum : int { kWatched = 5, kAllSlots = 6 };
}  // namespace variable
namespace env {
enum : int { kParent = 0, kLevel = 1, kOffset = 2, kBindings = 3, kStable = 4, kSlots = 5 };
// Native-only: a lookup index for large (global) Envs, see env.h.
enum : int { kIndexTable = 5, kAllSlots = 6 };
}  // namespace env
namespace context {
enum : int { kHome = 0, kEnv = 1, kBindings = 2, kCallee = 3, kPc = 4, kSlots = 5 };
}

inline Oop Car(Oop o) { return IsPair(o) ? Slot(o, pair::kHead) : kNil; }
inline Oop Cdr(Oop o) { return IsPair(o) ? Slot(o, pair::kTail) : kNil; }

// Raw layouts.
struct SymbolBody {
  uint64_t length;  // bytes of UTF-8, not counting the terminating NUL
  char name[1];
};

}  // namespace maru

#endif  // MARU_RUNTIME_OBJECT_H_
