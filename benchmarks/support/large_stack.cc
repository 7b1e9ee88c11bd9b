#include "benchmarks/support/large_stack.h"

// <gc.h> (GC_THREADS) turns pthread_create into GC_pthread_create here: the new thread is
// registered with the collector, which then scans its stack.
#include <gc.h>
#include <pthread.h>

#include <cstring>
#include <string>

namespace maru::bench {

namespace {

void* RunFunction(void* arg) {
  (*static_cast<absl::FunctionRef<void()>*>(arg))();
  return nullptr;
}

}  // namespace

absl::Status RunOnLargeStack(absl::FunctionRef<void()> fn, size_t stack_bytes) {
  pthread_attr_t attr;
  if (int e = pthread_attr_init(&attr); e != 0) {
    return absl::InternalError(std::string("pthread_attr_init: ") + std::strerror(e));
  }
  int e = pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  if (e == 0) e = pthread_create(&thread, &attr, RunFunction, &fn);
  pthread_attr_destroy(&attr);
  if (e != 0) return absl::ResourceExhaustedError(std::string("thread: ") + std::strerror(e));
  pthread_join(thread, nullptr);
  return absl::OkStatus();
}

}  // namespace maru::bench
