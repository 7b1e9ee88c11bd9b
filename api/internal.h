// Internals of the embedding API shared by value.cc and engine.cc (not a public header).
#ifndef MARU_API_INTERNAL_H_
#define MARU_API_INTERNAL_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "maru/value.h"

namespace maru {
namespace internal {

// The root of a Value's heap object: allocated uncollectable (so the collector scans it and keeps
// `word` alive), freed when the last Value referring to it goes.
struct Cell {
  Word word;
  std::atomic<int64_t> refs;
};

// Registers the calling thread with the collector if nobody has (once per thread; the
// registration is undone when the thread exits). Every API entry point calls it.
void EnsureThreadRegistered();

// A short description of a value for conversion errors, without a Vm: 42, 1.5, "text", foo,
// a list, an array, a function ...
std::string Describe(Word w);

}  // namespace internal

// Access to Value's representation for the implementation.
struct ValueAccess {
  // A Value holding `w` (a root cell is made for heap objects). Must run on a registered thread
  // while `w` is still reachable.
  static Value Make(internal::Word w, uint64_t owner);
  static internal::Word WordOf(const Value& v) { return v.word_; }
  static uint64_t OwnerOf(const Value& v) { return v.owner_; }
};

}  // namespace maru

#endif  // MARU_API_INTERNAL_H_
