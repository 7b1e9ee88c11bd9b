// Definitions, evaluation and control (spec §7.2).
#include <sys/resource.h>
#include <sys/time.h>

#include <chrono>
#include <ctime>

#include "runtime/env.h"
#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"
#include "runtime/strings.h"

namespace maru {

namespace {

Oop DefinedP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop symbol = Arg(a, n, 0);
  Oop env = Arg(a, n, 1);
  if (!IsEnv(env)) env = vm.current_globals();
  if (!IsSymbol(symbol)) return kNil;
  return EnvLookup(env, symbol);
}

Oop EvalP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop env = Arg(a, n, 1);
  if (IsEnv(env)) return EvalInEnv(vm, Arg(a, n, 0), env);
  return EvalTopLevel(vm, Arg(a, n, 0));
}

// The compile-time Env of the caller (the default for expand and encode).
Oop CallerEnv(Vm& vm, const Oop* a, int n, Frame* caller) {
  Oop env = Arg(a, n, 1);
  if (IsEnv(env)) return env;
  if (caller != nullptr && IsEnv(caller->env)) return caller->env;
  return vm.current_globals();
}

Oop ExpandP(Vm& vm, const Oop* a, int n, Frame* caller) {
  return Expand(vm, Arg(a, n, 0), CallerEnv(vm, a, n, caller));
}

Oop EncodeP(Vm& vm, const Oop* a, int n, Frame* caller) {
  return Encode(vm, Arg(a, n, 0), CallerEnv(vm, a, n, caller));
}

Oop ApplyP(Vm& vm, const Oop* a, int n, Frame* caller) {
  if (n == 0) return vm.Error("too few arguments in: apply");
  Oop f = a[0];
  if (n == 1) return Apply(vm, f, nullptr, 0, caller);
  Oop spread = a[n - 1];
  int64_t extra = ListLength(spread);
  if (extra > (1 << 20)) return vm.Error("too many arguments in: apply");
  int total = static_cast<int>(n - 2 + extra);
  Oop* args = static_cast<Oop*>(alloca((total + 1) * sizeof(Oop)));
  for (int i = 1; i < n - 1; ++i) args[i - 1] = a[i];
  for (int i = n - 2; i < total; ++i) {
    args[i] = Slot(spread, pair::kHead);
    spread = Slot(spread, pair::kTail);
  }
  return Apply(vm, f, args, total, caller);
}

Oop FormP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop f = NewForm(Arg(a, n, 0), Arg(a, n, 1));
  return f == kNil ? vm.OutOfMemory() : f;
}

Oop ExitP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop status = Arg(a, n, 0);
  return vm.Exit(IsLong(status) ? static_cast<int>(LongValue(status)) : 0);
}

Oop AbortP(Vm& vm, const Oop*, int, Frame*) { return vm.Error("abort"); }

Oop Level(Vm& vm, int* level, const Oop* a, int n) {
  if (n == 0) return MakeFixnum(*level);
  if (!IsLong(a[0])) return kNil;
  *level = static_cast<int>(LongValue(a[0]));
  return a[0];
}

Oop VerboseP(Vm& vm, const Oop* a, int n, Frame*) { return Level(vm, &vm.verbose, a, n); }
Oop OptimisedP(Vm& vm, const Oop* a, int n, Frame*) { return Level(vm, &vm.optimised, a, n); }

Oop NotP(Vm& vm, const Oop* a, int, Frame*) { return Truth(vm, a[0] == kNil); }
Oop TypeOfP(Vm&, const Oop* a, int, Frame*) { return MakeFixnum(TypeOf(a[0])); }

Oop AddressOfP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop r = NewLong(static_cast<int64_t>(Arg(a, n, 0)));
  return r == kNil ? vm.OutOfMemory() : r;
}

Oop TimesP(Vm& vm, const Oop*, int, Frame*) {
  static const auto start = std::chrono::steady_clock::now();
  int64_t real_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  int64_t user_ms = usage.ru_utime.tv_sec * 1000 + usage.ru_utime.tv_usec / 1000;
  int64_t system_ms = usage.ru_stime.tv_sec * 1000 + usage.ru_stime.tv_usec / 1000;
  Oop items[4] = {MakeFixnum(real_ms), MakeFixnum(user_ms), MakeFixnum(system_ms),
                  MakeFixnum(static_cast<int64_t>(std::time(nullptr)))};
  Oop list = kNil;
  for (int i = 3; i >= 0; --i) {
    list = NewPair(items[i], list);
    if (list == kNil) return vm.OutOfMemory();
  }
  return list;
}

// Project extras (names outside spec §7 and §10).
// (%signal-error message): raises an error whose message is the String (or printed value).
Oop SignalErrorP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop message = Arg(a, n, 0);
  if (IsString(message)) return vm.Error(StringToUtf8(message));
  std::string text;
  if (!PrintTo(vm, message, false, &text)) return kErrorOop;
  return vm.Error(text);
}

// (%with-output-to-string thunk): calls thunk with standard output captured; returns the text.
Oop WithOutputToStringP(Vm& vm, const Oop* a, int n, Frame* caller) {
  std::string captured;
  std::string* saved = vm.output_capture;
  vm.output_capture = &captured;
  Oop result = Apply(vm, Arg(a, n, 0), nullptr, 0, caller);
  vm.output_capture = saved;
  if (result == kErrorOop) return result;
  Oop s = NewStringFromUtf8(captured);
  return s == kNil ? vm.OutOfMemory() : s;
}

Oop SaveP(Vm& vm, const Oop*, int, Frame*) { return vm.Error("save: not supported"); }

}  // namespace

void RegisterControlPrimitives(Vm& vm) {
  DefinePrimitive(vm, "defined?", DefinedP, -1);
  DefinePrimitive(vm, "eval", EvalP, -1);
  DefinePrimitive(vm, "expand", ExpandP, -1);
  DefinePrimitive(vm, "encode", EncodeP, -1);
  DefinePrimitive(vm, "apply", ApplyP, -1);
  DefinePrimitive(vm, "form", FormP, -1);
  DefinePrimitive(vm, "exit", ExitP, -1);
  DefinePrimitive(vm, "abort", AbortP, -1);
  DefinePrimitive(vm, "verbose", VerboseP, -1);
  DefinePrimitive(vm, "optimised", OptimisedP, -1);
  DefinePrimitive(vm, "not", NotP, 1);
  DefinePrimitive(vm, "type-of", TypeOfP, 1);
  DefinePrimitive(vm, "address-of", AddressOfP, -1);
  DefinePrimitive(vm, "times", TimesP, -1);
  DefinePrimitive(vm, "save", SaveP, -1);
  DefinePrimitive(vm, "%signal-error", SignalErrorP, -1);
  DefinePrimitive(vm, "%with-output-to-string", WithOutputToStringP, 1);
}

}  // namespace maru
