#include "jit/backend/backend.h"

#include <vector>

namespace maru::jit {

bool Backend::Compile(const ir::Function& f, CodeMemory& memory, const BackendOptions& options,
                      CodeBlock* out, std::string* error) {
  GeneratedCode code;
  if (!Generate(f, options, &code, error)) return false;
  if (code.table.empty() && code.fixups.empty()) {
    if (!memory.Install(f.name, code.size, code.write, out, error)) return false;
  } else {
    std::vector<CodeBlock> blocks;
    if (!memory.InstallBatch({{f.name, code.size, code.write, code.table, code.fixups}}, &blocks,
                             error)) {
      return false;
    }
    *out = blocks[0];
  }
  out->direct_entry = code.direct_entry;
  return true;
}

}  // namespace maru::jit
