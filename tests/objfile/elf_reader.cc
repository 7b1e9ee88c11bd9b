#include "tests/objfile/elf_reader.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace maru::objfile_test {
namespace {

bool InFile(std::string_view image, uint64_t offset, uint64_t size) {
  return offset <= image.size() && size <= image.size() - offset;
}

template <typename T>
T Load(std::string_view image, uint64_t offset) {
  T v;
  std::memcpy(&v, image.data() + offset, sizeof(T));
  return v;
}

}  // namespace

uint32_t ReferenceSysvHash(std::string_view name) {
  uint32_t h = 0;
  for (unsigned char c : name) {
    h = (h << 4) + c;
    if (uint32_t g = h & 0xf0000000u) h ^= g >> 24;
    h &= 0x0fffffffu;
  }
  return h;
}

uint32_t ReferenceGnuHash(std::string_view name) {
  uint32_t h = 5381;
  for (unsigned char c : name) h = (h << 5) + h + c;
  return h;
}

std::vector<Elf64_Phdr> ReadElf::Segments(uint32_t type) const {
  std::vector<Elf64_Phdr> out;
  for (const Elf64_Phdr& p : phdrs) {
    if (p.p_type == type) out.push_back(p);
  }
  return out;
}

std::optional<uint64_t> ReadElf::DynamicValue(int64_t tag) const {
  for (const Elf64_Dyn& d : dynamic) {
    if (d.d_tag == tag) return d.d_un.d_val;
  }
  return std::nullopt;
}

std::optional<uint64_t> ReadElf::FileOffset(uint64_t vaddr, uint64_t size) const {
  for (const Elf64_Phdr& p : phdrs) {
    if (p.p_type == PT_LOAD && vaddr >= p.p_vaddr && vaddr - p.p_vaddr <= p.p_filesz &&
        size <= p.p_filesz - (vaddr - p.p_vaddr)) {
      return p.p_offset + (vaddr - p.p_vaddr);
    }
  }
  return std::nullopt;
}

std::string_view ReadElf::BytesAt(uint64_t vaddr, uint64_t size) const {
  std::optional<uint64_t> off = FileOffset(vaddr, size);
  if (!off) return {};
  return image.substr(*off, size);
}

int ReadElf::SectionIndex(std::string_view name) const {
  for (size_t i = 0; i < section_names.size(); ++i) {
    if (section_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::optional<uint32_t> ReadElf::LookupSysv(std::string_view name) const {
  std::optional<uint64_t> hash = DynamicValue(DT_HASH);
  if (!hash) return std::nullopt;
  std::optional<uint64_t> off = FileOffset(*hash, 8);
  const auto nbucket = Load<uint32_t>(image, *off);
  const auto nchain = Load<uint32_t>(image, *off + 4);
  const uint64_t buckets = *off + 8;
  const uint64_t chains = buckets + 4 * uint64_t{nbucket};
  uint32_t steps = 0;
  for (uint32_t i = Load<uint32_t>(image, buckets + 4 * (ReferenceSysvHash(name) % nbucket));
       i != STN_UNDEF; i = Load<uint32_t>(image, chains + 4 * uint64_t{i})) {
    if (i >= nchain || ++steps > nchain) return std::nullopt;  // malformed
    if (dynsym[i].name == name) return i;
  }
  return std::nullopt;
}

bool ReadElf::GnuBloomMayContain(std::string_view name) const {
  std::optional<uint64_t> gh = DynamicValue(DT_GNU_HASH);
  if (!gh) return true;
  const uint64_t off = *FileOffset(*gh, 16);
  const auto bloom_size = Load<uint32_t>(image, off + 8);
  const auto shift = Load<uint32_t>(image, off + 12);
  const uint32_t h = ReferenceGnuHash(name);
  const auto word = Load<uint64_t>(image, off + 16 + 8 * ((h / 64) & (bloom_size - 1)));
  return ((word >> (h % 64)) & (word >> ((h >> shift) % 64)) & 1) != 0;
}

std::optional<uint32_t> ReadElf::LookupGnu(std::string_view name) const {
  std::optional<uint64_t> gh = DynamicValue(DT_GNU_HASH);
  if (!gh) return std::nullopt;
  const uint64_t off = *FileOffset(*gh, 16);
  const auto nbuckets = Load<uint32_t>(image, off);
  const auto symoffset = Load<uint32_t>(image, off + 4);
  const auto bloom_size = Load<uint32_t>(image, off + 8);
  if (!GnuBloomMayContain(name)) return std::nullopt;
  const uint64_t buckets = off + 16 + 8 * uint64_t{bloom_size};
  const uint64_t chain = buckets + 4 * uint64_t{nbuckets};
  const uint32_t h = ReferenceGnuHash(name);
  uint32_t i = Load<uint32_t>(image, buckets + 4 * (h % nbuckets));
  if (i == 0) return std::nullopt;
  for (;; ++i) {
    if (i >= dynsym.size()) return std::nullopt;  // malformed
    const auto word = Load<uint32_t>(image, chain + 4 * uint64_t{i - symoffset});
    if ((word | 1) == (h | 1) && dynsym[i].name == name) return i;
    if (word & 1) return std::nullopt;
  }
}

absl::StatusOr<ReadElf> ReadElfImage(std::string_view image) {
  ReadElf elf;
  elf.image = image;
  if (!InFile(image, 0, sizeof(Elf64_Ehdr))) return absl::InvalidArgumentError("short header");
  elf.ehdr = Load<Elf64_Ehdr>(image, 0);
  if (std::memcmp(elf.ehdr.e_ident, ELFMAG, SELFMAG) != 0) {
    return absl::InvalidArgumentError("bad magic");
  }
  if (elf.ehdr.e_phentsize != sizeof(Elf64_Phdr) ||
      !InFile(image, elf.ehdr.e_phoff, uint64_t{elf.ehdr.e_phnum} * sizeof(Elf64_Phdr))) {
    return absl::InvalidArgumentError("program headers");
  }
  for (int i = 0; i < elf.ehdr.e_phnum; ++i) {
    elf.phdrs.push_back(Load<Elf64_Phdr>(image, elf.ehdr.e_phoff + i * sizeof(Elf64_Phdr)));
  }
  if (elf.ehdr.e_shnum > 0) {
    if (elf.ehdr.e_shentsize != sizeof(Elf64_Shdr) ||
        !InFile(image, elf.ehdr.e_shoff, uint64_t{elf.ehdr.e_shnum} * sizeof(Elf64_Shdr)) ||
        elf.ehdr.e_shstrndx >= elf.ehdr.e_shnum) {
      return absl::InvalidArgumentError("section headers");
    }
    for (int i = 0; i < elf.ehdr.e_shnum; ++i) {
      elf.shdrs.push_back(Load<Elf64_Shdr>(image, elf.ehdr.e_shoff + i * sizeof(Elf64_Shdr)));
    }
    const Elf64_Shdr& names = elf.shdrs[elf.ehdr.e_shstrndx];
    if (!InFile(image, names.sh_offset, names.sh_size))
      return absl::InvalidArgumentError("shstrtab");
    for (const Elf64_Shdr& s : elf.shdrs) {
      if (s.sh_name >= names.sh_size) return absl::InvalidArgumentError("section name");
      elf.section_names.emplace_back(image.data() + names.sh_offset + s.sh_name);
    }
  }
  std::vector<Elf64_Phdr> dyn = elf.Segments(PT_DYNAMIC);
  if (dyn.size() != 1 || !InFile(image, dyn[0].p_offset, dyn[0].p_filesz)) {
    return absl::InvalidArgumentError("PT_DYNAMIC");
  }
  for (uint64_t at = dyn[0].p_offset; at + sizeof(Elf64_Dyn) <= dyn[0].p_offset + dyn[0].p_filesz;
       at += sizeof(Elf64_Dyn)) {
    elf.dynamic.push_back(Load<Elf64_Dyn>(image, at));
    if (elf.dynamic.back().d_tag == DT_NULL) break;
  }
  std::optional<uint64_t> hash = elf.DynamicValue(DT_HASH);
  std::optional<uint64_t> symtab = elf.DynamicValue(DT_SYMTAB);
  std::optional<uint64_t> strtab = elf.DynamicValue(DT_STRTAB);
  std::optional<uint64_t> strsz = elf.DynamicValue(DT_STRSZ);
  if (!hash || !symtab || !strtab || !strsz) return absl::InvalidArgumentError("dynamic tags");
  std::optional<uint64_t> hash_off = elf.FileOffset(*hash, 8);
  if (!hash_off) return absl::InvalidArgumentError("DT_HASH address");
  const auto nchain = Load<uint32_t>(image, *hash_off + 4);
  std::optional<uint64_t> sym_off = elf.FileOffset(*symtab, uint64_t{nchain} * sizeof(Elf64_Sym));
  std::optional<uint64_t> str_off = elf.FileOffset(*strtab, *strsz);
  if (!sym_off || !str_off) return absl::InvalidArgumentError("symbol/string table address");
  for (uint32_t i = 0; i < nchain; ++i) {
    const auto sym = Load<Elf64_Sym>(image, *sym_off + i * sizeof(Elf64_Sym));
    if (sym.st_name >= *strsz) return absl::InvalidArgumentError("symbol name");
    const char* name = image.data() + *str_off + sym.st_name;
    elf.dynsym.push_back({std::string(name, strnlen(name, *strsz - sym.st_name)), sym});
  }
  return elf;
}

}  // namespace maru::objfile_test
