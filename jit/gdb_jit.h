// The GDB JIT interface: every compiled function is announced to debuggers through
// __jit_debug_descriptor / __jit_debug_register_code with a small in-memory ELF object naming it,
// so that `bt` in gdb shows Maru function names in JIT frames (which keep the standard rbp chain).
#ifndef MARU_JIT_GDB_JIT_H_
#define MARU_JIT_GDB_JIT_H_

#include <cstddef>
#include <string>

namespace maru::jit {

// Announces code at [start, start + size) named `name`; returns a handle for Unregister.
void* RegisterWithDebugger(const void* start, size_t size, const std::string& name);
// Withdraws an announcement (before the code is freed).
void UnregisterFromDebugger(void* handle);

}  // namespace maru::jit

#endif  // MARU_JIT_GDB_JIT_H_
