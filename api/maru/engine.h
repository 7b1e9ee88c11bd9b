// The maru-jit embedding API: evaluate Maru code from C++, call Maru functions with typed
// wrappers, and expose C++ functions to Maru.
//
//   absl::StatusOr<std::unique_ptr<maru::Engine>> engine = maru::Engine::Create();
//   (*engine)->Eval("(define fib (lambda (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))))");
//   auto fib = (*engine)->Function<int64_t(int64_t)>("fib");
//   absl::StatusOr<int64_t> r = fib(30);                                 // 832040
//   (*engine)->Define("add", [](int64_t a, int64_t b) { return a + b; });
//   (*engine)->Eval("(add 1 2)");                                         // a Value holding 3
//
// ERRORS. Nothing throws and nothing exits the process. Every failure is an absl::Status:
//   * A Maru error (reader, runtime, `error`, wrong number of arguments, an error returned by a
//     host function): code kUnknown; message() is the report the `maru` command prints:
//     "error: <message>" and one "<file>:<line>: <expression>" line per active expression,
//     innermost first (runtime/loader.h FormatErrorReport), without the final newline.
//     MaruErrorMessage() gives the bare "<message>".
//   * A program that called (exit n): code kCancelled, message "exit <n>"; ExitStatus() gives n.
//   * A result or argument of the wrong C++ type: kInvalidArgument. A missing global: kNotFound.
//     An Engine used from two threads at once: kFailedPrecondition.
// After any error the Engine stays usable: the next call starts afresh.
//
// THREADS.
//   * One Engine is used by one thread at a time (a call from a second thread while a first is
//     inside the Engine fails with kFailedPrecondition; one after it is fine). Host functions may
//     call back into their own Engine (re-entrantly, on the evaluation thread).
//   * Several Engines may run concurrently in several threads; each has its own Vm and JIT.
//     Values, Functions and host functions must not be shared between Engines.
//   * Stats() and Interrupt() may be called from any thread at any time.
//   * Threads that evaluate (kCallingThread) or make Values are registered with the garbage
//     collector automatically (and unregistered when they exit), whoever created them; threads
//     that registered themselves (GC_register_my_thread) are left alone.
//   * The collector is initialised by a static initializer of this library (on the main thread,
//     before main), as Boehm GC requires.
//
// STACK. Evaluation recurses on the native stack: about 1 KiB per nested Maru call when
// interpreted, 0.1-0.2 KiB when compiled (api/README.md has the measurements). Running out is
// the Maru error "stack overflow", never a crash. By default (Threading::kCallingThread) an
// Engine evaluates on the calling thread's stack: an 8 MiB stack allows about 72,000 nested
// calls of compiled functions (the default kAuto mode compiles a function after 16 calls) but
// only about 8,000 interpreted ones. Threading::kEngineThread gives the Engine its own thread
// with a 256 MiB stack (virtual memory: only the used part is committed; about 250,000 nested
// interpreted calls) and hands every API call to it and back: about 0.25 us extra per call when
// calls follow each other closely and both threads have a processor, but a thread wake-up (20-40
// us measured) for a call after a pause of more than 50 us, or when the processors are busy.
#ifndef MARU_API_MARU_ENGINE_H_
#define MARU_API_MARU_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "maru/value.h"

namespace maru {

// How Maru functions run: kOff interprets everything; kAuto compiles a function after
// `tier_threshold` calls; kEager compiles every function before its first call.
enum class ExecutionMode { kOff, kAuto, kEager };
// Which executable memory the JIT may use (as `maru --code=`): kAuto (the best that works here,
// in-memory kinds first), kMemory (in-memory kinds only), kDlopen (code written to shared objects
// and loaded with dlopen only). Stats().code_memory says what was chosen; "none" when nothing
// works (everything is then interpreted).
enum class CodeMemoryRequest { kAuto, kMemory, kDlopen };
// Where evaluation runs (see STACK above).
enum class Threading { kCallingThread, kEngineThread };

inline constexpr int64_t kDefaultTierThreshold = 16;  // jit::kDefaultThreshold
inline constexpr size_t kDefaultEngineStackBytes = size_t{256} << 20;

struct EngineOptions {
  ExecutionMode execution = ExecutionMode::kAuto;
  CodeMemoryRequest code_memory = CodeMemoryRequest::kAuto;
  int64_t tier_threshold = kDefaultTierThreshold;  // calls before compilation in kAuto mode
  // With the dlopen kind: a directory where compiled modules are kept and reused by later runs of
  // the same build (as `maru --module-cache=DIR`; absolute, created 0700). Empty: none.
  std::string module_cache_dir;
  // Small known callees are compiled into their callers (guarded: redefining them still takes
  // effect at once). Off only to compare, or to see every call in native backtraces.
  bool inline_calls = true;
  // Functions that inlining would speed up are compiled first without it (quickly), and again
  // with it once their code has run this many times (as `maru --jit-optimize-threshold=N`).
  // 0: inline at the first compile.
  int64_t optimize_threshold = 1000;
  bool load_prelude = true;
  // The value of *arguments* while the prelude loads (it consumes a leading "-L dir").
  std::vector<std::string> arguments;
  // Receives what print, dump, putc and putb write to standard output (flushed before each host
  // function runs and at the end of each API call). Empty: the process's stdout. Text written to
  // stderr (warn) and to other streams is not redirected.
  std::function<void(std::string_view)> output;
  Threading threading = Threading::kCallingThread;
  size_t engine_stack_bytes = kDefaultEngineStackBytes;  // kEngineThread only
};

struct EngineStats {
  std::string code_memory;         // wx, dual, mapjit, dlopen or none (nothing is compiled)
  std::string code_memory_reason;  // why that kind (or why none)
  int64_t functions_compiled = 0;
  int64_t functions_fallback = 0;  // functions the JIT declined (they stay interpreted)
  // Functions that reused code: closures of one lambda, and functions identical to one
  // compiled before (same body, same globals).
  int64_t cache_hits = 0;
  int64_t guard_recompiles = 0;     // compiled again: a global their code relied on changed
  int64_t calls_inlined = 0;        // call sites compiled as a copy of the callee
  int64_t functions_optimized = 0;  // compiled again with inlining once hot (optimize_threshold)
  int64_t loops_compiled = 0;       // `while` loops the interpreter found hot, continued compiled
  std::string module_cache;         // the module cache's directory, "off", or why not
  int64_t module_cache_hits = 0;    // modules loaded from it
  int64_t module_cache_stores = 0;  // modules written to it
  int64_t code_bytes = 0;           // machine code currently installed
  int64_t compile_us = 0;           // total compile time, microseconds
  std::map<std::string, int64_t> fallback_reasons;
  bool engine_thread = false;     // evaluation runs on an engine-owned thread
  size_t engine_stack_bytes = 0;  // that thread's stack (0 with kCallingThread)
};

// Status helpers (see ERRORS above).
bool IsExit(const absl::Status& status);
std::optional<int> ExitStatus(const absl::Status& status);
std::optional<std::string> MaruErrorMessage(const absl::Status& status);

class Engine;

// A Maru function called with C++ arguments, converting its result to R; R may be void. The
// name is looked up in the global environment at the first call (and again until found), so a
// Function may be made before the function is defined; redefinitions are seen. Must not
// outlive its Engine. operator() returns absl::StatusOr<R> (absl::Status for void).
template <typename Signature>
class Function;

template <typename R, typename... Args>
class Function<R(Args...)> {
 public:
  using Result = std::conditional_t<std::is_void_v<R>, absl::Status, absl::StatusOr<R>>;
  Result operator()(const Args&... args) const;

 private:
  friend class Engine;
  Function(Engine* engine, std::string name, Value target)
      : engine_(engine), name_(std::move(name)), target_(std::move(target)) {}
  Engine* engine_;
  std::string name_;      // the global's name, or empty when target_ is the function itself
  mutable Value target_;  // the global's Variable once found, or the function
};

// A C++ function taking and returning Values (see Engine::DefineRaw).
using RawFunction = std::function<absl::StatusOr<Value>(std::span<const Value> args)>;

namespace internal {

// A host function behind a Maru Subr (engine.cc calls it on the evaluation thread).
class HostCallable {
 public:
  virtual ~HostCallable() = default;
  // Converts the argc argument words, calls the C++ function, encodes its result in *result.
  virtual absl::Status Call(const Word* args, int argc, uint64_t owner, Word* result) = 0;
};

template <typename F>
struct Signature : Signature<decltype(&std::decay_t<F>::operator())> {};
template <typename R, typename... A>
struct Signature<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<CodecType<A>...>;
};
template <typename R, typename... A>
struct Signature<R(A...)> : Signature<R (*)(A...)> {};
template <typename R, typename... A>
struct Signature<R (*)(A...) noexcept> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) const> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...)> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) const noexcept> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) noexcept> : Signature<R (*)(A...)> {};

template <typename T>
struct IsStatusOr : std::false_type {};
template <typename T>
struct IsStatusOr<absl::StatusOr<T>> : std::true_type {};

absl::Status ArgumentError(size_t index, const absl::Status& status);

template <typename F>
class TypedHostCallable final : public HostCallable {
 public:
  explicit TypedHostCallable(F fn) : fn_(std::move(fn)) {}
  static constexpr int kArity = std::tuple_size_v<typename Signature<F>::Args>;

  absl::Status Call(const Word* args, int argc, uint64_t owner, Word* result) override {
    return CallWith(args, owner, result, std::make_index_sequence<kArity>{});
  }

 private:
  template <size_t... I>
  absl::Status CallWith(const Word* args, uint64_t owner, Word* result, std::index_sequence<I...>) {
    typename Signature<F>::Args values;
    absl::Status s;
    ((s.ok() ? (s = Decode<I>(args[I], owner, &std::get<I>(values)), 0) : 0), ...);
    if (!s.ok()) return s;
    using R = typename Signature<F>::Result;
    if constexpr (std::is_void_v<R>) {
      std::apply(fn_, std::move(values));
      *result = 0;
      return absl::OkStatus();
    } else if constexpr (std::is_same_v<R, absl::Status>) {
      *result = 0;
      return std::apply(fn_, std::move(values));
    } else if constexpr (IsStatusOr<R>::value) {
      R r = std::apply(fn_, std::move(values));
      if (!r.ok()) return r.status();
      using T = typename R::value_type;
      return Codec<CodecType<T>>::Encode(*r, owner, result);
    } else {
      return Codec<CodecType<R>>::Encode(std::apply(fn_, std::move(values)), owner, result);
    }
  }
  template <size_t I, typename T>
  static absl::Status Decode(Word w, uint64_t owner, T* out) {
    absl::Status s = Codec<T>::Decode(w, owner, out);
    return s.ok() ? s : ArgumentError(I + 1, s);
  }
  F fn_;
};

class RawHostCallable final : public HostCallable {
 public:
  explicit RawHostCallable(RawFunction fn) : fn_(std::move(fn)) {}
  absl::Status Call(const Word* args, int argc, uint64_t owner, Word* result) override;

 private:
  RawFunction fn_;
};

}  // namespace internal

class Engine {
 public:
  // Creates a Vm and a JIT, and loads the prelude unless options.load_prelude is false.
  // Fails (with the Maru error) only when the prelude does not load.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(EngineOptions options = {});
  // Must not run while a call into the Engine is in progress. Values that outlive the Engine
  // keep their data readable; Functions must not be called any more.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reads and evaluates every form of `source` in turn (like a file: `name` labels source
  // positions in backtraces); returns the value of the last form (nil when there is none).
  absl::StatusOr<Value> Eval(std::string_view source, std::string_view name = "<eval>");
  // Loads a file (as the `maru` command does) and returns the value of its last form. A file
  // that cannot be opened is the Maru error "<path>: <reason>".
  absl::StatusOr<Value> Load(const std::string& path);

  // A typed wrapper of the global function `name`, e.g. Function<int64_t(int64_t)>("fib").
  template <typename Signature>
  ::maru::Function<Signature> Function(std::string_view name) {
    return ::maru::Function<Signature>(this, std::string(name), Value());
  }
  // A typed wrapper of a function value (e.g. a lambda returned by Eval).
  template <typename Signature>
  ::maru::Function<Signature> Function(Value function) {
    return ::maru::Function<Signature>(this, std::string(), std::move(function));
  }

  // Calls the global function `name` (or a function Value) with C++ arguments.
  template <typename... Args>
  absl::StatusOr<Value> Call(std::string_view name, const Args&... args) {
    return Function<Value(internal::CodecType<Args>...)>(name)(args...);
  }
  template <typename... Args>
  absl::StatusOr<Value> Call(Value function, const Args&... args) {
    return Function<Value(internal::CodecType<Args>...)>(std::move(function))(args...);
  }

  // Binds the global `name` to a Maru primitive calling `fn`, a function pointer, lambda or
  // other callable with a fixed, non-template call signature. Its parameters convert from Maru
  // (a wrong argument is a Maru error "name: argument N: expected ..."), the call is
  // arity-checked, and its result converts to Maru; a result of type void gives nil,
  // absl::Status an error or nil, absl::StatusOr<T> an error or T. A non-OK status becomes the
  // Maru error "name: <message>" (an exit status from a nested Eval exits). Exceptions thrown
  // by `fn` become Maru errors. `fn` runs on the evaluation thread; it may call this Engine.
  template <typename F>
  absl::Status Define(std::string_view name, F fn) {
    using Callable = internal::TypedHostCallable<std::decay_t<F>>;
    return DefineHost(name, Callable::kArity, std::make_unique<Callable>(std::move(fn)));
  }
  // The same for a function of Values; `arity` is the checked argument count, or -1 for any.
  absl::Status DefineRaw(std::string_view name, RawFunction fn, int arity = -1);

  // The value of a global variable (kNotFound if it is not defined).
  absl::StatusOr<Value> GetGlobal(std::string_view name);
  // Defines (or assigns) a global variable.
  template <typename T>
  absl::Status SetGlobal(std::string_view name, const T& value) {
    return SetGlobalEncoded(name, [&](internal::Word* w) {
      return internal::Codec<internal::CodecType<T>>::Encode(value, id(), w);
    });
  }

  // A C++ value as a Maru Value of this Engine.
  template <typename T>
  absl::StatusOr<Value> ToValue(const T& value) {
    Value out;
    absl::Status s = Encoded(
        [&](internal::Word* w) {
          return internal::Codec<internal::CodecType<T>>::Encode(value, id(), w);
        },
        &out);
    if (!s.ok()) return s;
    return out;
  }

  // The printed form of a value as `print` writes it (Strings raw), and as `dump` writes it
  // (read-back form). Printing may run Maru code (print methods), hence the status.
  absl::StatusOr<std::string> Print(const Value& value);
  absl::StatusOr<std::string> Dump(const Value& value);

  // Makes the evaluation in progress fail with the Maru error "interrupt" at its next call or
  // loop iteration. Thread-safe. Requested while nothing runs, it stops the next evaluation.
  void Interrupt();

  // JIT statistics and where evaluation runs. Thread-safe.
  EngineStats Stats() const;
  // The stats as "maru-stats: key=value" lines (as `maru --stats` prints them).
  std::string FormatStats() const;

  const EngineOptions& options() const;
  // This Engine's id (Value::owner() of the Values it makes).
  uint64_t id() const;

 private:
  struct Impl;
  template <typename Signature>
  friend class ::maru::Function;
  explicit Engine(std::unique_ptr<Impl> impl);

  // Calls `name` (via the cached Variable in *target) or the function *target with argc
  // arguments written by `encode`; `decode` receives the result.
  absl::Status Invoke(const std::string& name, Value* target, int argc,
                      absl::FunctionRef<absl::Status(internal::Word*)> encode,
                      absl::FunctionRef<absl::Status(internal::Word)> decode);
  absl::Status DefineHost(std::string_view name, int arity,
                          std::unique_ptr<internal::HostCallable> callable);
  absl::Status SetGlobalEncoded(std::string_view name,
                                absl::FunctionRef<absl::Status(internal::Word*)> encode);
  absl::Status Encoded(absl::FunctionRef<absl::Status(internal::Word*)> encode, Value* out);

  std::unique_ptr<Impl> impl_;
};

template <typename R, typename... Args>
typename Function<R(Args...)>::Result Function<R(Args...)>::operator()(const Args&... args) const {
  std::conditional_t<std::is_void_v<R>, int, R> out{};
  const uint64_t owner = engine_->id();
  absl::Status s = engine_->Invoke(
      name_, &target_, static_cast<int>(sizeof...(Args)),
      [&](internal::Word* words) {
        absl::Status st;
        size_t i = 0;
        auto encode = [&]<typename T>(const T& arg) {
          if (!st.ok()) return;
          st = internal::Codec<internal::CodecType<T>>::Encode(arg, owner, &words[i]);
          if (!st.ok()) st = internal::ArgumentError(i + 1, st);
          ++i;
        };
        (encode.template operator()<Args>(args), ...);
        return st;
      },
      [&](internal::Word result) {
        if constexpr (std::is_void_v<R>) {
          return absl::OkStatus();
        } else {
          return internal::Codec<internal::CodecType<R>>::Decode(result, owner, &out);
        }
      });
  if (!s.ok()) return s;
  if constexpr (std::is_void_v<R>) {
    return absl::OkStatus();
  } else {
    return std::move(out);
  }
}

}  // namespace maru

#endif  // MARU_API_MARU_ENGINE_H_
