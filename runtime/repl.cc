#include "runtime/repl.h"

#include "runtime/evaluator.h"
#include "runtime/loader.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/streams.h"

namespace maru {

int RunRepl(Vm& vm, FILE* in, FILE* out, FILE* err) {
  RegisterStream(in);
  Slot(vm.input_var(), variable::kValue) = StreamHandle(in);
  Reader reader(vm, in, in == stdin ? "<stdin>" : "<input>");
  for (;;) {
    std::fputs(".", out);
    std::fflush(out);
    bool eof = false;
    Oop form = reader.Read(&eof);
    if (eof) break;
    Oop result = form == kErrorOop ? form : EvalTopLevel(vm, form);
    if (result == kErrorOop) {
      PendingError error = vm.TakeError();
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
    std::fprintf(out, " => %s\n", text.c_str());
    std::fflush(out);
  }
  std::fputs("\nmorituri te salutant\n", out);
  std::fflush(out);
  return 0;
}

}  // namespace maru
