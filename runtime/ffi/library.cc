#include "runtime/ffi/library.h"

namespace maru {

std::optional<std::string_view> EmbeddedLibrarySource(std::string_view name) {
  for (const EmbeddedLibraryFile& file : EmbeddedLibraryFiles()) {
    if (file.name == name) return file.text;
  }
  return std::nullopt;
}

}  // namespace maru
