// A batch of compiled functions loaded into this process through the system's dynamic loader, in
// the host's shared-object format: the one interface of the dlopen kind of code memory, whatever
// the platform.
//
//   Linux and other ELF systems   an ELF shared object (elf_writer.h) loaded from a memfd, or from
//                                 a private cache file (shared_object_loader.h)
//   macOS                         an ad-hoc signed MH_DYLIB (macho_writer.h) written to a fresh
//                                 file in $TMPDIR/maru-jit-<uid> (/tmp when TMPDIR is not an
//                                 absolute path; the directory is created 0700 and refused when
//                                 another user owns it or can access it), loaded with
//                                 dlopen(RTLD_NOW | RTLD_LOCAL). The file is removed when the
//                                 module is closed, not before: dyld, like glibc, answers a dlopen
//                                 of a path it has loaded with that image, and only the file's
//                                 existence keeps mkstemps from choosing its name again. A
//                                 hardened process needs the disable-library-validation
//                                 entitlement for this (platform notes §3.2); dlopen's refusal
//                                 is an error, not a crash.
//
// Threads: loading, and the methods of different modules, may run on any threads at once; a
// module's methods are const and may be called concurrently.
#ifndef MARU_JIT_OBJFILE_NATIVE_MODULE_H_
#define MARU_JIT_OBJFILE_NATIVE_MODULE_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "jit/objfile/module_spec.h"

namespace maru::jit::objfile {

class NativeModule {
 public:
  NativeModule(const NativeModule&) = delete;
  NativeModule& operator=(const NativeModule&) = delete;
  // dlclose (and, on macOS, removes the file). No code of the module may be running, and no
  // pointer into it or return address in it may be used afterwards.
  ~NativeModule();

  // Run-time address of a module-relative offset (ModuleLayout and FunctionLayout offsets).
  void* Address(uint64_t offset) const { return reinterpret_cast<void*>(base_ + offset); }

  // Where everything is, module-relative; as the writer of the host's format reported it.
  const ModuleLayout& layout() const { return layout_; }

  // The data table's first word, writable; nullptr when the module has no table.
  uint64_t* data_table() const {
    return layout_.data_table_words == 0
               ? nullptr
               : static_cast<uint64_t*>(Address(layout_.data_table_offset));
  }

 private:
  struct Loaded;  // the platform's handle

  NativeModule(std::unique_ptr<Loaded> loaded, uintptr_t base, ModuleLayout layout);

  friend absl::StatusOr<std::unique_ptr<NativeModule>> LoadNativeModule(const ModuleSpec&,
                                                                        std::string_view);
  friend absl::StatusOr<std::unique_ptr<NativeModule>> LoadNativeImage(std::string_view,
                                                                       const ModuleLayout&,
                                                                       std::string_view);

  std::unique_ptr<Loaded> loaded_;
  uintptr_t base_ = 0;
  ModuleLayout layout_;
};

// Writes `spec` in the host's format and loads it. `hint` names the module in error messages
// (and on Linux the memfd or file), sanitised to [A-Za-z0-9._-], at most 48 bytes. spec.arch
// must be the host's, and the module must export something (a function or the table).
// Errors: InvalidArgument (bad spec), FailedPrecondition (dlopen refused the module: its
// message), Unavailable (no file or directory to load it from: the errno's text), Unimplemented
// (a host architecture the writers do not support), Internal (the loaded symbols are not where
// the layout says).
absl::StatusOr<std::unique_ptr<NativeModule>> LoadNativeModule(const ModuleSpec& spec,
                                                               std::string_view hint);

// Loads an image written earlier for this host's architecture (an on-disk module cache) and
// described by the `layout` its writer returned: an ELF image from WriteElfSharedObject. The
// image is validated before dlopen, and every symbol of `layout` must be where it says
// (InvalidArgument otherwise); other errors as LoadNativeModule. On macOS: Unimplemented, since
// no validator of Mach-O images protects dlopen from a damaged one there (the cache stores ELF
// images, which only the ELF branch loads).
absl::StatusOr<std::unique_ptr<NativeModule>> LoadNativeImage(std::string_view image,
                                                              const ModuleLayout& layout,
                                                              std::string_view hint);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_NATIVE_MODULE_H_
