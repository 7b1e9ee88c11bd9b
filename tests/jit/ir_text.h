// The IR's text form, both ways, for tests: a parser that reads exactly what jit/ir/printer.cc
// prints back into an ir::Function, and the Oop formatter that gives Oop operands a textual form
// the parser understands. Pass tests are then written as "input IR text -> expected IR text".
//
// Oop operands (the `imm` of const, loadglobal, loadvar, closure, evalform, evalatom,
// storeglobal, storevar, define, namevalue):
//
//   42, -7           a Long (a fixnum, or a boxed Long outside the fixnum range)
//   ()               nil
//   t                the symbol t
//   'name            any other symbol
//   "text"           a String (a fresh one per parse; \" \\ \n \t escaped, other control
//                    characters as \ and three octal digits)
//   @name            the global Variable `name` of the Vm's core global Env (the parser defines
//                    it, with value nil, when it does not exist yet)
//   #name            an opaque object: the parser creates a fresh pair the first time it sees
//                    the name and remembers it, so that the formatter prints the same name
//
// Anything else (an encoded form from the lowering, a Fixed, a local Variable ...) prints as a
// placeholder: `#oN` for the N-th object seen (parseable), or, with describe_objects, as
// `{<the object dumped>}` (readable, not parseable).
//
// What the printer does not show (a call's form and likely callee, a prim's Variable and guard,
// an applyfixed's form, isfixed's likely value, the source form of each instruction, the
// function's expr/env/interpreted_forms) is nil after parsing.
#ifndef MARU_TESTS_JIT_IR_TEXT_H_
#define MARU_TESTS_JIT_IR_TEXT_H_

#include <map>
#include <string>
#include <string_view>

#include "jit/ir/ir.h"
#include "jit/ir/printer.h"
#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru::jit::irtext {

// The two-way mapping between Oop operands and their text. Objects it creates are kept alive
// through a global of the Vm (the collector does not scan this object's containers), so the Vm
// must outlive it.
class OopNames {
 public:
  explicit OopNames(Vm& vm);
  OopNames(const OopNames&) = delete;
  OopNames& operator=(const OopNames&) = delete;

  Vm& vm() { return vm_; }

  // The text of an operand (see the file comment).
  std::string Format(Oop o);
  // Format as an ir::OopFormatter (captures this object).
  ir::OopFormatter formatter();

  // Parses one operand token; false (with *error set) when it is not one of the forms above.
  bool Parse(std::string_view token, Oop* out, std::string* error);

  // The opaque object named `#name` (created on first use).
  Oop Named(std::string_view name);
  // Gives an existing object the placeholder name `#name` (replacing any earlier name).
  void SetName(std::string_view name, Oop o);
  // The placeholder name of an object ("" when it has none).
  std::string NameOf(Oop o) const;

  // Unknown objects print as `{dump}` instead of an automatic `#oN` name.
  void set_describe_objects(bool on) { describe_objects_ = on; }

 private:
  void KeepAlive(Oop o);

  Vm& vm_;
  Oop keep_var_;  // a global Variable whose value lists every object created or named here
  std::map<std::string, Oop, std::less<>> by_name_;
  std::map<Oop, std::string> by_oop_;
  int next_auto_ = 1;
  bool describe_objects_ = false;
};

// Parses the printer's text form of one function into *out (which is reset first). Returns ""
// on success, else "line N: <what is wrong>". Only syntax is checked: the result may be
// malformed IR (that is what verifier tests need). value_count becomes one more than the
// largest value id mentioned.
std::string ParseFunction(std::string_view text, OopNames& names, ir::Function* out);

// Parses `text` and aborts the test binary with the parse error when it does not parse.
ir::Function ParseOrDie(std::string_view text, OopNames& names);

// ir::Print with names.formatter().
std::string PrintFunction(const ir::Function& f, OopNames& names);

}  // namespace maru::jit::irtext

#endif  // MARU_TESTS_JIT_IR_TEXT_H_
