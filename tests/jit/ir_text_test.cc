// The IR text parser of tests/jit/ir_text.h: print(parse(text)) == text over a corpus that uses
// every opcode and operand form, the parsed structure itself, Oop operands both ways, and the
// parser's complaints.
#include "tests/jit/ir_text.h"

#include <gc.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/ir/ir.h"
#include "jit/ir/printer.h"
#include "runtime/env.h"
#include "runtime/heap.h"
#include "runtime/strings.h"
#include "tests/jit/ir_test_support.h"

namespace maru::jit::irtext {
namespace {

using ir::Opcode;

class IrTextRoundTripTest : public IrTextTest {
 protected:
  void ExpectRoundTrip(const std::string& text) {
    ir::Function f;
    ASSERT_EQ(ParseFunction(text, names_, &f), "") << text;
    EXPECT_EQ(Print(f), text);
  }
};

// Every opcode, every operand form, block parameters, branches and jumps with arguments.
const char* const kCorpus[] = {
    // The smallest function.
    "function f level=1 slots=0 params=()\n"
    "b0:\n"
    "  v0 = const ()\n"
    "  return v0\n",

    // fib as the lowering makes it: prim, isfixed, applyfixed, call, branch, jump(args).
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
    "  v6 = isfixed v5\n"
    "  branch v6, b4, b5\n"
    "b3(v3):\n"
    "  return v3\n"
    "b4:\n"
    "  v8 = applyfixed v5\n"
    "  jump b6(v8)\n"
    "b5:\n"
    "  v9 = loadslot s0\n"
    "  v10 = const 1\n"
    "  v11 = prim.- v9, v10\n"
    "  v12 = call v5(v11)\n"
    "  jump b6(v12)\n"
    "b6(v7):\n"
    "  v13 = const -1\n"
    "  v14 = prim.+ v7, v13\n"
    "  jump b3(v14)\n",

    // Stores and definitions, the symbol t, symbols, strings, placeholders, rest parameters.
    "function g level=2 slots=4 params=(s0 s1 . s3)\n"
    "b0:\n"
    "  v0 = const t\n"
    "  v1 = storeslot s2, v0\n"
    "  storeglobal @counter, v1\n"
    "  v2 = loadvar #outer\n"
    "  storevar #outer, v2\n"
    "  v3 = closure #lambda1\n"
    "  v4 = define @g2, v3\n"
    "  namevalue 'g2, v3\n"
    "  v5 = evalform #form1\n"
    "  v6 = evalatom #atom\n"
    "  v7 = const 'hello\n"
    "  v8 = const \"a string, with a comma and \\\"quotes\\\"\"\n"
    "  v9 = const 4611686018427387904\n"
    "  v10 = const -9223372036854775808\n"
    "  pollinterrupt\n"
    "  v11 = call v3()\n"
    "  v12 = call v3(v5, v6, v7, v8)\n"
    "  v13 = globalis @car, #subr\n"
    "  v14 = guardshold\n"
    "  v15 = prim.& v5, v6\n"
    "  v16 = prim.| v5, v6\n"
    "  v17 = prim.^ v5, v6\n"
    "  v18 = prim.~ v5\n"
    "  v19 = prim.<< v5, v6\n"
    "  v20 = prim.>> v5, v6\n"
    "  v21 = prim.array-at v5, v6\n"
    "  v22 = prim.set-array-at v5, v6, v7\n"
    "  v23 = prim.string-at v8, v6\n"
    "  v24 = prim.type-of v8\n"
    "  v25 = prim.cons v5, v6\n"
    "  return v12\n",

    // Only a rest parameter; a loop whose header has parameters (jumps with several arguments).
    "function loop level=3 slots=2 params=(. s0)\n"
    "b0:\n"
    "  v0 = const 0\n"
    "  v1 = const 10\n"
    "  jump b1(v0, v1)\n"
    "b1(v2, v3):\n"
    "  pollinterrupt\n"
    "  v4 = prim.< v2, v3\n"
    "  branch v4, b2, b3\n"
    "b2:\n"
    "  v5 = const 1\n"
    "  v6 = prim.+ v2, v5\n"
    "  jump b1(v6, v3)\n"
    "b3:\n"
    "  return v2\n",

    // Inline frames: an inlined call's enterinline, its slots and instructions.
    "function inlined level=1 slots=1 params=(s0)\n"
    "inline @1 in @0 slots=s1+2 level=2 callee=#callee\n"
    "inline @2 in @1 slots=s3+1 level=2 callee=#other\n"
    "b0:\n"
    "  v0 = loadslot s0\n"
    "  enterinline @1\n"
    "  v1 = storeslot s1, v0 @1\n"
    "  v2 = loadslot s2 @1\n"
    "  v3 = evalform #form @1\n"
    "  enterinline @2\n"
    "  v4 = storeslot s3, v3 @2\n"
    "  jump b1(v4) @2\n"
    "b1(v5):\n"
    "  return v5\n",

    // Every primitive fast path; the arguments as passed (params).
    "function prims level=1 slots=2 params=(s0 s1)\n"
    "b0:\n"
    "  v0 = param #0\n"
    "  v1 = param #1\n"
    "  v2 = prim.+ v0, v1\n"
    "  v3 = prim.- v0, v1\n"
    "  v4 = prim.* v0, v1\n"
    "  v5 = prim.< v0, v1\n"
    "  v6 = prim.<= v0, v1\n"
    "  v7 = prim.> v0, v1\n"
    "  v8 = prim.>= v0, v1\n"
    "  v9 = prim.= v0, v1\n"
    "  v10 = prim.!= v0, v1\n"
    "  v11 = prim.car v0\n"
    "  v12 = prim.cdr v0\n"
    "  v13 = prim.not v0\n"
    "  v14 = prim.pair? v0\n"
    "  return v14\n",

    // Out-of-order value ids, unreachable blocks, a jump to an earlier block.
    "function odd level=0 slots=0 params=()\n"
    "b0:\n"
    "  v7 = const 7\n"
    "  jump b2\n"
    "b1:\n"
    "  v3 = const ()\n"
    "  return v3\n"
    "b2:\n"
    "  return v7\n",

    // Malformed IR prints too (the parser checks syntax only): an empty block, a terminator in
    // the middle, a missing terminator, targets that do not exist.
    "function bad level=1 slots=1 params=(s0)\n"
    "b0:\n"
    "  v0 = const 1\n"
    "  jump b1\n"
    "  v1 = const 2\n"
    "b1:\n"
    "b2(v5):\n"
    "  branch v5, b9, b0\n"
    "b3:\n"
    "  v2 = loadslot s0\n",
};

TEST_F(IrTextRoundTripTest, CorpusPrintsBackIdentically) {
  for (const char* text : kCorpus) ExpectRoundTrip(text);
}

TEST_F(IrTextRoundTripTest, CorpusCoversEveryOpcodeAndPrimitive) {
  std::vector<bool> opcode_seen(256, false);
  std::vector<bool> prim_seen(static_cast<int>(ir::PrimitiveOp::kCount), false);
  for (const char* text : kCorpus) {
    ir::Function f = Parse(text);
    for (const ir::Block& b : f.blocks) {
      for (const ir::Instr& in : b.instrs) {
        opcode_seen[static_cast<int>(in.op)] = true;
        if (in.op == Opcode::kPrimitive) prim_seen[in.aux] = true;
      }
    }
  }
  for (int op = 0; op < 256; ++op) {
    std::string name = ir::OpcodeName(static_cast<Opcode>(op));
    if (name == "?") continue;
    EXPECT_TRUE(opcode_seen[op]) << "no corpus function uses " << name;
  }
  for (size_t p = 0; p < prim_seen.size(); ++p) {
    EXPECT_TRUE(prim_seen[p]) << "no corpus function uses prim."
                              << ir::PrimitiveOpName(static_cast<ir::PrimitiveOp>(p));
  }
}

TEST_F(IrTextRoundTripTest, ParsedStructure) {
  ir::Function f = Parse(kCorpus[1]);
  EXPECT_EQ(f.name, "fib");
  EXPECT_EQ(f.level, 1);
  EXPECT_EQ(f.nslots, 1);
  EXPECT_EQ(f.param_slots, std::vector<int64_t>{0});
  EXPECT_EQ(f.rest_slot, -1);
  EXPECT_EQ(f.value_count, 15);
  ASSERT_EQ(f.blocks.size(), 7u);
  EXPECT_TRUE(f.blocks[0].params.empty());
  EXPECT_EQ(f.blocks[3].params, std::vector<ir::ValueId>{3});
  EXPECT_EQ(f.blocks[6].params, std::vector<ir::ValueId>{7});

  const ir::Instr& load = f.blocks[0].instrs[0];
  EXPECT_EQ(load.op, Opcode::kLoadSlot);
  EXPECT_EQ(load.result, 0);
  EXPECT_EQ(load.aux, 0);
  const ir::Instr& two = f.blocks[0].instrs[1];
  EXPECT_EQ(two.op, Opcode::kConst);
  EXPECT_EQ(two.imm, MakeFixnum(2));
  const ir::Instr& less = f.blocks[0].instrs[2];
  EXPECT_EQ(less.op, Opcode::kPrimitive);
  EXPECT_EQ(less.aux, static_cast<int64_t>(ir::PrimitiveOp::kLt));
  EXPECT_EQ(less.args, (ir::ValueList{0, 1}));
  const ir::Instr& branch = f.blocks[0].instrs[3];
  EXPECT_EQ(branch.op, Opcode::kBranch);
  EXPECT_EQ(branch.result, ir::kNoValue);
  EXPECT_EQ(branch.args, ir::ValueList{2});
  EXPECT_EQ(branch.targets[0], 1);
  EXPECT_EQ(branch.targets[1], 2);

  const ir::Instr& global = f.blocks[2].instrs[0];
  EXPECT_EQ(global.op, Opcode::kLoadGlobal);
  EXPECT_EQ(global.imm, vm_->FindGlobal("fib"));
  EXPECT_TRUE(IsVariable(global.imm) && IsGlobalVariable(global.imm));

  const ir::Instr& jump = f.blocks[1].instrs[1];
  EXPECT_EQ(jump.op, Opcode::kJump);
  EXPECT_EQ(jump.targets[0], 3);
  EXPECT_EQ(jump.targets[1], -1);
  EXPECT_EQ(jump.args, ir::ValueList{4});

  const ir::Instr& call = f.blocks[5].instrs[3];
  EXPECT_EQ(call.op, Opcode::kCall);
  EXPECT_EQ(call.args, (ir::ValueList{5, 11}));
  EXPECT_EQ(f.blocks[6].instrs[0].imm, MakeFixnum(-1));
}

TEST_F(IrTextRoundTripTest, ParsedRestParametersAndStores) {
  ir::Function f = Parse(kCorpus[2]);
  EXPECT_EQ(f.param_slots, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(f.rest_slot, 3);
  const std::vector<ir::Instr>& in = f.blocks[0].instrs;
  EXPECT_EQ(in[0].imm, vm_->sym_t);
  EXPECT_EQ(in[1].op, Opcode::kStoreSlot);
  EXPECT_EQ(in[1].aux, 2);
  EXPECT_EQ(in[1].result, 1);
  EXPECT_EQ(in[1].args, ir::ValueList{0});
  EXPECT_EQ(in[2].op, Opcode::kStoreGlobal);
  EXPECT_EQ(in[2].result, ir::kNoValue);
  EXPECT_EQ(in[2].imm, vm_->FindGlobal("counter"));
  // The same placeholder name is the same object.
  EXPECT_EQ(in[3].imm, in[4].imm);
  EXPECT_EQ(in[3].imm, names_.Named("outer"));
  EXPECT_NE(in[5].imm, in[3].imm);
  EXPECT_EQ(in[7].op, Opcode::kNameValue);
  EXPECT_EQ(in[7].imm, Intern("g2"));
  EXPECT_EQ(StringToUtf8(in[11].imm), "a string, with a comma and \"quotes\"");
  EXPECT_TRUE(Is(in[12].imm, kLongType));
  EXPECT_EQ(LongValue(in[12].imm), int64_t{1} << 62);
  EXPECT_EQ(LongValue(in[13].imm), INT64_MIN);
  EXPECT_EQ(in[15].args, ir::ValueList{3});
  const ir::Instr& guard = in[17];
  EXPECT_STREQ(ir::OpcodeName(guard.op), "globalis");
  EXPECT_EQ(guard.result, 13);
  EXPECT_EQ(guard.imm, vm_->FindGlobal("car"));
  EXPECT_EQ(guard.imm2, names_.Named("subr"));

  ir::Function rest_only = Parse(kCorpus[3]);
  EXPECT_TRUE(rest_only.param_slots.empty());
  EXPECT_EQ(rest_only.rest_slot, 0);
  EXPECT_EQ(rest_only.blocks[1].params, (std::vector<ir::ValueId>{2, 3}));
  EXPECT_EQ(rest_only.blocks[2].instrs.back().args, (ir::ValueList{6, 3}));
}

TEST_F(IrTextRoundTripTest, ValueCountCoversUsesOfUndefinedValues) {
  ir::Function f = Parse(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  return v41\n");
  EXPECT_EQ(f.value_count, 42);
}

TEST_F(IrTextRoundTripTest, GlobalsAreTheVmsVariables) {
  Oop existing = vm_->DefineGlobal("already-there", MakeFixnum(5));
  ir::Function f = Parse(
      "function f level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = loadglobal @already-there\n"
      "  v1 = loadglobal @brand-new\n"
      "  return v1\n");
  EXPECT_EQ(f.blocks[0].instrs[0].imm, existing);
  Oop created = vm_->FindGlobal("brand-new");
  ASSERT_NE(created, kNil);
  EXPECT_EQ(f.blocks[0].instrs[1].imm, created);
  EXPECT_EQ(Slot(created, variable::kValue), kNil);
  // The formatter prints any global Variable by name, including the core's own.
  EXPECT_EQ(names_.Format(vm_->FindGlobal("car")), "@car");
}

TEST_F(IrTextRoundTripTest, OperandFormats) {
  EXPECT_EQ(names_.Format(kNil), "()");
  EXPECT_EQ(names_.Format(MakeFixnum(42)), "42");
  EXPECT_EQ(names_.Format(MakeFixnum(-3)), "-3");
  EXPECT_EQ(names_.Format(NewLong(INT64_MAX)), "9223372036854775807");
  EXPECT_EQ(names_.Format(vm_->sym_t), "t");
  EXPECT_EQ(names_.Format(Intern("quote")), "'quote");
  EXPECT_EQ(names_.Format(NewStringFromUtf8("x\\y")), "\"x\\\\y\"");
  EXPECT_EQ(names_.Format(NewStringFromUtf8("a\nb\tc\x01")), "\"a\\nb\\tc\\001\"");
  {
    Oop s;
    std::string error;
    ASSERT_TRUE(names_.Parse("\"a\\nb\\tc\\001\\\"\\\\\"", &s, &error));
    EXPECT_EQ(StringToUtf8(s), "a\nb\tc\x01\"\\");
  }

  Oop o;
  std::string error;
  ASSERT_TRUE(names_.Parse("42", &o, &error));
  EXPECT_EQ(o, MakeFixnum(42));
  ASSERT_TRUE(names_.Parse("4611686018427387903", &o, &error));
  EXPECT_TRUE(IsFixnum(o));
  ASSERT_TRUE(names_.Parse("4611686018427387904", &o, &error));
  EXPECT_TRUE(Is(o, kLongType));
  ASSERT_TRUE(names_.Parse("()", &o, &error));
  EXPECT_EQ(o, kNil);
  ASSERT_TRUE(names_.Parse("t", &o, &error));
  EXPECT_EQ(o, vm_->sym_t);
  EXPECT_FALSE(names_.Parse("99999999999999999999", &o, &error));
  EXPECT_FALSE(names_.Parse("what", &o, &error));
  EXPECT_FALSE(names_.Parse("@", &o, &error));
  EXPECT_FALSE(names_.Parse("#", &o, &error));
}

TEST_F(IrTextRoundTripTest, PlaceholdersKeepTheirNames) {
  Oop form = names_.Named("form1");
  EXPECT_TRUE(IsPair(form));
  EXPECT_EQ(names_.Named("form1"), form);
  EXPECT_NE(names_.Named("form2"), form);
  EXPECT_EQ(names_.Format(form), "#form1");
  EXPECT_EQ(names_.NameOf(form), "form1");
  // An object the formatter does not know gets an automatic name that parses back to it.
  Oop other = NewPair(MakeFixnum(1), kNil);
  std::string text = names_.Format(other);
  EXPECT_EQ(text, "#o1");
  EXPECT_EQ(names_.Format(other), "#o1");
  Oop parsed;
  std::string error;
  ASSERT_TRUE(names_.Parse(text, &parsed, &error));
  EXPECT_EQ(parsed, other);
  // An object can be given a name.
  names_.SetName("mine", other);
  EXPECT_EQ(names_.Format(other), "#mine");
  // Or described.
  names_.set_describe_objects(true);
  EXPECT_EQ(names_.Format(NewPair(MakeFixnum(1), MakeFixnum(2))), "{(1 . 2)}");
}

// Creates named objects and returns their addresses hidden from the conservative collector.
__attribute__((noinline)) std::vector<uintptr_t> MakeHiddenNamedObjects(OopNames& names, int n) {
  std::vector<uintptr_t> hidden;
  for (int i = 0; i < n; ++i) {
    Oop o = names.Named("kept" + std::to_string(i));
    Slot(o, pair::kHead) = MakeFixnum(1000 + i);
    hidden.push_back(~o);
  }
  return hidden;
}

TEST_F(IrTextRoundTripTest, PlaceholderObjectsSurviveCollections) {
  // The names are held in C++ containers, which the collector does not scan: the objects must
  // be kept alive some other way.
  std::vector<uintptr_t> hidden = MakeHiddenNamedObjects(names_, 200);
  GC_gcollect();
  for (int i = 0; i < 200000; ++i) NewPair(MakeFixnum(-1), MakeFixnum(-1));  // reuses freed memory
  GC_gcollect();
  for (int i = 0; i < 200; ++i) {
    Oop o = ~hidden[i];
    EXPECT_EQ(names_.Named("kept" + std::to_string(i)), o);
    EXPECT_TRUE(IsPair(o)) << i;
    EXPECT_EQ(Slot(o, pair::kHead), MakeFixnum(1000 + i)) << i;
  }
}

TEST_F(IrTextRoundTripTest, BuilderFunctionsRoundTrip) {
  ir::Function f;
  f.name = "built";
  f.level = 1;
  f.nslots = 2;
  f.param_slots = {0};
  f.rest_slot = 1;
  ir::Builder b(&f);
  ir::BlockId entry = b.NewBlock();
  ir::BlockId then_block = b.NewBlock();
  ir::BlockId else_block = b.NewBlock();
  ir::BlockId join = b.NewBlock(2);
  b.SetBlock(entry);
  ir::ValueId x = b.Emit(Opcode::kLoadSlot, {}, kNil, 0);
  ir::ValueId g = b.Emit(Opcode::kLoadGlobal, {}, vm_->FindGlobal("cons"));
  b.Branch(x, then_block, else_block);
  b.SetBlock(then_block);
  ir::ValueId one = b.Const(MakeFixnum(1));
  b.Jump(join, {one, x});
  b.SetBlock(else_block);
  ir::ValueId r = b.Emit(Opcode::kCall, {g, x, x});
  b.Jump(join, {r, g});
  b.SetBlock(join);
  b.Return(b.Param(join, 1));
  std::string text = Print(f);
  EXPECT_EQ(text,
            "function built level=1 slots=2 params=(s0 . s1)\n"
            "b0:\n"
            "  v2 = loadslot s0\n"
            "  v3 = loadglobal @cons\n"
            "  branch v2, b1, b2\n"
            "b1:\n"
            "  v4 = const 1\n"
            "  jump b3(v4, v2)\n"
            "b2:\n"
            "  v5 = call v3(v2, v2)\n"
            "  jump b3(v5, v3)\n"
            "b3(v0, v1):\n"
            "  return v1\n");
  ir::Function parsed = Parse(text);
  EXPECT_EQ(Print(parsed), text);
  EXPECT_EQ(parsed.value_count, f.value_count);
  ASSERT_EQ(parsed.blocks.size(), f.blocks.size());
  for (size_t i = 0; i < f.blocks.size(); ++i) {
    EXPECT_EQ(parsed.blocks[i].params, f.blocks[i].params);
    ASSERT_EQ(parsed.blocks[i].instrs.size(), f.blocks[i].instrs.size());
    for (size_t j = 0; j < f.blocks[i].instrs.size(); ++j) {
      const ir::Instr& a = parsed.blocks[i].instrs[j];
      const ir::Instr& e = f.blocks[i].instrs[j];
      EXPECT_EQ(a.op, e.op);
      EXPECT_EQ(a.result, e.result);
      EXPECT_EQ(a.args, e.args);
      EXPECT_EQ(a.imm, e.imm);
      EXPECT_EQ(a.aux, e.aux);
      EXPECT_EQ(a.targets[0], e.targets[0]);
      EXPECT_EQ(a.targets[1], e.targets[1]);
    }
  }
}

TEST_F(IrTextRoundTripTest, ToleratesBlankLinesAndMissingFinalNewline) {
  ir::Function f = Parse(
      "\nfunction f level=1 slots=0 params=()\n"
      "\n"
      "b0:\n"
      "  v0 = const 1\n"
      "  return v0");
  EXPECT_EQ(Print(f),
            "function f level=1 slots=0 params=()\n"
            "b0:\n"
            "  v0 = const 1\n"
            "  return v0\n");
}

TEST_F(IrTextRoundTripTest, NamesWithSpacesAndPunctuation) {
  ExpectRoundTrip(
      "function <point>-x set! level=1 slots=0 params=()\n"
      "b0:\n"
      "  v0 = const ()\n"
      "  return v0\n");
}

struct BadText {
  const char* text;
  const char* error;
};

TEST_F(IrTextRoundTripTest, SyntaxErrorsAreReportedWithTheirLine) {
  const std::string header = "function f level=1 slots=1 params=(s0)\n";
  const BadText cases[] = {
      {"", "no function header"},
      {"fn f\n", "line 1: expected 'function NAME level=L slots=N params=(...)'"},
      {"function f slots=1 params=()\n", "line 1: missing level="},
      {"function f level=1 slots=1 params=(s0 .)\n", "line 1: missing rest parameter after '.'"},
      {"function f level=1 slots=1 params=(s0 x1)\n", "line 1: bad parameter slot"},
      {"function f level=1 slots=1 params=(. s0 s1)\n",
       "line 1: parameter after the rest parameter"},
      {"b0:\n", "line 1: expected 'function NAME level=L slots=N params=(...)'"},
      {"HDRb1:\n", "line 2: block b1 out of order (expected b0)"},
      {"HDR  v0 = const 1\n", "line 2: instruction outside a block"},
      {"HDRb0:\n  v0 = frobnicate v1\n", "line 3: unknown opcode 'frobnicate'"},
      {"HDRb0:\n  v0 = prim.sqrt v1\n", "line 3: unknown primitive 'sqrt'"},
      {"HDRb0:\n  const 1\n", "line 3: const needs result"},
      {"HDRb0:\n  v1 = jump b0\n", "line 3: jump has no result"},
      {"HDRb0:\n  v0 = const whatever\n", "line 3: bad operand 'whatever'"},
      {"HDRb0:\n  v0 = loadslot 3\n", "line 3: expected a slot"},
      {"HDRb0:\n  v0 = call v1 v2\n", "line 3: expected '(' after the callee"},
      {"HDRb0:\n  branch v0 b1 b2\n", "line 3: expected ', ' at ' b1 b2'"},
      {"HDRb0:\n  return v0 v1\n", "line 3: expected ', ' between values"},
      {"HDRb0:\n  jump b1(v0\n", "line 3: expected ', ' between values"},
      {"HDRb0:\n  v0 = const 1 2\n", "line 3: bad operand '1 2'"},
      {"HDRb0 junk:\n", "line 2: a block label ends with ':'"},
  };
  for (const BadText& c : cases) {
    std::string text = c.text;
    if (text.rfind("HDR", 0) == 0) text = header + text.substr(3);
    ir::Function f;
    EXPECT_EQ(ParseFunction(text, names_, &f), c.error) << text;
  }
}

}  // namespace
}  // namespace maru::jit::irtext
