#include "tests/wx/seccomp_filters.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstddef>

namespace maru::wx_test {
namespace {

#if defined(__x86_64__)
constexpr unsigned int kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned int kAuditArch = AUDIT_ARCH_AARCH64;
#endif

constexpr unsigned int kDeny = SECCOMP_RET_ERRNO | EACCES;
// The low 32 bits of a syscall argument (little-endian hosts: x86-64 and AArch64).
constexpr unsigned int Arg(int n) { return offsetof(seccomp_data, args) + 8 * n; }

bool Install(const sock_filter* filter, size_t count) {
  sock_fprog program = {static_cast<unsigned short>(count), const_cast<sock_filter*>(filter)};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

}  // namespace

bool InstallNoExecFilter() {
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
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, Arg(2)),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kDeny),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      // mmap: deny PROT_EXEC with MAP_ANONYMOUS or MAP_SHARED (MAP_SHARED_VALIDATE included).
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, Arg(2)),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, Arg(3)),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS | MAP_SHARED, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kDeny),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  return Install(filter, sizeof filter / sizeof filter[0]);
}

bool InstallNoExecAllFilter() {
  // Instruction indices in the comments; jump offsets count from the next instruction.
  const sock_filter filter[] = {
      /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      /* 2 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      /* 3 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 5, 0),           // -> 10
      /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 4, 0),       // -> 10
      /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 3, 0),  // -> 10
      /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_shmat, 4, 0),          // -> 12
      /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_personality, 5, 0),    // -> 14
      /* 9 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      // mmap, mprotect, pkey_mprotect: prot is argument 2.
      /* 10 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, Arg(2)),
      /* 11 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 5, 6),  // -> 17 deny / 18 allow
                                                                       // shmat(id, addr, shmflg).
      /* 12 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, Arg(2)),
      /* 13 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SHM_EXEC, 3, 4),  // -> 17 / 18
      // personality(persona): 0xffffffff only queries.
      /* 14 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, Arg(0)),
      /* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 2, 0),         // -> 18
      /* 16 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, READ_IMPLIES_EXEC, 0, 1),  // -> 17 / 18
      /* 17 */ BPF_STMT(BPF_RET | BPF_K, kDeny),
      /* 18 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  return Install(filter, sizeof filter / sizeof filter[0]);
}

}  // namespace maru::wx_test
