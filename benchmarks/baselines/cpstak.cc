// cpstak: continuation-passing Takeuchi (benchmarks/programs/cpstak.l). Each lambda of the Maru
// program is a closure record allocated on the collector, holding its free variables and the
// code that runs it; applying a continuation is an indirect call. As in Maru (no tail calls,
// and this library is compiled without sibling calls), the stack grows with every call of a
// repetition and unwinds at its end.
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

struct Continuation {
  int64_t (*code)(const Continuation* self, int64_t value);
};

// (lambda (v1) (cps-tak (- y 1) z x (lambda (v2) ...)))
struct AfterFirst : Continuation {
  int64_t x, y, z;
  const Continuation* k;
};
// (lambda (v2) (cps-tak (- z 1) x y (lambda (v3) ...)))
struct AfterSecond : Continuation {
  int64_t v1, x, y, z;
  const Continuation* k;
};
// (lambda (v3) (cps-tak v1 v2 v3 k))
struct AfterThird : Continuation {
  int64_t v1, v2;
  const Continuation* k;
};

int64_t ResumeFirst(const Continuation* self, int64_t v1);
int64_t ResumeSecond(const Continuation* self, int64_t v2);
int64_t ResumeThird(const Continuation* self, int64_t v3);

MARU_CALL_FAITHFUL int64_t CpsTak(int64_t x, int64_t y, int64_t z, const Continuation* k) {
  if (!(y < x)) return k->code(k, z);
  AfterFirst* next = GcNew<AfterFirst>();
  next->code = ResumeFirst;
  next->x = x;
  next->y = y;
  next->z = z;
  next->k = k;
  return CpsTak(x - 1, y, z, next);
}

MARU_CALL_FAITHFUL int64_t ResumeFirst(const Continuation* self, int64_t v1) {
  const auto* c = static_cast<const AfterFirst*>(self);
  AfterSecond* next = GcNew<AfterSecond>();
  next->code = ResumeSecond;
  next->v1 = v1;
  next->x = c->x;
  next->y = c->y;
  next->z = c->z;
  next->k = c->k;
  return CpsTak(c->y - 1, c->z, c->x, next);
}

MARU_CALL_FAITHFUL int64_t ResumeSecond(const Continuation* self, int64_t v2) {
  const auto* c = static_cast<const AfterSecond*>(self);
  AfterThird* next = GcNew<AfterThird>();
  next->code = ResumeThird;
  next->v1 = c->v1;
  next->v2 = v2;
  next->k = c->k;
  return CpsTak(c->z - 1, c->x, c->y, next);
}

MARU_CALL_FAITHFUL int64_t ResumeThird(const Continuation* self, int64_t v3) {
  const auto* c = static_cast<const AfterThird*>(self);
  return CpsTak(c->v1, c->v2, v3, c->k);
}

MARU_CALL_FAITHFUL int64_t Identity(const Continuation* /*self*/, int64_t a) { return a; }

MARU_CALL_FAITHFUL int64_t Cpstak(int64_t x, int64_t y, int64_t z) {
  Continuation* identity = GcNew<Continuation>();
  identity->code = Identity;
  return CpsTak(x, y, z, identity);
}

}  // namespace

std::string RunCpstak(int64_t repetitions) {
  int64_t sum = 0;
  for (int64_t i = 0; i < repetitions; ++i) sum += Cpstak(Opaque<int64_t>(18), 12, 6);
  return "cpstak 18 12 6 x" + std::to_string(repetitions) + ": " + std::to_string(sum);
}

}  // namespace maru::baselines
