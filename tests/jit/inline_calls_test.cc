// InlineCalls (jit/passes): a known call of a small function becomes a copy of the callee's body
// in an inline frame of its own (an enterinline, the parameters stored into the frame's slots,
// the callee's blocks renumbered, each return a jump to the rest of the caller's block); calls
// in a copy stay calls, and callees that do not qualify or do not fit the budget stay calls.
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class InlineCallsTest : public IrTextTest {
 protected:
  // Callee IR text by the name of its opaque object (#name).
  void Callee(const std::string& name, const std::string& text) { callees_[name] = text; }

  // Parses the caller, marks every call of a constant as a known call (as the lowering does for
  // a global's compile-time value), inlines and returns the printed result, which must verify.
  std::string Inline(const std::string& caller, InlineLimits limits = InlineLimits(),
                     int* count = nullptr) {
    ir::Function f = Parse(caller);
    std::map<ir::ValueId, Oop> constants;
    for (ir::Block& b : f.blocks) {
      for (ir::Instr& in : b.instrs) {
        if (in.op == ir::Opcode::kConst) constants[in.result] = in.imm;
        if (in.op == ir::Opcode::kCall && constants.contains(in.args[0])) {
          in.imm2 = constants[in.args[0]];
        }
      }
    }
    EXPECT_EQ(ir::Verify(f), "");
    auto lower = [&](Oop callee, InlineCallee* out) {
      std::string name = names_.NameOf(callee);
      auto it = callees_.find(name);
      if (it == callees_.end()) return false;
      out->ir = Parse(it->second);
      out->ir.expr = callee;
      return true;
    };
    int inlined = InlineCalls(f, lower, limits);
    if (count != nullptr) *count = inlined;
    std::string out = Print(f);
    EXPECT_EQ(ir::Verify(f), "") << out;
    return out;
  }

  std::map<std::string, std::string> callees_;
};

const char kSquare[] =
    "function sq level=1 slots=1 params=(s0)\n"
    "b0:\n"
    "  v0 = loadslot s0\n"
    "  v1 = prim.* v0, v0\n"
    "  return v1\n";

const char kCaller[] =
    "function f level=1 slots=1 params=(s0)\n"
    "b0:\n"
    "  v0 = loadslot s0\n"
    "  v1 = const #sq\n"
    "  v2 = call v1(v0)\n"
    "  v3 = prim.+ v2, v0\n"
    "  return v3\n";

TEST_F(InlineCallsTest, AKnownCallBecomesTheCalleesBody) {
  Callee("sq", kSquare);
  int count = 0;
  EXPECT_EQ(Inline(kCaller, InlineLimits(), &count),
            "function f level=1 slots=1 params=(s0)\n"
            "inline @1 in @0 slots=s1+1 level=1 callee=#sq\n"
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  v1 = const #sq\n"
            "  enterinline @1\n"
            "  v6 = storeslot s1, v0 @1\n"
            "  jump b1 @1\n"
            "b1:\n"
            "  v4 = loadslot s1 @1\n"
            "  v5 = prim.* v4, v4 @1\n"
            "  jump b2(v5) @1\n"
            "b2(v2):\n"
            "  v3 = prim.+ v2, v0\n"
            "  return v3\n");
  EXPECT_EQ(count, 1);
}

TEST_F(InlineCallsTest, TheCalleesParamsAreTheCallsArguments) {
  // The callee as lowered names its arguments with params; in the copy there is no entry to
  // receive them, so each use reads the argument the call passed instead, in every block of the
  // copy. The arguments are the caller's own params swapped: a use reading the argument of the
  // wrong index, or the param of the wrong function, shows.
  Callee("pick",
         "function pick level=1 slots=2 params=(s0 s1)\n"
         "b0:\n"
         "  v0 = param #0\n"
         "  v1 = param #1\n"
         "  v2 = prim.< v0, v1\n"
         "  branch v2, b1, b2\n"
         "b1:\n"
         "  return v1\n"
         "b2:\n"
         "  v3 = prim.- v0, v1\n"
         "  return v3\n");
  int count = 0;
  EXPECT_EQ(Inline("function f level=1 slots=2 params=(s0 s1)\n"
                   "b0:\n"
                   "  v0 = param #0\n"
                   "  v1 = param #1\n"
                   "  v2 = const #pick\n"
                   "  v3 = call v2(v1, v0)\n"
                   "  v4 = prim.+ v3, v0\n"
                   "  return v4\n",
                   InlineLimits(), &count),
            "function f level=1 slots=2 params=(s0 s1)\n"
            "inline @1 in @0 slots=s2+2 level=1 callee=#pick\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = param #1\n"
            "  v2 = const #pick\n"
            "  enterinline @1\n"
            "  v9 = storeslot s2, v1 @1\n"
            "  v10 = storeslot s3, v0 @1\n"
            "  jump b1 @1\n"
            "b1:\n"
            "  v7 = prim.< v1, v0 @1\n"
            "  branch v7, b2, b3 @1\n"
            "b2:\n"
            "  jump b4(v0) @1\n"
            "b3:\n"
            "  v8 = prim.- v1, v0 @1\n"
            "  jump b4(v8) @1\n"
            "b4(v3):\n"
            "  v4 = prim.+ v3, v0\n"
            "  return v4\n");
  EXPECT_EQ(count, 1);
  // Constant and computed arguments too.
  std::string out = Inline(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = param #0\n"
      "  v1 = const #pick\n"
      "  v2 = const 5\n"
      "  v3 = prim.+ v0, v2\n"
      "  v4 = call v1(v2, v3)\n"
      "  return v4\n");
  EXPECT_NE(out.find("  v7 = prim.< v2, v3 @1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  v8 = prim.- v2, v3 @1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  jump b4(v3) @1\n"), std::string::npos) << out;
  EXPECT_EQ(out.find(" = param #0 @1"), std::string::npos) << out;
  EXPECT_EQ(out.find(" = param #1"), std::string::npos) << out;
}

TEST_F(InlineCallsTest, LocalsThatAreNotParametersStartNil) {
  Callee("g",
         "function g level=2 slots=2 params=(s0)\n"
         "b0:\n"
         "  v0 = loadslot s1\n"
         "  return v0\n");
  EXPECT_EQ(Inline("function f level=1 slots=0 params=()\n"
                   "b0:\n"
                   "  v0 = const 7\n"
                   "  v1 = const #g\n"
                   "  v2 = call v1(v0)\n"
                   "  return v2\n"),
            "function f level=1 slots=0 params=()\n"
            "inline @1 in @0 slots=s0+2 level=2 callee=#g\n"
            "b0:\n"
            "  v0 = const 7\n"
            "  v1 = const #g\n"
            "  enterinline @1\n"
            "  v4 = storeslot s0, v0 @1\n"
            "  v5 = const () @1\n"
            "  v6 = storeslot s1, v5 @1\n"
            "  jump b1 @1\n"
            "b1:\n"
            "  v3 = loadslot s1 @1\n"
            "  jump b2(v3) @1\n"
            "b2(v2):\n"
            "  return v2\n");
}

TEST_F(InlineCallsTest, CallsInsideACopyStayCalls) {
  // A recursive callee: its copy still calls itself.
  Callee("r",
         "function r level=1 slots=1 params=(s0)\n"
         "b0:\n"
         "  v0 = loadslot s0\n"
         "  v1 = const #r\n"
         "  v2 = call v1(v0)\n"
         "  return v2\n");
  std::string out = Inline("function f level=1 slots=1 params=(s0)\n"
                           "b0:\n"
                           "  v0 = loadslot s0\n"
                           "  v1 = const #r\n"
                           "  v2 = call v1(v0)\n"
                           "  return v2\n");
  EXPECT_NE(out.find("inline @1 "), std::string::npos) << out;
  EXPECT_EQ(out.find("inline @2 "), std::string::npos) << out;
  EXPECT_NE(out.find("= call v"), std::string::npos) << out;
}

TEST_F(InlineCallsTest, EachCallGetsItsOwnFrameAndSlots) {
  Callee("sq", kSquare);
  std::string out = Inline("function f level=1 slots=1 params=(s0)\n"
                           "b0:\n"
                           "  v0 = loadslot s0\n"
                           "  v1 = const #sq\n"
                           "  v2 = call v1(v0)\n"
                           "  v3 = call v1(v2)\n"
                           "  return v3\n");
  EXPECT_NE(out.find("inline @1 in @0 slots=s1+1"), std::string::npos) << out;
  EXPECT_NE(out.find("inline @2 in @0 slots=s2+1"), std::string::npos) << out;
  EXPECT_EQ(out.find("= call"), std::string::npos) << out;
}

TEST_F(InlineCallsTest, CalleesThatDoNotQualifyStayCalls) {
  // Another arity, a rest parameter, a closure (it could capture the activation), an unknown
  // callee (no IR), a call whose function is not the constant the guard checked.
  Callee("sq", kSquare);
  Callee("rest",
         "function rest level=1 slots=1 params=(. s0)\n"
         "b0:\n"
         "  v0 = loadslot s0\n"
         "  return v0\n");
  Callee("closure",
         "function closure level=1 slots=1 params=(s0)\n"
         "b0:\n"
         "  v0 = closure #lambda\n"
         "  return v0\n");
  for (const char* call : {"  v2 = call v1(v0, v0)\n", "  v2 = call v0(v0)\n"}) {
    std::string caller = std::string("function f level=1 slots=1 params=(s0)\n"
                                     "b0:\n"
                                     "  v0 = loadslot s0\n"
                                     "  v1 = const #sq\n") +
                         call + "  return v2\n";
    EXPECT_EQ(Inline(caller), caller);
  }
  for (const char* callee : {"#rest", "#closure", "#unknown"}) {
    std::string caller = std::string("function f level=1 slots=1 params=(s0)\n"
                                     "b0:\n"
                                     "  v0 = loadslot s0\n"
                                     "  v1 = const ") +
                         callee + "\n  v2 = call v1(v0)\n  return v2\n";
    EXPECT_EQ(Inline(caller), caller);
  }
}

TEST_F(InlineCallsTest, TheBudgetBoundsGrowth) {
  Callee("sq", kSquare);
  const std::string two_calls =
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = const #sq\n"
      "  v2 = call v1(v0)\n"
      "  v3 = call v1(v2)\n"
      "  return v3\n";
  InlineLimits small;
  small.max_callee_instructions = 2;  // sq has 3
  int count = -1;
  EXPECT_EQ(Inline(two_calls, small, &count), two_calls);
  EXPECT_EQ(count, 0);
  InlineLimits one;
  one.max_added_instructions = 4;  // room for one copy
  std::string out = Inline(two_calls, one, &count);
  EXPECT_EQ(count, 1);
  EXPECT_EQ(out.find("inline @2"), std::string::npos) << out;
  InlineLimits slots;
  slots.max_total_slots = 2;  // the caller's one and one copy's
  Inline(two_calls, slots, &count);
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace maru::jit::irtext
