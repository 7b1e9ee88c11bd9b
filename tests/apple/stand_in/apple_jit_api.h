// Stand-in declarations of the Apple APIs that jit/codemem/map_jit_memory.cc uses, for a
// compile-only check of that file on Linux (map_jit_syntax_test.sh). Force-included before the
// file (-include), after the Linux headers that the Apple ones extend. Nothing is defined: the
// check never links or runs. The signatures are those of the macOS 11+ SDK:
//   <pthread.h>:   void pthread_jit_write_protect_np(int enabled);
//   <sys/mman.h>:  #define MAP_JIT 0x0800
// (<libkern/OSCacheControl.h> is the stand-in beside this file.)
#ifndef MARU_TESTS_APPLE_STAND_IN_APPLE_JIT_API_H_
#define MARU_TESTS_APPLE_STAND_IN_APPLE_JIT_API_H_

#include <pthread.h>
#include <sys/mman.h>

extern "C" void pthread_jit_write_protect_np(int enabled);

#define MAP_JIT 0x0800

#endif  // MARU_TESTS_APPLE_STAND_IN_APPLE_JIT_API_H_
