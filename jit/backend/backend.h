// Code generation from IR to machine code for the host ISA, behind one interface.
#ifndef MARU_JIT_BACKEND_BACKEND_H_
#define MARU_JIT_BACKEND_BACKEND_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jit/backend/data_table.h"
#include "jit/codemem/code_memory.h"
#include "jit/ffi/foreign_stubs.h"
#include "jit/ir/ir.h"
#include "jit/objfile/module_spec.h"

namespace maru::jit {

struct BackendOptions {
  // When non-null, the generated assembly is appended here (--dump-asm).
  std::string* assembly = nullptr;
  // When non-null, calls to foreign Subrs go through their signature's stub (jit/ffi).
  ffi::ForeignStubs* foreign_stubs = nullptr;
  // Reach every word that only means something in this process through a data table
  // (jit/backend/data_table.h): the code is then the same for every function of the same
  // canonical IR and in every process (code caches), and CodeMemory::InstallBatch places the
  // table (GeneratedCode::table, fixups).
  bool words_in_table = false;
};

// A function's machine code, generated and not yet installed.
struct GeneratedCode {
  size_t size = 0;
  size_t direct_entry = 0;  // offset of the direct entry (jit/backend/direct_entry.h); 0: none
  // Copies the code into a writable view of `size` bytes that will run at `rx` (0 when the
  // address is not known yet: the code is position independent). CodeMemory::Install's writer.
  std::function<bool(uint8_t* rw, uint64_t rx)> write;
  // With BackendOptions::words_in_table: the table's words (values in this process) and the
  // code's references to them (FixupTarget::kDataTable, indices into `table`).
  std::vector<uint64_t> table;
  std::vector<objfile::Fixup> fixups;
  // Otherwise: the words the code holds as immediates and where (a copy rewritten with
  // Backend::PatchWords serves another function of the same IR), unless !patchable.
  std::vector<uint64_t> immediates;
  std::vector<ImmediatePatch> patches;
  bool patchable = true;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Generates code for `f` (entry ABI: runtime/tier_up.h CompiledEntry). Returns false and sets
  // *error when it cannot.
  virtual bool Generate(const ir::Function& f, const BackendOptions& options, GeneratedCode* out,
                        std::string* error) = 0;
  // Rewrites the immediates of code generated without a table (GeneratedCode::patches) with
  // `words`; false when a patch does not hold what this backend emits there.
  virtual bool PatchWords(uint8_t* code, size_t size, const std::vector<ImmediatePatch>& patches,
                          const std::vector<uint64_t>& words) const = 0;
  // Installs in `memory` the out-of-line helpers that code generated without words_in_table may
  // call instead of carrying its own copy of them (one per process rather than one per
  // function: shorter code, faster compiles). Call once, before the first Generate; `memory`
  // must outlive the backend, which releases them. False with *error when they cannot be
  // installed: code then carries its own copies. A backend without helpers does nothing.
  virtual bool InstallHelpers(CodeMemory& /*memory*/, std::string* /*error*/) { return true; }
  // Generates code for `f` and installs it in `memory` (out->direct_entry included).
  bool Compile(const ir::Function& f, CodeMemory& memory, const BackendOptions& options,
               CodeBlock* out, std::string* error);
};

// The backend for the machine this process runs on, or nullptr when there is none.
std::unique_ptr<Backend> NewHostBackend();

// The backends by ISA. Code generation works on any host (tests inspect the code of the other
// ISA); running the code needs that ISA.
std::unique_ptr<Backend> NewX64Backend();
std::unique_ptr<Backend> NewA64Backend();

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_BACKEND_H_
