#include "jit/codemem/code_memory.h"

#include <string>

namespace maru::jit {

bool CodeMemory::InstallBatch(const std::vector<Piece>& pieces, std::vector<CodeBlock>* out,
                              std::string* error, ModuleImage* /*written*/) {
  out->clear();
  for (const Piece& piece : pieces) {
    if (!piece.fixups.empty()) {
      *error = std::string(kind()) + ": code with a data table cannot be installed here";
      for (const CodeBlock& installed : *out) Release(installed);
      out->clear();
      return false;
    }
    CodeBlock block;
    if (!Install(piece.name, piece.size, piece.write, &block, error)) {
      for (const CodeBlock& installed : *out) Release(installed);
      out->clear();
      return false;
    }
    out->push_back(block);
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
