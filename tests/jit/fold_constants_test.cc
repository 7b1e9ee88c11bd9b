// FoldConstants (jit/passes): inline primitives of constants become constants exactly when the
// result is certain; overflow out of the fixnum range, non-fixnum operands and car/cdr of quoted
// pairs (mutable) are left to run.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class FoldConstantsTest : public IrTextTest {
 protected:
  void Expect(const std::string& in, const std::string& out) { ExpectPass(FoldConstants, in, out); }
  void Unchanged(const std::string& in) { ExpectUnchanged(FoldConstants, in); }
};

// Bitwise operations of fixnums stay fixnums (but << may leave the range: never folded); type-of
// is folded for () and fixnums only (a heap object's type can change).
TEST_F(FoldConstantsTest, BitwiseOperationsAndTypeOf) {
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 12\n"
      "  v1 = const -7\n"
      "  v2 = prim.& v0, v1\n"
      "  v3 = prim.| v0, v1\n"
      "  v4 = prim.^ v0, v1\n"
      "  v5 = prim.~ v0\n"
      "  v6 = prim.>> v1, v0\n"
      "  v7 = prim.<< v0, v0\n"
      "  v8 = prim.type-of v0\n"
      "  v9 = const 'sym\n"
      "  v10 = prim.type-of v9\n"
      "  v11 = call v2(v3, v4, v5, v6, v7, v8, v10)\n"
      "  return v11\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 12\n"
      "  v1 = const -7\n"
      "  v2 = const 8\n"
      "  v3 = const -3\n"
      "  v4 = const -11\n"
      "  v5 = const -13\n"
      "  v6 = const -1\n"
      "  v7 = prim.<< v0, v0\n"
      "  v8 = const 2\n"
      "  v9 = const 'sym\n"
      "  v10 = prim.type-of v9\n"
      "  v11 = call v2(v3, v4, v5, v6, v7, v8, v10)\n"
      "  return v11\n");
}

TEST_F(FoldConstantsTest, ArithmeticAndComparisonsOfFixnums) {
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 6\n"
      "  v1 = const -7\n"
      "  v2 = prim.+ v0, v1\n"
      "  v3 = prim.- v0, v1\n"
      "  v4 = prim.* v0, v1\n"
      "  v5 = prim.< v0, v1\n"
      "  v6 = prim.>= v0, v1\n"
      "  v7 = prim.= v0, v0\n"
      "  v8 = prim.!= v0, v0\n"
      "  v9 = call v2(v3, v4, v5, v6, v7, v8)\n"
      "  return v9\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 6\n"
      "  v1 = const -7\n"
      "  v2 = const -1\n"
      "  v3 = const 13\n"
      "  v4 = const -42\n"
      "  v5 = const ()\n"
      "  v6 = const t\n"
      "  v7 = const t\n"
      "  v8 = const ()\n"
      "  v9 = call v2(v3, v4, v5, v6, v7, v8)\n"
      "  return v9\n");
}

TEST_F(FoldConstantsTest, FoldedValuesFoldFurther) {
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 2\n"
      "  v1 = prim.* v0, v0\n"
      "  v2 = prim.+ v1, v0\n"
      "  v3 = prim.not v2\n"
      "  return v3\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 2\n"
      "  v1 = const 4\n"
      "  v2 = const 6\n"
      "  v3 = const ()\n"
      "  return v3\n");
}

TEST_F(FoldConstantsTest, PredicatesOfAnyConstant) {
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const ()\n"
      "  v1 = const \"s\"\n"
      "  v2 = prim.not v0\n"
      "  v3 = prim.pair? v1\n"
      "  v4 = prim.car v0\n"
      "  v5 = prim.cdr v0\n"
      "  v6 = call v2(v3, v4, v5)\n"
      "  return v6\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const ()\n"
      "  v1 = const \"s\"\n"
      "  v2 = const t\n"
      "  v3 = const ()\n"
      "  v4 = const ()\n"
      "  v5 = const ()\n"
      "  v6 = call v2(v3, v4, v5)\n"
      "  return v6\n");
}

TEST_F(FoldConstantsTest, OverflowOutOfTheFixnumRangeIsLeftToRun) {
  // 2^61 * 2 leaves the fixnum range (the slow path makes a boxed Long); so does 2^61 + 2^61.
  Unchanged(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 2305843009213693952\n"
      "  v1 = const 2\n"
      "  v2 = prim.* v0, v1\n"
      "  v3 = prim.+ v0, v0\n"
      "  v4 = call v2(v3)\n"
      "  return v4\n");
}

TEST_F(FoldConstantsTest, NonFixnumsAndUnknownValuesAreLeftToRun) {
  // Strings are not numbers (an error at run time), car of a string is an error, and loaded
  // values are unknown.
  Unchanged(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = const \"s\"\n"
      "  v1 = const 1\n"
      "  v2 = prim.+ v0, v1\n"
      "  v3 = prim.car v0\n"
      "  v4 = loadslot s0\n"
      "  v5 = prim.+ v4, v1\n"
      "  v6 = call v2(v3, v5)\n"
      "  return v6\n");
}

TEST_F(FoldConstantsTest, ConstantsOfOtherBlocks) {
  Expect(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 3\n"
      "  jump b1\n"
      "b1:\n"
      "  v1 = prim.- v0, v0\n"
      "  return v1\n",
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 3\n"
      "  jump b1\n"
      "b1:\n"
      "  v1 = const 0\n"
      "  return v1\n");
}

}  // namespace
}  // namespace maru::jit::irtext
