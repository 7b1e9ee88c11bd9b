// Helpers shared by the module loaders (shared_object_loader.cc, native_module.cc); not an API
// of their own. POSIX only: they build on Linux and macOS alike.
#ifndef MARU_JIT_OBJFILE_LOADER_SUPPORT_H_
#define MARU_JIT_OBJFILE_LOADER_SUPPORT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace maru::jit::objfile {

// "ENOENT (No such file or directory)" where the C library names errnos, else
// "errno 2 (No such file or directory)".
std::string ErrnoText(int error);

// dlerror()'s text, or "unknown dlopen error" when it has none. Per thread, and consumed.
std::string DlerrorText();

// `hint` as a file-name part: [A-Za-z0-9._-] kept, anything else '_', at most 48 bytes,
// "module" when empty.
std::string SanitizeModuleName(std::string_view hint);

// mkdir -p `dir` with mode 0700 for what it creates, then requires `dir` itself (not a symlink)
// to be a directory owned by the effective uid with no group or other access: other users
// must not be able to plant or swap the code this process is about to load. Unavailable
// otherwise ("refusing cache directory ..." when it exists but is not private).
absl::Status EnsurePrivateDirectory(const std::string& dir);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_LOADER_SUPPORT_H_
