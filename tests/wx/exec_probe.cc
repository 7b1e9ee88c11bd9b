// Tries each way a process can get executable memory and prints one line per attempt,
//   <name>: ok | <errno name>
// then "seccomp: <mode>" from /proc/self/status. Run under exec_with_policy to show what a
// policy refuses (noexec_all_conformance_test.sh compares the lines with what each policy
// must refuse; without a policy every attempt must succeed, so the check can fail).
//   exec_probe SHARED_LIBRARY   (a library this program has not loaded, for the dlopen case)
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace {

constexpr size_t kSize = 4096;

void Report(const char* name, bool ok, int error) {
  if (ok) {
    std::printf("%s: ok\n", name);
  } else {
    std::printf("%s: %s\n", name, error == EACCES ? "EACCES" : std::strerror(error));
  }
}

void TryMmap(const char* name, int prot, int flags, int fd) {
  void* p = mmap(nullptr, kSize, prot, flags, fd, 0);
  Report(name, p != MAP_FAILED, errno);
  if (p != MAP_FAILED) munmap(p, kSize);
}

// Maps RW, then asks for `prot` through mprotect or pkey_mprotect (pkey -1: no key).
void TryProtect(const char* name, int prot, bool pkey) {
  void* p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    Report(name, false, errno);
    return;
  }
  const long r = pkey ? syscall(SYS_pkey_mprotect, p, kSize, prot, -1) : mprotect(p, kSize, prot);
  Report(name, r == 0, errno);
  munmap(p, kSize);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: exec_probe SHARED_LIBRARY\n");
    return 2;
  }
  // Controls: non-executable requests every policy allows.
  TryMmap("anonymous-rw", PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  TryProtect("mprotect-read-only", PROT_READ, false);

  TryMmap("anonymous-rx", PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  TryProtect("mprotect-rx", PROT_READ | PROT_EXEC, false);
  TryProtect("pkey-mprotect-rx", PROT_READ | PROT_EXEC, true);

  const int memfd = static_cast<int>(syscall(SYS_memfd_create, "exec-probe", 0));
  if (memfd >= 0 && ftruncate(memfd, kSize) == 0) {
    TryMmap("shared-memfd-rx", PROT_READ | PROT_EXEC, MAP_SHARED, memfd);
    TryMmap("private-memfd-rx", PROT_READ | PROT_EXEC, MAP_PRIVATE, memfd);
  } else {
    Report("shared-memfd-rx", false, errno);
    Report("private-memfd-rx", false, errno);
  }
  if (memfd >= 0) close(memfd);

  const int self = open("/proc/self/exe", O_RDONLY);
  TryMmap("private-file-rx", PROT_READ | PROT_EXEC, MAP_PRIVATE, self);
  if (self >= 0) close(self);

  void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  std::printf("dlopen: %s\n", handle != nullptr ? "ok" : "refused");
  if (handle != nullptr) dlclose(handle);

  const int shm = shmget(IPC_PRIVATE, kSize, IPC_CREAT | 0600);
  if (shm >= 0) {
    void* p = shmat(shm, nullptr, SHM_EXEC);
    Report("shmat-exec", p != reinterpret_cast<void*>(-1), errno);
    if (p != reinterpret_cast<void*>(-1)) shmdt(p);
    shmctl(shm, IPC_RMID, nullptr);
  } else {
    Report("shmat-exec", false, errno);
  }

  const int old = personality(0xffffffff);
  const int set = personality(static_cast<unsigned long>(old) | READ_IMPLIES_EXEC);
  Report("personality-read-implies-exec", set != -1, errno);
  if (set != -1) personality(static_cast<unsigned long>(old));

  std::ifstream status("/proc/self/status");
  std::string line, mode = "?";
  while (std::getline(status, line)) {
    if (line.rfind("Seccomp:", 0) == 0) mode = line.substr(line.find_first_not_of(" \t", 8));
  }
  std::printf("seccomp: %s\n", mode.c_str());
  return 0;
}
