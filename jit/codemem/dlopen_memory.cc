// The dlopen kind: where the platform refuses executable memory made in process (no W+X, no
// mprotect to executable, no executable anonymous or shared mappings), each installation's code
// becomes an ELF shared object written by jit/objfile and loaded with dlopen, which maps private
// file pages. The code must be position independent: it is written for address 0 and runs
// wherever the loader puts it. The words of this process it needs (heap objects, runtime
// functions) are in the module's data table, filled after dlopen (jit/backend/data_table.h), so
// an image is the same in every process and can be cached on disk (InstallImage).
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/codemem/code_memory.h"
#include "jit/codemem/module_table_roots.h"
#include "jit/objfile/elf_writer.h"
#include "jit/objfile/native_module.h"

namespace maru::jit {

namespace {

class DlopenCodeMemory : public CodeMemory {
 public:
  const char* kind() const override { return "dlopen"; }

  bool Install(const std::string& name, size_t size,
               const std::function<bool(uint8_t*, uint64_t)>& write, CodeBlock* out,
               std::string* error) override {
    std::vector<CodeBlock> blocks;
    if (!InstallBatch({Piece{name, size, write}}, &blocks, error, nullptr)) return false;
    *out = blocks[0];
    return true;
  }

  bool writes_modules() const override { return true; }

  // One module for the whole batch: its functions are laid out one after the other in the code
  // segment, each exported under its name, and their data tables one after the other in the
  // module's table (then the cookie of module_table_roots.h).
  bool InstallBatch(const std::vector<Piece>& pieces, std::vector<CodeBlock>* out,
                    std::string* error, ModuleImage* written) override {
    out->clear();
    std::optional<objfile::Arch> arch = objfile::HostArch();
    if (!arch.has_value()) {
      *error = "dlopen: no shared-object writer for this machine";
      return false;
    }
    if (pieces.empty()) return true;
    objfile::ModuleSpec spec;
    spec.arch = *arch;
    std::vector<uint64_t> table;
    std::vector<size_t> sizes;
    for (const Piece& piece : pieces) {
      objfile::Function function;
      function.name = piece.name;
      function.code.resize(piece.size);
      if (!piece.write(function.code.data(), 0)) {
        *error = "dlopen: the code is not position independent";
        return false;
      }
      for (objfile::Fixup fixup : piece.fixups) {
        if (fixup.target == objfile::FixupTarget::kDataTable) {
          fixup.index += static_cast<uint32_t>(table.size());
        }
        function.fixups.push_back(fixup);
      }
      table.insert(table.end(), piece.table.begin(), piece.table.end());
      sizes.push_back(piece.size);
      spec.functions.push_back(std::move(function));
    }
    // The table is left zero in the image, which then holds nothing of this process.
    if (!table.empty()) spec.data_table_words = table.size() + 1;
#if defined(__APPLE__)
    // A signed dylib, written straight to its fresh file; not kept for the module cache (which
    // stores ELF images).
    if (written != nullptr) written->image.clear();
    return Install(objfile::LoadNativeModule(spec, "maru-" + pieces[0].name), sizes, table, out,
                   error);
#else
    absl::StatusOr<objfile::WrittenModule> module = objfile::WriteElfSharedObject(spec);
    if (!module.ok()) {
      *error = absl::StrCat("dlopen: writing the module: ", module.status().message());
      return false;
    }
    if (!Install(objfile::LoadNativeImage(module->image, module->layout, "maru-" + pieces[0].name),
                 sizes, table, out, error)) {
      return false;
    }
    if (written != nullptr) {
      written->image = std::move(module->image);
      written->layout = std::move(module->layout);
    }
    return true;
#endif
  }

  bool InstallImage(const ModuleImage& module, const std::vector<size_t>& sizes,
                    const std::vector<uint64_t>& table, std::vector<CodeBlock>* out,
                    std::string* error) override {
    out->clear();
    const objfile::ModuleLayout& layout = module.layout;
    if (sizes.empty() || sizes.size() != layout.functions.size() ||
        layout.data_table_words != (table.empty() ? 0 : table.size() + 1)) {
      *error = "dlopen: the module image does not match its functions";
      return false;
    }
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] != layout.functions[i].size) {
        *error = "dlopen: the module image does not match its functions";
        return false;
      }
    }
    return Install(
        objfile::LoadNativeImage(module.image, layout, "maru-" + layout.functions[0].symbol), sizes,
        table, out, error);
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
  // Fills a loaded module's data table; one CodeBlock per function.
  bool Install(absl::StatusOr<std::unique_ptr<objfile::NativeModule>> loaded,
               const std::vector<size_t>& sizes, const std::vector<uint64_t>& table,
               std::vector<CodeBlock>* out, std::string* error) {
    if (!loaded.ok()) {
      *error = absl::StrCat("dlopen: ", loaded.status().message());
      return false;
    }
    std::unique_ptr<objfile::NativeModule> module = std::move(*loaded);
    if (!table.empty()) {
      uint64_t* words = module->data_table();
      std::copy(table.begin(), table.end(), words);
      words[table.size()] = ModuleTableCookie();
    }
    const objfile::ModuleLayout& layout = module->layout();
    size_t total = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      CodeBlock block;
      block.rx = module->Address(layout.functions[i].offset);
      block.size = sizes[i];
      block.handle = module.get();
      out->push_back(block);
      total += sizes[i];
    }
    std::lock_guard<std::mutex> lock(mu_);
    in_use_ += total;
    void* key = module.get();  // (moving the module first would leave the key null)
    modules_[key] = Module{std::move(module), sizes.size()};
    return true;
  }

  struct Module {
    std::unique_ptr<objfile::NativeModule> loaded;
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
