#include "jit/backend/backend.h"

namespace maru::jit {

bool Backend::Compile(const ir::Function& f, CodeMemory& memory, const BackendOptions& options,
                      CodeBlock* out, std::string* error) {
  GeneratedCode code;
  if (!Generate(f, options, &code, error)) return false;
  if (!memory.Install(f.name, code.size, code.write, out, error)) return false;
  out->direct_entry = code.direct_entry;
  return true;
}

}  // namespace maru::jit
