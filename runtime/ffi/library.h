// Maru library files shipped inside the binary (runtime/lib/*.k, embedded at build time by
// runtime/lib/embed.sh), so that `(require "dlopen.k")` works from any directory: the prelude's
// `find-and-read` falls back to them when a file is not found on disk (spec §13.3).
#ifndef MARU_RUNTIME_FFI_LIBRARY_H_
#define MARU_RUNTIME_FFI_LIBRARY_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace maru {

struct EmbeddedLibraryFile {
  std::string_view name;  // the file name, e.g. "dlopen.k"
  std::string_view text;  // its UTF-8 text
};

// Every embedded library file (defined in the generated library_sources.cc).
std::span<const EmbeddedLibraryFile> EmbeddedLibraryFiles();

// The text of the embedded library file called `name` (an exact file name, no directory), or
// nullopt.
std::optional<std::string_view> EmbeddedLibrarySource(std::string_view name);

}  // namespace maru

#endif  // MARU_RUNTIME_FFI_LIBRARY_H_
