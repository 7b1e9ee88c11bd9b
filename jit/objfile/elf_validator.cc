#include "jit/objfile/elf_validator.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jit/objfile/elf_format.h"

namespace maru::jit::objfile {
namespace {

constexpr int kMaxProgramHeaders = 64;
constexpr uint64_t kMinSegmentAlign = 4096;
constexpr uint64_t kMaxSpan = uint64_t{1} << 32;

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed shared object: ", what));
}

// offset + size <= limit, without overflow.
bool Within(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

class Checker {
 public:
  explicit Checker(std::string_view image) : image_(image) {}

  absl::Status Run(Arch arch) {
    if (absl::Status s = CheckHeader(arch); !s.ok()) return s;
    if (absl::Status s = CheckProgramHeaders(); !s.ok()) return s;
    if (absl::Status s = CheckDynamic(); !s.ok()) return s;
    return CheckSymbols();
  }

 private:
  template <typename T>
  T Read(uint64_t offset) const {  // caller checked bounds
    T v;
    std::memcpy(&v, image_.data() + offset, sizeof(T));
    return v;
  }

  // File offset of [vaddr, vaddr + size) if it lies in the file bytes of one PT_LOAD.
  std::optional<uint64_t> FileOffset(uint64_t vaddr, uint64_t size) const {
    for (const elf::ProgramHeader& p : loads_) {
      if (vaddr >= p.vaddr && Within(vaddr - p.vaddr, size, p.filesz)) {
        return p.offset + (vaddr - p.vaddr);
      }
    }
    return std::nullopt;
  }

  absl::Status CheckHeader(Arch arch) {
    if (image_.size() < sizeof(elf::FileHeader)) {
      return Bad(absl::StrCat("file too short (", image_.size(), " bytes)"));
    }
    header_ = Read<elf::FileHeader>(0);
    const uint8_t* id = header_.ident;
    if (std::memcmp(id, elf::kMagic, 4) != 0) return Bad("bad ELF magic");
    if (id[elf::kIdentClass] != elf::kClass64) return Bad("not ELFCLASS64");
    if (id[elf::kIdentData] != elf::kData2Lsb) return Bad("not little-endian");
    if (id[elf::kIdentVersion] != elf::kVersionCurrent || header_.version != elf::kVersionCurrent) {
      return Bad("bad ELF version");
    }
    if (id[elf::kIdentOsAbi] != elf::kOsAbiSysV && id[elf::kIdentOsAbi] != elf::kOsAbiGnu) {
      return Bad("unsupported OS ABI");
    }
    if (header_.type != elf::kTypeDyn) return Bad("not ET_DYN");
    const uint16_t machine = arch == Arch::kX86_64 ? elf::kMachineX86_64 : elf::kMachineAArch64;
    if (header_.machine != machine) {
      return Bad(absl::StrCat("e_machine ", header_.machine, ", expected ", machine, " (",
                              std::string(ArchName(arch)), ")"));
    }
    if (header_.ehsize != sizeof(elf::FileHeader)) return Bad("bad e_ehsize");
    if (header_.phentsize != sizeof(elf::ProgramHeader)) return Bad("bad e_phentsize");
    if (header_.phnum == 0 || header_.phnum > kMaxProgramHeaders) return Bad("bad e_phnum");
    if (!Within(header_.phoff, uint64_t{header_.phnum} * sizeof(elf::ProgramHeader),
                image_.size())) {
      return Bad("program headers outside the file");
    }
    return absl::OkStatus();
  }

  absl::Status CheckProgramHeaders() {
    int dynamic_count = 0;
    bool gnu_stack = false;
    for (int i = 0; i < header_.phnum; ++i) {
      const auto p = Read<elf::ProgramHeader>(header_.phoff + i * sizeof(elf::ProgramHeader));
      const bool w = (p.flags & elf::kPfW) != 0;
      const bool x = (p.flags & elf::kPfX) != 0;
      switch (p.type) {
        case elf::kPtLoad: {
          const std::string which = absl::StrCat("PT_LOAD #", loads_.size());
          if (w && x) return Bad(which + " is writable and executable");
          // glibc reads headers, dynamic array and symbol tables through these mappings.
          if ((p.flags & elf::kPfR) == 0 || (p.flags & ~(elf::kPfR | elf::kPfW | elf::kPfX)) != 0) {
            return Bad(which + ": flags other than R, RW or RX");
          }
          if (p.filesz > p.memsz) return Bad(which + ": p_filesz > p_memsz");
          // glibc zero-fills p_memsz beyond p_filesz by making the page writable first, which
          // for an executable segment means a W+X page.
          if (!w && p.memsz != p.filesz)
            return Bad(which + ": zero-filled tail on a read-only segment");
          if (!Within(p.offset, p.filesz, image_.size())) return Bad(which + " beyond end of file");
          if (p.align < kMinSegmentAlign || (p.align & (p.align - 1)) != 0) {
            return Bad(which + ": p_align not a power of two >= 4096");
          }
          if ((p.offset - p.vaddr) % p.align != 0)
            return Bad(which + ": p_offset != p_vaddr mod p_align");
          if (!Within(p.vaddr, p.memsz, kMaxSpan)) return Bad(which + ": address range too large");
          if (!loads_.empty() && p.vaddr < loads_.back().vaddr + loads_.back().memsz) {
            return Bad(which + " overlaps or precedes the previous PT_LOAD");
          }
          loads_.push_back(p);
          break;
        }
        case elf::kPtDynamic:
          ++dynamic_count;
          dynamic_ = p;
          break;
        case elf::kPtGnuStack:
          if (x) return Bad("PT_GNU_STACK asks for an executable stack");
          gnu_stack = true;
          break;
        case elf::kPtNull:
          break;
        default:
          // PT_INTERP, PT_TLS, PT_GNU_RELRO, PT_GNU_PROPERTY, ...: things the loader would act on
          // that our modules never need.
          return Bad(absl::StrCat("unsupported program header type 0x", absl::Hex(p.type)));
      }
    }
    if (loads_.empty()) return Bad("no PT_LOAD");
    if (dynamic_count != 1) return Bad("not exactly one PT_DYNAMIC");
    if (!gnu_stack) return Bad("no PT_GNU_STACK (would mean an executable stack)");
    return absl::OkStatus();
  }

  absl::Status CheckDynamic() {
    const elf::ProgramHeader& d = dynamic_;
    if (d.filesz == 0 || d.filesz % sizeof(elf::Dynamic) != 0) return Bad("bad PT_DYNAMIC size");
    bool in_writable = false;
    for (const elf::ProgramHeader& p : loads_) {
      if ((p.flags & elf::kPfW) != 0 && d.vaddr >= p.vaddr &&
          Within(d.vaddr - p.vaddr, d.filesz, p.filesz) &&
          d.offset - p.offset == d.vaddr - p.vaddr) {
        in_writable = true;
      }
    }
    if (!in_writable) return Bad("PT_DYNAMIC not inside the file bytes of a writable PT_LOAD");
    bool terminated = false;
    for (uint64_t at = d.offset; at < d.offset + d.filesz; at += sizeof(elf::Dynamic)) {
      const auto e = Read<elf::Dynamic>(at);
      switch (e.tag) {
        case elf::kDtNull:
          terminated = true;
          break;
        case elf::kDtHash:
          hash_ = e.value;
          break;
        case elf::kDtGnuHash:
          gnu_hash_ = e.value;
          break;
        case elf::kDtStrtab:
          strtab_ = e.value;
          break;
        case elf::kDtSymtab:
          symtab_ = e.value;
          break;
        case elf::kDtStrsz:
          strsz_ = e.value;
          break;
        case elf::kDtSyment:
          if (e.value != sizeof(elf::Symbol)) return Bad("DT_SYMENT != 24");
          break;
        case elf::kDtSoname:
          soname_ = e.value;
          break;
        default:
          return Bad(absl::StrCat("unsupported dynamic tag 0x", absl::Hex(e.tag),
                                  " (dependencies, relocations and initialisers are refused)"));
      }
      if (terminated) break;
    }
    if (!terminated) return Bad("dynamic array without DT_NULL");
    if (!hash_ || !strtab_ || !symtab_ || !strsz_) {
      return Bad("DT_HASH, DT_STRTAB, DT_SYMTAB and DT_STRSZ are required");
    }
    return absl::OkStatus();
  }

  absl::Status CheckSymbols() {
    const std::optional<uint64_t> strtab = FileOffset(*strtab_, *strsz_);
    if (!strtab || *strsz_ == 0) return Bad("string table outside the loaded file bytes");
    if (image_[*strtab + *strsz_ - 1] != '\0') return Bad("string table not NUL-terminated");
    if (soname_ && *soname_ >= *strsz_) return Bad("DT_SONAME outside the string table");

    // DT_HASH: nbucket, nchain, bucket[nbucket], chain[nchain]; nchain = number of symbols.
    std::optional<uint64_t> hash = FileOffset(*hash_, 8);
    if (!hash) return Bad("DT_HASH outside the loaded file bytes");
    const auto nbucket = Read<uint32_t>(*hash);
    const auto nchain = Read<uint32_t>(*hash + 4);
    if (nbucket == 0 || nchain == 0) return Bad("empty DT_HASH");
    hash = FileOffset(*hash_, 8 + 4 * (uint64_t{nbucket} + nchain));
    if (!hash) return Bad("DT_HASH table outside the loaded file bytes");
    for (uint64_t i = 0; i < uint64_t{nbucket} + nchain; ++i) {
      if (Read<uint32_t>(*hash + 8 + 4 * i) >= nchain) return Bad("DT_HASH index out of range");
    }

    const std::optional<uint64_t> symtab =
        FileOffset(*symtab_, uint64_t{nchain} * sizeof(elf::Symbol));
    if (!symtab) return Bad("symbol table outside the loaded file bytes");
    for (uint32_t i = 1; i < nchain; ++i) {
      const auto s = Read<elf::Symbol>(*symtab + i * sizeof(elf::Symbol));
      if (s.name >= *strsz_) {
        return Bad(absl::StrCat("symbol ", i, ": name outside the string table"));
      }
      // dlsym calls an STT_GNU_IFUNC's resolver and sets up TLS for STT_TLS; STB_GNU_UNIQUE
      // makes the object impossible to unload.
      const int type = s.info & 0xf;
      const int binding = s.info >> 4;
      if (type != elf::kSttNotype && type != elf::kSttObject && type != elf::kSttFunc) {
        return Bad(absl::StrCat("symbol ", i, ": type ", type, " (only NOTYPE, OBJECT, FUNC)"));
      }
      if (binding != elf::kStbLocal && binding != elf::kStbGlobal && binding != elf::kStbWeak) {
        return Bad(
            absl::StrCat("symbol ", i, ": binding ", binding, " (only LOCAL, GLOBAL, WEAK)"));
      }
      if (s.shndx != elf::kShnUndef && s.shndx < elf::kShnLoReserve) {
        bool inside = false;
        for (const elf::ProgramHeader& p : loads_) {
          inside |= s.value >= p.vaddr && Within(s.value - p.vaddr, s.size, p.memsz);
        }
        if (!inside) return Bad(absl::StrCat("symbol ", i, " not inside a PT_LOAD"));
      }
    }

    if (gnu_hash_) {
      // nbuckets, symoffset, bloom_size, bloom_shift, bloom[bloom_size] (64-bit),
      // buckets[nbuckets], chain[nchain - symoffset].
      std::optional<uint64_t> g = FileOffset(*gnu_hash_, 16);
      if (!g) return Bad("DT_GNU_HASH outside the loaded file bytes");
      const auto nbuckets = Read<uint32_t>(*g);
      const auto symoffset = Read<uint32_t>(*g + 4);
      const auto bloom_size = Read<uint32_t>(*g + 8);
      if (nbuckets == 0 || bloom_size == 0 || (bloom_size & (bloom_size - 1)) != 0 ||
          symoffset == 0 || symoffset > nchain) {
        return Bad("bad DT_GNU_HASH header");
      }
      const uint64_t chains = nchain - symoffset;
      const uint64_t size = 16 + 8 * uint64_t{bloom_size} + 4 * (uint64_t{nbuckets} + chains);
      g = FileOffset(*gnu_hash_, size);
      if (!g) return Bad("DT_GNU_HASH table outside the loaded file bytes");
      const uint64_t buckets = *g + 16 + 8 * uint64_t{bloom_size};
      const uint64_t chain = buckets + 4 * uint64_t{nbuckets};
      for (uint32_t b = 0; b < nbuckets; ++b) {
        const auto first = Read<uint32_t>(buckets + 4 * b);
        if (first != 0 && (first < symoffset || first >= nchain)) {
          return Bad("DT_GNU_HASH bucket out of range");
        }
      }
      // Every chain walk stops at a word with the low bit set: the last word must have it.
      if (chains > 0 && (Read<uint32_t>(chain + 4 * (chains - 1)) & 1) == 0) {
        return Bad("DT_GNU_HASH chain not terminated");
      }
    }
    return absl::OkStatus();
  }

  std::string_view image_;
  elf::FileHeader header_{};
  std::vector<elf::ProgramHeader> loads_;
  elf::ProgramHeader dynamic_{};
  std::optional<uint64_t> hash_, gnu_hash_, strtab_, symtab_, strsz_, soname_;
};

}  // namespace

absl::Status ValidateSharedObject(std::string_view image, Arch arch) {
  return Checker(image).Run(arch);
}

}  // namespace maru::jit::objfile
