// The core printer (spec §9): print mode writes Strings raw, dump mode in read-back form.
#ifndef MARU_RUNTIME_PRINTER_H_
#define MARU_RUNTIME_PRINTER_H_

#include <string>

#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru {

// Appends the printed form of x to *out. Returns false with an error pending in the Vm when
// printing fails (an unbound %type-names, stack exhaustion on deeply nested data).
bool PrintTo(Vm& vm, Oop x, bool dump, std::string* out);

// The dumped form of x for error messages and backtraces: never fails (falls back to
// `<type=T>`), and abbreviates beyond `limit` characters.
std::string DumpForMessage(Vm& vm, Oop x, size_t limit = 4096);

// `%f` text of a double, exactly as C printf writes it.
std::string FormatDouble(double d);

}  // namespace maru

#endif  // MARU_RUNTIME_PRINTER_H_
