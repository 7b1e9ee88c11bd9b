#include "maru/engine.h"

#include <gc.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "evaluation_thread.h"
#include "internal.h"
#include "jit/jit.h"
#include "runtime/env.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/streams.h"
#include "runtime/strings.h"
#include "runtime/subr.h"
#include "runtime/vm.h"

namespace maru {

static_assert(kDefaultTierThreshold == jit::kDefaultThreshold);

namespace {

constexpr char kExitPayload[] = "maru-jit/exit-status";
constexpr char kErrorPayload[] = "maru-jit/error-message";

// Boehm GC wants to be initialised from the main thread: this runs before main.
[[maybe_unused]] const bool kHeapInitialised = (InitHeap(), true);

// Jit::Create probes code memory with process-wide signal handlers and a global jump buffer:
// engines created concurrently must not probe at the same time.
std::mutex& JitCreateMutex() {
  static auto* mutex = new std::mutex;
  return *mutex;
}

std::atomic<uint64_t> next_engine_id{1};

// The Engine whose evaluation runs on this thread (nested API calls then run directly).
thread_local const void* tls_current_engine = nullptr;

absl::Status StatusFromError(PendingError error) {
  if (error.kind == Unwind::kExit) {
    absl::Status status = absl::CancelledError(absl::StrCat("exit ", error.exit_status));
    status.SetPayload(kExitPayload, absl::Cord(absl::StrCat(error.exit_status)));
    return status;
  }
  if (error.kind == Unwind::kNone) return absl::InternalError("no error pending after a failure");
  std::string report = FormatErrorReport(error);
  if (!report.empty() && report.back() == '\n') report.pop_back();
  absl::Status status = absl::UnknownError(report);
  status.SetPayload(kErrorPayload, absl::Cord(error.message));
  return status;
}

absl::Status Prefixed(const std::string& prefix, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

// Reads and evaluates every form of `in` (as LoadStream does, without echo) and returns the value
// of the last one, or kErrorOop.
Oop EvalStream(Vm& vm, FILE* in, const std::string& name) {
  RegisterStream(in);
  Oop input_var = vm.input_var();
  Oop saved_input = Slot(input_var, variable::kValue);
  AssignGlobal(vm, input_var, StreamHandle(in));
  Oop result = kNil;
  {
    Reader reader(vm, in, name);
    reader.SkipShebangLine();
    for (;;) {
      bool eof = false;
      Oop form = reader.Read(&eof);
      if (form == kErrorOop) {
        if (vm.error().kind == Unwind::kError) {
          vm.AppendBacktrace({reader.error_position(), "(while reading)"});
        }
        result = kErrorOop;
        break;
      }
      if (eof) break;
      result = EvalTopLevel(vm, form);
      if (result == kErrorOop) break;
    }
  }
  AssignGlobal(vm, input_var, saved_input);
  vm.pushback.erase(in);
  UnregisterStream(in);
  return result;
}

// Binds `name` in the current global environment (as a top-level `define` does).
bool DefineInGlobals(Vm& vm, std::string_view name, Oop value) {
  Oop globals = vm.current_globals();
  Oop symbol = Intern(name);
  Oop var = EnvFindLocal(globals, symbol);
  if (var == kNil) var = EnvDefine(globals, symbol);
  if (var == kNil) return false;
  AssignGlobal(vm, var, value);
  NameValue(value, symbol);
  return true;
}

Oop StringList(const std::vector<std::string>& items) {
  Oop list = kNil;
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    Oop s = NewStringFromUtf8(*it);
    list = NewPair(s, list);
  }
  return list;
}

}  // namespace

bool IsExit(const absl::Status& status) { return status.GetPayload(kExitPayload).has_value(); }

std::optional<int> ExitStatus(const absl::Status& status) {
  auto payload = status.GetPayload(kExitPayload);
  int n = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &n)) return std::nullopt;
  return n;
}

std::optional<std::string> MaruErrorMessage(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorPayload);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

namespace internal {

absl::Status ArgumentError(size_t index, const absl::Status& status) {
  return Prefixed(absl::StrCat("argument ", index, ": "), status);
}

absl::Status RawHostCallable::Call(const Word* args, int argc, uint64_t owner, Word* result) {
  std::vector<Value> values;
  values.reserve(static_cast<size_t>(argc));
  for (int i = 0; i < argc; ++i) values.push_back(ValueAccess::Make(args[i], owner));
  absl::StatusOr<Value> r = fn_(std::span<const Value>(values));
  if (!r.ok()) return r.status();
  return Encode(*r, owner, result);
}

}  // namespace internal

struct Engine::Impl {
  // The closure of a host function's Subr (SubrBody::data).
  struct HostFunction {
    Impl* impl;
    std::string name;  // SubrBody::name points into it
    std::unique_ptr<internal::HostCallable> callable;
  };

  uint64_t id = 0;
  EngineOptions options;
  std::unique_ptr<jit::Jit> jit;
  std::unique_ptr<internal::EvaluationThread> thread;
  std::unique_ptr<Vm> vm;
  std::string output;  // Vm::output_capture when options.output is set
  // Kept for the Engine's life: Subrs may be reachable until the Vm goes.
  std::vector<std::unique_ptr<HostFunction>> host_functions;
  // The thread inside the Engine (kFailedPrecondition for a second one).
  std::atomic<std::thread::id> user{};
  // kCallingThread: the thread whose stack the Vm's stack limit describes.
  std::thread::id stack_thread;

  ~Impl() {
    thread.reset();  // joins: nothing runs any more
    if (vm != nullptr) vm->tier_up = nullptr;
    vm.reset();
    jit.reset();
    host_functions.clear();
  }

  // Runs `task` where evaluation runs (directly when nested inside this Engine's evaluation).
  absl::Status Run(absl::FunctionRef<absl::Status()> task) {
    if (tls_current_engine == this) return Guarded(task);
    // Evaluating threads must be known to the collector (the engine thread is, from birth);
    // a caller that only hands work to the engine thread need not be.
    if (thread == nullptr) internal::EnsureThreadRegistered();
    std::thread::id none;
    if (!user.compare_exchange_strong(none, std::this_thread::get_id())) {
      return absl::FailedPreconditionError(
          "maru::Engine called from a second thread while another is inside it (one Engine is "
          "used by one thread at a time)");
    }
    absl::Status result;
    auto body = [&] {
      const void* saved = tls_current_engine;
      tls_current_engine = this;
      if (thread == nullptr && vm != nullptr && stack_thread != std::this_thread::get_id()) {
        vm->SetStackLimitForCurrentThread();
        stack_thread = std::this_thread::get_id();
      }
      result = Guarded(task);
      if (vm != nullptr) {
        vm->active = nullptr;  // (already so, unless an exception unwound through the Vm)
        if (vm->HasError()) vm->TakeError();
      }
      FlushOutput();
      tls_current_engine = saved;
    };
    if (thread != nullptr) {
      thread->Run(body);
    } else {
      body();
    }
    user.store(std::thread::id());
    return result;
  }

  static absl::Status Guarded(absl::FunctionRef<absl::Status()> task) {
    try {
      return task();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("C++ exception: ", e.what()));
    } catch (...) {
      return absl::InternalError("C++ exception");
    }
  }

  // The pending error as a status (after `result` signalled one).
  absl::Status TakeStatus() { return StatusFromError(vm->TakeError()); }

  // Finishes an evaluation that returned `result`.
  absl::Status Finish(Oop result, Value* out) {
    if (result == kErrorOop || vm->HasError()) return TakeStatus();
    *out = ValueAccess::Make(result, id);
    return absl::OkStatus();
  }

  void FlushOutput() {
    if (output.empty() || !options.output) return;
    std::string text;
    text.swap(output);
    try {
      options.output(text);
    } catch (...) {
      // The callback's failure is its own; evaluation goes on.
    }
  }

  // Turns a host function's failure into a pending Maru error (or exit request).
  static Oop Raise(Vm& vm, const std::string& name, const absl::Status& status) {
    if (std::optional<int> exit = ExitStatus(status)) return vm.Exit(*exit);
    if (std::optional<std::string> message = MaruErrorMessage(status)) return vm.Error(*message);
    return vm.Error(absl::StrCat(name, ": ", status.message()));
  }

  static Oop Trampoline(Vm& vm, void* data, const Oop* args, int argc, Frame*) {
    auto* host = static_cast<HostFunction*>(data);
    host->impl->FlushOutput();
    Oop result = kNil;  // on this (scanned) stack while the callable encodes its result
    absl::Status status;
    try {
      status = host->callable->Call(args, argc, host->impl->id, &result);
    } catch (const std::exception& e) {
      status = absl::InternalError(absl::StrCat("C++ exception: ", e.what()));
    } catch (...) {
      status = absl::InternalError("C++ exception");
    }
    if (status.ok()) return result;
    return Raise(vm, host->name, status);
  }

  absl::Status CheckOwner(const Value& v) const {
    uint64_t owner = ValueAccess::OwnerOf(v);
    if (owner != 0 && owner != id) {
      return absl::InvalidArgumentError(
          absl::StrCat("a Value of engine ", owner, " passed to engine ", id));
    }
    return absl::OkStatus();
  }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() = default;

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(EngineOptions options) {
  InitHeap();  // normally done already, before main
  if (options.tier_threshold < 0) {
    return absl::InvalidArgumentError("tier_threshold must be >= 0");
  }
  auto impl = std::make_unique<Impl>();
  impl->id = next_engine_id.fetch_add(1);
  impl->options = std::move(options);
  const EngineOptions& o = impl->options;

  jit::JitOptions jit_options;
  jit_options.mode = o.execution == ExecutionMode::kOff     ? jit::JitMode::kOff
                     : o.execution == ExecutionMode::kEager ? jit::JitMode::kEager
                                                            : jit::JitMode::kAuto;
  jit_options.code = o.code_memory == CodeMemoryRequest::kMemory   ? jit::CodeRequest::kMemory
                     : o.code_memory == CodeMemoryRequest::kDlopen ? jit::CodeRequest::kDlopen
                                                                   : jit::CodeRequest::kAuto;
  jit_options.threshold = o.tier_threshold;
  jit_options.module_cache_dir = o.module_cache_dir;
  jit_options.inline_calls = o.inline_calls;
  jit_options.optimize_threshold = o.optimize_threshold;
  {
    std::lock_guard<std::mutex> lock(JitCreateMutex());
    impl->jit = jit::Jit::Create(jit_options);
  }

  if (o.threading == Threading::kEngineThread) {
    absl::StatusOr<std::unique_ptr<internal::EvaluationThread>> thread =
        internal::EvaluationThread::Start(o.engine_stack_bytes);
    if (!thread.ok()) return thread.status();
    impl->thread = *std::move(thread);
  }

  Impl* state = impl.get();
  absl::Status status = state->Run([state]() -> absl::Status {
    state->vm = std::make_unique<Vm>();
    Vm& vm = *state->vm;
    state->stack_thread = std::this_thread::get_id();
    if (state->jit->stats().code_memory != "none") vm.tier_up = state->jit.get();
    if (state->options.output) vm.output_capture = &state->output;
    AssignGlobal(vm, vm.arguments_var(), StringList(state->options.arguments));
    if (state->options.load_prelude && !LoadPrelude(vm)) {
      return Prefixed("loading the prelude: ", state->TakeStatus());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

absl::StatusOr<Value> Engine::Eval(std::string_view source, std::string_view name) {
  Value out;
  absl::Status status = impl_->Run([&]() -> absl::Status {
    if (source.empty()) return absl::OkStatus();
    // fmemopen gives a FILE* over the text (read only: the buffer is not written).
    FILE* f = fmemopen(const_cast<char*>(source.data()), source.size(), "r");
    if (f == nullptr) return absl::InternalError(absl::StrCat("fmemopen: ", std::strerror(errno)));
    Oop result = EvalStream(*impl_->vm, f, std::string(name));
    std::fclose(f);
    return impl_->Finish(result, &out);
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<Value> Engine::Load(const std::string& path) {
  Value out;
  absl::Status status = impl_->Run([&]() -> absl::Status {
    Vm& vm = *impl_->vm;
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) {
      vm.Error(path + ": " + std::strerror(errno));
      return impl_->TakeStatus();
    }
    struct stat info;
    if (fstat(fileno(f), &info) == 0 && S_ISDIR(info.st_mode)) {
      std::fclose(f);
      vm.Error(path + ": " + std::strerror(EISDIR));
      return impl_->TakeStatus();
    }
    Oop result = EvalStream(vm, f, path);
    std::fclose(f);
    return impl_->Finish(result, &out);
  });
  if (!status.ok()) return status;
  return out;
}

absl::Status Engine::Invoke(const std::string& name, Value* target, int argc,
                            absl::FunctionRef<absl::Status(internal::Word*)> encode,
                            absl::FunctionRef<absl::Status(internal::Word)> decode) {
  return impl_->Run([&]() -> absl::Status {
    Vm& vm = *impl_->vm;
    const std::string label = name.empty() ? "function" : name;
    Oop fn;
    if (!name.empty()) {
      if (target->is_nil()) {
        Oop var = EnvLookup(vm.current_globals(), Intern(name));
        if (var == kNil) return absl::NotFoundError(std::string(name) + ": undefined");
        *target = ValueAccess::Make(var, impl_->id);
      }
      fn = Slot(ValueAccess::WordOf(*target), variable::kValue);
    } else {
      absl::Status owner = impl_->CheckOwner(*target);
      if (!owner.ok()) return owner;
      fn = ValueAccess::WordOf(*target);
    }
    // The arguments live on this stack (or in collector memory), where the collector sees them.
    constexpr int kInlineArgs = 16;
    Oop inline_args[kInlineArgs] = {};
    Oop storage = kNil;
    Oop* args = inline_args;
    if (argc > kInlineArgs) {
      storage = NewArrayStorage(argc);
      if (storage == kNil) return absl::ResourceExhaustedError("out of memory");
      args = Slots(storage);
    }
    absl::Status status = encode(args);
    if (!status.ok()) return Prefixed(label + ": ", status);
    Oop result = Apply(vm, fn, args, argc, nullptr);
    if (result == kErrorOop || vm.HasError()) return impl_->TakeStatus();
    status = decode(result);
    if (!status.ok()) return Prefixed(label + ": result: ", status);
    // `storage` stays reachable (from this frame) until the call is over.
    asm volatile("" : : "r"(storage) : "memory");
    return absl::OkStatus();
  });
}

absl::Status Engine::DefineHost(std::string_view name, int arity,
                                std::unique_ptr<internal::HostCallable> callable) {
  auto host = std::make_unique<Impl::HostFunction>();
  host->impl = impl_.get();
  host->name = std::string(name);
  host->callable = std::move(callable);
  Impl::HostFunction* data = host.get();
  impl_->host_functions.push_back(std::move(host));
  return impl_->Run([&]() -> absl::Status {
    Oop subr = NewPrimitive(data->name.c_str(), nullptr, arity);
    if (subr == kNil) return absl::ResourceExhaustedError("out of memory");
    SubrBody* body = SubrOf(subr);
    body->kind = SubrKind::kHost;
    body->imp = reinterpret_cast<void*>(static_cast<HostFn>(&Impl::Trampoline));
    body->data = data;
    if (!DefineInGlobals(*impl_->vm, name, subr)) {
      return absl::ResourceExhaustedError("out of memory");
    }
    return absl::OkStatus();
  });
}

absl::Status Engine::DefineRaw(std::string_view name, RawFunction fn, int arity) {
  if (!fn) return absl::InvalidArgumentError("DefineRaw: empty function");
  return DefineHost(name, arity < 0 ? -1 : arity,
                    std::make_unique<internal::RawHostCallable>(std::move(fn)));
}

absl::StatusOr<Value> Engine::GetGlobal(std::string_view name) {
  Value out;
  absl::Status status = impl_->Run([&]() -> absl::Status {
    Oop var = EnvLookup(impl_->vm->current_globals(), Intern(name));
    if (var == kNil) return absl::NotFoundError(std::string(name) + ": undefined");
    out = ValueAccess::Make(Slot(var, variable::kValue), impl_->id);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::Status Engine::SetGlobalEncoded(std::string_view name,
                                      absl::FunctionRef<absl::Status(internal::Word*)> encode) {
  return impl_->Run([&]() -> absl::Status {
    Oop value = kNil;
    absl::Status status = encode(&value);
    if (!status.ok()) return Prefixed(std::string(name) + ": ", status);
    if (!DefineInGlobals(*impl_->vm, name, value)) {
      return absl::ResourceExhaustedError("out of memory");
    }
    return absl::OkStatus();
  });
}

absl::Status Engine::Encoded(absl::FunctionRef<absl::Status(internal::Word*)> encode, Value* out) {
  return impl_->Run([&]() -> absl::Status {
    Oop value = kNil;
    absl::Status status = encode(&value);
    if (!status.ok()) return status;
    *out = ValueAccess::Make(value, impl_->id);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> Engine::Print(const Value& value) {
  std::string text;
  absl::Status status = impl_->Run([&]() -> absl::Status {
    absl::Status owner = impl_->CheckOwner(value);
    if (!owner.ok()) return owner;
    if (!PrintTo(*impl_->vm, ValueAccess::WordOf(value), /*dump=*/false, &text)) {
      return impl_->TakeStatus();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return text;
}

absl::StatusOr<std::string> Engine::Dump(const Value& value) {
  std::string text;
  absl::Status status = impl_->Run([&]() -> absl::Status {
    absl::Status owner = impl_->CheckOwner(value);
    if (!owner.ok()) return owner;
    if (!PrintTo(*impl_->vm, ValueAccess::WordOf(value), /*dump=*/true, &text)) {
      return impl_->TakeStatus();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return text;
}

void Engine::Interrupt() { impl_->vm->RequestInterrupt(); }

EngineStats Engine::Stats() const {
  jit::JitStats j = impl_->jit->stats();
  EngineStats s;
  s.code_memory = j.code_memory;
  s.code_memory_reason = j.code_memory_reason;
  s.functions_compiled = j.functions_compiled;
  s.functions_fallback = j.functions_fallback;
  s.cache_hits = j.cache_hits;
  s.guard_recompiles = j.guard_recompiles;
  s.calls_inlined = j.calls_inlined;
  s.functions_optimized = j.functions_optimized;
  s.loops_compiled = impl_->vm->loops_compiled.load(std::memory_order_relaxed);
  s.module_cache = j.module_cache;
  s.module_cache_hits = j.module_cache_stats.hits;
  s.module_cache_stores = j.module_cache_stats.stores;
  s.code_bytes = j.code_bytes;
  s.compile_us = j.compile_us_total;
  s.fallback_reasons = j.fallback_reasons;
  s.engine_thread = impl_->thread != nullptr;
  s.engine_stack_bytes = impl_->thread != nullptr ? impl_->thread->stack_bytes() : 0;
  return s;
}

std::string Engine::FormatStats() const {
  EngineStats s = Stats();
  return absl::StrCat(impl_->jit->FormatStats(), "maru-stats: loops_compiled=", s.loops_compiled,
                      "\n", "maru-stats: engine_thread=", s.engine_thread ? "yes" : "no", "\n",
                      "maru-stats: engine_stack_bytes=", s.engine_stack_bytes, "\n");
}

const EngineOptions& Engine::options() const { return impl_->options; }

uint64_t Engine::id() const { return impl_->id; }

}  // namespace maru
