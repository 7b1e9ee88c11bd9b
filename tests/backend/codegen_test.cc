// Both backends generate code for every function of the prelude and for functions chosen to
// reach each fast path; the code is captured (not run: the AArch64 code cannot run on an x86-64
// host) and its assembly checked for what each fast path must contain.
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "jit/backend/backend.h"
#include "jit/ir/verifier.h"
#include "jit/lower/lower.h"
#include "jit/passes/passes.h"
#include "runtime/env.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/vm.h"

namespace maru::jit {
namespace {

// Code memory that keeps the bytes (relocated to a fixed fake address) instead of running them.
class CapturingCodeMemory : public CodeMemory {
 public:
  const char* kind() const override { return "capture"; }
  bool Install(const std::string& /*name*/, size_t size,
               const std::function<bool(uint8_t*, uint64_t)>& write, CodeBlock* out,
               std::string* error) override {
    bytes.assign(size, 0);
    if (!write(bytes.data(), 0x10000)) {
      *error = "relocation failed";
      return false;
    }
    out->rx = nullptr;
    out->size = size;
    return true;
  }
  void Release(const CodeBlock&) override {}
  size_t bytes_in_use() const override { return 0; }
  std::vector<uint8_t> bytes;
};

struct Generated {
  std::string error;
  std::string assembly;
  std::vector<uint8_t> code;
};

class CodegenTest : public ::testing::TestWithParam<const char*> {
 protected:
  CodegenTest() : vm_(std::make_unique<Vm>()) {
    InitHeap();
    EXPECT_TRUE(LoadPrelude(*vm_)) << vm_->TakeError().message;
  }

  std::unique_ptr<Backend> NewBackend() const {
    return std::strcmp(GetParam(), "aarch64") == 0 ? NewA64Backend() : NewX64Backend();
  }

  Generated Generate(Oop expr) {
    Generated g;
    ir::Function f;
    g.error = LowerExpr(*vm_, expr, &f);
    if (!g.error.empty()) return g;
    g.error = RunPasses(f, /*verify=*/true);
    if (!g.error.empty()) return g;
    CapturingCodeMemory memory;
    BackendOptions options;
    options.assembly = &g.assembly;
    CodeBlock block;
    if (!NewBackend()->Compile(f, memory, options, &block, &g.error)) return g;
    g.code = std::move(memory.bytes);
    return g;
  }

  Generated GenerateGlobal(const std::string& source, const std::string& name) {
    EXPECT_TRUE(LoadText(*vm_, source, "<codegen_test>")) << vm_->TakeError().message;
    Oop var = vm_->FindGlobal(name);
    EXPECT_NE(var, kNil);
    return Generate(Slot(var, variable::kValue));
  }

  std::unique_ptr<Vm> vm_;
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_P(CodegenTest, EveryPreludeFunctionCompiles) {
  Oop bindings = Slot(vm_->global_env(), env::kBindings);
  int compiled = 0;
  size_t bytes = 0;
  for (int64_t i = 0; i < ArraySize(bindings); ++i) {
    Oop var = ArrayAt(bindings, i);
    if (!IsVariable(var)) continue;
    Oop value = Slot(var, variable::kValue);
    if (!Is(value, kExprType)) continue;
    Generated g = Generate(value);
    EXPECT_EQ(g.error, "") << SymbolName(Slot(var, variable::kName));
    EXPECT_FALSE(g.code.empty());
    // AArch64 instructions are 4 bytes each.
    if (std::strcmp(GetParam(), "aarch64") == 0) EXPECT_EQ(g.code.size() % 4, 0u);
    bytes += g.code.size();
    ++compiled;
  }
  EXPECT_GT(compiled, 100);
  RecordProperty("bytes", static_cast<int>(bytes));
}

TEST_P(CodegenTest, FastPathsOfFib) {
  Generated g = GenerateGlobal(
      "(define fib (lambda (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))))", "fib");
  ASSERT_EQ(g.error, "");
  if (std::strcmp(GetParam(), "aarch64") == 0) {
    EXPECT_TRUE(Contains(g.assembly, "stp x29, x30")) << g.assembly;  // the frame record
    EXPECT_TRUE(Contains(g.assembly, "b.vs")) << g.assembly;          // overflow to the slow path
    EXPECT_TRUE(Contains(g.assembly, "b.lt") || Contains(g.assembly, "b.ge")) << g.assembly;
    EXPECT_TRUE(Contains(g.assembly, "\nbl ") || Contains(g.assembly, "bl L")) << g.assembly;
    EXPECT_TRUE(Contains(g.assembly, "ret x30")) << g.assembly;
  } else {
    EXPECT_TRUE(Contains(g.assembly, "jo")) << g.assembly;
  }
  if (::testing::Test::HasFailure()) return;
  std::printf("%s", g.assembly.c_str());
}

TEST_P(CodegenTest, MultiplicationChecksTheHighHalf) {
  Generated g = GenerateGlobal("(define mul3 (lambda (a b c) (* (* a b) c)))", "mul3");
  ASSERT_EQ(g.error, "");
  if (std::strcmp(GetParam(), "aarch64") == 0) {
    EXPECT_TRUE(Contains(g.assembly, "smulh")) << g.assembly;
  } else {
    EXPECT_TRUE(Contains(g.assembly, "imul")) << g.assembly;
  }
}

TEST_P(CodegenTest, PredicatesMaterialiseTAndNil) {
  Generated g = GenerateGlobal(
      "(define preds (lambda (a b) (list (< a b) (not a) (pair? b) (car a) (cdr b))))", "preds");
  ASSERT_EQ(g.error, "");
  if (std::strcmp(GetParam(), "aarch64") == 0) {
    EXPECT_TRUE(Contains(g.assembly, "csel")) << g.assembly;
  }
}

TEST_P(CodegenTest, LargeActivationsCompile) {
  // 60 parameters, 4,000 locals and a 4,500-argument call: frame and slot offsets beyond every
  // short immediate form of either ISA.
  std::string params, bindings, args;
  for (int i = 0; i < 60; ++i) params += " p" + std::to_string(i);
  for (int i = 0; i < 4000; ++i) {
    bindings += " (x" + std::to_string(i) + " p" + std::to_string(i % 60) + ")";
    args += " x" + std::to_string(i);
  }
  for (int i = 0; i < 500; ++i) args += " " + std::to_string(i);
  Generated g = GenerateGlobal(
      "(define wide (lambda (" + params + ") (let (" + bindings + ") (list" + args + "))))",
      "wide");
  EXPECT_EQ(g.error, "");
  EXPECT_FALSE(g.code.empty());
}

INSTANTIATE_TEST_SUITE_P(Isa, CodegenTest, ::testing::Values("x86-64", "aarch64"),
                         [](const auto& info) {
                           return std::string(std::strcmp(info.param, "aarch64") == 0 ? "AArch64"
                                                                                      : "X64");
                         });

}  // namespace
}  // namespace maru::jit
