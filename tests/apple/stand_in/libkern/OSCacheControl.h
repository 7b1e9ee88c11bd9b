// Stand-in for the macOS SDK header <libkern/OSCacheControl.h>, for the compile-only check of
// jit/codemem/map_jit_memory.cc on Linux (see ../apple_jit_api.h). Declares only what that file
// uses, with the SDK's signature.
#ifndef MARU_TESTS_APPLE_STAND_IN_LIBKERN_OSCACHECONTROL_H_
#define MARU_TESTS_APPLE_STAND_IN_LIBKERN_OSCACHECONTROL_H_

#include <stddef.h>

extern "C" void sys_icache_invalidate(void* start, size_t len);

#endif  // MARU_TESTS_APPLE_STAND_IN_LIBKERN_OSCACHECONTROL_H_
