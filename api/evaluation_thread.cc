#include "evaluation_thread.h"

#include <gc.h>
#include <pthread.h>
#include <sched.h>

// The thread registers itself with the collector (GC_pthread_create would allocate collector
// memory on the creating thread, which may not be registered: a collection there aborts).
#undef pthread_create
#undef pthread_join

#include <chrono>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace maru::internal {

namespace {

// How a side waits for the other: spinning for kSpin (a hand-over between two running threads
// takes well under a microsecond), then yielding the processor until kYield has passed (when
// both threads share one processor, the other one runs), then sleeping on a futex (a wake-up
// then costs tens of microseconds). Spinning without yielding would make every hand-over cost
// the whole spin whenever the machine has fewer free processors than the two threads.
constexpr auto kSpin = std::chrono::microseconds(5);
constexpr auto kYield = std::chrono::microseconds(50);

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Waits until `state` leaves `from`; returns the new value.
uint32_t AwaitChange(std::atomic<uint32_t>& state, uint32_t from) {
  uint32_t s = state.load(std::memory_order_acquire);
  if (s != from) return s;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1;; ++i) {
    CpuRelax();
    s = state.load(std::memory_order_acquire);
    if (s != from) return s;
    if ((i & 31) == 0 && std::chrono::steady_clock::now() - start >= kSpin) break;
  }
  while (std::chrono::steady_clock::now() - start < kYield) {
    sched_yield();
    s = state.load(std::memory_order_acquire);
    if (s != from) return s;
  }
  for (;;) {
    state.wait(from, std::memory_order_acquire);
    s = state.load(std::memory_order_acquire);
    if (s != from) return s;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<EvaluationThread>> EvaluationThread::Start(size_t stack_bytes) {
  std::unique_ptr<EvaluationThread> thread(new EvaluationThread(stack_bytes));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  int error = pthread_attr_setstacksize(&attr, stack_bytes);
  if (error == 0) error = pthread_create(&thread->thread_, &attr, &Main, thread.get());
  pthread_attr_destroy(&attr);
  if (error != 0) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot create an evaluation thread with a ",
                                                     stack_bytes,
                                                     "-byte stack: ", std::strerror(error)));
  }
  pthread_setname_np(thread->thread_, "maru-engine");
  return thread;
}

EvaluationThread::~EvaluationThread() {
  state_.store(kStop, std::memory_order_release);
  state_.notify_all();
  pthread_join(thread_, nullptr);
}

void EvaluationThread::Run(absl::FunctionRef<void()> task) {
  task_ = &task;
  state_.store(kPosted, std::memory_order_release);
  state_.notify_all();
  while (AwaitChange(state_, kPosted) != kDone) {
  }
  task_ = nullptr;
}

void* EvaluationThread::Main(void* self) {
  GC_stack_base base;
  bool registered =
      GC_get_stack_base(&base) == GC_SUCCESS && GC_register_my_thread(&base) == GC_SUCCESS;
  static_cast<EvaluationThread*>(self)->Loop();
  if (registered) GC_unregister_my_thread();
  return nullptr;
}

void EvaluationThread::Loop() {
  uint32_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    while (s != kPosted && s != kStop) s = AwaitChange(state_, s);
    if (s == kStop) return;
    (*task_)();
    state_.store(kDone, std::memory_order_release);
    state_.notify_all();
    s = kDone;
  }
}

}  // namespace maru::internal
