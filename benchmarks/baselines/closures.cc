// closures: per step, a pipeline of closures built and applied (benchmarks/programs/closures.l).
// A closure is a record on the collector holding its code and free variables; applying it is
// an indirect call. The counter's variable lives in its closure, as in a Maru context.
#include "benchmarks/baselines/call_faithful.h"
#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

struct Function {
  int64_t (*code)(const Function* self, int64_t x);
};
struct Adder : Function {
  int64_t k;
};
struct Scaler : Function {
  int64_t k;
};
struct Composition : Function {
  const Function* f;
  const Function* g;
};
struct Counter {
  int64_t (*code)(Counter* self);
  int64_t n;
};
struct FunctionCell {
  const Function* car;
  FunctionCell* cdr;
};

MARU_CALL_FAITHFUL int64_t AddK(const Function* self, int64_t x) {
  return x + static_cast<const Adder*>(self)->k;
}
MARU_CALL_FAITHFUL const Function* MakeAdder(int64_t k) {
  Adder* adder = GcNew<Adder>();
  adder->code = AddK;
  adder->k = k;
  return adder;
}

MARU_CALL_FAITHFUL int64_t ScaleK(const Function* self, int64_t x) {
  return x * static_cast<const Scaler*>(self)->k;
}
MARU_CALL_FAITHFUL const Function* MakeScaler(int64_t k) {
  Scaler* scaler = GcNew<Scaler>();
  scaler->code = ScaleK;
  scaler->k = k;
  return scaler;
}

MARU_CALL_FAITHFUL int64_t ApplyComposition(const Function* self, int64_t x) {
  const auto* c = static_cast<const Composition*>(self);
  return c->f->code(c->f, c->g->code(c->g, x));
}
MARU_CALL_FAITHFUL const Function* Compose(const Function* f, const Function* g) {
  Composition* c = GcNew<Composition>();
  c->code = ApplyComposition;
  c->f = f;
  c->g = g;
  return c;
}

MARU_CALL_FAITHFUL int64_t Count(Counter* self) {
  self->n = self->n + 1;
  return self->n;
}
MARU_CALL_FAITHFUL Counter* MakeCounter() {
  Counter* counter = GcNew<Counter>();
  counter->code = Count;
  counter->n = 0;
  return counter;
}

// Composes a list of functions, the first applied last.
MARU_CALL_FAITHFUL const Function* ComposeAll(const FunctionCell* fs) {
  if (fs->cdr != nullptr) return Compose(fs->car, ComposeAll(fs->cdr));
  return fs->car;
}

// (lambda (x) (% x 1000003))
MARU_CALL_FAITHFUL int64_t Modulus(const Function* /*self*/, int64_t x) { return x % 1000003; }

FunctionCell* ConsFunction(const Function* car, FunctionCell* cdr) {
  FunctionCell* cell = GcNew<FunctionCell>();
  cell->car = car;
  cell->cdr = cdr;
  return cell;
}
// The prelude's list, given four values.
MARU_CALL_FAITHFUL FunctionCell* List4(const Function* a, const Function* b, const Function* c,
                                       const Function* d) {
  return ConsFunction(a, ConsFunction(b, ConsFunction(c, ConsFunction(d, nullptr))));
}

}  // namespace

std::string RunClosures(int64_t n) {
  Counter* counter = MakeCounter();
  int64_t acc = 1;
  for (int64_t i = 0; i < n; ++i) {
    Function* modulus = GcNew<Function>();
    modulus->code = Modulus;
    // In the order Maru evaluates the arguments of (list ...).
    const Function* first = MakeAdder(counter->code(counter));
    const Function* second = MakeScaler(3);
    const Function* third = MakeAdder(i % 7);
    const Function* f = ComposeAll(List4(first, second, third, modulus));
    acc = f->code(f, acc) % 1000003;
  }
  return "closures " + std::to_string(n) + ": acc " + std::to_string(acc) + " counter " +
         std::to_string(counter->code(counter));
}

}  // namespace maru::baselines
