// W^X audit: while and after the JIT compiles a great deal of code, no mapping of the process is
// both writable and executable (/proc/self/maps never shows "rwx").
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "jit/jit.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/vm.h"

namespace maru {
namespace {

// The lines of /proc/self/maps whose permissions are both writable and executable.
std::string WritableExecutableMappings() {
  std::ifstream maps("/proc/self/maps");
  std::string line, bad;
  while (std::getline(maps, line)) {
    // "start-end perms offset dev inode path": perms like "r-xp".
    size_t space = line.find(' ');
    if (space == std::string::npos || line.size() < space + 5) continue;
    std::string perms = line.substr(space + 1, 4);
    if (perms[1] == 'w' && perms[2] == 'x') bad += line + "\n";
  }
  return bad;
}

TEST(WriteXorExecute, NoWritableExecutableMappingDuringAndAfterCompilation) {
  InitHeap();
  jit::JitOptions options;
  options.mode = jit::JitMode::kEager;
  std::unique_ptr<jit::Jit> compiler = jit::Jit::Create(options);
  ASSERT_NE(compiler->stats().code_memory, "none") << compiler->stats().code_memory_reason;
  Vm vm;
  vm.tier_up = compiler.get();
  ASSERT_TRUE(LoadPrelude(vm));
  // Many distinct functions, compiled and run in batches; audit after each batch.
  for (int batch = 0; batch < 20; ++batch) {
    std::string source;
    for (int i = 0; i < 25; ++i) {
      std::string name = "f" + std::to_string(batch) + "_" + std::to_string(i);
      source += "(define-function " + name + " (n) (if (< n 1) " + std::to_string(i) + " (+ 1 (" +
                name + " (- n 1)))))\n(" + name + " 10)\n";
    }
    ASSERT_TRUE(LoadText(vm, source, "<batch>")) << vm.TakeError().message;
    ASSERT_EQ(WritableExecutableMappings(), "") << "after batch " << batch;
  }
  EXPECT_GE(compiler->stats().functions_compiled, 500);
  EXPECT_EQ(WritableExecutableMappings(), "");
  vm.tier_up = nullptr;
}

}  // namespace
}  // namespace maru
