// The perf map (/tmp/perf-<pid>.map): one "START SIZE name" line per compiled function, so that
// `perf report` and other profilers name JIT code.
#ifndef MARU_JIT_PERF_MAP_H_
#define MARU_JIT_PERF_MAP_H_

#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>

namespace maru::jit {

class PerfMap {
 public:
  // Opens (appends to) /tmp/perf-<pid>.map; `ok()` tells whether that worked.
  PerfMap();
  ~PerfMap();
  PerfMap(const PerfMap&) = delete;
  PerfMap& operator=(const PerfMap&) = delete;

  bool ok() const { return file_ != nullptr; }
  const std::string& path() const { return path_; }
  // Records code at [start, start + size) named `name` (spaces and control characters in names
  // become '_', as the format is whitespace-separated).
  void Add(const void* start, size_t size, const std::string& name);

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::string path_;
};

}  // namespace maru::jit

#endif  // MARU_JIT_PERF_MAP_H_
