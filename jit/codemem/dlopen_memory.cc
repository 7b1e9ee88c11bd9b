// The dlopen kind: where the platform refuses executable memory made in process (no W+X, no
// mprotect to executable, no executable anonymous or shared mappings), each installation's code
// becomes an ELF shared object written by jit/objfile and loaded with dlopen, which maps private
// file pages. The code must be position independent (the backend's is: absolute values are
// immediates, every call goes through a register): it is written for address 0 and runs wherever
// the loader puts it.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

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
    std::vector<CodeBlock> blocks;
    if (!InstallBatch({Piece{name, size, write}}, &blocks, error)) return false;
    *out = blocks[0];
    return true;
  }

  // One module for the whole batch: its functions are laid out one after the other in the code
  // segment, each exported under its name.
  bool InstallBatch(const std::vector<Piece>& pieces, std::vector<CodeBlock>* out,
                    std::string* error) override {
    out->clear();
    std::optional<objfile::Arch> arch = objfile::HostArch();
    if (!arch.has_value()) {
      *error = "dlopen: no ELF writer for this machine";
      return false;
    }
    if (pieces.empty()) return true;
    objfile::ModuleSpec spec;
    spec.arch = *arch;
    for (const Piece& piece : pieces) {
      objfile::Function function;
      function.name = piece.name;
      function.code.resize(piece.size);
      if (!piece.write(function.code.data(), 0)) {
        *error = "dlopen: the code is not position independent";
        return false;
      }
      spec.functions.push_back(std::move(function));
    }
    absl::StatusOr<objfile::WrittenModule> written = objfile::WriteElfSharedObject(spec);
    if (!written.ok()) {
      *error = absl::StrCat("dlopen: writing the module: ", written.status().message());
      return false;
    }
    absl::StatusOr<objfile::LoadedModule> loaded =
        objfile::LoadSharedObject(written->image, "maru-" + pieces[0].name);
    if (!loaded.ok()) {
      *error = absl::StrCat("dlopen: ", loaded.status().message());
      return false;
    }
    auto module = std::make_unique<objfile::LoadedModule>(std::move(*loaded));
    size_t total = 0;
    for (size_t i = 0; i < pieces.size(); ++i) {
      CodeBlock block;
      block.rx = module->Address(written->layout.functions[i].offset);
      block.size = pieces[i].size;
      block.handle = module.get();
      out->push_back(block);
      total += pieces[i].size;
    }
    std::lock_guard<std::mutex> lock(mu_);
    in_use_ += total;
    void* key = module.get();  // (moving the module first would leave the key null)
    modules_[key] = Module{std::move(module), pieces.size()};
    return true;
  }

  void Release(const CodeBlock& block) override {
    std::lock_guard<std::mutex> lock(mu_);
    in_use_ -= block.size;
    auto it = modules_.find(block.handle);
    if (it == modules_.end()) return;
    if (--it->second.live_functions == 0) modules_.erase(it);  // dlclose
  }

  size_t bytes_in_use() const override { return in_use_; }

 private:
  struct Module {
    std::unique_ptr<objfile::LoadedModule> loaded;
    size_t live_functions;  // installed and not released yet
  };
  std::mutex mu_;
  std::map<void*, Module> modules_;
  size_t in_use_ = 0;
};

}  // namespace

std::unique_ptr<CodeMemory> NewDlopenCodeMemory(std::string* /*error*/) {
  return std::make_unique<DlopenCodeMemory>();
}

}  // namespace maru::jit
