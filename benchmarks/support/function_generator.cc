#include "benchmarks/support/function_generator.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "benchmarks/support/compile_pipeline.h"
#include "benchmarks/support/maru_source.h"
#include "jit/lower/lower.h"

namespace maru::bench {

namespace {

// Statement i of a generated body; the kinds cycle so that every size has the same mix.
std::string Statement(int i) {
  switch (i % 6) {
    case 0:
      return "(set x (+ x (* y 3)))";
    case 1:
      return "(if (< x y) (set y (- y x)) (set x (+ x 1)))";
    case 2:
      return "(set z (car (cons x z)))";
    case 3:
      return absl::StrCat("(while (< z ", i % 7 + 3, ") (set z (+ z 1)))");
    case 4:
      return "(set y (gen-helper x z))";
    default:
      return absl::StrCat("(set x (let ((t (+ x ", i, "))) (if (> t 1000) (- t 1000) t)))");
  }
}

}  // namespace

std::string GenerateFunction(const std::string& name, int statements) {
  if (statements == 0) return absl::StrCat("(define-function ", name, " (a b c) (+ a b))");
  std::string source =
      absl::StrCat("(define-function ", name, " (a b c)\n  (let ((x a) (y b) (z c))");
  for (int i = 0; i < statements; ++i) absl::StrAppend(&source, "\n    ", Statement(i));
  absl::StrAppend(&source, "\n    (+ x (+ y z))))");
  return source;
}

absl::StatusOr<int64_t> LoweredNodes(Vm& vm, const std::string& name) {
  Oop var = vm.FindGlobal(name);
  if (var == kNil) return absl::NotFoundError(name + ": undefined");
  jit::ir::Function f;
  std::string failure = jit::LowerExpr(vm, Slot(var, variable::kValue), &f);
  if (!failure.empty()) return absl::FailedPreconditionError(name + ": lowering: " + failure);
  return CountIrNodes(f);
}

absl::StatusOr<GeneratedFunction> DefineFunctionOfSize(Vm& vm, const std::string& name,
                                                       int64_t target_nodes) {
  GeneratedFunction best;
  int64_t best_distance = -1;
  // The size grows with the statement count: stop once past the target.
  for (int statements = 0;; ++statements) {
    std::string source = GenerateFunction(name, statements);
    if (absl::StatusOr<Oop> r = EvalSource(vm, source); !r.ok()) return r.status();
    absl::StatusOr<int64_t> nodes = LoweredNodes(vm, name);
    if (!nodes.ok()) return nodes.status();
    const int64_t distance = std::llabs(*nodes - target_nodes);
    if (best_distance < 0 || distance < best_distance) {
      best = {source, statements, *nodes};
      best_distance = distance;
    }
    if (*nodes >= target_nodes) break;
  }
  if (absl::StatusOr<Oop> r = EvalSource(vm, best.source); !r.ok()) return r.status();
  return best;
}

}  // namespace maru::bench
