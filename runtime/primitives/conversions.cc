// Numeric conversions and functions (spec §7.5).
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"
#include "runtime/strings.h"

namespace maru {

namespace {

Oop Checked(Vm& vm, Oop o) { return o == kNil ? vm.OutOfMemory() : o; }

Oop LongToDouble(Vm& vm, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0);
  if (IsDouble(x)) return x;
  if (!IsLong(x)) return kNil;
  return Checked(vm, NewDouble(static_cast<double>(LongValue(x))));
}

Oop DoubleToLong(Vm& vm, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0);
  if (IsLong(x)) return x;
  if (!IsDouble(x)) return kNil;
  double d = DoubleValue(x);
  // NaN and out-of-range values give what x86-64's cvttsd2si yields.
  int64_t v = (std::isnan(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
                  ? INT64_MIN
                  : static_cast<int64_t>(d);
  return Checked(vm, NewLong(v));
}

Oop LongToString(Vm& vm, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0);
  if (IsString(x)) return x;
  if (!IsLong(x)) return kNil;
  return Checked(vm, NewStringFromUtf8(std::to_string(LongValue(x))));
}

Oop DoubleToString(Vm& vm, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0);
  if (IsString(x)) return x;
  if (!IsDouble(x)) return kNil;
  return Checked(vm, NewStringFromUtf8(FormatDouble(DoubleValue(x))));
}

Oop StringToLong(Vm& vm, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0);
  if (IsLong(x)) return x;
  if (!IsString(x)) return kNil;
  std::string text = StringToUtf8(x);
  errno = 0;
  long v = std::strtol(text.c_str(), nullptr, 0);
  return Checked(vm, NewLong(v));
}

Oop StringToDouble(Vm& vm, const Oop* a, int n, Frame*) {
  Oop x = Arg(a, n, 0);
  if (IsDouble(x)) return x;
  if (!IsString(x)) return kNil;
  std::string text = StringToUtf8(x);
  return Checked(vm, NewDouble(std::strtod(text.c_str(), nullptr)));
}

Oop MathFunction(Vm& vm, const char* name, double (*f)(double), const Oop* a, int n) {
  if (n == 0) return ArityError(vm, name, n);
  Oop x = a[0];
  if (!IsNumber(x)) return ArgumentError(vm, name, "numeric", x);
  double d = IsDouble(x) ? DoubleValue(x) : static_cast<double>(LongValue(x));
  return Checked(vm, NewDouble(f(d)));
}

double Sin(double d) { return std::sin(d); }
double Cos(double d) { return std::cos(d); }
double Log(double d) { return std::log(d); }

Oop SinP(Vm& vm, const Oop* a, int n, Frame*) { return MathFunction(vm, "sin", Sin, a, n); }
Oop CosP(Vm& vm, const Oop* a, int n, Frame*) { return MathFunction(vm, "cos", Cos, a, n); }
Oop LogP(Vm& vm, const Oop* a, int n, Frame*) { return MathFunction(vm, "log", Log, a, n); }

}  // namespace

void RegisterConversionPrimitives(Vm& vm) {
  DefinePrimitive(vm, "long->double", LongToDouble, -1);
  DefinePrimitive(vm, "double->long", DoubleToLong, -1);
  DefinePrimitive(vm, "long->string", LongToString, -1);
  DefinePrimitive(vm, "double->string", DoubleToString, -1);
  DefinePrimitive(vm, "string->long", StringToLong, -1);
  DefinePrimitive(vm, "string->double", StringToDouble, -1);
  DefinePrimitive(vm, "sin", SinP, -1);
  DefinePrimitive(vm, "cos", CosP, -1);
  DefinePrimitive(vm, "log", LogP, -1);
}

}  // namespace maru
