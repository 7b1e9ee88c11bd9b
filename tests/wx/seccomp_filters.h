// seccomp-bpf filters that model platforms refusing executable memory (platform notes §2.2).
// Each one refuses with EACCES, the errno hardened kernels give; none of them is a security
// boundary (they check the requested protection bits only). Install them in a process that is
// about to exec the program under test, or in that program before its main (the preload
// library of --seccomp-noexec-all): a filter cannot be removed and is inherited by children.
#ifndef MARU_TESTS_WX_SECCOMP_FILTERS_H_
#define MARU_TESTS_WX_SECCOMP_FILTERS_H_

namespace maru::wx_test {

// "Hardened runtime without a JIT entitlement": PROT_EXEC is refused in mprotect and
// pkey_mprotect, and in mmap of anonymous or shared mappings. Only private file mappings (what
// ld.so and dlopen make, a memfd through /proc/self/fd included) can be executable.
// Sets PR_SET_NO_NEW_PRIVS. False (errno set) when the kernel refuses the filter.
bool InstallNoExecFilter();

// "No new executable memory at all": PROT_EXEC is refused in every mmap (file mappings too, so
// dlopen of anything not yet loaded fails), mprotect and pkey_mprotect; shmat with SHM_EXEC and
// personality(READ_IMPLIES_EXEC) (which would make later PROT_READ mappings executable) are
// refused as well. A program can only start under it if its libraries are already mapped:
// see noexec_after_start.cc. Sets PR_SET_NO_NEW_PRIVS. False (errno set) on refusal.
bool InstallNoExecAllFilter();

}  // namespace maru::wx_test

#endif  // MARU_TESTS_WX_SECCOMP_FILTERS_H_
