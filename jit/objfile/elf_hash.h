// The two ELF symbol hash tables a dynamic loader uses to find exported symbols: the System V
// DT_HASH table (gABI) and the GNU DT_GNU_HASH table (bloom filter + buckets + hash chains).
// glibc consults DT_GNU_HASH when present, otherwise DT_HASH; without either, dlopen succeeds
// but dlsym finds nothing.
#ifndef MARU_JIT_OBJFILE_ELF_HASH_H_
#define MARU_JIT_OBJFILE_ELF_HASH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace maru::jit::objfile {

// The gABI ELF hash function.
uint32_t SysvHash(std::string_view name);
// The GNU hash function (h = h * 33 + c, from 5381).
uint32_t GnuHash(std::string_view name);

// DT_HASH words for a symbol table whose entry i has name names[i] (entry 0, the null symbol,
// is not hashed): nbucket, nchain = names.size(), bucket[nbucket], chain[nchain].
std::vector<uint32_t> BuildSysvHashTable(const std::vector<std::string_view>& names);

// Number of DT_GNU_HASH buckets the writer uses for `exported` symbols (>= 1).
uint32_t GnuHashBucketCount(size_t exported);

// DT_GNU_HASH bytes (64-bit bloom words) for a symbol table whose entries from `symoffset` on
// are exported, named names[i], and already sorted by GnuHash(name) % nbuckets (the format
// requires each bucket's symbols to be contiguous). 1 <= symoffset <= names.size().
std::string BuildGnuHashTable(const std::vector<std::string_view>& names, uint32_t symoffset,
                              uint32_t nbuckets);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_ELF_HASH_H_
