// The `maru` command: runs Maru programs and the REPL (spec §2).
//
//   maru [options] [file ...]
//
// The evaluator runs on a thread with a large stack so that deep (non-tail) recursion works far
// beyond the reference's limit; stack exhaustion is still reported as the error "stack overflow".
#include <gc.h>  // before <pthread.h> users: redirects pthread_create to the collector's
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "jit/jit.h"
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
    "  --jit=MODE  off (interpreter only), auto (compile hot functions; default), eager\n"
    "              (compile every function before its first call)\n"
    "  --code=KIND code memory: auto (default), memory (in-memory only), dlopen\n"
    "  --jit-threshold=N  calls before a function is compiled in auto mode\n"
    "  --jit-optimize-threshold=N  calls of a function's first code before it is compiled\n"
    "              again with inlining (default 1000; 0: inline at once)\n"
    "  --inline=on|off  inline small known callees into compiled callers (default on)\n"
    "  --dump-ir   print the IR of each compiled function on stderr\n"
    "  --dump-asm  print the assembly of each compiled function on stderr\n"
    "  --stats     print JIT statistics (maru-stats: key=value) on stderr at exit\n"
    "  --perf-map  write /tmp/perf-<pid>.map so that perf names compiled functions\n"
    "  --max-code-mb=N  cap on compiled code; beyond it new functions stay interpreted\n"
    "  --module-cache=DIR  keep the dlopen kind's compiled modules in DIR (made 0700) and\n"
    "              reuse them in later runs of this same build\n"
    "  --module-cache-mb=N  size cap of the module cache (default 64); least recently used\n"
    "              entries go first\n"
    "  --help      this text\n";

// The Vm that SIGINT interrupts, while it exists. A second SIGINT may come after it is gone
// (`timeout` forwards a signal to its child and again to the process group).
std::atomic<Vm*> g_vm{nullptr};
static_assert(std::atomic<Vm*>::is_always_lock_free);  // read in a signal handler
bool g_verbose_start = false;  // -v given: say at start-up when the JIT cannot run

void OnInterrupt(int) {
  if (Vm* vm = g_vm.load()) vm->RequestInterrupt();
}

struct Invocation {
  std::vector<std::string> args;
  int status = 0;
};

// Options that configure the engine itself; they are read before anything runs (the others take
// effect where they appear, as in the reference).
struct EngineOptions {
  jit::JitOptions jit;
  bool stats = false;
};

// Removes the engine options that come before the first file from `args` (everything after
// the first file belongs to the programs); false (with a message printed) on a bad one.
bool ParseEngineOptions(std::vector<std::string>* args, EngineOptions* options) {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& arg = (*args)[i];
    if ((arg == "-e" || arg == "-L") && i + 1 < args->size()) {  // options with a value
      rest.push_back(arg);
      rest.push_back((*args)[++i]);
    } else if (arg.empty() || arg[0] != '-') {  // the first file: the rest is left alone
      rest.insert(rest.end(), args->begin() + static_cast<long>(i), args->end());
      break;
    } else if (arg.rfind("--jit=", 0) == 0) {
      std::string mode = arg.substr(6);
      if (mode == "off") {
        options->jit.mode = jit::JitMode::kOff;
      } else if (mode == "auto") {
        options->jit.mode = jit::JitMode::kAuto;
      } else if (mode == "eager") {
        options->jit.mode = jit::JitMode::kEager;
      } else {
        std::fprintf(stderr, "error: %s: expected off, auto or eager\n", arg.c_str());
        return false;
      }
    } else if (arg.rfind("--code=", 0) == 0) {
      std::string kind = arg.substr(7);
      if (kind == "auto") {
        options->jit.code = jit::CodeRequest::kAuto;
      } else if (kind == "memory") {
        options->jit.code = jit::CodeRequest::kMemory;
      } else if (kind == "dlopen") {
        options->jit.code = jit::CodeRequest::kDlopen;
      } else {
        std::fprintf(stderr, "error: %s: expected auto, memory or dlopen\n", arg.c_str());
        return false;
      }
    } else if (arg.rfind("--jit-optimize-threshold=", 0) == 0) {
      const char* digits = arg.c_str() + std::strlen("--jit-optimize-threshold=");
      char* end = nullptr;
      long long n = std::strtoll(digits, &end, 10);
      if (end == digits || *end != '\0' || n < 0) {
        std::fprintf(stderr, "error: %s: expected a count of calls\n", arg.c_str());
        return false;
      }
      options->jit.optimize_threshold = n;
    } else if (arg.rfind("--jit-threshold=", 0) == 0) {
      char* end = nullptr;
      long long n = std::strtoll(arg.c_str() + 16, &end, 10);
      if (end == arg.c_str() + 16 || *end != '\0' || n < 0) {
        std::fprintf(stderr, "error: %s: expected a count of calls\n", arg.c_str());
        return false;
      }
      options->jit.threshold = n;
    } else if (arg.rfind("--max-code-mb=", 0) == 0) {
      char* end = nullptr;
      long long n = std::strtoll(arg.c_str() + 14, &end, 10);
      if (end == arg.c_str() + 14 || *end != '\0' || n < 0) {
        std::fprintf(stderr, "error: %s: expected a size in MiB\n", arg.c_str());
        return false;
      }
      options->jit.max_code_bytes = static_cast<size_t>(n) << 20;
    } else if (arg.rfind("--module-cache=", 0) == 0) {
      std::string dir = arg.substr(15);
      if (dir.empty()) {
        std::fprintf(stderr, "error: %s: expected a directory\n", arg.c_str());
        return false;
      }
      if (dir[0] != '/') {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd) == nullptr) {
          std::fprintf(stderr, "error: %s: cannot resolve a relative directory\n", arg.c_str());
          return false;
        }
        dir = std::string(cwd) + "/" + dir;
      }
      options->jit.module_cache_dir = dir;
    } else if (arg.rfind("--module-cache-mb=", 0) == 0) {
      char* end = nullptr;
      long long n = std::strtoll(arg.c_str() + 18, &end, 10);
      if (end == arg.c_str() + 18 || *end != '\0' || n <= 0) {
        std::fprintf(stderr, "error: %s: expected a size in MiB\n", arg.c_str());
        return false;
      }
      options->jit.module_cache_max_bytes = static_cast<uint64_t>(n) << 20;
    } else if (arg == "--inline=on" || arg == "--inline=off") {
      options->jit.inline_calls = arg == "--inline=on";
    } else if (arg.rfind("--inline=", 0) == 0) {
      std::fprintf(stderr, "error: %s: expected on or off\n", arg.c_str());
      return false;
    } else if (arg == "--perf-map") {
      options->jit.perf_map = true;
    } else if (arg == "--dump-ir") {
      options->jit.dump_ir = true;
    } else if (arg == "--dump-asm") {
      options->jit.dump_asm = true;
    } else if (arg == "--stats") {
      options->stats = true;
    } else {
      rest.push_back(arg);
    }
  }
  *args = std::move(rest);
  return true;
}

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

// Runs the command line; *loops_compiled receives the Vm's count of loops continued compiled.
int Run(const std::vector<std::string>& argv, jit::Jit* jit, int64_t* loops_compiled) {
  Vm vm;
  g_vm = &vm;
  struct Unpublish {
    Vm& vm;
    int64_t* loops_compiled;
    ~Unpublish() {  // before vm goes
      *loops_compiled = vm.loops_compiled.load(std::memory_order_relaxed);
      g_vm = nullptr;
    }
  } unpublish{vm, loops_compiled};
  if (jit != nullptr && jit->stats().code_memory != "none") vm.tier_up = jit;
  Oop args = StringList(argv);
  bool no_prelude = false, prelude_loaded = false, loaded_file = false;
  std::vector<std::string> expressions;
  Oop arguments_var = vm.arguments_var();

  auto load_prelude = [&](Oop arguments) {
    prelude_loaded = true;
    AssignGlobal(vm, arguments_var, arguments);
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
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!prelude_loaded) {
      // The prelude sees the arguments from this file on (it consumes a leading "-L dir").
      if (!load_prelude(args)) return Finish(vm);
      args = Slot(arguments_var, variable::kValue);
      continue;
    } else {
      AssignGlobal(vm, arguments_var, rest);
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
  EngineOptions options;
  if (!ParseEngineOptions(&invocation->args, &options)) {
    invocation->status = 1;
    return nullptr;
  }
  std::unique_ptr<jit::Jit> jit = jit::Jit::Create(options.jit);
  if (jit->stats().code_memory == "none" && options.jit.mode != jit::JitMode::kOff &&
      (options.stats || g_verbose_start)) {
    std::fprintf(stderr, "maru: no executable memory (%s): running the interpreter\n",
                 jit->stats().code_memory_reason.c_str());
  }
  if (jit->stats().module_cache.rfind("unavailable", 0) == 0) {
    // Asked for and refused: say so (the program still runs, compiling as usual).
    std::fprintf(stderr, "maru: module cache %s\n", jit->stats().module_cache.c_str());
  }
  int64_t loops_compiled = 0;
  invocation->status = Run(invocation->args, jit.get(), &loops_compiled);
  std::fflush(stdout);
  if (options.stats) {
    std::fputs(jit->FormatStats().c_str(), stderr);
    // (The interpreter's figure: on-stack replacement, runtime/hot_loops.h.)
    std::fprintf(stderr, "maru-stats: loops_compiled=%lld\n",
                 static_cast<long long>(loops_compiled));
  }
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
  for (const std::string& arg : invocation.args) {
    if (arg == "-v") maru::g_verbose_start = true;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  // MARU_STACK_MB overrides the evaluator's stack size (tests under GC stress use a smaller one:
  // every collection scans the whole depth of an unbounded recursion).
  size_t stack_bytes = maru::kEvaluatorStackBytes;
  if (const char* mb = std::getenv("MARU_STACK_MB")) {
    long long n = std::atoll(mb);
    if (n >= 1) stack_bytes = static_cast<size_t>(n) << 20;
  }
  pthread_attr_setstacksize(&attr, stack_bytes);
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
