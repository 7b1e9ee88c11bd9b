// Words of this process that generated code needs (heap objects' addresses, runtime functions'
// addresses, the guard epoch). For the dlopen kind they are reached through the module's data
// table: its images are then the same bytes in every process, so they can be cached on disk and
// the table filled after loading (jit/module_cache.h). In memory they are immediates, which cost
// no load, recorded so that a copy of the code can serve an identical function.
#ifndef MARU_JIT_BACKEND_DATA_TABLE_H_
#define MARU_JIT_BACKEND_DATA_TABLE_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "jit/objfile/module_spec.h"
#include "runtime/object.h"

namespace maru::jit {

// Where code in memory holds a word of this process as an immediate: the code's bytes at
// `offset` (x86-64: the 8-byte immediate of a movabs, or a short one that ends a compare;
// AArch64: a movz and three movk, 16 bits each) hold words[index]. A copy of the code
// serves another function once these are rewritten with its words (identical functions share code:
// jit/jit.h).
struct ImmediatePatch {
  uint32_t offset = 0;
  uint32_t index = 0;
  // x86-64 only, for the guard epoch: the 1- or 4-byte immediate that ends a compare (the word
  // must fit it, signed); 0: the full word.
  uint8_t short_width = 0;
};

// Whether `word` fits the immediate a patch rewrites (short ones are signed).
inline bool FitsPatch(const ImmediatePatch& patch, uint64_t word) {
  switch (patch.short_width) {
    case 1:
      return word <= 127;
    case 4:
      return word <= 0x7fffffff;
    default:
      return true;
  }
}

// One function's words of this process, each once: in table mode (BackendOptions::
// words_in_table) where the code loads them from (fixups: indices into `words`), otherwise
// where its immediates are (patches).
class DataTable {
 public:
  explicit DataTable(bool in_table) : in_table_(in_table) {
    // Room for most functions' words: growing the vectors cost more than this.
    words_.reserve(16);
    if (in_table) {
      fixups_.reserve(32);
    } else {
      patches_.reserve(32);
    }
  }
  bool in_table() const { return in_table_; }
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
  void AddPatch(const ImmediatePatch& patch) { patches_.push_back(patch); }
  // An immediate that cannot be rewritten in place: the code is not shared.
  void MarkUnpatchable() { patchable_ = false; }

  std::vector<uint64_t>& words() { return words_; }
  std::vector<objfile::Fixup>& fixups() { return fixups_; }
  std::vector<ImmediatePatch>& patches() { return patches_; }
  bool patchable() const { return patchable_; }

 private:
  static constexpr size_t kLinearSearchLimit = 32;
  bool in_table_;
  bool patchable_ = true;
  std::vector<uint64_t> words_;
  std::vector<objfile::Fixup> fixups_;
  std::vector<ImmediatePatch> patches_;
  absl::flat_hash_map<uint64_t, uint32_t> index_;
};

// Whether an Oop's word means something only in this process (a heap object's address). Fixnums,
// nil and the error word are the same everywhere.
inline bool IsProcessWord(Oop o) { return IsObject(o); }

}  // namespace maru::jit

#endif  // MARU_JIT_BACKEND_DATA_TABLE_H_
