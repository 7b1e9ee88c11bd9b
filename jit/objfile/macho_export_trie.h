// The export trie of a Mach-O image (LC_DYLD_INFO_ONLY export_off/export_size): how dyld finds
// the symbols a dylib exports (dlsym, two-level binding) without scanning the symbol table.
//
// Format (dyld's ExportTrie / Apple's <mach-o/loader.h> notes): a prefix tree serialised as
// nodes; each node is
//   ULEB128 terminal_size, then terminal_size bytes of terminal information if the path from
//   the root to this node spells an exported name (ULEB128 flags, ULEB128 address relative to
//   the Mach-O header for EXPORT_SYMBOL_FLAGS_KIND_REGULAR),
//   uint8 child_count, then per child: the edge label as a NUL-terminated string and the
//   child node's ULEB128 offset from the start of the trie.
// Node offsets depend on the sizes of the ULEB128s that encode them, so the layout is iterated
// to a fixed point (sizes only grow, so it converges).
#ifndef MARU_JIT_OBJFILE_MACHO_EXPORT_TRIE_H_
#define MARU_JIT_OBJFILE_MACHO_EXPORT_TRIE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace maru::jit::objfile {

struct ExportTrieEntry {
  std::string name;    // as stored in the image (C symbols carry a leading '_')
  uint64_t address;    // relative to the Mach-O header
  uint64_t flags = 0;  // EXPORT_SYMBOL_FLAGS_*; 0 = regular
};

// The serialised trie, padded with zeros to a multiple of 8 bytes (the next linkedit blob is
// pointer-aligned). InvalidArgument for an empty or NUL-containing name, a duplicate, or a
// node with more than 255 children (the count is one byte).
absl::StatusOr<std::string> BuildExportTrie(const std::vector<ExportTrieEntry>& entries);

// ULEB128 of `value` appended to `out` (also used for the trie's terminal information).
void AppendUleb128(uint64_t value, std::string& out);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_MACHO_EXPORT_TRIE_H_
