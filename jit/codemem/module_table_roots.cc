#include "jit/codemem/module_table_roots.h"

#include <gc/gc.h>

#include <atomic>
#include <mutex>
#include <random>

namespace maru::jit {
namespace {

std::atomic<uint64_t> cookie{0};

// Called by the collector with its lock held, maybe with the world stopped: reads memory only.
// The last bytes of another library's segment may be a sanitizer's redzone (mapped, but poisoned
// for instrumented code) and need not be aligned: read byte by byte, uninstrumented.
__attribute__((no_sanitize("address", "undefined"))) int ScanUnlessModuleTable(
    const char* /*name*/, void* start, size_t size) {
  const uint64_t expected = cookie.load(std::memory_order_acquire);
  if (expected == 0 || size < 8) return 1;
  const volatile uint8_t* end = static_cast<const volatile uint8_t*>(start) + size;
  uint64_t last = 0;  // little-endian, as the table's words
  for (int k = 7; k >= 0; --k) last = (last << 8) | end[k - 8];
  return last == expected ? 0 : 1;
}

}  // namespace

uint64_t ModuleTableCookie() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::random_device random;
    uint64_t value = (static_cast<uint64_t>(random()) << 32) ^ random();
    value |= 1;  // never 0 ("no cookie"), and never a heap object's address
    cookie.store(value, std::memory_order_release);
    GC_register_has_static_roots_callback(&ScanUnlessModuleTable);
  });
  return cookie.load(std::memory_order_acquire);
}

}  // namespace maru::jit
