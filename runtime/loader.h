// Loading Maru source (files, in-memory text, the embedded prelude) and reporting errors.
#ifndef MARU_RUNTIME_LOADER_H_
#define MARU_RUNTIME_LOADER_H_

#include <cstdio>
#include <string>
#include <string_view>

#include "runtime/vm.h"

namespace maru {

// Reads, expands, encodes and evaluates each form of `in` in turn (spec §2.1 "Loading files"):
// *input* is the stream while it loads, a first line starting with "#!" is skipped, and at
// verbosity >= 1 each form and its result are echoed. Returns false when an error or an exit
// request is pending in the Vm.
bool LoadStream(Vm& vm, FILE* in, const std::string& path);
// Opens and loads a file; a file that cannot be opened is the error "<path>: <reason>".
bool LoadFile(Vm& vm, const std::string& path);
// Loads source text held in memory; `name` labels source positions.
bool LoadText(Vm& vm, std::string_view text, const std::string& name);
// Loads the project's prelude (embedded in the binary at build time).
bool LoadPrelude(Vm& vm);

// The report of an error as the command-line tool prints it: "error: <message>" and one line per
// active expression, innermost first ("<file>:<line>: <expression>"). Each line ends in '\n'.
std::string FormatErrorReport(const PendingError& error);

}  // namespace maru

#endif  // MARU_RUNTIME_LOADER_H_
