#include "tests/unit/test_support.h"

#include <gc.h>  // before <pthread.h>: GC_THREADS redirects pthread_create to the collector's
#include <pthread.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/evaluator.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/streams.h"
#include "runtime/strings.h"

namespace maru::test {

std::string Describe(const PendingError& error) {
  switch (error.kind) {
    case Unwind::kError:
      return "ERROR: " + error.message;
    case Unwind::kExit:
      return "EXIT: " + std::to_string(error.exit_status);
    case Unwind::kNone:
      break;
  }
  return "NO ERROR";
}

Session::Session(bool prelude) {
  InitHeap();
  vm_ = std::make_unique<Vm>();
  vm_->output_capture = &output_;
  if (prelude && !LoadPrelude(*vm_)) {
    PendingError e = vm_->TakeError();
    std::fprintf(stderr, "prelude failed to load: %s\n", Describe(e).c_str());
    std::abort();
  }
}

Session::~Session() { vm_->output_capture = nullptr; }

Oop Session::Eval(std::string_view text) {
  last_error_ = PendingError();
  // fmemopen refuses an empty buffer on some C libraries.
  source_ = text.empty() ? std::string(" ") : std::string(text);
  FILE* in = fmemopen(source_.data(), source_.size(), "r");
  if (in == nullptr) std::abort();
  RegisterStream(in);
  Oop input_var = vm_->input_var();
  Oop saved_input = Slot(input_var, variable::kValue);
  Slot(input_var, variable::kValue) = StreamHandle(in);
  Oop result = kNil;
  {
    Reader reader(*vm_, in, path_);
    for (;;) {
      bool eof = false;
      Oop form = reader.Read(&eof);
      if (form == kErrorOop) {
        result = kErrorOop;
        break;
      }
      if (eof) break;
      result = EvalTopLevel(*vm_, form);
      if (result == kErrorOop) break;
    }
  }
  Slot(input_var, variable::kValue) = saved_input;
  vm_->pushback.erase(in);
  UnregisterStream(in);
  std::fclose(in);
  if (result == kErrorOop || vm_->HasError()) {
    last_error_ = vm_->TakeError();
    return kErrorOop;
  }
  return result;
}

std::string Session::Run(std::string_view text) {
  Oop v = Eval(text);
  if (v == kErrorOop) return Describe(last_error_);
  return Dump(v);
}

std::string Session::RunPrint(std::string_view text) {
  Oop v = Eval(text);
  if (v == kErrorOop) return Describe(last_error_);
  return Print(v);
}

std::string Session::ReadAll(std::string_view text) {
  last_error_ = PendingError();
  source_ = text.empty() ? std::string(" ") : std::string(text);
  FILE* in = fmemopen(source_.data(), source_.size(), "r");
  if (in == nullptr) std::abort();
  std::string out;
  {
    Reader reader(*vm_, in, path_);
    for (;;) {
      bool eof = false;
      Oop form = reader.Read(&eof);
      if (eof && form != kErrorOop) break;
      if (!out.empty()) out += " | ";
      if (form == kErrorOop) {
        last_error_ = vm_->TakeError();
        out += Describe(last_error_);
        break;
      }
      out += Dump(form);
    }
  }
  vm_->pushback.erase(in);
  std::fclose(in);
  return out;
}

std::string Session::Dump(Oop x) {
  std::string s;
  if (!PrintTo(*vm_, x, true, &s)) return "PRINT ERROR: " + vm_->TakeError().message;
  return s;
}

std::string Session::Print(Oop x) {
  std::string s;
  if (!PrintTo(*vm_, x, false, &s)) return "PRINT ERROR: " + vm_->TakeError().message;
  return s;
}

std::string Session::TakeOutput() {
  std::string s = std::move(output_);
  output_.clear();
  return s;
}

std::vector<uint32_t> CodesOf(Oop string) {
  std::vector<uint32_t> codes;
  if (!IsString(string)) return codes;
  const uint32_t* chars = StringChars(string);
  for (int64_t i = 0; i < StringLength(string); ++i) codes.push_back(chars[i]);
  return codes;
}

namespace {

struct ThreadCall {
  void (*fn)(void*);
  void* arg;
};

void* ThreadMain(void* p) {
  auto* call = static_cast<ThreadCall*>(p);
  call->fn(call->arg);
  return nullptr;
}

}  // namespace

void RunOnThreadWithStack(size_t stack_bytes, void (*fn)(void*), void* arg) {
  InitHeap();
  ThreadCall call{fn, arg};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  if (pthread_create(&thread, &attr, ThreadMain, &call) != 0) std::abort();
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace maru::test
