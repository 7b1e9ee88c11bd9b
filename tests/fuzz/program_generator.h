// A structure-aware generator of well-formed Maru programs for differential fuzzing: the input
// bytes choose, one decision at a time, among the constructs the interpreter and the JIT must
// agree on (fixnum/boxed Long arithmetic, Doubles, strings, lists, arrays, closures capturing
// loop variables, `set` on globals and captured variables, function redefinition, primitive
// rebinding, bounded loops and recursion, and errors such as division by zero, arity and type
// errors).
//
// Every program terminates quickly whatever the bytes: loops have literal or masked bounds,
// recursion has a depth argument below 16 and one recursive call per activation, and an estimate
// of the work each construct does (loop trips times body, calls times the callee's work) is kept
// under a fixed budget. Data cannot become cyclic (cars of lists and elements of arrays are only
// set to numbers) or grow exponentially (concatenations add a short fresh operand). The program
// calls a host function `(gc)` that forces a collection; the embedder must define it.
#ifndef MARU_TESTS_FUZZ_PROGRAM_GENERATOR_H_
#define MARU_TESTS_FUZZ_PROGRAM_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace maru::fuzz {

// The Maru source text of the program the bytes describe (deterministic).
std::string GenerateProgram(const uint8_t* data, size_t size);

// The definitions the generated programs use beyond the core (list, define-function, dumpln,
// println, map, for, incr, push, error, ...), written in core Maru with the same meaning as the
// project's prelude for the uses the generator makes. Loading it instead of the prelude makes an
// engine tens of times cheaper to set up, which is most of the cost of an input; the
// programs also run unchanged with the full prelude.
std::string_view ProgramPrelude();

}  // namespace maru::fuzz

#endif  // MARU_TESTS_FUZZ_PROGRAM_GENERATOR_H_
