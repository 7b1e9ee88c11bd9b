#include "benchmarks/support/compile_pipeline.h"

#include <valgrind/callgrind.h>

#include <functional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "jit/ir/printer.h"
#include "jit/jit.h"
#include "jit/lower/lower.h"
#include "jit/passes/passes.h"

namespace maru::bench {

namespace {

// jit/passes/pipeline.cc's order (a pass run twice charges both runs to its phase).
constexpr PipelinePass kPipelinePasses[] = {
    {"merge-blocks", CompilePhase::kMergeBlocks, jit::MergeBlocks},
    {"forward-slots", CompilePhase::kForwardSlots, jit::ForwardSlots},
    {"propagate-copies", CompilePhase::kPropagateCopies, jit::PropagateCopies},
    {"fold-constants", CompilePhase::kFoldConstants, jit::FoldConstants},
    {"fold-constant-branches", CompilePhase::kFoldConstantBranches, jit::FoldConstantBranches},
    {"thread-jumps", CompilePhase::kThreadJumps, jit::ThreadJumps},
    {"invert-not-branches", CompilePhase::kInvertNotBranches, jit::InvertNotBranches},
    {"thread-jumps", CompilePhase::kThreadJumps, jit::ThreadJumps},
    {"propagate-copies", CompilePhase::kPropagateCopies, jit::PropagateCopies},
    {"guard-entry", CompilePhase::kGuardEntry, jit::GuardEntry},
    {"unreachable-blocks", CompilePhase::kUnreachableBlocks, jit::RemoveUnreachableBlocks},
    // (The block removals between its rounds count as guard sharing.)
    {"share-guards", CompilePhase::kShareGuards, jit::ShareGuardsUntilStable},
    {"merge-blocks", CompilePhase::kMergeBlocks, jit::MergeBlocks},
    {"forward-slots", CompilePhase::kForwardSlots, jit::ForwardSlots},
    {"propagate-copies", CompilePhase::kPropagateCopies, jit::PropagateCopies},
    {"fixnum-types", CompilePhase::kFixnumTypes, jit::EliminateTagChecks},
    {"dead-code", CompilePhase::kDeadCode, jit::EliminateDeadCode},
};

// Forwards to another CodeMemory, charging Install to the kInstall phase.
class MeteredCodeMemory : public jit::CodeMemory {
 public:
  MeteredCodeMemory(jit::CodeMemory& inner, PhaseMeter& meter) : inner_(inner), meter_(meter) {}

  const char* kind() const override { return inner_.kind(); }
  bool Install(const std::string& name, size_t size,
               const std::function<bool(uint8_t* rw, uint64_t rx)>& write, jit::CodeBlock* out,
               std::string* error) override {
    meter_.Enter(CompilePhase::kInstall);
    bool ok = inner_.Install(name, size, write, out, error);
    meter_.Exit();
    return ok;
  }
  void Release(const jit::CodeBlock& block) override { inner_.Release(block); }
  size_t bytes_in_use() const override { return inner_.bytes_in_use(); }

 private:
  jit::CodeMemory& inner_;
  PhaseMeter& meter_;
};

absl::Status Lower(Vm& vm, Oop expr, jit::ir::Function* f) {
  std::string failure = jit::LowerExpr(vm, expr, f);
  if (!failure.empty()) return absl::FailedPreconditionError("lowering: " + failure);
  return absl::OkStatus();
}

}  // namespace

const char* CompilePhaseName(CompilePhase phase) {
  switch (phase) {
    case CompilePhase::kLower:
      return "lower";
    case CompilePhase::kInline:
      return "inline";
    case CompilePhase::kGuardEntry:
      return "guard_entry";
    case CompilePhase::kUnreachableBlocks:
      return "unreachable_blocks";
    case CompilePhase::kFixnumTypes:
      return "fixnum_types";
    case CompilePhase::kForwardSlots:
      return "forward_slots";
    case CompilePhase::kPropagateCopies:
      return "propagate_copies";
    case CompilePhase::kFoldConstants:
      return "fold_constants";
    case CompilePhase::kFoldConstantBranches:
      return "fold_constant_branches";
    case CompilePhase::kThreadJumps:
      return "thread_jumps";
    case CompilePhase::kMergeBlocks:
      return "merge_blocks";
    case CompilePhase::kInvertNotBranches:
      return "invert_not_branches";
    case CompilePhase::kShareGuards:
      return "share_guards";
    case CompilePhase::kDeadCode:
      return "dead_code";
    case CompilePhase::kCodegen:
      return "codegen";
    case CompilePhase::kInstall:
      return "install";
  }
  return "?";
}

PhaseMeter PhaseMeter::CollectingOnly(CompilePhase collected) {
  PhaseMeter meter;
  meter.collected_ = collected;
  return meter;
}

void PhaseMeter::Enter(CompilePhase phase) {
  if (collected_.has_value()) {
    const bool was = depth_ > 0 && stack_[depth_ - 1] == *collected_;
    if (was != (phase == *collected_)) CALLGRIND_TOGGLE_COLLECT;
  } else {
    auto now = std::chrono::steady_clock::now();
    if (depth_ > 0) {
      ns_[static_cast<int>(stack_[depth_ - 1])] +=
          std::chrono::duration<double, std::nano>(now - last_).count();
    }
    last_ = now;
  }
  stack_[depth_++] = phase;
}

void PhaseMeter::Exit() {
  const CompilePhase phase = stack_[--depth_];
  if (collected_.has_value()) {
    const bool now_collected = depth_ > 0 && stack_[depth_ - 1] == *collected_;
    if ((phase == *collected_) != now_collected) CALLGRIND_TOGGLE_COLLECT;
  } else {
    auto now = std::chrono::steady_clock::now();
    ns_[static_cast<int>(phase)] += std::chrono::duration<double, std::nano>(now - last_).count();
    last_ = now;
  }
}

double PhaseMeter::total_nanoseconds() const {
  double total = 0;
  for (double ns : ns_) total += ns;
  return total;
}

std::span<const PipelinePass> PipelinePasses() { return kPipelinePasses; }

int64_t CountIrNodes(const jit::ir::Function& f) {
  int64_t nodes = 0;
  for (const jit::ir::Block& b : f.blocks) nodes += static_cast<int64_t>(b.instrs.size());
  return nodes;
}

absl::Status CompileInPhases(Vm& vm, Oop expr, jit::Backend& backend, jit::CodeMemory& memory,
                             PhaseMeter& meter, jit::CodeBlock* block, PhasedCompile* out) {
  jit::ir::Function f;
  meter.Enter(CompilePhase::kLower);
  absl::Status lowered = Lower(vm, expr, &f);
  meter.Exit();
  if (!lowered.ok()) return lowered;
  out->lowered_nodes = CountIrNodes(f);
  // As the JIT compiles with inlining (tier 2, or everything with the dlopen kind; tier 1 skips
  // this phase: JitOptions::optimize_threshold).
  meter.Enter(CompilePhase::kInline);
  jit::InlineCalls(f, jit::InlineCalleeLowering(vm), jit::InlineLimits());
  meter.Exit();
  for (const PipelinePass& pass : kPipelinePasses) {
    meter.Enter(pass.phase);
    pass.run(f);
    meter.Exit();
  }
  out->optimized_nodes = CountIrNodes(f);
  MeteredCodeMemory metered(memory, meter);
  std::string error;
  meter.Enter(CompilePhase::kCodegen);
  jit::BackendOptions options;
  options.words_in_table = memory.writes_modules();  // as the JIT compiles
  bool ok = backend.Compile(f, metered, options, block, &error);
  meter.Exit();
  if (!ok) return absl::InternalError("code generation: " + error);
  out->code_bytes = block->size;
  return absl::OkStatus();
}

absl::Status CheckPassList(Vm& vm, Oop expr) {
  jit::ir::Function by_pipeline, one_by_one;
  if (absl::Status s = Lower(vm, expr, &by_pipeline); !s.ok()) return s;
  if (absl::Status s = Lower(vm, expr, &one_by_one); !s.ok()) return s;
  std::string problem = jit::RunPasses(by_pipeline, /*verify=*/true);
  if (!problem.empty()) return absl::InternalError("RunPasses: " + problem);
  for (const PipelinePass& pass : kPipelinePasses) pass.run(one_by_one);
  if (jit::ir::Print(by_pipeline) != jit::ir::Print(one_by_one)) {
    return absl::FailedPreconditionError(
        "the pass list of benchmarks/support/compile_pipeline.cc no longer matches "
        "jit/passes/pipeline.cc: update it");
  }
  return absl::OkStatus();
}

}  // namespace maru::bench
