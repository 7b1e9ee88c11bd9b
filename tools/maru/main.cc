// The `maru` command: runs Maru programs and the REPL (spec §2).
//
//   maru [options] [file ...]
//
// The evaluator runs on a thread with a large stack so that deep (non-tail) recursion works far
// beyond the reference's limit; stack exhaustion is still reported as the error "stack overflow".
#include <gc.h>  // before <pthread.h> users: redirects pthread_create to the collector's
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/repl.h"
#include "runtime/strings.h"
#include "runtime/vm.h"

namespace maru {
namespace {

constexpr size_t kEvaluatorStackBytes = size_t{1} << 30;

constexpr char kUsage[] =
    "usage: maru [options] [file [argument ...]] ...\n"
    "\n"
    "Loads the prelude, then each file in order (a file's own arguments follow it and are\n"
    "available to it in *arguments*). With no file, runs the read-eval-print loop.\n"
    "\n"
    "options (each takes effect where it appears):\n"
    "  -b          do not load the prelude\n"
    "  -v          verbose: echo each form loaded and its result (repeat for more)\n"
    "  -g          debug: fuller backtraces\n"
    "  -O          optimise (prelude structure accessors without type checks)\n"
    "  -L DIR      (before the first file) prefix for load/require\n"
    "  -e EXPR     evaluate the forms in EXPR after the files\n"
    "  --jit=off   execution mode (the interpreter; the only mode in this build)\n"
    "  --help      this text\n";

Vm* g_vm = nullptr;

void OnInterrupt(int) {
  if (g_vm != nullptr) g_vm->RequestInterrupt();
}

struct Invocation {
  std::vector<std::string> args;
  int status = 0;
};

// Reports a pending error or exit request; returns the process status.
int Finish(Vm& vm) {
  std::fflush(stdout);
  PendingError error = vm.TakeError();
  if (error.kind == Unwind::kExit) return error.exit_status;
  std::fputs(FormatErrorReport(error).c_str(), stderr);
  std::fflush(stderr);
  return 1;
}

Oop StringList(const std::vector<std::string>& items) {
  Oop list = kNil;
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    list = NewPair(NewStringFromUtf8(*it), list);
  }
  return list;
}

int Run(const std::vector<std::string>& argv) {
  Vm vm;
  g_vm = &vm;
  Oop args = StringList(argv);
  bool no_prelude = false, prelude_loaded = false, loaded_file = false;
  std::vector<std::string> expressions;
  Oop arguments_var = vm.arguments_var();

  auto load_prelude = [&](Oop arguments) {
    prelude_loaded = true;
    Slot(arguments_var, variable::kValue) = arguments;
    return no_prelude || LoadPrelude(vm);
  };

  while (IsPair(args)) {
    std::string arg = StringToUtf8(Car(args));
    Oop rest = Cdr(args);
    if (arg == "-v") {
      ++vm.verbose;
    } else if (arg == "-b") {
      no_prelude = true;
    } else if (arg == "-g") {
      vm.debug = true;
    } else if (arg == "-O") {
      ++vm.optimised;
    } else if (arg.rfind("-p", 0) == 0 && arg.size() > 1 &&
               arg.find_first_not_of("0123456789", 2) == std::string::npos) {
      // Statistical profiling of the reference: accepted and ignored.
    } else if (arg == "-l") {
      std::fprintf(stderr, "error: -l: heap images are not supported\n");
      return 1;
    } else if (arg == "-e") {
      if (!IsPair(rest)) {
        std::fprintf(stderr, "error: -e needs an expression\n");
        return 1;
      }
      expressions.push_back(StringToUtf8(Car(rest)));
      rest = Cdr(rest);
    } else if (arg.rfind("--jit=", 0) == 0) {
      if (arg != "--jit=off") {
        std::fprintf(stderr, "error: %s: this build has only --jit=off\n", arg.c_str());
        return 1;
      }
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!prelude_loaded) {
      // The prelude sees the arguments from this file on (it consumes a leading "-L dir").
      if (!load_prelude(args)) return Finish(vm);
      args = Slot(arguments_var, variable::kValue);
      continue;
    } else {
      Slot(arguments_var, variable::kValue) = rest;
      loaded_file = true;
      if (!LoadFile(vm, arg)) return Finish(vm);
      rest = Slot(arguments_var, variable::kValue);
    }
    args = rest;
  }

  if (!expressions.empty()) {
    if (!prelude_loaded && !load_prelude(kNil)) return Finish(vm);
    for (const std::string& text : expressions) {
      if (!LoadText(vm, text, "<-e>")) return Finish(vm);
    }
  } else if (!loaded_file) {
    if (!prelude_loaded && !load_prelude(kNil)) return Finish(vm);
    int status = RunRepl(vm, stdin, stdout, stderr);
    return status;
  }
  std::fflush(stdout);
  return 0;
}

void* RunThread(void* arg) {
  auto* invocation = static_cast<Invocation*>(arg);
  invocation->status = Run(invocation->args);
  return nullptr;
}

}  // namespace
}  // namespace maru

int main(int argc, char** argv) {
  maru::InitHeap();
  signal(SIGPIPE, SIG_IGN);
  struct sigaction action = {};
  action.sa_handler = maru::OnInterrupt;
  sigaction(SIGINT, &action, nullptr);

  maru::Invocation invocation;
  invocation.args.assign(argv + 1, argv + argc);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, maru::kEvaluatorStackBytes);
  pthread_t thread;
  if (pthread_create(&thread, &attr, maru::RunThread, &invocation) != 0) {
    // No big stack to be had: run on this thread (deep recursion ends sooner, still cleanly).
    maru::RunThread(&invocation);
  } else {
    pthread_join(thread, nullptr);
  }
  pthread_attr_destroy(&attr);
  std::fflush(stdout);
  return invocation.status;
}
