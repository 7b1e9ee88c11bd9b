// Register allocation (jit/backend/regalloc): on IR text and a made-up register file (numbers
// that no ISA means, so each choice shows where it came from), the locations chosen for the
// values whose placement matters: arguments received in registers, and values near calls.
#include "jit/backend/regalloc.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/ir/ir.h"
#include "jit/ir/verifier.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

// The default choice takes the pool's last free register (3, then 2, ...): preferred registers
// differ from it, so a preference that was ignored shows.
RegisterFile TestRegisters() {
  RegisterFile registers;
  registers.caller_saved = {0, 1, 2, 3};
  registers.callee_saved = {12, 13};
  registers.param_registers = {1, 0, 2};
  return registers;
}

bool IsCallerSaved(const Location& loc) {
  const std::vector<int> caller = TestRegisters().caller_saved;
  return loc.kind == Location::kRegister &&
         std::find(caller.begin(), caller.end(), loc.index) != caller.end();
}

bool IsCalleeSaved(const Location& loc) {
  const std::vector<int> callee = TestRegisters().callee_saved;
  return loc.kind == Location::kRegister &&
         std::find(callee.begin(), callee.end(), loc.index) != callee.end();
}

class RegallocTest : public IrTextTest {
 protected:
  Allocation Allocate(const std::string& text, const RegisterFile& registers = TestRegisters()) {
    ir::Function f = Parse(text);
    EXPECT_EQ(ir::Verify(f), "") << text;
    Allocation a = AllocateRegisters(f, registers);
    EXPECT_EQ(a.location.size(), static_cast<size_t>(f.value_count));
    return a;
  }
};

TEST_F(RegallocTest, ParamsGetTheRegistersTheyArriveIn) {
  // Neither argument lives across a call: each stays where the caller put it, and the entry
  // moves nothing.
  Allocation a = Allocate(
      "function f level=1 slots=2 params=(s0 s1)\n"
      "b0:\n"
      "  v0 = param #0\n"
      "  v1 = param #1\n"
      "  v2 = prim.- v1, v0\n"
      "  return v2\n");
  EXPECT_EQ(a.location[0].kind, Location::kRegister);
  EXPECT_EQ(a.location[0].index, 1);
  EXPECT_EQ(a.location[1].kind, Location::kRegister);
  EXPECT_EQ(a.location[1].index, 0);
  // Their registers are taken while they live.
  EXPECT_TRUE(IsCallerSaved(a.location[2])) << a.location[2].index;
  EXPECT_NE(a.location[2].index, 0);
  EXPECT_NE(a.location[2].index, 1);
  EXPECT_TRUE(a.callee_saved_used.empty());
}

TEST_F(RegallocTest, AParamLiveAcrossACallIsNotLeftInItsRegister) {
  // The call clobbers the argument registers: v1, used after it, goes to a callee-saved
  // register; v0, last used as the call's argument, still gets its own.
  Allocation a = Allocate(
      "function f level=1 slots=2 params=(s0 s1)\n"
      "b0:\n"
      "  v0 = param #0\n"
      "  v1 = param #1\n"
      "  v2 = loadglobal @g\n"
      "  v3 = call v2(v0)\n"
      "  v4 = prim.- v3, v1\n"
      "  return v4\n");
  EXPECT_EQ(a.location[0].kind, Location::kRegister);
  EXPECT_EQ(a.location[0].index, 1);
  EXPECT_TRUE(IsCalleeSaved(a.location[1])) << a.location[1].kind << " " << a.location[1].index;
  EXPECT_EQ(a.callee_saved_used, std::vector<int>{a.location[1].index});
}

TEST_F(RegallocTest, AParamBeyondTheParamRegistersGetsAnyRegister) {
  // Only three parameters arrive in registers here; the fourth is allocated as any value. (The
  // primitives keep the caller-saved registers, as on x86-64: the arguments live across them.)
  RegisterFile registers = TestRegisters();
  registers.primitives_preserve_registers = true;
  Allocation a = Allocate(
      "function f level=1 slots=4 params=(s0 s1 s2 s3)\n"
      "b0:\n"
      "  v0 = param #0\n"
      "  v1 = param #1\n"
      "  v2 = param #2\n"
      "  v3 = param #3\n"
      "  v4 = prim.- v3, v2\n"
      "  v5 = prim.- v1, v0\n"
      "  v6 = prim.- v4, v5\n"
      "  return v6\n",
      registers);
  EXPECT_EQ(a.location[0].index, 1);
  EXPECT_EQ(a.location[1].index, 0);
  EXPECT_EQ(a.location[2].index, 2);
  EXPECT_EQ(a.location[3].kind, Location::kRegister);
  EXPECT_EQ(a.location[3].index, 3);
}

TEST_F(RegallocTest, AValueUsedOnlyOnAPathWithoutACallKeepsACallerSavedRegister) {
  // v1 is used by one arm of the branch; the other arm calls, and v1 is dead there. Whether
  // the calling arm is laid out between v1's definition and its use (the first function: the
  // allocator numbers the blocks in reverse post-order, b0 b2 b1) or not (the second), v1 does
  // not live across the call, and a callee-saved register (saved and restored by the prologue
  // and epilogue) would be wasted on it.
  const std::vector<std::string> functions = {
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = loadglobal @h\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  return v1\n"
      "b2:\n"
      "  v2 = loadglobal @g\n"
      "  v3 = call v2(v0)\n"
      "  return v3\n",
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = loadglobal @h\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  v2 = loadglobal @g\n"
      "  v3 = call v2(v0)\n"
      "  return v3\n"
      "b2:\n"
      "  return v1\n",
  };
  for (const std::string& text : functions) {
    SCOPED_TRACE(text);
    Allocation a = Allocate(text);
    EXPECT_TRUE(IsCallerSaved(a.location[1])) << a.location[1].kind << " " << a.location[1].index;
    EXPECT_TRUE(a.callee_saved_used.empty());
  }
  // Used after the call on the calling arm, it does live across it.
  Allocation a = Allocate(
      "function f level=1 slots=1 params=(s0)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = loadglobal @h\n"
      "  branch v0, b1, b2\n"
      "b1:\n"
      "  return v1\n"
      "b2:\n"
      "  v2 = loadglobal @g\n"
      "  v3 = call v2(v0)\n"
      "  v4 = storeslot s0, v1\n"
      "  return v3\n");
  EXPECT_TRUE(IsCalleeSaved(a.location[1])) << a.location[1].kind << " " << a.location[1].index;
  EXPECT_EQ(a.callee_saved_used, std::vector<int>{a.location[1].index});
}

}  // namespace
}  // namespace maru::jit::irtext
