// Test-only Mach-O reader, written independently of the dylib writer: it shares no record
// struct or constant with jit/objfile/macho_format.h, reads every field at its documented
// offset (little-endian for the Mach-O records, big-endian for the code signature), finds
// everything the way dyld does (header -> load commands -> linkedit offsets) and decodes the
// export trie by walking it. Tests use it to cross-check the writer instead of re-running its
// arithmetic.
#ifndef MARU_TESTS_OBJFILE_MACHO_READER_H_
#define MARU_TESTS_OBJFILE_MACHO_READER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace maru::objfile_test {

// Values from Apple's <mach-o/loader.h> and XNU's cs_blobs.h, as the reader needs them.
namespace macho_values {
inline constexpr uint32_t kMagic64 = 0xfeedfacf;
inline constexpr uint32_t kCpuTypeX86_64 = 0x01000007;
inline constexpr uint32_t kCpuTypeArm64 = 0x0100000c;
inline constexpr uint32_t kMhDylib = 6;
inline constexpr uint32_t kMhNoUndefs = 0x1, kMhDyldLink = 0x4, kMhTwoLevel = 0x80;
inline constexpr uint32_t kLcSymtab = 0x2, kLcDysymtab = 0xb, kLcLoadDylib = 0xc, kLcIdDylib = 0xd,
                          kLcSegment64 = 0x19, kLcUuid = 0x1b, kLcCodeSignature = 0x1d,
                          kLcDyldInfoOnly = 0x80000022, kLcBuildVersion = 0x32,
                          kLcDyldExportsTrie = 0x80000033;
inline constexpr uint32_t kVmRead = 1, kVmWrite = 2, kVmExecute = 4;
inline constexpr uint8_t kNSect = 0x0e, kNExt = 0x01;
inline constexpr uint32_t kCsSuperBlob = 0xfade0cc0, kCsCodeDirectory = 0xfade0c02;
}  // namespace macho_values

struct MachOSection {
  std::string sectname, segname;
  uint64_t addr = 0, size = 0;
  uint32_t offset = 0, align = 0, reloff = 0, nreloc = 0, flags = 0;
};

struct MachOSegment {
  std::string name;
  uint64_t vmaddr = 0, vmsize = 0, fileoff = 0, filesize = 0;
  uint32_t maxprot = 0, initprot = 0, flags = 0;
  std::vector<MachOSection> sections;
};

struct MachOLoadCommand {
  uint32_t cmd = 0, cmdsize = 0;
  uint64_t offset = 0;  // in the file
};

struct MachODylibReference {
  std::string name;
  uint32_t timestamp = 0, current_version = 0, compatibility_version = 0;
};

struct MachOSymbol {
  std::string name;
  uint8_t type = 0, sect = 0;
  uint16_t desc = 0;
  uint64_t value = 0;
};

struct MachOExport {
  std::string name;
  uint64_t flags = 0, address = 0;
};

// A linkedit range named by a load command.
struct MachOBlob {
  uint32_t offset = 0, size = 0;
};

struct MachOCodeDirectory {
  uint32_t magic = 0, length = 0, version = 0, flags = 0, hash_offset = 0, ident_offset = 0,
           n_special_slots = 0, n_code_slots = 0, code_limit = 0;
  uint8_t hash_size = 0, hash_type = 0, platform = 0, page_size_log2 = 0;
  uint32_t scatter_offset = 0, team_offset = 0;
  uint64_t code_limit64 = 0, exec_seg_base = 0, exec_seg_limit = 0, exec_seg_flags = 0;
  std::string identifier;
  std::vector<std::string> code_hashes;  // n_code_slots raw digests of hash_size bytes
};

struct MachOSignature {
  uint32_t magic = 0, length = 0, count = 0;
  std::vector<std::pair<uint32_t, uint32_t>> index;  // (slot type, offset in the SuperBlob)
  std::optional<MachOCodeDirectory> code_directory;  // the blob in slot 0
};

struct ReadMachO {
  std::string_view image;
  uint32_t magic = 0, cputype = 0, cpusubtype = 0, filetype = 0, ncmds = 0, sizeofcmds = 0,
           flags = 0;
  std::vector<MachOLoadCommand> commands;  // in file order
  std::vector<MachOSegment> segments;      // in file order
  std::optional<MachODylibReference> id_dylib;
  std::vector<MachODylibReference> load_dylibs;
  std::optional<std::array<uint8_t, 16>> uuid;
  struct BuildVersion {
    uint32_t platform = 0, minos = 0, sdk = 0, ntools = 0;
  };
  std::optional<BuildVersion> build_version;
  struct Symtab {
    uint32_t symoff = 0, nsyms = 0, stroff = 0, strsize = 0;
  };
  std::optional<Symtab> symtab;
  // The 18 fields after cmd/cmdsize: ilocalsym, nlocalsym, iextdefsym, nextdefsym, iundefsym,
  // nundefsym, tocoff, ntoc, modtaboff, nmodtab, extrefsymoff, nextrefsyms, indirectsymoff,
  // nindirectsyms, extreloff, nextrel, locreloff, nlocrel.
  std::optional<std::array<uint32_t, 18>> dysymtab;
  // LC_DYLD_INFO_ONLY: rebase, bind, weak bind, lazy bind, export (offset, size) pairs.
  std::optional<std::array<MachOBlob, 5>> dyld_info;
  std::optional<MachOBlob> code_signature_command;
  std::vector<MachOSymbol> symbols;
  std::vector<MachOExport> exports;  // decoded from the trie, in the trie's order
  std::optional<MachOSignature> signature;

  // All sections in load-command order (n_sect k is sections()[k - 1]).
  std::vector<MachOSection> AllSections() const;
  const MachOSegment* Segment(std::string_view name) const;
  // Bytes at a virtual address inside a segment's file range (empty if not).
  std::string_view BytesAt(uint64_t vmaddr, uint64_t size) const;
};

// Parses `image` (which must outlive the result). Errors for anything out of bounds or
// malformed (bad command sizes, an export trie that loops or overruns, ...).
absl::StatusOr<ReadMachO> ReadMachOImage(std::string_view image);

}  // namespace maru::objfile_test

#endif  // MARU_TESTS_OBJFILE_MACHO_READER_H_
