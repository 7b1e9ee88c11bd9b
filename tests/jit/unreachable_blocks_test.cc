// RemoveUnreachableBlocks (jit/passes): blocks the entry does not reach go; the others keep their
// order and are renumbered, targets with them.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class UnreachableBlocksTest : public IrTextTest {};

const char kHeader[] = "function f level=1 slots=1 params=(s0)\n";

TEST_F(UnreachableBlocksTest, DeadBlocksGoAndTargetsFollow) {
  ExpectPass(RemoveUnreachableBlocks,
             std::string(kHeader) +
                 "b0:\n"
                 "  jump b2\n"
                 "b1:\n"
                 "  v0 = evalform #form\n"
                 "  jump b3(v0)\n"
                 "b2:\n"
                 "  v1 = loadslot s0\n"
                 "  jump b3(v1)\n"
                 "b3(v2):\n"
                 "  return v2\n",
             std::string(kHeader) +
                 "b0:\n"
                 "  jump b1\n"
                 "b1:\n"
                 "  v1 = loadslot s0\n"
                 "  jump b2(v1)\n"
                 "b2(v2):\n"
                 "  return v2\n");
}

TEST_F(UnreachableBlocksTest, ADeadCycleGoesAndLoopsStay) {
  ExpectPass(RemoveUnreachableBlocks,
             std::string(kHeader) +
                 "b0:\n"
                 "  jump b3\n"
                 "b1:\n"
                 "  jump b2\n"
                 "b2:\n"
                 "  jump b1\n"
                 "b3:\n"
                 "  pollinterrupt\n"
                 "  v0 = loadslot s0\n"
                 "  branch v0, b3, b4\n"
                 "b4:\n"
                 "  return v0\n",
             std::string(kHeader) +
                 "b0:\n"
                 "  jump b1\n"
                 "b1:\n"
                 "  pollinterrupt\n"
                 "  v0 = loadslot s0\n"
                 "  branch v0, b1, b2\n"
                 "b2:\n"
                 "  return v0\n");
}

TEST_F(UnreachableBlocksTest, EverythingReachedIsUnchanged) {
  ExpectUnchanged(RemoveUnreachableBlocks, std::string(kHeader) +
                                               "b0:\n"
                                               "  v0 = loadslot s0\n"
                                               "  branch v0, b1, b2\n"
                                               "b1:\n"
                                               "  return v0\n"
                                               "b2:\n"
                                               "  return v0\n");
}

}  // namespace
}  // namespace maru::jit::irtext
