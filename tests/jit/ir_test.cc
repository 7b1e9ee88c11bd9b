// The IR (jit/ir): the Builder, the printer's stable text form and the verifier, with one test per
// class of problem the verifier reports.
#include "jit/ir/ir.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/ir/printer.h"
#include "jit/ir/verifier.h"
#include "runtime/heap.h"
#include "tests/jit/ir_test_support.h"
#include "tests/jit/ir_text.h"

namespace maru::jit::irtext {
namespace {

using ir::BlockId;
using ir::Opcode;
using ir::ValueId;

// --- Builder --------------------------------------------------------------------------------

TEST(BuilderTest, BlocksGetSequentialIdsAndParametersGetFreshValues) {
  ir::Function f;
  ir::Builder b(&f);
  EXPECT_EQ(b.NewBlock(), 0);
  EXPECT_EQ(b.NewBlock(2), 1);
  EXPECT_EQ(b.NewBlock(1), 2);
  ASSERT_EQ(f.blocks.size(), 3u);
  EXPECT_TRUE(f.blocks[0].params.empty());
  EXPECT_EQ(f.blocks[1].params, (std::vector<ValueId>{0, 1}));
  EXPECT_EQ(f.blocks[2].params, (std::vector<ValueId>{2}));
  EXPECT_EQ(b.Param(1, 0), 0);
  EXPECT_EQ(b.Param(1, 1), 1);
  EXPECT_EQ(b.Param(2, 0), 2);
  EXPECT_EQ(f.value_count, 3);
}

TEST(BuilderTest, InstructionsWithResultsGetFreshValues) {
  ir::Function f;
  ir::Builder b(&f);
  b.SetBlock(b.NewBlock());
  EXPECT_EQ(b.current(), 0);
  ValueId c = b.Const(MakeFixnum(7));
  ValueId load = b.Emit(Opcode::kLoadSlot, {}, kNil, 3);
  ValueId sum = b.Emit(Opcode::kPrimitive, {c, load}, MakeFixnum(1),
                       static_cast<int64_t>(ir::PrimitiveOp::kAdd), MakeFixnum(2));
  ValueId store = b.Emit(Opcode::kStoreSlot, {sum}, kNil, 4);
  EXPECT_EQ(c, 0);
  EXPECT_EQ(load, 1);
  EXPECT_EQ(sum, 2);
  EXPECT_EQ(store, 3);  // a slot store has the stored value as its result
  EXPECT_EQ(f.value_count, 4);

  const std::vector<ir::Instr>& in = f.blocks[0].instrs;
  ASSERT_EQ(in.size(), 4u);
  EXPECT_EQ(in[0].op, Opcode::kConst);
  EXPECT_EQ(in[0].imm, MakeFixnum(7));
  EXPECT_EQ(in[0].result, 0);
  EXPECT_TRUE(in[0].args.empty());
  EXPECT_EQ(in[1].aux, 3);
  EXPECT_EQ(in[2].args, (ir::ValueList{0, 1}));
  EXPECT_EQ(in[2].imm, MakeFixnum(1));
  EXPECT_EQ(in[2].imm2, MakeFixnum(2));
  EXPECT_EQ(in[2].aux, static_cast<int64_t>(ir::PrimitiveOp::kAdd));
  EXPECT_EQ(in[3].args, (ir::ValueList{2}));
  EXPECT_EQ(in[3].aux, 4);
  for (const ir::Instr& i : in) {
    EXPECT_EQ(i.targets[0], -1);
    EXPECT_EQ(i.targets[1], -1);
    EXPECT_EQ(i.form, kNil);
  }
}

TEST(BuilderTest, InstructionsWithoutResults) {
  ir::Function f;
  ir::Builder b(&f);
  b.SetBlock(b.NewBlock());
  ValueId v = b.Const(kNil);
  EXPECT_EQ(b.Emit(Opcode::kStoreGlobal, {v}, MakeFixnum(9)), ir::kNoValue);
  EXPECT_EQ(b.Emit(Opcode::kStoreVar, {v}, MakeFixnum(9)), ir::kNoValue);
  EXPECT_EQ(b.Emit(Opcode::kNameValue, {v}, MakeFixnum(9)), ir::kNoValue);
  EXPECT_EQ(b.Emit(Opcode::kPollInterrupt), ir::kNoValue);
  EXPECT_EQ(f.value_count, 1);
  for (size_t i = 1; i < f.blocks[0].instrs.size(); ++i) {
    EXPECT_EQ(f.blocks[0].instrs[i].result, ir::kNoValue);
  }
}

TEST(BuilderTest, Terminators) {
  ir::Function f;
  ir::Builder b(&f);
  BlockId entry = b.NewBlock();
  BlockId yes = b.NewBlock();
  BlockId no = b.NewBlock();
  BlockId join = b.NewBlock(1);
  b.SetBlock(entry);
  EXPECT_FALSE(b.Terminated());
  ValueId c = b.Const(MakeFixnum(1));
  EXPECT_FALSE(b.Terminated());
  b.Branch(c, yes, no);
  EXPECT_TRUE(b.Terminated());
  b.SetBlock(yes);
  EXPECT_FALSE(b.Terminated());
  b.Jump(join, {c});
  EXPECT_TRUE(b.Terminated());
  b.SetBlock(no);
  b.Jump(join, {c});
  b.SetBlock(join);
  b.Return(b.Param(join, 0));
  EXPECT_TRUE(b.Terminated());

  const ir::Instr& branch = f.blocks[entry].instrs.back();
  EXPECT_EQ(branch.op, Opcode::kBranch);
  EXPECT_EQ(branch.result, ir::kNoValue);
  EXPECT_EQ(branch.args, ir::ValueList{c});
  EXPECT_EQ(branch.targets[0], yes);
  EXPECT_EQ(branch.targets[1], no);
  const ir::Instr& jump = f.blocks[yes].instrs.back();
  EXPECT_EQ(jump.op, Opcode::kJump);
  EXPECT_EQ(jump.args, ir::ValueList{c});
  EXPECT_EQ(jump.targets[0], join);
  EXPECT_EQ(jump.targets[1], -1);
  const ir::Instr& ret = f.blocks[join].instrs.back();
  EXPECT_EQ(ret.op, Opcode::kReturn);
  EXPECT_EQ(ret.args, ir::ValueList{f.blocks[join].params[0]});
  EXPECT_EQ(ret.targets[0], -1);
  EXPECT_EQ(ir::Verify(f), "");
}

TEST(BuilderTest, SetFormRecordsTheSourceOfTheLastInstruction) {
  ir::Function f;
  ir::Builder b(&f);
  b.SetBlock(b.NewBlock());
  b.Const(kNil);
  b.Emit(Opcode::kCall, {0});
  b.SetForm(MakeFixnum(99));
  EXPECT_EQ(f.blocks[0].instrs[0].form, kNil);
  EXPECT_EQ(f.blocks[0].instrs[1].form, MakeFixnum(99));
}

TEST(OpcodeTest, ClassesOfOpcodes) {
  EXPECT_TRUE(ir::IsTerminator(Opcode::kJump));
  EXPECT_TRUE(ir::IsTerminator(Opcode::kBranch));
  EXPECT_TRUE(ir::IsTerminator(Opcode::kReturn));
  EXPECT_FALSE(ir::IsTerminator(Opcode::kCall));
  EXPECT_TRUE(ir::HasResult(Opcode::kStoreSlot));
  EXPECT_TRUE(ir::HasResult(Opcode::kDefine));
  EXPECT_FALSE(ir::HasResult(Opcode::kStoreGlobal));
  EXPECT_FALSE(ir::HasResult(Opcode::kReturn));
  EXPECT_TRUE(ir::MayFail(Opcode::kCall));
  EXPECT_TRUE(ir::MayFail(Opcode::kLoadVar));
  EXPECT_TRUE(ir::MayFail(Opcode::kPollInterrupt));
  EXPECT_FALSE(ir::MayFail(Opcode::kLoadSlot));
  EXPECT_FALSE(ir::MayFail(Opcode::kLoadGlobal));
  EXPECT_FALSE(ir::MayFail(Opcode::kConst));
  // A param is the argument as passed: it only names a value the entry already has.
  EXPECT_TRUE(ir::HasResult(Opcode::kParam));
  EXPECT_FALSE(ir::MayFail(Opcode::kParam));
  EXPECT_FALSE(ir::IsCallPoint(ir::Instr{.op = Opcode::kParam}));
  EXPECT_FALSE(ir::MayRunCode(ir::Instr{.op = Opcode::kParam}));
  EXPECT_FALSE(ir::IsTerminator(Opcode::kParam));
  EXPECT_STREQ(ir::OpcodeName(Opcode::kParam), "param");
  EXPECT_STREQ(ir::OpcodeName(Opcode::kPrimitive), "prim");
  EXPECT_STREQ(ir::PrimitiveOpName(ir::PrimitiveOp::kPairP), "pair?");
  EXPECT_STREQ(ir::PrimitiveOpName(ir::PrimitiveOp::kShr), ">>");
  EXPECT_STREQ(ir::PrimitiveOpName(ir::PrimitiveOp::kTypeOf), "type-of");
}

// --- Printer --------------------------------------------------------------------------------

// fib, built by hand as the lowering builds it.
ir::Function BuildFib(Oop fib_var, Oop less_var) {
  ir::Function f;
  f.name = "fib";
  f.level = 1;
  f.nslots = 1;
  f.param_slots = {0};
  ir::Builder b(&f);
  BlockId entry = b.NewBlock();
  b.SetBlock(entry);
  ValueId n = b.Emit(Opcode::kLoadSlot, {}, kNil, 0);
  ValueId two = b.Const(MakeFixnum(2));
  ValueId less =
      b.Emit(Opcode::kPrimitive, {n, two}, less_var, static_cast<int64_t>(ir::PrimitiveOp::kLt));
  BlockId small = b.NewBlock();
  BlockId big = b.NewBlock();
  BlockId join = b.NewBlock(1);
  b.Branch(less, small, big);
  b.SetBlock(small);
  b.Jump(join, {b.Emit(Opcode::kLoadSlot, {}, kNil, 0)});
  b.SetBlock(big);
  ValueId g = b.Emit(Opcode::kLoadGlobal, {}, fib_var);
  ValueId n2 = b.Emit(Opcode::kLoadSlot, {}, kNil, 0);
  ValueId r = b.Emit(Opcode::kCall, {g, n2});
  b.Jump(join, {r});
  b.SetBlock(join);
  b.Return(b.Param(join, 0));
  return f;
}

class PrinterTest : public IrTextTest {};

TEST_F(PrinterTest, StableTextOfAKnownFunction) {
  ir::Function f = BuildFib(vm_->DefineGlobal("fib", kNil), vm_->FindGlobal("<"));
  EXPECT_EQ(Print(f),
            "function fib level=1 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = loadslot s0\n"
            "  v1 = const 2\n"
            "  v2 = prim.< v0, v1\n"
            "  branch v2, b1, b2\n"
            "b1:\n"
            "  v4 = loadslot s0\n"
            "  jump b3(v4)\n"
            "b2:\n"
            "  v5 = loadglobal @fib\n"
            "  v6 = loadslot s0\n"
            "  v7 = call v5(v6)\n"
            "  jump b3(v7)\n"
            "b3(v3):\n"
            "  return v3\n");
}

TEST_F(PrinterTest, DefaultFormatterPrintsRawWords) {
  ir::Function f;
  f.name = "raw";
  ir::Builder b(&f);
  b.SetBlock(b.NewBlock());
  ValueId v = b.Const(MakeFixnum(42));  // the word 2*42+1
  b.Emit(Opcode::kStoreGlobal, {v}, kNil);
  b.Return(v);
  EXPECT_EQ(ir::Print(f),
            "function raw level=0 slots=0 params=()\n"
            "b0:\n"
            "  v0 = const 0x55\n"
            "  storeglobal 0x0, v0\n"
            "  return v0\n");
}

TEST_F(PrinterTest, FormatterIsAskedForEveryOopOperand) {
  ir::Function f;
  f.name = "oops";
  ir::Builder b(&f);
  b.SetBlock(b.NewBlock());
  ValueId v = b.Const(MakeFixnum(1));
  b.Emit(Opcode::kLoadGlobal, {}, MakeFixnum(2));
  b.Emit(Opcode::kLoadVar, {}, MakeFixnum(3));
  b.Emit(Opcode::kClosure, {}, MakeFixnum(4));
  b.Emit(Opcode::kEvalForm, {}, MakeFixnum(5));
  b.Emit(Opcode::kEvalAtom, {}, MakeFixnum(6));
  b.Emit(Opcode::kStoreGlobal, {v}, MakeFixnum(7));
  b.Emit(Opcode::kStoreVar, {v}, MakeFixnum(8));
  b.Emit(Opcode::kDefine, {v}, MakeFixnum(9));
  b.Emit(Opcode::kNameValue, {v}, MakeFixnum(10));
  b.Return(v);
  std::vector<int64_t> asked;
  std::string text = ir::Print(f, [&](Oop o) {
    asked.push_back(FixnumValue(o));
    return "<" + std::to_string(FixnumValue(o)) + ">";
  });
  EXPECT_EQ(asked, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(text,
            "function oops level=0 slots=0 params=()\n"
            "b0:\n"
            "  v0 = const <1>\n"
            "  v1 = loadglobal <2>\n"
            "  v2 = loadvar <3>\n"
            "  v3 = closure <4>\n"
            "  v4 = evalform <5>\n"
            "  v5 = evalatom <6>\n"
            "  storeglobal <7>, v0\n"
            "  storevar <8>, v0\n"
            "  v6 = define <9>, v0\n"
            "  namevalue <10>, v0\n"
            "  return v0\n");
}

TEST_F(PrinterTest, ParameterLists) {
  ir::Function f;
  f.name = "p";
  ir::Builder b(&f);
  b.SetBlock(b.NewBlock());
  b.Return(b.Const(kNil));
  auto header = [&] {
    std::string text = Print(f);
    return text.substr(0, text.find('\n'));
  };
  EXPECT_EQ(header(), "function p level=0 slots=0 params=()");
  f.level = 2;
  f.nslots = 3;
  f.param_slots = {0, 1};
  EXPECT_EQ(header(), "function p level=2 slots=3 params=(s0 s1)");
  f.rest_slot = 2;
  EXPECT_EQ(header(), "function p level=2 slots=3 params=(s0 s1 . s2)");
  f.param_slots.clear();
  EXPECT_EQ(header(), "function p level=2 slots=3 params=(. s2)");
}

// --- Verifier -------------------------------------------------------------------------------

class VerifierTest : public IrTextTest {
 protected:
  std::string VerifyText(const std::string& text) { return ir::Verify(Parse(text)); }
};

const char kHeader[] = "function f level=1 slots=2 params=(s0)\n";

TEST_F(VerifierTest, WellFormedFunctionsPass) {
  EXPECT_EQ(ir::Verify(BuildFib(vm_->DefineGlobal("fib", kNil), vm_->FindGlobal("<"))), "");
  // A loop with parameters on its header, a branch whose targets are one block, unreachable
  // blocks (not checked), uses of values from dominating blocks.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = loadslot s0\n"
                                              "  v1 = const 0\n"
                                              "  jump b1(v1, v0)\n"
                                              "b1(v2, v3):\n"
                                              "  pollinterrupt\n"
                                              "  v4 = prim.< v2, v3\n"
                                              "  branch v4, b2, b3\n"
                                              "b2:\n"
                                              "  v5 = const 1\n"
                                              "  v6 = prim.+ v2, v5\n"
                                              "  v7 = storeslot s1, v6\n"
                                              "  jump b1(v6, v0)\n"
                                              "b3:\n"
                                              "  branch v0, b4, b4\n"
                                              "b4:\n"
                                              "  return v3\n"
                                              "b5:\n"
                                              "  return v99\n"),
            "");
  // The entry block may be the target of a jump.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = loadslot s0\n"
                                              "  branch v0, b1, b2\n"
                                              "b1:\n"
                                              "  jump b0\n"
                                              "b2:\n"
                                              "  return v0\n"),
            "");
}

TEST_F(VerifierTest, InlineFramesAndTheirSlots) {
  const std::string frames =
      "function f level=1 slots=1 params=(s0)\n"
      "inline @1 in @0 slots=s1+1 level=2 callee=#g\n";
  EXPECT_EQ(VerifyText(frames + "b0:\n"
                                "  enterinline @1\n"
                                "  v0 = loadslot s1 @1\n"
                                "  return v0\n"),
            "");
  EXPECT_EQ(VerifyText(frames + "b0:\n"
                                "  v0 = loadslot s1 @2\n"
                                "  return v0\n"),
            "b0: bad frame @2");
  EXPECT_EQ(VerifyText(frames + "b0:\n"
                                "  v0 = loadslot s2 @1\n"
                                "  return v0\n"),
            "b0: slot s2 outside the activation");
  EXPECT_EQ(VerifyText(frames + "b0:\n"
                                "  enterinline\n"
                                "  return v0\n"),
            "b0: enterinline outside an inline frame");
  EXPECT_EQ(VerifyText("function f level=1 slots=1 params=(s0)\n"
                       "inline @1 in @1 slots=s1+1 level=2 callee=#g\n"
                       "b0:\n"
                       "  v0 = const 1\n"
                       "  return v0\n"),
            "inline @1: bad parent @1");
}

TEST_F(VerifierTest, ParamsStartTheEntryBlock) {
  // The backends receive the arguments on entry, before anything else runs: params there, and
  // uses of them anywhere block 0 dominates, are well formed.
  const std::string two = "function f level=1 slots=3 params=(s0 s2)\n";
  EXPECT_EQ(VerifyText(two + "b0:\n"
                             "  v0 = param #0\n"
                             "  v1 = param #1\n"
                             "  v2 = prim.< v0, v1\n"
                             "  branch v2, b1, b2\n"
                             "b1:\n"
                             "  return v1\n"
                             "b2:\n"
                             "  return v0\n"),
            "");
  // Only some of them, in any order.
  EXPECT_EQ(VerifyText(two + "b0:\n"
                             "  v0 = param #1\n"
                             "  return v0\n"),
            "");
  // After any other instruction of block 0, even with params before it.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  v1 = param #0\n"
                                              "  return v1\n"),
            "b0: param after the start of the entry block");
  EXPECT_EQ(VerifyText(two + "b0:\n"
                             "  v0 = param #0\n"
                             "  v1 = loadslot s1\n"
                             "  v2 = param #1\n"
                             "  return v2\n"),
            "b0: param after the start of the entry block");
  // In any other block, even at its start.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  jump b1\n"
                                              "b1:\n"
                                              "  v0 = param #0\n"
                                              "  return v0\n"),
            "b1: param after the start of the entry block");
  // An index that names no parameter.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = param #1\n"
                                              "  return v0\n"),
            "b0: param #1 of 1");
  EXPECT_EQ(VerifyText("function f level=1 slots=1 params=(. s0)\n"
                       "b0:\n"
                       "  v0 = param #0\n"
                       "  return v0\n"),
            "b0: param #0 of 0");
  ir::Function f = Parse(std::string(kHeader) +
                         "b0:\n"
                         "  v0 = param #0\n"
                         "  return v0\n");
  f.blocks[0].instrs[0].aux = -1;
  EXPECT_EQ(ir::Verify(f), "b0: param #-1 of 1");
}

TEST_F(VerifierTest, NoBlocks) {
  ir::Function f;
  EXPECT_EQ(ir::Verify(f), "no blocks");
}

TEST_F(VerifierTest, EntryBlockWithParameters) {
  ir::Function f;
  ir::Builder b(&f);
  b.SetBlock(b.NewBlock(1));
  b.Return(b.Param(0, 0));
  EXPECT_EQ(ir::Verify(f), "the entry block has parameters");
}

TEST_F(VerifierTest, EmptyBlock) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  jump b1\n"
                                              "b1:\n"),
            "b1 is empty");
}

TEST_F(VerifierTest, MissingTerminator) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  jump b1\n"
                                              "b1:\n"
                                              "  v1 = const 2\n"),
            "b1: does not end with a terminator");
  // Also when the block holds nothing else.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  pollinterrupt\n"),
            "b0: does not end with a terminator");
}

TEST_F(VerifierTest, TerminatorInTheMiddle) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  return v0\n"
                                              "  v1 = const 2\n"
                                              "  return v1\n"),
            "b0: terminator before the end");
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  jump b1\n"
                                              "b1:\n"
                                              "  v0 = const 1\n"
                                              "  branch v0, b2, b2\n"
                                              "  jump b2\n"
                                              "b2:\n"
                                              "  return v0\n"),
            "b1: terminator before the end");
}

TEST_F(VerifierTest, BadTarget) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  jump b2\n"
                                              "b1:\n"
                                              "  v0 = const 1\n"
                                              "  return v0\n"),
            "b0: bad target b2");
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  branch v0, b1, b7\n"
                                              "b1:\n"
                                              "  return v0\n"),
            "b0: bad target b7");
}

TEST_F(VerifierTest, MissingTargets) {
  ir::Function f = Parse(std::string(kHeader) +
                         "b0:\n"
                         "  v0 = const 1\n"
                         "  jump b1\n"
                         "b1:\n"
                         "  return v0\n");
  f.blocks[0].instrs.back().targets[0] = -1;
  EXPECT_EQ(ir::Verify(f), "b0: jump without target");
  ir::Function g = Parse(std::string(kHeader) +
                         "b0:\n"
                         "  v0 = const 1\n"
                         "  branch v0, b1, b1\n"
                         "b1:\n"
                         "  return v0\n");
  g.blocks[0].instrs.back().targets[1] = -1;
  EXPECT_EQ(ir::Verify(g), "b0: bad branch");
}

TEST_F(VerifierTest, JumpArgumentCountMismatch) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  jump b1\n"
                                              "b1(v1):\n"
                                              "  return v1\n"),
            "b0: jump to b1 passes 0 arguments for 1 parameters");
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  jump b1(v0, v0, v0)\n"
                                              "b1(v1, v2):\n"
                                              "  return v1\n"),
            "b0: jump to b1 passes 3 arguments for 2 parameters");
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  jump b1(v0)\n"
                                              "b1:\n"
                                              "  return v0\n"),
            "b0: jump to b1 passes 1 arguments for 0 parameters");
}

TEST_F(VerifierTest, BranchToABlockWithParameters) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  branch v0, b1, b2\n"
                                              "b1:\n"
                                              "  return v0\n"
                                              "b2(v1):\n"
                                              "  return v1\n"),
            "b0: branch to a block with parameters");
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  branch v0, b1, b2\n"
                                              "b1(v1):\n"
                                              "  return v1\n"
                                              "b2:\n"
                                              "  return v0\n"),
            "b0: branch to a block with parameters");
}

TEST_F(VerifierTest, ValueDefinedTwice) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  v0 = const 2\n"
                                              "  return v0\n"),
            "v0 defined twice");
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  jump b1\n"
                                              "b1:\n"
                                              "  v0 = loadslot s0\n"
                                              "  return v0\n"),
            "v0 defined twice");
  // A block parameter and an instruction.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  jump b1(v0)\n"
                                              "b1(v0):\n"
                                              "  return v0\n"),
            "v0 defined twice");
  // Two parameters.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  jump b1(v0, v0)\n"
                                              "b1(v1, v1):\n"
                                              "  return v1\n"),
            "v1 defined twice");
}

TEST_F(VerifierTest, ValueIdsOutsideTheFunction) {
  ir::Function f = Parse(std::string(kHeader) +
                         "b0:\n"
                         "  v0 = const 1\n"
                         "  v1 = const 2\n"
                         "  return v1\n");
  f.value_count = 1;
  EXPECT_EQ(ir::Verify(f), "bad value v1");
  ir::Function g = Parse(std::string(kHeader) +
                         "b0:\n"
                         "  v0 = const 1\n"
                         "  jump b1(v0)\n"
                         "b1(v1):\n"
                         "  return v1\n");
  g.value_count = 1;
  EXPECT_EQ(ir::Verify(g), "bad parameter v1");
}

TEST_F(VerifierTest, UseNotDominatedByItsDefinition) {
  // Defined in one arm of a branch, used after the join.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = loadslot s0\n"
                                              "  branch v0, b1, b2\n"
                                              "b1:\n"
                                              "  v1 = const 1\n"
                                              "  jump b3\n"
                                              "b2:\n"
                                              "  jump b3\n"
                                              "b3:\n"
                                              "  return v1\n"),
            "b3: use of v1 not dominated by its definition");
  // Used before its definition in the same block.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v1 = prim.+ v0, v0\n"
                                              "  v0 = const 1\n"
                                              "  return v1\n"),
            "b0: use of v0 not dominated by its definition");
  // Used by the instruction that defines it.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = prim.car v0\n"
                                              "  return v0\n"),
            "b0: use of v0 not dominated by its definition");
  // Defined in a loop body, used in the loop header.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  jump b1\n"
                                              "b1:\n"
                                              "  v0 = loadslot s0\n"
                                              "  branch v0, b2, b3\n"
                                              "b2:\n"
                                              "  v1 = const 1\n"
                                              "  jump b1\n"
                                              "b3:\n"
                                              "  return v1\n"),
            "b3: use of v1 not dominated by its definition");
  // A block parameter used outside the blocks its block dominates, as a jump argument.
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = loadslot s0\n"
                                              "  branch v0, b1, b2\n"
                                              "b1:\n"
                                              "  jump b3(v0)\n"
                                              "b2:\n"
                                              "  jump b4(v3)\n"
                                              "b3(v3):\n"
                                              "  jump b4(v3)\n"
                                              "b4(v4):\n"
                                              "  return v4\n"),
            "b2: use of v3 not dominated by its definition");
}

TEST_F(VerifierTest, UseOfAnUndefinedValue) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  return v5\n"),
            "b0: use of undefined v5");
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  jump b1\n"
                                              "b1:\n"
                                              "  v2 = prim.+ v0, v1\n"
                                              "  return v2\n"),
            "b1: use of undefined v1");
  // An id outside [0, value_count).
  ir::Function f = Parse(std::string(kHeader) +
                         "b0:\n"
                         "  v0 = const 1\n"
                         "  return v0\n");
  f.blocks[0].instrs.back().args[0] = 12;
  EXPECT_EQ(ir::Verify(f), "b0: use of undefined v12");
  f.blocks[0].instrs.back().args[0] = -3;
  EXPECT_EQ(ir::Verify(f), "b0: use of undefined v-3");
}

TEST_F(VerifierTest, UnreachableBlocksAreNotCheckedForUses) {
  EXPECT_EQ(VerifyText(std::string(kHeader) + "b0:\n"
                                              "  v0 = const 1\n"
                                              "  return v0\n"
                                              "b1:\n"
                                              "  v1 = prim.+ v0, v7\n"
                                              "  return v1\n"),
            "");
}

}  // namespace
}  // namespace maru::jit::irtext
