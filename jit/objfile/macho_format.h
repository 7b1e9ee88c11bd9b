// Mach-O (64-bit, little-endian) and code-signing constants and record layouts: the subset the
// dylib writer (macho_writer.h) and the ad-hoc signer (code_signature.h) use. Written from the
// published formats (Apple's <mach-o/loader.h>, <mach-o/nlist.h> and XNU's
// osfmk/kern/cs_blobs.h, as summarised in the team's platform notes §3.2); no system Mach-O
// header exists on Linux, so nothing here comes from one.
//
// Load-command records are plain structs of fixed-width fields in file order, without padding
// (checked below), copied into the image with memcpy: correct on the little-endian hosts the
// project runs on (x86-64, AArch64), which match both Mach-O targets. Code-signature blobs are
// big-endian whatever the target: code_signature.cc writes them byte by byte.
#ifndef MARU_JIT_OBJFILE_MACHO_FORMAT_H_
#define MARU_JIT_OBJFILE_MACHO_FORMAT_H_

#include <cstdint>

namespace maru::jit::objfile::macho {

// mach_header_64.
inline constexpr uint32_t kMagic64 = 0xfeedfacf;
inline constexpr uint32_t kCpuArch64 = 0x01000000;  // CPU_ARCH_ABI64
inline constexpr uint32_t kCpuTypeX86_64 = 7 | kCpuArch64;
inline constexpr uint32_t kCpuTypeArm64 = 12 | kCpuArch64;
inline constexpr uint32_t kCpuSubtypeX86_64All = 3;
inline constexpr uint32_t kCpuSubtypeArm64All = 0;
inline constexpr uint32_t kFileTypeDylib = 6;  // MH_DYLIB
// Header flags.
inline constexpr uint32_t kFlagNoUndefs = 0x1;                 // MH_NOUNDEFS
inline constexpr uint32_t kFlagDyldLink = 0x4;                 // MH_DYLDLINK
inline constexpr uint32_t kFlagTwoLevel = 0x80;                // MH_TWOLEVEL
inline constexpr uint32_t kFlagNoReexportedDylibs = 0x100000;  // MH_NO_REEXPORTED_DYLIBS

struct Header64 {
  uint32_t magic;
  uint32_t cputype;
  uint32_t cpusubtype;
  uint32_t filetype;
  uint32_t ncmds;
  uint32_t sizeofcmds;
  uint32_t flags;
  uint32_t reserved;
};

// Load command numbers.
inline constexpr uint32_t kLcReqDyld = 0x80000000;  // dyld must understand the command
inline constexpr uint32_t kLcSymtab = 0x2;
inline constexpr uint32_t kLcDysymtab = 0xb;
inline constexpr uint32_t kLcLoadDylib = 0xc;
inline constexpr uint32_t kLcIdDylib = 0xd;
inline constexpr uint32_t kLcSegment64 = 0x19;
inline constexpr uint32_t kLcUuid = 0x1b;
inline constexpr uint32_t kLcCodeSignature = 0x1d;
inline constexpr uint32_t kLcDyldInfoOnly = 0x22 | kLcReqDyld;
inline constexpr uint32_t kLcBuildVersion = 0x32;
// Every load command's size is a multiple of 8 in 64-bit files.
inline constexpr uint32_t kLoadCommandAlign = 8;

// Virtual-memory protections (vm_prot_t).
inline constexpr uint32_t kProtRead = 1;
inline constexpr uint32_t kProtWrite = 2;
inline constexpr uint32_t kProtExecute = 4;

struct SegmentCommand64 {
  uint32_t cmd;
  uint32_t cmdsize;  // includes the Section64 records that follow
  char segname[16];
  uint64_t vmaddr;
  uint64_t vmsize;
  uint64_t fileoff;
  uint64_t filesize;
  uint32_t maxprot;
  uint32_t initprot;
  uint32_t nsects;
  uint32_t flags;
};

// Section types and attributes (section_64.flags).
inline constexpr uint32_t kSectionRegular = 0x0;
inline constexpr uint32_t kSectionAttrPureInstructions = 0x80000000;
inline constexpr uint32_t kSectionAttrSomeInstructions = 0x00000400;

struct Section64 {
  char sectname[16];
  char segname[16];
  uint64_t addr;
  uint64_t size;
  uint32_t offset;
  uint32_t align;  // log2
  uint32_t reloff;
  uint32_t nreloc;
  uint32_t flags;
  uint32_t reserved1;
  uint32_t reserved2;
  uint32_t reserved3;
};

// dylib_command: the name (lc_str) follows the record, NUL-terminated, padded to 8.
struct DylibCommand {
  uint32_t cmd;
  uint32_t cmdsize;
  uint32_t name_offset;  // from the start of the command
  uint32_t timestamp;
  uint32_t current_version;        // X.Y.Z as xxxx.yy.zz nibbles
  uint32_t compatibility_version;  // same encoding
};

struct SymtabCommand {
  uint32_t cmd;
  uint32_t cmdsize;
  uint32_t symoff;
  uint32_t nsyms;
  uint32_t stroff;
  uint32_t strsize;
};

struct DysymtabCommand {
  uint32_t cmd;
  uint32_t cmdsize;
  uint32_t ilocalsym;
  uint32_t nlocalsym;
  uint32_t iextdefsym;
  uint32_t nextdefsym;
  uint32_t iundefsym;
  uint32_t nundefsym;
  uint32_t tocoff;
  uint32_t ntoc;
  uint32_t modtaboff;
  uint32_t nmodtab;
  uint32_t extrefsymoff;
  uint32_t nextrefsyms;
  uint32_t indirectsymoff;
  uint32_t nindirectsyms;
  uint32_t extreloff;
  uint32_t nextrel;
  uint32_t locreloff;
  uint32_t nlocrel;
};

// dyld_info_command (LC_DYLD_INFO_ONLY): file ranges of the compressed dyld information; the
// writer fills only the export trie (no rebases, no binds: nothing to fix up at load time).
struct DyldInfoCommand {
  uint32_t cmd;
  uint32_t cmdsize;
  uint32_t rebase_off;
  uint32_t rebase_size;
  uint32_t bind_off;
  uint32_t bind_size;
  uint32_t weak_bind_off;
  uint32_t weak_bind_size;
  uint32_t lazy_bind_off;
  uint32_t lazy_bind_size;
  uint32_t export_off;
  uint32_t export_size;
};

struct UuidCommand {
  uint32_t cmd;
  uint32_t cmdsize;
  uint8_t uuid[16];
};

// build_version_command; `ntools` build_tool_version records follow (the writer emits none).
inline constexpr uint32_t kPlatformMacOs = 1;
struct BuildVersionCommand {
  uint32_t cmd;
  uint32_t cmdsize;
  uint32_t platform;
  uint32_t minos;  // X.Y.Z as xxxx.yy.zz nibbles
  uint32_t sdk;
  uint32_t ntools;
};

// linkedit_data_command (LC_CODE_SIGNATURE).
struct LinkeditDataCommand {
  uint32_t cmd;
  uint32_t cmdsize;
  uint32_t dataoff;
  uint32_t datasize;
};

// nlist_64 and its n_type bits.
inline constexpr uint8_t kNlistExternal = 0x01;  // N_EXT
inline constexpr uint8_t kNlistSection = 0x0e;   // N_SECT: defined in section n_sect (1-based)
struct Nlist64 {
  uint32_t n_strx;
  uint8_t n_type;
  uint8_t n_sect;
  uint16_t n_desc;
  uint64_t n_value;
};

// Export trie terminal flags (EXPORT_SYMBOL_FLAGS_KIND_REGULAR: an address relative to the
// Mach-O header).
inline constexpr uint64_t kExportKindRegular = 0;

// X.Y.Z in the xxxx.yy.zz nibble encoding of versions in load commands.
constexpr uint32_t PackVersion(uint32_t major, uint32_t minor, uint32_t patch) {
  return (major << 16) | ((minor & 0xff) << 8) | (patch & 0xff);
}

static_assert(sizeof(Header64) == 32);
static_assert(sizeof(SegmentCommand64) == 72);
static_assert(sizeof(Section64) == 80);
static_assert(sizeof(DylibCommand) == 24);
static_assert(sizeof(SymtabCommand) == 24);
static_assert(sizeof(DysymtabCommand) == 80);
static_assert(sizeof(DyldInfoCommand) == 48);
static_assert(sizeof(UuidCommand) == 24);
static_assert(sizeof(BuildVersionCommand) == 24);
static_assert(sizeof(LinkeditDataCommand) == 16);
static_assert(sizeof(Nlist64) == 16);

// --- Code signing (XNU osfmk/kern/cs_blobs.h). All fields big-endian. ------------------------

inline constexpr uint32_t kCsMagicEmbeddedSignature = 0xfade0cc0;  // SuperBlob
inline constexpr uint32_t kCsMagicCodeDirectory = 0xfade0c02;
inline constexpr uint32_t kCsSlotCodeDirectory = 0;
// CodeDirectory version with the executable-segment fields (CS_SUPPORTSEXECSEG).
inline constexpr uint32_t kCsVersionSupportsExecSeg = 0x20400;
inline constexpr uint32_t kCsFlagAdhoc = 0x2;             // CS_ADHOC
inline constexpr uint32_t kCsFlagLinkerSigned = 0x20000;  // CS_LINKER_SIGNED
inline constexpr uint8_t kCsHashTypeSha256 = 2;           // CS_HASHTYPE_SHA256
inline constexpr uint8_t kCsHashSizeSha256 = 32;
inline constexpr uint8_t kCsPageSizeLog2 = 12;  // 4 KiB pages, also on 16 KiB-page hardware
inline constexpr uint32_t kCsPageSize = 1u << kCsPageSizeLog2;
inline constexpr uint64_t kCsExecSegMainBinary = 0x1;  // not for dylibs

// Sizes of the big-endian blob headers as laid out on disk.
inline constexpr uint32_t kCsSuperBlobHeaderSize = 12;  // magic, length, count
inline constexpr uint32_t kCsBlobIndexSize = 8;         // type, offset
// CodeDirectory up to and including execSegFlags (version 0x20400):
//   0 magic, 4 length, 8 version, 12 flags, 16 hashOffset, 20 identOffset, 24 nSpecialSlots,
//   28 nCodeSlots, 32 codeLimit, 36 hashSize, 37 hashType, 38 platform, 39 pageSize,
//   40 spare2, 44 scatterOffset, 48 teamOffset, 52 spare3, 56 codeLimit64,
//   64 execSegBase, 72 execSegLimit, 80 execSegFlags.
inline constexpr uint32_t kCsCodeDirectoryHeaderSize = 88;
// The signature's offset in the file (LC_CODE_SIGNATURE dataoff) is 16-aligned.
inline constexpr uint32_t kCsSignatureAlign = 16;

}  // namespace maru::jit::objfile::macho

#endif  // MARU_JIT_OBJFILE_MACHO_FORMAT_H_
