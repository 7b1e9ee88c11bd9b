// EliminateTagChecks (jit/passes/fixnum_types.cc): operands of inline primitives known to be
// fixnums are marked fixnum(i, ...), and + - * whose operands' ranges keep the result a fixnum
// are marked nooverflow; values of unknown type (slots, calls, the interpreter's results) stay
// tested.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class FixnumTypesTest : public IrTextTest {
 protected:
  void Expect(const std::string& in, const std::string& out) {
    ExpectPass(EliminateTagChecks, in, out);
  }
};

const char kHeader[] = "function f level=1 slots=2 params=(s0 s1)\n";

TEST_F(FixnumTypesTest, ConstantsAndMaskedValuesAreFixnumsWithRanges) {
  // (& x 255) is in [0, 255] whatever integer x is; + of two such values cannot overflow; a
  // loaded slot is tested.
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = const 255\n"
             "  v2 = prim.& v0, v1\n"
             "  v3 = prim.+ v2, v2\n"
             "  v4 = prim.+ v3, v0\n"
             "  return v4\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = const 255\n"
             "  v2 = prim.& v0, v1 fixnum(1)\n"
             "  v3 = prim.+ v2, v2 fixnum(0,1) nooverflow\n"
             "  v4 = prim.+ v3, v0 fixnum(0)\n"
             "  return v4\n");
}

TEST_F(FixnumTypesTest, RangesThatMayOverflowKeepTheOverflowTest) {
  // x >> 2 of any integer is a fixnum in [-2^61, 2^61): its square may leave the fixnum range,
  // it minus 2 may not.
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = const 2\n"
             "  v2 = prim.>> v0, v1\n"
             "  v3 = prim.* v2, v2\n"
             "  v4 = prim.- v2, v1\n"
             "  return v3\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = const 2\n"
             "  v2 = prim.>> v0, v1 fixnum(1)\n"
             "  v3 = prim.* v2, v2 fixnum(0,1)\n"
             "  v4 = prim.- v2, v1 fixnum(0,1) nooverflow\n"
             "  return v3\n");
}

TEST_F(FixnumTypesTest, BlockParametersJoinWhatReachesThem) {
  // b3's parameter is 1 or 2: a fixnum. b4's is a fixnum or the interpreter's result: unknown.
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  branch v0, b1, b2\n"
             "b1:\n"
             "  v1 = const 1\n"
             "  jump b3(v1)\n"
             "b2:\n"
             "  v2 = const 2\n"
             "  jump b3(v2)\n"
             "b3(v3):\n"
             "  v4 = prim.< v3, v0\n"
             "  branch v4, b4, b5\n"
             "b4:\n"
             "  v5 = evalform #form\n"
             "  jump b6(v5)\n"
             "b5:\n"
             "  jump b6(v3)\n"
             "b6(v6):\n"
             "  v7 = prim.- v6, v3\n"
             "  return v7\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  branch v0, b1, b2\n"
             "b1:\n"
             "  v1 = const 1\n"
             "  jump b3(v1)\n"
             "b2:\n"
             "  v2 = const 2\n"
             "  jump b3(v2)\n"
             "b3(v3):\n"
             "  v4 = prim.< v3, v0 fixnum(0)\n"
             "  branch v4, b4, b5\n"
             "b4:\n"
             "  v5 = evalform #form\n"
             "  jump b6(v5)\n"
             "b5:\n"
             "  jump b6(v3)\n"
             "b6(v6):\n"
             "  v7 = prim.- v6, v3 fixnum(1)\n"
             "  return v7\n");
}

TEST_F(FixnumTypesTest, ALoopCounterWidensAndMayOverflow) {
  // i starts at 0 and grows by 1 round the loop: a fixnum only while its range is bounded; once
  // widened, i + 1 may overflow into a boxed Long, so nothing is known of it.
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = const 0\n"
             "  jump b1(v0)\n"
             "b1(v1):\n"
             "  pollinterrupt\n"
             "  v2 = loadslot s0\n"
             "  v3 = prim.< v1, v2\n"
             "  branch v3, b2, b3\n"
             "b2:\n"
             "  v4 = const 1\n"
             "  v5 = prim.+ v1, v4\n"
             "  jump b1(v5)\n"
             "b3:\n"
             "  return v1\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = const 0\n"
             "  jump b1(v0)\n"
             "b1(v1):\n"
             "  pollinterrupt\n"
             "  v2 = loadslot s0\n"
             "  v3 = prim.< v1, v2\n"
             "  branch v3, b2, b3\n"
             "b2:\n"
             "  v4 = const 1\n"
             "  v5 = prim.+ v1, v4 fixnum(1)\n"
             "  jump b1(v5)\n"
             "b3:\n"
             "  return v1\n");
}

TEST_F(FixnumTypesTest, NothingKnownIsUnchanged) {
  ExpectUnchanged(EliminateTagChecks, std::string(kHeader) +
                                          "b0:\n"
                                          "  v0 = loadslot s0\n"
                                          "  v1 = loadslot s1\n"
                                          "  v2 = prim.+ v0, v1\n"
                                          "  v3 = prim.car v2\n"
                                          "  return v3\n");
}

}  // namespace
}  // namespace maru::jit::irtext
