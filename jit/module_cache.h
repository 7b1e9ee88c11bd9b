// An on-disk cache of the dlopen kind's modules (maru --module-cache=DIR; off by default).
//
// A compile batch's module holds no word of the process that wrote it (jit/backend/data_table.h),
// so a later process running the same build can load it instead of generating the code again,
// once it has lowered and optimised the same functions: the key is a SHA-256 of the build (the
// file this code is in), the target and the batch's canonical IR (jit/module_key.h).
//
// Each entry is one file, DIR/<key>.mod: a header (magic, format, build, key), the functions'
// sizes, entries and table-word sources, the module's layout and image, then a SHA-256 of all of
// it. An entry that is damaged, of another format or build, or of another key is never loaded
// (and is removed). Entries are written aside and renamed into place, so concurrent processes
// see whole entries or none. After each store the directory is trimmed to its size cap, least
// recently used first (a hit refreshes the entry's time).
#ifndef MARU_JIT_MODULE_CACHE_H_
#define MARU_JIT_MODULE_CACHE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "jit/codemem/code_memory.h"
#include "jit/module_key.h"

namespace maru::jit {

struct CachedFunction {
  uint64_t size = 0;                // bytes of code
  uint64_t direct_entry = 0;        // offset of the direct entry, 0: none
  std::vector<WordSource> sources;  // of its data-table words
};

struct CachedModule {
  std::vector<CachedFunction> functions;
  CodeMemory::ModuleImage module;
};

class ModuleCache {
 public:
  static constexpr uint64_t kDefaultMaxBytes = uint64_t{64} << 20;

  // Opens `directory`, creating it (mode 0700) when missing. Refused when it is not a directory
  // owned by this user without access for group and others, or the build cannot be identified.
  static absl::StatusOr<std::unique_ptr<ModuleCache>> Open(const std::string& directory,
                                                           uint64_t max_bytes);

  // The key of a batch whose functions' canonical IR, one after the other, is `canonical_ir`.
  std::string KeyFor(const std::string& canonical_ir) const;
  // The entry stored under `key`, or nothing (none, or refused and removed).
  std::optional<CachedModule> Get(const std::string& key);
  // Stores `entry` under `key`, then trims the directory to the cap. Failures only count.
  void Put(const std::string& key, const CachedModule& entry);

  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t stores = 0;
    int64_t rejected = 0;  // entries refused: damaged, another build or format
    int64_t evicted = 0;   // entries removed to keep under the cap
  };
  Stats stats() const;
  const std::string& directory() const { return directory_; }

 private:
  ModuleCache(std::string directory, uint64_t max_bytes, std::string build)
      : directory_(std::move(directory)), max_bytes_(max_bytes), build_(std::move(build)) {}
  void Trim();

  const std::string directory_;
  const uint64_t max_bytes_;
  const std::string build_;  // SHA-256 of the build, 32 bytes
  mutable absl::Mutex mu_;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  uint64_t estimated_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // of the entries in the directory
  bool scanned_ ABSL_GUARDED_BY(mu_) = false;
};

// A SHA-256 of the file this code was loaded from (the executable or the shared library holding
// the runtime), computed once; empty when the file cannot be read.
const std::string& BuildDigest();

}  // namespace maru::jit

#endif  // MARU_JIT_MODULE_CACHE_H_
