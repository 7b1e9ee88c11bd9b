// ShareGuards (jit/passes): each globalis that only feeds its block's branch becomes a branch on a
// guardshold; a guardshold that an earlier one answers (every path from it has no instruction that
// may run Maru code and no assignment of a global) is removed, and a branch on an answer whose
// value is known where it branches (every path to it took the same edge of a branch on it)
// becomes a jump. Paths through edges a known answer does not take do not count, so one run is
// enough: ShareGuardsUntilStable's result does not change when the pass runs again.
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
  // ShareGuardsUntilStable gives `out`, which a further ShareGuards leaves as it is.
  void ExpectStable(const std::string& in, const std::string& out) {
    ExpectPass(ShareGuardsUntilStable, in, out);
    ExpectUnchanged(ShareGuards, out);
  }
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

// A loop without calls: the answer from before the loop holds around the back edge, and so does
// its value (yes: the loop is entered only when it is), so the loop branches on it no more.
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
             "  jump b2\n"
             "b2:\n"
             "  v2 = loadslot s0\n"
             "  branch v2, b1, b4\n"
             "b3:\n"
             "  v3 = evalform #form1\n"
             "  return v3\n"
             "b4:\n"
             "  return v2\n");
}

// A guard's interpreted path joins the compiled one, but the entry's answer decided that path is
// not taken: the join knows the answer, so the next guard needs no guardshold (in one run, before
// the interpreted path is removed), and the code after it none either.
TEST_F(ShareGuardsTest, AJoinWithAPathTheAnswerRulesOutKnowsTheAnswer) {
  ExpectStable(std::string(kHeader) +
                   "b0:\n"
                   "  v0 = guardshold\n"
                   "  branch v0, b1, b6\n"
                   "b1:\n"
                   "  v1 = globalis @lt, #lt\n"
                   "  branch v1, b2, b3\n"
                   "b2:\n"
                   "  v2 = loadslot s0\n"
                   "  v3 = prim.< v2, v2\n"
                   "  jump b4(v3)\n"
                   "b3:\n"
                   "  v4 = evalform #form1\n"
                   "  jump b4(v4)\n"
                   "b4(v5):\n"
                   "  v6 = globalis @plus, #plus\n"
                   "  branch v6, b5, b7\n"
                   "b5:\n"
                   "  return v5\n"
                   "b6:\n"
                   "  v7 = evalform #body\n"
                   "  return v7\n"
                   "b7:\n"
                   "  v8 = evalform #form2\n"
                   "  return v8\n",
               std::string(kHeader) +
                   "b0:\n"
                   "  v0 = guardshold\n"
                   "  branch v0, b1, b5\n"
                   "b1:\n"
                   "  jump b2\n"
                   "b2:\n"
                   "  v2 = loadslot s0\n"
                   "  v3 = prim.< v2, v2\n"
                   "  jump b3(v3)\n"
                   "b3(v5):\n"
                   "  jump b4\n"
                   "b4:\n"
                   "  return v5\n"
                   "b5:\n"
                   "  v7 = evalform #body\n"
                   "  return v7\n");
}

// On the path where the answer was no, a second branch on it takes its no edge.
TEST_F(ShareGuardsTest, AKnownNoTakesTheNoEdge) {
  ExpectStable(std::string(kHeader) +
                   "b0:\n"
                   "  v0 = guardshold\n"
                   "  branch v0, b1, b2\n"
                   "b1:\n"
                   "  v1 = loadslot s0\n"
                   "  return v1\n"
                   "b2:\n"
                   "  v2 = globalis @g, #g\n"
                   "  branch v2, b3, b4\n"
                   "b3:\n"
                   "  v3 = const #g\n"
                   "  return v3\n"
                   "b4:\n"
                   "  v4 = evalform #form1\n"
                   "  return v4\n",
               std::string(kHeader) +
                   "b0:\n"
                   "  v0 = guardshold\n"
                   "  branch v0, b1, b2\n"
                   "b1:\n"
                   "  v1 = loadslot s0\n"
                   "  return v1\n"
                   "b2:\n"
                   "  jump b3\n"
                   "b3:\n"
                   "  v4 = evalform #form1\n"
                   "  return v4\n");
}

// Paths that took different edges of the branch meet: the answer holds, its value is not known.
TEST_F(ShareGuardsTest, BothEdgesMeetingKnowTheAnswerNotItsValue) {
  ExpectStable(std::string(kHeader) +
                   "b0:\n"
                   "  v0 = guardshold\n"
                   "  branch v0, b1, b2\n"
                   "b1:\n"
                   "  jump b3\n"
                   "b2:\n"
                   "  jump b3\n"
                   "b3:\n"
                   "  v1 = globalis @g, #g\n"
                   "  branch v1, b4, b5\n"
                   "b4:\n"
                   "  v2 = const #g\n"
                   "  return v2\n"
                   "b5:\n"
                   "  v3 = evalform #form1\n"
                   "  return v3\n",
               std::string(kHeader) +
                   "b0:\n"
                   "  v0 = guardshold\n"
                   "  branch v0, b1, b2\n"
                   "b1:\n"
                   "  jump b3\n"
                   "b2:\n"
                   "  jump b3\n"
                   "b3:\n"
                   "  branch v0, b4, b5\n"
                   "b4:\n"
                   "  v2 = const #g\n"
                   "  return v2\n"
                   "b5:\n"
                   "  v3 = evalform #form1\n"
                   "  return v3\n");
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
