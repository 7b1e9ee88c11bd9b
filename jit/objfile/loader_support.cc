#include "jit/objfile/loader_support.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace maru::jit::objfile {
namespace {

constexpr size_t kMaxModuleNameLength = 48;

}  // namespace

std::string ErrnoText(int error) {
  char buf[256];
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  const char* text = strerror_r(error, buf, sizeof buf);  // GNU variant
#else
  const char* text = strerror_r(error, buf, sizeof buf) == 0 ? buf : "unknown error";
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* name = strerrorname_np(error)) return absl::StrCat(name, " (", text, ")");
#endif
  return absl::StrCat("errno ", error, " (", text, ")");
}

std::string DlerrorText() {
  const char* e = dlerror();
  return e != nullptr ? std::string(e) : std::string("unknown dlopen error");
}

std::string SanitizeModuleName(std::string_view hint) {
  std::string out;
  for (char c : hint.substr(0, kMaxModuleNameLength)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "module" : out;
}

absl::Status EnsurePrivateDirectory(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::UnavailableError(absl::StrCat("mkdir ", prefix, ": ", ErrnoText(errno)));
    }
    if (slash == std::string::npos) break;
  }
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    return absl::UnavailableError(absl::StrCat("lstat ", dir, ": ", ErrnoText(errno)));
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
    return absl::UnavailableError(
        absl::StrCat("refusing cache directory ", dir, ": not a directory owned by uid ", geteuid(),
                     " with mode 0700 (mode ", absl::Hex(st.st_mode & 07777), ")"));
  }
  return absl::OkStatus();
}

}  // namespace maru::jit::objfile
