// ELF64 little-endian constants and record layouts: the subset the shared-object writer and
// validator use. Defined here (not taken from <elf.h>) so the writer builds on hosts without a
// system ELF header; values follow the System V gABI and the x86-64 / AArch64 psABIs.
//
// Records are plain structs of fixed-width fields in on-disk order; they have no padding on
// ELF64 hosts (checked below) and are copied to and from the image with memcpy, which is
// correct on little-endian hosts only (x86-64 and AArch64 Linux, the only targets).
#ifndef MARU_JIT_OBJFILE_ELF_FORMAT_H_
#define MARU_JIT_OBJFILE_ELF_FORMAT_H_

#include <cstdint>

namespace maru::jit::objfile::elf {

// e_ident.
inline constexpr int kIdentSize = 16;
inline constexpr uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr int kIdentClass = 4;
inline constexpr int kIdentData = 5;
inline constexpr int kIdentVersion = 6;
inline constexpr int kIdentOsAbi = 7;
inline constexpr int kIdentAbiVersion = 8;
inline constexpr uint8_t kClass64 = 2;
inline constexpr uint8_t kData2Lsb = 1;
inline constexpr uint8_t kOsAbiSysV = 0;
inline constexpr uint8_t kOsAbiGnu = 3;
inline constexpr uint32_t kVersionCurrent = 1;

// e_type, e_machine.
inline constexpr uint16_t kTypeDyn = 3;
inline constexpr uint16_t kMachineX86_64 = 62;
inline constexpr uint16_t kMachineAArch64 = 183;

// p_type, p_flags.
inline constexpr uint32_t kPtNull = 0;
inline constexpr uint32_t kPtLoad = 1;
inline constexpr uint32_t kPtDynamic = 2;
inline constexpr uint32_t kPtGnuStack = 0x6474e551;
inline constexpr uint32_t kPfX = 1;
inline constexpr uint32_t kPfW = 2;
inline constexpr uint32_t kPfR = 4;

// sh_type, sh_flags.
inline constexpr uint32_t kShtNull = 0;
inline constexpr uint32_t kShtProgbits = 1;
inline constexpr uint32_t kShtStrtab = 3;
inline constexpr uint32_t kShtHash = 5;
inline constexpr uint32_t kShtDynamic = 6;
inline constexpr uint32_t kShtDynsym = 11;
inline constexpr uint32_t kShtGnuHash = 0x6ffffff6;
inline constexpr uint64_t kShfWrite = 1;
inline constexpr uint64_t kShfAlloc = 2;
inline constexpr uint64_t kShfExecInstr = 4;
inline constexpr uint16_t kShnUndef = 0;
inline constexpr uint16_t kShnLoReserve = 0xff00;

// d_tag.
inline constexpr int64_t kDtNull = 0;
inline constexpr int64_t kDtNeeded = 1;
inline constexpr int64_t kDtHash = 4;
inline constexpr int64_t kDtStrtab = 5;
inline constexpr int64_t kDtSymtab = 6;
inline constexpr int64_t kDtRela = 7;
inline constexpr int64_t kDtStrsz = 10;
inline constexpr int64_t kDtSyment = 11;
inline constexpr int64_t kDtSoname = 14;
inline constexpr int64_t kDtRel = 17;
inline constexpr int64_t kDtTextrel = 22;
inline constexpr int64_t kDtJmprel = 23;
inline constexpr int64_t kDtFlags = 30;
inline constexpr int64_t kDtGnuHash = 0x6ffffef5;
inline constexpr uint64_t kDfTextrel = 0x4;

// st_info.
inline constexpr uint8_t kStbLocal = 0;
inline constexpr uint8_t kStbGlobal = 1;
inline constexpr uint8_t kStbWeak = 2;
inline constexpr uint8_t kSttNotype = 0;
inline constexpr uint8_t kSttObject = 1;
inline constexpr uint8_t kSttFunc = 2;
inline constexpr uint8_t kStvDefault = 0;
constexpr uint8_t SymbolInfo(uint8_t binding, uint8_t type) {
  return static_cast<uint8_t>((binding << 4) | (type & 0xf));
}

struct FileHeader {  // Elf64_Ehdr
  uint8_t ident[kIdentSize];
  uint16_t type;
  uint16_t machine;
  uint32_t version;
  uint64_t entry;
  uint64_t phoff;
  uint64_t shoff;
  uint32_t flags;
  uint16_t ehsize;
  uint16_t phentsize;
  uint16_t phnum;
  uint16_t shentsize;
  uint16_t shnum;
  uint16_t shstrndx;
};

struct ProgramHeader {  // Elf64_Phdr
  uint32_t type;
  uint32_t flags;
  uint64_t offset;
  uint64_t vaddr;
  uint64_t paddr;
  uint64_t filesz;
  uint64_t memsz;
  uint64_t align;
};

struct SectionHeader {  // Elf64_Shdr
  uint32_t name;
  uint32_t type;
  uint64_t flags;
  uint64_t addr;
  uint64_t offset;
  uint64_t size;
  uint32_t link;
  uint32_t info;
  uint64_t addralign;
  uint64_t entsize;
};

struct Symbol {  // Elf64_Sym
  uint32_t name;
  uint8_t info;
  uint8_t other;
  uint16_t shndx;
  uint64_t value;
  uint64_t size;
};

struct Dynamic {  // Elf64_Dyn
  int64_t tag;
  uint64_t value;
};

static_assert(sizeof(FileHeader) == 64);
static_assert(sizeof(ProgramHeader) == 56);
static_assert(sizeof(SectionHeader) == 64);
static_assert(sizeof(Symbol) == 24);
static_assert(sizeof(Dynamic) == 16);

}  // namespace maru::jit::objfile::elf

#endif  // MARU_JIT_OBJFILE_ELF_FORMAT_H_
