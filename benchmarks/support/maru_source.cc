#include "benchmarks/support/maru_source.h"

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "runtime/evaluator.h"
#include "runtime/loader.h"
#include "runtime/reader.h"

namespace maru::bench {

namespace {

absl::Status PendingErrorStatus(Vm& vm) {
  std::string report = FormatErrorReport(vm.TakeError());
  while (!report.empty() && report.back() == '\n') report.pop_back();
  return absl::UnknownError(report);
}

}  // namespace

absl::StatusOr<Oop> EvalSource(Vm& vm, std::string_view source) {
  if (source.empty()) return kNil;
  // fmemopen reads the text in place (the buffer is not written in mode "r").
  FILE* f = fmemopen(const_cast<char*>(source.data()), source.size(), "r");
  if (f == nullptr) return absl::InternalError("fmemopen failed");
  Oop result = kNil;
  {
    Reader reader(vm, f, "<benchmark>");
    for (;;) {
      bool eof = false;
      Oop form = reader.Read(&eof);
      if (eof || form == kErrorOop) break;
      result = EvalTopLevel(vm, form);
      if (result == kErrorOop) break;
    }
  }
  std::fclose(f);
  if (vm.HasError()) return PendingErrorStatus(vm);
  return result;
}

absl::Status LoadPreludeInto(Vm& vm) {
  if (!LoadPrelude(vm)) return PendingErrorStatus(vm);
  return absl::OkStatus();
}

}  // namespace maru::bench
