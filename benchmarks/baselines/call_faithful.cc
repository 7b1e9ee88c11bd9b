// The table of C++ baseline programs, in the order of benchmarks/programs/programs.tsv.
#include "benchmarks/baselines/call_faithful.h"

#include <cstring>
#include <iterator>

#include "benchmarks/baselines/gc_cells.h"

namespace maru::baselines {

namespace {

constexpr BaselineProgram kPrograms[] = {
    {"fib", RunFib},         {"tak", RunTak},           {"takl", RunTakl},
    {"cpstak", RunCpstak},   {"nqueens", RunNqueens},   {"deriv", RunDeriv},
    {"destruc", RunDestruc}, {"diviter", RunDiviter},   {"divrec", RunDivrec},
    {"triangl", RunTriangl}, {"puzzle", RunPuzzle},     {"strings", RunStrings},
    {"sort", RunSort},       {"closures", RunClosures},
};

}  // namespace

std::span<const BaselineProgram> BaselinePrograms() { return kPrograms; }

const BaselineProgram* FindBaselineProgram(std::string_view name) {
  for (const BaselineProgram& p : kPrograms) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

std::string FormatIntList(const IntCell* list) {
  std::string out = "(";
  for (const IntCell* c = list; c != nullptr; c = c->cdr) {
    if (c != list) out += ' ';
    out += std::to_string(c->car);
  }
  out += ')';
  return out;
}

}  // namespace maru::baselines
