// ForwardSlots (jit/passes): within a block, and along chains of blocks each entered only from the
// one before, a loadslot of a slot whose value is known (from an earlier storeslot or loadslot of
// that slot, or a parameter's param on entry, with no call point in between) is removed and its
// uses read the known value. A call
// point is any instruction that may run other code (call, prim, closure, applyfixed, evalform,
// evalatom, loadvar, storevar, define, namevalue, pollinterrupt): a closure may write a captured
// slot through the heap Context, the interpreter may run a form in this activation, and what a
// call runs gets this activation as its caller ((apply set (list V 42)) assigns the caller's
// local V, spec §5.4), even when no closure was made.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/passes/passes.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

class ForwardSlotsTest : public IrTextTest {
 protected:
  void Expect(const std::string& in, const std::string& out) { ExpectPass(ForwardSlots, in, out); }
  void Unchanged(const std::string& in) { ExpectUnchanged(ForwardSlots, in); }
};

const char kHeader[] = "function f level=1 slots=3 params=(s0 s1)\n";

TEST_F(ForwardSlotsTest, LoadAfterStore) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = const 5\n"
             "  v1 = storeslot s2, v0\n"
             "  v2 = loadslot s2\n"
             "  v3 = prim.+ v2, v2\n"
             "  return v3\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = const 5\n"
             "  v1 = storeslot s2, v0\n"
             "  v3 = prim.+ v0, v0\n"
             "  return v3\n");
}

TEST_F(ForwardSlotsTest, LoadAfterLoad) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = loadglobal @g\n"
             "  v2 = loadslot s0\n"
             "  v3 = loadslot s0\n"
             "  v4 = isfixed v3\n"
             "  return v2\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = loadglobal @g\n"
             "  v4 = isfixed v0\n"
             "  return v0\n");
}

TEST_F(ForwardSlotsTest, TheLatestStoreWins) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = const 1\n"
             "  v2 = storeslot s0, v1\n"
             "  v3 = loadslot s0\n"
             "  v4 = const 2\n"
             "  v5 = storeslot s0, v4\n"
             "  v6 = loadslot s0\n"
             "  jump b1(v0, v3, v6)\n"
             "b1(v7, v8, v9):\n"
             "  return v9\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = const 1\n"
             "  v2 = storeslot s0, v1\n"
             "  v4 = const 2\n"
             "  v5 = storeslot s0, v4\n"
             "  jump b1(v0, v1, v4)\n"
             "b1(v7, v8, v9):\n"
             "  return v9\n");
}

TEST_F(ForwardSlotsTest, SlotsAreTrackedSeparately) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = loadslot s1\n"
             "  v2 = storeslot s2, v0\n"
             "  v3 = loadslot s1\n"
             "  v4 = loadslot s0\n"
             "  v5 = loadslot s2\n"
             "  v6 = call v3(v4, v5)\n"
             "  return v6\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = loadslot s1\n"
             "  v2 = storeslot s2, v0\n"
             "  v6 = call v1(v0, v0)\n"
             "  return v6\n");
}

TEST_F(ForwardSlotsTest, InstructionsThatRunNoOtherCodeKeepTheKnowledge) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = const 7\n"
             "  v2 = loadglobal @g\n"
             "  storeglobal @g, v1\n"
             "  v3 = isfixed v2\n"
             "  v4 = storeslot s1, v1\n"
             "  v5 = loadslot s2\n"
             "  v6 = loadslot s0\n"
             "  return v6\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = const 7\n"
             "  v2 = loadglobal @g\n"
             "  storeglobal @g, v1\n"
             "  v3 = isfixed v2\n"
             "  v4 = storeslot s1, v1\n"
             "  v5 = loadslot s2\n"
             "  return v0\n");
}

TEST_F(ForwardSlotsTest, EveryInstructionThatMayRunCodeEndsTheKnowledge) {
  const std::vector<std::string> call_points = {
      "  v9 = call v1(v0)\n",
      "  v9 = applyfixed v1\n",
      "  v9 = evalform #form\n",
      "  v9 = evalatom #atom\n",
  };
  for (const std::string& call : call_points) {
    SCOPED_TRACE(call);
    // Known from a store, and from a load.
    Unchanged(std::string(kHeader) +
              "b0:\n"
              "  v0 = const 1\n"
              "  v1 = loadglobal @g\n"
              "  v2 = storeslot s2, v0\n" +
              call +
              "  v3 = loadslot s2\n"
              "  return v3\n");
    Unchanged(std::string(kHeader) +
              "b0:\n"
              "  v0 = loadslot s0\n"
              "  v1 = loadglobal @g\n" +
              call +
              "  v3 = loadslot s0\n"
              "  return v3\n");
  }
}

TEST_F(ForwardSlotsTest, CallPointsThatRunNoCodeKeepTheKnowledge) {
  // Inline primitives (their general case is the core primitive the guard before them checked,
  // never Maru code: after (define + apply) the guard fails and the interpreter runs the form),
  // closures made here (the slots move, their values do not), outer variables, definitions,
  // names and interrupt polls write no local of this activation.
  const std::vector<std::string> call_points = {
      "  v9 = prim.+ v0, v0\n",   "  v9 = prim.car v0\n",  "  v9 = closure #lambda\n",
      "  v9 = loadvar #outer\n", "  storevar #outer, v0\n", "  v9 = define @d, v0\n",
      "  namevalue 'n, v0\n",    "  pollinterrupt\n",
  };
  for (const std::string& call : call_points) {
    SCOPED_TRACE(call);
    Expect(std::string(kHeader) +
               "b0:\n"
               "  v0 = loadslot s0\n"
               "  v1 = loadglobal @g\n" +
               call +
               "  v3 = loadslot s0\n"
               "  return v3\n",
           std::string(kHeader) +
               "b0:\n"
               "  v0 = loadslot s0\n"
               "  v1 = loadglobal @g\n" +
               call + "  return v0\n");
  }
}

TEST_F(ForwardSlotsTest, ACallMayWriteTheSlotsOfItsActivation) {
  // (define-function f (x a b) (let ((before x)) (g a b) (list before x))) as lowered, g called
  // through its global. A call may assign this activation's slots even when no closure was made
  // and the interpreter never ran a form in it: with (define g apply), (g set (list V 42)) for
  // a Variable V of x applies set's function in the calling activation (spec §5.4, §7.2;
  // tests/maru/jit_apply_writes_caller_local.l). The loads after the call stay.
  Unchanged(
      "function f level=2 slots=4 params=(s0 s1 s2)\n"
      "b0:\n"
      "  v0 = loadslot s0\n"
      "  v1 = storeslot s3, v0\n"
      "  v2 = loadslot s1\n"
      "  v3 = loadslot s2\n"
      "  v12 = loadglobal @g\n"
      "  v4 = call v12(v2, v3)\n"
      "  v5 = loadglobal @list\n"
      "  v6 = isfixed v5\n"
      "  branch v6, b1, b2\n"
      "b1:\n"
      "  v8 = applyfixed v5\n"
      "  jump b3(v8)\n"
      "b2:\n"
      "  v9 = loadslot s3\n"
      "  v10 = loadslot s0\n"
      "  v11 = call v5(v9, v10)\n"
      "  jump b3(v11)\n"
      "b3(v7):\n"
      "  return v7\n");
}

TEST_F(ForwardSlotsTest, KnowledgeAfterACallPointIsNewKnowledge) {
  // A call ends what was known before it; stores and loads after it are known again.
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = loadglobal @g\n"
             "  v2 = call v1(v0)\n"
             "  v3 = loadslot s0\n"
             "  v4 = storeslot s1, v2\n"
             "  v5 = loadslot s0\n"
             "  v6 = loadslot s1\n"
             "  v7 = call v1(v3, v5, v6)\n"
             "  return v7\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  v1 = loadglobal @g\n"
             "  v2 = call v1(v0)\n"
             "  v3 = loadslot s0\n"
             "  v4 = storeslot s1, v2\n"
             "  v7 = call v1(v3, v3, v2)\n"
             "  return v7\n");
}

TEST_F(ForwardSlotsTest, IntoASolePredecessorChain) {
  // b0 -> b1 -> b2, each entered only from the one before; the uses in later blocks (a branch
  // condition, a jump argument, a return) read the forwarded value.
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  jump b1\n"
             "b1:\n"
             "  v1 = loadslot s0\n"
             "  v2 = const 3\n"
             "  v3 = storeslot s2, v2\n"
             "  branch v1, b2, b3\n"
             "b2:\n"
             "  v4 = loadslot s0\n"
             "  v5 = loadslot s2\n"
             "  jump b4(v5)\n"
             "b3:\n"
             "  v6 = loadslot s2\n"
             "  return v6\n"
             "b4(v7):\n"
             "  v8 = loadslot s0\n"
             "  return v4\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  jump b1\n"
             "b1:\n"
             "  v2 = const 3\n"
             "  v3 = storeslot s2, v2\n"
             "  branch v0, b2, b3\n"
             "b2:\n"
             "  jump b4(v2)\n"
             "b3:\n"
             "  return v2\n"
             "b4(v7):\n"
             "  return v0\n");
}

TEST_F(ForwardSlotsTest, ACallPointInThePredecessorEndsTheKnowledge) {
  Unchanged(std::string(kHeader) +
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  jump b1\n"
            "b1:\n"
            "  v2 = evalform #form\n"
            "  jump b2\n"
            "b2:\n"
            "  v1 = loadslot s0\n"
            "  return v1\n");
}

TEST_F(ForwardSlotsTest, NotIntoBlocksWithSeveralPredecessors) {
  // A join: both arms stored the same slot, with different values.
  Unchanged(std::string(kHeader) +
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  branch v0, b1, b2\n"
            "b1:\n"
            "  v1 = const 1\n"
            "  v2 = storeslot s2, v1\n"
            "  jump b3\n"
            "b2:\n"
            "  v3 = const 2\n"
            "  v4 = storeslot s2, v3\n"
            "  jump b3\n"
            "b3:\n"
            "  v5 = loadslot s2\n"
            "  v6 = loadslot s0\n"
            "  v7 = call v6(v5)\n"
            "  return v7\n");
  // A loop header: the value stored in the body reaches it along the back edge. (The exit is
  // entered only from the header, so the header's load is known there.)
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = const 0\n"
             "  v1 = storeslot s2, v0\n"
             "  jump b1\n"
             "b1:\n"
             "  v2 = loadslot s2\n"
             "  branch v2, b2, b3\n"
             "b2:\n"
             "  v3 = const ()\n"
             "  v4 = storeslot s2, v3\n"
             "  jump b1\n"
             "b3:\n"
             "  v5 = loadslot s2\n"
             "  return v5\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = const 0\n"
             "  v1 = storeslot s2, v0\n"
             "  jump b1\n"
             "b1:\n"
             "  v2 = loadslot s2\n"
             "  branch v2, b2, b3\n"
             "b2:\n"
             "  v3 = const ()\n"
             "  v4 = storeslot s2, v3\n"
             "  jump b1\n"
             "b3:\n"
             "  return v2\n");
}

TEST_F(ForwardSlotsTest, SiblingBlocksShareNothing) {
  // b2 follows b1 in block order but is not its successor: what b1 stored says nothing in b2.
  Unchanged(std::string(kHeader) +
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  branch v0, b1, b2\n"
            "b1:\n"
            "  v1 = const 1\n"
            "  v2 = storeslot s2, v1\n"
            "  return v2\n"
            "b2:\n"
            "  v3 = loadslot s2\n"
            "  return v3\n");
  // Nor what a block before it loaded.
  Unchanged(std::string(kHeader) +
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  branch v0, b1, b2\n"
            "b1:\n"
            "  v1 = loadslot s1\n"
            "  return v1\n"
            "b2:\n"
            "  v2 = loadslot s1\n"
            "  return v2\n");
}

TEST_F(ForwardSlotsTest, WithinALoopBody) {
  // The body is entered only from the header: loads there are known from the header's loads.
  Expect(std::string(kHeader) +
             "b0:\n"
             "  jump b1\n"
             "b1:\n"
             "  v0 = loadslot s2\n"
             "  v1 = loadslot s0\n"
             "  v2 = prim.< v0, v1\n"
             "  branch v2, b2, b3\n"
             "b2:\n"
             "  v3 = loadslot s1\n"
             "  v4 = storeslot s1, v3\n"
             "  v5 = loadslot s1\n"
             "  v6 = storeslot s2, v5\n"
             "  jump b1\n"
             "b3:\n"
             "  v7 = const ()\n"
             "  return v7\n",
         std::string(kHeader) +
             "b0:\n"
             "  jump b1\n"
             "b1:\n"
             "  v0 = loadslot s2\n"
             "  v1 = loadslot s0\n"
             "  v2 = prim.< v0, v1\n"
             "  branch v2, b2, b3\n"
             "b2:\n"
             "  v3 = loadslot s1\n"
             "  v4 = storeslot s1, v3\n"
             "  v6 = storeslot s2, v3\n"
             "  jump b1\n"
             "b3:\n"
             "  v7 = const ()\n"
             "  return v7\n");
}

TEST_F(ForwardSlotsTest, WhateverTheOrderOfTheBlocks) {
  // The chain b0 -> b2 -> b1: b1 is entered only from b2, which comes after it in block order
  // (the lowering makes such blocks: the exit of `(while (and a b) ...)` is created before the
  // block that branches to it).
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  jump b2\n"
             "b1:\n"
             "  v1 = loadslot s0\n"
             "  return v1\n"
             "b2:\n"
             "  v2 = loadslot s0\n"
             "  jump b1\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = loadslot s0\n"
             "  jump b2\n"
             "b1:\n"
             "  return v0\n"
             "b2:\n"
             "  jump b1\n");
}

TEST_F(ForwardSlotsTest, ParametersAreKnownFromTheEntry) {
  // The prologue stores each argument into its parameter's slot: until anything may assign it,
  // loading the slot reads the argument as passed, in whichever block of the chain.
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = param #0\n"
             "  v1 = param #1\n"
             "  v2 = loadslot s1\n"
             "  v3 = loadslot s0\n"
             "  v4 = prim.+ v2, v3\n"
             "  jump b1\n"
             "b1:\n"
             "  v5 = loadslot s0\n"
             "  v6 = prim.- v4, v5\n"
             "  return v6\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = param #0\n"
             "  v1 = param #1\n"
             "  v4 = prim.+ v1, v0\n"
             "  jump b1\n"
             "b1:\n"
             "  v6 = prim.- v4, v0\n"
             "  return v6\n");
  // Parameter i names slot param_slots[i], which need not be slot i.
  Expect(
      "function f level=1 slots=3 params=(s2 s0)\n"
      "b0:\n"
      "  v0 = param #0\n"
      "  v1 = param #1\n"
      "  v2 = loadslot s0\n"
      "  v3 = loadslot s2\n"
      "  v4 = loadslot s1\n"
      "  v5 = call v2(v3, v4)\n"
      "  return v5\n",
      "function f level=1 slots=3 params=(s2 s0)\n"
      "b0:\n"
      "  v0 = param #0\n"
      "  v1 = param #1\n"
      "  v4 = loadslot s1\n"
      "  v5 = call v1(v0, v4)\n"
      "  return v5\n");
}

TEST_F(ForwardSlotsTest, CodeThatRunsMayAssignAParameter) {
  // What a call or the interpreter runs may set the parameter's slot ((apply set ...) in the
  // callee, a form run in this activation): loads after it read the slot. Loads before it still
  // read the param.
  for (const std::string& call :
       {std::string("  v9 = call v8(v0)\n"), std::string("  v9 = evalform #form\n")}) {
    SCOPED_TRACE(call);
    Expect(std::string(kHeader) +
               "b0:\n"
               "  v0 = param #0\n"
               "  v1 = param #1\n"
               "  v3 = loadslot s0\n"
               "  v8 = loadglobal @g\n" +
               call +
               "  v4 = loadslot s0\n"
               "  v5 = loadslot s1\n"
               "  v6 = call v8(v3, v4, v5)\n"
               "  return v6\n",
           std::string(kHeader) +
               "b0:\n"
               "  v0 = param #0\n"
               "  v1 = param #1\n"
               "  v8 = loadglobal @g\n" +
               call +
               "  v4 = loadslot s0\n"
               "  v5 = loadslot s1\n"
               "  v6 = call v8(v0, v4, v5)\n"
               "  return v6\n");
  }
}

TEST_F(ForwardSlotsTest, AStoreToAParameterOverridesTheArgument) {
  Expect(std::string(kHeader) +
             "b0:\n"
             "  v0 = param #0\n"
             "  v1 = param #1\n"
             "  v2 = const 9\n"
             "  v3 = storeslot s0, v2\n"
             "  v4 = loadslot s0\n"
             "  v5 = loadslot s1\n"
             "  v6 = prim.+ v4, v5\n"
             "  return v6\n",
         std::string(kHeader) +
             "b0:\n"
             "  v0 = param #0\n"
             "  v1 = param #1\n"
             "  v2 = const 9\n"
             "  v3 = storeslot s0, v2\n"
             "  v6 = prim.+ v2, v1\n"
             "  return v6\n");
}

TEST_F(ForwardSlotsTest, DoesNothingWhenNothingIsKnown) {
  Unchanged(std::string(kHeader) +
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  v1 = loadslot s1\n"
            "  v2 = prim.+ v0, v1\n"
            "  v3 = storeslot s2, v2\n"
            "  return v3\n");
  // No slots at all.
  Unchanged(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const 1\n"
      "  return v0\n");
}

}  // namespace
}  // namespace maru::jit::irtext
