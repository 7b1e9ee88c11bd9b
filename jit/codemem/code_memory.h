// Executable memory for compiled code, behind one interface. Every implementation keeps W^X:
// no page is ever writable and executable at once, and a page that may be executing is never
// made writable again.
#ifndef MARU_JIT_CODEMEM_CODE_MEMORY_H_
#define MARU_JIT_CODEMEM_CODE_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jit/objfile/module_spec.h"

namespace maru::jit {

// Installed code: `rx` is where it runs; `handle` identifies it to Release.
struct CodeBlock {
  void* rx = nullptr;
  size_t size = 0;
  void* handle = nullptr;
  // Set by the backend after installation: the offset of the function's direct entry
  // (jit/backend/direct_entry.h), 0 when it has none.
  size_t direct_entry = 0;
};

class CodeMemory {
 public:
  virtual ~CodeMemory() = default;
  // The kind's name as --stats shows it: "wx", "dual" or "mapjit".
  virtual const char* kind() const = 0;
  // Reserves `size` bytes, lets `write` fill them (it receives a writable view and the address
  // the code will run at, for relocation; kinds that learn the address only after loading pass
  // 0, and accept position-independent code only), then makes them executable. `name` names the
  // function (the dlopen kind exports a symbol for it). Returns false and sets *error when memory
  // cannot be had or the platform refuses.
  virtual bool Install(const std::string& name, size_t size,
                       const std::function<bool(uint8_t* rw, uint64_t rx)>& write, CodeBlock* out,
                       std::string* error) = 0;
  // One function's code for InstallBatch (as Install's arguments).
  struct Piece {
    std::string name;
    size_t size = 0;
    std::function<bool(uint8_t* rw, uint64_t rx)> write;
    // Code that reaches this process's words through a data table (BackendOptions::
    // words_in_table): the words and the code's references to them (FixupTarget::kDataTable,
    // indices into `table`). The dlopen kind puts the tables in the module's data segment;
    // in memory, each function's table follows its code in the same block.
    std::vector<uint64_t> table;
    std::vector<objfile::Fixup> fixups;
  };
  // A batch's module as the dlopen kind wrote it, for the on-disk module cache
  // (jit/module_cache.h): the image holds no word of this process (its table is left zero), so
  // InstallImage can load it again, in any process running the same build.
  struct ModuleImage {
    std::string image;
    objfile::ModuleLayout layout;
  };
  // Whether installations are module images (the dlopen kind): InstallBatch can hand them back
  // and InstallImage load them again.
  virtual bool writes_modules() const { return false; }
  // Installs the code of functions compiled together (a compile batch), all or none: `out` gets
  // one CodeBlock per piece, and each is released on its own. The dlopen kind puts a batch in one
  // shared object (one dlopen; the module is closed with its last function); by default each
  // piece is installed as Install does.
  // With `written` (kinds where writes_modules()), the module image is also handed back.
  virtual bool InstallBatch(const std::vector<Piece>& pieces, std::vector<CodeBlock>* out,
                            std::string* error, ModuleImage* written = nullptr);
  // Loads a module image that InstallBatch handed back (kinds where writes_modules(); others
  // refuse): `sizes` are its functions' code sizes, `table` the words of its data table in this
  // process (the pieces' tables one after the other).
  virtual bool InstallImage(const ModuleImage& module, const std::vector<size_t>& sizes,
                            const std::vector<uint64_t>& table, std::vector<CodeBlock>* out,
                            std::string* error);
  // Frees installed code that can no longer run.
  virtual void Release(const CodeBlock& block) = 0;
  // Bytes of code currently installed.
  virtual size_t bytes_in_use() const = 0;

 private:
  bool InstallWithTable(const Piece& piece, CodeBlock* out, std::string* error);
};

// Tells tools that translate machine code (valgrind) that [rx, rx+size) holds new code: a view
// written through another address, or memory reused after a release, would otherwise run their
// stale translation of the old code. A no-op unless built where <valgrind/valgrind.h> exists, and
// outside valgrind then a few instructions. Every in-memory kind calls it after writing.
void AnnounceNewCode(void* rx, size_t size);

// Linux and other POSIX systems: one memfd mapped twice (a writable view and an executable
// view at different addresses).
std::unique_ptr<CodeMemory> NewDualMappedCodeMemory(std::string* error);
// POSIX: fresh pages written while RW, then turned RX with mprotect (never writable again).
// Never on macOS: there mprotect to executable kills a hardened process.
std::unique_ptr<CodeMemory> NewWriteThenExecuteCodeMemory(std::string* error);
// Where in-memory code is refused: the code of each installation is written into an ELF shared
// object made in process (jit/objfile) and loaded with dlopen (memfd, or a private cache file).
std::unique_ptr<CodeMemory> NewDlopenCodeMemory(std::string* error);
#if defined(__APPLE__) && defined(__aarch64__)
// Apple silicon: MAP_JIT pages written inside a per-thread write window.
std::unique_ptr<CodeMemory> NewMapJitCodeMemory(std::string* error);
#endif

}  // namespace maru::jit

#endif  // MARU_JIT_CODEMEM_CODE_MEMORY_H_
