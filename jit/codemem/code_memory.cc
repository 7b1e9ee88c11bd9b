#include "jit/codemem/code_memory.h"

namespace maru::jit {

bool CodeMemory::InstallBatch(const std::vector<Piece>& pieces, std::vector<CodeBlock>* out,
                              std::string* error) {
  out->clear();
  for (const Piece& piece : pieces) {
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

}  // namespace maru::jit
