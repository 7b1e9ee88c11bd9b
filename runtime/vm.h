// The state of one Maru virtual machine: its global environment, the core's special objects, the
// pending error and the chain of active expressions used for backtraces.
//
// Error mechanism (one for the interpreter, primitives and, later, compiled code): every function
// that evaluates Maru code returns an Oop; when an error happens it records the error in the Vm
// (Vm::Error) and returns kErrorOop, and every caller passes kErrorOop straight back up. Nothing
// unwinds the C++ stack (no exceptions, no longjmp), so frames of JIT-compiled code need no unwind
// information: they test the returned word after each call exactly as the interpreter does.
#ifndef MARU_RUNTIME_VM_H_
#define MARU_RUNTIME_VM_H_

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "runtime/object.h"

namespace maru {

// An activation of a function or a top-level form. Its locals live in `slots`: on the C stack
// until a closure needs them, then in a heap Context (see Materialize in evaluator.h).
struct Frame {
  Oop* slots;
  int64_t nslots;
  int64_t level;  // level of the Env of the running lambda or form
  Oop env;
  Oop home;     // Context of the lexically enclosing activation (the callee's captured ctx)
  Oop context;  // this activation's heap Context, or nil while its slots are on the C stack
  // The Expr whose body runs in this activation, or nil (top-level forms, inlined calls). Loops
  // the interpreter runs in it count towards compiling it (CountBackEdge ignores compiled ones).
  Oop self = kNil;
};

// One active expression, pushed while a pair is evaluated (innermost first via `prev`).
struct ActiveForm {
  Oop form;
  ActiveForm* prev;
};

enum class Unwind { kNone, kError, kExit };

struct BacktraceLine {
  std::string location;    // "file:line", or "..." when the form has no source position
  std::string expression;  // the form, dumped (abbreviated when long)
  // The ActiveForm the line was made from (identity only: it may be gone), or null.
  const void* active = nullptr;
};

struct PendingError {
  Unwind kind = Unwind::kNone;
  std::string message;
  int exit_status = 0;
  std::vector<BacktraceLine> backtrace;
  // True when a user *backtrace* function was called for this error (the tool then omits its own
  // backtrace lines).
  bool reported_by_hook = false;
  // Lines added by compiled code while the error unwinds (Vm::AddCallLine), the ones left out
  // beyond the limit, and where the line counting those is (-1: none yet).
  size_t call_lines = 0;
  size_t call_lines_elided = 0;
  ptrdiff_t call_lines_elided_at = -1;
};

// The nine special forms.
enum SpecialForm : int {
  kQuote,
  kIf,
  kAnd,
  kOr,
  kWhile,
  kLambda,
  kLet,
  kDefine,
  kSet,
  kSpecialFormCount
};

class TierUp;

// The fields machine code reads directly, at fixed offsets from the Vm pointer.
struct VmHotFields {
  uintptr_t stack_limit = 0;  // offset 0: the lowest usable stack address (see StackExhausted)
  std::atomic<uint8_t> interrupt{0};  // offset 8: non-zero when an interrupt is pending
  // offset 16: advanced whenever a watched global Variable (one whose value compiled code was
  // specialised for) gets a different value. Compiled code that saw the same epoch at its last
  // check knows that none of its assumptions about globals has changed since.
  uint64_t global_epoch = 1;
};
inline constexpr int kVmStackLimitOffset = 0;
inline constexpr int kVmInterruptOffset = 8;
inline constexpr int kVmGlobalEpochOffset = 16;

// Assigns the value cell of a global Variable (every such write goes through here or through
// compiled code that does the same): a watched Variable advances the epoch when its value changes.
inline void AssignGlobal(VmHotFields& vm, Oop var, Oop value) {
  Oop& cell = Slot(var, variable::kValue);
  if (cell != value && Slot(var, variable::kWatched) != kNil) ++vm.global_epoch;
  cell = value;
}

class Vm : public VmHotFields {
 public:
  Vm();
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // --- Errors -----------------------------------------------------------------------------------
  // Records an error (message, backtrace of the active forms) and returns kErrorOop.
  Oop Error(std::string message);
  // Records an exit request with the given status and returns kErrorOop.
  Oop Exit(int status);
  // While an error unwinds through compiled code: the line of `form`, a call that compiled code
  // made without the interpreter (so no ActiveForm recorded it), goes where that call stood among
  // the active forms: right outside the ones it ran, i.e. just before the innermost form still
  // active. Lines beyond a limit are counted in one "..." line.
  void AddCallLine(Oop form);
  // The error for an allocation that could not be satisfied.
  Oop OutOfMemory() { return Error("out of memory"); }
  bool HasError() const { return error_.kind != Unwind::kNone; }
  const PendingError& error() const { return error_; }
  PendingError TakeError();
  // Adds a line to the pending error's backtrace (e.g. the position of a syntax error).
  void AppendBacktrace(BacktraceLine line) { error_.backtrace.push_back(std::move(line)); }

  // True when the native stack is nearly exhausted; callers then raise "stack overflow".
  bool StackExhausted() const {
    return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) < stack_limit;
  }
  Oop StackOverflow() { return Error("stack overflow"); }
  // Sets the stack limit from the calling thread's stack bounds, keeping `reserve` bytes spare.
  void SetStackLimitForCurrentThread(size_t reserve = 256 * 1024);

  // Asynchronous interrupt (SIGINT): polled at calls and loop iterations.
  void RequestInterrupt() { interrupt.store(1, std::memory_order_relaxed); }
  bool InterruptPending() const { return interrupt.load(std::memory_order_relaxed) != 0; }
  Oop TakeInterrupt() {
    interrupt.store(0, std::memory_order_relaxed);
    return Error("interrupt");
  }

  // --- Globals ----------------------------------------------------------------------------------
  Oop global_env() const { return global_env_; }
  // The Env currently held by *globals*.
  Oop current_globals() const;
  // Defines (or redefines) a global in the core global Env; returns its Variable.
  Oop DefineGlobal(std::string_view name, Oop value);
  // The Variable bound to a name in the core global Env, or nil.
  Oop FindGlobal(std::string_view name) const;

  Oop special_form(SpecialForm f) const { return fixeds_[f]; }
  bool IsCoreFixed(Oop o, SpecialForm f) const { return o == fixeds_[f]; }

  // Hook arrays (*expanders* ...): the element for `type`, or nil.
  Oop HookFor(Oop hook_variable, uint32_t type) const;

  // Well-known Variables.
  Oop globals_var() const { return globals_var_; }
  Oop expanders_var() const { return expanders_var_; }
  Oop encoders_var() const { return encoders_var_; }
  Oop evaluators_var() const { return evaluators_var_; }
  Oop applicators_var() const { return applicators_var_; }
  Oop backtrace_var() const { return backtrace_var_; }
  Oop input_var() const { return input_var_; }
  Oop output_var() const { return output_var_; }
  Oop arguments_var() const { return arguments_var_; }

  // Well-known symbols.
  Oop sym_t, sym_quote, sym_quasiquote, sym_unquote, sym_unquote_splicing, sym_set, sym_bracket,
      sym_brace, sym_dot, sym_type_names;

  // --- Tiering ----------------------------------------------------------------------------------
  // The compiler, when one is attached (nullptr: interpreter only). Not owned.
  TierUp* tier_up = nullptr;
  // `while` loops continued in compiled code (runtime/hot_loops.h); read by other threads
  // (EngineStats).
  std::atomic<int64_t> loops_compiled{0};

  // --- Evaluation state -------------------------------------------------------------------------
  ActiveForm* active = nullptr;
  int verbose = 0;
  int optimised = 0;
  bool debug = false;  // -g

  // While non-null, what print/dump and putc/putb to standard output write goes here instead
  // (the prelude's `error` builds its message with the prelude's own `print`).
  std::string* output_capture = nullptr;
  // Writes text to standard output, or to the capture buffer; false on a write error.
  bool WriteOutput(std::string_view text);

  // Per-stream pushback of one decoded character (the reader looks one character ahead).
  absl::flat_hash_map<FILE*, int32_t> pushback;

  // Source path objects, interned per path so that (path . line) pairs share one String.
  Oop SourcePath(std::string_view path);

 private:
  void InitGlobals();

  // Roots (this object is registered with the collector as a root range).
  // The lowest address error reporting may use (below stack_limit: printing the backtrace of a
  // stack overflow needs some of the reserve).
  uintptr_t stack_floor_ = 0;

  Oop global_env_ = kNil;
  Oop globals_var_ = kNil, expanders_var_ = kNil, encoders_var_ = kNil, evaluators_var_ = kNil,
      applicators_var_ = kNil, backtrace_var_ = kNil, input_var_ = kNil, output_var_ = kNil,
      arguments_var_ = kNil;
  Oop fixeds_[kSpecialFormCount] = {};
  Oop source_paths_ = kNil;  // alist (path-string . String)

  PendingError error_;
  bool in_backtrace_hook_ = false;
};

}  // namespace maru

#endif  // MARU_RUNTIME_VM_H_
