#include "runtime/loader.h"

#include <gc.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "runtime/evaluator.h"
#include "runtime/prelude/prelude_source.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/streams.h"

namespace maru {

bool LoadStream(Vm& vm, FILE* in, const std::string& path) {
  RegisterStream(in);
  Oop input_var = vm.input_var();
  Oop saved_input = Slot(input_var, variable::kValue);
  AssignGlobal(vm, input_var, StreamHandle(in));
  bool ok = true;
  {
    Reader reader(vm, in, path);
    reader.SkipShebangLine();
    for (;;) {
      bool eof = false;
      Oop form = reader.Read(&eof);
      if (form == kErrorOop) {
        // A syntax error has no active expression: its position is the backtrace.
        if (vm.error().kind == Unwind::kError) {
          vm.AppendBacktrace({reader.error_position(), "(while reading)"});
        }
        ok = false;
        break;
      }
      if (eof) break;
      if (vm.verbose >= 1) {
        std::printf("%s\n", DumpForMessage(vm, form, SIZE_MAX).c_str());
      }
      Oop result = EvalTopLevel(vm, form);
      if (result == kErrorOop) {
        ok = false;
        break;
      }
      if (vm.verbose >= 1) {
        std::printf(" => %s\n", DumpForMessage(vm, result, SIZE_MAX).c_str());
        std::printf("[heap %zu bytes, %zu free]\n", GC_get_heap_size(), GC_get_free_bytes());
        std::fflush(stdout);
      }
    }
  }
  AssignGlobal(vm, input_var, saved_input);
  vm.pushback.erase(in);
  UnregisterStream(in);
  return ok;
}

bool LoadFile(Vm& vm, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    vm.Error(path + ": " + std::strerror(errno));
    return false;
  }
  struct stat info;
  if (fstat(fileno(f), &info) == 0 && S_ISDIR(info.st_mode)) {
    std::fclose(f);
    vm.Error(path + ": " + std::strerror(EISDIR));
    return false;
  }
  bool ok = LoadStream(vm, f, path);
  std::fclose(f);
  return ok;
}

bool LoadText(Vm& vm, std::string_view text, const std::string& name) {
  // fmemopen gives a FILE* over the text, so `getc` on *input* works as for files.
  FILE* f = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  if (f == nullptr) {
    vm.Error(name + ": " + std::strerror(errno));
    return false;
  }
  bool ok = LoadStream(vm, f, name);
  std::fclose(f);
  return ok;
}

bool LoadPrelude(Vm& vm) { return LoadText(vm, PreludeSource(), "<prelude>"); }

std::string FormatErrorReport(const PendingError& error) {
  std::string report = "error: " + error.message + "\n";
  if (error.reported_by_hook) return report;
  for (const BacktraceLine& line : error.backtrace) {
    report += line.location + ": " + line.expression + "\n";
  }
  return report;
}

}  // namespace maru
