// InvertNotBranches (jit/passes): a branch whose condition is an inline `not` used only there
// branches on the `not`'s operand with its targets swapped, and the `not` goes.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class InvertNotBranchesTest : public IrTextTest {
 protected:
  void Expect(const std::string& in, const std::string& out) {
    ExpectPass(InvertNotBranches, in, out);
  }
  void Unchanged(const std::string& in) { ExpectUnchanged(InvertNotBranches, in); }
};

const char kHeader[] = "function f level=1 slots=2 params=(s0 s1)\n";

TEST_F(InvertNotBranchesTest, ABranchOnNotSwapsItsTargets) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = loadslot s1\n"
             "  v2 = prim.< v0, v1\n"
             "  v3 = prim.not v2\n"
             "  branch v3, b1, b2\n"
             "b1:\n"
             "  return v0\n"
             "b2:\n"
             "  return v1\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = loadslot s1\n"
             "  v2 = prim.< v0, v1\n"
             "  branch v2, b2, b1\n"
             "b1:\n"
             "  return v0\n"
             "b2:\n"
             "  return v1\n");
}

TEST_F(InvertNotBranchesTest, ANotWhoseValueIsAlsoUsedStays) {
  Unchanged(std::string(kHeader) +
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  v1 = prim.not v0\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  return v1\n"
            "b2:\n"
            "  return v0\n");
}

TEST_F(InvertNotBranchesTest, OnlyNotIsInverted) {
  Unchanged(std::string(kHeader) +
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  v1 = prim.pair? v0\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  return v0\n"
            "b2:\n"
            "  v2 = loadslot s1\n"
            "  return v2\n");
}

}  // namespace
}  // namespace maru::jit::irtext
