#include "jit/backend/backend.h"

namespace maru::jit {

#if defined(__x86_64__)
std::unique_ptr<Backend> NewX64Backend();
#endif

std::unique_ptr<Backend> NewHostBackend() {
#if defined(__x86_64__)
  return NewX64Backend();
#else
  return nullptr;
#endif
}

}  // namespace maru::jit
