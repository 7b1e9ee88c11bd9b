// FoldConstantBranches (jit/passes): a branch on a constant becomes a jump to the target the
// constant selects; nil is the only false value (spec §5.6 "Truth").
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class FoldConstantBranchesTest : public IrTextTest {
 protected:
  void Expect(const std::string& in, const std::string& out) {
    ExpectPass(FoldConstantBranches, in, out);
  }
  void Unchanged(const std::string& in) { ExpectUnchanged(FoldConstantBranches, in); }
};

// (if C 1 2) with the test `C` a constant.
std::string IfOn(const std::string& constant) {
  return "function f level=1 slots=0 params=()\n"
         "b0:\n"
         "  v0 = const " +
         constant +
         "\n"
         "  branch v0, b1, b2\n"
         "b1:\n"
         "  v2 = const 1\n"
         "  jump b3(v2)\n"
         "b2:\n"
         "  v3 = const 2\n"
         "  jump b3(v3)\n"
         "b3(v1):\n"
         "  return v1\n";
}

std::string IfFolded(const std::string& constant, int target) {
  return "function f level=1 slots=0 params=()\n"
         "b0:\n"
         "  v0 = const " +
         constant +
         "\n"
         "  jump b" +
         std::to_string(target) +
         "\n"
         "b1:\n"
         "  v2 = const 1\n"
         "  jump b3(v2)\n"
         "b2:\n"
         "  v3 = const 2\n"
         "  jump b3(v3)\n"
         "b3(v1):\n"
         "  return v1\n";
}

TEST_F(FoldConstantBranchesTest, NilTakesTheFalseTarget) { Expect(IfOn("()"), IfFolded("()", 2)); }

TEST_F(FoldConstantBranchesTest, EveryOtherConstantTakesTheTrueTarget) {
  // 0, negative numbers, t, symbols, strings, big Longs and other objects are all true.
  for (const char* c : {"0", "1", "-1", "t", "'nil", "\"\"", "4611686018427387904", "#obj"}) {
    SCOPED_TRACE(c);
    Expect(IfOn(c), IfFolded(c, 1));
  }
}

TEST_F(FoldConstantBranchesTest, ConstantDefinedInADominatingBlock) {
  Expect(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = const ()\n"
      "  v1 = loadslot s0\n"
      "  branch v1, b1, b2\n"
      "b1:\n"
      "  branch v0, b2, b3\n"
      "b2:\n"
      "  return v1\n"
      "b3:\n"
      "  return v0\n",
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = const ()\n"
      "  v1 = loadslot s0\n"
      "  branch v1, b1, b2\n"
      "b1:\n"
      "  jump b3\n"
      "b2:\n"
      "  return v1\n"
      "b3:\n"
      "  return v0\n");
}

TEST_F(FoldConstantBranchesTest, EveryConstantBranchOfTheFunction) {
  // (and 'x (or () 'y)) as the lowering shapes it: a chain of branches on constants.
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v1 = const 'x\n"
      "  branch v1, b2, b3\n"
      "b1(v0):\n"
      "  return v0\n"
      "b2:\n"
      "  v3 = const ()\n"
      "  branch v3, b5, b6\n"
      "b3:\n"
      "  jump b1(v1)\n"
      "b4(v2):\n"
      "  jump b1(v2)\n"
      "b5:\n"
      "  jump b4(v3)\n"
      "b6:\n"
      "  v4 = const 'y\n"
      "  jump b4(v4)\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v1 = const 'x\n"
      "  jump b2\n"
      "b1(v0):\n"
      "  return v0\n"
      "b2:\n"
      "  v3 = const ()\n"
      "  jump b6\n"
      "b3:\n"
      "  jump b1(v1)\n"
      "b4(v2):\n"
      "  jump b1(v2)\n"
      "b5:\n"
      "  jump b4(v3)\n"
      "b6:\n"
      "  v4 = const 'y\n"
      "  jump b4(v4)\n");
}

TEST_F(FoldConstantBranchesTest, ConstantLoopConditions) {
  // (while 1 ...) loops for ever; (while () ...) never runs its body.
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  jump b1\n"
      "b1:\n"
      "  pollinterrupt\n"
      "  v0 = const 1\n"
      "  branch v0, b2, b3\n"
      "b2:\n"
      "  jump b1\n"
      "b3:\n"
      "  v1 = const ()\n"
      "  return v1\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  jump b1\n"
      "b1:\n"
      "  pollinterrupt\n"
      "  v0 = const 1\n"
      "  jump b2\n"
      "b2:\n"
      "  jump b1\n"
      "b3:\n"
      "  v1 = const ()\n"
      "  return v1\n");
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  jump b1\n"
      "b1:\n"
      "  pollinterrupt\n"
      "  v0 = const ()\n"
      "  branch v0, b2, b3\n"
      "b2:\n"
      "  jump b1\n"
      "b3:\n"
      "  v1 = const ()\n"
      "  return v1\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  jump b1\n"
      "b1:\n"
      "  pollinterrupt\n"
      "  v0 = const ()\n"
      "  jump b3\n"
      "b2:\n"
      "  jump b1\n"
      "b3:\n"
      "  v1 = const ()\n"
      "  return v1\n");
}

TEST_F(FoldConstantBranchesTest, BothTargetsTheSameBlock) {
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const ()\n"
      "  branch v0, b1, b1\n"
      "b1:\n"
      "  return v0\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const ()\n"
      "  jump b1\n"
      "b1:\n"
      "  return v0\n");
}

TEST_F(FoldConstantBranchesTest, DoesNothingWhenNoBranchTestsAConstant) {
  // A branch on a slot, on a primitive's result, on a block parameter that always receives a
  // constant (not a const instruction), on a global's value.
  Unchanged(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  v1 = const 1\n"
      "  v2 = prim.< v0, v1\n"
      "  branch v2, b2, b3\n"
      "b2:\n"
      "  v3 = const ()\n"
      "  jump b4(v3)\n"
      "b3:\n"
      "  v4 = loadglobal @flag\n"
      "  branch v4, b5, b5\n"
      "b4(v5):\n"
      "  branch v5, b5, b5\n"
      "b5:\n"
      "  return v0\n");
  // No branch at all.
  Unchanged(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 1\n"
      "  jump b1(v0)\n"
      "b1(v1):\n"
      "  return v1\n");
}

TEST_F(FoldConstantBranchesTest, LeavesEverythingButTheTerminatorAlone) {
  // The constant stays (dead-code elimination removes it later), and so does the now
  // unreachable block.
  ir::Function f = Parse(IfOn("()"));
  ASSERT_TRUE(FoldConstantBranches(f));
  EXPECT_EQ(f.blocks.size(), 4u);
  EXPECT_EQ(f.blocks[0].instrs.size(), 2u);
  const ir::Instr& t = f.blocks[0].instrs.back();
  EXPECT_EQ(t.op, ir::Opcode::kJump);
  EXPECT_TRUE(t.args.empty());
  EXPECT_EQ(t.targets[0], 2);
  EXPECT_EQ(t.targets[1], -1);
  EXPECT_EQ(f.value_count, 4);
}

}  // namespace
}  // namespace maru::jit::irtext
