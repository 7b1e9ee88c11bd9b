#include "jit/jit.h"

#include <asmjit/arm/a64assembler.h>
#include <asmjit/x86.h>
#include <gc.h>
#include <setjmp.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/gdb_jit.h"
#include "jit/ir/printer.h"
#include "jit/ir/verifier.h"
#include "jit/lower/lower.h"
#include "jit/module_key.h"
#include "jit/passes/passes.h"
#include "jit/runtime_calls.h"
#include "runtime/heap.h"
#include "runtime/printer.h"

namespace maru::jit {

namespace {

// Compiled code of one lambda. Allocated in collector memory and referenced from every Expr that
// runs it (expr::kInfo), so it lives while any such Expr can be called; its `defn` keeps every
// object the machine code names alive (code memory is not scanned by the collector).
//
// Code an Expr no longer runs (its guards failed for good and it was compiled again) may still be
// running in activations of that Expr, which hold the Expr (Frame::self) but nothing else that
// leads to the code: the Expr keeps it until replaced (kInfo is never cleared), and the code that
// replaces it keeps it (`previous`), so it lives as long as the Expr.
struct CompiledCode {
  Oop defn;
  Jit* jit;
  CodeBlock block;
  void* debugger_handle;  // GDB JIT interface registration
  // Collector memory the code points to: its guard record, and every object it names (a global's
  // value when compiled may since have been replaced; its address must not be reused while the
  // code compares against it).
  GuardRecord* guards;
  Oop* constants;
  void* direct_entry;  // jit/backend/direct_entry.h; nullptr when none
  CompiledCode* previous;  // code this one replaced (a chain, as short as the recompilations)
};

// The code an Expr's kInfo holds, or nullptr.
CompiledCode* CodeOf(Oop expr) {
  Oop info = Slot(expr, expr::kInfo);
  return info == kNil || info == kExprNotCompilable ? nullptr
                                                    : reinterpret_cast<CompiledCode*>(info);
}

// Tells the interpreter not to ask for code for `expr` again. Old code it holds (its guards
// failed) may still be running: kInfo keeps it, and the call count stops the asking instead.
void StayInterpreted(Oop expr) {
  if (CodeOf(expr) != nullptr) {
    Slot(expr, expr::kCalls) = static_cast<Oop>(INT64_MIN / 2);
  } else {
    Slot(expr, expr::kInfo) = kExprNotCompilable;
  }
}

// Makes `code` keep `old` (and what old keeps) alive, unless it does already.
void KeepReplaced(CompiledCode* code, CompiledCode* old) {
  if (old == nullptr || old == code) return;
  CompiledCode* last = code;
  for (;;) {
    if (last->previous == old) return;
    if (last->previous == nullptr) break;
    last = last->previous;
  }
  last->previous = old;
}

}  // namespace

CompileRoots::~CompileRoots() {
  if (roots_ != nullptr) GC_FREE(roots_);
}

void* CompileRoots::Keep(void* p) {
  if (p == nullptr) return nullptr;
  if (count_ == capacity_) {
    size_t capacity = capacity_ == 0 ? 64 : 2 * capacity_;
    auto* grown = static_cast<void**>(GC_MALLOC_UNCOLLECTABLE(sizeof(void*) * capacity));
    if (grown == nullptr) return nullptr;
    for (size_t i = 0; i < count_; ++i) grown[i] = roots_[i];
    if (roots_ != nullptr) GC_FREE(roots_);
    roots_ = grown;
    capacity_ = capacity;
  }
  roots_[count_++] = p;
  return p;
}

namespace {

// The record of f's guards (ir kGuardsHold) as they stand now, every guarded Variable marked as
// watched, and f pointed at it. nullptr when out of memory (f then has no record).
GuardRecord* MakeGuardRecord(Vm& vm, ir::Function& f, int64_t recompiles_left,
                             int64_t hot_countdown, CompileRoots& roots) {
  std::vector<Oop> pairs;
  for (const auto& [var, value] : f.shared_guards) {
    pairs.push_back(var);
    pairs.push_back(value);
  }
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) {
      if (in.op != ir::Opcode::kGlobalIs) continue;
      pairs.push_back(in.imm);
      pairs.push_back(in.imm2);
    }
  }
  auto* record = static_cast<GuardRecord*>(roots.Keep(GC_MALLOC(sizeof(GuardRecord))));
  if (record == nullptr) return nullptr;
  record->pairs = nullptr;
  record->count = 0;
  record->expr = f.expr;
  record->recompiles_left = recompiles_left;
  record->stale = 0;
  record->hot_countdown = hot_countdown;
  record->optimize = 0;
  auto* array = static_cast<Oop*>(GC_MALLOC(sizeof(Oop) * std::max<size_t>(pairs.size(), 1)));
  if (array == nullptr) return nullptr;
  std::copy(pairs.begin(), pairs.end(), array);
  record->pairs = array;
  record->count = static_cast<int64_t>(pairs.size() / 2);
  record->validated_epoch = vm.global_epoch;
  for (size_t i = 0; i < pairs.size(); i += 2) Slot(pairs[i], variable::kWatched) = vm.sym_t;
  f.guard_record = reinterpret_cast<uintptr_t>(record);
  f.guard_epoch = vm.global_epoch;
  return record;
}

// A ClosureSite for every lambda of f (ir kClosure aux). False when out of memory.
bool MakeClosureSites(ir::Function& f, CompileRoots& roots) {
  for (ir::Block& b : f.blocks) {
    for (ir::Instr& in : b.instrs) {
      if (in.op != ir::Opcode::kClosure) continue;
      auto* site = static_cast<ClosureSite*>(roots.Keep(GC_MALLOC(sizeof(ClosureSite))));
      if (site == nullptr) return false;
      site->info = site->entry = site->direct_entry = site->last = kNil;
      in.aux = static_cast<int64_t>(reinterpret_cast<uintptr_t>(site));
    }
  }
  return true;
}

// Every object f's code names (closure sites included), in collector memory (nullptr when out
// of memory).
Oop* CollectConstants(const ir::Function& f, CompileRoots& roots) {
  std::vector<Oop> objects;
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) {
      for (Oop o : {in.imm, in.imm2, in.form}) {
        if (IsObject(o)) objects.push_back(o);
      }
      if (in.op == ir::Opcode::kClosure && in.aux != 0) objects.push_back(static_cast<Oop>(in.aux));
    }
  }
  for (const ir::InlineFrame& frame : f.inline_frames) {
    for (Oop o : {frame.env, frame.home, frame.callee, frame.call_form}) {
      if (IsObject(o)) objects.push_back(o);
    }
  }
  auto* array = static_cast<Oop*>(roots.Keep(GC_MALLOC(sizeof(Oop) * (objects.size() + 1))));
  if (array == nullptr) return nullptr;
  std::copy(objects.begin(), objects.end(), array);
  array[objects.size()] = kNil;
  return array;
}

// Orders finalizers (any thread, inside any allocation) against Jit destruction: a leaf lock,
// held only to read or clear CompiledCode::jit and to queue a release.
std::mutex& FinalizerMutex() {
  static std::mutex* mu = new std::mutex;
  return *mu;
}

void FinalizeCompiledCode(void* object, void* /*data*/) {
  auto* code = static_cast<CompiledCode*>(object);
  std::lock_guard<std::mutex> lock(FinalizerMutex());
  if (code->jit != nullptr) code->jit->ReleaseCode(code);
}

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// --- The code-memory probe: compile `return 42`, install, call, check. -------------------------

sigjmp_buf* probe_jump = nullptr;

void ProbeFault(int) {
  if (probe_jump != nullptr) siglongjmp(*probe_jump, 1);
}

bool Probe(CodeMemory& memory, std::string* why) {
#if defined(__x86_64__) || defined(__aarch64__)
  asmjit::CodeHolder code;
  code.init(asmjit::Environment::host());
#if defined(__x86_64__)
  asmjit::x86::Assembler a(&code);
  a.mov(asmjit::x86::eax, 42);
  a.ret();
#else
  asmjit::a64::Assembler a(&code);
  a.movz(asmjit::a64::x0, 42);
  a.ret(asmjit::a64::x30);
#endif
  code.flatten();
  size_t size = code.codeSize();
  CodeBlock block;
  if (!memory.Install(
          "probe", size,
          [&](uint8_t* rw, uint64_t rx) {
            code.relocateToBase(rx);
            code.copyFlattenedData(rw, size, asmjit::CopySectionFlags::kPadTargetBuffer);
            return true;
          },
          &block, why)) {
    return false;
  }
  // Mapped but not executable would fault: catch that instead of dying. The handlers are
  // process-wide, so probes (one per Jit::Create, maybe on several threads) take turns.
  static std::mutex probe_mutex;
  std::lock_guard<std::mutex> probe_lock(probe_mutex);
  struct sigaction action = {}, old_segv, old_bus;
  action.sa_handler = ProbeFault;
  sigaction(SIGSEGV, &action, &old_segv);
  sigaction(SIGBUS, &action, &old_bus);
  sigjmp_buf jump;
  int result = -1;
  if (sigsetjmp(jump, 1) == 0) {
    probe_jump = &jump;
    result = reinterpret_cast<int (*)()>(block.rx)();
  }
  probe_jump = nullptr;
  sigaction(SIGSEGV, &old_segv, nullptr);
  sigaction(SIGBUS, &old_bus, nullptr);
  memory.Release(block);
  if (result != 42) {
    *why = "installed code did not run";
    return false;
  }
  return true;
#else
  *why = "no backend for this machine";
  return false;
#endif
}

}  // namespace

Jit::Jit(const JitOptions& options)
    : options_(options),
      threshold_(options.mode == JitMode::kEager ? 0 : options.threshold),
      backend_(NewHostBackend()) {
  if (options.perf_map) perf_map_ = std::make_unique<PerfMap>();
}

Jit::~Jit() {
  absl::MutexLock lock(&mu_);
  std::lock_guard<std::mutex> finalizers(FinalizerMutex());
  // Finalized code is already reclaimed or about to be: forget it without touching it.
  {
    std::lock_guard<std::mutex> pending_lock(pending_mu_);
    for (const PendingRelease& p : pending_release_) live_.erase(p.code);
    pending_release_.clear();
  }
  for (const void* code : live_) {
    static_cast<CompiledCode*>(const_cast<void*>(code))->jit = nullptr;
  }
  live_.clear();
  // The code memory (and all code in it) goes with memory_.
}

namespace {

// The on-disk module cache options ask for, or null; *state says which and why not.
std::unique_ptr<ModuleCache> OpenModuleCache(const JitOptions& options, const CodeMemory& memory,
                                             std::string* state) {
  if (options.module_cache_dir.empty()) return nullptr;
#if defined(__APPLE__)
  // A dylib is signed for the path it is loaded from, and each load needs a fresh path: cached
  // images would have to be signed again, which costs what writing them does.
  *state = "off (not on macOS: each dylib is signed for a fresh path)";
  return nullptr;
#else
  if (!memory.writes_modules()) {
    *state = "off (modules are cached for the dlopen kind only)";
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<ModuleCache>> cache =
      ModuleCache::Open(options.module_cache_dir, options.module_cache_max_bytes);
  if (!cache.ok()) {
    *state = absl::StrCat("unavailable (", cache.status().message(), ")");
    return nullptr;
  }
  *state = (*cache)->directory();
  return std::move(*cache);
#endif
}

}  // namespace

std::unique_ptr<Jit> Jit::Create(const JitOptions& options) {
  std::unique_ptr<Jit> jit(new Jit(options));
  JitStats& stats = jit->stats_;
  if (options.mode == JitMode::kOff) {
    stats.code_memory_reason = "--jit=off";
    return jit;
  }
  if (jit->backend_ == nullptr) {
    stats.code_memory_reason = "no backend for this machine";
    return jit;
  }
  std::string reasons;
  using Factory = std::unique_ptr<CodeMemory> (*)(std::string*);
  std::vector<Factory> kCandidates;
#if defined(__APPLE__) && defined(__aarch64__)
  // MAP_JIT only: no mprotect to executable, no dual mapping on macOS.
  if (options.code != CodeRequest::kDlopen) kCandidates.push_back(NewMapJitCodeMemory);
#elif defined(__APPLE__)
  // Intel macOS: the in-memory kinds would need mprotect to executable (fatal when hardened).
  reasons = "no in-memory code on Intel macOS";
#else
  // In memory first: dual mapping (no mprotect per function; survives MDWE and SELinux execmem
  // refusals), then write-then-execute pages.
  if (options.code != CodeRequest::kDlopen) {
    kCandidates = {NewDualMappedCodeMemory, NewWriteThenExecuteCodeMemory};
    // perf consults perf maps only for anonymous memory; dual mapping is file-backed (a memfd).
    if (options.perf_map) std::swap(kCandidates[0], kCandidates[1]);
#if defined(__aarch64__)
    // AArch64: fresh pages per installation first. Binary translators (qemu-user, which runs
    // the AArch64 test suite) key translated code by virtual address and drop it only when a
    // mapping changes; code rewritten through dual mapping's second view at a reused address
    // would run stale. Caches are maintained for real CPUs either way.
    kCandidates = {NewWriteThenExecuteCodeMemory, NewDualMappedCodeMemory};
#endif
  }
#endif
  // Then shared objects loaded with dlopen (signed dylibs on macOS: a hardened app without the
  // JIT entitlement may still load them with disable-library-validation).
  if (options.code != CodeRequest::kMemory) kCandidates.push_back(NewDlopenCodeMemory);
  for (Factory factory : kCandidates) {
    std::string why;
    std::unique_ptr<CodeMemory> memory = factory(&why);
    if (memory != nullptr && Probe(*memory, &why)) {
      stats.code_memory = memory->kind();
      stats.code_memory_reason = reasons.empty() ? "probe succeeded" : reasons;
      jit->memory_ = std::move(memory);
      jit->foreign_stubs_ = std::make_unique<ffi::ForeignStubs>(*jit->memory_);
      // Code in memory shares the backend's helpers; modules (which may be cached and loaded by
      // another process) carry their own. Without them, each function does.
      std::string helpers_error;
      if (!jit->memory_->writes_modules()) {
        jit->backend_->InstallHelpers(*jit->memory_, &helpers_error);
      }
      jit->module_cache_ = OpenModuleCache(options, *jit->memory_, &stats.module_cache);
      return jit;
    }
    absl::StrAppend(&reasons, reasons.empty() ? "" : "; ", memory != nullptr ? memory->kind() : "?",
                    ": ", why);
  }
  stats.code_memory_reason = reasons;
  return jit;
}

bool Jit::FirstCall(Vm& vm, Oop expr) {
  {
    absl::MutexLock lock(&mu_);
    if (memory_ == nullptr) return false;
    Oop defn = Slot(expr, expr::kDefn);
    if (!by_defn_.contains(defn)) {
      // A heuristic only: a stale entry (a lambda collected, its address reused) merely tiers a
      // lambda up early. The table is bounded by dropping it when it grows large (code made by
      // eval in a loop).
      if (first_calls_by_defn_.size() > 100000) first_calls_by_defn_.clear();
      int64_t& count = first_calls_by_defn_[defn];
      if (++count <= threshold_) return false;
      first_calls_by_defn_.erase(defn);
    }
  }
  // Compiled already (a cache hit installs it) or hot across its closures: compile now.
  return Compile(vm, expr);
}

bool Jit::Compile(Vm& vm, Oop expr) {
  absl::MutexLock lock(&mu_);
  auto decline = [&](const std::string& reason) {
    StayInterpreted(expr);
    ++stats_.functions_fallback;
    ++stats_.fallback_reasons[reason];
    return false;
  };
  if (memory_ == nullptr) return decline("no code memory");
  FreePendingCode();
  Oop defn = Slot(expr, expr::kDefn);
  auto cached = by_defn_.find(defn);
  bool optimize = false;
  if (cached != by_defn_.end()) {
    const GuardRecord* guards = static_cast<CompiledCode*>(cached->second)->guards;
    if (guards->stale != 0) {
      // A global its code relied on changed for good: compile it again (the old code stays for
      // the activations and closures still running it, until the collector frees it).
      by_defn_.erase(cached);
      cached = by_defn_.end();
      ++recompiles_by_defn_[defn];
      ++stats_.guard_recompiles;
    } else if (guards->optimize != 0) {
      // Its tier 1 code is hot: compile it again with inlining.
      by_defn_.erase(cached);
      cached = by_defn_.end();
      optimize = true;
      ++stats_.functions_optimized;
    }
  }
  if (cached != by_defn_.end()) {
    auto* code = static_cast<CompiledCode*>(cached->second);
    KeepReplaced(code, CodeOf(expr));
    Slot(expr, expr::kInfo) = reinterpret_cast<Oop>(code);
    Slot(expr, expr::kEntry) = reinterpret_cast<Oop>(code->block.rx);
    Slot(expr, expr::kDirectEntry) = reinterpret_cast<Oop>(code->direct_entry);
    ++stats_.cache_hits;
    return true;
  }

  if (options_.max_code_bytes > 0 && memory_->bytes_in_use() >= options_.max_code_bytes) {
    if (!cap_noticed_) {
      cap_noticed_ = true;
      std::fprintf(options_.dump,
                   "maru: code memory cap of %zu bytes reached: new functions stay interpreted\n",
                   options_.max_code_bytes);
    }
    return decline("code memory cap reached");
  }
  auto start = std::chrono::steady_clock::now();
  // The batch: this function, then (in the dlopen kind, where each installation is a module to
  // write and load) the known callees of its members that have no code yet, breadth first,
  // compiled together and installed at once. In memory, installing costs nothing worth saving:
  // callees are left to the tier-up of their own calls, so auto mode compiles only what is hot.
  const size_t max_batch = std::string_view(memory_->kind()) == "dlopen" ? kMaxBatch : 1;
  CompileRoots roots;  // until the CompiledCode records hold what the batch allocates
  std::vector<BatchMember> batch(1);
  batch[0].expr = expr;
  batch[0].optimize = optimize;
  std::string failure = Prepare(vm, &batch[0], &roots);
  if (!failure.empty()) return decline(failure);
  for (size_t next = 0; next < batch.size() && batch.size() < max_batch; ++next) {
    for (Oop callee : UncompiledCallees(batch[next].f)) {
      if (batch.size() >= max_batch) break;
      Oop callee_defn = Slot(callee, expr::kDefn);
      bool member = false;
      for (const BatchMember& m : batch) member |= Slot(m.expr, expr::kDefn) == callee_defn;
      if (member || by_defn_.contains(callee_defn)) continue;
      BatchMember candidate;
      candidate.expr = callee;
      // A callee that cannot be compiled now is left for its own first calls.
      if (Prepare(vm, &candidate, &roots).empty()) batch.push_back(std::move(candidate));
    }
  }

  std::vector<CodeBlock> blocks;
  std::string key;
  bool from_cache = false;
  if (module_cache_ != nullptr) {
    std::string canonical;
    for (const BatchMember& m : batch) AppendCanonicalIr(m.f, &canonical);
    key = module_cache_->KeyFor(canonical);
    from_cache = InstallFromCache(key, batch, &blocks);
  }
  if (!from_cache) {
    const size_t prepared = batch.size();
    for (size_t i = 0; i < batch.size();) {
      std::string failed = Generate(&batch[i]);
      if (failed.empty()) {
        ++i;
      } else if (i == 0) {
        return decline(failed);
      } else {
        batch.erase(batch.begin() + static_cast<ptrdiff_t>(i));  // left to its own first calls
      }
    }
    std::vector<CodeMemory::Piece> pieces;
    for (const BatchMember& m : batch) {
      pieces.push_back({m.f.name, m.code.size, m.code.write, m.code.table, m.code.fixups});
    }
    std::string error;
    CodeMemory::ModuleImage written;
    bool store = module_cache_ != nullptr && batch.size() == prepared;
    if (!memory_->InstallBatch(pieces, &blocks, &error, store ? &written : nullptr)) {
      return decline(error);
    }
    if (store) StoreInCache(key, batch, std::move(written));
  }
  ++stats_.compile_batches;
  for (size_t i = 0; i < batch.size(); ++i) {
    Install(batch[i], blocks[i]);
  }
  stats_.compile_us_total += MicrosSince(start);
  return true;
}

std::vector<Oop> Jit::UncompiledCallees(const ir::Function& f) {
  std::vector<Oop> callees;
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) {
      Oop x = in.imm2;
      if (in.op == ir::Opcode::kCall && Is(x, kExprType) && SlotCount(x) == expr::kSlots &&
          Slot(x, expr::kInfo) == kNil && x != f.expr) {
        callees.push_back(x);
      }
    }
  }
  return callees;
}

bool HasInlineCandidate(Vm& vm, const ir::Function& f) {
  for (const ir::Block& b : f.blocks) {
    for (const ir::Instr& in : b.instrs) {
      Oop callee = in.imm2;
      if (in.op == ir::Opcode::kCall && Is(callee, kExprType) &&
          SlotCount(callee) == expr::kSlots && InlineableBody(vm, callee)) {
        return true;
      }
    }
  }
  return false;
}

CalleeLowering InlineCalleeLowering(Vm& vm) {
  return [&vm](Oop callee, InlineCallee* out) {
    if (!InlineableBody(vm, callee)) return false;
    if (!LowerExpr(vm, callee, &out->ir).empty()) return false;
    out->home = Slot(callee, expr::kCtx);
    return true;
  };
}

std::string Jit::Prepare(Vm& vm, BatchMember* m, CompileRoots* roots) {
  auto start = std::chrono::steady_clock::now();
  ir::Function& f = m->f;
  std::string failure = LowerExpr(vm, m->expr, &f);
  if (failure.empty() && options_.verify) failure = ir::Verify(f);
  stats_.lower_us += MicrosSince(start);
  if (!failure.empty()) return failure;

  auto passes_start = std::chrono::steady_clock::now();
  // Tier 1 (in memory; see JitOptions::optimize_threshold): without inlining, counting calls.
  f.counts_calls = options_.inline_calls && options_.optimize_threshold > 0 && !m->optimize &&
                   !memory_->writes_modules() && HasInlineCandidate(vm, f);
  if (options_.inline_calls && !f.counts_calls) {
    stats_.calls_inlined += InlineCalls(f, InlineCalleeLowering(vm), InlineLimits());
    if (options_.verify) {
      failure = ir::Verify(f);
      if (!failure.empty()) return "IR verification: after inlining: " + failure;
    }
  }
  failure = RunPasses(f, options_.verify);
  stats_.passes_us += MicrosSince(passes_start);
  if (!failure.empty()) return "IR verification: " + failure;
  auto recompiled = recompiles_by_defn_.find(Slot(m->expr, expr::kDefn));
  int64_t done = recompiled == recompiles_by_defn_.end() ? 0 : recompiled->second;
  m->guards = MakeGuardRecord(vm, f, kMaxRecompiles - done,
                              f.counts_calls ? options_.optimize_threshold : INT64_MAX, *roots);
  if (m->guards == nullptr || !MakeClosureSites(f, *roots)) return "out of memory";
  m->constants = CollectConstants(f, *roots);
  if (m->constants == nullptr) return "out of memory";

  if (options_.dump_ir) {
    std::string text = ir::Print(f, [&](Oop o) { return DumpForMessage(vm, o, 80); });
    std::fprintf(options_.dump, "--- IR %s\n%s", f.name.c_str(), text.c_str());
  }
  return "";
}

namespace {

// Whether words fit the immediates of a copy of code (a 4-byte one takes only small words).
bool FitsPatches(const std::vector<ImmediatePatch>& patches, const std::vector<uint64_t>& words) {
  for (const ImmediatePatch& p : patches) {
    if (p.index >= words.size() || !FitsPatch(p, words[p.index])) return false;
  }
  return true;
}

}  // namespace

std::string Jit::Generate(BatchMember* m) {
  const ir::Function& f = m->f;
  // The dlopen kind's code loads the words of this process from the module's data table (so
  // that modules can be cached on disk); in memory they are immediates, which cost no load.
  const bool in_table = memory_->writes_modules();
  // Identical functions share their code (a dump of the assembly asks for the generation).
  std::string key;
  if (options_.share_identical_code && !options_.dump_asm) {
    AppendCanonicalIr(f, &key);
    auto shared = shared_code_.find(key);
    std::vector<uint64_t> words;
    if (shared != shared_code_.end() && ResolveTableWords(f, shared->second.sources, &words) &&
        FitsPatches(shared->second.patches, words)) {
      const SharedCode& code = shared->second;
      m->code.size = code.bytes.size();
      m->code.direct_entry = code.direct_entry;
      if (in_table) {
        m->code.table = std::move(words);
        m->code.fixups = code.fixups;
        m->code.write = [bytes = code.bytes](uint8_t* rw, uint64_t /*rx*/) {
          std::memcpy(rw, bytes.data(), bytes.size());
          return true;
        };
      } else {
        m->code.patches = code.patches;
        m->code.write = [bytes = code.bytes, patches = code.patches, words = std::move(words),
                         backend = backend_.get()](uint8_t* rw, uint64_t /*rx*/) {
          std::memcpy(rw, bytes.data(), bytes.size());
          return backend->PatchWords(rw, bytes.size(), patches, words);
        };
      }
      ++stats_.cache_hits;
      return "";
    }
  }
  auto codegen_start = std::chrono::steady_clock::now();
  std::string assembly;
  BackendOptions backend_options;
  if (options_.dump_asm) backend_options.assembly = &assembly;
  backend_options.foreign_stubs = foreign_stubs_.get();
  backend_options.words_in_table = in_table;
  std::string error;
  bool ok = backend_->Generate(f, backend_options, &m->code, &error);
  stats_.codegen_us += MicrosSince(codegen_start);
  if (!ok) return error;
  if (options_.dump_asm) {
    std::fprintf(options_.dump, "--- asm %s\n%s", f.name.c_str(), assembly.c_str());
  }
  SharedCode shared;
  const std::vector<uint64_t>& words = in_table ? m->code.table : m->code.immediates;
  if (!key.empty() && (in_table || m->code.patchable) &&
      DescribeTableWords(f, words, &shared.sources)) {
    shared.bytes.resize(m->code.size);
    if (m->code.write(shared.bytes.data(), 0)) {  // position independent: any address will do
      shared.direct_entry = m->code.direct_entry;
      shared.fixups = m->code.fixups;
      shared.patches = m->code.patches;
      const size_t bytes = key.size() + shared.bytes.size() + 8 * shared.sources.size();
      if (shared_code_bytes_ + bytes > kMaxSharedCodeBytes) ForgetSharedCode();
      shared_code_bytes_ += bytes;
      shared_code_.insert_or_assign(std::move(key), std::move(shared));
    }
  }
  return "";
}

bool Jit::InstallFromCache(const std::string& key, std::vector<BatchMember>& batch,
                           std::vector<CodeBlock>* blocks) {
  std::optional<CachedModule> entry = module_cache_->Get(key);
  if (!entry.has_value()) return false;
  if (entry->functions.size() != batch.size()) return false;
  std::vector<size_t> sizes;
  std::vector<uint64_t> table;
  for (size_t i = 0; i < batch.size(); ++i) {
    std::vector<uint64_t> words;
    if (!ResolveTableWords(batch[i].f, entry->functions[i].sources, &words)) return false;
    table.insert(table.end(), words.begin(), words.end());
    sizes.push_back(entry->functions[i].size);
  }
  std::string error;
  if (!memory_->InstallImage(entry->module, sizes, table, blocks, &error)) return false;
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].code.size = entry->functions[i].size;
    batch[i].code.direct_entry = entry->functions[i].direct_entry;
    if (options_.dump_asm) {
      std::fprintf(options_.dump, "--- asm %s: loaded from the module cache\n",
                   batch[i].f.name.c_str());
    }
  }
  return true;
}

void Jit::StoreInCache(const std::string& key, const std::vector<BatchMember>& batch,
                       CodeMemory::ModuleImage written) {
  CachedModule entry;
  for (const BatchMember& m : batch) {
    CachedFunction function;
    function.size = m.code.size;
    function.direct_entry = m.code.direct_entry;
    // Code that uses a word of this process from nowhere known (a foreign-call stub) is not
    // cached.
    if (!DescribeTableWords(m.f, m.code.table, &function.sources)) return;
    entry.functions.push_back(std::move(function));
  }
  entry.module = std::move(written);
  module_cache_->Put(key, entry);
}

void Jit::Install(const BatchMember& m, const CodeBlock& block) {
  Oop expr = m.expr;
  auto* code = static_cast<CompiledCode*>(GC_MALLOC(sizeof(CompiledCode)));
  if (code == nullptr) {
    // The code stays unused (released with the Jit); the function stays interpreted.
    StayInterpreted(expr);
    ++stats_.functions_fallback;
    ++stats_.fallback_reasons["out of memory"];
    return;
  }
  code->defn = Slot(expr, expr::kDefn);
  code->jit = this;
  code->block = block;
  code->debugger_handle = RegisterWithDebugger(block.rx, block.size, "maru:" + m.f.name);
  code->guards = m.guards;
  code->constants = m.constants;
  code->direct_entry =
      m.code.direct_entry != 0 ? static_cast<uint8_t*>(block.rx) + m.code.direct_entry : nullptr;
  code->previous = nullptr;
  KeepReplaced(code, CodeOf(expr));
  GC_register_finalizer_no_order(code, FinalizeCompiledCode, nullptr, nullptr, nullptr);
  by_defn_[code->defn] = code;
  live_.insert(code);
  Slot(expr, expr::kInfo) = reinterpret_cast<Oop>(code);
  Slot(expr, expr::kEntry) = reinterpret_cast<Oop>(block.rx);
  Slot(expr, expr::kDirectEntry) = reinterpret_cast<Oop>(code->direct_entry);
  if (perf_map_ != nullptr) perf_map_->Add(block.rx, block.size, m.f.name);
  ++stats_.functions_compiled;
  stats_.forms_interpreted += m.f.interpreted_forms;
  stats_.code_bytes += static_cast<int64_t>(block.size);
}

void Jit::ReleaseCode(void* compiled) {
  auto* code = static_cast<CompiledCode*>(compiled);
  std::lock_guard<std::mutex> lock(pending_mu_);
  pending_release_.push_back({code->defn, code, code->block, code->debugger_handle});
  code->jit = nullptr;
}

void Jit::FreePendingCode() {
  std::vector<PendingRelease> pending;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    pending.swap(pending_release_);
  }
  for (const PendingRelease& p : pending) {
    live_.erase(p.code);
    auto it = by_defn_.find(p.defn);
    if (it != by_defn_.end() && it->second == p.code) by_defn_.erase(it);
    UnregisterFromDebugger(p.debugger_handle);
    // Profiling (--perf-map): freed addresses are never reused, so each keeps one name.
    if (perf_map_ != nullptr) continue;
    memory_->Release(p.block);
    stats_.code_bytes -= static_cast<int64_t>(p.block.size);
  }
}

void Jit::ForgetSharedCode() {
  shared_code_.clear();
  shared_code_bytes_ = 0;
}

void Jit::ForgetSharedCodeForTesting() {
  absl::MutexLock lock(&mu_);
  ForgetSharedCode();
}

JitStats Jit::stats() const {
  absl::MutexLock lock(&mu_);
  JitStats s = stats_;
  if (foreign_stubs_ != nullptr) s.ffi_stubs = foreign_stubs_->stats().stubs;
  if (module_cache_ != nullptr) s.module_cache_stats = module_cache_->stats();
  return s;
}

std::string Jit::FormatStats() const {
  JitStats s = stats();
  std::string out;
  auto line = [&](const char* key, const std::string& value) {
    absl::StrAppend(&out, "maru-stats: ", key, "=", value, "\n");
  };
  line("code_memory", s.code_memory);
  line("code_memory_reason", s.code_memory_reason);
  line("functions_compiled", absl::StrCat(s.functions_compiled));
  line("functions_fallback", absl::StrCat(s.functions_fallback));
  line("cache_hits", absl::StrCat(s.cache_hits));
  line("compile_batches", absl::StrCat(s.compile_batches));
  line("guard_recompiles", absl::StrCat(s.guard_recompiles));
  line("functions_optimized", absl::StrCat(s.functions_optimized));
  line("calls_inlined", absl::StrCat(s.calls_inlined));
  line("ffi_stubs", absl::StrCat(s.ffi_stubs));
  line("forms_interpreted", absl::StrCat(s.forms_interpreted));
  line("code_bytes", absl::StrCat(s.code_bytes));
  line("compile_us_total", absl::StrCat(s.compile_us_total));
  line("compile_us_lower", absl::StrCat(s.lower_us));
  line("compile_us_passes", absl::StrCat(s.passes_us));
  line("compile_us_codegen", absl::StrCat(s.codegen_us));
  line("module_cache", s.module_cache);
  line("module_cache_hits", absl::StrCat(s.module_cache_stats.hits));
  line("module_cache_misses", absl::StrCat(s.module_cache_stats.misses));
  line("module_cache_stores", absl::StrCat(s.module_cache_stats.stores));
  line("module_cache_rejected", absl::StrCat(s.module_cache_stats.rejected));
  line("module_cache_evicted", absl::StrCat(s.module_cache_stats.evicted));
  for (const auto& [reason, count] : s.fallback_reasons) {
    line("fallback_reason", absl::StrCat(count, " ", reason));
  }
  return out;
}

}  // namespace maru::jit
