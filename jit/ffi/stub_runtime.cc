#include "jit/ffi/stub_runtime.h"

#include <atomic>
#include <cstring>
#include <string>

#include "runtime/ffi/ffi.h"
#include "runtime/heap.h"
#include "runtime/strings.h"

namespace maru::jit::ffi {

namespace {
std::atomic<int64_t> fallback_count{0};
}  // namespace

int64_t StubFallbackCount() { return fallback_count.load(std::memory_order_relaxed); }

Oop StubCallThroughLibffi(Vm* vm, Oop subr, const Oop* args, int64_t argc) noexcept {
  fallback_count.fetch_add(1, std::memory_order_relaxed);
  return CallForeignSubr(*vm, subr, args, static_cast<int>(argc), nullptr);
}

int64_t StubPointerArgument(Oop x, void** out) noexcept {
  // A Variable's value cell handed to C may be written there: the libffi path, which knows the
  // Vm, tells compiled code about it (global_epoch).
  if (Is(x, kVariableType)) return 0;
  return ForeignPointerArgument(x, out) ? 1 : 0;
}

const char* StubUtf8Argument(Oop x) noexcept {
  if (!IsString(x)) return nullptr;
  std::string text = ForeignUtf8Argument(x);
  // Collector memory, not the std::string the libffi path uses: a stub has no destructor to
  // run after the call. The pointer stays in the stub's frame (scanned by the collector) until
  // the C function returns.
  auto* copy = static_cast<char*>(AllocAtomicBytes(text.size() + 1));
  if (copy == nullptr) return nullptr;
  std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

void StubBeforeCall() noexcept { PrepareForeignCall(); }

Oop StubResult(Vm* vm, int64_t ret, const void* result) noexcept {
  return ForeignResult(*vm, static_cast<char>(ret), result);
}

}  // namespace maru::jit::ffi
