// Test-only ELF64 reader, written independently of the writer (it uses the system <elf.h>
// records and constants and finds everything the way a dynamic loader does: program headers ->
// PT_DYNAMIC -> DT_* addresses -> file offsets), so tests cross-check the writer instead of
// re-running its own arithmetic.
#ifndef MARU_TESTS_OBJFILE_ELF_READER_H_
#define MARU_TESTS_OBJFILE_ELF_READER_H_

#include <elf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace maru::objfile_test {

struct ReadSymbol {
  std::string name;
  Elf64_Sym sym;
};

struct ReadElf {
  std::string_view image;
  Elf64_Ehdr ehdr;
  std::vector<Elf64_Phdr> phdrs;
  std::vector<Elf64_Shdr> shdrs;
  std::vector<std::string> section_names;
  std::vector<Elf64_Dyn> dynamic;  // up to and including DT_NULL
  std::vector<ReadSymbol> dynsym;  // [0] is the null symbol; count from DT_HASH nchain

  // Program headers of one type.
  std::vector<Elf64_Phdr> Segments(uint32_t type) const;
  // d_val/d_ptr of the first entry with `tag`.
  std::optional<uint64_t> DynamicValue(int64_t tag) const;
  // File offset of [vaddr, vaddr + size) if inside the file bytes of a PT_LOAD.
  std::optional<uint64_t> FileOffset(uint64_t vaddr, uint64_t size) const;
  // Bytes at a virtual address (empty view if not in the file).
  std::string_view BytesAt(uint64_t vaddr, uint64_t size) const;
  // Index of the section named `name`, or -1.
  int SectionIndex(std::string_view name) const;

  // Symbol-table index found through DT_HASH / DT_GNU_HASH the way ld.so walks them.
  std::optional<uint32_t> LookupSysv(std::string_view name) const;
  std::optional<uint32_t> LookupGnu(std::string_view name) const;
  // Whether the GNU bloom filter lets `name` through (false = definitely absent).
  bool GnuBloomMayContain(std::string_view name) const;
};

// Parses `image` (which must outlive the result). Errors for anything out of bounds.
absl::StatusOr<ReadElf> ReadElfImage(std::string_view image);

// Reference hash functions, as in the gABI and glibc's dl-hash.h / dl_new_hash.
uint32_t ReferenceSysvHash(std::string_view name);
uint32_t ReferenceGnuHash(std::string_view name);

}  // namespace maru::objfile_test

#endif  // MARU_TESTS_OBJFILE_ELF_READER_H_
