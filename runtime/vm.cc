#include "runtime/vm.h"

#include <gc.h>
#include <pthread.h>

#include "runtime/env.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"
#include "runtime/special_forms.h"
#include "runtime/streams.h"
#include "runtime/strings.h"
#include "runtime/subr.h"

namespace maru {

namespace {

// Backtraces keep the innermost and outermost forms of very deep stacks (stack overflow).
constexpr size_t kBacktraceInnermost = 40;
constexpr size_t kBacktraceOutermost = 10;
constexpr size_t kBacktraceExpressionLimit = 240;

}  // namespace

Vm::Vm() {
  InitHeap();
  // This object holds Oops; the collector must see them.
  GC_add_roots(this, this + 1);
  SetStackLimitForCurrentThread();
  sym_t = Intern("t");
  sym_quote = Intern("quote");
  sym_quasiquote = Intern("quasiquote");
  sym_unquote = Intern("unquote");
  sym_unquote_splicing = Intern("unquote-splicing");
  sym_set = Intern("set");
  sym_bracket = Intern("bracket");
  sym_brace = Intern("brace");
  sym_dot = Intern(".");
  sym_type_names = Intern("%type-names");
  InitGlobals();
}

Vm::~Vm() { GC_remove_roots(this, this + 1); }

void Vm::InitGlobals() {
  global_env_ = NewEnv(kNil, 0, 0);
  globals_var_ = DefineGlobal("*globals*", global_env_);
  expanders_var_ = DefineGlobal("*expanders*", kNil);
  encoders_var_ = DefineGlobal("*encoders*", kNil);
  evaluators_var_ = DefineGlobal("*evaluators*", kNil);
  applicators_var_ = DefineGlobal("*applicators*", kNil);
  backtrace_var_ = DefineGlobal("*backtrace*", kNil);
  input_var_ = DefineGlobal("*input*", StreamHandle(stdin));
  output_var_ = DefineGlobal("*output*", StreamHandle(stdout));
  arguments_var_ = DefineGlobal("*arguments*", kNil);
  for (int f = 0; f < kSpecialFormCount; ++f) {
    auto form = static_cast<SpecialForm>(f);
    fixeds_[f] = NewFixed(NewSpecialFormSubr(SpecialFormName(form), SpecialFormFunction(form)));
    DefineGlobal(SpecialFormName(form), fixeds_[f]);
  }
  RegisterPrimitives(*this);
}

Oop Vm::current_globals() const {
  Oop env = Slot(globals_var_, variable::kValue);
  return IsEnv(env) ? env : global_env_;
}

Oop Vm::DefineGlobal(std::string_view name, Oop value) {
  Oop symbol = Intern(name);
  Oop var = EnvFindLocal(global_env_, symbol);
  if (var == kNil) var = EnvDefine(global_env_, symbol);
  AssignGlobal(*this, var, value);
  return var;
}

Oop Vm::FindGlobal(std::string_view name) const { return EnvFindLocal(global_env_, Intern(name)); }

Oop Vm::HookFor(Oop hook_variable, uint32_t type) const {
  Oop hooks = Slot(hook_variable, variable::kValue);
  if (!Is(hooks, kArrayType) || type >= static_cast<uint64_t>(ArraySize(hooks))) return kNil;
  return ArrayAt(hooks, type);
}

Oop Vm::SourcePath(std::string_view path) {
  for (Oop p = source_paths_; IsPair(p); p = Slot(p, pair::kTail)) {
    Oop s = Slot(p, pair::kHead);
    if (StringToUtf8(s) == path) return s;
  }
  Oop s = NewStringFromUtf8(path);
  source_paths_ = NewPair(s, source_paths_);
  return s;
}

void Vm::SetStackLimitForCurrentThread(size_t reserve) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* base = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &base, &size);
  pthread_attr_destroy(&attr);
  if (size <= reserve * 2) reserve = size / 4;
  stack_limit = reinterpret_cast<uintptr_t>(base) + reserve;
  stack_floor_ = reinterpret_cast<uintptr_t>(base) + reserve / 4;
}

Oop Vm::Error(std::string message) {
  if (error_.kind != Unwind::kNone) return kErrorOop;  // the first error wins
  error_.kind = Unwind::kError;
  error_.message = std::move(message);
  error_.backtrace.clear();
  error_.reported_by_hook = false;
  error_.call_lines = 0;
  error_.call_lines_elided = 0;
  error_.call_lines_elided_at = -1;
  // Reporting may run deep in the stack (a stack overflow): let it use part of the reserve.
  struct StackLimitScope {
    explicit StackLimitScope(Vm* vm) : vm(vm), saved(vm->stack_limit) {
      if (vm->stack_floor_ != 0) vm->stack_limit = vm->stack_floor_;
    }
    ~StackLimitScope() { vm->stack_limit = saved; }
    Vm* vm;
    uintptr_t saved;
  } stack_scope(this);

  Oop hook = Slot(backtrace_var_, variable::kValue);
  if (hook != kNil && !in_backtrace_hook_) {
    // The user's *backtrace* gets the active expressions, outermost first, and their count.
    size_t count = 0;
    for (ActiveForm* a = active; a != nullptr; a = a->prev) ++count;
    Oop forms = NewArray(static_cast<int64_t>(count));
    if (forms != kNil) {
      size_t i = count;
      for (ActiveForm* a = active; a != nullptr; a = a->prev) ArrayElements(forms)[--i] = a->form;
      PendingError saved = std::move(error_);
      error_ = PendingError();
      in_backtrace_hook_ = true;
      Oop args[2] = {forms, MakeFixnum(static_cast<int64_t>(count))};
      Apply(*this, hook, args, 2, nullptr);
      in_backtrace_hook_ = false;
      error_ = std::move(saved);  // errors inside the hook are ignored
      error_.reported_by_hook = true;
      return kErrorOop;
    }
  }

  size_t depth = 0;
  for (ActiveForm* a = active; a != nullptr; a = a->prev) ++depth;
  size_t index = 0;
  for (ActiveForm* a = active; a != nullptr; a = a->prev, ++index) {
    if (index == kBacktraceInnermost && depth > kBacktraceInnermost + kBacktraceOutermost) {
      error_.backtrace.push_back(
          {"...", "(" + std::to_string(depth - kBacktraceInnermost - kBacktraceOutermost) +
                      " more)"});
    }
    if (index >= kBacktraceInnermost && index < depth - kBacktraceOutermost) continue;
    BacktraceLine line;
    Oop source = IsPair(a->form) ? SourceOf(a->form) : kNil;
    if (IsPair(source) && IsString(Car(source)) && IsFixnum(Cdr(source))) {
      line.location = StringToUtf8(Car(source)) + ":" + std::to_string(FixnumValue(Cdr(source)));
    } else {
      line.location = "...";
    }
    line.expression = DumpForMessage(*this, a->form, kBacktraceExpressionLimit);
    line.active = a;
    error_.backtrace.push_back(std::move(line));
  }
  return kErrorOop;
}

void Vm::AddCallLine(Oop form) {
  if (error_.kind != Unwind::kError || error_.reported_by_hook) return;
  std::vector<BacktraceLine>& lines = error_.backtrace;
  if (error_.call_lines >= kBacktraceInnermost) {
    // Deep recursion through compiled code: count the rest.
    if (error_.call_lines_elided_at >= 0) {
      ++error_.call_lines_elided;
      lines[static_cast<size_t>(error_.call_lines_elided_at)].expression =
          "(" + std::to_string(error_.call_lines_elided) + " more)";
      return;
    }
  }
  // Just before the line of the innermost form still active (the end when none is, or when that
  // form's line was elided).
  size_t at = lines.size();
  if (active != nullptr) {
    at = 0;
    while (at < lines.size() && lines[at].active != active) ++at;
    if (at == lines.size()) return;  // its line was elided: no place known for this one
  }
  BacktraceLine line;
  if (error_.call_lines >= kBacktraceInnermost) {
    line = {"...", "(1 more)", nullptr};
    error_.call_lines_elided = 1;
    error_.call_lines_elided_at = static_cast<ptrdiff_t>(at);
  } else {
    Oop source = IsPair(form) ? SourceOf(form) : kNil;
    if (IsPair(source) && IsString(Car(source)) && IsFixnum(Cdr(source))) {
      line.location = StringToUtf8(Car(source)) + ":" + std::to_string(FixnumValue(Cdr(source)));
    } else {
      line.location = "...";
    }
    line.expression = DumpForMessage(*this, form, kBacktraceExpressionLimit);
  }
  lines.insert(lines.begin() + static_cast<ptrdiff_t>(at), std::move(line));
  ++error_.call_lines;
}

Oop Vm::Exit(int status) {
  if (error_.kind != Unwind::kNone) return kErrorOop;
  error_.kind = Unwind::kExit;
  error_.exit_status = status;
  error_.message.clear();
  error_.backtrace.clear();
  return kErrorOop;
}

bool Vm::WriteOutput(std::string_view text) {
  if (output_capture != nullptr) {
    output_capture->append(text);
    return true;
  }
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0;
}

PendingError Vm::TakeError() {
  PendingError e = std::move(error_);
  error_ = PendingError();
  return e;
}

}  // namespace maru
