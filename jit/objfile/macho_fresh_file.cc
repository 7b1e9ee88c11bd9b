#include "jit/objfile/macho_fresh_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace maru::jit::objfile {
namespace {

constexpr std::string_view kPrefix = "maru-jit-";
constexpr std::string_view kSuffix = ".dylib";

absl::Status ErrnoError(std::string_view what, const std::string& path, int error) {
  return absl::UnavailableError(
      absl::StrCat(std::string(what), " ", path, ": ", std::strerror(error)));
}

absl::Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("writing", path, n < 0 ? errno : EIO);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SavedDylib> WriteMachODylibToFreshFile(const ModuleSpec& spec,
                                                      std::string_view directory,
                                                      MachODylibOptions options) {
  if (directory.empty()) return absl::InvalidArgumentError("no directory for the dylib");
  std::string pattern(directory);
  if (pattern.back() != '/') pattern.push_back('/');
  pattern.append(kPrefix).append("XXXXXX").append(kSuffix);
  std::vector<char> path(pattern.begin(), pattern.end());
  path.push_back('\0');
  const int fd = mkstemps(path.data(), static_cast<int>(kSuffix.size()));
  if (fd < 0) return ErrnoError("creating a file like", pattern, errno);
  SavedDylib saved;
  saved.path = path.data();

  options.install_name = saved.path;
  options.identifier.clear();  // the file name
  absl::StatusOr<WrittenDylib> written = WriteMachODylib(spec, options);
  absl::Status status = written.ok() ? WriteAll(fd, written->image, saved.path) : written.status();
  if (close(fd) != 0 && status.ok()) status = ErrnoError("closing", saved.path, errno);
  if (!status.ok()) {
    unlink(saved.path.c_str());
    return status;
  }
  saved.dylib = *std::move(written);
  return saved;
}

}  // namespace maru::jit::objfile
