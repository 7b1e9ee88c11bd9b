#include "jit/objfile/native_module.h"

#include <dlfcn.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "jit/objfile/loader_support.h"

#if defined(__APPLE__)
#include <unistd.h>

#include "jit/objfile/macho_fresh_file.h"
#else
#include "jit/objfile/elf_writer.h"
#include "jit/objfile/shared_object_loader.h"
#endif

namespace maru::jit::objfile {
namespace {

// The same status with the module's name in front, so that an error names the batch it is about.
absl::Status InModule(const std::string& name, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("module ", name, ": ", status.message()));
}

// Checks that apply before anything is written or loaded, on every platform.
absl::Status CheckLoadable(Arch arch, bool exports_something) {
  constexpr std::optional<Arch> host = HostArch();
  if (!host) return absl::UnimplementedError("no shared-object writer for this host architecture");
  if (arch != Arch::kX86_64 && arch != Arch::kAArch64) {
    return absl::InvalidArgumentError("unknown architecture");
  }
  if (arch != *host) {
    return absl::InvalidArgumentError(
        absl::StrCat("the module is for ", std::string(ArchName(arch)), ", this process runs ",
                     std::string(ArchName(*host))));
  }
  if (!exports_something) {
    // macOS finds the base through an exported symbol (dyld has no handle-to-base query); the
    // ELF branch refuses too, so that both platforms accept the same modules.
    return absl::InvalidArgumentError("the module exports nothing (no function, no data table)");
  }
  return absl::OkStatus();
}

// Before anything is written: the writers would refuse a bad spec too, but the host checks need
// a valid architecture to be meaningful.
absl::Status CheckSpec(const ModuleSpec& spec) {
  if (absl::Status s = ValidateModuleSpec(spec); !s.ok()) return s;
  return CheckLoadable(spec.arch, !spec.functions.empty() || spec.data_table_words > 0);
}

}  // namespace

NativeModule::NativeModule(std::unique_ptr<Loaded> loaded, uintptr_t base, ModuleLayout layout)
    : loaded_(std::move(loaded)), base_(base), layout_(std::move(layout)) {}

#if defined(__APPLE__)

struct NativeModule::Loaded {
  void* handle = nullptr;
  std::string path;

  Loaded() = default;
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
  ~Loaded() {
    if (handle != nullptr) dlclose(handle);
    // Only now: while the image is loaded its path must stay taken (see the header).
    if (!path.empty()) unlink(path.c_str());
  }
};

namespace {

// $TMPDIR is per user on macOS (/var/folders/…/T/), which the system cleans of files left by a
// process that died with modules loaded; the uid keeps users apart where TMPDIR is shared.
std::string ModuleDirectory() {
  std::string dir = "/tmp";
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && tmp[0] == '/') dir = tmp;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return absl::StrCat(dir, "/maru-jit-", geteuid());
}

}  // namespace

absl::StatusOr<std::unique_ptr<NativeModule>> LoadNativeModule(const ModuleSpec& spec,
                                                               std::string_view hint) {
  const std::string name = SanitizeModuleName(hint);
  if (absl::Status s = CheckSpec(spec); !s.ok()) return InModule(name, s);
  const std::string dir = ModuleDirectory();
  if (absl::Status s = EnsurePrivateDirectory(dir); !s.ok()) return InModule(name, s);
  absl::StatusOr<SavedDylib> saved = WriteMachODylibToFreshFile(spec, dir);
  if (!saved.ok()) return InModule(name, saved.status());

  auto loaded = std::make_unique<NativeModule::Loaded>();
  loaded->path = saved->path;  // removed by ~Loaded from here on
  dlerror();
  loaded->handle = dlopen(loaded->path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (loaded->handle == nullptr) {
    return InModule(name, absl::FailedPreconditionError(
                              absl::StrCat("dlopen(", loaded->path, "): ", DlerrorText())));
  }

  // dlsym takes the C name: the writer exports it with the Mach-O underscore in front.
  const ModuleLayout& layout = saved->dylib.layout;
  const bool by_function = !layout.functions.empty();
  const std::string& symbol = by_function ? layout.functions[0].symbol : layout.data_table_symbol;
  const uint64_t offset = by_function ? layout.functions[0].offset : layout.data_table_offset;
  dlerror();
  void* address = dlsym(loaded->handle, symbol.c_str());
  if (address == nullptr) {
    return InModule(name, absl::InternalError(absl::StrCat("dlsym(", symbol, ") in ", loaded->path,
                                                           ": ", DlerrorText())));
  }
  const uintptr_t base = reinterpret_cast<uintptr_t>(address) - offset;
  // One lookup to make sure: the image holding the symbol starts at `base` (its Mach-O header is
  // at module-relative 0). Otherwise dlsym found the name elsewhere or returned a signed (arm64e)
  // pointer, and calls through Address() would go astray.
  Dl_info info;
  if (dladdr(address, &info) == 0 || reinterpret_cast<uintptr_t>(info.dli_fbase) != base) {
    return InModule(
        name, absl::InternalError(absl::StrCat("dlsym(", symbol, ") is not at offset ", offset,
                                               " of the image loaded from ", loaded->path)));
  }
  return std::unique_ptr<NativeModule>(
      new NativeModule(std::move(loaded), base, std::move(saved->dylib.layout)));
}

absl::StatusOr<std::unique_ptr<NativeModule>> LoadNativeImage(std::string_view /*image*/,
                                                              const ModuleLayout& /*layout*/,
                                                              std::string_view hint) {
  return InModule(SanitizeModuleName(hint),
                  absl::UnimplementedError("loading a stored image: macOS modules are always "
                                           "written afresh (LoadNativeModule)"));
}

#else  // ELF

struct NativeModule::Loaded {
  // (A constructor, not an aggregate: clang does not initialise aggregates from parentheses.)
  explicit Loaded(LoadedModule loaded) : module(std::move(loaded)) {}
  LoadedModule module;
};

namespace {

// A stored image and its layout come from different places: a mismatch would send calls to the
// wrong code. One hash lookup per symbol is little beside the dlopen.
absl::Status CheckSymbols(const LoadedModule& module, const ModuleLayout& layout) {
  auto check = [&](const std::string& symbol, uint64_t offset) -> absl::Status {
    absl::StatusOr<void*> address = module.Symbol(symbol);
    if (!address.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the image does not match its layout: ", address.status().message()));
    }
    if (*address != module.Address(offset)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the image does not match its layout: ", symbol, " is not at offset ", offset));
    }
    return absl::OkStatus();
  };
  for (const FunctionLayout& f : layout.functions) {
    if (absl::Status s = check(f.symbol, f.offset); !s.ok()) return s;
  }
  if (layout.data_table_words > 0) {
    if (absl::Status s = check(layout.data_table_symbol, layout.data_table_offset); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<NativeModule>> LoadNativeModule(const ModuleSpec& spec,
                                                               std::string_view hint) {
  const std::string name = SanitizeModuleName(hint);
  if (absl::Status s = CheckSpec(spec); !s.ok()) return InModule(name, s);
  absl::StatusOr<WrittenModule> written = WriteElfSharedObject(spec);
  if (!written.ok()) return InModule(name, written.status());
  absl::StatusOr<LoadedModule> module = LoadSharedObject(written->image, name);
  if (!module.ok()) return InModule(name, module.status());
  const uintptr_t base = module->base();
  return std::unique_ptr<NativeModule>(
      new NativeModule(std::make_unique<NativeModule::Loaded>(std::move(*module)), base,
                       std::move(written->layout)));
}

absl::StatusOr<std::unique_ptr<NativeModule>> LoadNativeImage(std::string_view image,
                                                              const ModuleLayout& layout,
                                                              std::string_view hint) {
  const std::string name = SanitizeModuleName(hint);
  if (absl::Status s =
          CheckLoadable(layout.arch, !layout.functions.empty() || layout.data_table_words > 0);
      !s.ok()) {
    return InModule(name, s);
  }
  absl::StatusOr<LoadedModule> module = LoadSharedObject(image, name);
  if (!module.ok()) return InModule(name, module.status());
  if (absl::Status s = CheckSymbols(*module, layout); !s.ok()) return InModule(name, s);
  const uintptr_t base = module->base();
  return std::unique_ptr<NativeModule>(
      new NativeModule(std::make_unique<NativeModule::Loaded>(std::move(*module)), base, layout));
}

#endif

NativeModule::~NativeModule() = default;

}  // namespace maru::jit::objfile
