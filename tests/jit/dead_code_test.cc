// EliminateDeadCode (jit/passes): an instruction without effects (const, loadslot, param,
// loadglobal, isfixed, globalis) whose result nobody uses is removed, repeatedly; anything with an
// effect or that may raise an error stays.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class DeadCodeTest : public IrTextTest {
 protected:
  void Expect(const std::string& in, const std::string& out) {
    ExpectPass(EliminateDeadCode, in, out);
  }
  void Unchanged(const std::string& in) { ExpectUnchanged(EliminateDeadCode, in); }
};

TEST_F(DeadCodeTest, UnusedPureValuesAreRemoved) {
  Expect(
      "function f level=1 slots=2 params=(s0)\n"
      "b0:\n"
      "  v0 = const 1\n"
      "  v1 = loadslot s0\n"
      "  v2 = loadglobal @g\n"
      "  v3 = const 'unused\n"
      "  v4 = loadslot s1\n"
      "  return v1\n",
      "function f level=1 slots=2 params=(s0)\n"
      "b0:\n"
      "  v1 = loadslot s0\n"
      "  return v1\n");
}

TEST_F(DeadCodeTest, UnusedParamsAreRemoved) {
  // A param only names the argument the prologue stored anyway: one nobody reads costs a
  // register for nothing. The params that stay still start the entry block.
  Expect(
      "function f level=1 slots=3 params=(s0 s1 s2)\n"
      "b0:\n"
      "  v0 = param #0\n"
      "  v1 = param #1\n"
      "  v2 = param #2\n"
      "  v3 = prim.+ v1, v1\n"
      "  return v3\n",
      "function f level=1 slots=3 params=(s0 s1 s2)\n"
      "b0:\n"
      "  v1 = param #1\n"
      "  v3 = prim.+ v1, v1\n"
      "  return v3\n");
  // Used only in another block: it stays.
  Unchanged(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = param #0\n"
      "  jump b1\n"
      "b1:\n"
      "  return v0\n");
}

TEST_F(DeadCodeTest, ChainsOfDeadValuesGoAway) {
  // isfixed of a global nobody calls: the test and then the load die.
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = loadglobal @g\n"
      "  v1 = isfixed v0\n"
      "  v2 = isfixed v1\n"
      "  v3 = const 5\n"
      "  return v3\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v3 = const 5\n"
      "  return v3\n");
}

TEST_F(DeadCodeTest, UnusedGuardsOfGlobalsGoToo) {
  // globalis only reads the global's value cell.
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = globalis @car, #subr\n"
      "  v1 = globalis @g, #expr\n"
      "  branch v1, b1, b1\n"
      "b1:\n"
      "  return v1\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v1 = globalis @g, #expr\n"
      "  branch v1, b1, b1\n"
      "b1:\n"
      "  return v1\n");
}

TEST_F(DeadCodeTest, AcrossBlocks) {
  // A value defined in one block and used in another stays; a value used by nothing anywhere
  // goes, wherever it is.
  Expect(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = const 1\n"
      "  v2 = const 2\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  v4 = const 3\n"
      "  jump b3(v1)\n"
      "b2:\n"
      "  v5 = loadglobal @h\n"
      "  v6 = isfixed v5\n"
      "  jump b3(v0)\n"
      "b3(v3):\n"
      "  v7 = loadslot s0\n"
      "  return v3\n",
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = const 1\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  jump b3(v1)\n"
      "b2:\n"
      "  jump b3(v0)\n"
      "b3(v3):\n"
      "  return v3\n");
}

TEST_F(DeadCodeTest, UnreachableBlocksToo) {
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 1\n"
      "  return v0\n"
      "b1:\n"
      "  v1 = const 2\n"
      "  v2 = loadglobal @g\n"
      "  return v2\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 1\n"
      "  return v0\n"
      "b1:\n"
      "  v2 = loadglobal @g\n"
      "  return v2\n");
}

TEST_F(DeadCodeTest, AfterFoldingABranch) {
  // The pipeline's order: the folded branch leaves its condition unused.
  ir::Function f = Parse(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 0\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  v2 = const 'yes\n"
      "  jump b3(v2)\n"
      "b2:\n"
      "  v3 = const 'no\n"
      "  jump b3(v3)\n"
      "b3(v1):\n"
      "  return v1\n");
  ASSERT_TRUE(FoldConstantBranches(f));
  ASSERT_TRUE(EliminateDeadCode(f));
  EXPECT_EQ(ir::Verify(f), "");
  EXPECT_EQ(Print(f),
            "function f level=1 slots=0 params=()\n"
            "b0:\n"
            "  jump b1\n"
            "b1:\n"
            "  v2 = const 'yes\n"
            "  jump b3(v2)\n"
            "b2:\n"
            "  v3 = const 'no\n"
            "  jump b3(v3)\n"
            "b3(v1):\n"
            "  return v1\n");
}

TEST_F(DeadCodeTest, InstructionsWithEffectsStayEvenWhenUnused) {
  // Calls, primitives (they may raise an error, or call a redefined global), stores, closures,
  // definitions, the interpreter's forms, loads of enclosing variables (they may fail), polls.
  Unchanged(
      "function f level=2 slots=2 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = loadglobal @g\n"
      "  v2 = call v1(v0)\n"
      "  v3 = prim.+ v0, v0\n"
      "  v4 = prim.car v0\n"
      "  v5 = storeslot s1, v0\n"
      "  storeglobal @g, v0\n"
      "  v6 = loadvar #outer\n"
      "  storevar #outer, v0\n"
      "  v7 = closure #lambda\n"
      "  v8 = define @h, v0\n"
      "  namevalue 'h, v0\n"
      "  v9 = evalform #form\n"
      "  v10 = evalatom #atom\n"
      "  v11 = applyfixed v1\n"
      "  pollinterrupt\n"
      "  v12 = const ()\n"
      "  return v12\n");
}

TEST_F(DeadCodeTest, DoesNothingWhenEverythingIsUsed) {
  Unchanged(
      "function fib level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = const 2\n"
      "  v2 = prim.< v0, v1\n"
      "  branch v2, b1, b2\n"
      "b1:\n"
      "  jump b3(v0)\n"
      "b2:\n"
      "  v4 = loadglobal @fib\n"
      "  v5 = isfixed v4\n"
      "  branch v5, b4, b5\n"
      "b3(v3):\n"
      "  return v3\n"
      "b4:\n"
      "  v7 = applyfixed v4\n"
      "  jump b6(v7)\n"
      "b5:\n"
      "  v8 = const 1\n"
      "  v9 = prim.- v0, v8\n"
      "  v10 = call v4(v9)\n"
      "  jump b6(v10)\n"
      "b6(v6):\n"
      "  jump b3(v6)\n");
}

TEST_F(DeadCodeTest, UnusedBlockParametersAndJumpArgumentsStay) {
  // The pass removes instructions only: a parameter nobody reads keeps its argument alive.
  Unchanged(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 1\n"
      "  v1 = loadglobal @g\n"
      "  jump b1(v0, v1)\n"
      "b1(v2, v3):\n"
      "  v4 = const ()\n"
      "  return v4\n");
}

}  // namespace
}  // namespace maru::jit::irtext
