// The dlopen kind: where the platform refuses executable memory made in process (no W+X, no
// mprotect to executable, no executable anonymous or shared mappings), each installation's code
// becomes an ELF shared object written by jit/objfile and loaded with dlopen, which maps private
// file pages. The code must be position independent (the backend's is: absolute values are
// immediates, every call goes through a register): it is written for address 0 and runs wherever
// the loader puts it.
#include <map>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "jit/codemem/code_memory.h"
#include "jit/objfile/elf_writer.h"
#include "jit/objfile/shared_object_loader.h"

namespace maru::jit {

namespace {

class DlopenCodeMemory : public CodeMemory {
 public:
  const char* kind() const override { return "dlopen"; }

  bool Install(const std::string& name, size_t size,
               const std::function<bool(uint8_t*, uint64_t)>& write, CodeBlock* out,
               std::string* error) override {
    std::optional<objfile::Arch> arch = objfile::HostArch();
    if (!arch.has_value()) {
      *error = "dlopen: no ELF writer for this machine";
      return false;
    }
    objfile::Function function;
    function.name = name;
    function.code.resize(size);
    if (!write(function.code.data(), 0)) {
      *error = "dlopen: the code is not position independent";
      return false;
    }
    objfile::ModuleSpec spec;
    spec.arch = *arch;
    spec.functions.push_back(std::move(function));
    absl::StatusOr<objfile::WrittenModule> written = objfile::WriteElfSharedObject(spec);
    if (!written.ok()) {
      *error = absl::StrCat("dlopen: writing the module: ", written.status().message());
      return false;
    }
    absl::StatusOr<objfile::LoadedModule> loaded =
        objfile::LoadSharedObject(written->image, "maru-" + name);
    if (!loaded.ok()) {
      *error = absl::StrCat("dlopen: ", loaded.status().message());
      return false;
    }
    auto module = std::make_unique<objfile::LoadedModule>(std::move(*loaded));
    out->rx = module->Address(written->layout.functions[0].offset);
    out->size = size;
    out->handle = module.get();
    std::lock_guard<std::mutex> lock(mu_);
    in_use_ += size;
    modules_[module.get()] = std::move(module);
    return true;
  }

  void Release(const CodeBlock& block) override {
    std::lock_guard<std::mutex> lock(mu_);
    modules_.erase(block.handle);  // dlclose
    in_use_ -= block.size;
  }

  size_t bytes_in_use() const override { return in_use_; }

 private:
  std::mutex mu_;
  std::map<void*, std::unique_ptr<objfile::LoadedModule>> modules_;
  size_t in_use_ = 0;
};

}  // namespace

std::unique_ptr<CodeMemory> NewDlopenCodeMemory(std::string* /*error*/) {
  return std::make_unique<DlopenCodeMemory>();
}

}  // namespace maru::jit
