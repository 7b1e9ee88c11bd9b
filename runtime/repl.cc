#include "runtime/repl.h"

#include <cerrno>
#include <cstring>

#include "runtime/evaluator.h"
#include "runtime/loader.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/streams.h"

namespace maru {

namespace {

// Reports a failed write of the REPL's own output and gives the exit status.
int OutputFailed(FILE* err) {
  std::fprintf(err, "error: write error: %s\n", std::strerror(errno));
  std::fflush(err);
  return 1;
}

}  // namespace

int RunRepl(Vm& vm, FILE* in, FILE* out, FILE* err) {
  RegisterStream(in);
  AssignGlobal(vm, vm.input_var(), StreamHandle(in));
  Reader reader(vm, in, in == stdin ? "<stdin>" : "<input>");
  for (;;) {
    if (std::fputs(".", out) == EOF || std::fflush(out) != 0) return OutputFailed(err);
    bool eof = false;
    Oop form = reader.Read(&eof);
    if (eof) break;
    Oop result = form == kErrorOop ? form : EvalTopLevel(vm, form);
    if (result == kErrorOop) {
      PendingError error = vm.TakeError();
      if (error.message.rfind("write error:", 0) == 0) {
        std::fputs(FormatErrorReport(error).c_str(), err);
        return 1;  // the output is gone: nothing more can be shown
      }
      if (error.kind == Unwind::kExit) {
        std::fflush(out);
        return error.exit_status;
      }
      std::fflush(out);
      std::fputs(FormatErrorReport(error).c_str(), err);
      std::fflush(err);
      if (form == kErrorOop) reader.SkipRestOfLine();
      vm.active = nullptr;
      continue;
    }
    std::string text;
    if (!PrintTo(vm, result, true, &text)) {
      PendingError error = vm.TakeError();
      std::fputs(FormatErrorReport(error).c_str(), err);
      continue;
    }
    if (std::fprintf(out, " => %s\n", text.c_str()) < 0 || std::fflush(out) != 0) {
      return OutputFailed(err);
    }
  }
  if (std::fputs("\nmorituri te salutant\n", out) == EOF || std::fflush(out) != 0) {
    return OutputFailed(err);
  }
  return 0;
}

}  // namespace maru
