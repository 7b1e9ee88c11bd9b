// ShareGuards (jit/passes): each globalis that only feeds its block's branch becomes a branch on a
// guardshold; a guardshold that an earlier one answers (every path from it has no instruction that
// may run Maru code and no assignment of a global) is removed, and a branch on an answer already
// known along a chain of sole predecessors becomes a jump.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class ShareGuardsTest : public IrTextTest {
 protected:
  void Expect(const std::string& in, const std::string& out) { ExpectPass(ShareGuards, in, out); }
  void Unchanged(const std::string& in) { ExpectUnchanged(ShareGuards, in); }
};

const char kHeader[] = "function f level=1 slots=1 params=(s0)\n";

TEST_F(ShareGuardsTest, GuardsWithoutCallsInBetweenShareOneAnswer) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = globalis @plus, #plus\n"
             "  branch v0, b1, b2\n"
             "b1:\n"
             "  v1 = globalis @minus, #minus\n"
             "  branch v1, b3, b4\n"
             "b2:\n"
             "  v2 = evalform #form1\n"
             "  return v2\n"
             "b3:\n"
             "  v3 = loadslot s0\n"
             "  v4 = prim.- v3, v3\n"
             "  v5 = prim.+ v4, v3\n"
             "  return v5\n"
             "b4:\n"
             "  v6 = evalform #form2\n"
             "  return v6\n",
         std::string(kHeader) +
             "b0:\n"
             "  v7 = guardshold\n"
             "  branch v7, b1, b2\n"
             "b1:\n"
             "  jump b3\n"
             "b2:\n"
             "  v2 = evalform #form1\n"
             "  return v2\n"
             "b3:\n"
             "  v3 = loadslot s0\n"
             "  v4 = prim.- v3, v3\n"
             "  v5 = prim.+ v4, v3\n"
             "  return v5\n"
             "b4:\n"
             "  v6 = evalform #form2\n"
             "  return v6\n");
}

TEST_F(ShareGuardsTest, ACallEndsWhatTheAnswerKnows) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = globalis @g, #g\n"
             "  branch v0, b1, b2\n"
             "b1:\n"
             "  v1 = const #g\n"
             "  v2 = call v1()\n"
             "  v3 = globalis @g, #g\n"
             "  branch v3, b3, b2\n"
             "b2:\n"
             "  v4 = evalform #form1\n"
             "  return v4\n"
             "b3:\n"
             "  return v2\n",
         std::string(kHeader) +
             "b0:\n"
             "  v5 = guardshold\n"
             "  branch v5, b1, b2\n"
             "b1:\n"
             "  v1 = const #g\n"
             "  v2 = call v1()\n"
             "  v6 = guardshold\n"
             "  branch v6, b3, b2\n"
             "b2:\n"
             "  v4 = evalform #form1\n"
             "  return v4\n"
             "b3:\n"
             "  return v2\n");
}

TEST_F(ShareGuardsTest, AnAssignedGlobalEndsWhatTheAnswerKnows) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = globalis @g, #g\n"
             "  branch v0, b1, b3\n"
             "b1:\n"
             "  v1 = loadslot s0\n"
             "  storeglobal @g, v1\n"
             "  v2 = globalis @g, #g\n"
             "  branch v2, b2, b3\n"
             "b2:\n"
             "  return v1\n"
             "b3:\n"
             "  v3 = evalform #form1\n"
             "  return v3\n",
         std::string(kHeader) +
             "b0:\n"
             "  v4 = guardshold\n"
             "  branch v4, b1, b3\n"
             "b1:\n"
             "  v1 = loadslot s0\n"
             "  storeglobal @g, v1\n"
             "  v5 = guardshold\n"
             "  branch v5, b2, b3\n"
             "b2:\n"
             "  return v1\n"
             "b3:\n"
             "  v3 = evalform #form1\n"
             "  return v3\n");
}

// The interpreted path of the first guard joins the compiled one: after the join nothing is known
// (the interpreter ran code), so the second guard asks again.
TEST_F(ShareGuardsTest, AJoinWithTheInterpretedPathAsksAgain) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = globalis @lt, #lt\n"
             "  branch v0, b1, b2\n"
             "b1:\n"
             "  v1 = loadslot s0\n"
             "  v2 = prim.< v1, v1\n"
             "  jump b3(v2)\n"
             "b2:\n"
             "  v3 = evalform #form1\n"
             "  jump b3(v3)\n"
             "b3(v4):\n"
             "  v5 = globalis @plus, #plus\n"
             "  branch v5, b4, b5\n"
             "b4:\n"
             "  return v4\n"
             "b5:\n"
             "  v6 = evalform #form2\n"
             "  return v6\n",
         std::string(kHeader) +
             "b0:\n"
             "  v7 = guardshold\n"
             "  branch v7, b1, b2\n"
             "b1:\n"
             "  v1 = loadslot s0\n"
             "  v2 = prim.< v1, v1\n"
             "  jump b3(v2)\n"
             "b2:\n"
             "  v3 = evalform #form1\n"
             "  jump b3(v3)\n"
             "b3(v4):\n"
             "  v8 = guardshold\n"
             "  branch v8, b4, b5\n"
             "b4:\n"
             "  return v4\n"
             "b5:\n"
             "  v6 = evalform #form2\n"
             "  return v6\n");
}

// A loop without calls: the answer from before the loop holds around the back edge.
TEST_F(ShareGuardsTest, TheAnswerHoldsAroundACallFreeLoop) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = globalis @g, #g\n"
             "  branch v0, b1, b3\n"
             "b1:\n"
             "  pollinterrupt\n"
             "  v1 = globalis @h, #h\n"
             "  branch v1, b2, b3\n"
             "b2:\n"
             "  v2 = loadslot s0\n"
             "  branch v2, b1, b4\n"
             "b3:\n"
             "  v3 = evalform #form1\n"
             "  return v3\n"
             "b4:\n"
             "  return v2\n",
         std::string(kHeader) +
             "b0:\n"
             "  v4 = guardshold\n"
             "  branch v4, b1, b3\n"
             "b1:\n"
             "  pollinterrupt\n"
             "  branch v4, b2, b3\n"
             "b2:\n"
             "  v2 = loadslot s0\n"
             "  branch v2, b1, b4\n"
             "b3:\n"
             "  v3 = evalform #form1\n"
             "  return v3\n"
             "b4:\n"
             "  return v2\n");
}

TEST_F(ShareGuardsTest, AGuardWithOtherUsesStays) {
  Unchanged(std::string(kHeader) +
            "b0:\n"
            "  v0 = globalis @g, #g\n"
            "  branch v0, b1, b2\n"
            "b1:\n"
            "  return v0\n"
            "b2:\n"
            "  v1 = evalform #form1\n"
            "  return v1\n");
}

}  // namespace
}  // namespace maru::jit::irtext
