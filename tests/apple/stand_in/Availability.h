// Stand-in for the macOS SDK's <Availability.h>, which Abseil's config.h includes under
// __APPLE__ for the iOS version macros below. Only for the compile-only checks of this
// directory: nothing here is compiled into a program.
#ifndef MARU_TESTS_APPLE_STAND_IN_AVAILABILITY_H_
#define MARU_TESTS_APPLE_STAND_IN_AVAILABILITY_H_

#define __IPHONE_8_0 80000
#define __IPHONE_9_0 90000

#endif  // MARU_TESTS_APPLE_STAND_IN_AVAILABILITY_H_
