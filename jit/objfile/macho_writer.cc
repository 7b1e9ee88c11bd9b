#include "jit/objfile/macho_writer.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "jit/objfile/code_signature.h"
#include "jit/objfile/fixups.h"
#include "jit/objfile/macho_export_trie.h"
#include "jit/objfile/sha256.h"
#include "jit/objfile/symbol_mangling.h"

namespace maru::jit::objfile {
namespace {

constexpr uint64_t kX86SegmentAlign = 0x1000;    // x86-64 macOS pages
constexpr uint64_t kArm64SegmentAlign = 0x4000;  // Apple silicon pages
constexpr uint64_t kDataTableAlign = 16;
constexpr size_t kMaxNameLength = 1024;  // MAXPATHLEN
constexpr std::string_view kLibSystem = "/usr/lib/libSystem.B.dylib";
// libSystem's versions as ld64 records them; dyld checks only that the compatibility version
// it finds is at least this one (1.0.0, unchanged since the first macOS).
constexpr uint32_t kLibSystemCurrentVersion = macho::PackVersion(1311, 0, 0);
constexpr uint32_t kLibSystemCompatibilityVersion = macho::PackVersion(1, 0, 0);
constexpr uint32_t kModuleVersion = macho::PackVersion(1, 0, 0);
// Section numbers (n_sect) in load-command order, 1-based.
constexpr uint8_t kTextSectionNumber = 1;
constexpr uint8_t kDataSectionNumber = 2;

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

uint32_t DylibCommandSize(std::string_view name) {
  return static_cast<uint32_t>(
      AlignUp(sizeof(macho::DylibCommand) + name.size() + 1, macho::kLoadCommandAlign));
}

struct ExportedSymbol {
  std::string name;   // with the leading '_'
  int function = -1;  // index into spec.functions; -1 for the data table
  uint64_t address = 0;
  uint32_t name_offset = 0;  // in the string table
};

// Everything about the image except the bytes of code, table, UUID and signature.
struct Plan {
  WrittenDylib shape;  // layout + linkedit positions; image left empty
  uint64_t segment_align = 0;
  bool has_data = false;
  uint32_t text_align_log2 = 0;
  uint32_t commands_size = 0;
  uint32_t command_count = 0;
  uint64_t text_segment_size = 0;  // file and memory
  uint64_t f_text = 0;             // file offset of __text (= its address)
  std::vector<uint64_t> f_function;
  uint64_t f_data = 0;                  // __DATA segment (= its address)
  uint64_t data_segment_size = 0;       // file and memory
  std::vector<ExportedSymbol> symbols;  // sorted by name
  std::string trie;
  std::string strtab;
  uint64_t f_trie = 0, f_symtab = 0, f_strtab = 0;
  uint64_t linkedit_file_size = 0, linkedit_vm_size = 0;
};

// The format-neutral checks, then the Mach-O writer's own: fixups of the other architecture are
// refused before planning (the ELF writer finds them only when applying them).
absl::Status ValidateSpec(const ModuleSpec& spec) {
  if (absl::Status s = ValidateModuleSpec(spec); !s.ok()) return s;
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    const Function& f = spec.functions[i];
    for (const Fixup& fx : f.fixups) {
      if (!FixupKindMatchesArch(fx.kind, spec.arch)) {
        return absl::InvalidArgumentError(
            absl::StrCat("function ", i, " (", f.name, "): fixup at offset ", fx.offset,
                         " is not for ", std::string(ArchName(spec.arch))));
      }
    }
  }
  return absl::OkStatus();
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

absl::Status ValidateOptions(const MachODylibOptions& options, std::string_view identifier) {
  const std::string_view name = options.install_name;
  if (name.empty() || name.size() > kMaxNameLength || name.find('\0') != name.npos) {
    return absl::InvalidArgumentError(
        "install name must be 1..1024 bytes without NUL (the dylib's path)");
  }
  if (identifier.empty() || identifier.size() > kMaxNameLength ||
      identifier.find('\0') != identifier.npos || identifier.find('/') != identifier.npos) {
    return absl::InvalidArgumentError(
        "code-signature identifier must be 1..1024 bytes without NUL or '/'");
  }
  if ((options.min_os >> 16) == 0 || (options.sdk >> 16) == 0) {
    return absl::InvalidArgumentError("min_os and sdk need a major version");
  }
  return absl::OkStatus();
}

absl::StatusOr<Plan> MakePlan(const ModuleSpec& spec, const MachODylibOptions& options) {
  if (absl::Status s = ValidateSpec(spec); !s.ok()) return s;
  const std::string identifier =
      options.identifier.empty() ? std::string(BaseName(options.install_name)) : options.identifier;
  if (absl::Status s = ValidateOptions(options, identifier); !s.ok()) return s;

  Plan plan;
  WrittenDylib& shape = plan.shape;
  ModuleLayout& layout = shape.layout;
  shape.identifier = identifier;
  layout.arch = spec.arch;
  plan.segment_align = spec.arch == Arch::kX86_64 ? kX86SegmentAlign : kArm64SegmentAlign;
  layout.segment_alignment = plan.segment_align;
  plan.has_data = spec.data_table_words > 0;

  // Load commands (order as ld64 writes them; sizes known before any offset).
  const uint32_t sections_per_segment = 1;
  const uint32_t segment_with_section =
      sizeof(macho::SegmentCommand64) + sections_per_segment * sizeof(macho::Section64);
  const uint32_t command_sizes[] = {
      segment_with_section,                      // __TEXT
      plan.has_data ? segment_with_section : 0,  // __DATA
      sizeof(macho::SegmentCommand64),           // __LINKEDIT
      DylibCommandSize(options.install_name),    // LC_ID_DYLIB
      sizeof(macho::DyldInfoCommand),            // LC_DYLD_INFO_ONLY
      sizeof(macho::SymtabCommand),              // LC_SYMTAB
      sizeof(macho::DysymtabCommand),            // LC_DYSYMTAB
      sizeof(macho::UuidCommand),                // LC_UUID
      sizeof(macho::BuildVersionCommand),        // LC_BUILD_VERSION
      DylibCommandSize(kLibSystem),              // LC_LOAD_DYLIB
      sizeof(macho::LinkeditDataCommand),        // LC_CODE_SIGNATURE
  };
  for (uint32_t size : command_sizes) {
    if (size == 0) continue;
    plan.commands_size += size;
    ++plan.command_count;
  }

  // __TEXT: headers, then the functions.
  uint32_t text_align = 16;
  for (const Function& f : spec.functions) text_align = std::max(text_align, f.alignment);
  while ((1u << plan.text_align_log2) < text_align) ++plan.text_align_log2;
  uint64_t off = AlignUp(sizeof(macho::Header64) + plan.commands_size, text_align);
  plan.f_text = off;
  layout.functions.reserve(spec.functions.size());
  for (const Function& f : spec.functions) {
    off = AlignUp(off, f.alignment);
    plan.f_function.push_back(off);
    layout.functions.push_back({"", off, f.code.size()});
    off += f.code.size();
    if (off > kMaxModuleMemorySize) return absl::InvalidArgumentError("module code too large");
  }
  layout.text_offset = plan.f_text;
  layout.text_size = off - plan.f_text;
  plan.text_segment_size = AlignUp(off, plan.segment_align);
  off = plan.text_segment_size;

  // __DATA: the table at the start of the segment.
  if (plan.has_data) {
    plan.f_data = off;
    layout.data_offset = off;
    layout.data_size = spec.data_table_words * 8;
    layout.data_table_offset = off;
    layout.data_table_words = spec.data_table_words;
    layout.data_table_symbol = std::string(kDataTableSymbol);
    plan.data_segment_size = AlignUp(layout.data_size, plan.segment_align);
    off += plan.data_segment_size;
  }

  // Symbols: mangled names with the C underscore, sorted (LC_DYSYMTAB's external definitions
  // are searched by name).
  std::vector<std::string_view> names;
  names.reserve(spec.functions.size());
  for (const Function& f : spec.functions) names.push_back(f.name);
  std::vector<std::string> mangled = MangleUniqueFunctionNames(names);
  for (size_t i = 0; i < mangled.size(); ++i) {
    layout.functions[i].symbol = mangled[i];
    plan.symbols.push_back({"_" + mangled[i], static_cast<int>(i), layout.functions[i].offset});
  }
  if (plan.has_data) {
    plan.symbols.push_back({"_" + std::string(kDataTableSymbol), -1, layout.data_table_offset});
  }
  std::sort(plan.symbols.begin(), plan.symbols.end(),
            [](const ExportedSymbol& a, const ExportedSymbol& b) { return a.name < b.name; });
  // String table: index 0 is the empty name (ld64 starts with " \0"; a lone NUL is as valid).
  plan.strtab.push_back('\0');
  std::vector<ExportTrieEntry> exports;
  exports.reserve(plan.symbols.size());
  for (ExportedSymbol& s : plan.symbols) {
    s.name_offset = static_cast<uint32_t>(plan.strtab.size());
    plan.strtab.append(s.name);
    plan.strtab.push_back('\0');
    exports.push_back({s.name, s.address, macho::kExportKindRegular});
  }
  plan.strtab.resize(AlignUp(plan.strtab.size(), 8), '\0');
  absl::StatusOr<std::string> trie = BuildExportTrie(exports);
  if (!trie.ok()) return trie.status();
  plan.trie = *std::move(trie);

  // __LINKEDIT, last: trie, symbols, strings, signature.
  shape.linkedit_offset = off;
  plan.f_trie = off;
  off += plan.trie.size();
  plan.f_symtab = off = AlignUp(off, 8);
  off += plan.symbols.size() * sizeof(macho::Nlist64);
  plan.f_strtab = off;
  off += plan.strtab.size();
  shape.signature_offset = off = AlignUp(off, macho::kCsSignatureAlign);
  shape.signature_size = AdHocSignatureSize(shape.signature_offset, identifier);
  off += shape.signature_size;
  if (off > kMaxModuleMemorySize) return absl::InvalidArgumentError("module too large");
  layout.file_size = off;
  plan.linkedit_file_size = off - shape.linkedit_offset;
  plan.linkedit_vm_size = AlignUp(plan.linkedit_file_size, plan.segment_align);
  layout.memory_size = shape.linkedit_offset + plan.linkedit_vm_size;
  return plan;
}

template <typename T>
void Put(std::string& image, uint64_t offset, const T& value) {
  std::memcpy(image.data() + offset, &value, sizeof(T));
}

void SetName16(char (&field)[16], std::string_view name) {
  std::memset(field, 0, sizeof field);
  std::memcpy(field, name.data(), std::min(name.size(), sizeof field));
}

macho::SegmentCommand64 Segment(std::string_view name, uint64_t address, uint64_t vm_size,
                                uint64_t file_size, uint32_t protection, uint32_t sections) {
  macho::SegmentCommand64 seg{};
  seg.cmd = macho::kLcSegment64;
  seg.cmdsize = sizeof(macho::SegmentCommand64) + sections * sizeof(macho::Section64);
  SetName16(seg.segname, name);
  seg.vmaddr = address;
  seg.vmsize = vm_size;
  seg.fileoff = address;  // file offset = address in these images
  seg.filesize = file_size;
  seg.maxprot = protection;
  seg.initprot = protection;
  seg.nsects = sections;
  return seg;
}

macho::Section64 Section(std::string_view segment, std::string_view name, uint64_t address,
                         uint64_t size, uint32_t align_log2, uint32_t flags) {
  macho::Section64 sect{};
  SetName16(sect.sectname, name);
  SetName16(sect.segname, segment);
  sect.addr = address;
  sect.size = size;
  sect.offset = static_cast<uint32_t>(address);
  sect.align = align_log2;
  sect.flags = flags;
  return sect;
}

// Appends a dylib command (LC_ID_DYLIB / LC_LOAD_DYLIB) at `at`; returns the next offset.
uint64_t PutDylibCommand(std::string& image, uint64_t at, uint32_t cmd, std::string_view name,
                         uint32_t current, uint32_t compatibility) {
  macho::DylibCommand dc{};
  dc.cmd = cmd;
  dc.cmdsize = DylibCommandSize(name);
  dc.name_offset = sizeof(macho::DylibCommand);
  // ld64 writes 2 for the timestamp of libraries it links; dyld ignores it.
  dc.timestamp = cmd == macho::kLcLoadDylib ? 2 : 1;
  dc.current_version = current;
  dc.compatibility_version = compatibility;
  Put(image, at, dc);
  std::memcpy(image.data() + at + sizeof dc, name.data(), name.size());  // NUL-padded already
  return at + dc.cmdsize;
}

// Writes the header and every load command; returns the offset of LC_UUID's uuid field.
uint64_t WriteLoadCommands(const ModuleSpec& spec, const MachODylibOptions& options,
                           const Plan& plan, std::string& image) {
  const ModuleLayout& layout = plan.shape.layout;
  macho::Header64 header{};
  header.magic = macho::kMagic64;
  header.cputype = spec.arch == Arch::kX86_64 ? macho::kCpuTypeX86_64 : macho::kCpuTypeArm64;
  header.cpusubtype =
      spec.arch == Arch::kX86_64 ? macho::kCpuSubtypeX86_64All : macho::kCpuSubtypeArm64All;
  header.filetype = macho::kFileTypeDylib;
  header.ncmds = plan.command_count;
  header.sizeofcmds = plan.commands_size;
  header.flags = macho::kFlagNoUndefs | macho::kFlagDyldLink | macho::kFlagTwoLevel |
                 macho::kFlagNoReexportedDylibs;
  Put(image, 0, header);
  uint64_t at = sizeof header;

  Put(image, at,
      Segment("__TEXT", 0, plan.text_segment_size, plan.text_segment_size,
              macho::kProtRead | macho::kProtExecute, 1));
  at += sizeof(macho::SegmentCommand64);
  Put(image, at,
      Section("__TEXT", "__text", layout.text_offset, layout.text_size, plan.text_align_log2,
              macho::kSectionRegular | macho::kSectionAttrPureInstructions |
                  macho::kSectionAttrSomeInstructions));
  at += sizeof(macho::Section64);
  if (plan.has_data) {
    Put(image, at,
        Segment("__DATA", plan.f_data, plan.data_segment_size, plan.data_segment_size,
                macho::kProtRead | macho::kProtWrite, 1));
    at += sizeof(macho::SegmentCommand64);
    Put(image, at,
        Section("__DATA", "__data", layout.data_table_offset, layout.data_size, 4,
                macho::kSectionRegular));
    at += sizeof(macho::Section64);
  }
  Put(image, at,
      Segment("__LINKEDIT", plan.shape.linkedit_offset, plan.linkedit_vm_size,
              plan.linkedit_file_size, macho::kProtRead, 0));
  at += sizeof(macho::SegmentCommand64);

  at = PutDylibCommand(image, at, macho::kLcIdDylib, options.install_name, kModuleVersion,
                       kModuleVersion);

  macho::DyldInfoCommand info{};
  info.cmd = macho::kLcDyldInfoOnly;
  info.cmdsize = sizeof info;
  info.export_off = static_cast<uint32_t>(plan.f_trie);
  info.export_size = static_cast<uint32_t>(plan.trie.size());
  Put(image, at, info);
  at += sizeof info;

  macho::SymtabCommand symtab{};
  symtab.cmd = macho::kLcSymtab;
  symtab.cmdsize = sizeof symtab;
  symtab.symoff = static_cast<uint32_t>(plan.f_symtab);
  symtab.nsyms = static_cast<uint32_t>(plan.symbols.size());
  symtab.stroff = static_cast<uint32_t>(plan.f_strtab);
  symtab.strsize = static_cast<uint32_t>(plan.strtab.size());
  Put(image, at, symtab);
  at += sizeof symtab;

  macho::DysymtabCommand dysymtab{};
  dysymtab.cmd = macho::kLcDysymtab;
  dysymtab.cmdsize = sizeof dysymtab;
  dysymtab.iextdefsym = 0;
  dysymtab.nextdefsym = static_cast<uint32_t>(plan.symbols.size());
  dysymtab.iundefsym = static_cast<uint32_t>(plan.symbols.size());
  Put(image, at, dysymtab);
  at += sizeof dysymtab;

  macho::UuidCommand uuid{};
  uuid.cmd = macho::kLcUuid;
  uuid.cmdsize = sizeof uuid;
  Put(image, at, uuid);  // filled once the rest of the image is final
  const uint64_t uuid_field = at + offsetof(macho::UuidCommand, uuid);
  at += sizeof uuid;

  macho::BuildVersionCommand build{};
  build.cmd = macho::kLcBuildVersion;
  build.cmdsize = sizeof build;
  build.platform = macho::kPlatformMacOs;
  build.minos = options.min_os;
  build.sdk = options.sdk;
  build.ntools = 0;
  Put(image, at, build);
  at += sizeof build;

  at = PutDylibCommand(image, at, macho::kLcLoadDylib, kLibSystem, kLibSystemCurrentVersion,
                       kLibSystemCompatibilityVersion);

  macho::LinkeditDataCommand signature{};
  signature.cmd = macho::kLcCodeSignature;
  signature.cmdsize = sizeof signature;
  signature.dataoff = static_cast<uint32_t>(plan.shape.signature_offset);
  signature.datasize = static_cast<uint32_t>(plan.shape.signature_size);
  Put(image, at, signature);
  return uuid_field;
}

void WriteLinkedit(const Plan& plan, std::string& image) {
  std::memcpy(image.data() + plan.f_trie, plan.trie.data(), plan.trie.size());
  uint64_t at = plan.f_symtab;
  for (const ExportedSymbol& s : plan.symbols) {
    macho::Nlist64 sym{};
    sym.n_strx = s.name_offset;
    sym.n_type = macho::kNlistSection | macho::kNlistExternal;
    sym.n_sect = s.function >= 0 ? kTextSectionNumber : kDataSectionNumber;
    sym.n_value = s.address;
    Put(image, at, sym);
    at += sizeof sym;
  }
  std::memcpy(image.data() + plan.f_strtab, plan.strtab.data(), plan.strtab.size());
}

absl::Status WriteCode(const ModuleSpec& spec, const Plan& plan, std::string& image) {
  const ModuleLayout& layout = plan.shape.layout;
  if (spec.arch == Arch::kX86_64) {
    // int3 in every gap (arm64 gaps stay zero: udf #0).
    std::memset(image.data() + plan.f_text, 0xcc, layout.text_size);
  }
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    const Function& f = spec.functions[i];
    auto* dst = reinterpret_cast<uint8_t*>(image.data() + plan.f_function[i]);
    std::memcpy(dst, f.code.data(), f.code.size());
    for (const Fixup& fx : f.fixups) {
      const uint64_t target = fx.target == FixupTarget::kFunction
                                  ? layout.functions[fx.index].offset
                                  : layout.data_table_offset + 8 * uint64_t{fx.index};
      absl::Status s = ApplyFixup(spec.arch, fx, target, layout.functions[i].offset,
                                  std::span(dst, f.code.size()));
      if (!s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("function ", i, " (", f.name, "): ", s.message()));
      }
    }
  }
  return absl::OkStatus();
}

// A name-based UUID: the SHA-256 of everything before the signature (with the UUID field still
// zero), truncated to 16 bytes, marked as an RFC 9562 version-8 (vendor-defined) UUID.
void FillUuid(std::string& image, uint64_t uuid_field, uint64_t signature_offset) {
  const Sha256Digest digest = Sha256::Digest(std::string_view(image).substr(0, signature_offset));
  uint8_t uuid[16];
  std::memcpy(uuid, digest.data(), sizeof uuid);
  uuid[6] = static_cast<uint8_t>((uuid[6] & 0x0f) | 0x80);
  uuid[8] = static_cast<uint8_t>((uuid[8] & 0x3f) | 0x80);
  std::memcpy(image.data() + uuid_field, uuid, sizeof uuid);
}

}  // namespace

absl::StatusOr<ModuleLayout> PlanMachODylibLayout(const ModuleSpec& spec,
                                                  const MachODylibOptions& options) {
  absl::StatusOr<Plan> plan = MakePlan(spec, options);
  if (!plan.ok()) return plan.status();
  return std::move(plan->shape.layout);
}

absl::StatusOr<WrittenDylib> WriteMachODylib(const ModuleSpec& spec,
                                             const MachODylibOptions& options) {
  absl::StatusOr<Plan> plan = MakePlan(spec, options);
  if (!plan.ok()) return plan.status();
  WrittenDylib out = plan->shape;  // the plan stays whole: the writers below read it
  std::string& image = out.image;
  image.assign(out.layout.file_size, '\0');
  const uint64_t uuid_field = WriteLoadCommands(spec, options, *plan, image);
  if (absl::Status s = WriteCode(spec, *plan, image); !s.ok()) return s;
  if (!spec.data_table_init.empty()) {
    std::memcpy(image.data() + out.layout.data_table_offset, spec.data_table_init.data(),
                spec.data_table_init.size() * 8);
  }
  WriteLinkedit(*plan, image);
  FillUuid(image, uuid_field, out.signature_offset);
  CodeSignatureParams params;
  params.identifier = out.identifier;
  params.exec_segment_base = 0;
  params.exec_segment_limit = plan->text_segment_size;
  params.exec_segment_flags = 0;
  absl::StatusOr<std::string> signature =
      BuildAdHocSignature(std::string_view(image).substr(0, out.signature_offset), params);
  if (!signature.ok()) return signature.status();
  if (signature->size() != out.signature_size) {
    return absl::InternalError("code signature size differs from the reserved size");
  }
  image.replace(out.signature_offset, signature->size(), *signature);
  return out;
}

}  // namespace maru::jit::objfile
