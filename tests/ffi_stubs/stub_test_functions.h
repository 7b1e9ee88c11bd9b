// C functions of the stub tests and benchmark (stub_test_functions.cc), with argument lists long
// and mixed enough to use every argument register class and the stack on x86-64 and AArch64.
// Each one records what it received in stub_test::received, formatted exactly (%a for floating
// point), so the tests compare what C saw through a stub and through libffi.
#ifndef MARU_TESTS_FFI_STUBS_STUB_TEST_FUNCTIONS_H_
#define MARU_TESTS_FFI_STUBS_STUB_TEST_FUNCTIONS_H_

#include <cstdint>
#include <string>

namespace stub_test {
extern std::string received;
}  // namespace stub_test

extern "C" {
// "llllllllll>l": ten longs, weighted by position.
long maru_stub_ints(long a, long b, long c, long d, long e, long f, long g, long h, long i, long j);
// "dddddddddd>d": ten doubles, weighted by position.
double maru_stub_doubles(double a, double b, double c, double d, double e, double f, double g,
                         double h, double i, double j);
// "ifdlpjkfdiidlfddddi>d": 9 integer-class and 10 floating-point arguments, interleaved.
double maru_stub_mixed(int a, float b, double c, long d, void* e, int32_t f, int64_t g, float h,
                       double i, int j, int k, double l, long m, float n, double o, double p,
                       double q, double r, int s);
float maru_stub_half(float x);                         // "f>f"
int maru_stub_negate(int x);                           // "i>i"
int32_t maru_stub_negate32(int32_t x);                 // "j>j"
int64_t maru_stub_echo64(int64_t x);                   // "k>k"
void* maru_stub_pointer(void* p);                      // "p>p", "S>p"
void maru_stub_void(int x);                            // "i>v"
const char* maru_stub_text(int which);                 // "i>s": UTF-8 text, NULL for 0
const wchar_t* maru_stub_wide(int which);              // "i>S": wide text, NULL for 0
long maru_stub_untyped(long x);                        // "l": 3x, the reference's untyped result
long maru_stub_no_arguments();                         // ">l": 42
uint32_t maru_stub_first_char(const uint32_t* chars);  // "p>i"
// "ss>l": collects garbage before it reads its strings.
long maru_stub_strings_across_gc(const char* a, const char* b);
// ">i": the bytes waiting in stdout's buffer when called.
int maru_stub_pending_stdout();
// "ll>l": a + b, nothing recorded (the benchmark's cheapest call).
long maru_stub_add(long a, long b);
}

#endif  // MARU_TESTS_FFI_STUBS_STUB_TEST_FUNCTIONS_H_
