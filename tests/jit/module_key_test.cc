// The module cache's key and table-word sources (jit/module_key.h): the same function loaded in
// two Vms (different objects at different addresses) has the same canonical IR, which names no
// address; a different function has another; and the words of code generated with a data table
// are described by sources that resolve back to them, and to the other Vm's objects there.
#include "jit/module_key.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/backend/backend.h"
#include "jit/lower/lower.h"
#include "jit/passes/passes.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/vm.h"

namespace maru::jit {
namespace {

constexpr char kProgram[] = R"(
(define helper (lambda (x) (cons x "tail")))
(define subject
  (lambda (n)
    (let ((label "count") (items '(a b c)))
      (if (< n 2)
          (helper label)
          (cons (subject (- n 1)) (lambda () (+ n 1)))))))
)";

class ModuleKeyTest : public ::testing::Test {
 protected:
  static std::unique_ptr<Vm> MakeVm(const std::string& program) {
    InitHeap();
    auto vm = std::make_unique<Vm>();
    if (!LoadText(*vm, program, "<module_key_test>")) {
      ADD_FAILURE() << "loading failed: " << vm->TakeError().message;
    }
    return vm;
  }

  // The optimised IR of the global `name`'s Expr.
  static ir::Function Optimised(Vm& vm, const std::string& name) {
    ir::Function f;
    Oop var = vm.FindGlobal(name);
    EXPECT_NE(var, kNil);
    Oop expr = Slot(var, variable::kValue);
    EXPECT_TRUE(Is(expr, kExprType));
    EXPECT_EQ(LowerExpr(vm, expr, &f), "");
    EXPECT_EQ(RunPasses(f, /*verify=*/true), "");
    return f;
  }

  static std::string Canonical(const ir::Function& f) {
    std::string text;
    AppendCanonicalIr(f, &text);
    return text;
  }

  // The table words of f's code generated for a module.
  static std::vector<uint64_t> TableWords(const ir::Function& f) {
    std::unique_ptr<Backend> backend = NewHostBackend();
    EXPECT_NE(backend, nullptr);
    BackendOptions options;
    options.words_in_table = true;
    GeneratedCode code;
    std::string error;
    EXPECT_TRUE(backend->Generate(f, options, &code, &error)) << error;
    EXPECT_FALSE(code.fixups.empty());
    return code.table;
  }
};

TEST_F(ModuleKeyTest, TheSameFunctionInTwoVmsHasTheSameCanonicalIr) {
  std::unique_ptr<Vm> first = MakeVm(kProgram);
  std::unique_ptr<Vm> second = MakeVm(kProgram);
  ir::Function a = Optimised(*first, "subject");
  ir::Function b = Optimised(*second, "subject");
  ASSERT_NE(a.expr, b.expr);  // different objects...
  std::string text = Canonical(a);
  EXPECT_EQ(text, Canonical(b));  // ...the same key
  // Objects appear by what code depends on (a string's text, a global's name), never by
  // address.
  EXPECT_NE(text.find("count"), std::string::npos);
  EXPECT_NE(text.find("helper"), std::string::npos);
  for (Oop o : {a.expr, a.env, b.expr}) {
    EXPECT_EQ(text.find(std::string(reinterpret_cast<const char*>(&o), sizeof o)),
              std::string::npos);
  }
}

TEST_F(ModuleKeyTest, ADifferentFunctionHasAnotherCanonicalIr) {
  std::unique_ptr<Vm> first = MakeVm(kProgram);
  std::string changed = kProgram;
  changed.replace(changed.find("\"count\""), 7, "\"other\"");
  std::unique_ptr<Vm> second = MakeVm(changed);
  EXPECT_NE(Canonical(Optimised(*first, "subject")), Canonical(Optimised(*second, "subject")));
  // A global called under another name is another function too.
  std::string renamed = kProgram;
  renamed.replace(renamed.find("(helper label)"), 14, "(subject label)");
  std::unique_ptr<Vm> third = MakeVm(renamed);
  EXPECT_NE(Canonical(Optimised(*first, "subject")), Canonical(Optimised(*third, "subject")));
}

TEST_F(ModuleKeyTest, TableWordsAreDescribedAndResolvedInAnotherVm) {
  std::unique_ptr<Vm> first = MakeVm(kProgram);
  std::unique_ptr<Vm> second = MakeVm(kProgram);
  ir::Function a = Optimised(*first, "subject");
  ir::Function b = Optimised(*second, "subject");
  std::vector<uint64_t> words = TableWords(a);
  ASSERT_FALSE(words.empty());
  std::vector<WordSource> sources;
  ASSERT_TRUE(DescribeTableWords(a, words, &sources));
  ASSERT_EQ(sources.size(), words.size());

  std::vector<uint64_t> again;
  ASSERT_TRUE(ResolveTableWords(a, sources, &again));
  EXPECT_EQ(again, words);

  // In the other Vm the same sources give its objects: the same runtime functions, another Expr.
  std::vector<uint64_t> there;
  ASSERT_TRUE(ResolveTableWords(b, sources, &there));
  ASSERT_EQ(there.size(), words.size());
  EXPECT_EQ(there, TableWords(b));
  bool some_runtime = false, some_object = false;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].kind == WordSource::kRuntime) {
      some_runtime = true;
      EXPECT_EQ(there[i], words[i]);
    }
    if (sources[i].kind == WordSource::kField || sources[i].kind == WordSource::kFunction) {
      some_object = true;
      EXPECT_NE(there[i], words[i]) << "source " << i;
    }
  }
  EXPECT_TRUE(some_runtime);
  EXPECT_TRUE(some_object);
}

TEST_F(ModuleKeyTest, UnknownWordsAndBadSourcesAreRefused) {
  std::unique_ptr<Vm> vm = MakeVm(kProgram);
  ir::Function f = Optimised(*vm, "subject");
  std::vector<WordSource> sources;
  EXPECT_FALSE(DescribeTableWords(f, {0x12345678}, &sources));  // from nowhere known
  std::vector<uint64_t> words;
  EXPECT_FALSE(ResolveTableWords(f, {{WordSource::kField, 1u << 30, 0}}, &words));
  EXPECT_FALSE(ResolveTableWords(f, {{WordSource::kRuntime, 1u << 30, 0}}, &words));
  EXPECT_FALSE(ResolveTableWords(f, {{WordSource::kFunction, 7, 0}}, &words));
  EXPECT_FALSE(ResolveTableWords(f, {{WordSource::kKindCount, 0, 0}}, &words));
}

}  // namespace
}  // namespace maru::jit
