// Sample modules for the objfile tests and benchmark: hand-assembled x86-64 (System V ABI) and
// AArch64 functions that exercise every kind of module-internal reference.
#ifndef MARU_TESTS_OBJFILE_SAMPLE_MODULES_H_
#define MARU_TESTS_OBJFILE_SAMPLE_MODULES_H_

#include <cstdint>

#include "jit/objfile/module_spec.h"

namespace maru::objfile_test {

namespace objfile = ::maru::jit::objfile;

// Data table slots of the samples.
inline constexpr uint32_t kSlotValue = 0;   // read by kTableRef / kTableIsFive
inline constexpr uint32_t kSlotHelper = 1;  // int64_t (*)(int64_t), called by kCallHelper
inline constexpr uint32_t kSlotInit = 2;    // set by the writer (data_table_init)
inline constexpr uint64_t kInitValue = 0x123456789abcdef0;
inline constexpr size_t kSampleTableWords = 4;

// Function indices of SampleX86Module(), with what each computes.
enum X86Sample : int {
  kAnswer = 0,     // "answer":         42
  kTableRef,       // "table-ref":      table[kSlotValue]            (mov rax, [rip+d])
  kCallHelper,     // "call-helper!":   helper(arg0)                 (call [rip+d])
  kAdd,            // "+":              arg0 + arg1
  kAnswerPlusOne,  // "answer+1":       answer() + 1                 (call rel32 in module)
  kTableAddress,   // "table-address":  &table[0]                    (lea rax, [rip+d])
  kInitWord,       // "init-word":      table[kSlotInit]
  kAnswerAgain,    // "answer" again:   7   (symbol maru_f_answer_1)
  kAligned64,      // "aligned/64":     64, alignment 64
  kTableIsFive,    // "five?":          table[kSlotValue] == 5      (cmp [rip+d], imm8)
  kX86SampleCount,
};

// Ten small x86-64 functions and a kSampleTableWords-word table (kSlotInit preset).
objfile::ModuleSpec SampleX86Module();

// A module of `count` copies of "mov eax, i; ret"-sized functions named fn0.. (benchmarks).
objfile::ModuleSpec SmallX86Module(int count);

// Function indices of SampleAArch64Module().
enum AArch64Sample : int {
  kA64Answer = 0,    // mov w0, #42; ret
  kA64TableRef,      // adrp x0, slot; ldr x0, [x0, :lo12:slot]; ret
  kA64TableAddress,  // adrp x0, table; add x0, x0, :lo12:table; ret
  kA64CallAnswer,    // stp; bl answer; ldp; ret
  kA64AdrTable,      // adr x0, table; ret
  kA64LdrLiteral,    // ldr x0, slot (literal); ret
  kA64SampleCount,
};

objfile::ModuleSpec SampleAArch64Module();

}  // namespace maru::objfile_test

#endif  // MARU_TESTS_OBJFILE_SAMPLE_MODULES_H_
