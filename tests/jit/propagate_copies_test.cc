// PropagateCopies (jit/passes): storeslot results and block parameters that always receive the
// same value are replaced by the value they copy; parameters that really merge stay.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class PropagateCopiesTest : public IrTextTest {
 protected:
  void Expect(const std::string& in, const std::string& out) {
    ExpectPass(PropagateCopies, in, out);
  }
  void Unchanged(const std::string& in) { ExpectUnchanged(PropagateCopies, in); }
};

TEST_F(PropagateCopiesTest, StoreSlotResultsAreTheStoredValue) {
  Expect(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = storeslot s0, v0\n"
      "  return v1\n",
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = storeslot s0, v0\n"
      "  return v0\n");
}

TEST_F(PropagateCopiesTest, ParametersThatAlwaysGetTheSameValueGo) {
  Expect(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  jump b3(v0)\n"
      "b2:\n"
      "  jump b3(v0)\n"
      "b3(v1):\n"
      "  return v1\n",
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  jump b3\n"
      "b2:\n"
      "  jump b3\n"
      "b3:\n"
      "  return v0\n");
}

TEST_F(PropagateCopiesTest, ChainsResolveAndLoopsPassingThemselvesDoToo) {
  // b2 is a loop that passes its own parameter around: it always holds v0.
  Expect(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = storeslot s0, v0\n"
      "  jump b1(v1)\n"
      "b1(v2):\n"
      "  jump b2(v2)\n"
      "b2(v3):\n"
      "  pollinterrupt\n"
      "  branch v3, b3, b4\n"
      "b3:\n"
      "  jump b2(v3)\n"
      "b4:\n"
      "  return v3\n",
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = storeslot s0, v0\n"
      "  jump b1\n"
      "b1:\n"
      "  jump b2\n"
      "b2:\n"
      "  pollinterrupt\n"
      "  branch v0, b3, b4\n"
      "b3:\n"
      "  jump b2\n"
      "b4:\n"
      "  return v0\n");
}

TEST_F(PropagateCopiesTest, RealMergesStay) {
  Unchanged(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = const 1\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  jump b3(v0, v1)\n"
      "b2:\n"
      "  jump b3(v1, v0)\n"
      "b3(v2, v3):\n"
      "  v4 = call v2(v3)\n"
      "  return v4\n");
}

TEST_F(PropagateCopiesTest, OnlyTheCopiedParameterOfSeveralGoes) {
  Expect(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = const 1\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  jump b3(v0, v1)\n"
      "b2:\n"
      "  jump b3(v1, v1)\n"
      "b3(v2, v3):\n"
      "  v4 = call v2(v3)\n"
      "  return v4\n",
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = const 1\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  jump b3(v0)\n"
      "b2:\n"
      "  jump b3(v1)\n"
      "b3(v2):\n"
      "  v4 = call v2(v1)\n"
      "  return v4\n");
}

}  // namespace
}  // namespace maru::jit::irtext
