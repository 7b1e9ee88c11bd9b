// Preload library of `exec_with_policy --seccomp-noexec-all`: installs InstallNoExecAllFilter()
// in the program itself, after the dynamic loader has mapped every library the program needs
// and before main() runs, so the program starts normally and then can create no executable
// mapping of any kind (no JIT memory, no dlopen of a new object, no mprotect to executable).
//
// Why this way: a filter installed by the launcher before execve would also refuse ld.so's own
// mmap(PROT_EXEC) of the program's shared libraries (seccomp sees flags, not paths, and a
// start-up mapping looks exactly like a later dlopen), so a dynamically linked program could
// not start. The kernel maps the program and ld.so without user-space mmap calls; ld.so maps
// LD_PRELOAD and DT_NEEDED objects (all of them: lazy binding maps nothing later) before it
// runs any initialiser, and this constructor is one of those initialisers. glibc runs the
// initialisers of shared objects before those of the executable, so the filter is in force
// before any of the program's own code runs, its static constructors included; it is
// irrevocable and inherited by children.
//
// If the filter cannot be installed the process exits with status 77 (the launcher's "policy not
// supported here" status) rather than run unfiltered.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tests/wx/seccomp_filters.h"

namespace {

__attribute__((constructor)) void InstallFilterAfterStart() {
  if (!maru::wx_test::InstallNoExecAllFilter()) {
    std::fprintf(stderr, "exec_with_policy: --seccomp-noexec-all: seccomp: %s\n",
                 std::strerror(errno));
    _exit(77);
  }
}

}  // namespace
