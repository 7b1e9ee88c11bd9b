// Runs a program under an executable-memory policy, the way hardened platforms do:
//   exec_with_policy --mdwe PROGRAM [ARGS...]
// --mdwe: prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN): no mapping may be writable and
// executable, and no mapping may become executable (Linux >= 6.3; inherited across execve).
// Exits 77 (skip) when the kernel does not support the policy.
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char** argv) {
  int i = 1;
  bool mdwe = false;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    if (std::strcmp(argv[i], "--mdwe") == 0) {
      mdwe = true;
    } else {
      std::fprintf(stderr, "exec_with_policy: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (i >= argc) {
    std::fprintf(stderr, "usage: exec_with_policy [--mdwe] PROGRAM [ARGS...]\n");
    return 2;
  }
  if (mdwe && prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0) {
    std::fprintf(stderr, "exec_with_policy: PR_SET_MDWE: %s\n", std::strerror(errno));
    return 77;
  }
  execv(argv[i], argv + i);
  std::fprintf(stderr, "exec_with_policy: %s: %s\n", argv[i], std::strerror(errno));
  return 127;
}
