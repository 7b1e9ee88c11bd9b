// Embeds maru-jit: defines fib in Maru and calls it from C++, registers a C++ function and calls
// it from Maru, and prints the results. Built and run by tests/api/embed_example_test.sh.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "maru/engine.h"

int main() {
  maru::EngineOptions options;
  options.execution = maru::ExecutionMode::kEager;  // compile every Maru function
  absl::StatusOr<std::unique_ptr<maru::Engine>> created = maru::Engine::Create(options);
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", std::string(created.status().message()).c_str());
    return 1;
  }
  maru::Engine& engine = **created;

  // Maru code called from C++.
  absl::StatusOr<maru::Value> defined =
      engine.Eval("(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))");
  if (!defined.ok()) return 1;
  auto fib = engine.Function<int64_t(int64_t)>("fib");
  absl::StatusOr<int64_t> f25 = fib(25);
  if (!f25.ok()) return 1;
  std::printf("fib(25) = %lld\n", static_cast<long long>(*f25));

  // C++ code called from Maru.
  absl::Status status = engine.Define("hypot2", [](double x, double y) { return x * x + y * y; });
  if (!status.ok()) return 1;
  absl::StatusOr<maru::Value> h = engine.Eval("(hypot2 3 4)");
  if (!h.ok()) return 1;
  std::printf("(hypot2 3 4) = %g\n", *h->As<double>());

  // Maru's own output, and a Maru error as a status.
  engine.Eval("(println \"hello from Maru, fib(10) = \" (fib 10))").IgnoreError();
  absl::StatusOr<maru::Value> bad = engine.Eval("(fib \"x\")", "example.l");
  std::printf("error as expected: %s\n", bad.ok() ? "none!" : "yes");

  maru::EngineStats stats = engine.Stats();
  std::printf("code memory: %s, functions compiled: %lld\n", stats.code_memory.c_str(),
              static_cast<long long>(stats.functions_compiled));
  return 0;
}
