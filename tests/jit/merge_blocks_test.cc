// MergeBlocks (jit/passes): edges skip empty blocks that only jump, a block absorbs the target of
// its jump when it is the target's only predecessor (its parameters become the jump's
// arguments), and the blocks left behind are removed.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class MergeBlocksTest : public IrTextTest {};

const char kHeader[] = "function f level=1 slots=2 params=(s0 s1)\n";

TEST_F(MergeBlocksTest, AChainOfJumpsBecomesOneBlock) {
  ExpectPass(MergeBlocks,
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  jump b2\n"
                 "b1:\n"
                 "  v2 = prim.+ v0, v1\n"
                 "  return v2\n"
                 "b2:\n"
                 "  v1 = const 1\n"
                 "  jump b3\n"
                 "b3:\n"
                 "  jump b1\n",
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  v1 = const 1\n"
                 "  v2 = prim.+ v0, v1\n"
                 "  return v2\n");
}

TEST_F(MergeBlocksTest, ParametersOfAnAbsorbedBlockBecomeTheArguments) {
  // b1's parameter is v3, passed v0; b2's is v4, passed v3 (itself replaced).
  ExpectPass(MergeBlocks,
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  jump b1(v0)\n"
                 "b1(v3):\n"
                 "  v5 = prim.car v3\n"
                 "  jump b2(v3)\n"
                 "b2(v4):\n"
                 "  v6 = prim.cons v4, v5\n"
                 "  return v6\n",
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  v5 = prim.car v0\n"
                 "  v6 = prim.cons v0, v5\n"
                 "  return v6\n");
}

TEST_F(MergeBlocksTest, BranchesSkipEmptyBlocksAndJoinsStay) {
  // b1 and b2 only jump on: the branch goes straight to b3 and b4. b5 has two predecessors and
  // stays a block of its own.
  ExpectPass(MergeBlocks,
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  branch v0, b1, b2\n"
                 "b1:\n"
                 "  jump b3\n"
                 "b2:\n"
                 "  jump b4\n"
                 "b3:\n"
                 "  v1 = const 1\n"
                 "  jump b5(v1)\n"
                 "b4:\n"
                 "  v2 = const 2\n"
                 "  jump b5(v2)\n"
                 "b5(v3):\n"
                 "  return v3\n",
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  branch v0, b1, b2\n"
                 "b1:\n"
                 "  v1 = const 1\n"
                 "  jump b3(v1)\n"
                 "b2:\n"
                 "  v2 = const 2\n"
                 "  jump b3(v2)\n"
                 "b3(v3):\n"
                 "  return v3\n");
}

TEST_F(MergeBlocksTest, AJumpTakesOnTheArgumentsOfAnEmptyBlocksJump) {
  // b1 and b2 both reach b3 (two predecessors) through empty blocks; the jumps to the empty
  // blocks become jumps to b3 with their arguments.
  ExpectPass(MergeBlocks,
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  v1 = param #1\n"
                 "  branch v0, b1, b2\n"
                 "b1:\n"
                 "  v2 = prim.car v1\n"
                 "  jump b4\n"
                 "b2:\n"
                 "  v3 = prim.cdr v1\n"
                 "  jump b5\n"
                 "b3(v4):\n"
                 "  return v4\n"
                 "b4:\n"
                 "  jump b3(v0)\n"
                 "b5:\n"
                 "  jump b3(v1)\n",
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  v1 = param #1\n"
                 "  branch v0, b1, b2\n"
                 "b1:\n"
                 "  v2 = prim.car v1\n"
                 "  jump b3(v0)\n"
                 "b2:\n"
                 "  v3 = prim.cdr v1\n"
                 "  jump b3(v1)\n"
                 "b3(v4):\n"
                 "  return v4\n");
}

TEST_F(MergeBlocksTest, LoopsKeepTheirHeaders) {
  // The loop header b1 has two predecessors (the entry and the back-edge) and stays; only the
  // exit chain b3 -> b4 merges.
  ExpectPass(MergeBlocks,
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  jump b1(v0)\n"
                 "b1(v1):\n"
                 "  pollinterrupt\n"
                 "  branch v1, b2, b3\n"
                 "b2:\n"
                 "  v2 = prim.cdr v1\n"
                 "  jump b1(v2)\n"
                 "b3:\n"
                 "  jump b4\n"
                 "b4:\n"
                 "  return v1\n",
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  jump b1(v0)\n"
                 "b1(v1):\n"
                 "  pollinterrupt\n"
                 "  branch v1, b2, b3\n"
                 "b2:\n"
                 "  v2 = prim.cdr v1\n"
                 "  jump b1(v2)\n"
                 "b3:\n"
                 "  return v1\n");
}

TEST_F(MergeBlocksTest, AnEmptySelfLoopIsLeftAlone) {
  ExpectUnchanged(MergeBlocks, std::string(kHeader) +
                                   "b0:\n"
                                   "  v0 = param #0\n"
                                   "  branch v0, b1, b2\n"
                                   "b1:\n"
                                   "  jump b1\n"
                                   "b2:\n"
                                   "  return v0\n");
}

TEST_F(MergeBlocksTest, TheEntryIsNeverAbsorbed) {
  // b1 jumps back to the entry, which has no parameters and one predecessor edge: the entry is
  // entered from the prologue too, so it stays.
  ExpectUnchanged(MergeBlocks, std::string(kHeader) +
                                   "b0:\n"
                                   "  v0 = loadslot s0\n"
                                   "  branch v0, b1, b2\n"
                                   "b1:\n"
                                   "  v1 = storeslot s0, v0\n"
                                   "  jump b0\n"
                                   "b2:\n"
                                   "  return v0\n");
}

TEST_F(MergeBlocksTest, NothingToMergeIsUnchanged) {
  ExpectUnchanged(MergeBlocks, std::string(kHeader) +
                                   "b0:\n"
                                   "  v0 = param #0\n"
                                   "  branch v0, b1, b2\n"
                                   "b1:\n"
                                   "  return v0\n"
                                   "b2:\n"
                                   "  v1 = const 1\n"
                                   "  return v1\n");
}

}  // namespace
}  // namespace maru::jit::irtext
