// Dual mapping through asmjit's JitAllocator (kUseDualMapping): the allocator maps a memfd twice,
// so code is written through an RW view and runs from a separate RX view. Works where the kernel
// refuses to add PROT_EXEC to a writable mapping (MDWE, SELinux execmem).
#include <asmjit/core.h>

#include <mutex>

#include "jit/codemem/code_memory.h"

namespace maru::jit {

namespace {

class DualMappedCodeMemory : public CodeMemory {
 public:
  DualMappedCodeMemory() : allocator_(Params()) {}

  const char* kind() const override { return "dual"; }

  bool Install(const std::string& /*name*/, size_t size,
               const std::function<bool(uint8_t*, uint64_t)>& write, CodeBlock* out,
               std::string* error) override {
    std::lock_guard<std::mutex> lock(mu_);
    void* rx = nullptr;
    void* rw = nullptr;
    asmjit::Error err = allocator_.alloc(&rx, &rw, size);
    if (err != asmjit::kErrorOk) {
      *error = std::string("dual mapping: ") + asmjit::DebugUtils::errorAsString(err);
      return false;
    }
    if (!write(static_cast<uint8_t*>(rw), reinterpret_cast<uint64_t>(rx))) {
      allocator_.release(rx);
      *error = "code relocation failed";
      return false;
    }
    asmjit::VirtMem::flushInstructionCache(rx, size);
    AnnounceNewCode(rx, size);
    out->rx = rx;
    out->size = size;
    out->handle = rx;
    in_use_ += size;
    return true;
  }

  void Release(const CodeBlock& block) override {
    std::lock_guard<std::mutex> lock(mu_);
    allocator_.release(block.rx);
    in_use_ -= block.size;
  }

  size_t bytes_in_use() const override { return in_use_; }

 private:
  static const asmjit::JitAllocator::CreateParams* Params() {
    static asmjit::JitAllocator::CreateParams params = [] {
      asmjit::JitAllocator::CreateParams p;
      p.options = asmjit::JitAllocatorOptions::kUseDualMapping;
      return p;
    }();
    return &params;
  }

  std::mutex mu_;
  asmjit::JitAllocator allocator_;
  size_t in_use_ = 0;
};

}  // namespace

std::unique_ptr<CodeMemory> NewDualMappedCodeMemory(std::string* /*error*/) {
  return std::make_unique<DualMappedCodeMemory>();
}

}  // namespace maru::jit
