// Words of this process that generated code needs (heap objects' addresses, runtime functions'
// addresses, the guard epoch) reached through a module's data table instead of immediates: the
// dlopen kind's modules are then the same bytes in every process, so they can be cached on disk
// and the table filled after loading (jit/module_cache.h). In memory, immediates stay: they
// cost no load.
#ifndef MARU_JIT_BACKEND_DATA_TABLE_H_
#define MARU_JIT_BACKEND_DATA_TABLE_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "jit/objfile/module_spec.h"
#include "runtime/object.h"

namespace maru::jit {

// One function's table: the words its code loads, each once, and where the code refers to them
// (fixup indices are indices into `words`).
class DataTable {
 public:
  // The index of `word`, added on first use. Most functions name a few words: they are searched
  // in place until there are many.
  uint32_t IndexOf(uint64_t word) {
    if (words_.size() <= kLinearSearchLimit) {
      for (uint32_t i = 0; i < words_.size(); ++i) {
        if (words_[i] == word) return i;
      }
      words_.push_back(word);
      if (words_.size() > kLinearSearchLimit) {
        for (uint32_t i = 0; i < words_.size(); ++i) index_.emplace(words_[i], i);
      }
      return static_cast<uint32_t>(words_.size() - 1);
    }
    auto [it, added] = index_.try_emplace(word, static_cast<uint32_t>(words_.size()));
    if (added) words_.push_back(word);
    return it->second;
  }
  void AddFixup(const objfile::Fixup& fixup) { fixups_.push_back(fixup); }

  std::vector<uint64_t>& words() { return words_; }
  std::vector<objfile::Fixup>& fixups() { return fixups_; }

 private:
  static constexpr size_t kLinearSearchLimit = 32;
  std::vector<uint64_t> words_;
  std::vector<objfile::Fixup> fixups_;
  absl::flat_hash_map<uint64_t, uint32_t> index_;
};

// Whether an Oop's word means something only in this process (a heap object's address). Fixnums,
// nil and the error word are the same everywhere.
inline bool IsProcessWord(Oop o) { return IsObject(o); }

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_DATA_TABLE_H_
