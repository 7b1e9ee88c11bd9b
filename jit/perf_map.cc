#include "jit/perf_map.h"

#include <unistd.h>

#include <cinttypes>

namespace maru::jit {

PerfMap::PerfMap() : path_("/tmp/perf-" + std::to_string(getpid()) + ".map") {
  file_ = std::fopen(path_.c_str(), "a");
}

PerfMap::~PerfMap() {
  if (file_ != nullptr) std::fclose(file_);
}

void PerfMap::Add(const void* start, size_t size, const std::string& name) {
  if (file_ == nullptr) return;
  std::string clean = name.empty() ? "lambda" : name;
  for (char& c : clean) {
    if (static_cast<unsigned char>(c) <= ' ') c = '_';
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(file_, "%" PRIxPTR " %zx maru:%s\n", reinterpret_cast<uintptr_t>(start), size,
               clean.c_str());
  std::fflush(file_);
}

}  // namespace maru::jit
