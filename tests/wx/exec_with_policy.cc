// Runs a program under an executable-memory policy, the way hardened platforms do:
//   exec_with_policy [--mdwe] [--seccomp-noexec | --seccomp-noexec-all] PROGRAM [ARGS...]
// --mdwe: prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN): no mapping may be writable and
//   executable, and no mapping may become executable (Linux >= 6.3; inherited across execve).
// --seccomp-noexec: a seccomp-bpf filter refusing (EACCES) PROT_EXEC in mprotect/pkey_mprotect,
//   and in mmap of anonymous or shared mappings: only private file mappings (what the dynamic
//   loader and dlopen make) can be executable — a hardened runtime without a JIT entitlement.
// --seccomp-noexec-all: once the program has started, no executable mapping at all (every
//   PROT_EXEC in mmap/mprotect/pkey_mprotect, shmat(SHM_EXEC), personality(READ_IMPLIES_EXEC)
//   refused with EACCES): the JIT has no code memory of any kind. The filter is installed by
//   libnoexec_after_start.so (beside this launcher), preloaded into the program with
//   LD_PRELOAD, after ld.so has mapped the program's libraries and before main(); see
//   noexec_after_start.cc for why it cannot be installed here before execve. For dynamically
//   linked programs only (a static one ignores LD_PRELOAD: refused here, status 2).
// Exits 77 (skip) when the kernel does not support a policy.
#include <elf.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "tests/wx/seccomp_filters.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

namespace {

constexpr char kPreloadLibrary[] = "libnoexec_after_start.so";

// The preload library beside this launcher: next to argv[0] (a Bazel runfiles tree), else next
// to the resolved executable. Empty if neither exists.
std::string FindPreloadLibrary(const char* argv0) {
  std::string candidates[2];
  const std::string invoked = argv0;
  const size_t slash = invoked.rfind('/');
  if (slash != std::string::npos) candidates[0] = invoked.substr(0, slash + 1) + kPreloadLibrary;
  char exe[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    const std::string resolved(exe, static_cast<size_t>(n));
    candidates[1] = resolved.substr(0, resolved.rfind('/') + 1) + kPreloadLibrary;
  }
  for (const std::string& path : candidates) {
    if (path.empty() || access(path.c_str(), R_OK) != 0) continue;
    char absolute[PATH_MAX];
    if (realpath(path.c_str(), absolute) != nullptr) return absolute;
  }
  return "";
}

// Whether `path` is run through a dynamic loader (an ELF file with PT_INTERP) or is a script
// (whose interpreter is): only then does LD_PRELOAD take effect.
bool IsDynamicallyLinked(const char* path) {
  FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  Elf64_Ehdr header;
  const size_t read = std::fread(&header, 1, sizeof header, f);
  bool dynamic = false;
  if (read >= 2 && header.e_ident[0] == '#' && header.e_ident[1] == '!') {
    dynamic = true;
  } else if (read == sizeof header && std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 &&
             header.e_ident[EI_CLASS] == ELFCLASS64) {
    for (int k = 0; k < header.e_phnum && !dynamic; ++k) {
      Elf64_Phdr phdr;
      if (std::fseek(f, static_cast<long>(header.e_phoff + k * sizeof phdr), SEEK_SET) != 0 ||
          std::fread(&phdr, sizeof phdr, 1, f) != 1) {
        break;
      }
      dynamic = phdr.p_type == PT_INTERP;
    }
  }
  std::fclose(f);
  return dynamic;
}

}  // namespace

int main(int argc, char** argv) {
  int i = 1;
  bool mdwe = false;
  bool noexec = false;
  bool noexec_all = false;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    if (std::strcmp(argv[i], "--mdwe") == 0) {
      mdwe = true;
    } else if (std::strcmp(argv[i], "--seccomp-noexec") == 0) {
      noexec = true;
    } else if (std::strcmp(argv[i], "--seccomp-noexec-all") == 0) {
      noexec_all = true;
    } else {
      std::fprintf(stderr, "exec_with_policy: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (i >= argc || (noexec && noexec_all)) {
    std::fprintf(stderr,
                 "usage: exec_with_policy [--mdwe] [--seccomp-noexec | --seccomp-noexec-all] "
                 "PROGRAM [ARGS...]\n");
    return 2;
  }
  if (noexec_all) {
    const std::string library = FindPreloadLibrary(argv[0]);
    if (library.empty()) {
      std::fprintf(stderr, "exec_with_policy: %s not found beside the launcher\n", kPreloadLibrary);
      return 2;
    }
    if (!IsDynamicallyLinked(argv[i])) {
      std::fprintf(stderr,
                   "exec_with_policy: --seccomp-noexec-all: %s is not a dynamically linked "
                   "program (LD_PRELOAD would be ignored)\n",
                   argv[i]);
      return 2;
    }
    std::string preload = library;
    if (const char* existing = std::getenv("LD_PRELOAD"); existing != nullptr && *existing) {
      preload += std::string(":") + existing;
    }
    setenv("LD_PRELOAD", preload.c_str(), 1);
    // Under AddressSanitizer (tools/test.sh --config=asan) the program's ASan runtime must come
    // first in the library list unless told otherwise; the preload library intercepts nothing.
    std::string asan = "verify_asan_link_order=0";
    if (const char* existing = std::getenv("ASAN_OPTIONS"); existing != nullptr && *existing) {
      asan = std::string(existing) + ":" + asan;
    }
    setenv("ASAN_OPTIONS", asan.c_str(), 1);
  }
  if (mdwe && prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0) {
    std::fprintf(stderr, "exec_with_policy: PR_SET_MDWE: %s\n", std::strerror(errno));
    return 77;
  }
  if (noexec && !maru::wx_test::InstallNoExecFilter()) {
    std::fprintf(stderr, "exec_with_policy: seccomp: %s\n", std::strerror(errno));
    return 77;
  }
  execv(argv[i], argv + i);
  std::fprintf(stderr, "exec_with_policy: %s: %s\n", argv[i], std::strerror(errno));
  return 127;
}
