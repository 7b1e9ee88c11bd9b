// Shared helpers for the maru-jit unit tests: a Session owns a Vm, reads and evaluates Maru text
// (a Reader over fmemopen + EvalTopLevel, as the loader does), and reports the dumped result or
// the pending error as a string so that assertions stay short.
#ifndef MARU_TESTS_UNIT_TEST_SUPPORT_H_
#define MARU_TESTS_UNIT_TEST_SUPPORT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include <string_view>
#include <vector>

#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru::test {

class Session {
 public:
  // Creates a Vm (calling InitHeap first) and, when `prelude` is true, loads the project's prelude.
  explicit Session(bool prelude = false);
  ~Session();

  Vm& vm() { return *vm_; }

  // Reads and evaluates every form of `text` in turn, with `path` labelling source positions.
  // Returns the value of the last form; kErrorOop when an error or exit request stopped it (then
  // last_error() holds it and the Vm no longer has it pending).
  Oop Eval(std::string_view text);

  // Like Eval, but returns the last value as the core printer dumps it (§9), or
  // "ERROR: <message>" / "EXIT: <status>" / "PRINT ERROR: <message>".
  std::string Run(std::string_view text);
  // Same, with the value printed in print mode (Strings raw).
  std::string RunPrint(std::string_view text);

  // Reads (without evaluating) every form of `text`; returns the dumped forms joined by " | ",
  // or, after the forms read successfully, " | ERROR: <message>" for a reader error.
  std::string ReadAll(std::string_view text);

  // The dumped / printed form of a value ("PRINT ERROR: ..." when printing fails).
  std::string Dump(Oop x);
  std::string Print(Oop x);

  // Text written to standard output by print/dump/putc/putb since the last call (then cleared).
  std::string TakeOutput();

  const PendingError& last_error() const { return last_error_; }
  void set_path(std::string path) { path_ = std::move(path); }

 private:
  std::unique_ptr<Vm> vm_;
  std::string output_;
  std::string source_;
  std::string path_ = "<test>";
  PendingError last_error_;
};

// Describes a taken error the way Run does.
std::string Describe(const PendingError& error);

// Code points of a String object.
std::vector<uint32_t> CodesOf(Oop string);

// Runs `fn` on a new thread with a stack of `stack_bytes` (registered with the collector) and waits.
void RunOnThreadWithStack(size_t stack_bytes, void (*fn)(void*), void* arg);

// A fixture with one Session; R(text) evaluates text in it.
class SessionTest : public ::testing::Test {
 protected:
  std::string R(std::string_view text) { return s_.Run(text); }
  Session s_;
};

}  // namespace maru::test

#endif  // MARU_TESTS_UNIT_TEST_SUPPORT_H_
