#include "runtime/heap.h"

#include <gc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace maru {

namespace {

// MARU_GC_STRESS=N: a full collection every N allocations (a test mode that makes objects
// unreachable from scanned memory fail fast).
int64_t gc_stress_period = 0;
std::atomic<int64_t> allocations_since_collection{0};

inline void MaybeStressCollect() {
  if (gc_stress_period > 0 && ++allocations_since_collection >= gc_stress_period) {
    allocations_since_collection = 0;
    GC_gcollect();
  }
}

// Clears a whole collector block. The collector hands out blocks larger than asked for
// (GC_size), and callers use all of it; the allocation functions carry the *requested* size in
// their alloc_size attribute, so _FORTIFY_SOURCE would reject the clearing: the pointer passes
// through an empty asm to drop that knowledge.
void ClearBlock(void* p) {
  size_t size = GC_size(p);
  asm("" : "+r"(p));
  std::memset(p, 0, size);
}

}  // namespace

void InitHeap() {
  static std::once_flag once;
  std::call_once(once, [] {
    GC_INIT();
    // Threads created by an embedding host may allocate once registered.
    GC_allow_register_threads();
    // Collect when the heap has grown by its live size (the collector's default, a third of
    // it, collects three times as often: each collection also scans the roots and the stacks,
    // deep in recursive Maru programs, and allocation-heavy programs spent half their time
    // there). Lua's default pause (200%) is the same trade. The collector's own environment
    // variable still decides when set.
    if (std::getenv("GC_FREE_SPACE_DIVISOR") == nullptr) GC_set_free_space_divisor(1);
    if (const char* stress = std::getenv("MARU_GC_STRESS")) {
      gc_stress_period = std::max<int64_t>(1, std::atoll(stress));
    }
  });
}

namespace {

inline uint32_t MakeInfo(size_t count, bool raw) {
  return static_cast<uint32_t>((count << 1) | (raw ? 1 : 0));
}

}  // namespace

Oop AllocSlots(uint32_t type, uint32_t nslots, uint32_t native) {
  size_t words = size_t{1} + nslots + native;
  if (words * sizeof(Oop) > kMaxObjectBytes) return kNil;
  MaybeStressCollect();
  void* p = GC_MALLOC(words * sizeof(Oop));  // zeroed by the collector
  if (p == nullptr) return kNil;
  Header* h = static_cast<Header*>(p);
  h->type = type;
  h->info = MakeInfo(nslots, false);
  return reinterpret_cast<Oop>(p);
}

Oop AllocRaw(uint32_t type, size_t nbytes, bool scanned) {
  if (nbytes > kMaxObjectBytes) return kNil;
  size_t rounded = (nbytes + 7) & ~size_t{7};
  size_t total = sizeof(Header) + rounded;
  MaybeStressCollect();
  void* p = scanned ? GC_MALLOC(total) : GC_MALLOC_ATOMIC(total);
  if (p == nullptr) return kNil;
  if (!scanned) ClearBlock(p);
  Header* h = static_cast<Header*>(p);
  h->type = type;
  h->info = MakeInfo(rounded, true);
  return reinterpret_cast<Oop>(p);
}

void* AllocAtomicBytes(size_t nbytes) {
  if (nbytes > kMaxObjectBytes) return nullptr;
  void* p = GC_MALLOC_ATOMIC(nbytes == 0 ? 1 : nbytes);
  // Atomic memory is not cleared by the collector, and the block may be larger than asked for
  // (callers use AllocatedSize): clear all of it.
  if (p != nullptr) ClearBlock(p);
  return p;
}

size_t AllocatedSize(const void* p) { return GC_size(const_cast<void*>(p)); }

Oop NewPair(Oop head, Oop tail, Oop source) {
  Oop p = AllocSlots(kPairType, pair::kSlots);
  if (p == kNil) return kNil;
  Slot(p, pair::kHead) = head;
  Slot(p, pair::kTail) = tail;
  Slot(p, pair::kSource) = source;
  return p;
}

Oop NewLong(int64_t v) {
  if (FitsFixnum(v)) return MakeFixnum(v);
  Oop o = AllocRaw(kLongType, sizeof(int64_t));
  if (o == kNil) return kNil;
  *reinterpret_cast<int64_t*>(RawBytes(o)) = v;
  return o;
}

Oop NewDouble(double d) {
  Oop o = AllocRaw(kDoubleType, sizeof(double));
  if (o == kNil) return kNil;
  *reinterpret_cast<double*>(RawBytes(o)) = d;
  return o;
}

Oop NewArrayStorage(int64_t capacity) {
  if (capacity < 0 || capacity > (int64_t{1} << 31) - 2) return kNil;
  return AllocSlots(kArrayStorageType, static_cast<uint32_t>(capacity));
}

Oop NewArray(int64_t size) {
  Oop storage = kNil;
  if (size > 0) {
    storage = NewArrayStorage(size);
    if (storage == kNil) return kNil;
  }
  Oop a = AllocSlots(kArrayType, array::kSlots);
  if (a == kNil) return kNil;
  Slot(a, array::kSize) = MakeFixnum(size);
  Slot(a, array::kStorage) = storage;
  return a;
}

bool ArraySetGrowing(Oop a, int64_t i, Oop v) {
  int64_t size = ArraySize(a);
  if (i >= size) {
    int64_t capacity = ArrayCapacity(a);
    if (i >= capacity) {
      int64_t wanted = capacity < 4 ? 4 : capacity;
      while (wanted <= i) wanted *= 2;
      Oop storage = NewArrayStorage(wanted);
      if (storage == kNil) return false;
      if (size > 0) std::memcpy(Slots(storage), ArrayElements(a), size * sizeof(Oop));
      Slot(a, array::kStorage) = storage;
    }
    Slot(a, array::kSize) = MakeFixnum(i + 1);
  }
  ArrayElements(a)[i] = v;
  return true;
}

Oop NewData(int64_t nbytes) {
  if (nbytes < 0) return kNil;
  return AllocRaw(kDataType, static_cast<size_t>(nbytes));
}

namespace {

struct SymbolTable {
  absl::Mutex mu;
  // Keys view the names stored inside the (uncollectable) symbol objects.
  absl::flat_hash_map<std::string_view, Oop> map ABSL_GUARDED_BY(mu);
};

SymbolTable& Symbols() {
  static SymbolTable* table = new SymbolTable;
  return *table;
}

}  // namespace

Oop Intern(std::string_view name) {
  SymbolTable& table = Symbols();
  absl::MutexLock lock(&table.mu);
  auto it = table.map.find(name);
  if (it != table.map.end()) return it->second;
  size_t bytes = sizeof(uint64_t) + name.size() + 1;
  size_t total = sizeof(Header) + ((bytes + 7) & ~size_t{7});
  // Uncollectable: interned symbols live as long as the process, and the table (malloc'd) is not
  // scanned by the collector.
  void* p = GC_MALLOC_ATOMIC_UNCOLLECTABLE(total);
  std::memset(p, 0, total);
  Header* h = static_cast<Header*>(p);
  h->type = kSymbolType;
  h->info = static_cast<uint32_t>((total - sizeof(Header)) << 1) | 1;
  Oop sym = reinterpret_cast<Oop>(p);
  SymbolBody* body = reinterpret_cast<SymbolBody*>(RawBytes(sym));
  body->length = name.size();
  std::memcpy(body->name, name.data(), name.size());
  table.map.emplace(std::string_view(body->name, name.size()), sym);
  return sym;
}

Oop SymbolT() {
  static const Oop t = Intern("t");
  return t;
}

int64_t ListLength(Oop list) {
  int64_t n = 0;
  while (IsPair(list)) {
    ++n;
    list = Slot(list, pair::kTail);
  }
  return n;
}

}  // namespace maru
