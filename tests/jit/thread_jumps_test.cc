// ThreadJumps (jit/passes): a jump to a block that only branches on the value the jump passes
// becomes that branch.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class ThreadJumpsTest : public IrTextTest {};

const char kHeader[] = "function f level=1 slots=1 params=(s0)\n";

TEST_F(ThreadJumpsTest, AJumpToABranchOnItsValueBranches) {
  ExpectPass(ThreadJumps,
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  v1 = const 2\n"
                 "  v2 = prim.< v0, v1\n"
                 "  jump b1(v2)\n"
                 "b1(v3):\n"
                 "  branch v3, b2, b3\n"
                 "b2:\n"
                 "  return v0\n"
                 "b3:\n"
                 "  return v1\n",
             std::string(kHeader) +
                 "b0:\n"
                 "  v0 = param #0\n"
                 "  v1 = const 2\n"
                 "  v2 = prim.< v0, v1\n"
                 "  branch v2, b2, b3\n"
                 "b1(v3):\n"
                 "  branch v3, b2, b3\n"
                 "b2:\n"
                 "  return v0\n"
                 "b3:\n"
                 "  return v1\n");
}

TEST_F(ThreadJumpsTest, ABranchBlockThatUsesItsParameterElsewhereStays) {
  // b1's parameter is also returned by b2: the jump must keep passing it.
  ExpectUnchanged(ThreadJumps, std::string(kHeader) +
                                   "b0:\n"
                                   "  v0 = param #0\n"
                                   "  jump b1(v0)\n"
                                   "b1(v1):\n"
                                   "  branch v1, b2, b3\n"
                                   "b2:\n"
                                   "  return v1\n"
                                   "b3:\n"
                                   "  return v0\n");
}

TEST_F(ThreadJumpsTest, ABlockThatDoesMoreThanBranchStays) {
  ExpectUnchanged(ThreadJumps, std::string(kHeader) +
                                   "b0:\n"
                                   "  v0 = param #0\n"
                                   "  jump b1(v0)\n"
                                   "b1(v1):\n"
                                   "  v2 = prim.not v1\n"
                                   "  branch v2, b2, b3\n"
                                   "b2:\n"
                                   "  return v0\n"
                                   "b3:\n"
                                   "  return v2\n");
}

}  // namespace
}  // namespace maru::jit::irtext
