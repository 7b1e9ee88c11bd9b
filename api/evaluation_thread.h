// The engine-owned evaluation thread (Threading::kEngineThread): a thread with a large stack,
// registered with the collector, that runs one task at a time for its callers.
#ifndef MARU_API_EVALUATION_THREAD_H_
#define MARU_API_EVALUATION_THREAD_H_

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace maru::internal {

class EvaluationThread {
 public:
  // Starts the thread. Fails (kResourceExhausted) when no such thread can be created.
  static absl::StatusOr<std::unique_ptr<EvaluationThread>> Start(size_t stack_bytes);
  // Stops and joins the thread (no task may be running).
  ~EvaluationThread();
  EvaluationThread(const EvaluationThread&) = delete;
  EvaluationThread& operator=(const EvaluationThread&) = delete;

  // Runs `task` on the thread and waits for it to finish. One caller at a time.
  void Run(absl::FunctionRef<void()> task);
  // True on the evaluation thread itself.
  bool IsCurrent() const { return pthread_equal(pthread_self(), thread_) != 0; }
  size_t stack_bytes() const { return stack_bytes_; }

 private:
  enum State : uint32_t { kIdle, kPosted, kDone, kStop };
  explicit EvaluationThread(size_t stack_bytes) : stack_bytes_(stack_bytes) {}
  static void* Main(void* self);
  void Loop();

  const size_t stack_bytes_;
  pthread_t thread_{};
  std::atomic<uint32_t> state_{kIdle};
  absl::FunctionRef<void()>* task_ = nullptr;  // valid while state_ is kPosted
};

}  // namespace maru::internal

#endif  // MARU_API_EVALUATION_THREAD_H_
