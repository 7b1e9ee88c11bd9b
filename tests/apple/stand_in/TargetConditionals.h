// Stand-in for the macOS SDK's <TargetConditionals.h> (Abseil includes it under __APPLE__):
// the values of a macOS build, where every TARGET_OS_* is defined, 0 or 1. Only for the
// compile-only checks of this directory.
#ifndef MARU_TESTS_APPLE_STAND_IN_TARGETCONDITIONALS_H_
#define MARU_TESTS_APPLE_STAND_IN_TARGETCONDITIONALS_H_

#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_MACCATALYST 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_OS_EMBEDDED 0

#endif  // MARU_TESTS_APPLE_STAND_IN_TARGETCONDITIONALS_H_
