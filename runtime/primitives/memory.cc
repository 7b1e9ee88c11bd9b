// Raw memory accessors (spec §7.9): (T-at obj idx [scale]) and (set-T-at obj idx [scale] value).
// A Long obj is a raw machine address (as in the reference); a heap object is bounds-checked.
#include <setjmp.h>
#include <signal.h>

#include <cstring>
#include <atomic>
#include <mutex>

#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"

namespace maru {

namespace {

// Raw addresses (a Long obj) are the reference's escape hatch to C memory. A bad one must not
// kill the process: the access runs with a SIGSEGV/SIGBUS handler that jumps back, and the
// primitive reports "invalid address". Faults outside such an access keep their default effect.
thread_local sigjmp_buf* fault_recovery = nullptr;

void OnMemoryFault(int sig) {
  if (fault_recovery != nullptr) siglongjmp(*fault_recovery, 1);
  signal(sig, SIG_DFL);  // not ours: the default action, when the access is retried
}

// Installs the handlers unless they are already ours. Checked on every guarded access (a
// raw-address access is rare and slow anyway): another component (the JIT's code-memory probe,
// an embedding host) may have swapped the process-wide handlers since.
void InstallFaultHandlers() {
  for (int sig : {SIGSEGV, SIGBUS}) {
    struct sigaction current = {};
    sigaction(sig, nullptr, &current);
    if (current.sa_handler == OnMemoryFault) continue;
    struct sigaction action = {};
    action.sa_handler = OnMemoryFault;
    sigemptyset(&action.sa_mask);
    sigaction(sig, &action, nullptr);
  }
}

// Copies n bytes between raw memory and a buffer; false if the memory faulted.
bool GuardedCopy(void* to, const void* from, size_t n) {
  // Address 0 is never mapped for a process (mmap_min_addr), so the access would fault; it is
  // reported without trying, because memcpy with a null pointer is undefined behaviour that the
  // compiler may exploit (UBSan reports it).
  if (to == nullptr || from == nullptr) return false;
  InstallFaultHandlers();
  sigjmp_buf recovery;
  if (sigsetjmp(recovery, 1) != 0) {
    fault_recovery = nullptr;
    return false;
  }
  fault_recovery = &recovery;
  // The handler reads fault_recovery: keep the compiler from moving the copy across the stores.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::memcpy(to, from, n);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  fault_recovery = nullptr;
  return true;
}

enum class Kind { kUnsigned8, kSigned8, kSigned16, kSigned32, kSigned64, kFloat, kDouble, kLongDouble };

struct Accessor {
  const char* getter;
  const char* setter;
  Kind kind;
  size_t size;
};

constexpr Accessor kAccessors[] = {
    {"byte-at", "set-byte-at", Kind::kUnsigned8, 1},
    {"char-at", "set-char-at", Kind::kSigned8, 1},
    {"short-at", "set-short-at", Kind::kSigned16, 2},
    {"wchar-at", "set-wchar-at", Kind::kSigned32, 4},
    {"int-at", "set-int-at", Kind::kSigned32, 4},
    {"int32-at", "set-int32-at", Kind::kSigned32, 4},
    {"int64-at", "set-int64-at", Kind::kSigned64, 8},
    {"long-at", "set-long-at", Kind::kSigned64, 8},
    {"longlong-at", "set-longlong-at", Kind::kSigned64, 8},
    {"pointer-at", "set-pointer-at", Kind::kSigned64, 8},
    {"float-at", "set-float-at", Kind::kFloat, 4},
    {"double-at", "set-double-at", Kind::kDouble, 8},
    {"longdouble-at", "set-longdouble-at", Kind::kLongDouble, 16},
};

// The address of the accessed element; sets *failed after reporting an error (a raw address
// may be 0, so the result cannot signal failure).
uint8_t* Address(Vm& vm, const char* name, const Accessor& acc, Oop obj, Oop idx, Oop scale,
                 bool* failed) {
  *failed = true;
  if (!IsLong(idx)) {
    vm.Error(std::string(name) + ": non-integer index: " + DumpForMessage(vm, idx));
    return nullptr;
  }
  if (scale != kNil && !IsLong(scale)) {
    vm.Error(std::string(name) + ": non-integer index: " + DumpForMessage(vm, scale));
    return nullptr;
  }
  int64_t offset;
  bool overflow = __builtin_mul_overflow(
      LongValue(idx), scale == kNil ? static_cast<int64_t>(acc.size) : LongValue(scale), &offset);
  if (IsFixnum(obj) || (Is(obj, kLongType) && IsRaw(obj))) {
    if (overflow) {
      vm.Error(std::string(name) + ": index out of range: " + std::to_string(LongValue(idx)));
      return nullptr;
    }
    *failed = false;
    return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(LongValue(obj)) +
                                      static_cast<uintptr_t>(offset));
  }
  if (!IsObject(obj)) {
    ArgumentError(vm, name, "pointer", obj);
    return nullptr;
  }
  int64_t size = IsRaw(obj) ? ByteCount(obj) : SlotCount(obj) * static_cast<int64_t>(sizeof(Oop));
  if (overflow || offset < 0 || offset > size - static_cast<int64_t>(acc.size)) {
    vm.Error(std::string(name) + ": index (" + std::to_string(LongValue(idx)) +
             ") out of range: (" + DumpForMessage(vm, obj) + " " + std::to_string(LongValue(idx)) +
             ")");
    return nullptr;
  }
  *failed = false;
  return RawBytes(obj) + offset;
}

Oop Load(Vm& vm, const Accessor& acc, const uint8_t* p) {
  Oop r = kNil;
  switch (acc.kind) {
    case Kind::kUnsigned8:
      r = NewLong(*p);
      break;
    case Kind::kSigned8:
      r = NewLong(static_cast<int8_t>(*p));
      break;
    case Kind::kSigned16: {
      int16_t v;
      std::memcpy(&v, p, sizeof v);
      r = NewLong(v);
      break;
    }
    case Kind::kSigned32: {
      int32_t v;
      std::memcpy(&v, p, sizeof v);
      r = NewLong(v);
      break;
    }
    case Kind::kSigned64: {
      int64_t v;
      std::memcpy(&v, p, sizeof v);
      r = NewLong(v);
      break;
    }
    case Kind::kFloat: {
      float v;
      std::memcpy(&v, p, sizeof v);
      r = NewDouble(v);
      break;
    }
    case Kind::kDouble: {
      double v;
      std::memcpy(&v, p, sizeof v);
      r = NewDouble(v);
      break;
    }
    case Kind::kLongDouble: {
      long double v;
      std::memcpy(&v, p, sizeof v);
      r = NewDouble(static_cast<double>(v));
      break;
    }
  }
  return r == kNil ? vm.OutOfMemory() : r;
}

bool IsFloating(Kind k) { return k == Kind::kFloat || k == Kind::kDouble || k == Kind::kLongDouble; }

void Store(const Accessor& acc, uint8_t* p, Oop value) {
  int64_t i = IsLong(value) ? LongValue(value) : 0;
  double d = IsDouble(value) ? DoubleValue(value) : static_cast<double>(i);
  switch (acc.kind) {
    case Kind::kUnsigned8:
    case Kind::kSigned8:
      *p = static_cast<uint8_t>(i);
      break;
    case Kind::kSigned16: {
      auto v = static_cast<int16_t>(i);
      std::memcpy(p, &v, sizeof v);
      break;
    }
    case Kind::kSigned32: {
      auto v = static_cast<int32_t>(i);
      std::memcpy(p, &v, sizeof v);
      break;
    }
    case Kind::kSigned64:
      std::memcpy(p, &i, sizeof i);
      break;
    case Kind::kFloat: {
      auto v = static_cast<float>(d);
      std::memcpy(p, &v, sizeof v);
      break;
    }
    case Kind::kDouble:
      std::memcpy(p, &d, sizeof d);
      break;
    case Kind::kLongDouble: {
      long double v = d;
      std::memcpy(p, &v, sizeof v);
      break;
    }
  }
}

bool IsRawAddress(Oop obj) { return IsFixnum(obj) || (Is(obj, kLongType) && IsRaw(obj)); }

Oop InvalidAddress(Vm& vm, const char* name, const uint8_t* p) {
  return vm.Error(std::string(name) + ": invalid address: " +
                  std::to_string(reinterpret_cast<intptr_t>(p)));
}

template <int kIndex>
Oop Get(Vm& vm, const Oop* a, int n, Frame*) {
  const Accessor& acc = kAccessors[kIndex];
  if (n != 2 && n != 3) return ArityError(vm, acc.getter, n);
  bool failed;
  uint8_t* p = Address(vm, acc.getter, acc, a[0], a[1], n == 3 ? a[2] : kNil, &failed);
  if (failed) return kErrorOop;
  if (IsRawAddress(a[0])) {
    alignas(16) uint8_t copy[16];
    if (!GuardedCopy(copy, p, acc.size)) return InvalidAddress(vm, acc.getter, p);
    return Load(vm, acc, copy);
  }
  return Load(vm, acc, p);
}

template <int kIndex>
Oop Set(Vm& vm, const Oop* a, int n, Frame*) {
  const Accessor& acc = kAccessors[kIndex];
  if (n != 3 && n != 4) return ArityError(vm, acc.setter, n);
  Oop value = a[n - 1];
  bool ok = IsLong(value) || (IsFloating(acc.kind) && IsDouble(value));
  if (!ok) {
    return vm.Error(std::string(acc.setter) + ": improper store: " + DumpForMessage(vm, value));
  }
  bool failed;
  uint8_t* p = Address(vm, acc.setter, acc, a[0], a[1], n == 4 ? a[2] : kNil, &failed);
  if (failed) return kErrorOop;
  if (IsRawAddress(a[0])) {
    alignas(16) uint8_t copy[16];
    Store(acc, copy, value);
    if (!GuardedCopy(p, copy, acc.size)) return InvalidAddress(vm, acc.setter, p);
    return value;
  }
  Store(acc, p, value);
  return value;
}

template <int... kIndices>
void RegisterAll(Vm& vm, std::integer_sequence<int, kIndices...>) {
  (DefinePrimitive(vm, kAccessors[kIndices].getter, Get<kIndices>, -1), ...);
  (DefinePrimitive(vm, kAccessors[kIndices].setter, Set<kIndices>, -1), ...);
}

}  // namespace

void RegisterMemoryAccessPrimitives(Vm& vm) {
  RegisterAll(vm, std::make_integer_sequence<int, sizeof(kAccessors) / sizeof(kAccessors[0])>());
}

}  // namespace maru
