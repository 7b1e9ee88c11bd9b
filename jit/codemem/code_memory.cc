#include "jit/codemem/code_memory.h"

#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "jit/objfile/fixups.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define MARU_HAVE_VALGRIND_H 1
#endif

namespace maru::jit {

void AnnounceNewCode(void* rx, size_t size) {
#ifdef MARU_HAVE_VALGRIND_H
  VALGRIND_DISCARD_TRANSLATIONS(rx, size);
#else
  (void)rx;
  (void)size;
#endif
}

bool CodeMemory::InstallBatch(const std::vector<Piece>& pieces, std::vector<CodeBlock>* out,
                              std::string* error, ModuleImage* /*written*/) {
  out->clear();
  for (const Piece& piece : pieces) {
    CodeBlock block;
    bool ok = piece.table.empty() && piece.fixups.empty()
                  ? Install(piece.name, piece.size, piece.write, &block, error)
                  : InstallWithTable(piece, &block, error);
    if (!ok) {
      for (const CodeBlock& installed : *out) Release(installed);
      out->clear();
      return false;
    }
    out->push_back(block);
  }
  return true;
}

// In memory, a function's data table follows its code in the same block (8-aligned): written with
// it before the block becomes executable and never changed afterwards (W^X holds), and reached
// PC-relatively, so the block may go anywhere.
bool CodeMemory::InstallWithTable(const Piece& piece, CodeBlock* out, std::string* error) {
  std::optional<objfile::Arch> arch = objfile::HostArch();
  if (!arch.has_value()) {
    *error = std::string(kind()) + ": no data tables on this machine";
    return false;
  }
  const size_t table_offset = (piece.size + 7) & ~size_t{7};
  const size_t total = table_offset + 8 * piece.table.size();
  std::string fixup_error;
  auto write = [&](uint8_t* rw, uint64_t rx) {
    if (!piece.write(rw, rx)) return false;
    std::memset(rw + piece.size, 0, table_offset - piece.size);
    for (const objfile::Fixup& fixup : piece.fixups) {
      if (fixup.target != objfile::FixupTarget::kDataTable || fixup.index >= piece.table.size()) {
        fixup_error = "a reference outside the function's table";
        return false;
      }
      absl::Status s = objfile::ApplyFixup(*arch, fixup, table_offset + 8 * uint64_t{fixup.index},
                                           0, std::span<uint8_t>(rw, piece.size));
      if (!s.ok()) {
        fixup_error = std::string(s.message());
        return false;
      }
    }
    std::memcpy(rw + table_offset, piece.table.data(), 8 * piece.table.size());
    return true;
  };
  if (!Install(piece.name, total, write, out, error)) {
    if (!fixup_error.empty()) *error = std::string(kind()) + ": " + fixup_error;
    return false;
  }
  return true;
}

bool CodeMemory::InstallImage(const ModuleImage& /*module*/, const std::vector<size_t>& /*sizes*/,
                              const std::vector<uint64_t>& /*table*/, std::vector<CodeBlock>* out,
                              std::string* error) {
  out->clear();
  *error = std::string(kind()) + ": module images cannot be installed here";
  return false;
}

}  // namespace maru::jit
