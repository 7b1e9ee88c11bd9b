// A GoogleTest fixture for IR and pass tests: a Vm, the OopNames that give IR text its Oop
// operands, and helpers to run a pass on IR text and get IR text back.
#ifndef MARU_TESTS_JIT_IR_TEST_SUPPORT_H_
#define MARU_TESTS_JIT_IR_TEST_SUPPORT_H_

#include <memory>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "jit/ir/ir.h"
#include "jit/ir/verifier.h"
#include "runtime/heap.h"
#include "runtime/vm.h"
#include "tests/jit/ir_text.h"

namespace maru::jit::irtext {

class IrTextTest : public ::testing::Test {
 protected:
  IrTextTest() : vm_(MakeVm()), names_(*vm_) {}

  static std::unique_ptr<Vm> MakeVm() {
    InitHeap();
    return std::make_unique<Vm>();
  }

  // Parses text (a failed parse fails the test and gives an empty function).
  ir::Function Parse(std::string_view text) {
    ir::Function f;
    std::string problem = ParseFunction(text, names_, &f);
    EXPECT_EQ(problem, "") << text;
    return f;
  }

  std::string Print(const ir::Function& f) { return PrintFunction(f, names_); }

  // Parses `text`, checks that the verifier accepts it, runs `pass` and returns the printed
  // result; the verifier must accept the output too. *changed receives the pass's result.
  std::string RunPass(bool (*pass)(ir::Function&), std::string_view text, bool* changed) {
    ir::Function f = Parse(text);
    EXPECT_EQ(ir::Verify(f), "") << "input does not verify:\n" << text;
    *changed = pass(f);
    std::string out = Print(f);
    EXPECT_EQ(ir::Verify(f), "") << "output does not verify:\n" << out;
    return out;
  }

  // The pass must change `text` into `expected` (and report a change), and then do nothing more
  // when run again on its own output (reporting no change).
  void ExpectPass(bool (*pass)(ir::Function&), std::string_view text, std::string_view expected) {
    bool changed = false;
    std::string out = RunPass(pass, text, &changed);
    EXPECT_EQ(out, expected);
    EXPECT_TRUE(changed) << "the pass reported no change";
    bool again = true;
    EXPECT_EQ(RunPass(pass, out, &again), out) << "a second run changed its own output";
    EXPECT_FALSE(again) << "a second run reported a change";
  }

  // The pass must leave `text` unchanged and report no change.
  void ExpectUnchanged(bool (*pass)(ir::Function&), std::string_view text) {
    bool changed = true;
    EXPECT_EQ(RunPass(pass, text, &changed), text);
    EXPECT_FALSE(changed) << "the pass reported a change";
  }

  std::unique_ptr<Vm> vm_;
  OopNames names_;
};

}  // namespace maru::jit::irtext

#endif  // MARU_TESTS_JIT_IR_TEST_SUPPORT_H_
