// The JIT: compiles hot Maru functions (encoded Exprs) to machine code. It plugs into the runtime
// through the TierUp interface (runtime/tier_up.h) and owns the code memory it installs into.
#ifndef MARU_JIT_JIT_H_
#define MARU_JIT_JIT_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "jit/backend/backend.h"
#include "jit/codemem/code_memory.h"
#include "jit/ffi/foreign_stubs.h"
#include "jit/module_cache.h"
#include "jit/module_key.h"
#include "jit/passes/passes.h"
#include "jit/perf_map.h"
#include "runtime/tier_up.h"
#include "runtime/vm.h"

namespace maru::jit {

struct GuardRecord;  // jit/runtime_calls.h

// Collector memory allocated while compiling, kept alive until the compiled code records (also
// collector memory) reference it: the IR and the batch live in C++ memory, which the collector
// does not scan.
class CompileRoots {
 public:
  CompileRoots() = default;
  CompileRoots(const CompileRoots&) = delete;
  CompileRoots& operator=(const CompileRoots&) = delete;
  ~CompileRoots();
  // Returns p, now reachable until this object goes (nullptr when p is, or out of memory).
  void* Keep(void* p);

 private:
  void** roots_ = nullptr;  // uncollectable, scanned
  size_t count_ = 0, capacity_ = 0;
};

enum class JitMode { kOff, kAuto, kEager };
enum class CodeRequest { kAuto, kMemory, kDlopen };

// Calls before a function is compiled in auto mode. Chosen by measurement: over the conformance
// programs plus fib(25) (whole processes, best of 3; maru --jit-threshold=N), thresholds 0, 1,
// 2, 4, 8, 16, 64 and "never" took 1.085, 1.076, 0.994, 1.048, 1.001, 0.835, 0.840 and
// 0.783 s: below 16 compiling run-once prelude functions costs more than it saves; long-running
// code is compiled after 16 calls either way.
inline constexpr int64_t kDefaultThreshold = 16;
// Calls of tier 1 code before it is compiled again with inlining (JitOptions::optimize_threshold):
// a tier 1 call costs at most a few nanoseconds more, the compile with inlining some 30 us more.
inline constexpr int64_t kDefaultOptimizeThreshold = 1000;

struct JitOptions {
  JitMode mode = JitMode::kAuto;
  CodeRequest code = CodeRequest::kAuto;
  int64_t threshold = kDefaultThreshold;
  bool dump_ir = false;   // the IR of each compiled function, to `dump`
  bool dump_asm = false;  // its assembly, to `dump`
  // Run the IR verifier after lowering and every pass: in debug builds (tests), not in
  // optimised ones, where it would add about a third to each compile.
#ifdef NDEBUG
  bool verify = false;
#else
  bool verify = true;
#endif
  bool perf_map = false;  // write /tmp/perf-<pid>.map lines for `perf report`
  // Functions of the same canonical IR (identical bodies, the same globals) share the code
  // generated for the first (counted in cache_hits). Off only to measure code generation.
  bool share_identical_code = true;
  // Small known callees are inlined into their callers (jit/passes/inline_calls.cc, guarded
  // like the calls they replace).
  bool inline_calls = true;
  // Two tiers of compiled code, in memory: a function that inlining would speed up is first
  // compiled without it (a third of the compile time), and again with it once its code has run
  // this many times (ir::Function::counts_calls). 0: inline at the first compile. The dlopen
  // kind always inlines at once (each compile there costs a module).
  int64_t optimize_threshold = kDefaultOptimizeThreshold;
  // Code memory cap in bytes (0: none). Once reached, new functions stay interpreted and a
  // one-line notice goes to `dump` (stderr).
  size_t max_code_bytes = 0;
  // On-disk cache of the dlopen kind's modules (jit/module_cache.h): its directory (empty: no
  // cache) and size cap. Used only when the code memory is the dlopen kind.
  std::string module_cache_dir;
  uint64_t module_cache_max_bytes = ModuleCache::kDefaultMaxBytes;
  FILE* dump = stderr;
};

struct JitStats {
  std::string code_memory = "none";  // wx, dual, mapjit, dlopen or none
  std::string code_memory_reason;    // why that kind (the refusals of better ones)
  int64_t functions_compiled = 0;
  int64_t functions_fallback = 0;
  // Functions that reused code: compiled for the same lambda (closures), or generated for a
  // function of the same canonical IR (jit/module_key.h: identical bodies, same globals).
  int64_t cache_hits = 0;
  int64_t compile_batches = 0;  // installations (a function and its uncompiled known callees)
  // Functions compiled again because a global their code relied on changed (GuardRecord).
  int64_t guard_recompiles = 0;
  // Tier 1 functions compiled again with inlining once hot (JitOptions::optimize_threshold).
  int64_t functions_optimized = 0;
  int64_t calls_inlined = 0;  // call sites replaced by a copy of the callee's body
  int64_t ffi_stubs = 0;          // foreign-call stubs generated (one per signature)
  int64_t forms_interpreted = 0;  // forms left to the interpreter inside compiled code
  int64_t code_bytes = 0;
  int64_t compile_us_total = 0;
  int64_t lower_us = 0, passes_us = 0, codegen_us = 0;
  // The module cache: its directory, "off", or why it could not be used.
  std::string module_cache = "off";
  ModuleCache::Stats module_cache_stats;
  std::map<std::string, int64_t> fallback_reasons;
};

// How the JIT lowers a known callee to inline it (jit/passes/inline_calls.cc): Exprs whose body
// nothing can capture or grow the activation of (jit/lower/lower.h InlineableBody).
CalleeLowering InlineCalleeLowering(Vm& vm);
// Whether f calls a known function whose body inlining accepts (tier 1 is then worth having).
bool HasInlineCandidate(Vm& vm, const ir::Function& f);

class Jit : public TierUp {
 public:
  // Probes code memory (each kind through its production path) and returns a JIT; when no kind
  // works, the JIT compiles nothing and stats().code_memory is "none" with the reasons.
  static std::unique_ptr<Jit> Create(const JitOptions& options);
  // Frees all code. The Vms this JIT served must not run code any more (detach them first).
  ~Jit() override;

  bool Compile(Vm& vm, Oop expr) override;
  int64_t threshold() const override { return threshold_; }
  bool FirstCall(Vm& vm, Oop expr) override;

  // Forgets the code kept for identical functions (benchmarks measure first compiles with it).
  void ForgetSharedCodeForTesting();

  JitStats stats() const;
  // The stats as "maru-stats: key=value" lines.
  std::string FormatStats() const;

  // Queues the machine code of a compiled function that became unreachable for release. Called
  // by a collector finalizer, which may run inside any allocation (even with other locks held),
  // so it only takes a leaf lock; the code is freed at the next Compile.
  void ReleaseCode(void* compiled);

 private:
  explicit Jit(const JitOptions& options);

  // A function of a compile batch, prepared (lowered, optimised, generated) for installation.
  struct BatchMember {
    Oop expr = kNil;
    ir::Function f;
    GuardRecord* guards = nullptr;
    Oop* constants = nullptr;
    GeneratedCode code;
    bool optimize = false;  // its tier 1 code asked for inlining
  };
  // The most functions compiled together (dlopen kind): the one asked for and known callees
  // without code.
  static constexpr size_t kMaxBatch = 8;
  // "" when m is ready to install, else why its function cannot be compiled.
  std::string Prepare(Vm& vm, BatchMember* m, CompileRoots* roots)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Generates m's code, or takes the code generated for the same canonical IR; "" or why it
  // cannot be.
  std::string Generate(BatchMember* m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Installs the batch from the module cache's entry under `key`, if there is a usable one.
  bool InstallFromCache(const std::string& key, std::vector<BatchMember>& batch,
                        std::vector<CodeBlock>* blocks) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stores the batch's module (as InstallBatch wrote it) under `key`, when it can be described.
  void StoreInCache(const std::string& key, const std::vector<BatchMember>& batch,
                    CodeMemory::ModuleImage written) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Install(const BatchMember& m, const CodeBlock& block) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ForgetSharedCode() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The Exprs f calls directly (known values of globals) that have no code and were not declined.
  static std::vector<Oop> UncompiledCallees(const ir::Function& f);

  JitOptions options_;
  int64_t threshold_;
  std::unique_ptr<CodeMemory> memory_;
  std::unique_ptr<ModuleCache> module_cache_;  // null: none
  // Foreign-call stubs live in memory_: declared after it, destroyed before it.
  std::unique_ptr<ffi::ForeignStubs> foreign_stubs_;
  std::unique_ptr<Backend> backend_;  // (its helpers live in memory_ too)
  std::unique_ptr<PerfMap> perf_map_;
  mutable absl::Mutex mu_;
  JitStats stats_ ABSL_GUARDED_BY(mu_);
  bool cap_noticed_ ABSL_GUARDED_BY(mu_) = false;
  // Compiled code per lambda (the defn pair), so closures made from one lambda share code.
  absl::flat_hash_map<Oop, void*> by_defn_ ABSL_GUARDED_BY(mu_);
  // Times each lambda was compiled again for a failed guard; after kMaxRecompiles its code keeps
  // running its guarded forms in the interpreter (a global that keeps changing would otherwise
  // have its callers compiled at every change).
  static constexpr int64_t kMaxRecompiles = 4;
  absl::flat_hash_map<Oop, int64_t> recompiles_by_defn_ ABSL_GUARDED_BY(mu_);
  // Code generated for each canonical IR (the binary form is the key: no collision can share
  // wrong code), reused by functions that lower to the same: a copy whose words of this process
  // (data table or immediates) are their own, resolved from their IR. Bounded: cleared when it
  // holds more than kMaxSharedCodeBytes.
  struct SharedCode {
    std::vector<uint8_t> bytes;
    size_t direct_entry = 0;
    std::vector<objfile::Fixup> fixups;   // code with a data table (the dlopen kind)
    std::vector<ImmediatePatch> patches;  // code with immediates (in memory)
    std::vector<WordSource> sources;
  };
  static constexpr size_t kMaxSharedCodeBytes = size_t{16} << 20;
  absl::flat_hash_map<std::string, SharedCode> shared_code_ ABSL_GUARDED_BY(mu_);
  size_t shared_code_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // First calls of Exprs per lambda (defn) not compiled yet: closures tier up per lambda.
  absl::flat_hash_map<Oop, int64_t> first_calls_by_defn_ ABSL_GUARDED_BY(mu_);
  // Every CompiledCode not yet finalized: the destructor detaches them, so that a finalizer
  // running after this Jit is gone does nothing.
  absl::flat_hash_set<const void*> live_ ABSL_GUARDED_BY(mu_);

  // Released code waiting to be freed (see ReleaseCode); a leaf lock, never held while
  // allocating collector memory.
  std::mutex pending_mu_;
  struct PendingRelease {
    Oop defn;
    const void* code;  // identity only: the object may already be reclaimed
    CodeBlock block;
    void* debugger_handle;
  };
  std::vector<PendingRelease> pending_release_;
  void FreePendingCode() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
};

}  // namespace maru::jit

#endif  // MARU_JIT_JIT_H_
