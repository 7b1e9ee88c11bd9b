// The JIT's compile pipeline run phase by phase, as jit/jit.cc runs it (lowering, each pass of
// jit/passes/pipeline.cc, code generation, installation), with each phase's cost charged to it:
// nanoseconds, or under callgrind the instructions of one selected phase only.
#ifndef MARU_BENCHMARKS_SUPPORT_COMPILE_PIPELINE_H_
#define MARU_BENCHMARKS_SUPPORT_COMPILE_PIPELINE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "jit/backend/backend.h"
#include "jit/codemem/code_memory.h"
#include "jit/ir/ir.h"
#include "runtime/vm.h"

namespace maru::bench {

enum class CompilePhase : int {
  kLower,
  kInline,  // inlining known callees, their lowering included
  kForwardSlots,
  kPropagateCopies,
  kFoldConstants,
  kFoldConstantBranches,
  kThreadJumps,
  kMergeBlocks,
  kInvertNotBranches,
  kGuardEntry,
  kUnreachableBlocks,
  kShareGuards,
  kFixnumTypes,
  kDeadCode,
  kCodegen,  // the backend, without the installation it makes
  kInstall,  // CodeMemory::Install: copy, relocation, making the code executable (or dlopen)
};
inline constexpr int kCompilePhaseCount = 16;

// "lower", "fold_constant_branches", ..., "codegen", "install".
const char* CompilePhaseName(CompilePhase phase);

// Charges the cost of a compile to its phases. Phases nest (installation happens inside code
// generation): each moment is charged to the innermost phase entered.
class PhaseMeter {
 public:
  // Measures time per phase (steady clock).
  PhaseMeter() = default;
  // Under callgrind: turns event collection on (CALLGRIND_TOGGLE_COLLECT) exactly while
  // `collected` is the innermost phase, and measures nothing itself. The process must run with
  // collection off (valgrind --collect-atstart=no).
  static PhaseMeter CollectingOnly(CompilePhase collected);

  void Enter(CompilePhase phase);
  void Exit();

  double nanoseconds(CompilePhase phase) const { return ns_[static_cast<int>(phase)]; }
  double total_nanoseconds() const;

 private:
  std::optional<CompilePhase> collected_;
  CompilePhase stack_[4] = {};
  int depth_ = 0;
  std::chrono::steady_clock::time_point last_;
  double ns_[kCompilePhaseCount] = {};
};

// A pass of the JIT's pipeline, in order.
struct PipelinePass {
  const char* name;  // as jit/passes/pipeline.cc names it
  CompilePhase phase;
  bool (*run)(jit::ir::Function& f);
};
// The passes RunPasses runs, in its order (a copy: jit/passes/passes.h does not export the
// list; CheckPassList catches a difference).
std::span<const PipelinePass> PipelinePasses();

// Instructions of all blocks (block parameters are not counted): "IR nodes".
int64_t CountIrNodes(const jit::ir::Function& f);

struct PhasedCompile {
  int64_t lowered_nodes = 0;    // after lowering
  int64_t optimized_nodes = 0;  // after the passes
  size_t code_bytes = 0;
};

// Lowers `expr` (an Expr: a global function's value), runs the passes one by one, generates code
// with `backend` and installs it in `memory`, charging each phase to `meter`. No verification
// (jit::JitOptions::verify runs the verifier after lowering and after every pass). The caller
// releases *block from `memory`.
absl::Status CompileInPhases(Vm& vm, Oop expr, jit::Backend& backend, jit::CodeMemory& memory,
                             PhaseMeter& meter, jit::CodeBlock* block, PhasedCompile* out);

// OK when running PipelinePasses() one by one on the lowered `expr` gives the same IR as
// jit::RunPasses; otherwise says that the copied pass list is out of date.
absl::Status CheckPassList(Vm& vm, Oop expr);

}  // namespace maru::bench

#endif  // MARU_BENCHMARKS_SUPPORT_COMPILE_PIPELINE_H_
