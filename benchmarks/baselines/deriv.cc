// deriv: symbolic differentiation (benchmarks/programs/deriv.l). The expressions are Lisp data,
// so this version has Lisp values: a word that is nil (0), a small integer (odd), or the address
// of a symbol or a pair. `map` (with a function value, here a record holding its code) and
// `list`, `cadr`, `caddr` are calls, as in the Maru program where they are prelude functions.
#include <cstdint>

#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

using Obj = uintptr_t;
constexpr Obj kNil = 0;

enum class Kind : uint32_t { kPair = 1, kSymbol = 2 };

struct Pair {
  Kind kind;
  Obj car;
  Obj cdr;
};

struct Symbol {
  Kind kind;
  const char* name;
};

constexpr Symbol kPlus = {Kind::kSymbol, "+"};
constexpr Symbol kMinus = {Kind::kSymbol, "-"};
constexpr Symbol kTimes = {Kind::kSymbol, "*"};
constexpr Symbol kDivide = {Kind::kSymbol, "/"};
constexpr Symbol kX = {Kind::kSymbol, "x"};
constexpr Symbol kA = {Kind::kSymbol, "a"};
constexpr Symbol kB = {Kind::kSymbol, "b"};

Obj Sym(const Symbol& s) { return reinterpret_cast<Obj>(&s); }
Obj Fixnum(int64_t v) { return (static_cast<Obj>(v) << 1) | 1; }
bool IsFixnum(Obj o) { return (o & 1) != 0; }
int64_t FixnumValue(Obj o) { return static_cast<int64_t>(o) >> 1; }
bool IsPair(Obj o) {
  return o != kNil && !IsFixnum(o) && reinterpret_cast<const Pair*>(o)->kind == Kind::kPair;
}

Obj Cons(Obj car, Obj cdr) {
  Pair* p = GcNew<Pair>();
  p->kind = Kind::kPair;
  p->car = car;
  p->cdr = cdr;
  return reinterpret_cast<Obj>(p);
}
// car and cdr of a non-pair are nil, as in Maru.
Obj Car(Obj o) { return IsPair(o) ? reinterpret_cast<const Pair*>(o)->car : kNil; }
Obj Cdr(Obj o) { return IsPair(o) ? reinterpret_cast<const Pair*>(o)->cdr : kNil; }

MARU_CALL_FAITHFUL Obj Cadr(Obj o) { return Car(Cdr(o)); }
MARU_CALL_FAITHFUL Obj Caddr(Obj o) { return Car(Cdr(Cdr(o))); }
MARU_CALL_FAITHFUL Obj List3(Obj a, Obj b, Obj c) { return Cons(a, Cons(b, Cons(c, kNil))); }
MARU_CALL_FAITHFUL Obj List4(Obj a, Obj b, Obj c, Obj d) {
  return Cons(a, Cons(b, Cons(c, Cons(d, kNil))));
}

// A function value: its code and, in records that extend it, its free variables.
struct Function {
  Obj (*code)(const Function* self, Obj argument);
};

// The prelude's map1 (map with one list): a fresh list of (f x) for each x.
MARU_CALL_FAITHFUL Obj Map1(const Function* f, Obj list) {
  Obj result = kNil;
  Obj last = kNil;
  while (IsPair(list)) {
    Obj cell = Cons(f->code(f, Car(list)), kNil);
    if (last != kNil) {
      reinterpret_cast<Pair*>(last)->cdr = cell;
    } else {
      result = cell;
    }
    last = cell;
    list = Cdr(list);
  }
  return result;
}

// The prelude's map, given one list.
MARU_CALL_FAITHFUL Obj Map(const Function* f, Obj list) { return Map1(f, list); }

Obj Deriv(Obj a);

MARU_CALL_FAITHFUL Obj DerivCode(const Function* /*self*/, Obj a) { return Deriv(a); }
// `deriv` as a value: a global function, so no allocation.
constexpr Function kDerivFunction = {DerivCode};

// (lambda (a) (list '/ (deriv a) a))
MARU_CALL_FAITHFUL Obj QuotientTerm(const Function* /*self*/, Obj a) {
  return List3(Sym(kDivide), Deriv(a), a);
}

// Returns nil for an expression it cannot differentiate (the Maru program raises an error);
// the program's input has none.
MARU_CALL_FAITHFUL Obj Deriv(Obj a) {
  if (!IsPair(a)) return a == Sym(kX) ? Fixnum(1) : Fixnum(0);
  Obj op = Car(a);
  if (op == Sym(kPlus)) return Cons(Sym(kPlus), Map(&kDerivFunction, Cdr(a)));
  if (op == Sym(kMinus)) return Cons(Sym(kMinus), Map(&kDerivFunction, Cdr(a)));
  if (op == Sym(kTimes)) {
    Function* term = GcNew<Function>();  // a closure made each time, as in Maru
    term->code = QuotientTerm;
    return List3(Sym(kTimes), a, Cons(Sym(kPlus), Map(term, Cdr(a))));
  }
  if (op == Sym(kDivide)) {
    return List3(
        Sym(kMinus), List3(Sym(kDivide), Deriv(Cadr(a)), Caddr(a)),
        List3(Sym(kDivide), Cadr(a), List4(Sym(kTimes), Caddr(a), Caddr(a), Deriv(Caddr(a)))));
  }
  return kNil;
}

void Print(Obj o, std::string* out) {
  if (o == kNil) {
    *out += "()";
  } else if (IsFixnum(o)) {
    *out += std::to_string(FixnumValue(o));
  } else if (!IsPair(o)) {
    *out += reinterpret_cast<const Symbol*>(o)->name;
  } else {
    *out += '(';
    Print(Car(o), out);
    for (o = Cdr(o); IsPair(o); o = Cdr(o)) {
      *out += ' ';
      Print(Car(o), out);
    }
    if (o != kNil) {
      *out += " . ";
      Print(o, out);
    }
    *out += ')';
  }
}

// '(+ (* 3 x x) (* a x x) (* b x) 5)
Obj Expression() {
  Obj terms = Cons(List3(Sym(kTimes), Sym(kB), Sym(kX)), Cons(Fixnum(5), kNil));
  terms = Cons(List4(Sym(kTimes), Sym(kA), Sym(kX), Sym(kX)), terms);
  terms = Cons(List4(Sym(kTimes), Fixnum(3), Sym(kX), Sym(kX)), terms);
  return Cons(Sym(kPlus), terms);
}

}  // namespace

std::string RunDeriv(int64_t repetitions) {
  // The Maru program's expression is a quoted constant, made once.
  Obj expression = Expression();
  Obj result = kNil;
  for (int64_t i = 0; i < repetitions; ++i) result = Deriv(Opaque(expression));
  std::string line = "deriv x" + std::to_string(repetitions) + ": ";
  Print(result, &line);
  return line;
}

}  // namespace maru::baselines
