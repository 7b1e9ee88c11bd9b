// Runs a program under an executable-memory policy, the way hardened platforms do:
//   exec_with_policy [--mdwe] [--seccomp-noexec] PROGRAM [ARGS...]
// --mdwe: prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN): no mapping may be writable and
//   executable, and no mapping may become executable (Linux >= 6.3; inherited across execve).
// --seccomp-noexec: a seccomp-bpf filter refusing (EACCES) PROT_EXEC in mprotect/pkey_mprotect,
//   and in mmap of anonymous or shared mappings: only private file mappings (what the dynamic
//   loader and dlopen make) can be executable — a hardened runtime without a JIT entitlement.
// Exits 77 (skip) when the kernel does not support a policy.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

namespace {

#if defined(__x86_64__)
constexpr unsigned int kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned int kAuditArch = AUDIT_ARCH_AARCH64;
#endif

bool InstallNoExecFilter() {
  constexpr unsigned int kDeny = SECCOMP_RET_ERRNO | EACCES;
  const sock_filter filter[] = {
      // Other architectures (never on these tests): allow.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 4, 3),  // other calls: allow (10)
      // mprotect, pkey_mprotect: deny PROT_EXEC.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[2])),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kDeny),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      // mmap: deny PROT_EXEC with MAP_ANONYMOUS or MAP_SHARED (MAP_SHARED_VALIDATE included).
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[2])),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[3])),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS | MAP_SHARED, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kDeny),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program = {static_cast<unsigned short>(sizeof filter / sizeof filter[0]),
                        const_cast<sock_filter*>(filter)};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int i = 1;
  bool mdwe = false;
  bool noexec = false;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    if (std::strcmp(argv[i], "--mdwe") == 0) {
      mdwe = true;
    } else if (std::strcmp(argv[i], "--seccomp-noexec") == 0) {
      noexec = true;
    } else {
      std::fprintf(stderr, "exec_with_policy: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (i >= argc) {
    std::fprintf(stderr, "usage: exec_with_policy [--mdwe] [--seccomp-noexec] PROGRAM [ARGS...]\n");
    return 2;
  }
  if (mdwe && prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0) {
    std::fprintf(stderr, "exec_with_policy: PR_SET_MDWE: %s\n", std::strerror(errno));
    return 77;
  }
  if (noexec && !InstallNoExecFilter()) {
    std::fprintf(stderr, "exec_with_policy: seccomp: %s\n", std::strerror(errno));
    return 77;
  }
  execv(argv[i], argv + i);
  std::fprintf(stderr, "exec_with_policy: %s: %s\n", argv[i], std::strerror(errno));
  return 127;
}
