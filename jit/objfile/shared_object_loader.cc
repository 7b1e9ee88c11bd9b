#include "jit/objfile/shared_object_loader.h"

#include <dlfcn.h>
#include <fcntl.h>
#if defined(__linux__)
#include <link.h>
#endif
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "jit/objfile/elf_validator.h"
#include "jit/objfile/loader_support.h"
#include "jit/objfile/module_spec.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U  // Linux 6.3; not in glibc 2.36's headers
#endif

namespace maru::jit::objfile {
namespace {

absl::Status WriteAll(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("write: ", ErrnoText(errno)));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Handles owned by live LoadedModules (see "Path reuse" in the header).
class HandleRegistry {
 public:
  // False if `handle` is already owned.
  bool Add(void* handle) {
    absl::MutexLock lock(&mu_);
    return handles_.insert(handle).second;
  }
  void Remove(void* handle) {
    absl::MutexLock lock(&mu_);
    handles_.erase(handle);
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_set<void*> handles_ ABSL_GUARDED_BY(mu_);
};

HandleRegistry& Registry() {
  static auto* registry = new HandleRegistry();
  return *registry;
}

// Set once the cache file worked for an image whose memfd dlopen failed: memfd cannot work here.
std::atomic<bool> g_memfd_broken{false};
absl::Mutex g_memfd_broken_mu;
std::string* g_memfd_broken_reason ABSL_GUARDED_BY(g_memfd_broken_mu) = nullptr;

std::string MemfdBrokenReason() {
  absl::MutexLock lock(&g_memfd_broken_mu);
  return g_memfd_broken_reason ? *g_memfd_broken_reason : std::string();
}

void MarkMemfdBroken(const std::string& reason) {
  absl::MutexLock lock(&g_memfd_broken_mu);
  if (g_memfd_broken_reason == nullptr) g_memfd_broken_reason = new std::string(reason);
  g_memfd_broken.store(true, std::memory_order_release);
}

std::atomic<uint64_t> g_file_counter{0};

struct Attempt {
  void* handle = nullptr;
  int fd = -1;  // kept open while loaded (memfd only)
  std::string path;
  std::string detail;          // how it was done
  absl::Status status;         // why it failed (handle == nullptr)
  bool image_suspect = false;  // dlopen itself refused (vs. no memfd, no /proc)
};

Attempt TryMemfd(std::string_view image, const std::string& hint) {
  Attempt a;
#if !defined(__linux__)
  // memfd and /proc/self/fd are Linux's (ELF modules load on ELF systems; macOS loads Mach-O
  // through native_module.h).
  (void)image;
  (void)hint;
  a.status = absl::UnavailableError("memfd_create: not on this system");
  return a;
#else
  const std::string name = absl::StrCat("maru-jit:", hint);
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_NOEXEC_SEAL);
  a.detail = "memfd_create(MFD_CLOEXEC|MFD_NOEXEC_SEAL)";
  if (fd < 0 && errno == EINVAL) {
    a.detail = absl::StrCat("memfd_create(MFD_CLOEXEC); MFD_NOEXEC_SEAL refused with ",
                            ErrnoText(EINVAL), ", kernel < 6.3");
    fd = memfd_create(name.c_str(), MFD_CLOEXEC);
  }
  if (fd < 0) {
    a.status = absl::UnavailableError(absl::StrCat("memfd_create: ", ErrnoText(errno)));
    return a;
  }
  if (absl::Status s = WriteAll(fd, image); !s.ok()) {
    close(fd);
    a.status = absl::UnavailableError(absl::StrCat("memfd ", s.message()));
    return a;
  }
  a.path = absl::StrCat("/proc/self/fd/", fd);
  a.handle = dlopen(a.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (a.handle == nullptr) {
    const std::string error = DlerrorText();
    if (access(a.path.c_str(), F_OK) != 0) {
      a.status = absl::UnavailableError(
          absl::StrCat(a.path, " not accessible (/proc not mounted?): ", ErrnoText(errno)));
    } else {
      a.status = absl::FailedPreconditionError(absl::StrCat("dlopen(", a.path, "): ", error));
      a.image_suspect = true;
    }
    close(fd);
    return a;
  }
  a.fd = fd;
  a.detail = absl::StrCat(a.detail, " + dlopen(", a.path, ")");
  return a;
#endif
}

std::optional<std::string> HomeDirectory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') return home;
  struct passwd pw;
  struct passwd* result = nullptr;
  char buf[4096];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &result) == 0 && result != nullptr &&
      result->pw_dir != nullptr && result->pw_dir[0] == '/') {
    return std::string(result->pw_dir);
  }
  return std::nullopt;
}

absl::StatusOr<std::string> DefaultCacheDirectory() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return absl::StrCat(xdg, "/maru-jit");
  }
  std::optional<std::string> home = HomeDirectory();
  if (!home) return absl::UnavailableError("no XDG_CACHE_HOME and no home directory");
  return absl::StrCat(*home, "/.cache/maru-jit");
}

Attempt TryCacheFile(std::string_view image, const std::string& hint, const LoadOptions& options) {
  Attempt a;
  std::string dir = options.cache_directory;
  if (dir.empty()) {
    absl::StatusOr<std::string> d = DefaultCacheDirectory();
    if (!d.ok()) {
      a.status = d.status();
      return a;
    }
    dir = *std::move(d);
  }
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (absl::Status s = EnsurePrivateDirectory(dir); !s.ok()) {
    a.status = s;
    return a;
  }
  // pid + counter make the name unique within the process (glibc matches loaded objects by
  // path string); mkostemps adds randomness and O_EXCL against leftovers of other processes.
  std::string path =
      absl::StrCat(dir, "/", hint, "-", getpid(), "-",
                   g_file_counter.fetch_add(1, std::memory_order_relaxed), "-XXXXXX.so");
  const int fd = mkostemps(path.data(), 3, O_CLOEXEC);
  if (fd < 0) {
    a.status = absl::UnavailableError(absl::StrCat("mkostemps ", path, ": ", ErrnoText(errno)));
    return a;
  }
  absl::Status written = WriteAll(fd, image);
  close(fd);
  if (!written.ok()) {
    unlink(path.c_str());
    a.status = absl::UnavailableError(absl::StrCat(path, ": ", written.message()));
    return a;
  }
  a.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  const std::string error = a.handle == nullptr ? DlerrorText() : std::string();
  unlink(path.c_str());
  a.path = path;
  if (a.handle == nullptr) {
    a.status = absl::FailedPreconditionError(absl::StrCat("dlopen(", path, "): ", error));
    a.image_suspect = true;
    return a;
  }
  a.detail = absl::StrCat("file ", path, " (unlinked after dlopen)");
  return a;
}

}  // namespace

std::string_view LoadMethodName(LoadMethod method) {
  return method == LoadMethod::kMemfd ? "memfd" : "cache-file";
}

LoadedModule::LoadedModule(LoadedModule&& other) noexcept { *this = std::move(other); }

LoadedModule& LoadedModule::operator=(LoadedModule&& other) noexcept {
  if (this != &other) {
    Close().IgnoreError();
    handle_ = std::exchange(other.handle_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
    base_ = std::exchange(other.base_, 0);
    method_ = other.method_;
    method_detail_ = std::move(other.method_detail_);
    path_ = std::move(other.path_);
  }
  return *this;
}

LoadedModule::~LoadedModule() { Close().IgnoreError(); }

absl::Status LoadedModule::Close() {
  absl::Status status;
  if (handle_ != nullptr) {
    Registry().Remove(handle_);
    if (dlclose(handle_) != 0)
      status = absl::InternalError(absl::StrCat("dlclose: ", DlerrorText()));
    handle_ = nullptr;
    base_ = 0;
  }
  // Only after dlclose: while the object is loaded, its fd number must not be reused.
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  return status;
}

absl::StatusOr<void*> LoadedModule::Symbol(std::string_view name) const {
  if (handle_ == nullptr) return absl::FailedPreconditionError("module not loaded");
  const std::string z(name);
  dlerror();  // clear
  void* address = dlsym(handle_, z.c_str());
  if (address == nullptr) {
    const char* e = dlerror();
    return absl::NotFoundError(absl::StrCat("dlsym(", z, "): ", e ? e : "null address"));
  }
  return address;
}

absl::StatusOr<LoadedModule> LoadSharedObject(std::string_view image, std::string_view name_hint,
                                              const LoadOptions& options) {
  constexpr std::optional<Arch> host = HostArch();
  if (!host)
    return absl::UnimplementedError("shared-object loading: unsupported host architecture");
  if (options.validate) {
    if (absl::Status s = ValidateSharedObject(image, *host); !s.ok()) return s;
  }
  const std::string hint = SanitizeModuleName(name_hint);

  Attempt attempt;
  LoadMethod method = LoadMethod::kMemfd;
  std::string memfd_failure;  // why memfd was not used
  const bool try_memfd = options.method != LoadOptions::Method::kCacheFileOnly;
  if (try_memfd && options.method == LoadOptions::Method::kAuto &&
      g_memfd_broken.load(std::memory_order_acquire)) {
    memfd_failure = absl::StrCat("skipped, failed earlier in this process: ", MemfdBrokenReason());
  } else if (try_memfd) {
    attempt = TryMemfd(image, hint);
    if (attempt.handle == nullptr) memfd_failure = attempt.status.ToString();
  } else {
    memfd_failure = "LoadOptions forced the cache file";
  }
  if (attempt.handle == nullptr && options.method != LoadOptions::Method::kMemfdOnly) {
    const bool memfd_dlopen_failed = attempt.image_suspect;
    Attempt file = TryCacheFile(image, hint, options);
    if (file.handle == nullptr) {
      if (memfd_failure.empty() || !try_memfd) return file.status;
      return absl::Status(file.status.code(),
                          absl::StrCat(file.status.message(), "; memfd: ", memfd_failure));
    }
    // The same bytes loaded from a file: memfd, not the image, was the problem.
    if (memfd_dlopen_failed) MarkMemfdBroken(memfd_failure);
    attempt = std::move(file);
    attempt.detail = absl::StrCat(attempt.detail, "; memfd not used: ", memfd_failure);
    method = LoadMethod::kCacheFile;
  }
  if (attempt.handle == nullptr) return attempt.status;

  LoadedModule module;
  if (!Registry().Add(attempt.handle)) {
    dlclose(attempt.handle);  // drop the reference dlopen just added
    if (attempt.fd >= 0) close(attempt.fd);
    return absl::InternalError(absl::StrCat(
        "dlopen(", attempt.path, ") returned a module that is already loaded (path reuse)"));
  }
  module.handle_ = attempt.handle;
  module.fd_ = attempt.fd;
  module.method_ = method;
  module.method_detail_ = std::move(attempt.detail);
  module.path_ = std::move(attempt.path);
#if defined(__linux__)
  struct link_map* map = nullptr;
  if (dlinfo(module.handle_, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr) {
    return absl::InternalError(absl::StrCat("dlinfo(RTLD_DI_LINKMAP): ", DlerrorText()));
  }
  module.base_ = static_cast<uintptr_t>(map->l_addr);
  return module;
#else
  return absl::UnimplementedError("loading ELF shared objects: Linux only");
#endif
}

}  // namespace maru::jit::objfile
