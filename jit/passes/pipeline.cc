#include <span>

#include "absl/strings/str_cat.h"
#include "jit/ir/verifier.h"
#include "jit/passes/passes.h"

namespace maru::jit {

std::string RunPasses(ir::Function& f, bool verify) {
  struct Pass {
    const char* name;
    bool (*run)(ir::Function&);
  };
  static constexpr Pass kPipeline[] = {
      {"merge-blocks", MergeBlocks},
      {"forward-slots", ForwardSlots},
      {"propagate-copies", PropagateCopies},
      {"fold-constants", FoldConstants},
      {"fold-constant-branches", FoldConstantBranches},
      {"thread-jumps", ThreadJumps},
      {"invert-not-branches", InvertNotBranches},
      {"thread-jumps", ThreadJumps},
      {"propagate-copies", PropagateCopies},
      {"guard-entry", GuardEntry},
      {"unreachable-blocks", RemoveUnreachableBlocks},
      {"share-guards", ShareGuardsUntilStable},
      {"merge-blocks", MergeBlocks},
      {"forward-slots", ForwardSlots},
      {"propagate-copies", PropagateCopies},
      {"fixnum-types", EliminateTagChecks},
      {"dead-code", EliminateDeadCode},
  };
  // Tier 1 code (Function::counts_calls) runs until the function is hot and compiled again with
  // inlining: its compile takes the passes that pay for themselves in one go, not the second
  // rounds of clean-up that mostly tidy what inlining leaves.
  static constexpr Pass kTier1Pipeline[] = {
      {"merge-blocks", MergeBlocks},
      {"fold-constants", FoldConstants},
      {"fold-constant-branches", FoldConstantBranches},
      {"thread-jumps", ThreadJumps},
      {"invert-not-branches", InvertNotBranches},
      {"guard-entry", GuardEntry},
      {"unreachable-blocks", RemoveUnreachableBlocks},
      {"share-guards", ShareGuardsUntilStable},
      {"merge-blocks", MergeBlocks},
      {"forward-slots", ForwardSlots},
      {"propagate-copies", PropagateCopies},
      {"fixnum-types", EliminateTagChecks},
      {"dead-code", EliminateDeadCode},
  };

  const std::span<const Pass> pipeline =
      f.counts_calls ? std::span<const Pass>(kTier1Pipeline) : std::span<const Pass>(kPipeline);
  for (const Pass& pass : pipeline) {
    pass.run(f);
    if (verify) {
      std::string problem = ir::Verify(f);
      if (!problem.empty()) return absl::StrCat("after ", pass.name, ": ", problem);
    }
  }
  return "";
}

}  // namespace maru::jit
