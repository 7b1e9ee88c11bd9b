#include "jit/lower/lower.h"

#include <cstring>

#include "runtime/env.h"
#include "runtime/heap.h"
#include "runtime/subr.h"

namespace maru::jit {

namespace {

using ir::Builder;
using ir::Opcode;
using ir::PrimitiveOp;
using ir::ValueId;

struct PrimitiveInfo {
  const char* name;
  PrimitiveOp op;
  int arity;
};

constexpr PrimitiveInfo kPrimitives[] = {
    {"+", PrimitiveOp::kAdd, 2},   {"-", PrimitiveOp::kSub, 2},     {"*", PrimitiveOp::kMul, 2},
    {"<", PrimitiveOp::kLt, 2},    {"<=", PrimitiveOp::kLe, 2},     {">", PrimitiveOp::kGt, 2},
    {">=", PrimitiveOp::kGe, 2},   {"=", PrimitiveOp::kEq, 2},      {"!=", PrimitiveOp::kNe, 2},
    {"car", PrimitiveOp::kCar, 1}, {"cdr", PrimitiveOp::kCdr, 1},   {"not", PrimitiveOp::kNot, 1},
    {"pair?", PrimitiveOp::kPairP, 1},
    {"&", PrimitiveOp::kBitAnd, 2},  {"|", PrimitiveOp::kBitOr, 2},    {"^", PrimitiveOp::kBitXor, 2},
    {"~", PrimitiveOp::kBitNot, 1},  {"<<", PrimitiveOp::kShl, 2},     {">>", PrimitiveOp::kShr, 2},
    {"array-at", PrimitiveOp::kArrayAt, 2},   {"set-array-at", PrimitiveOp::kSetArrayAt, 3},
    {"string-at", PrimitiveOp::kStringAt, 2}, {"type-of", PrimitiveOp::kTypeOf, 1},
    {"cons", PrimitiveOp::kCons, 2},
};

// The special form `fixed` is (SpecialForm), or -1 for any other object.
int SpecialFormIndex(Vm& vm, Oop fixed) {
  for (int k = 0; k < kSpecialFormCount; ++k) {
    if (vm.special_form(static_cast<SpecialForm>(k)) == fixed) return k;
  }
  return -1;
}

class Lowerer {
 public:
  Lowerer(Vm& vm, ir::Function* f) : vm_(vm), f_(f), b_(f) {}

  std::string Run(Oop expr) {
    Oop defn = Slot(expr, expr::kDefn);
    Oop env = Car(defn);
    if (!IsEnv(env)) return "malformed definition";
    f_->expr = expr;
    f_->body = Cdr(Cdr(defn));
    f_->env = env;
    f_->level = EnvLevel(env);
    f_->nslots = EnvOffset(env);
    if (f_->nslots > 4096) return "too many locals";
    Oop name = Slot(expr, expr::kName);
    f_->name = IsSymbol(name) ? std::string(SymbolName(name)) : "lambda";
    Oop params = Car(Cdr(defn));
    while (IsPair(params)) {
      Oop var = Slot(params, pair::kHead);
      if (!IsVariable(var)) return "malformed parameter list";
      f_->param_slots.push_back(VariableIndex(var));
      params = Slot(params, pair::kTail);
    }
    if (params != kNil) {
      if (!IsVariable(params)) return "malformed parameter list";
      f_->rest_slot = VariableIndex(params);
    }
    for (int64_t s : f_->param_slots) {
      if (s < 0 || s >= f_->nslots) return "parameter outside the frame";
    }
    if (f_->rest_slot >= f_->nslots) return "parameter outside the frame";
    if (f_->param_slots.size() > 64) return "too many parameters";
    b_.SetBlock(b_.NewBlock());
    // The arguments as passed: loads of their slots before anything can assign them become these
    // values (jit/passes/forward_slots.cc), which the backends deliver in registers.
    for (size_t i = 0; i < f_->param_slots.size(); ++i) {
      b_.Emit(Opcode::kParam, {}, kNil, static_cast<int64_t>(i));
    }
    ValueId result = LowerBody(Cdr(Cdr(defn)));
    if (!failure_.empty()) return failure_;
    b_.Return(result);
    return "";
  }

 private:
  ValueId Fail(const std::string& why) {
    if (failure_.empty()) failure_ = why;
    return b_.Const(kNil);
  }

  ValueId Nil() { return b_.Const(kNil); }

  ValueId LowerBody(Oop forms) {
    if (!IsPair(forms)) return Nil();
    ValueId result = ir::kNoValue;
    while (IsPair(forms)) {
      result = Lower(Slot(forms, pair::kHead));
      forms = Slot(forms, pair::kTail);
    }
    return result;
  }

  ValueId Lower(Oop x) {
    if (!failure_.empty()) return Nil();
    if (vm_.StackExhausted()) return Fail("nesting too deep to compile");
    if (!IsObject(x)) return b_.Const(x);
    switch (HeaderOf(x)->type) {
      case kUndefinedType:
      case kLongType:
      case kDoubleType:
      case kStringType:
        return b_.Const(x);
      case kVariableType:
        return ReadVariable(x);
      case kPairType:
        return LowerPair(x);
      default:
        // Other atoms evaluate through *evaluators* (spec §5.4), which can change at run time.
        return b_.Emit(Opcode::kEvalAtom, {}, x);
    }
  }

  bool IsLocal(Oop var) {
    int64_t index = VariableIndex(var);
    return VariableLevel(var) == f_->level && f_->level > 0 && index >= 0 && index < f_->nslots;
  }

  ValueId ReadVariable(Oop var) {
    if (IsGlobalVariable(var)) return b_.Emit(Opcode::kLoadGlobal, {}, var);
    if (IsLocal(var)) return b_.Emit(Opcode::kLoadSlot, {}, kNil, VariableIndex(var));
    return b_.Emit(Opcode::kLoadVar, {}, var);
  }

  void WriteVariable(Oop var, ValueId value) {
    if (IsGlobalVariable(var)) {
      b_.Emit(Opcode::kStoreGlobal, {value}, var);
    } else if (IsLocal(var)) {
      b_.Emit(Opcode::kStoreSlot, {value}, kNil, VariableIndex(var));
    } else {
      b_.Emit(Opcode::kStoreVar, {value}, var);
    }
  }

  int SpecialFormOf(Oop fixed) { return SpecialFormIndex(vm_, fixed); }

  // The fast-path description of a core primitive called with argc arguments, or nullptr.
  const PrimitiveInfo* PrimitiveFor(Oop subr, int argc) {
    if (!IsSubr(subr) || SubrOf(subr)->kind != SubrKind::kPrimitive) return nullptr;
    for (const PrimitiveInfo& p : kPrimitives) {
      if (p.arity == argc && SubrName(subr) == p.name) return &p;
    }
    return nullptr;
  }

  ValueId LowerPair(Oop x) {
    Oop head = Slot(x, pair::kHead);
    Oop operands = Slot(x, pair::kTail);
    if (Is(head, kFixedType)) {
      int k = SpecialFormOf(head);
      if (k >= 0) return LowerSpecial(static_cast<SpecialForm>(k), x, operands);
      // A user special form (`fixed`): its function gets the encoded operands.
      ++f_->interpreted_forms;
      ValueId fixed = b_.Const(head);
      return b_.Emit(Opcode::kApplyFixed, {fixed}, x);
    }
    int argc = 0;
    Oop p = operands;
    for (; IsPair(p); p = Slot(p, pair::kTail)) ++argc;
    if (p != kNil) {
      // A dotted operand list passes its final atom unevaluated: leave it to the interpreter.
      ++f_->interpreted_forms;
      return b_.Emit(Opcode::kEvalForm, {}, x);
    }
    if (IsVariable(head) && IsGlobalVariable(head)) {
      Oop value = Slot(head, variable::kValue);
      if (Is(value, kExprType) || IsSubr(value)) return LowerKnownCall(x, head, value, operands, argc);
    }
    // The head is evaluated first; a Fixed that reaches head position at run time gets the
    // operands unevaluated (spec §6), anything else gets them evaluated left to right.
    ValueId fn = Lower(head);
    Oop expected = kNil;  // no value is known for a computed head
    ValueId is_fixed = b_.Emit(Opcode::kIsFixed, {fn}, kNil, 0, expected);
    ir::BlockId call_block = b_.NewBlock();
    ir::BlockId fixed_block = b_.NewBlock(0, /*cold=*/true);
    ir::BlockId join = b_.NewBlock(1);
    b_.Branch(is_fixed, fixed_block, call_block);
    b_.SetBlock(fixed_block);
    ValueId applied = b_.Emit(Opcode::kApplyFixed, {fn}, x);
    b_.Jump(join, {applied});
    b_.SetBlock(call_block);
    ir::ValueList args = {fn};
    for (Oop q = operands; IsPair(q); q = Slot(q, pair::kTail)) {
      args.push_back(Lower(Slot(q, pair::kHead)));
    }
    ValueId result = b_.Emit(Opcode::kCall, args, x, 0, expected);
    b_.Jump(join, {result});
    b_.SetBlock(join);
    return b_.Param(join, 0);
  }

  // A call whose head is a global holding an Expr or a Subr when compiled. The global is checked
  // first (the head is evaluated before the operands, spec 5.4): while it still holds that value,
  // the operands are evaluated here and the call is direct (or inline, for core primitives);
  // otherwise the interpreter evaluates the whole form in this activation, which is exact for
  // whatever the global holds now (a Fixed gets its operands unevaluated).
  ValueId LowerKnownCall(Oop form, Oop var, Oop value, Oop operands, int argc) {
    ValueId same = b_.Emit(Opcode::kGlobalIs, {}, var, 0, value);
    ir::BlockId fast = b_.NewBlock();
    ir::BlockId fallback = b_.NewBlock(0, /*cold=*/true);
    ir::BlockId join = b_.NewBlock(1);
    b_.Branch(same, fast, fallback);
    b_.SetBlock(fallback);
    ValueId interpreted = b_.Emit(Opcode::kEvalForm, {}, form);
    b_.Jump(join, {interpreted});
    b_.SetBlock(fast);
    ir::ValueList args;
    for (Oop q = operands; IsPair(q); q = Slot(q, pair::kTail)) {
      args.push_back(Lower(Slot(q, pair::kHead)));
    }
    ValueId result;
    if (const PrimitiveInfo* prim = PrimitiveFor(value, argc)) {
      result = b_.Emit(Opcode::kPrimitive, args, var, static_cast<int64_t>(prim->op), value);
    } else {
      args.insert(args.begin(), b_.Const(value));
      result = b_.Emit(Opcode::kCall, args, form, DirectSlots(value, argc), value);
    }
    b_.SetForm(form);
    b_.Jump(join, {result});
    b_.SetBlock(join);
    return b_.Param(join, 0);
  }

  // The slot count of `callee` when a call with argc arguments may enter it directly
  // (jit/backend/direct_entry.h: its parameters are its first slots and argc matches), else 0.
  static int64_t DirectSlots(Oop callee, int argc) {
    if (!Is(callee, kExprType) || SlotCount(callee) != expr::kSlots) return 0;
    Oop defn = Slot(callee, expr::kDefn);
    Oop env = Car(defn);
    if (!IsEnv(env)) return 0;
    int64_t nslots = EnvOffset(env);
    int64_t i = 0;
    Oop params = Car(Cdr(defn));
    for (; IsPair(params); params = Slot(params, pair::kTail), ++i) {
      Oop var = Slot(params, pair::kHead);
      if (!IsVariable(var) || VariableIndex(var) != i) return 0;
    }
    if (params != kNil || i != argc || nslots < i || nslots > 4096) return 0;
    return nslots > 0 ? nslots : 1;
  }

  ValueId LowerSpecial(SpecialForm k, Oop form, Oop operands) {
    switch (k) {
      case kQuote:
        return b_.Const(Car(operands));
      case kIf:
        return LowerIf(operands);
      case kAnd:
        return LowerAndOr(operands, true);
      case kOr:
        return LowerAndOr(operands, false);
      case kWhile:
        return LowerWhile(operands);
      case kLambda:
        return b_.Emit(Opcode::kClosure, {}, operands);
      case kLet:
        return LowerLet(form, operands);
      case kDefine: {
        Oop var = Car(operands);
        if (!IsVariable(var)) return Interpret(form);
        Oop rest = Cdr(operands);
        ValueId value = IsPair(rest) ? Lower(Slot(rest, pair::kHead)) : Nil();
        return b_.Emit(Opcode::kDefine, {value}, var);
      }
      case kSet: {
        Oop var = Car(operands);
        if (!IsVariable(var)) return Interpret(form);
        ValueId value = Lower(Car(Cdr(operands)));
        WriteVariable(var, value);
        b_.Emit(Opcode::kNameValue, {value}, Slot(var, variable::kName));
        return value;
      }
      case kSpecialFormCount:
        break;
    }
    return Interpret(form);
  }

  ValueId Interpret(Oop form) {
    ++f_->interpreted_forms;
    return b_.Emit(Opcode::kEvalForm, {}, form);
  }

  ValueId LowerIf(Oop operands) {
    ValueId test = Lower(Car(operands));
    ir::BlockId then_block = b_.NewBlock();
    ir::BlockId else_block = b_.NewBlock();
    ir::BlockId join = b_.NewBlock(1);
    b_.Branch(test, then_block, else_block);
    b_.SetBlock(then_block);
    ValueId then_value = Lower(Car(Cdr(operands)));
    b_.Jump(join, {then_value});
    b_.SetBlock(else_block);
    ValueId else_value = LowerBody(Cdr(Cdr(operands)));
    b_.Jump(join, {else_value});
    b_.SetBlock(join);
    return b_.Param(join, 0);
  }

  ValueId LowerAndOr(Oop operands, bool is_and) {
    if (!IsPair(operands)) return b_.Const(is_and ? vm_.sym_t : kNil);
    ir::BlockId join = b_.NewBlock(1);
    while (IsPair(operands)) {
      ValueId value = Lower(Slot(operands, pair::kHead));
      operands = Slot(operands, pair::kTail);
      if (!IsPair(operands)) {
        b_.Jump(join, {value});
        break;
      }
      ir::BlockId next = b_.NewBlock();
      ir::BlockId done = b_.NewBlock();
      // and: a nil value ends it (with nil); or: a non-nil value ends it (with that value).
      if (is_and) {
        b_.Branch(value, next, done);
      } else {
        b_.Branch(value, done, next);
      }
      b_.SetBlock(done);
      b_.Jump(join, {value});
      b_.SetBlock(next);
    }
    b_.SetBlock(join);
    return b_.Param(join, 0);
  }

  ValueId LowerWhile(Oop operands) {
    ir::BlockId header = b_.NewBlock();
    ir::BlockId body = b_.NewBlock();
    ir::BlockId exit = b_.NewBlock();
    b_.Jump(header);
    b_.SetBlock(header);
    b_.Emit(Opcode::kPollInterrupt);
    ValueId test = Lower(Car(operands));
    b_.Branch(test, body, exit);
    b_.SetBlock(body);
    LowerBody(Cdr(operands));
    b_.Jump(header);
    b_.SetBlock(exit);
    return Nil();
  }

  ValueId LowerLet(Oop form, Oop operands) {
    // (let-Fixed Env ((Var . inits) ...) . body)
    Oop bindings = Car(Cdr(operands));
    for (Oop b = bindings; IsPair(b); b = Slot(b, pair::kTail)) {
      if (!IsVariable(Car(Slot(b, pair::kHead)))) return Interpret(form);
    }
    for (Oop b = bindings; IsPair(b); b = Slot(b, pair::kTail)) {
      Oop binding = Slot(b, pair::kHead);
      ValueId value = LowerBody(Cdr(binding));
      WriteVariable(Car(binding), value);
    }
    return LowerBody(Cdr(Cdr(operands)));
  }

  Vm& vm_;
  ir::Function* f_;
  Builder b_;
  std::string failure_;
};

// The scan of InlineableBody: false as soon as a form could capture or grow the activation.
class InlineScan {
 public:
  explicit InlineScan(Vm& vm) : vm_(vm) {}

  bool Forms(Oop forms) {
    for (; IsPair(forms); forms = Slot(forms, pair::kTail)) {
      if (!Form(Slot(forms, pair::kHead))) return false;
    }
    return forms == kNil;
  }

 private:
  bool Form(Oop x) {
    if (--budget_ < 0) return false;
    if (!IsObject(x)) return true;
    if (Is(x, kFixedType)) return false;  // a special form as a value (apply could run it here)
    if (IsVariable(x)) {
      return !IsGlobalVariable(x) || !Is(Slot(x, variable::kValue), kFixedType);
    }
    if (!IsPair(x)) return true;
    Oop head = Slot(x, pair::kHead);
    Oop operands = Slot(x, pair::kTail);
    if (!Is(head, kFixedType)) return Form(head) && Forms(operands);
    switch (SpecialFormIndex(vm_, head)) {
      case kQuote:
        return true;
      case kIf:
      case kAnd:
      case kOr:
      case kWhile:
        return Forms(operands);
      case kSet:
        return IsPair(operands) && IsVariable(Car(operands)) && Forms(Cdr(operands));
      case kLet: {
        // (let-Fixed Env ((Var . inits) ...) . body)
        for (Oop b = Car(Cdr(operands)); IsPair(b); b = Slot(b, pair::kTail)) {
          Oop binding = Slot(b, pair::kHead);
          if (!IsPair(binding) || !IsVariable(Car(binding)) || !Forms(Cdr(binding))) return false;
        }
        return Forms(Cdr(Cdr(operands)));
      }
      default:  // lambda, define, a user special form
        return false;
    }
  }

  Vm& vm_;
  int budget_ = 400;
};

}  // namespace

bool InlineableBody(Vm& vm, Oop expr) {
  if (!Is(expr, kExprType) || SlotCount(expr) > expr::kSlots) return false;
  Oop defn = Slot(expr, expr::kDefn);
  if (!IsPair(defn) || !IsEnv(Car(defn))) return false;
  return InlineScan(vm).Forms(Cdr(Cdr(defn)));
}

std::string LowerExpr(Vm& vm, Oop expr, ir::Function* out) {
  if (!Is(expr, kExprType) || SlotCount(expr) > expr::kSlots) return "not a core Expr";
  return Lowerer(vm, out).Run(expr);
}

}  // namespace maru::jit
