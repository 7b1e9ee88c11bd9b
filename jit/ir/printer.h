// The stable text form of the IR (used by --dump-ir and by tests).
#ifndef MARU_JIT_IR_PRINTER_H_
#define MARU_JIT_IR_PRINTER_H_

#include <functional>
#include <string>

#include "jit/ir/ir.h"

namespace maru::jit::ir {

// Formats an Oop operand (a constant, Variable, form); the default prints the raw word.
using OopFormatter = std::function<std::string(Oop)>;

std::string Print(const Function& f, const OopFormatter& format_oop = nullptr);

}  // namespace maru::jit::ir

#endif  // MARU_JIT_IR_PRINTER_H_
