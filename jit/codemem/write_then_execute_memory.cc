// Write-then-execute pages: every installation gets fresh pages, written while PROT_READ|WRITE
// and then switched to PROT_READ|EXEC. Pages are never switched back, so code another thread may
// be running is never writable.
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "jit/codemem/code_memory.h"

namespace maru::jit {

namespace {

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

class WriteThenExecuteCodeMemory : public CodeMemory {
 public:
  const char* kind() const override { return "wx"; }

  bool Install(const std::string& /*name*/, size_t size,
               const std::function<bool(uint8_t*, uint64_t)>& write, CodeBlock* out,
               std::string* error) override {
    size_t mapped = (size + PageSize() - 1) & ~(PageSize() - 1);
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      *error = std::string("mmap: ") + std::strerror(errno);
      return false;
    }
    if (!write(static_cast<uint8_t*>(p), reinterpret_cast<uint64_t>(p))) {
      munmap(p, mapped);
      *error = "code relocation failed";
      return false;
    }
    if (mprotect(p, mapped, PROT_READ | PROT_EXEC) != 0) {
      *error = std::string("mprotect(PROT_READ|PROT_EXEC): ") + std::strerror(errno);
      munmap(p, mapped);
      return false;
    }
    __builtin___clear_cache(static_cast<char*>(p), static_cast<char*>(p) + size);
    AnnounceNewCode(p, size);
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

std::unique_ptr<CodeMemory> NewWriteThenExecuteCodeMemory(std::string* /*error*/) {
  return std::make_unique<WriteThenExecuteCodeMemory>();
}

}  // namespace maru::jit
