// GuardEntry (jit/passes): a function with guards answers them all with one guardshold on entry;
// when it says no, the interpreter runs the whole body (Function::body) in the activation.
#include <string>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "runtime/heap.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class GuardEntryTest : public IrTextTest {
 protected:
  // Parses `text` and gives it a body of two forms, #form1 and #form2.
  ir::Function WithBody(const std::string& text) {
    ir::Function f = Parse(text);
    f.body = NewPair(names_.Named("form1"), NewPair(names_.Named("form2"), kNil));
    return f;
  }
};

const char kHeader[] = "function f level=1 slots=1 params=(s0)\n";

TEST_F(GuardEntryTest, TheEntryAsksOnceAndFallsBackToTheWholeBody) {
  ir::Function f = WithBody(std::string(kHeader) +
                            "b0:\n"
                            "  v0 = globalis @g, #g\n"
                            "  branch v0, b1, b2\n"
                            "b1:\n"
                            "  v1 = loadslot s0\n"
                            "  return v1\n"
                            "b2:\n"
                            "  v2 = evalform #form2\n"
                            "  return v2\n");
  EXPECT_TRUE(GuardEntry(f));
  EXPECT_EQ(ir::Verify(f), "");
  EXPECT_EQ(Print(f), std::string(kHeader) +
                          "b0:\n"
                          "  v5 = guardshold\n"
                          "  branch v5, b3, b4\n"
                          "b1:\n"
                          "  v1 = loadslot s0\n"
                          "  return v1\n"
                          "b2:\n"
                          "  v2 = evalform #form2\n"
                          "  return v2\n"
                          "b3:\n"
                          "  v0 = globalis @g, #g\n"
                          "  branch v0, b1, b2\n"
                          "b4:\n"
                          "  v3 = evalform #form1\n"
                          "  v4 = evalform #form2\n"
                          "  return v4\n");
  // Once is enough: the entry is now the guard.
  EXPECT_FALSE(GuardEntry(f));
}

TEST_F(GuardEntryTest, TheParamsStayAtTheStartOfTheEntry) {
  // Params may only start block 0 (the backend receives the arguments there): the guard comes
  // after them, and the moved entry keeps the rest, which still reads them (block 0 dominates
  // it).
  const std::string header = "function f level=1 slots=2 params=(s0 s1)\n";
  ir::Function f = WithBody(header +
                            "b0:\n"
                            "  v0 = param #0\n"
                            "  v1 = param #1\n"
                            "  v2 = globalis @g, #g\n"
                            "  branch v2, b1, b2\n"
                            "b1:\n"
                            "  v3 = prim.- v1, v0\n"
                            "  return v3\n"
                            "b2:\n"
                            "  v4 = evalform #form2\n"
                            "  return v4\n");
  EXPECT_TRUE(GuardEntry(f));
  EXPECT_EQ(ir::Verify(f), "");
  EXPECT_EQ(Print(f), header +
                          "b0:\n"
                          "  v0 = param #0\n"
                          "  v1 = param #1\n"
                          "  v7 = guardshold\n"
                          "  branch v7, b3, b4\n"
                          "b1:\n"
                          "  v3 = prim.- v1, v0\n"
                          "  return v3\n"
                          "b2:\n"
                          "  v4 = evalform #form2\n"
                          "  return v4\n"
                          "b3:\n"
                          "  v2 = globalis @g, #g\n"
                          "  branch v2, b1, b2\n"
                          "b4:\n"
                          "  v5 = evalform #form1\n"
                          "  v6 = evalform #form2\n"
                          "  return v6\n");
  // The guard after the params is the guard on entry: no second one.
  EXPECT_FALSE(GuardEntry(f));
}

TEST_F(GuardEntryTest, WithoutGuardsOrBodyNothingChanges) {
  const std::string unguarded = std::string(kHeader) +
                                "b0:\n"
                                "  v0 = loadslot s0\n"
                                "  return v0\n";
  ir::Function f = WithBody(unguarded);
  EXPECT_FALSE(GuardEntry(f));
  EXPECT_EQ(Print(f), unguarded);
  const std::string guarded = std::string(kHeader) +
                              "b0:\n"
                              "  v0 = globalis @g, #g\n"
                              "  return v0\n";
  ir::Function g = Parse(guarded);  // no body
  EXPECT_FALSE(GuardEntry(g));
  EXPECT_EQ(Print(g), guarded);
}

}  // namespace
}  // namespace maru::jit::irtext
