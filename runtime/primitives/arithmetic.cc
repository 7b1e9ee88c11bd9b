// Arithmetic, bitwise and comparison primitives (spec §7.1, §8).
#include <cmath>
#include <cstdint>

#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/strings.h"

namespace maru {

namespace {

enum class Op { kAdd, kSub, kMul, kDiv, kMod };

Oop Boxed(Vm& vm, Oop o) { return o == kNil ? vm.OutOfMemory() : o; }

// Long arithmetic wraps modulo 2^64.
int64_t Wrap(uint64_t v) { return static_cast<int64_t>(v); }

Oop Arith(Vm& vm, const char* name, Op op, Oop a, Oop b) {
  if (IsFixnum(a) && IsFixnum(b)) {
    int64_t x = FixnumValue(a), y = FixnumValue(b);
    switch (op) {
      case Op::kAdd:
        return Boxed(vm, NewLong(x + y));  // cannot overflow int64 for fixnums
      case Op::kSub:
        return Boxed(vm, NewLong(x - y));
      default:
        break;
    }
  }
  if (!IsNumber(a)) return ArgumentError(vm, name, "numeric", a);
  if (!IsNumber(b)) return ArgumentError(vm, name, "numeric", b);
  if (IsLong(a) && IsLong(b)) {
    uint64_t x = static_cast<uint64_t>(LongValue(a)), y = static_cast<uint64_t>(LongValue(b));
    switch (op) {
      case Op::kAdd:
        return Boxed(vm, NewLong(Wrap(x + y)));
      case Op::kSub:
        return Boxed(vm, NewLong(Wrap(x - y)));
      case Op::kMul:
        return Boxed(vm, NewLong(Wrap(x * y)));
      case Op::kDiv:
      case Op::kMod: {
        int64_t sx = LongValue(a), sy = LongValue(b);
        if (sy == 0) return vm.Error("division by zero");
        if (sy == -1) return Boxed(vm, NewLong(op == Op::kDiv ? Wrap(0 - x) : 0));
        return Boxed(vm, NewLong(op == Op::kDiv ? sx / sy : sx % sy));
      }
    }
  }
  double x = IsDouble(a) ? DoubleValue(a) : static_cast<double>(LongValue(a));
  double y = IsDouble(b) ? DoubleValue(b) : static_cast<double>(LongValue(b));
  double r = 0;
  switch (op) {
    case Op::kAdd:
      r = x + y;
      break;
    case Op::kSub:
      r = x - y;
      break;
    case Op::kMul:
      r = x * y;
      break;
    case Op::kDiv:
      r = x / y;
      break;
    case Op::kMod:
      r = std::fmod(x, y);
      break;
  }
  return Boxed(vm, NewDouble(r));
}

Oop Add(Vm& vm, const Oop* args, int, Frame*) { return Arith(vm, "+", Op::kAdd, args[0], args[1]); }
Oop Mul(Vm& vm, const Oop* args, int, Frame*) { return Arith(vm, "*", Op::kMul, args[0], args[1]); }
Oop Div(Vm& vm, const Oop* args, int, Frame*) { return Arith(vm, "/", Op::kDiv, args[0], args[1]); }
Oop Mod(Vm& vm, const Oop* args, int, Frame*) { return Arith(vm, "%", Op::kMod, args[0], args[1]); }

Oop Sub(Vm& vm, const Oop* args, int argc, Frame*) {
  if (argc == 2) return Arith(vm, "-", Op::kSub, args[0], args[1]);
  if (argc != 1) return ArityError(vm, "-", argc);
  Oop a = args[0];
  if (IsLong(a)) return Boxed(vm, NewLong(Wrap(0 - static_cast<uint64_t>(LongValue(a)))));
  if (IsDouble(a)) return Boxed(vm, NewDouble(-DoubleValue(a)));
  return ArgumentError(vm, "-", "numeric", a);
}

enum class BitOp { kAnd, kOr, kXor, kShl, kShr };

Oop Bitwise(Vm& vm, const char* name, BitOp op, Oop a, Oop b) {
  if (!IsLong(a)) return ArgumentError(vm, name, "integer", a);
  if (!IsLong(b)) return ArgumentError(vm, name, "integer", b);
  int64_t x = LongValue(a), y = LongValue(b);
  int64_t r = 0;
  switch (op) {
    case BitOp::kAnd:
      r = x & y;
      break;
    case BitOp::kOr:
      r = x | y;
      break;
    case BitOp::kXor:
      r = x ^ y;
      break;
    case BitOp::kShl:
      r = Wrap(static_cast<uint64_t>(x) << (y & 63));
      break;
    case BitOp::kShr:
      r = x >> (y & 63);
      break;
  }
  return Boxed(vm, NewLong(r));
}

Oop BitAnd(Vm& vm, const Oop* a, int, Frame*) { return Bitwise(vm, "&", BitOp::kAnd, a[0], a[1]); }
Oop BitOr(Vm& vm, const Oop* a, int, Frame*) { return Bitwise(vm, "|", BitOp::kOr, a[0], a[1]); }
Oop BitXor(Vm& vm, const Oop* a, int, Frame*) { return Bitwise(vm, "^", BitOp::kXor, a[0], a[1]); }
Oop Shl(Vm& vm, const Oop* a, int, Frame*) { return Bitwise(vm, "<<", BitOp::kShl, a[0], a[1]); }
Oop Shr(Vm& vm, const Oop* a, int, Frame*) { return Bitwise(vm, ">>", BitOp::kShr, a[0], a[1]); }

Oop Not(Vm& vm, const Oop* args, int, Frame*) {
  if (!IsLong(args[0])) return ArgumentError(vm, "~", "integer", args[0]);
  return Boxed(vm, NewLong(~LongValue(args[0])));
}

enum class Cmp { kLt, kLe, kGe, kGt };

Oop Compare(Vm& vm, const char* name, Cmp cmp, Oop a, Oop b) {
  if (IsFixnum(a) && IsFixnum(b)) {
    // Tagged words order like their values.
    auto x = static_cast<intptr_t>(a), y = static_cast<intptr_t>(b);
    switch (cmp) {
      case Cmp::kLt:
        return Truth(vm, x < y);
      case Cmp::kLe:
        return Truth(vm, x <= y);
      case Cmp::kGe:
        return Truth(vm, x >= y);
      case Cmp::kGt:
        return Truth(vm, x > y);
    }
  }
  if (!IsNumber(a)) return ArgumentError(vm, name, "numeric", a);
  if (!IsNumber(b)) return ArgumentError(vm, name, "numeric", b);
  bool r;
  if (IsLong(a) && IsLong(b)) {
    int64_t x = LongValue(a), y = LongValue(b);
    r = cmp == Cmp::kLt ? x < y : cmp == Cmp::kLe ? x <= y : cmp == Cmp::kGe ? x >= y : x > y;
  } else {
    double x = IsDouble(a) ? DoubleValue(a) : static_cast<double>(LongValue(a));
    double y = IsDouble(b) ? DoubleValue(b) : static_cast<double>(LongValue(b));
    r = cmp == Cmp::kLt ? x < y : cmp == Cmp::kLe ? x <= y : cmp == Cmp::kGe ? x >= y : x > y;
  }
  return Truth(vm, r);
}

Oop Lt(Vm& vm, const Oop* a, int, Frame*) { return Compare(vm, "<", Cmp::kLt, a[0], a[1]); }
Oop Le(Vm& vm, const Oop* a, int, Frame*) { return Compare(vm, "<=", Cmp::kLe, a[0], a[1]); }
Oop Ge(Vm& vm, const Oop* a, int, Frame*) { return Compare(vm, ">=", Cmp::kGe, a[0], a[1]); }
Oop Gt(Vm& vm, const Oop* a, int, Frame*) { return Compare(vm, ">", Cmp::kGt, a[0], a[1]); }

bool StringsEqual(Oop a, Oop b) {
  int64_t na = StringLength(a), nb = StringLength(b);
  const uint32_t* ca = StringChars(a);
  const uint32_t* cb = StringChars(b);
  // Compared up to the first code 0, as C wcscmp does.
  for (int64_t i = 0;; ++i) {
    uint32_t x = i < na ? ca[i] : 0, y = i < nb ? cb[i] : 0;
    if (x != y) return false;
    if (x == 0) return true;
  }
}

bool Equal(Oop a, Oop b) {
  if (a == b) return !IsDouble(a) || !std::isnan(DoubleValue(a));
  if (IsNumber(a) && IsNumber(b)) {
    if (IsLong(a) && IsLong(b)) return LongValue(a) == LongValue(b);
    double x = IsDouble(a) ? DoubleValue(a) : static_cast<double>(LongValue(a));
    double y = IsDouble(b) ? DoubleValue(b) : static_cast<double>(LongValue(b));
    return x == y;
  }
  if (IsString(a) && IsString(b)) return StringsEqual(a, b);
  return false;
}

Oop Eq(Vm& vm, const Oop* a, int, Frame*) { return Truth(vm, Equal(a[0], a[1])); }
Oop Ne(Vm& vm, const Oop* a, int, Frame*) { return Truth(vm, !Equal(a[0], a[1])); }

}  // namespace

void RegisterArithmeticPrimitives(Vm& vm) {
  DefinePrimitive(vm, "+", Add, 2);
  DefinePrimitive(vm, "-", Sub, -1);
  DefinePrimitive(vm, "*", Mul, 2);
  DefinePrimitive(vm, "/", Div, 2);
  DefinePrimitive(vm, "%", Mod, 2);
  DefinePrimitive(vm, "~", Not, 1);
  DefinePrimitive(vm, "&", BitAnd, 2);
  DefinePrimitive(vm, "|", BitOr, 2);
  DefinePrimitive(vm, "^", BitXor, 2);
  DefinePrimitive(vm, "<<", Shl, 2);
  DefinePrimitive(vm, ">>", Shr, 2);
  DefinePrimitive(vm, "<", Lt, 2);
  DefinePrimitive(vm, "<=", Le, 2);
  DefinePrimitive(vm, ">=", Ge, 2);
  DefinePrimitive(vm, ">", Gt, 2);
  DefinePrimitive(vm, "=", Eq, 2);
  DefinePrimitive(vm, "!=", Ne, 2);
}

}  // namespace maru
