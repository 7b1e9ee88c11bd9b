// Loads a shared-object image (elf_writer.h) into this process with the system dynamic loader.
//
// Preferred: an anonymous memory file (memfd_create with MFD_CLOEXEC | MFD_NOEXEC_SEAL, the seal
// dropped on EINVAL for kernels < 6.3), written and dlopen()ed as "/proc/self/fd/N" with
// RTLD_NOW | RTLD_LOCAL. Fallback, when memfd_create or the write fails, /proc/self/fd is
// missing, or dlopen of the memfd fails: a private file in $XDG_CACHE_HOME/maru-jit (default
// ~/.cache/maru-jit; created 0700, refused if not a directory owned by us without group/other
// access) with a process-unique name, unlinked right after dlopen. Once the file path has
// worked where memfd dlopen failed, later loads skip memfd (process-wide).
//
// Path reuse: glibc returns an already-loaded object whose name string equals the requested
// path without opening the file. So a module keeps its memfd open until dlclose (the fd number,
// hence "/proc/self/fd/N", cannot be handed out again while it is loaded), file names are never
// reused, and a dlopen that returns a handle already owned by a live LoadedModule is refused.
//
// Costs per module: one file descriptor while loaded (memfd path); one link_map that dlopen,
// dlsym and unwinders walk. Batch functions into few modules and bound the number loaded.
//
// Threads: LoadSharedObject and LoadedModule methods may be called from any thread (dlopen,
// dlsym and dlclose are thread-safe; dlerror text is per thread). With the Boehm GC, note that
// it registers the writable segments of loaded objects (the data table) as roots and wants
// dlopen to be called through GC_dlopen when other threads may collect concurrently.
#ifndef MARU_JIT_OBJFILE_SHARED_OBJECT_LOADER_H_
#define MARU_JIT_OBJFILE_SHARED_OBJECT_LOADER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace maru::jit::objfile {

enum class LoadMethod {
  kMemfd,      // memfd + dlopen("/proc/self/fd/N")
  kCacheFile,  // private file under the cache directory, unlinked after dlopen
};

// "memfd" / "cache-file".
std::string_view LoadMethodName(LoadMethod method);

struct LoadOptions {
  enum class Method { kAuto, kMemfdOnly, kCacheFileOnly };
  Method method = Method::kAuto;
  // Directory of the file fallback; empty: $XDG_CACHE_HOME/maru-jit if XDG_CACHE_HOME is an
  // absolute path, else $HOME/.cache/maru-jit (home from getpwuid_r when HOME is unset).
  std::string cache_directory;
  // Check the image with ValidateSharedObject before dlopen. Leave on: dlopen trusts the image
  // (a truncated one can SIGBUS). Tests turn it off to see dlopen's own refusals.
  bool validate = true;
};

// A loaded module: dlclose()d by the destructor. Movable, not copyable. No code, pointer or
// return address into the module may be live when it is destroyed.
class LoadedModule {
 public:
  LoadedModule() = default;  // holds nothing
  LoadedModule(LoadedModule&& other) noexcept;
  LoadedModule& operator=(LoadedModule&& other) noexcept;
  LoadedModule(const LoadedModule&) = delete;
  LoadedModule& operator=(const LoadedModule&) = delete;
  ~LoadedModule();

  bool loaded() const { return handle_ != nullptr; }

  // dlsym(handle, name). NotFound when the module does not export `name`.
  absl::StatusOr<void*> Symbol(std::string_view name) const;

  // The load bias (link_map l_addr): run-time address of module-relative address 0. Adding a
  // ModuleLayout offset gives the same address dlsym returns, without a hash lookup.
  uintptr_t base() const { return base_; }
  void* Address(uint64_t module_offset) const {
    return reinterpret_cast<void*>(base_ + module_offset);
  }

  void* dl_handle() const { return handle_; }
  LoadMethod method() const { return method_; }
  // Why this method, for diagnostics: the memfd flags used, or the errno text / dlerror of the
  // memfd attempt that made the loader fall back (or "forced by LoadOptions").
  const std::string& method_detail() const { return method_detail_; }
  // The path given to dlopen ("/proc/self/fd/N" or the since-unlinked cache file).
  const std::string& path() const { return path_; }

  // dlclose now (the destructor does it otherwise). Idempotent; the error is dlerror's text.
  absl::Status Close();

 private:
  friend absl::StatusOr<LoadedModule> LoadSharedObject(std::string_view, std::string_view,
                                                       const LoadOptions&);

  void* handle_ = nullptr;
  int fd_ = -1;  // the memfd, kept open while loaded
  uintptr_t base_ = 0;
  LoadMethod method_ = LoadMethod::kMemfd;
  std::string method_detail_;
  std::string path_;
};

// Loads `image` (validated for the host architecture unless options.validate is false).
// `name_hint` names the memfd / file (sanitised to [A-Za-z0-9._-], at most 48 bytes), shown in
// /proc/self/maps. Errors: InvalidArgument (validation), FailedPrecondition (dlopen refused:
// its message, and the memfd attempt's when the fallback also failed), Unavailable (no way to
// create the file), Unimplemented (host architecture the writer does not support).
absl::StatusOr<LoadedModule> LoadSharedObject(std::string_view image, std::string_view name_hint,
                                              const LoadOptions& options = {});

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_SHARED_OBJECT_LOADER_H_
