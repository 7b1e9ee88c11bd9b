// The loader under restricted environments, each set up in a forked child (the policies are
// irreversible): seccomp filters that take memfd_create or MFD_NOEXEC_SEAL away, MDWE plus a
// filter refusing every executable anonymous/shared mapping and every mprotect to executable
// (the "no in-memory JIT" platform of jit-platform-notes §2.2), and a /proc hidden by a mount.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "jit/objfile/elf_writer.h"
#include "jit/objfile/shared_object_loader.h"
#include "tests/objfile/sample_modules.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

namespace maru::objfile_test {
namespace {

using objfile::LoadedModule;
using objfile::LoadMethod;
using objfile::LoadOptions;

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#endif

constexpr uint32_t kArgLow(int n) {  // offset of the low 32 bits of syscall argument n
  return offsetof(struct seccomp_data, args) + 8 * n;
}

// Filter pieces. Each "rule" is: if nr == syscall and (arg & mask) != 0 -> errno.
struct Rule {
  int nr;
  int arg = -1;  // -1: match on the number alone
  uint32_t mask = 0;
  int second_arg = -1;  // optional second condition (both must hold)
  uint32_t second_mask = 0;
  int error = EACCES;
  bool second_equals = false;  // second condition: arg == second_mask instead of arg & mask
};

// Installs the rules (no_new_privs first, as an unprivileged filter requires). Foreign-arch
// syscalls are allowed (test-only filter).
bool InstallFilter(const std::vector<Rule>& rules) {
  std::vector<sock_filter> f;
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  for (const Rule& r : rules) {
    // Block: load nr; if != r.nr skip the rest of the block; [load arg; jset mask else skip];
    // [load arg2; jset mask2 else skip]; return errno.
    const int checks = (r.arg >= 0) + (r.second_arg >= 0);
    const uint8_t block = static_cast<uint8_t>(2 * checks + 1);  // instructions after the jeq
    f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(r.nr), 0, block));
    int remaining = 2 * checks + 1;
    for (auto [arg, mask, equals] : {std::tuple{r.arg, r.mask, false},
                                     std::tuple{r.second_arg, r.second_mask, r.second_equals}}) {
      if (arg < 0) continue;
      f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArgLow(arg)));
      remaining -= 2;
      f.push_back(BPF_JUMP(BPF_JMP | (equals ? BPF_JEQ : BPF_JSET) | BPF_K, mask, 0,
                           static_cast<uint8_t>(remaining)));
    }
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (r.error & SECCOMP_RET_DATA)));
  }
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  sock_fprog prog{static_cast<unsigned short>(f.size()), f.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

std::string TestTmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

// In the child: loads the sample with `options`, calls "answer", prints the method and its
// detail to stderr, exits 0 when the answer is right and the method is `expected`.
int64_t Helper(int64_t x) { return 3 * x + 1; }

// Loads the sample, fills its table and runs its functions; prints the method and detail to
// stderr. True when every function gave the right answer.
bool LoadAndRun(const LoadOptions& options, LoadMethod expected, LoadedModule* out = nullptr) {
  absl::StatusOr<objfile::WrittenModule> w = objfile::WriteElfSharedObject(SampleX86Module());
  absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(w->image, "policy", options);
  if (!m.ok()) {
    std::fprintf(stderr, "load failed: %s\n", m.status().ToString().c_str());
    return false;
  }
  auto fn = [&](int i) { return m->Address(w->layout.functions[i].offset); };
  auto* table = static_cast<uint64_t*>(m->Address(w->layout.data_table_offset));
  table[kSlotValue] = 77;
  table[kSlotHelper] = reinterpret_cast<uint64_t>(&Helper);
  const int answer = reinterpret_cast<int (*)()>(fn(kAnswer))();
  const bool ok = answer == 42 && reinterpret_cast<uint64_t (*)()>(fn(kTableRef))() == 77 &&
                  reinterpret_cast<int64_t (*)(int64_t)>(fn(kCallHelper))(5) == 16 &&
                  reinterpret_cast<int (*)()>(fn(kAnswerPlusOne))() == 43;
  std::fprintf(stderr, "method=%s answer=%d all=%d detail=%s\n",
               std::string(objfile::LoadMethodName(m->method())).c_str(), answer, ok,
               m->method_detail().c_str());
  const bool right_method = m->method() == expected;
  if (out != nullptr) *out = *std::move(m);
  return ok && right_method;
}

[[noreturn]] void LoadAndReport(const LoadOptions& options, LoadMethod expected) {
  _exit(LoadAndRun(options, expected) ? 0 : 2);
}

LoadOptions AutoWithCacheIn(const std::string& sub) {
  LoadOptions o;
  o.cache_directory = TestTmpDir() + "/" + sub;
  return o;
}

[[noreturn]] void NoMemfdChild() {
  if (!InstallFilter({{SYS_memfd_create, -1, 0, -1, 0, ENOSYS}})) _exit(3);
  LoadAndReport(AutoWithCacheIn("nomemfd"), LoadMethod::kCacheFile);
  _exit(99);
}

[[noreturn]] void NoSealChild() {
  // Kernels < 6.3 answer EINVAL to the unknown MFD_NOEXEC_SEAL flag.
  if (!InstallFilter({{SYS_memfd_create, 1, 0x0008U, -1, 0, EINVAL}})) _exit(3);
  LoadAndReport(AutoWithCacheIn("noseal"), LoadMethod::kMemfd);
  _exit(99);
}

[[noreturn]] void HardenedChild() {
  const bool mdwe = prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) == 0;
  const std::vector<Rule> rules = {
      {SYS_mprotect, 2, PROT_EXEC},
      {SYS_pkey_mprotect, 2, PROT_EXEC},
      {SYS_mmap, 2, PROT_EXEC, 3, MAP_ANONYMOUS | MAP_SHARED},
  };
  if (!InstallFilter(rules)) _exit(3);
  // The policy is in force: no executable anonymous memory, no mprotect to X.
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p != MAP_FAILED) _exit(4);
  void* q = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (q == MAP_FAILED || mprotect(q, 4096, PROT_READ | PROT_EXEC) == 0) _exit(5);
  std::fprintf(stderr, "mdwe=%d\n", mdwe);
  LoadAndReport(AutoWithCacheIn("hardened"), LoadMethod::kMemfd);
  _exit(99);
}

[[noreturn]] void NoProcChild() {
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
    std::fprintf(stderr, "cannot create a user+mount namespace: errno %d\n", errno);
    _exit(77);
  }
  auto write_file = [](const char* path, const std::string& text) {
    const int fd = open(path, O_WRONLY);
    const bool ok = fd >= 0 && write(fd, text.data(), text.size()) == (ssize_t)text.size();
    if (fd >= 0) close(fd);
    return ok;
  };
  write_file("/proc/self/setgroups", "deny");
  if (!write_file("/proc/self/uid_map", absl::StrCat(uid, " ", uid, " 1")) ||
      !write_file("/proc/self/gid_map", absl::StrCat(gid, " ", gid, " 1")) ||
      mount("none", "/proc", "tmpfs", 0, nullptr) != 0) {
    std::fprintf(stderr, "cannot mount over /proc: errno %d\n", errno);
    _exit(77);
  }
  if (access("/proc/self", F_OK) == 0) _exit(6);
  LoadAndReport(AutoWithCacheIn("noproc"), LoadMethod::kCacheFile);
  _exit(99);
}

struct ChildResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string stderr_text;
};

// Runs `child` (which must _exit) in a forked process with stderr captured.
ChildResult RunInChild(void (*child)()) {
  ChildResult r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    child();
    _exit(99);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) r.stderr_text.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

// memfd dlopen refused (an executable mapping of the fd dlopen opens for /proc/self/fd/N is
// refused; BPF tells fds apart only by number: memfd = L, dlopen's fd = L + 1, where L is the
// lowest free fd, while the file path's dlopen fd is L again). The loader must fall back to the
// file, and skip memfd from then on.
[[noreturn]] void MemfdDlopenRefusedChild() {
  const int lowest = dup(0);
  close(lowest);
  Rule rule{SYS_mmap, 2, PROT_EXEC, 4, static_cast<uint32_t>(lowest + 1), EACCES, true};
  if (!InstallFilter({rule})) _exit(3);
  LoadedModule first;
  if (!LoadAndRun(AutoWithCacheIn("memfdrefused"), LoadMethod::kCacheFile, &first)) _exit(1);
  if (!LoadAndRun(AutoWithCacheIn("memfdrefused"), LoadMethod::kCacheFile)) _exit(2);
  _exit(0);
}

class HardenedPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (objfile::HostArch() != objfile::Arch::kX86_64) GTEST_SKIP() << "x86-64 sample code";
  }
};

TEST_F(HardenedPolicyTest, NoMemfdFallsBackToCacheFile) {
  const ChildResult r = RunInChild(NoMemfdChild);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(std::regex_search(
      r.stderr_text,
      std::regex("method=cache-file answer=42 all=1 detail=file .*nomemfd/policy-.*\\.so "
                 "\\(unlinked after dlopen\\); memfd not used: UNAVAILABLE: "
                 "memfd_create: ENOSYS")))
      << r.stderr_text;
}

TEST_F(HardenedPolicyTest, NoexecSealRefusedRetriesWithoutIt) {
  const ChildResult r = RunInChild(NoSealChild);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(absl::StrContains(r.stderr_text,
                                "method=memfd answer=42 all=1 detail=memfd_create(MFD_CLOEXEC); "
                                "MFD_NOEXEC_SEAL refused with EINVAL"))
      << r.stderr_text;
}

// The platform this tier exists for: no W+X, no mprotect to X, no executable anonymous or
// shared mappings. In-memory JIT is impossible; the written module loads and runs.
TEST_F(HardenedPolicyTest, RunsWhereInMemoryJitIsRefused) {
  const ChildResult r = RunInChild(HardenedChild);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(absl::StrContains(r.stderr_text, "method=memfd answer=42 all=1")) << r.stderr_text;
  std::printf("  %s", r.stderr_text.c_str());
}

TEST_F(HardenedPolicyTest, MemfdDlopenRefusedFallsBackAndIsRemembered) {
  const ChildResult r = RunInChild(MemfdDlopenRefusedChild);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(std::regex_search(
      r.stderr_text,
      std::regex("method=cache-file answer=42 all=1 detail=file .*; memfd not used: "
                 "FAILED_PRECONDITION: dlopen\\(/proc/self/fd/[0-9]+\\): .*failed to map segment")))
      << r.stderr_text;
  EXPECT_TRUE(
      absl::StrContains(r.stderr_text, "memfd not used: skipped, failed earlier in this process"))
      << r.stderr_text;
}

// No /proc (a tmpfs mounted over it in a private user+mount namespace): /proc/self/fd/N does
// not exist, so the loader falls back to the cache file.
TEST_F(HardenedPolicyTest, NoProcFallsBackToCacheFile) {
  const ChildResult r = RunInChild(NoProcChild);
  if (r.exit_code == 77) GTEST_SKIP() << r.stderr_text;
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(std::regex_search(
      r.stderr_text, std::regex("method=cache-file answer=42 all=1 detail=.*memfd not used: "
                                "UNAVAILABLE: /proc/self/fd/[0-9]+ not accessible")))
      << r.stderr_text;
}

}  // namespace
}  // namespace maru::objfile_test
