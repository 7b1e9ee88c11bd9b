// Saving a module as a signed dylib at a path no file has had before. macOS caches the result
// of a code-signature check per file when it is mapped; rewriting a path that was loaded (or
// reusing one) can make the kernel judge the new bytes against the old signature and kill the
// process on first execution (platform notes §3.2: "write each dylib to a fresh path; never
// rewrite in place"). The install name and the signature identifier name the file, so the path
// must be chosen before the image is built: this reserves it (O_CREAT|O_EXCL through
// mkstemps), builds the image for it and writes it once.
#ifndef MARU_JIT_OBJFILE_MACHO_FRESH_FILE_H_
#define MARU_JIT_OBJFILE_MACHO_FRESH_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "jit/objfile/macho_writer.h"
#include "jit/objfile/module_spec.h"

namespace maru::jit::objfile {

struct SavedDylib {
  std::string path;  // absolute if `directory` was; = the image's install name
  WrittenDylib dylib;
};

// Creates `directory`/maru-jit-XXXXXX.dylib (a new file, mode 0600), writes the dylib built by
// WriteMachODylib(spec, options with install_name = that path and the identifier its file
// name) into it and closes it. The options' install_name and identifier are ignored. On any
// error the file is removed and the status says what failed (InvalidArgument for the spec,
// the errno's text for the file system).
absl::StatusOr<SavedDylib> WriteMachODylibToFreshFile(const ModuleSpec& spec,
                                                      std::string_view directory,
                                                      MachODylibOptions options = {});

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_MACHO_FRESH_FILE_H_
