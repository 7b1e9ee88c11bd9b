// Lowering (jit/lower): small Maru functions are defined through the loader, their Exprs lowered
// with jit::LowerExpr, and the IR text compared with what each form must become; then every
// function of the prelude is lowered and must verify, before and after the pass pipeline.
//
// Oop operands print as in tests/jit/ir_text.h; objects without a textual form (encoded forms,
// local Variables, Fixeds) are shown dumped between braces.
#include "jit/lower/lower.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/ir/ir.h"
#include "jit/ir/verifier.h"
#include "jit/passes/passes.h"
#include "runtime/env.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/printer.h"
#include "runtime/subr.h"
#include "runtime/vm.h"
#include "tests/jit/ir_text.h"

namespace maru::jit::irtext {
namespace {

using ir::Opcode;

class LowerTest : public ::testing::Test {
 protected:
  explicit LowerTest(bool prelude = false) : vm_(MakeVm(prelude)), names_(*vm_) {
    names_.set_describe_objects(true);
  }

  static std::unique_ptr<Vm> MakeVm(bool prelude) {
    InitHeap();
    auto vm = std::make_unique<Vm>();
    if (prelude && !LoadPrelude(*vm)) {
      ADD_FAILURE() << "the prelude does not load: " << vm->TakeError().message;
    }
    return vm;
  }

  // Loads Maru source text (failing the test on an error).
  void Load(const std::string& text) {
    if (!LoadText(*vm_, text, "<lower_test>")) {
      ADD_FAILURE() << "loading failed: " << vm_->TakeError().message << "\n" << text;
    }
  }

  Oop GlobalValue(const std::string& name) {
    Oop var = vm_->FindGlobal(name);
    EXPECT_NE(var, kNil) << name;
    return var == kNil ? kNil : Slot(var, variable::kValue);
  }

  // Lowers the Expr held by the global `name`; the verifier must accept the result.
  ir::Function LowerGlobal(const std::string& name) {
    ir::Function f;
    Oop expr = GlobalValue(name);
    EXPECT_TRUE(Is(expr, kExprType)) << name;
    EXPECT_EQ(LowerExpr(*vm_, expr, &f), "") << name;
    EXPECT_EQ(ir::Verify(f), "") << Print(f);
    return f;
  }

  std::string Lowered(const std::string& name) { return Print(LowerGlobal(name)); }

  std::string Print(const ir::Function& f) { return PrintFunction(f, names_); }

  // The instructions of a function with the given opcode.
  static std::vector<const ir::Instr*> Find(const ir::Function& f, Opcode op) {
    std::vector<const ir::Instr*> found;
    for (const ir::Block& b : f.blocks) {
      for (const ir::Instr& in : b.instrs) {
        if (in.op == op) found.push_back(&in);
      }
    }
    return found;
  }

  std::unique_ptr<Vm> vm_;
  OopNames names_;
};

class LowerWithPreludeTest : public LowerTest {
 protected:
  LowerWithPreludeTest() : LowerTest(true) {}
};

TEST_F(LowerTest, FunctionHeader) {
  Load("(define f (lambda (a b . rest) rest))");
  ir::Function f = LowerGlobal("f");
  EXPECT_EQ(f.name, "f");
  EXPECT_EQ(f.level, 2);  // the top-level form is level 1
  EXPECT_EQ(f.nslots, 3);
  EXPECT_EQ(f.param_slots, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(f.rest_slot, 2);
  EXPECT_EQ(f.expr, GlobalValue("f"));
  EXPECT_EQ(f.env, Car(Slot(f.expr, expr::kDefn)));
  EXPECT_EQ(f.interpreted_forms, 0);
  EXPECT_EQ(Print(f),
            "function f level=2 slots=3 params=(s0 s1 . s2)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = param #1\n"
            "  v2 = loadslot s2\n"
            "  return v2\n");
}

TEST_F(LowerTest, EmptyBodyAndConstants) {
  Load(
      "(define f (lambda ()))"
      "(define g (lambda () 42 \"s\" 'sym '(a b) ()))"
      "(define h (lambda args 4611686018427387904))");
  EXPECT_EQ(Lowered("f"),
            "function f level=2 slots=0 params=()\n"
            "b0:\n"
            "  v0 = const ()\n"
            "  return v0\n");
  EXPECT_EQ(Lowered("g"),
            "function g level=2 slots=0 params=()\n"
            "b0:\n"
            "  v0 = const 42\n"
            "  v1 = const \"s\"\n"
            "  v2 = const 'sym\n"
            "  v3 = const {(a b)}\n"
            "  v4 = const ()\n"
            "  return v4\n");
  EXPECT_EQ(Lowered("h"),
            "function h level=2 slots=1 params=(. s0)\n"
            "b0:\n"
            "  v0 = const 4611686018427387904\n"
            "  return v0\n");
}

TEST_F(LowerTest, If) {
  Load(
      "(define f (lambda (x) (if x 1 2)))"
      "(define g (lambda (x) (if x 1)))"
      "(define h (lambda (x) (if x 1 2 3)))");
  EXPECT_EQ(Lowered("f"),
            "function f level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = loadslot s0\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  v3 = const 1\n"
            "  jump b3(v3)\n"
            "b2:\n"
            "  v4 = const 2\n"
            "  jump b3(v4)\n"
            "b3(v2):\n"
            "  return v2\n");
  // No else: nil; several else forms: the last one's value.
  EXPECT_EQ(Lowered("g"),
            "function g level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = loadslot s0\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  v3 = const 1\n"
            "  jump b3(v3)\n"
            "b2:\n"
            "  v4 = const ()\n"
            "  jump b3(v4)\n"
            "b3(v2):\n"
            "  return v2\n");
  EXPECT_EQ(Lowered("h"),
            "function h level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = loadslot s0\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  v3 = const 1\n"
            "  jump b3(v3)\n"
            "b2:\n"
            "  v4 = const 2\n"
            "  v5 = const 3\n"
            "  jump b3(v5)\n"
            "b3(v2):\n"
            "  return v2\n");
}

TEST_F(LowerTest, AndOr) {
  Load(
      "(define list (lambda args args))"
      "(define f (lambda (a b) (and a b)))"
      "(define g (lambda (a b) (or a b)))"
      "(define h (lambda () (list (and) (or))))");
  EXPECT_EQ(Lowered("f"),
            "function f level=2 slots=2 params=(s0 s1)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = param #1\n"
            "  v3 = loadslot s0\n"
            "  branch v3, b2, b3\n"
            "b1(v2):\n"
            "  return v2\n"
            "b2:\n"
            "  v4 = loadslot s1\n"
            "  jump b1(v4)\n"
            "b3:\n"
            "  jump b1(v3)\n");
  EXPECT_EQ(Lowered("g"),
            "function g level=2 slots=2 params=(s0 s1)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = param #1\n"
            "  v3 = loadslot s0\n"
            "  branch v3, b3, b2\n"
            "b1(v2):\n"
            "  return v2\n"
            "b2:\n"
            "  v4 = loadslot s1\n"
            "  jump b1(v4)\n"
            "b3:\n"
            "  jump b1(v3)\n");
  // (and) is t, (or) is nil (the other constant is the callee, list).
  ir::Function h = LowerGlobal("h");
  std::vector<Oop> operands;
  for (const ir::Instr* c : Find(h, Opcode::kConst)) {
    if (c->imm != GlobalValue("list")) operands.push_back(c->imm);
  }
  EXPECT_EQ(operands, (std::vector<Oop>{vm_->sym_t, kNil}));
}

TEST_F(LowerTest, WhileLetAndSetOfLocals) {
  // The loop's test and the increment are calls of globals that held primitives when compiled:
  // each checks the global first (globalis), then evaluates the operands and runs the inline
  // primitive, or, when the global holds something else now, has the interpreter evaluate the
  // whole form. The exit block (b3) is made before the block that branches to it (b6).
  Load("(define f (lambda (n) (let ((i 0)) (while (< i n) (set i (+ i 1))) i)))");
  EXPECT_EQ(Lowered("f"),
            "function f level=2 slots=2 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = const 0\n"
            "  v2 = storeslot s1, v1\n"
            "  jump b1\n"
            "b1:\n"
            "  pollinterrupt\n"
            "  v3 = globalis @<, {<}\n"
            "  branch v3, b4, b5\n"
            "b2:\n"
            "  v9 = globalis @+, {+}\n"
            "  branch v9, b7, b8\n"
            "b3:\n"
            "  v16 = const ()\n"
            "  v17 = loadslot s1\n"
            "  return v17\n"
            "b4:\n"
            "  v6 = loadslot s1\n"
            "  v7 = loadslot s0\n"
            "  v8 = prim.< v6, v7\n"
            "  jump b6(v8)\n"
            "b5:\n"
            "  v5 = evalform {(< i n)}\n"
            "  jump b6(v5)\n"
            "b6(v4):\n"
            "  branch v4, b2, b3\n"
            "b7:\n"
            "  v12 = loadslot s1\n"
            "  v13 = const 1\n"
            "  v14 = prim.+ v12, v13\n"
            "  jump b9(v14)\n"
            "b8:\n"
            "  v11 = evalform {(+ i 1)}\n"
            "  jump b9(v11)\n"
            "b9(v10):\n"
            "  v15 = storeslot s1, v10\n"
            "  namevalue 'i, v10\n"
            "  jump b1\n");
}

TEST_F(LowerTest, LetBindings) {
  // Parallel inits, several init forms (the last one's value), a binding without init (nil),
  // nested lets in new slots of the same frame.
  Load("(define f (lambda (x) (let ((a 1 2) (b) c (d x)) (let ((e a)) e))))");
  EXPECT_EQ(Lowered("f"),
            "function f level=2 slots=6 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = const 1\n"
            "  v2 = const 2\n"
            "  v3 = storeslot s1, v2\n"
            "  v4 = const ()\n"
            "  v5 = storeslot s2, v4\n"
            "  v6 = const ()\n"
            "  v7 = storeslot s3, v6\n"
            "  v8 = loadslot s0\n"
            "  v9 = storeslot s4, v8\n"
            "  v10 = loadslot s1\n"
            "  v11 = storeslot s5, v10\n"
            "  v12 = loadslot s5\n"
            "  return v12\n");
}

TEST_F(LowerTest, GlobalsSetAndDefine) {
  Load(
      "(define counter 0)"
      "(define f (lambda () (set counter (+ counter 1))))"
      "(define g (lambda (x) (define made-here x)))");
  EXPECT_EQ(Lowered("f"),
            "function f level=2 slots=0 params=()\n"
            "b0:\n"
            "  v0 = globalis @+, {+}\n"
            "  branch v0, b1, b2\n"
            "b1:\n"
            "  v3 = loadglobal @counter\n"
            "  v4 = const 1\n"
            "  v5 = prim.+ v3, v4\n"
            "  jump b3(v5)\n"
            "b2:\n"
            "  v2 = evalform {(+ counter 1)}\n"
            "  jump b3(v2)\n"
            "b3(v1):\n"
            "  storeglobal @counter, v1\n"
            "  namevalue 'counter, v1\n"
            "  return v1\n");
  EXPECT_EQ(Lowered("g"),
            "function g level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = loadslot s0\n"
            "  v2 = define @made-here, v1\n"
            "  return v2\n");
  // define without a value defines nil.
  Load("(define h (lambda () (define also-here)))");
  EXPECT_EQ(Lowered("h"),
            "function h level=2 slots=0 params=()\n"
            "b0:\n"
            "  v0 = const ()\n"
            "  v1 = define @also-here, v0\n"
            "  return v1\n");
}

TEST_F(LowerTest, LambdaBecomesClosure) {
  Load("(define f (lambda (x) (lambda (y) (+ x y))))");
  ir::Function f = LowerGlobal("f");
  EXPECT_EQ(Print(f),
            "function f level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = closure {((y) (+ x y))}\n"
            "  return v1\n");
  // The operand is the encoded (Env params . body) of the lambda form.
  Oop operands = f.blocks[0].instrs[1].imm;
  EXPECT_TRUE(Is(Car(operands), kEnvType));
}

TEST_F(LowerTest, VariablesOfEnclosingFunctions) {
  Load(
      "(define make (lambda (x) (lambda (y) (set x y) x)))"
      "(define inner (make 1))");
  ir::Function f = LowerGlobal("inner");
  EXPECT_EQ(Print(f),
            "function inner level=3 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = loadslot s0\n"
            "  storevar {x}, v1\n"
            "  namevalue 'x, v1\n"
            "  v2 = loadvar {x}\n"
            "  return v2\n");
  Oop var = f.blocks[0].instrs[2].imm;
  EXPECT_TRUE(IsVariable(var));
  EXPECT_EQ(VariableLevel(var), 2);
  EXPECT_EQ(f.blocks[0].instrs[4].imm, var);
}

TEST_F(LowerTest, PrimitiveCallsGetAGuardedFastPath) {
  Load(
      "(define f (lambda (p) (car p)))"
      "(define g (lambda (a b) (< (+ a 1) (* b 2))))");
  ir::Function f = LowerGlobal("f");
  EXPECT_EQ(Print(f),
            "function f level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = globalis @car, {car}\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  v4 = loadslot s0\n"
            "  v5 = prim.car v4\n"
            "  jump b3(v5)\n"
            "b2:\n"
            "  v3 = evalform {(car p)}\n"
            "  jump b3(v3)\n"
            "b3(v2):\n"
            "  return v2\n");
  // The guard operands: the global Variable (late binding) and the Subr it held when compiled.
  Oop var = vm_->FindGlobal("car");
  Oop subr = GlobalValue("car");
  ASSERT_TRUE(IsSubr(subr));
  const ir::Instr& guard = f.blocks[0].instrs[1];
  EXPECT_EQ(guard.imm, var);
  EXPECT_EQ(guard.imm2, subr);
  const ir::Instr* car = Find(f, Opcode::kPrimitive)[0];
  EXPECT_EQ(car->aux, static_cast<int64_t>(ir::PrimitiveOp::kCar));
  EXPECT_EQ(car->imm, var);
  EXPECT_EQ(car->imm2, subr);
  EXPECT_TRUE(IsPair(car->form));  // the source form, for backtraces of the slow path
  EXPECT_EQ(DumpForMessage(*vm_, car->form), "(car p)");
  // The fallback evaluates the very form.
  EXPECT_EQ(Find(f, Opcode::kEvalForm)[0]->imm, car->form);

  // Nested primitive calls: each checks its global before its operands are evaluated (the head
  // is evaluated first, spec §5.4).
  ir::Function g = LowerGlobal("g");
  EXPECT_EQ(Print(g),
            "function g level=2 slots=2 params=(s0 s1)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = param #1\n"
            "  v2 = globalis @<, {<}\n"
            "  branch v2, b1, b2\n"
            "b1:\n"
            "  v5 = globalis @+, {+}\n"
            "  branch v5, b4, b5\n"
            "b2:\n"
            "  v4 = evalform {(< (+ a 1) (* b 2))}\n"
            "  jump b3(v4)\n"
            "b3(v3):\n"
            "  return v3\n"
            "b4:\n"
            "  v8 = loadslot s0\n"
            "  v9 = const 1\n"
            "  v10 = prim.+ v8, v9\n"
            "  jump b6(v10)\n"
            "b5:\n"
            "  v7 = evalform {(+ a 1)}\n"
            "  jump b6(v7)\n"
            "b6(v6):\n"
            "  v11 = globalis @*, {*}\n"
            "  branch v11, b7, b8\n"
            "b7:\n"
            "  v14 = loadslot s1\n"
            "  v15 = const 2\n"
            "  v16 = prim.* v14, v15\n"
            "  jump b9(v16)\n"
            "b8:\n"
            "  v13 = evalform {(* b 2)}\n"
            "  jump b9(v13)\n"
            "b9(v12):\n"
            "  v17 = prim.< v6, v12\n"
            "  jump b3(v17)\n");
  for (const ir::Instr* in : Find(g, Opcode::kPrimitive)) {
    EXPECT_TRUE(IsVariable(in->imm));
    EXPECT_EQ(in->imm2, Slot(in->imm, variable::kValue));
  }
}

TEST_F(LowerTest, GlobalCallsAreGuardedByTheGlobalsValue) {
  Load(
      "(define g (lambda (x) x))"
      "(define f (lambda (x) (g x)))");
  ir::Function f = LowerGlobal("f");
  EXPECT_EQ(Print(f),
            "function f level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = globalis @g, {Expr.g=(x)}\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  v4 = loadslot s0\n"
            "  v5 = const {Expr.g=(x)}\n"
            "  v6 = call v5(v4)\n"
            "  jump b3(v6)\n"
            "b2:\n"
            "  v3 = evalform {(g x)}\n"
            "  jump b3(v3)\n"
            "b3(v2):\n"
            "  return v2\n");
  // The Expr g held when compiled is called directly while g still holds it.
  Oop g = GlobalValue("g");
  EXPECT_EQ(f.blocks[0].instrs[1].imm, vm_->FindGlobal("g"));
  EXPECT_EQ(f.blocks[0].instrs[1].imm2, g);
  const ir::Instr* call = Find(f, Opcode::kCall)[0];
  EXPECT_EQ(call->imm2, g);
  EXPECT_EQ(DumpForMessage(*vm_, call->imm), "(g x)");
  EXPECT_EQ(Find(f, Opcode::kEvalForm)[0]->imm, call->imm);
}

TEST_F(LowerTest, ComputedHeadsTestForAFixedThenCall) {
  // A head that is not a global holding a function when compiled: a local, a global holding
  // something else (here nil: a forward declaration). A Fixed found there at run time gets the
  // operands unevaluated (spec §6).
  Load(
      "(define k (lambda (f x) (f x)))"
      "(define later)"
      "(define m (lambda (x) (later x)))");
  ir::Function k = LowerGlobal("k");
  EXPECT_EQ(Print(k),
            "function k level=2 slots=2 params=(s0 s1)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = param #1\n"
            "  v2 = loadslot s0\n"
            "  v3 = isfixed v2\n"
            "  branch v3, b2, b1\n"
            "b1:\n"
            "  v6 = loadslot s1\n"
            "  v7 = call v2(v6)\n"
            "  jump b3(v7)\n"
            "b2:\n"
            "  v5 = applyfixed v2\n"
            "  jump b3(v5)\n"
            "b3(v4):\n"
            "  return v4\n");
  EXPECT_EQ(DumpForMessage(*vm_, Find(k, Opcode::kApplyFixed)[0]->imm), "(f x)");
  EXPECT_EQ(Find(k, Opcode::kCall)[0]->imm2, kNil);
  EXPECT_EQ(Lowered("m"),
            "function m level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = loadglobal @later\n"
            "  v2 = isfixed v1\n"
            "  branch v2, b2, b1\n"
            "b1:\n"
            "  v5 = loadslot s0\n"
            "  v6 = call v1(v5)\n"
            "  jump b3(v6)\n"
            "b2:\n"
            "  v4 = applyfixed v1\n"
            "  jump b3(v4)\n"
            "b3(v3):\n"
            "  return v3\n");
}

TEST_F(LowerTest, ConsAndElementAccessAreInlinePrimitives) {
  Load("(define g (lambda (a i) (cons (array-at a i) (string-at a i))))");
  ir::Function g = LowerGlobal("g");
  std::vector<int64_t> ops;
  for (const ir::Instr* in : Find(g, Opcode::kPrimitive)) ops.push_back(in->aux);
  std::sort(ops.begin(), ops.end());
  std::vector<int64_t> expected = {static_cast<int64_t>(ir::PrimitiveOp::kArrayAt),
                                   static_cast<int64_t>(ir::PrimitiveOp::kStringAt),
                                   static_cast<int64_t>(ir::PrimitiveOp::kCons)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ops, expected);
  EXPECT_EQ(Find(g, Opcode::kCall).size(), 0u);
}

TEST_F(LowerTest, CallsThatAreNotFastPaths) {
  // A primitive with another arity than its fast path's, a primitive without one: direct calls of
  // the Subr. A computed head (here a call) is tested for a Fixed.
  Load(
      "(define f (lambda (x) (- x)))"
      "(define g (lambda (x) (% x x)))"
      "(define h (lambda (x) ((car x) 1)))");
  EXPECT_EQ(Lowered("f"),
            "function f level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = globalis @-, {-}\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  v4 = loadslot s0\n"
            "  v5 = const {-}\n"
            "  v6 = call v5(v4)\n"
            "  jump b3(v6)\n"
            "b2:\n"
            "  v3 = evalform {(- x)}\n"
            "  jump b3(v3)\n"
            "b3(v2):\n"
            "  return v2\n");
  ir::Function g = LowerGlobal("g");
  EXPECT_EQ(Find(g, Opcode::kPrimitive).size(), 0u);
  ASSERT_EQ(Find(g, Opcode::kCall).size(), 1u);
  EXPECT_EQ(Find(g, Opcode::kCall)[0]->args.size(), 3u);
  EXPECT_EQ(Find(g, Opcode::kCall)[0]->imm2, GlobalValue("%"));
  EXPECT_EQ(Lowered("h"),
            "function h level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = globalis @car, {car}\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  v4 = loadslot s0\n"
            "  v5 = prim.car v4\n"
            "  jump b3(v5)\n"
            "b2:\n"
            "  v3 = evalform {(car x)}\n"
            "  jump b3(v3)\n"
            "b3(v2):\n"
            "  v6 = isfixed v2\n"
            "  branch v6, b5, b4\n"
            "b4:\n"
            "  v9 = const 1\n"
            "  v10 = call v2(v9)\n"
            "  jump b6(v10)\n"
            "b5:\n"
            "  v8 = applyfixed v2\n"
            "  jump b6(v8)\n"
            "b6(v7):\n"
            "  return v7\n");
}

TEST_F(LowerTest, DottedCallsAreLeftToTheInterpreter) {
  Load(
      "(define g 1)"
      "(define f (lambda (x) (g x . 3)))");
  ir::Function f = LowerGlobal("f");
  EXPECT_EQ(Print(f),
            "function f level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = evalform {(g x . 3)}\n"
            "  return v1\n");
  EXPECT_EQ(f.interpreted_forms, 1);
}

TEST_F(LowerTest, SpecialFormAliasesAreSpecialForms) {
  // (define my-if if): encoding replaces the global by the Fixed itself (spec §6).
  Load(
      "(define my-if if)"
      "(define f (lambda (x) (my-if x 'a 'b)))");
  EXPECT_EQ(Lowered("f"),
            "function f level=2 slots=1 params=(s0)\n"
            "b0:\n"
            "  v0 = param #0\n"
            "  v1 = loadslot s0\n"
            "  branch v1, b1, b2\n"
            "b1:\n"
            "  v3 = const 'a\n"
            "  jump b3(v3)\n"
            "b2:\n"
            "  v4 = const 'b\n"
            "  jump b3(v4)\n"
            "b3(v2):\n"
            "  return v2\n");
}

TEST_F(LowerWithPreludeTest, UserSpecialFormsAreApplied) {
  Load(
      "(define my-quote (fixed (lambda args (car args))))"
      "(define-function f () (my-quote 1 2))");
  ir::Function f = LowerGlobal("f");
  EXPECT_EQ(Print(f),
            "function f level=2 slots=0 params=()\n"
            "b0:\n"
            "  v0 = const {Fixed<Expr=args>}\n"
            "  v1 = applyfixed v0\n"
            "  return v1\n");
  EXPECT_EQ(f.blocks[0].instrs[0].imm, GlobalValue("my-quote"));
  EXPECT_EQ(DumpForMessage(*vm_, f.blocks[0].instrs[1].imm), "(Fixed<Expr=args> 1 2)");
  EXPECT_EQ(f.interpreted_forms, 1);
}

TEST_F(LowerWithPreludeTest, HookedAtomsAreEvaluatedThroughEvaluators) {
  // A macro can put any object into code; one of a user type evaluates through *evaluators*
  // (spec §5.4), which may change at run time.
  Load(
      "(define-structure <thing> (v))"
      "(define-form make-thing () (new <thing> 5))"
      "(define-function f () (make-thing))");
  ir::Function f = LowerGlobal("f");
  std::vector<const ir::Instr*> atoms = Find(f, Opcode::kEvalAtom);
  ASSERT_EQ(atoms.size(), 1u);
  EXPECT_EQ(TypeOf(atoms[0]->imm), static_cast<uint32_t>(FixnumValue(GlobalValue("<thing>"))));
  EXPECT_EQ(f.blocks.size(), 1u);
  EXPECT_EQ(f.blocks[0].instrs.size(), 2u);
  EXPECT_EQ(f.blocks[0].instrs[1].op, Opcode::kReturn);
  EXPECT_EQ(f.blocks[0].instrs[1].args, ir::ValueList{atoms[0]->result});
}

TEST_F(LowerWithPreludeTest, NamedByDefineFunction) {
  Load("(define-function fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))");
  ir::Function f = LowerGlobal("fib");
  EXPECT_EQ(f.name, "fib");
  EXPECT_EQ(Find(f, Opcode::kCall).size(), 2u);
  EXPECT_EQ(Find(f, Opcode::kPrimitive).size(), 4u);
  EXPECT_EQ(f.interpreted_forms, 0);
}

// Every Expr reachable from the prelude's globals: values, and the functions of Forms and
// Fixeds.
std::vector<std::pair<std::string, Oop>> PreludeExprs(Vm& vm) {
  std::vector<std::pair<std::string, Oop>> exprs;
  Oop bindings = Slot(vm.global_env(), env::kBindings);
  for (int64_t i = 0; i < ArraySize(bindings); ++i) {
    Oop var = ArrayAt(bindings, i);
    if (!IsVariable(var)) continue;
    std::string name(SymbolName(Slot(var, variable::kName)));
    Oop value = Slot(var, variable::kValue);
    if (Is(value, kExprType)) exprs.emplace_back(name, value);
    if (Is(value, kFormType)) {
      for (int s : {form::kFunction, form::kSymbol}) {
        if (Is(Slot(value, s), kExprType)) exprs.emplace_back(name + " (form)", Slot(value, s));
      }
    }
    if (Is(value, kFixedType) && Is(Slot(value, fixed::kFunction), kExprType)) {
      exprs.emplace_back(name + " (fixed)", Slot(value, fixed::kFunction));
    }
  }
  return exprs;
}

TEST_F(LowerWithPreludeTest, EveryPreludeFunctionLowersAndVerifies) {
  std::vector<std::pair<std::string, Oop>> exprs = PreludeExprs(*vm_);
  EXPECT_GT(exprs.size(), 200u);
  int lowered = 0;
  for (const auto& [name, expr] : exprs) {
    ir::Function f;
    std::string why = LowerExpr(*vm_, expr, &f);
    EXPECT_EQ(why, "") << name;
    if (!why.empty()) continue;
    ++lowered;
    EXPECT_EQ(ir::Verify(f), "") << name << "\n" << Print(f);
    // The printed text parses back to the same text (placeholders for the objects).
    names_.set_describe_objects(false);
    std::string text = Print(f);
    ir::Function parsed;
    EXPECT_EQ(ParseFunction(text, names_, &parsed), "") << name;
    EXPECT_EQ(Print(parsed), text) << name;
    names_.set_describe_objects(true);
  }
  EXPECT_EQ(lowered, static_cast<int>(exprs.size()));
}

TEST_F(LowerWithPreludeTest, TierOnePipelineKeepsWhatTheFullOneGivesARecursiveFunction) {
  // Tier 1 (counts_calls) runs a shorter pipeline: for fib it must still forward the parameter
  // to its uses (the loads left are those after a call), share the guards and fold their
  // fallbacks away, as the full pipeline does.
  Load("(define fib (lambda (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))))");
  ir::Function full = LowerGlobal("fib");
  ir::Function tier1 = LowerGlobal("fib");
  tier1.counts_calls = true;
  ASSERT_EQ(RunPasses(full, /*verify=*/true), "");
  ASSERT_EQ(RunPasses(tier1, /*verify=*/true), "");
  EXPECT_EQ(Find(tier1, Opcode::kLoadSlot).size(), Find(full, Opcode::kLoadSlot).size())
      << Print(tier1);
  EXPECT_EQ(Find(tier1, Opcode::kGlobalIs).size(), 0u) << Print(tier1);
  EXPECT_EQ(Find(tier1, Opcode::kGuardsHold).size(), Find(full, Opcode::kGuardsHold).size());
  EXPECT_EQ(tier1.blocks.size(), full.blocks.size()) << Print(tier1);
}

TEST_F(LowerWithPreludeTest, EveryPreludeFunctionSurvivesThePasses) {
  for (const auto& [name, expr] : PreludeExprs(*vm_)) {
    ir::Function f;
    if (!LowerExpr(*vm_, expr, &f).empty()) continue;
    EXPECT_EQ(RunPasses(f, /*verify=*/true), "") << name;
    EXPECT_EQ(ir::Verify(f), "") << name << "\n" << Print(f);
    // The shorter pipeline of tier 1 code, likewise.
    ir::Function tier1;
    ASSERT_EQ(LowerExpr(*vm_, expr, &tier1), "");
    tier1.counts_calls = true;
    EXPECT_EQ(RunPasses(tier1, /*verify=*/true), "") << name;
    // Each pass on its own, on the lowered code, also keeps it well formed.
    for (bool (*pass)(ir::Function&) : {FoldConstantBranches, ForwardSlots, EliminateDeadCode}) {
      ir::Function g;
      ASSERT_EQ(LowerExpr(*vm_, expr, &g), "");
      pass(g);
      EXPECT_EQ(ir::Verify(g), "") << name << "\n" << Print(g);
    }
  }
}

}  // namespace
}  // namespace maru::jit::irtext
