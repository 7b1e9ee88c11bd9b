#include "runtime/streams.h"

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "runtime/heap.h"

namespace maru {

namespace {

struct OpenStreams {
  absl::Mutex mu;
  absl::flat_hash_set<FILE*> set ABSL_GUARDED_BY(mu){stdin, stdout, stderr};
};

OpenStreams& Streams() {
  static OpenStreams* streams = new OpenStreams;
  return *streams;
}

}  // namespace

void RegisterStream(FILE* f) {
  OpenStreams& s = Streams();
  absl::MutexLock lock(&s.mu);
  s.set.insert(f);
}

void UnregisterStream(FILE* f) {
  OpenStreams& s = Streams();
  absl::MutexLock lock(&s.mu);
  s.set.erase(f);
}

bool IsOpenStream(FILE* f) {
  OpenStreams& s = Streams();
  absl::MutexLock lock(&s.mu);
  return s.set.contains(f);
}

Oop StreamHandle(FILE* f) { return NewLong(static_cast<int64_t>(reinterpret_cast<intptr_t>(f))); }

}  // namespace maru
