// Apple silicon: MAP_JIT memory with per-thread write protection (jit-platform-notes §1.1-1.4).
//
// Pages come from mmap(PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_ANON|MAP_JIT) and are never
// writable and executable at once for a thread: writes happen only inside a short per-thread
// window (pthread_jit_write_protect_np(0) ... (1)) in which no JIT code runs; then the range's
// instruction cache is invalidated. No mprotect to executable ever (fatal under the hardened
// runtime), no MAP_SHARED/MAP_FIXED/files with MAP_JIT, no dual mapping.
//
// Not built or run on this project's Linux machines: reviewed against the platform notes only.
#if defined(__APPLE__) && defined(__aarch64__)

#include <libkern/OSCacheControl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "jit/codemem/code_memory.h"

// Code-signing status of a process (SPI; declared as the Swift runtime does).
extern "C" int csops(pid_t pid, unsigned int ops, void* useraddr, size_t usersize);

namespace maru::jit {

namespace {

constexpr unsigned int kCsOpsStatus = 0;
constexpr uint32_t kCsRuntime = 0x00010000;  // hardened runtime

// The thread's write window; nesting-aware because no API reports the current mode.
class JitWriteWindow {
 public:
  JitWriteWindow() {
    if (depth_++ == 0) pthread_jit_write_protect_np(0);
  }
  ~JitWriteWindow() {
    if (--depth_ == 0) pthread_jit_write_protect_np(1);
  }

 private:
  static thread_local int depth_;
};
thread_local int JitWriteWindow::depth_ = 0;

size_t PageSize() {
  static const size_t page = static_cast<size_t>(getpagesize());
  return page;
}

class MapJitCodeMemory : public CodeMemory {
 public:
  const char* kind() const override { return "mapjit"; }

  bool Install(const std::string& /*name*/, size_t size,
               const std::function<bool(uint8_t*, uint64_t)>& write, CodeBlock* out,
               std::string* error) override {
    size_t mapped = (size + PageSize() - 1) & ~(PageSize() - 1);
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANON | MAP_JIT, -1, 0);
    if (p == MAP_FAILED) {
      uint32_t flags = 0;
      bool hardened = csops(getpid(), kCsOpsStatus, &flags, sizeof flags) == 0 &&
                      (flags & kCsRuntime) != 0;
      // The errno is not a contract (EINVAL, EPERM...): record it, do not branch on it.
      *error = std::string("mmap(MAP_JIT): ") + std::strerror(errno) +
               (hardened ? " (hardened runtime: the allow-jit entitlement is needed)" : "");
      return false;
    }
    bool ok;
    {
      JitWriteWindow window;  // no JIT code runs until it closes
      ok = write(static_cast<uint8_t*>(p), reinterpret_cast<uint64_t>(p));
    }
    if (!ok) {
      munmap(p, mapped);
      *error = "code relocation failed";
      return false;
    }
    sys_icache_invalidate(p, size);
    out->rx = p;
    out->size = mapped;
    out->handle = p;
    in_use_ += mapped;
    return true;
  }

  void Release(const CodeBlock& block) override {
    munmap(block.rx, block.size);
    in_use_ -= block.size;
  }

  size_t bytes_in_use() const override { return in_use_; }

 private:
  std::atomic<size_t> in_use_{0};
};

}  // namespace

std::unique_ptr<CodeMemory> NewMapJitCodeMemory(std::string* /*error*/) {
  return std::make_unique<MapJitCodeMemory>();
}

}  // namespace maru::jit

#endif  // defined(__APPLE__) && defined(__aarch64__)
