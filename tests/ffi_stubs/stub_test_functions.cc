#include "tests/ffi_stubs/stub_test_functions.h"

#include <gc.h>
#include <stdio_ext.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace stub_test {

std::string received;

namespace {

void Record(const char* format, ...) {
  char buffer[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(buffer, sizeof buffer, format, ap);
  va_end(ap);
  received += buffer;
}

}  // namespace
}  // namespace stub_test

using stub_test::Record;

extern "C" {

long maru_stub_ints(long a, long b, long c, long d, long e, long f, long g, long h, long i,
                    long j) {
  Record("%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", a, b, c, d, e, f, g, h, i, j);
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}

double maru_stub_doubles(double a, double b, double c, double d, double e, double f, double g,
                         double h, double i, double j) {
  Record("%a %a %a %a %a %a %a %a %a %a", a, b, c, d, e, f, g, h, i, j);
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}

double maru_stub_mixed(int a, float b, double c, long d, void* e, int32_t f, int64_t g, float h,
                       double i, int j, int k, double l, long m, float n, double o, double p,
                       double q, double r, int s) {
  Record("%d %a %a %ld %p %d %lld %a %a %d %d %a %ld %a %a %a %a %a %d", a, static_cast<double>(b),
         c, d, e, f, static_cast<long long>(g), static_cast<double>(h), i, j, k, l, m,
         static_cast<double>(n), o, p, q, r, s);
  return a + b + c + d + f + g + h + i + j + k + l + m + n + o + p + q + r + s;
}

float maru_stub_half(float x) {
  Record("%a", static_cast<double>(x));
  return x / 2;
}

int maru_stub_negate(int x) {
  Record("%d", x);
  // Wraps for INT_MIN like the machine does (the tests pass it on purpose); -x would be UB.
  return static_cast<int>(0u - static_cast<unsigned>(x));
}

int32_t maru_stub_negate32(int32_t x) {
  Record("%d", x);
  return static_cast<int32_t>(0u - static_cast<uint32_t>(x));
}

int64_t maru_stub_echo64(int64_t x) {
  Record("%lld", static_cast<long long>(x));
  return x;
}

void* maru_stub_pointer(void* p) {
  Record("%p", p);
  return p;
}

void maru_stub_void(int x) { Record("void %d", x); }

const char* maru_stub_text(int which) {
  Record("%d", which);
  return which == 0 ? nullptr : "utf-8 \xc3\xa9";
}

const wchar_t* maru_stub_wide(int which) {
  Record("%d", which);
  return which == 0 ? nullptr : L"wide \u00e9";
}

long maru_stub_untyped(long x) {
  Record("%ld", x);
  return 3 * x;
}

long maru_stub_no_arguments() {
  Record("none");
  return 42;
}

uint32_t maru_stub_first_char(const uint32_t* chars) {
  Record("%p", static_cast<const void*>(chars));
  return chars == nullptr ? 0 : chars[0];
}

long maru_stub_strings_across_gc(const char* a, const char* b) {
  GC_gcollect();
  for (int i = 0; i < 1000; ++i) {
    char* garbage = static_cast<char*>(GC_MALLOC_ATOMIC(64));
    if (garbage != nullptr) std::memset(garbage, 'x', 64);
  }
  Record("%s|%s", a, b);
  return static_cast<long>(std::strlen(a) + std::strlen(b));
}

int maru_stub_pending_stdout() { return static_cast<int>(__fpending(stdout)); }

long maru_stub_add(long a, long b) { return a + b; }

}  // extern "C"
