// Encoding (spec §5.3): symbols become their Variables (or the Form/Fixed a global holds), special
// forms get their Env and Variables.
#include "runtime/env.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/printer.h"

namespace maru {

namespace {

// `let` variables live in the enclosing function's frame: once a scope has taken slots, every
// enclosing Env of the same level must count them so that the activation is sized for all of its
// (sibling and nested) `let`s. At level 0 (globals) only the immediate parent advances, as in the
// reference.
void AdvanceOffset(Oop env, int64_t offset) {
  int64_t level = EnvLevel(env);
  while (IsEnv(env) && EnvLevel(env) == level) {
    if (EnvOffset(env) < offset) Slot(env, env::kOffset) = MakeFixnum(offset);
    if (level == 0) break;
    env = Slot(env, env::kParent);
  }
}

class Encoder {
 public:
  explicit Encoder(Vm& vm) : vm_(vm) {}

  Oop Encode(Oop x, Oop env) {
    if (vm_.StackExhausted()) return vm_.StackOverflow();
    if (IsSymbol(x)) return EncodeSymbol(x, env);
    if (!IsPair(x)) {
      Oop hook = vm_.HookFor(vm_.encoders_var(), TypeOf(x));
      if (hook == kNil) return x;
      Oop args[2] = {x, env};
      return Apply(vm_, hook, args, 2, nullptr);
    }
    ActiveForm active{x, vm_.active};
    vm_.active = &active;
    Oop result = EncodePair(x, env);
    vm_.active = active.prev;
    return result;
  }

 private:
  Oop EncodeSymbol(Oop symbol, Oop env) {
    Oop var = EnvLookup(env, symbol);
    if (var == kNil) {
      return vm_.Error("undefined variable: " + std::string(SymbolName(symbol)));
    }
    if (IsGlobalVariable(var)) {
      Oop value = Slot(var, variable::kValue);
      if (Is(value, kFormType) || Is(value, kFixedType)) return value;
    }
    return var;
  }

  Oop Cons(Oop head, Oop tail, Oop source) {
    Oop p = NewPair(head, tail, source);
    return p == kNil ? vm_.OutOfMemory() : p;
  }

  // Encodes every element of a list (and a final dotted atom).
  Oop EncodeList(Oop list, Oop env) {
    if (!IsPair(list)) {
      if (list == kNil) return kNil;
      return Encode(list, env);
    }
    Oop head = kNil, last = kNil;
    while (IsPair(list)) {
      Oop item = Encode(Slot(list, pair::kHead), env);
      if (item == kErrorOop) return item;
      Oop cell = Cons(item, kNil, SourceOf(list));
      if (cell == kErrorOop) return cell;
      if (head == kNil) {
        head = cell;
      } else {
        Slot(last, pair::kTail) = cell;
      }
      last = cell;
      list = Slot(list, pair::kTail);
    }
    if (list != kNil) {
      Oop item = Encode(list, env);
      if (item == kErrorOop) return item;
      Slot(last, pair::kTail) = item;
    }
    return head;
  }

  Oop EncodePair(Oop x, Oop env) {
    Oop source = SourceOf(x);
    Oop head = Encode(Slot(x, pair::kHead), env);
    if (head == kErrorOop) return head;
    Oop operands = Slot(x, pair::kTail);
    if (head == vm_.special_form(kLambda)) return EncodeLambda(head, operands, env, source);
    if (head == vm_.special_form(kLet)) return EncodeLet(head, operands, env, source);
    if (head == vm_.special_form(kDefine)) return EncodeDefine(head, operands, env, source);
    if (head == vm_.special_form(kSet)) return EncodeSet(head, operands, env, source);
    if (head == vm_.special_form(kQuote)) return Cons(head, operands, source);
    Oop rest = EncodeList(operands, env);
    if (rest == kErrorOop) return rest;
    return Cons(head, rest, source);
  }

  Oop NonSymbolParameter(Oop p) {
    return vm_.Error("non-symbol parameter name: " + DumpForMessage(vm_, p));
  }

  Oop EncodeLambda(Oop head, Oop operands, Oop env, Oop source) {
    Oop scope = NewEnv(env, EnvLevel(env) + 1, 0);
    if (scope == kNil) return vm_.OutOfMemory();
    Oop params = Car(operands);
    Oop encoded_params;
    if (IsSymbol(params)) {
      encoded_params = EnvDefine(scope, params);
      if (encoded_params == kNil) return vm_.OutOfMemory();
    } else {
      encoded_params = kNil;
      Oop last = kNil;
      while (IsPair(params)) {
        Oop name = Slot(params, pair::kHead);
        if (!IsSymbol(name)) return NonSymbolParameter(name);
        Oop var = EnvDefine(scope, name);
        if (var == kNil) return vm_.OutOfMemory();
        Oop cell = Cons(var, kNil, SourceOf(params));
        if (cell == kErrorOop) return cell;
        if (encoded_params == kNil) {
          encoded_params = cell;
        } else {
          Slot(last, pair::kTail) = cell;
        }
        last = cell;
        params = Slot(params, pair::kTail);
      }
      if (params != kNil) {
        if (!IsSymbol(params)) return NonSymbolParameter(params);
        Oop var = EnvDefine(scope, params);
        if (var == kNil) return vm_.OutOfMemory();
        if (last == kNil) {
          encoded_params = var;
        } else {
          Slot(last, pair::kTail) = var;
        }
      }
    }
    Oop body = EncodeList(Cdr(operands), scope);
    if (body == kErrorOop) return body;
    Oop rest = Cons(encoded_params, body, source);
    if (rest == kErrorOop) return rest;
    rest = Cons(scope, rest, source);
    if (rest == kErrorOop) return rest;
    return Cons(head, rest, source);
  }

  Oop EncodeLet(Oop head, Oop operands, Oop env, Oop source) {
    Oop scope = NewEnv(env, EnvLevel(env), EnvOffset(env));
    if (scope == kNil) return vm_.OutOfMemory();
    // Define every variable first so that the scope owns its slots before any init expression
    // (which may contain a nested `let`) takes more slots from the enclosing Env.
    Oop vars = kNil, vars_last = kNil;
    for (Oop b = Car(operands); IsPair(b); b = Slot(b, pair::kTail)) {
      Oop binding = Slot(b, pair::kHead);
      Oop name = IsPair(binding) ? Slot(binding, pair::kHead) : binding;
      if (!IsSymbol(name)) return NonSymbolParameter(name);
      Oop var = EnvDefine(scope, name);
      if (var == kNil) return vm_.OutOfMemory();
      Oop cell = Cons(var, kNil, kNil);
      if (cell == kErrorOop) return cell;
      if (vars == kNil) {
        vars = cell;
      } else {
        Slot(vars_last, pair::kTail) = cell;
      }
      vars_last = cell;
    }
    AdvanceOffset(env, EnvOffset(scope));
    Oop bindings = kNil, last = kNil;
    Oop b = Car(operands);
    for (Oop v = vars; IsPair(v); v = Slot(v, pair::kTail), b = Slot(b, pair::kTail)) {
      Oop binding = Slot(b, pair::kHead);
      Oop inits = IsPair(binding) ? Slot(binding, pair::kTail) : kNil;
      Oop encoded_inits = EncodeList(inits, env);
      if (encoded_inits == kErrorOop) return encoded_inits;
      Oop encoded = Cons(Slot(v, pair::kHead), encoded_inits,
                         IsPair(binding) ? SourceOf(binding) : source);
      if (encoded == kErrorOop) return encoded;
      Oop cell = Cons(encoded, kNil, SourceOf(b));
      if (cell == kErrorOop) return cell;
      if (bindings == kNil) {
        bindings = cell;
      } else {
        Slot(last, pair::kTail) = cell;
      }
      last = cell;
    }
    // The scope's offset may have advanced during the inits (nested lets in the enclosing Env).
    if (EnvOffset(scope) < EnvOffset(env)) Slot(scope, env::kOffset) = MakeFixnum(EnvOffset(env));
    Oop body = EncodeList(Cdr(operands), scope);
    if (body == kErrorOop) return body;
    AdvanceOffset(env, EnvOffset(scope));
    Oop rest = Cons(bindings, body, source);
    if (rest == kErrorOop) return rest;
    rest = Cons(scope, rest, source);
    if (rest == kErrorOop) return rest;
    return Cons(head, rest, source);
  }

  Oop EncodeDefine(Oop head, Oop operands, Oop env, Oop source) {
    Oop name = Car(operands);
    if (!IsSymbol(name)) {
      return vm_.Error("define: non-symbol name: " + DumpForMessage(vm_, name));
    }
    Oop globals = vm_.current_globals();
    if (!IsEnv(globals)) return vm_.Error("define: *globals* is not an environment");
    Oop var = EnvFindLocal(globals, name);
    if (var == kNil) {
      var = EnvDefine(globals, name);
      if (var == kNil) return vm_.OutOfMemory();
    }
    Oop rest = EncodeList(Cdr(operands), env);
    if (rest == kErrorOop) return rest;
    rest = Cons(var, rest, source);
    if (rest == kErrorOop) return rest;
    return Cons(head, rest, source);
  }

  Oop EncodeSet(Oop head, Oop operands, Oop env, Oop source) {
    Oop name = Car(operands);
    Oop var = IsSymbol(name) ? EnvLookup(env, name) : kNil;
    if (var == kNil) {
      return vm_.Error("set: undefined variable: " + DumpForMessage(vm_, name));
    }
    Oop rest = EncodeList(Cdr(operands), env);
    if (rest == kErrorOop) return rest;
    rest = Cons(var, rest, source);
    if (rest == kErrorOop) return rest;
    return Cons(head, rest, source);
  }

  Vm& vm_;
};

}  // namespace

Oop Encode(Vm& vm, Oop x, Oop env) { return Encoder(vm).Encode(x, env); }

}  // namespace maru
