// Allocation of Maru objects on the Boehm-Demers-Weiser collector.
//
// Why Boehm: it scans native stacks and registers conservatively, so interpreter frames and frames
// of JIT-compiled code need no stack maps, and it never moves objects (the spec lets programs
// observe addresses). Anything that holds the only reference to an object must live in memory
// the collector scans: the C stack, GC-allocated memory, or a registered root range. Code memory
// and malloc'd C++ containers are not scanned.
#ifndef MARU_RUNTIME_HEAP_H_
#define MARU_RUNTIME_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/object.h"

namespace maru {

// Initialises the collector once per process (thread-safe, idempotent).
void InitHeap();

// Largest object the allocator will attempt; bigger requests are refused (the caller reports an
// error) instead of exhausting the machine.
inline constexpr size_t kMaxObjectBytes = size_t{1} << 36;

// A zeroed object with `nslots` public oop slots plus `native` hidden words. Returns kNil when the
// memory cannot be had.
Oop AllocSlots(uint32_t type, uint32_t nslots, uint32_t native = 0);
// A zeroed raw object of `nbytes` bytes. `scanned` objects may hold pointers the GC must follow.
Oop AllocRaw(uint32_t type, size_t nbytes, bool scanned = false);
// Memory for non-object data (string characters); not scanned, zeroed.
void* AllocAtomicBytes(size_t nbytes);
// Size usable in a block from AllocAtomicBytes.
size_t AllocatedSize(const void* p);

// Constructors of the simple built-in types.
Oop NewPair(Oop head, Oop tail, Oop source = kNil);
Oop NewLong(int64_t v);  // fixnum when it fits, else a boxed Long
Oop NewDouble(double d);
Oop NewArray(int64_t size);            // size must be >= 0; kNil on allocation failure
Oop NewArrayStorage(int64_t capacity);  // an <_array>
Oop NewData(int64_t nbytes);

// Numbers.
inline bool IsLong(Oop o) { return IsFixnum(o) || Is(o, kLongType); }
inline int64_t LongValue(Oop o) {
  return IsFixnum(o) ? FixnumValue(o) : *reinterpret_cast<int64_t*>(RawBytes(o));
}
inline bool IsDouble(Oop o) { return Is(o, kDoubleType); }
inline double DoubleValue(Oop o) { return *reinterpret_cast<double*>(RawBytes(o)); }
inline bool IsNumber(Oop o) { return IsLong(o) || IsDouble(o); }

// Arrays.
inline int64_t ArraySize(Oop a) { return FixnumValue(Slot(a, array::kSize)); }
inline Oop* ArrayElements(Oop a) { return Slots(Slot(a, array::kStorage)); }
inline int64_t ArrayCapacity(Oop a) {
  Oop storage = Slot(a, array::kStorage);
  return storage == kNil ? 0 : SlotCount(storage);
}
inline Oop ArrayAt(Oop a, int64_t i) { return ArrayElements(a)[i]; }
// Stores v at i, growing the array (new elements nil) when i >= size. False on allocation failure.
bool ArraySetGrowing(Oop a, int64_t i, Oop v);
// Appends v; false on allocation failure.
inline bool ArrayAppend(Oop a, Oop v) { return ArraySetGrowing(a, ArraySize(a), v); }

// Symbols are interned for the whole process and never collected.
Oop Intern(std::string_view utf8_name);
// The symbol t, interned once: for code that asks for it often (Intern takes a lock).
Oop SymbolT();
inline bool IsSymbol(Oop o) { return Is(o, kSymbolType); }
inline const SymbolBody* SymbolOf(Oop o) { return reinterpret_cast<const SymbolBody*>(RawBytes(o)); }
inline std::string_view SymbolName(Oop o) {
  const SymbolBody* s = SymbolOf(o);
  return std::string_view(s->name, s->length);
}

// Lists.
int64_t ListLength(Oop list);  // number of pairs
// Source positions (path . line) on pairs.
inline Oop SourceOf(Oop pair) { return Slot(pair, pair::kSource); }

}  // namespace maru

#endif  // MARU_RUNTIME_HEAP_H_
