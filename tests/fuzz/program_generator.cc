#include "tests/fuzz/program_generator.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "tests/fuzz/byte_source.h"

namespace maru::fuzz {
namespace {

// The static types the generator tracks so that most programs run to completion (a value of
// the wrong type is still possible, e.g. nil from an out-of-range array-at: that is an error
// every execution mode must report alike).
enum class Kind { kInt, kDouble, kString, kList, kArray, kFn };
constexpr Kind kAllKinds[] = {Kind::kInt,  Kind::kDouble, Kind::kString,
                              Kind::kList, Kind::kArray,  Kind::kFn};

// Estimated work (roughly: primitive calls and forms evaluated).
constexpr int64_t kProgramWork = 20000;  // the whole program
constexpr int64_t kFunctionWork = 600;   // one call of a defined function
constexpr int64_t kClosureWork = 40;     // the most work a lambda body may do
// What a call of a closure is charged: more than any closure body, so that a closure cannot
// afford to call a closure. Every call thus goes to a callee with less work than its caller
// (defined functions only call earlier ones, redefinitions keep their estimate), and no call
// cycle exists apart from the depth-bounded self-recursion.
constexpr int64_t kClosureCallWork = kClosureWork + 1;
constexpr int64_t kCollectionWork = 300;
constexpr int64_t kRecursionDepth = 16;  // depth arguments are masked with 15
constexpr int kMaxExpressionDepth = 5;
constexpr int kMaxCollections = 2;  // (gc) calls per program: each costs a full collection

struct Var {
  std::string name;
  Kind kind;
  bool assignable;  // loop counters and recursion depths are never assigned
};

struct Function {
  std::string name;
  std::vector<Kind> params;
  Kind result;
  int64_t work;       // estimated work of one call, recursion included
  bool recursive;     // the first parameter is a depth that decreases on each recursive call
  bool rest = false;  // a rest parameter (a list of Ints) follows the fixed ones
};

// The work accounting of the code being generated: `work` accumulates the cost of everything
// emitted so far times `multiplier` (the trip count of the enclosing loops), against `limit`.
struct WorkScope {
  int64_t work = 0;
  int64_t multiplier = 1;
  int64_t limit = kProgramWork;
};

class Generator {
 public:
  explicit Generator(ByteSource& in) : in_(in) {}

  std::string Program() {
    std::string out;
    // Saved primitives, restored after a block that rebinds them (inline fast paths in compiled
    // code are guarded by the identity of the primitive bound to the global).
    out += "(define saved-car car)\n(define saved-cdr cdr)\n(define saved-mul *)\n";
    out += "(define saved-gt >)\n";
    out += "(define twice (form (lambda (env x) (list '+ x x))))\n";
    // The shape is chosen first, so that mutations of the first bytes change it.
    int globals = 1 + static_cast<int>(in_.Below(4));
    int functions = 1 + static_cast<int>(in_.Below(5));
    int actions = 1 + static_cast<int>(in_.Below(10));
    for (int i = 0; i < globals; ++i) out += DefineGlobal() + "\n";
    for (int i = 0; i < functions; ++i) out += DefineFunction() + "\n";
    for (int i = 0; i < actions && !in_.exhausted(); ++i) out += TopLevelAction() + "\n";
    // The final state of every global.
    out += "(dumpln (list";
    for (const Var& v : vars_) out += " " + v.name;
    out += "))\n";
    return out;
  }

 private:
  // --- Choices and bookkeeping ------------------------------------------------------------------

  uint32_t Choose(uint32_t n) { return in_.Below(n); }
  bool Chance(uint32_t percent) { return in_.Chance(percent); }

  // Concatenation in a fixed order. The elements of a braced list are evaluated left to right;
  // the operands of a chain of `+` are not (C++ leaves their order unspecified, and g++ and clang
  // differ), so a chain calling two generators would make the program depend on the compiler,
  // and a corpus input would mean different programs in the two builds.
  static std::string Cat(std::initializer_list<std::string> parts) {
    std::string out;
    for (const std::string& part : parts) out += part;
    return out;
  }

  std::string Fresh(const char* prefix) { return prefix + std::to_string(next_name_++); }

  void Charge(int64_t cost) { scope_.work += cost * scope_.multiplier; }
  bool Affordable(int64_t cost) const {
    return scope_.work + cost * scope_.multiplier <= scope_.limit;
  }

  // Indices of visible variables of a kind (assignable ones only if asked).
  std::vector<size_t> VarsOf(Kind kind, bool assignable_only) const {
    std::vector<size_t> found;
    for (size_t i = 0; i < vars_.size(); ++i) {
      if (vars_[i].kind == kind && (!assignable_only || vars_[i].assignable)) found.push_back(i);
    }
    return found;
  }

  std::vector<size_t> FunctionsReturning(Kind kind) const {
    std::vector<size_t> found;
    for (size_t i = 0; i < functions_.size(); ++i) {
      if (functions_[i].result == kind && Affordable(functions_[i].work + 2)) found.push_back(i);
    }
    return found;
  }

  Kind AnyKind() { return kAllKinds[Choose(6)]; }

  // --- Literals ---------------------------------------------------------------------------------

  std::string IntLiteral() {
    static const char* const kBoundaries[] = {
        "4611686018427387903",
        "4611686018427387904",
        "-4611686018427387904",
        "-4611686018427387905",
        "9223372036854775807",
        "-9223372036854775808",
        "2147483647",
        "-2147483648",
        "4294967296",
        "3037000499",
        "-1",
        "0",
        "0x7fffffffffffffff",
        "0x4000000000000000",
        "010",
        "?a",
        "?\\n",
        "18446744073709551615",
    };
    switch (Choose(4)) {
      case 0:
        return std::to_string(static_cast<int>(Choose(24)) - 4);
      case 1:
        return kBoundaries[Choose(sizeof kBoundaries / sizeof kBoundaries[0])];
      case 2:
        return std::to_string(static_cast<int64_t>(in_.Word()));
      default:
        return std::to_string(static_cast<int>(Choose(200)) - 100);
    }
  }

  std::string DoubleLiteral() {
    static const char* const kDoubles[] = {
        "0.0",
        "1.5",
        "-2.25",
        "0.1",
        "1e300",
        "2.5e-3",
        "1e18",
        "-0.0",
        "3.",
        "1e",
        "4611686018427387904.0",
        "9.2e18",
        "123456.789",
        "1e-7",
        "-1e308",
        "0.5",
    };
    return kDoubles[Choose(sizeof kDoubles / sizeof kDoubles[0])];
  }

  std::string StringLiteral() {
    static const char* const kStrings[] = {
        "\"\"",
        "\"a\"",
        "\"hello\"",
        "\"h\\u00e9llo\"",
        "\"tab\\tq\\\"\\\\\"",
        "\"\\x41\\102\"",
        "\"\xe6\x97\xa5\xe6\x9c\xac\"",
        "\"ab\\0cd\"",
        "\"line\\nbreak\"",
        "\"12abc\"",
        "\"0x10\"",
        "\"-077\"",
        "\"2.5e1\"",
        "\"  42\"",
    };
    return kStrings[Choose(sizeof kStrings / sizeof kStrings[0])];
  }

  std::string SymbolLiteral() {
    static const char* const kSymbols[] = {"'foo", "'a.b", "'|x|", "'<long>", "'set-car", "'t"};
    return kSymbols[Choose(sizeof kSymbols / sizeof kSymbols[0])];
  }

  std::string ListLiteral() {
    static const char* const kLists[] = {"()",     "'(1 2 3)",    "'(7)",
                                         "(list)", "'(-1 0 1 2)", "'(4611686018427387904 3)"};
    return kLists[Choose(sizeof kLists / sizeof kLists[0])];
  }

  // A small non-negative index or length, from any Int expression.
  std::string SmallInt(int mask) {
    if (Chance(50)) return std::to_string(Choose(static_cast<uint32_t>(mask) + 1));
    return "(& " + Int() + " " + std::to_string(mask) + ")";
  }

  // --- Expressions ------------------------------------------------------------------------------

  std::string Expr(Kind kind) {
    switch (kind) {
      case Kind::kInt:
        return Int();
      case Kind::kDouble:
        return Double();
      case Kind::kString:
        return String();
      case Kind::kList:
        return List();
      case Kind::kArray:
        return Array();
      case Kind::kFn:
        return Fn();
    }
    return "()";
  }

  // Tracks the nesting depth of expressions; at the limit only leaves are made.
  struct Nest {
    explicit Nest(Generator* g) : g(g) { ++g->depth_; }
    ~Nest() { --g->depth_; }
    bool deep() const { return g->depth_ > kMaxExpressionDepth || g->in_.exhausted(); }
    Generator* g;
  };

  std::string VarOr(Kind kind, std::string fallback) {
    std::vector<size_t> found = VarsOf(kind, false);
    if (found.empty() || Chance(25)) return fallback;
    return vars_[found[Choose(static_cast<uint32_t>(found.size()))]].name;
  }

  std::string Leaf(Kind kind) {
    switch (kind) {
      case Kind::kInt:
        return VarOr(kind, IntLiteral());
      case Kind::kDouble:
        return VarOr(kind, DoubleLiteral());
      case Kind::kString:
        return VarOr(kind, StringLiteral());
      case Kind::kList:
        return VarOr(kind, ListLiteral());
      case Kind::kArray:
        return VarOr(kind, "(array " + std::to_string(Choose(4)) + ")");
      case Kind::kFn:
        return VarOr(kind, "(lambda (x) x)");
    }
    return "()";
  }

  // A call of a defined function returning `kind`, or "" when none is affordable.
  std::string CallReturning(Kind kind) {
    std::vector<size_t> found = FunctionsReturning(kind);
    if (found.empty()) return "";
    const Function& f = functions_[found[Choose(static_cast<uint32_t>(found.size()))]];
    return Call(f);
  }

  std::string Call(const Function& f) {
    Charge(f.work + 2);
    std::string args;
    for (size_t i = 0; i < f.params.size(); ++i) {
      if (i == 0 && f.recursive) {
        args += " " + SmallInt(15);
      } else {
        args += " " + Expr(f.params[i]);
      }
    }
    if (f.rest) {
      int extra = static_cast<int>(Choose(4));
      for (int i = 0; i < extra; ++i) args += " " + Int();
    }
    // `apply` spreads a list: the same call through the primitive.
    if (Chance(10)) return "(apply " + f.name + " (list" + args + "))";
    return "(" + f.name + args + ")";
  }

  // The recursive call of the function being defined (once per activation, outside loops and
  // lambdas), or "".
  std::string SelfCall(Kind kind) {
    if (!self_call_open_ || self_ == nullptr || self_->result != kind) return "";
    self_call_open_ = false;
    std::string out = "(" + self_->name + " (- " + self_depth_ + " 1)";
    for (size_t i = 1; i < self_->params.size(); ++i) out += " " + Expr(self_->params[i]);
    return out + ")";
  }

  std::string Number() { return Chance(70) ? Int() : Double(); }

  std::string Divisor() { return Chance(80) ? "(| " + Int() + " 1)" : Int(); }

  // Accessors give nil out of range (spec §7.3-7.6); nil in arithmetic is an error that ends the
  // program, so most uses default it to 0.
  std::string OrZero(std::string access) { return Chance(75) ? "(or " + access + " 0)" : access; }

  std::string Int() {
    Nest nest(this);
    if (nest.deep() || !Affordable(4)) return Leaf(Kind::kInt);
    Charge(1);
    switch (Choose(34)) {
      case 0:
      case 1:
        return Leaf(Kind::kInt);
      case 2:
        return Cat({"(+ ", Int(), " ", Int(), ")"});
      case 3:
        return Cat({"(- ", Int(), " ", Int(), ")"});
      case 4:
        return Cat({"(* ", Int(), " ", Int(), ")"});
      case 5:
        return "(- " + Int() + ")";
      case 6:
      case 7:
        // Mostly odd divisors: a zero divisor is an error that ends the program.
        return Cat({std::string(Choose(2) ? "(/ " : "(% "), Int(), " ", Divisor(), ")"});
      case 8: {
        static const char* const kOps[] = {"&", "|", "^"};
        return Cat({std::string("("), kOps[Choose(3)], " ", Int(), " ", Int(), ")"});
      }
      case 9:
        return "(~ " + Int() + ")";
      case 10:
        return Cat({std::string(Chance(50) ? "(<< " : "(>> "), Int(), " ", Int(), ")"});
      case 11:
        return Cat({"(if ", Cond(), " ", Int(), " ", Int(), ")"});
      case 12:
        return Let(Kind::kInt);
      case 13: {
        std::string call = CallReturning(Kind::kInt);
        return call.empty() ? Leaf(Kind::kInt) : call;
      }
      case 14:
        if (!Affordable(kClosureCallWork)) return Leaf(Kind::kInt);
        Charge(kClosureCallWork);
        return Cat({"(", Fn(), " ", Int(), ")"});
      case 15:
        return "(double->long " + Double() + ")";
      case 16:
        return "(string-length " + String() + ")";
      case 17:
        Charge(30);
        return "(list-length " + List() + ")";
      case 18:
        return "(array-length " + Array() + ")";
      case 19:
        return OrZero(Cat({"(string-at ", String(), " ", SmallInt(7), ")"}));
      case 20:
        return OrZero(Cat({"(array-at ", Array(), " ", SmallInt(7), ")"}));
      case 21:
        return OrZero(Cat({Chance(50) ? "(car " : "(saved-car ", List(), ")"}));
      case 22:
        return "(string->long " + String() + ")";
      case 23:
        Charge(10);
        return Cat({std::string(Chance(50) ? "(max " : "(min "), Int(), " ", Int(), ")"});
      case 24:
        Charge(10);
        return Cat({"(apply + (list ", Int(), " ", Int(), "))"});
      case 25:
        return "(type-of " + Expr(AnyKind()) + ")";
      case 26: {
        std::string self = SelfCall(Kind::kInt);
        return self.empty() ? "(+ " + Int() + " 1)" : "(+ " + Int() + " " + self + ")";
      }
      case 27:
        return SumLoop();
      case 28:
        return Cat({std::string(Chance(50) ? "(or " : "(and "), Int(), " ", Int(), ")"});
      case 29: {
        // `set` is an expression: its value is the assigned one.
        std::vector<size_t> found = VarsOf(Kind::kInt, true);
        if (found.empty()) return Leaf(Kind::kInt);
        std::string name = vars_[found[Choose(static_cast<uint32_t>(found.size()))]].name;
        return "(set " + name + " " + Int() + ")";
      }
      case 30: {
        // A special form reaching head position through a variable gets its operands
        // unevaluated at run time (spec §6): `if` still works that way.
        std::string h = Fresh("h");
        return Cat({"(let ((", h, " if)) (", h, " ", Cond(), " ", Int(), " ", Int(), "))"});
      }
      case 31:
        // A macro of the program (expanded before encoding) and `eval` of built code.
        return Chance(50) ? "(twice " + Int() + ")"
                          : Cat({"(eval (list '+ ", IntLiteral(), " ", IntLiteral(), "))"});
      case 32:
        return Cat({"(let (", Bindings(1 + Choose(4)), ") ", Int(), ")"});
      default:
        return Cat({"(let ((", Fresh("u"), " ", Int(), ")) ", Int(), ")"});
    }
  }

  // Let bindings whose variables are not visible to the body (it only sees the enclosing ones):
  // extra frame slots and stores the compiled code must keep apart.
  std::string Bindings(int64_t n) {
    std::string out;
    for (int64_t i = 0; i < n; ++i) out += Cat({"(", Fresh("w"), " ", Expr(AnyKind()), ")"});
    return out;
  }

  std::string Double() {
    Nest nest(this);
    if (nest.deep() || !Affordable(4)) return Leaf(Kind::kDouble);
    Charge(1);
    switch (Choose(14)) {
      case 0:
      case 1:
        return Leaf(Kind::kDouble);
      case 2:
        return Cat({"(+ ", Double(), " ", Number(), ")"});
      case 3:
        return Cat({"(- ", Number(), " ", Double(), ")"});
      case 4:
        return Cat({"(* ", Double(), " ", Number(), ")"});
      case 5:
        return Cat({"(/ ", Double(), " ", Number(), ")"});
      case 6:
        return Cat({"(% ", Double(), " ", Number(), ")"});
      case 7:
        return "(long->double " + Int() + ")";
      case 8: {
        static const char* const kFns[] = {"sin", "cos", "log"};
        return Cat({std::string("("), kFns[Choose(3)], " ", Number(), ")"});
      }
      case 9:
        return "(string->double " + String() + ")";
      case 10:
        return Cat({"(if ", Cond(), " ", Double(), " ", Double(), ")"});
      case 11:
        return "(- " + Double() + ")";
      case 12: {
        std::string call = CallReturning(Kind::kDouble);
        return call.empty() ? Leaf(Kind::kDouble) : call;
      }
      default:
        return Let(Kind::kDouble);
    }
  }

  std::string Cond() {
    Nest nest(this);
    if (nest.deep() || !Affordable(4))
      return Cat({"(< ", Leaf(Kind::kInt), " ", Leaf(Kind::kInt), ")"});
    Charge(1);
    switch (Choose(11)) {
      case 0: {
        static const char* const kOps[] = {"<", "<=", ">", ">="};
        return Cat({std::string("("), kOps[Choose(4)], " ", Number(), " ", Number(), ")"});
      }
      case 1:
        return Cat({std::string(Chance(50) ? "(= " : "(!= "), Number(), " ", Number(), ")"});
      case 2:
        return "(not " + Cond() + ")";
      case 3:
        return "(pair? " + List() + ")";
      case 4:
        return Cat({"(= ", String(), " ", String(), ")"});
      case 5:
        return Cat({std::string(Chance(50) ? "(and " : "(or "), Cond(), " ", Cond(), ")"});
      case 6: {
        static const char* const kPredicates[] = {"string?", "symbol?", "array?",
                                                  "pair?",   "long?",   "double?"};
        return Cat({std::string("("), kPredicates[Choose(6)], " ", Expr(AnyKind()), ")"});
      }
      case 7:
        return Cat({"(= ", List(), " ", List(), ")"});
      case 8:
        return Cat({"(= ", Int(), " ", Int(), ")"});
      case 9:
        return Cat({"(saved-gt ", Int(), " ", Int(), ")"});
      default:
        return Cat({"(< ", Int(), " ", Int(), ")"});
    }
  }

  std::string String() {
    Nest nest(this);
    if (nest.deep() || !Affordable(6)) return Leaf(Kind::kString);
    Charge(2);
    switch (Choose(13)) {
      case 0:
      case 1:
        return Leaf(Kind::kString);
      case 2:
        // One operand is always a short fresh string: strings grow linearly, never doubling.
        return Chance(50) ? Cat({"(concat-string ", String(), " ", StringLiteral(), ")"})
                          : Cat({"(concat-string ", StringLiteral(), " ", String(), ")"});
      case 3:
        return Cat({"(string-copy ", String(), " ", SmallInt(7), " ", SmallInt(7), ")"});
      case 4:
        return "(long->string " + Int() + ")";
      case 5:
        return "(double->string " + Double() + ")";
      case 6:
        return "(symbol->string " + SymbolLiteral() + ")";
      case 7:
        switch (Choose(5)) {
          case 0:
            return "(format \"%d\" " + Int() + ")";
          case 1:
            return "(format \"%x\" " + Int() + ")";
          case 2:
            return "(format \"%5.2f\" " + Double() + ")";
          case 3:
            return "(format \"<%s>\" " + String() + ")";
          default:
            return "(format \"%c\" " + SmallInt(127) + ")";
        }
      case 8:
        return "(character->string (+ 65 " + SmallInt(25) + "))";
      case 9: {
        std::string s = Fresh("s");
        return Cat({"(let ((", s, " (string ", SmallInt(3), "))) (set-string-at ", s, " ",
                    SmallInt(7), " ", SmallInt(1023), ") ", s, ")"});
      }
      case 10:
        return Cat({"(if ", Cond(), " ", String(), " ", String(), ")"});
      case 11: {
        std::string call = CallReturning(Kind::kString);
        return call.empty() ? Leaf(Kind::kString) : call;
      }
      default:
        return Let(Kind::kString);
    }
  }

  std::string List() {
    Nest nest(this);
    if (nest.deep() || !Affordable(6)) return Leaf(Kind::kList);
    Charge(2);
    switch (Choose(13)) {
      case 0:
      case 1:
        return Leaf(Kind::kList);
      case 2:
        return Cat({"(cons ", Int(), " ", List(), ")"});
      case 3:
        return Cat({std::string(Chance(50) ? "(cdr " : "(saved-cdr "), List(), ")"});
      case 4:
        return Cat({"(list ", Int(), " ", Int(), " ", Number(), ")"});
      case 5:
        if (!Affordable(30 * kClosureCallWork)) return Leaf(Kind::kList);
        Charge(30 * kClosureCallWork);
        return Cat({"(map ", Fn(), " ", List(), ")"});
      case 6:
        Charge(20);
        return Cat({"(concat-list ", List(), " (list ", Int(), "))"});
      case 7:
        Charge(20);
        return "(array->list " + Array() + ")";
      case 8:
        return ClosureCollection();
      case 9:
        return Cat({"(if ", Cond(), " ", List(), " ", List(), ")"});
      case 10: {
        std::string call = CallReturning(Kind::kList);
        return call.empty() ? Leaf(Kind::kList) : call;
      }
      case 11:
        Charge(20);
        return "(list-reverse! (concat-list " + List() + " ()))";
      default:
        return Let(Kind::kList);
    }
  }

  std::string Array() {
    Nest nest(this);
    if (nest.deep() || !Affordable(6)) return Leaf(Kind::kArray);
    Charge(2);
    switch (Choose(7)) {
      case 0:
      case 1:
        return Leaf(Kind::kArray);
      case 2:
        Charge(20);
        return "(list->array " + List() + ")";
      case 3: {
        std::string a = Fresh("a");
        return Cat({"(let ((", a, " (array ", SmallInt(3), "))) (set-array-at ", a, " ",
                    SmallInt(7), " ", Number(), ") ", a, ")"});
      }
      case 4:
        return Cat({"(if ", Cond(), " ", Array(), " ", Array(), ")"});
      case 5: {
        std::string call = CallReturning(Kind::kArray);
        return call.empty() ? Leaf(Kind::kArray) : call;
      }
      default:
        return Let(Kind::kArray);
    }
  }

  // A function of one Int returning an Int.
  std::string Fn() {
    Nest nest(this);
    if (nest.deep()) return Leaf(Kind::kFn);
    switch (Choose(5)) {
      case 0:
        return Leaf(Kind::kFn);
      case 1:
      case 2:
        return Lambda();
      case 3: {
        // A defined function with the right signature and cheap enough to stand for a closure.
        for (const Function& f : functions_) {
          if (f.params.size() == 1 && f.params[0] == Kind::kInt && f.result == Kind::kInt &&
              !f.recursive && f.work <= kClosureWork && Chance(50)) {
            return f.name;
          }
        }
        return Lambda();
      }
      default:
        return Cat({"(if ", Cond(), " ", Fn(), " ", Fn(), ")"});
    }
  }

  // (lambda (x) stmt... int): captures whatever is visible; may assign captured variables.
  std::string Lambda() {
    std::string param = Fresh("x");
    WorkScope saved = scope_;
    bool saved_self = self_call_open_;
    bool saved_collection = collection_allowed_;
    self_call_open_ = false;
    collection_allowed_ = false;
    scope_ = WorkScope{0, 1, kClosureWork};
    vars_.push_back({param, Kind::kInt, true});
    std::string body;
    int statements = static_cast<int>(Choose(3));
    for (int i = 0; i < statements; ++i) body += Statement() + " ";
    body += Int();
    vars_.pop_back();
    scope_ = saved;
    self_call_open_ = saved_self;
    collection_allowed_ = saved_collection;
    Charge(1);
    return "(lambda (" + param + ") " + body + ")";
  }

  // (let ((v init)) stmt... result)
  std::string Let(Kind result) {
    Kind kind = AnyKind();
    std::string name = Fresh("v");
    std::string init = Expr(kind);
    // A binding may have several init expressions (the last wins) or none (nil).
    if (Chance(10)) init = Int() + " " + init;
    vars_.push_back({name, kind, true});
    std::string body;
    int statements = static_cast<int>(Choose(3));
    for (int i = 0; i < statements; ++i) body += Statement() + " ";
    body += Expr(result);
    vars_.pop_back();
    return "(let ((" + name + " " + init + ")) " + body + ")";
  }

  // Sums an Int expression over a counted loop.
  std::string SumLoop() {
    int64_t trips = 1 + Choose(20);
    if (!Affordable(trips * 6)) return Leaf(Kind::kInt);
    std::string acc = Fresh("acc"), i = Fresh("i");
    vars_.push_back({acc, Kind::kInt, true});
    vars_.push_back({i, Kind::kInt, false});
    int64_t saved_multiplier = scope_.multiplier;
    bool saved_self = self_call_open_;
    self_call_open_ = false;
    scope_.multiplier *= trips;
    Charge(4);
    std::string term = Int();
    scope_.multiplier = saved_multiplier;
    self_call_open_ = saved_self;
    vars_.pop_back();
    vars_.pop_back();
    return "(let ((" + acc + " 0) (" + i + " 0)) (while (< " + i + " " + std::to_string(trips) +
           ") (set " + acc + " (+ " + acc + " " + term + ")) (set " + i + " (+ " + i + " 1))) " +
           acc + ")";
  }

  // Closures made in a loop over a `let` variable share its slot (spec §5.6): the list of their
  // results shows it.
  std::string ClosureCollection() {
    int64_t trips = 1 + Choose(6);
    if (!Affordable(trips * (kClosureCallWork + 10) + 30 * kClosureCallWork)) {
      return Leaf(Kind::kList);
    }
    std::string fs = Fresh("fs"), i = Fresh("i"), j = Fresh("j"), f = Fresh("f");
    vars_.push_back({i, Kind::kInt, false});
    int64_t saved_multiplier = scope_.multiplier;
    bool saved_self = self_call_open_;
    self_call_open_ = false;
    scope_.multiplier *= trips;
    Charge(6);
    std::string j_init = Int();
    vars_.push_back({j, Kind::kInt, true});
    std::string lambda = Lambda();
    vars_.pop_back();
    scope_.multiplier = saved_multiplier;
    self_call_open_ = saved_self;
    vars_.pop_back();
    Charge(trips * kClosureCallWork);
    std::string arg = Int();
    return "(let ((" + fs + " ()) (" + i + " 0)) (while (< " + i + " " + std::to_string(trips) +
           ") (let ((" + j + " " + j_init + ")) (set " + fs + " (cons " + lambda + " " + fs +
           "))) (set " + i + " (+ " + i + " 1))) (map (lambda (" + f + ") (" + f + " " + arg +
           ")) " + fs + "))";
  }

  // --- Statements -------------------------------------------------------------------------------

  std::string Statement() {
    Nest nest(this);
    if (nest.deep() || !Affordable(10)) return Leaf(Kind::kInt);
    switch (Choose(16)) {
      case 0:
      case 1: {
        Kind kind = AnyKind();
        std::vector<size_t> found = VarsOf(kind, true);
        if (found.empty()) return Expr(kind);
        Charge(1);
        const Var& v = vars_[found[Choose(static_cast<uint32_t>(found.size()))]];
        std::string name = v.name;
        return "(set " + name + " " + Expr(kind) + ")";
      }
      case 2:
        Charge(20);
        return "(dumpln " + Expr(AnyKind()) + ")";
      case 3:
        Charge(20);
        return "(println " + Expr(AnyKind()) + ")";
      case 4:
        return Loop();
      case 5:
        Charge(1);
        return Cat({"(set-array-at ", Array(), " ", SmallInt(15), " ", Number(), ")"});
      case 6:
        Charge(1);
        return Cat({"(set-car ", List(), " ", Int(), ")"});
      case 7:
        Charge(1);
        if (Chance(30)) {
          // Generalised `set` (spec §5.2): (set (array-at a i) v) is (set-array-at a i v).
          return Cat({"(set (array-at ", Array(), " ", SmallInt(15), ") ", Number(), ")"});
        }
        return Cat({"(set-string-at ", String(), " ", SmallInt(15), " ", SmallInt(255), ")"});
      case 8:
        // Collections run only where code runs once: at top level and in the body of a `main`
        // function (with compiled frames on the stack), never in loops or other functions.
        if (!collection_allowed_ || collections_ >= kMaxCollections || scope_.multiplier > 1 ||
            !Affordable(kCollectionWork)) {
          return Leaf(Kind::kInt);
        }
        ++collections_;
        Charge(kCollectionWork);
        return "(gc)";
      case 9: {
        // `define` inside a body assigns the global (spec §5.6).
        std::vector<size_t> globals;
        for (size_t i = 0; i < globals_; ++i) globals.push_back(i);
        if (globals.empty()) return Leaf(Kind::kInt);
        const Var& g = vars_[globals[Choose(static_cast<uint32_t>(globals.size()))]];
        std::string name = g.name;
        Kind kind = g.kind;
        Charge(1);
        return "(define " + name + " " + Expr(kind) + ")";
      }
      case 10:
        return ErrorCase();
      case 11: {
        std::vector<size_t> found = VarsOf(Kind::kInt, true);
        if (found.empty()) return Leaf(Kind::kInt);
        Charge(2);
        std::string name = vars_[found[Choose(static_cast<uint32_t>(found.size()))]].name;
        return Chance(50) ? "(incr " + name + " " + Int() + ")" : "(decr " + name + ")";
      }
      case 12: {
        std::vector<size_t> found = VarsOf(Kind::kList, true);
        if (found.empty()) return Leaf(Kind::kInt);
        Charge(2);
        std::string name = vars_[found[Choose(static_cast<uint32_t>(found.size()))]].name;
        return "(push " + name + " " + Int() + ")";
      }
      default:
        return Expr(AnyKind());
    }
  }

  // A counted loop: `while` over a fresh counter, or the prelude's `for`.
  std::string Loop() {
    int64_t trips = 1 + Choose(40);
    while (trips > 1 && !Affordable(trips * 8)) trips /= 2;
    if (!Affordable(trips * 8)) return Leaf(Kind::kInt);
    std::string i = Fresh("i");
    vars_.push_back({i, Kind::kInt, false});
    int64_t saved_multiplier = scope_.multiplier;
    bool saved_self = self_call_open_;
    self_call_open_ = false;
    scope_.multiplier *= trips;
    Charge(3);
    std::string body;
    int statements = 1 + static_cast<int>(Choose(3));
    for (int k = 0; k < statements; ++k) body += " " + Statement();
    scope_.multiplier = saved_multiplier;
    self_call_open_ = saved_self;
    vars_.pop_back();
    std::string limit = std::to_string(trips);
    if (Chance(30)) return "(for (" + i + " 0 " + limit + ")" + body + ")";
    return "(let ((" + i + " 0)) (while (< " + i + " " + limit + ")" + body + " (set " + i +
           " (+ " + i + " 1))))";
  }

  // At most one deliberate error per program (later code does not run after it).
  std::string ErrorCase() {
    if (errors_ >= 1 || !Chance(40)) return Leaf(Kind::kInt);
    ++errors_;
    switch (Choose(16)) {
      case 0:
        return "(dumpln (/ " + Int() + " 0))";
      case 1:
        return "(dumpln (% " + Int() + " 0))";
      case 2: {
        if (functions_.empty()) return "((lambda (x) x))";
        const Function& f = functions_[Choose(static_cast<uint32_t>(functions_.size()))];
        Charge(f.work);  // a function with a rest parameter accepts the extra argument
        std::string out = "(" + f.name;
        size_t n = f.params.size() + 1;
        if (n > 1 && Chance(50)) n -= 2;  // too few
        for (size_t k = 0; k < n; ++k) out += " 1";
        return out + ")";
      }
      case 3:
        return "((lambda (x) x) 1 2)";
      case 4:
        return "(dumpln (+ " + Int() + " \"a\"))";
      case 5:
        return "(car 1 2)";
      case 6:
        return "(error \"boom\" " + Int() + ")";
      case 7:
        return "(set-array-at " + Array() + " -1 0)";
      case 8:
        return "(5 1)";
      case 9:
        return "(string-at 5 0)";
      case 10:
        return "(abort)";
      case 11:
        return "(exit " + std::to_string(Choose(8)) + ")";
      case 12:
        return "(format \"%d\" \"s\")";
      case 13:
        return "(~ 1.5)";
      case 14:
        return "(" + List() + " 1)";
      default:
        return "(array -" + std::to_string(1 + Choose(5)) + ")";
    }
  }

  // --- Top level --------------------------------------------------------------------------------

  std::string DefineGlobal() {
    Kind kind = AnyKind();
    std::string name = Fresh("g");
    std::string init = Expr(kind);
    vars_.push_back({name, kind, true});
    ++globals_;
    return "(define " + name + " " + init + ")";
  }

  // The body of a function (statements, then the result), generated within `work_limit`;
  // returns the estimated work of one call.
  std::string FunctionBody(const std::vector<Var>& params, Kind result, int64_t work_limit,
                           bool runs_once, int64_t* work) {
    WorkScope saved = scope_;
    bool saved_collection = collection_allowed_;
    collection_allowed_ = runs_once;
    scope_ = WorkScope{0, 1, work_limit};
    for (const Var& p : params) vars_.push_back(p);
    std::string body;
    int statements = static_cast<int>(Choose(4));
    for (int i = 0; i < statements; ++i) body += "\n  " + Statement();
    if (self_ != nullptr) {
      // (if (< d 1) base recursive-case): the recursive case calls itself at most once.
      std::string base = Expr(result);
      self_call_open_ = true;
      std::string recursive = Expr(result);
      if (self_call_open_) recursive = SelfCall(result);
      self_call_open_ = false;
      body += "\n  (if (< " + self_depth_ + " 1) " + base + " " + recursive + ")";
    } else {
      body += "\n  " + Expr(result);
    }
    vars_.resize(vars_.size() - params.size());
    *work = std::max<int64_t>(scope_.work, 1);
    scope_ = saved;
    collection_allowed_ = saved_collection;
    return body;
  }

  std::string DefineFunction() {
    Function f;
    f.name = Fresh("f");
    f.result = AnyKind();
    f.recursive = Chance(25);
    // Up to 7 parameters: more than the argument registers of the host convention.
    int arity = static_cast<int>(Chance(20) ? 4 + Choose(4) : Choose(4));
    f.rest = !f.recursive && Chance(15);
    std::vector<Var> params;
    if (f.recursive) {
      f.params.push_back(Kind::kInt);
      params.push_back({Fresh("d"), Kind::kInt, false});
    }
    for (int i = 0; i < arity; ++i) {
      Kind kind = AnyKind();
      f.params.push_back(kind);
      params.push_back({Fresh("p"), kind, true});
    }
    if (f.recursive) {
      self_ = &f;
      self_depth_ = params[0].name;
    }
    std::string rest_name;
    if (f.rest) {
      rest_name = Fresh("r");
      params.push_back({rest_name, Kind::kList, true});
    }
    int64_t work = 0;
    std::string body = FunctionBody(params, f.result, kFunctionWork, false, &work);
    self_ = nullptr;
    f.work = f.recursive ? work * kRecursionDepth : work;
    std::string out = "(define-function " + f.name + " ";
    out += ParameterList(params, f.rest);
    out += body + ")";
    functions_.push_back(f);
    return out;
  }

  // Redefines a function with the same signature and no more work (late binding: callers,
  // compiled or not, must see the new definition).
  std::string RedefineFunction() {
    size_t index = Choose(static_cast<uint32_t>(functions_.size()));
    Function f = functions_[index];
    // Only the functions defined before it stay callable (no mutual recursion).
    std::vector<Function> later(functions_.begin() + static_cast<std::ptrdiff_t>(index),
                                functions_.end());
    functions_.resize(index);
    std::vector<Var> params;
    for (size_t i = 0; i < f.params.size(); ++i) {
      bool depth = f.recursive && i == 0;
      params.push_back({Fresh(depth ? "d" : "p"), f.params[i], !depth});
    }
    if (f.rest) params.push_back({Fresh("r"), Kind::kList, true});
    if (f.recursive) {
      self_ = &f;
      self_depth_ = params[0].name;
    }
    int64_t limit = f.recursive ? f.work / kRecursionDepth : f.work;
    int64_t work = 0;
    std::string body = FunctionBody(params, f.result, limit, false, &work);
    self_ = nullptr;
    functions_.insert(functions_.end(), later.begin(), later.end());
    std::string out;
    if (Chance(50)) {
      out = "(define-function " + f.name + " " + ParameterList(params, f.rest) + body + ")";
    } else {
      out = "(set " + f.name + " (lambda " + ParameterList(params, f.rest) + body + "))";
    }
    return out;
  }

  // (a b c), (a b . rest), or the bare rest symbol when it is the only parameter.
  static std::string ParameterList(const std::vector<Var>& params, bool rest) {
    if (rest && params.size() == 1) return params[0].name;
    std::string out = "(";
    for (size_t i = 0; i < params.size(); ++i) {
      if (i > 0) out += rest && i + 1 == params.size() ? " . " : " ";
      out += params[i].name;
    }
    return out + ")";
  }

  std::string TopLevelAction() {
    switch (Choose(10)) {
      case 0:
      case 1: {
        const Function& f = functions_[Choose(static_cast<uint32_t>(functions_.size()))];
        if (!Affordable(f.work + 30)) return "(dumpln " + Expr(Kind::kInt) + ")";
        Charge(20);
        return "(dumpln " + Call(f) + ")";
      }
      case 2:
      case 3: {
        // Enough calls for the auto mode's threshold; the counter feeds the arguments.
        const Function& f = functions_[Choose(static_cast<uint32_t>(functions_.size()))];
        int64_t trips = 1 + Choose(40);
        while (trips > 1 && !Affordable(trips * (f.work + 30))) trips /= 2;
        if (!Affordable(trips * (f.work + 30))) return "(dumpln " + Expr(Kind::kInt) + ")";
        std::string i = Fresh("i");
        vars_.push_back({i, Kind::kInt, false});
        scope_.multiplier = trips;
        Charge(4);
        std::string call = Call(f);
        bool print = Chance(50);
        if (print) Charge(20);
        scope_.multiplier = 1;
        vars_.pop_back();
        return "(let ((" + i + " 0)) (while (< " + i + " " + std::to_string(trips) + ") " +
               (print ? "(dumpln " + call + ")" : call) + " (set " + i + " (+ " + i + " 1))))";
      }
      case 4:
        return Statement();
      case 5:
        return RedefineFunction();
      case 6: {
        // A function of statements, so that they run compiled; then its call.
        std::string name = Fresh("main");
        int64_t work = 0;
        Kind result = AnyKind();
        std::string body = FunctionBody(
            {}, result, std::min(scope_.limit - scope_.work, int64_t{4000}), true, &work);
        Charge(work + 20);
        functions_.push_back({name, {}, result, work, false});
        return "(define-function " + name + " ()" + body + ")\n(dumpln (" + name + "))";
      }
      case 7: {
        // Rebinding primitives that compiled code inlines; restored afterwards.
        static const char* const kRebind[] = {"(set car saved-cdr)", "(set cdr saved-car)",
                                              "(set * +)", "(set > >=)"};
        std::string out = std::string(kRebind[Choose(4)]) + "\n";
        int n = 1 + static_cast<int>(Choose(3));
        for (int k = 0; k < n; ++k) out += TopLevelCall() + "\n";
        return out + "(set car saved-car) (set cdr saved-cdr) (set * saved-mul) (set > saved-gt)";
      }
      case 8:
        if (collections_ >= kMaxCollections || !Affordable(kCollectionWork)) return Statement();
        ++collections_;
        Charge(kCollectionWork);
        return "(gc)";
      default:
        return ErrorCase();
    }
  }

  std::string TopLevelCall() {
    const Function& f = functions_[Choose(static_cast<uint32_t>(functions_.size()))];
    if (!Affordable(f.work + 30)) return "()";
    Charge(20);
    return "(dumpln " + Call(f) + ")";
  }

  ByteSource& in_;
  std::vector<Var> vars_;  // visible variables, innermost last; the globals come first
  size_t globals_ = 0;
  std::vector<Function> functions_;
  WorkScope scope_;
  int depth_ = 0;
  int next_name_ = 0;
  int errors_ = 0;
  int collections_ = 0;
  bool collection_allowed_ = true;  // false in lambdas and in functions called many times
  // The recursive function being defined, its depth parameter, and whether its one recursive
  // call may still be placed here.
  const Function* self_ = nullptr;
  std::string self_depth_;
  bool self_call_open_ = false;
};

constexpr char kProgramPrelude[] = R"maru(
(define list (lambda args args))
(define define-function
  (form (lambda (env name params . body) (list 'define name (cons 'lambda (cons params body))))))
(define for
  (form (lambda (env spec . body)
          (list 'let (list (list (car spec) (car (cdr spec))))
                (list 'while (list '< (car spec) (car (cdr (cdr spec))))
                      (cons 'let (cons () body))
                      (list 'set (car spec) (list '+ (car spec) 1)))))))
(define incr
  (form (lambda (env place . amount) (list 'set place (list '+ place (if amount (car amount) 1))))))
(define decr
  (form (lambda (env place . amount) (list 'set place (list '- place (if amount (car amount) 1))))))
(define push (form (lambda (env place x) (list 'set place (list 'cons x place)))))
(define-function dumpln (x) (dump x) (print "
") x)
(define-function println (x) (print x) (print "
") x)
(define error
  (lambda args (%signal-error (%with-output-to-string (lambda () (apply print args))))))
(define-function long? (x) (= (type-of x) 2))
(define-function double? (x) (= (type-of x) 3))
(define-function max (a b) (if (> b a) b a))
(define-function min (a b) (if (< b a) b a))
(define-function list-length (l)
  (let ((n 0)) (while (pair? l) (set n (+ n 1)) (set l (cdr l))) n))
(define-function map (f l)
  (let ((head (cons () ())) (last ()))
    (set last head)
    (while (pair? l)
      (let ((cell (cons (f (car l)) ()))) (set-cdr last cell) (set last cell))
      (set l (cdr l)))
    (cdr head)))
(define-function concat-list (a b)
  (let ((head (cons () ())) (last ()))
    (set last head)
    (while (pair? a)
      (let ((cell (cons (car a) ()))) (set-cdr last cell) (set last cell))
      (set a (cdr a)))
    (set-cdr last b)
    (cdr head)))
(define-function list-reverse! (l)
  (let ((reversed ()) (next ()))
    (while (pair? l) (set next (cdr l)) (set-cdr l reversed) (set reversed l) (set l next))
    reversed))
(define-function list->array (l)
  (let ((a (array (list-length l))) (i 0))
    (while (pair? l) (set-array-at a i (car l)) (set i (+ i 1)) (set l (cdr l)))
    a))
(define-function array->list (a)
  (let ((i (array-length a)) (result ()))
    (while (< 0 i) (set i (- i 1)) (set result (cons (array-at a i) result)))
    result))
(define-function concat-string (a b)
  (let ((s (string (+ (string-length a) (string-length b)))) (n (string-length a)) (i 0))
    (while (< i n) (set-string-at s i (string-at a i)) (set i (+ i 1)))
    (set i 0)
    (while (< i (string-length b)) (set-string-at s (+ n i) (string-at b i)) (set i (+ i 1)))
    s))
(define-function character->string (c)
  (let ((s (string 1))) (set-string-at s 0 c) s))
)maru";

}  // namespace

std::string_view ProgramPrelude() { return std::string_view(kProgramPrelude); }

std::string GenerateProgram(const uint8_t* data, size_t size) {
  ByteSource in(data, size);
  return Generator(in).Program();
}

}  // namespace maru::fuzz
