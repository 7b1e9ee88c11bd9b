#include "jit/backend/backend.h"

namespace maru::jit {

std::unique_ptr<Backend> NewHostBackend() {
#if defined(__x86_64__)
  return NewX64Backend();
#elif defined(__aarch64__)
  return NewA64Backend();
#else
  return nullptr;
#endif
}

}  // namespace maru::jit
