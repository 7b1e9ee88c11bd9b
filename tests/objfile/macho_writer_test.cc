// Mach-O dylibs written by WriteMachODylib, read back with the independent reader
// (macho_reader.h): header, every load command, segments and their alignment, the export trie,
// the symbol table, the dylib commands, build version, UUID and the ad-hoc code signature
// (big-endian fields; every page hash recomputed with sha256sum). They cannot be loaded on
// Linux, so the structure is what is checked, for both x86-64 and arm64.
#include "jit/objfile/macho_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "jit/objfile/code_signature.h"
#include "jit/objfile/macho_export_trie.h"
#include "jit/objfile/macho_fresh_file.h"
#include "tests/objfile/macho_page_hashes.h"
#include "tests/objfile/macho_reader.h"
#include "tests/objfile/sample_modules.h"

namespace maru::objfile_test {
namespace {

namespace mv = macho_values;
using objfile::Arch;
using objfile::Fixup;
using objfile::FixupKind;
using objfile::FixupTarget;
using objfile::MachODylibOptions;
using objfile::ModuleLayout;
using objfile::ModuleSpec;
using objfile::WrittenDylib;

constexpr char kInstallName[] = "/private/var/tmp/maru-jit-test/module-1.dylib";

MachODylibOptions Options(std::string install_name = kInstallName) {
  MachODylibOptions options;
  options.install_name = std::move(install_name);
  return options;
}

WrittenDylib MustWrite(const ModuleSpec& spec, const MachODylibOptions& options = Options()) {
  absl::StatusOr<WrittenDylib> written = objfile::WriteMachODylib(spec, options);
  EXPECT_TRUE(written.ok()) << written.status();
  return written.ok() ? *std::move(written) : WrittenDylib{};
}

ReadMachO MustRead(const std::string& image) {
  absl::StatusOr<ReadMachO> read = ReadMachOImage(image);
  EXPECT_TRUE(read.ok()) << read.status();
  return read.ok() ? *std::move(read) : ReadMachO{};
}

uint64_t PageSizeOf(Arch arch) { return arch == Arch::kX86_64 ? 0x1000 : 0x4000; }

std::vector<ModuleSpec> Samples() {
  return {SampleX86Module(), SampleAArch64Module(), SmallX86Module(300)};
}

// Indices of pages whose stored hash differs from sha256sum's digest of the page.
std::vector<uint32_t> WrongPages(const ReadMachO& m) {
  absl::StatusOr<std::vector<uint32_t>> wrong = PagesWithWrongHash(m);
  EXPECT_TRUE(wrong.ok()) << wrong.status();
  return wrong.ok() ? *wrong : std::vector<uint32_t>{UINT32_MAX};
}

// --- Header and load commands. -----------------------------------------------------------

TEST(MachOWriterTest, HeaderAndLoadCommands) {
  for (const ModuleSpec& spec : Samples()) {
    SCOPED_TRACE(objfile::ArchName(spec.arch));
    const WrittenDylib w = MustWrite(spec);
    const ReadMachO m = MustRead(w.image);
    EXPECT_EQ(m.magic, mv::kMagic64);
    if (spec.arch == Arch::kX86_64) {
      EXPECT_EQ(m.cputype, mv::kCpuTypeX86_64);
      EXPECT_EQ(m.cpusubtype, 3u);  // CPU_SUBTYPE_X86_64_ALL
    } else {
      EXPECT_EQ(m.cputype, mv::kCpuTypeArm64);
      EXPECT_EQ(m.cpusubtype, 0u);  // CPU_SUBTYPE_ARM64_ALL
    }
    EXPECT_EQ(m.filetype, mv::kMhDylib);
    EXPECT_EQ(m.flags & (mv::kMhNoUndefs | mv::kMhDyldLink | mv::kMhTwoLevel),
              mv::kMhNoUndefs | mv::kMhDyldLink | mv::kMhTwoLevel);
    EXPECT_EQ(m.ncmds, m.commands.size());
    uint64_t total = 0;
    std::multiset<uint32_t> kinds;
    for (const MachOLoadCommand& lc : m.commands) {
      EXPECT_EQ(lc.cmdsize % 8, 0u) << "command 0x" << std::hex << lc.cmd;
      EXPECT_EQ(lc.offset % 8, 0u);
      total += lc.cmdsize;
      kinds.insert(lc.cmd);
    }
    EXPECT_EQ(total, m.sizeofcmds);
    const bool has_table = spec.data_table_words > 0;
    EXPECT_EQ(kinds.count(mv::kLcSegment64), has_table ? 3u : 2u);
    for (uint32_t once :
         {mv::kLcIdDylib, mv::kLcDyldInfoOnly, mv::kLcSymtab, mv::kLcDysymtab, mv::kLcUuid,
          mv::kLcBuildVersion, mv::kLcLoadDylib, mv::kLcCodeSignature}) {
      EXPECT_EQ(kinds.count(once), 1u) << "command 0x" << std::hex << once;
    }
    EXPECT_EQ(kinds.size(), m.ncmds);
    EXPECT_EQ(kinds.count(mv::kLcDyldExportsTrie), 0u);  // the trie is in LC_DYLD_INFO_ONLY
    // The headers end before the first section.
    const std::vector<MachOSection> sections = m.AllSections();
    ASSERT_FALSE(sections.empty());
    EXPECT_LE(32 + uint64_t{m.sizeofcmds}, sections[0].offset);
  }
}

TEST(MachOWriterTest, DylibIdentityAndLibSystem) {
  const WrittenDylib w = MustWrite(SampleAArch64Module());
  const ReadMachO m = MustRead(w.image);
  ASSERT_TRUE(m.id_dylib.has_value());
  EXPECT_EQ(m.id_dylib->name, kInstallName);
  EXPECT_EQ(m.id_dylib->current_version, 0x10000u);
  EXPECT_EQ(m.id_dylib->compatibility_version, 0x10000u);
  ASSERT_EQ(m.load_dylibs.size(), 1u);
  EXPECT_EQ(m.load_dylibs[0].name, "/usr/lib/libSystem.B.dylib");
  EXPECT_GE(m.load_dylibs[0].compatibility_version, 0x10000u);
  EXPECT_GE(m.load_dylibs[0].current_version, m.load_dylibs[0].compatibility_version);
  ASSERT_TRUE(m.build_version.has_value());
  EXPECT_EQ(m.build_version->platform, 1u);        // PLATFORM_MACOS
  EXPECT_EQ(m.build_version->minos, 0x000b0000u);  // 11.0
  EXPECT_EQ(m.build_version->sdk, 0x000e0000u);    // 14.0
  EXPECT_EQ(m.build_version->ntools, 0u);

  MachODylibOptions options = Options();
  options.min_os = objfile::macho::PackVersion(12, 3, 1);
  const ReadMachO m2 = MustRead(MustWrite(SampleAArch64Module(), options).image);
  EXPECT_EQ(m2.build_version->minos, 0x000c0301u);
}

// --- Segments. ----------------------------------------------------------------------------

void CheckSegments(const ModuleSpec& spec, const WrittenDylib& w, const ReadMachO& m) {
  const uint64_t page = PageSizeOf(spec.arch);
  EXPECT_EQ(w.layout.segment_alignment, page);
  const bool has_table = spec.data_table_words > 0;
  ASSERT_EQ(m.segments.size(), has_table ? 3u : 2u);
  EXPECT_EQ(m.segments.front().name, "__TEXT");
  EXPECT_EQ(m.segments.back().name, "__LINKEDIT");
  if (has_table) {
    EXPECT_EQ(m.segments[1].name, "__DATA");
  }
  const MachOSegment& text = m.segments.front();
  EXPECT_EQ(text.fileoff, 0u);
  EXPECT_EQ(text.vmaddr, 0u);
  for (size_t i = 0; i < m.segments.size(); ++i) {
    const MachOSegment& seg = m.segments[i];
    SCOPED_TRACE(seg.name);
    EXPECT_EQ(seg.fileoff % page, 0u);
    EXPECT_EQ(seg.vmaddr % page, 0u);
    EXPECT_EQ(seg.vmsize % page, 0u);
    EXPECT_EQ(seg.fileoff, seg.vmaddr);
    EXPECT_LE(seg.filesize, seg.vmsize);
    EXPECT_EQ(seg.maxprot, seg.initprot);
    EXPECT_FALSE((seg.initprot & mv::kVmWrite) && (seg.initprot & mv::kVmExecute));
    if (&seg != &m.segments.back()) {
      EXPECT_EQ(seg.filesize, seg.vmsize);  // whole pages in the file
    }
    if (i > 0) {
      // Ascending, adjacent, never sharing a page.
      const MachOSegment& prev = m.segments[i - 1];
      EXPECT_EQ(seg.vmaddr, prev.vmaddr + prev.vmsize);
      EXPECT_EQ(seg.fileoff, prev.fileoff + prev.filesize);
    }
    for (const MachOSection& s : seg.sections) {
      EXPECT_EQ(s.segname, seg.name);
      EXPECT_GE(s.addr, seg.vmaddr);
      EXPECT_LE(s.addr + s.size, seg.vmaddr + seg.filesize);
      EXPECT_EQ(s.offset, seg.fileoff + (s.addr - seg.vmaddr));
      EXPECT_EQ(s.addr % (uint64_t{1} << s.align), 0u);
      EXPECT_EQ(s.nreloc, 0u);
    }
  }
  EXPECT_EQ(text.initprot, mv::kVmRead | mv::kVmExecute);
  ASSERT_EQ(text.sections.size(), 1u);
  const MachOSection& text_section = text.sections[0];
  EXPECT_EQ(text_section.sectname, "__text");
  EXPECT_EQ(text_section.flags, 0x80000400u);  // PURE_INSTRUCTIONS | SOME_INSTRUCTIONS
  EXPECT_EQ(text_section.addr, w.layout.text_offset);
  EXPECT_EQ(text_section.size, w.layout.text_size);
  uint32_t max_align = 16;
  for (const objfile::Function& f : spec.functions) max_align = std::max(max_align, f.alignment);
  EXPECT_EQ(uint64_t{1} << text_section.align, max_align);
  if (has_table) {
    const MachOSegment& data = m.segments[1];
    EXPECT_EQ(data.initprot, mv::kVmRead | mv::kVmWrite);
    ASSERT_EQ(data.sections.size(), 1u);
    EXPECT_EQ(data.sections[0].sectname, "__data");
    EXPECT_EQ(data.sections[0].addr, w.layout.data_table_offset);
    EXPECT_EQ(data.sections[0].size, 8 * spec.data_table_words);
    EXPECT_EQ(w.layout.data_table_offset % 16, 0u);
  }
  const MachOSegment& linkedit = m.segments.back();
  EXPECT_EQ(linkedit.initprot, mv::kVmRead);
  EXPECT_TRUE(linkedit.sections.empty());
  EXPECT_EQ(linkedit.fileoff + linkedit.filesize, m.image.size()) << "__LINKEDIT ends the file";
  EXPECT_EQ(linkedit.fileoff, w.linkedit_offset);
  EXPECT_EQ(w.layout.memory_size, linkedit.vmaddr + linkedit.vmsize);
  EXPECT_EQ(w.layout.file_size, m.image.size());

  // Functions: inside __text, in order, aligned, copied verbatim except their fixup fields.
  uint64_t end = w.layout.text_offset;
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    const objfile::FunctionLayout& fl = w.layout.functions[i];
    EXPECT_GE(fl.offset, end);
    EXPECT_EQ(fl.offset % spec.functions[i].alignment, 0u);
    end = fl.offset + fl.size;
    std::string_view code = m.BytesAt(fl.offset, fl.size);
    ASSERT_EQ(code.size(), spec.functions[i].code.size());
    std::vector<bool> patched(code.size(), false);
    for (const Fixup& fx : spec.functions[i].fixups) {
      for (int k = 0; k < 4; ++k) patched[fx.offset + k] = true;
    }
    for (size_t k = 0; k < code.size(); ++k) {
      if (!patched[k]) {
        EXPECT_EQ(static_cast<uint8_t>(code[k]), spec.functions[i].code[k]);
      }
    }
  }
  EXPECT_LE(end, w.layout.text_offset + w.layout.text_size);
}

TEST(MachOWriterTest, SegmentsX86) {
  const ModuleSpec spec = SampleX86Module();
  const WrittenDylib w = MustWrite(spec);
  CheckSegments(spec, w, MustRead(w.image));
}

TEST(MachOWriterTest, SegmentsArm64UseSixteenKiBPages) {
  const ModuleSpec spec = SampleAArch64Module();
  const WrittenDylib w = MustWrite(spec);
  const ReadMachO m = MustRead(w.image);
  CheckSegments(spec, w, m);
  EXPECT_EQ(m.segments[1].fileoff, 0x4000u);
}

TEST(MachOWriterTest, ModuleWithoutTableHasNoDataSegment) {
  ModuleSpec spec = SampleX86Module();
  spec.data_table_words = 0;
  spec.data_table_init.clear();
  for (objfile::Function& f : spec.functions) {
    std::erase_if(f.fixups, [](const Fixup& fx) { return fx.target == FixupTarget::kDataTable; });
  }
  const WrittenDylib w = MustWrite(spec);
  const ReadMachO m = MustRead(w.image);
  CheckSegments(spec, w, m);
  EXPECT_EQ(m.Segment("__DATA"), nullptr);
  EXPECT_TRUE(w.layout.data_table_symbol.empty());
  for (const MachOExport& e : m.exports) EXPECT_NE(e.name, "_maru_data_table");
}

TEST(MachOWriterTest, ModuleWithoutFunctions) {
  ModuleSpec spec;
  spec.arch = Arch::kAArch64;
  spec.data_table_words = 2;
  const WrittenDylib w = MustWrite(spec);
  const ReadMachO m = MustRead(w.image);
  CheckSegments(spec, w, m);
  ASSERT_EQ(m.exports.size(), 1u);
  EXPECT_EQ(m.exports[0].name, "_maru_data_table");
  EXPECT_TRUE(WrongPages(m).empty());
}

TEST(MachOWriterTest, DataTableContents) {
  const ModuleSpec spec = SampleX86Module();
  const WrittenDylib w = MustWrite(spec);
  const ReadMachO m = MustRead(w.image);
  std::string expected(8 * kSampleTableWords, '\0');
  std::memcpy(expected.data(), spec.data_table_init.data(), 8 * spec.data_table_init.size());
  EXPECT_EQ(m.BytesAt(w.layout.data_table_offset, 8 * kSampleTableWords), expected);
}

// --- Fixups. ------------------------------------------------------------------------------

TEST(MachOWriterTest, X86FixupsResolveToTheirTargets) {
  const ModuleSpec spec = SampleX86Module();
  const WrittenDylib w = MustWrite(spec);
  const ReadMachO m = MustRead(w.image);
  int checked = 0;
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    for (const Fixup& fx : spec.functions[i].fixups) {
      const uint64_t place = w.layout.functions[i].offset + fx.offset;
      int32_t disp = 0;
      std::memcpy(&disp, m.BytesAt(place, 4).data(), 4);
      const int64_t target = disp + static_cast<int64_t>(place) - fx.addend;
      const uint64_t expected = fx.target == FixupTarget::kFunction
                                    ? w.layout.functions[fx.index].offset
                                    : w.layout.data_table_offset + 8 * fx.index;
      EXPECT_EQ(static_cast<uint64_t>(target), expected) << spec.functions[i].name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6);
  for (size_t i = 0; i + 1 < spec.functions.size(); ++i) {
    const uint64_t gap_start = w.layout.functions[i].offset + w.layout.functions[i].size;
    const uint64_t gap = w.layout.functions[i + 1].offset - gap_start;
    EXPECT_EQ(m.BytesAt(gap_start, gap), std::string(gap, '\xcc'));
  }
}

int64_t SignExtend(uint64_t v, int bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

TEST(MachOWriterTest, Arm64FixupsResolveToTheirTargets) {
  const ModuleSpec spec = SampleAArch64Module();
  const WrittenDylib w = MustWrite(spec);
  const ReadMachO m = MustRead(w.image);
  auto insn = [&](int function, uint32_t offset) {
    uint32_t v = 0;
    std::memcpy(&v, m.BytesAt(w.layout.functions[function].offset + offset, 4).data(), 4);
    return v;
  };
  auto pc = [&](int function, uint32_t offset) {
    return static_cast<int64_t>(w.layout.functions[function].offset + offset);
  };
  const int64_t table = static_cast<int64_t>(w.layout.data_table_offset);
  // adrp x0, table[1]; ldr x0, [x0, #lo12]
  {
    const uint32_t adrp = insn(kA64TableRef, 0), ldr = insn(kA64TableRef, 4);
    const int64_t page = SignExtend(((adrp >> 29) & 3) | (((adrp >> 5) & 0x7ffff) << 2), 21) * 4096;
    const int64_t address =
        (pc(kA64TableRef, 0) & ~int64_t{0xfff}) + page + int64_t{((ldr >> 10) & 0xfff) * 8};
    EXPECT_EQ(address, table + 8 * (kSlotValue + 1));
  }
  // adr x0, table
  {
    const uint32_t adr = insn(kA64AdrTable, 0);
    const int64_t delta = SignExtend(((adr >> 29) & 3) | (((adr >> 5) & 0x7ffff) << 2), 21);
    EXPECT_EQ(pc(kA64AdrTable, 0) + delta, table);
  }
  // bl answer
  {
    const uint32_t bl = insn(kA64CallAnswer, 4);
    EXPECT_EQ(pc(kA64CallAnswer, 4) + SignExtend(bl & 0x3ffffff, 26) * 4,
              static_cast<int64_t>(w.layout.functions[kA64Answer].offset));
  }
  // ldr x0, literal
  {
    const uint32_t ldr = insn(kA64LdrLiteral, 0);
    EXPECT_EQ(pc(kA64LdrLiteral, 0) + SignExtend((ldr >> 5) & 0x7ffff, 19) * 4,
              table + 8 * kSlotInit);
  }
}

// --- Exports and symbols. ------------------------------------------------------------------

std::map<std::string, uint64_t> ExpectedExports(const WrittenDylib& w) {
  std::map<std::string, uint64_t> expected;
  for (const objfile::FunctionLayout& f : w.layout.functions) expected["_" + f.symbol] = f.offset;
  if (!w.layout.data_table_symbol.empty()) {
    expected["_" + w.layout.data_table_symbol] = w.layout.data_table_offset;
  }
  return expected;
}

TEST(MachOWriterTest, ExportTrieHoldsExactlyTheSymbols) {
  for (const ModuleSpec& spec : Samples()) {
    SCOPED_TRACE(
        absl::StrCat(std::string(objfile::ArchName(spec.arch)), " ", spec.functions.size()));
    const WrittenDylib w = MustWrite(spec);
    const ReadMachO m = MustRead(w.image);
    std::map<std::string, uint64_t> found;
    for (const MachOExport& e : m.exports) {
      EXPECT_EQ(e.flags, 0u) << e.name;  // EXPORT_SYMBOL_FLAGS_KIND_REGULAR
      EXPECT_TRUE(found.emplace(e.name, e.address).second) << "duplicate " << e.name;
    }
    EXPECT_EQ(found, ExpectedExports(w));
    EXPECT_EQ(found.size(), spec.functions.size() + 1);
  }
  const WrittenDylib w = MustWrite(SampleX86Module());
  EXPECT_EQ(w.layout.functions[kAnswer].symbol, "maru_f_answer");
  EXPECT_EQ(w.layout.functions[kAnswerAgain].symbol, "maru_f_answer_1");
  EXPECT_EQ(w.layout.data_table_symbol, "maru_data_table");
}

TEST(MachOWriterTest, SymbolTable) {
  for (const ModuleSpec& spec : Samples()) {
    const WrittenDylib w = MustWrite(spec);
    const ReadMachO m = MustRead(w.image);
    const std::vector<MachOSection> sections = m.AllSections();
    std::map<std::string, uint64_t> found;
    std::vector<std::string> order;
    for (const MachOSymbol& s : m.symbols) {
      EXPECT_EQ(s.type, mv::kNSect | mv::kNExt) << s.name;
      ASSERT_GE(s.sect, 1);
      ASSERT_LE(s.sect, sections.size());
      const MachOSection& sect = sections[s.sect - 1];
      EXPECT_EQ(sect.sectname, s.name == "_maru_data_table" ? "__data" : "__text") << s.name;
      EXPECT_GE(s.value, sect.addr);
      EXPECT_LT(s.value, sect.addr + sect.size);
      EXPECT_EQ(s.desc, 0);
      found[s.name] = s.value;
      order.push_back(s.name);
    }
    EXPECT_EQ(found, ExpectedExports(w));
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << "external symbols sorted by name";
    ASSERT_TRUE(m.dysymtab.has_value());
    const std::array<uint32_t, 18>& d = *m.dysymtab;
    const uint32_t n = static_cast<uint32_t>(m.symbols.size());
    EXPECT_EQ(d[0], 0u);  // ilocalsym
    EXPECT_EQ(d[1], 0u);  // nlocalsym
    EXPECT_EQ(d[2], 0u);  // iextdefsym
    EXPECT_EQ(d[3], n);   // nextdefsym
    EXPECT_EQ(d[4], n);   // iundefsym
    EXPECT_EQ(d[5], 0u);  // nundefsym
    for (int i = 6; i < 18; ++i) EXPECT_EQ(d[i], 0u) << "dysymtab field " << i;
  }
}

// Linkedit blobs: in order (trie, symbols, strings, signature), aligned, not overlapping, all
// inside __LINKEDIT; no rebase or bind information.
TEST(MachOWriterTest, LinkeditLayout) {
  for (const ModuleSpec& spec : Samples()) {
    const WrittenDylib w = MustWrite(spec);
    const ReadMachO m = MustRead(w.image);
    const MachOSegment* linkedit = m.Segment("__LINKEDIT");
    ASSERT_NE(linkedit, nullptr);
    ASSERT_TRUE(m.dyld_info.has_value() && m.symtab.has_value() &&
                m.code_signature_command.has_value());
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ((*m.dyld_info)[i].size, 0u) << "rebase/bind blob " << i;
      EXPECT_EQ((*m.dyld_info)[i].offset, 0u);
    }
    const MachOBlob trie = (*m.dyld_info)[4];
    const MachOBlob symbols{m.symtab->symoff, m.symtab->nsyms * 16};
    const MachOBlob strings{m.symtab->stroff, m.symtab->strsize};
    const MachOBlob signature = *m.code_signature_command;
    EXPECT_EQ(trie.offset, linkedit->fileoff);
    EXPECT_EQ(trie.offset % 8, 0u);
    EXPECT_EQ(symbols.offset % 8, 0u);
    EXPECT_EQ(signature.offset % 16, 0u);
    EXPECT_EQ(signature.size % 16, 0u);
    EXPECT_LE(trie.offset + trie.size, symbols.offset);
    EXPECT_LE(symbols.offset + symbols.size, strings.offset);
    EXPECT_LE(strings.offset + strings.size, signature.offset);
    EXPECT_EQ(signature.offset + signature.size, m.image.size());
    EXPECT_EQ(signature.offset, w.signature_offset);
    EXPECT_EQ(signature.size, w.signature_size);
    EXPECT_EQ(m.image[strings.offset], '\0');
  }
}

// --- UUID. --------------------------------------------------------------------------------

TEST(MachOWriterTest, UuidIsDistinctPerModuleAndStable) {
  std::set<std::array<uint8_t, 16>> uuids;
  int modules = 0;
  for (const ModuleSpec& spec : Samples()) {
    for (const char* name : {"/tmp/a/m1.dylib", "/tmp/a/m2.dylib"}) {
      const ReadMachO m = MustRead(MustWrite(spec, Options(name)).image);
      ASSERT_TRUE(m.uuid.has_value());
      EXPECT_EQ((*m.uuid)[6] >> 4, 8) << "RFC 9562 version 8";
      EXPECT_EQ((*m.uuid)[8] >> 6, 2) << "RFC 4122 variant";
      uuids.insert(*m.uuid);
      ++modules;
    }
  }
  EXPECT_EQ(uuids.size(), static_cast<size_t>(modules));
  // Same module, same path: same bytes, same UUID.
  const WrittenDylib a = MustWrite(SampleX86Module());
  const WrittenDylib b = MustWrite(SampleX86Module());
  EXPECT_EQ(a.image, b.image);
  // One changed code byte: another UUID.
  ModuleSpec changed = SampleX86Module();
  changed.functions[kAnswer].code[1] = 43;
  EXPECT_NE(MustRead(MustWrite(changed).image).uuid, MustRead(a.image).uuid);
}

// --- Code signature. ----------------------------------------------------------------------

TEST(MachOWriterTest, CodeSignatureFields) {
  for (const ModuleSpec& spec : Samples()) {
    SCOPED_TRACE(
        absl::StrCat(std::string(objfile::ArchName(spec.arch)), " ", spec.functions.size()));
    const WrittenDylib w = MustWrite(spec);
    const ReadMachO m = MustRead(w.image);
    ASSERT_TRUE(m.signature.has_value());
    const MachOSignature& s = *m.signature;
    EXPECT_EQ(s.magic, mv::kCsSuperBlob);
    EXPECT_LE(s.length, m.code_signature_command->size);
    EXPECT_GT(s.length + 16, m.code_signature_command->size) << "only alignment padding";
    ASSERT_EQ(s.count, 1u);
    EXPECT_EQ(s.index[0].first, 0u);    // CSSLOT_CODEDIRECTORY
    EXPECT_EQ(s.index[0].second, 20u);  // right after the header and the index
    ASSERT_TRUE(s.code_directory.has_value());
    const MachOCodeDirectory& cd = *s.code_directory;
    EXPECT_EQ(cd.magic, mv::kCsCodeDirectory);
    EXPECT_EQ(cd.length, s.length - s.index[0].second);
    EXPECT_EQ(cd.version, 0x20400u);
    EXPECT_EQ(cd.flags, 0x20002u);  // CS_ADHOC | CS_LINKER_SIGNED
    EXPECT_EQ(cd.n_special_slots, 0u);
    EXPECT_EQ(cd.code_limit, m.code_signature_command->offset);
    EXPECT_EQ(cd.n_code_slots, (cd.code_limit + 4095) / 4096);
    EXPECT_EQ(cd.hash_size, 32);
    EXPECT_EQ(cd.hash_type, 2);  // SHA-256
    EXPECT_EQ(cd.platform, 0);
    EXPECT_EQ(cd.page_size_log2, 12);
    EXPECT_EQ(cd.scatter_offset, 0u);
    EXPECT_EQ(cd.team_offset, 0u);
    EXPECT_EQ(cd.code_limit64, 0u);
    const MachOSegment* text = m.Segment("__TEXT");
    ASSERT_NE(text, nullptr);
    EXPECT_EQ(cd.exec_seg_base, text->fileoff);
    EXPECT_EQ(cd.exec_seg_limit, text->filesize);
    EXPECT_EQ(cd.exec_seg_flags, 0u);
    EXPECT_EQ(cd.ident_offset, 88u);
    EXPECT_EQ(cd.identifier, "module-1.dylib");
    EXPECT_EQ(w.identifier, "module-1.dylib");
    EXPECT_EQ(cd.hash_offset + cd.n_code_slots * 32, cd.length);
    // The padding after the blob is zero.
    const std::string_view tail = m.image.substr(m.code_signature_command->offset + s.length);
    EXPECT_EQ(tail, std::string(tail.size(), '\0'));
  }
}

TEST(MachOWriterTest, EveryPageHashMatchesSha256sum) {
  for (const ModuleSpec& spec : Samples()) {
    SCOPED_TRACE(
        absl::StrCat(std::string(objfile::ArchName(spec.arch)), " ", spec.functions.size()));
    const WrittenDylib w = MustWrite(spec);
    const ReadMachO m = MustRead(w.image);
    ASSERT_TRUE(m.signature.has_value() && m.signature->code_directory.has_value());
    // Several pages, the last one partial: the signature starts inside a page.
    EXPECT_GT(m.signature->code_directory->n_code_slots, 2u);
    EXPECT_NE(m.signature->code_directory->code_limit % 4096, 0u);
    EXPECT_EQ(WrongPages(m), std::vector<uint32_t>{});
  }
}

TEST(MachOWriterTest, CorruptedByteChangesExactlyItsPageHash) {
  const WrittenDylib w = MustWrite(SampleAArch64Module());
  const ReadMachO clean = MustRead(w.image);
  const uint32_t code_limit = clean.signature->code_directory->code_limit;
  // A code byte, a header byte (flags) and the last signed byte: each breaks its own page only.
  for (uint64_t offset : {w.layout.functions[0].offset, uint64_t{24}, uint64_t{code_limit - 1}}) {
    std::string image = w.image;
    image[offset] ^= 0x01;
    absl::StatusOr<ReadMachO> m = ReadMachOImage(image);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(WrongPages(*m), std::vector<uint32_t>{static_cast<uint32_t>(offset / 4096)})
        << "offset " << offset;
  }
  // A corrupted stored hash is a mismatch too.
  std::string image = w.image;
  const uint64_t hash0 =
      clean.code_signature_command->offset + 20 + clean.signature->code_directory->hash_offset;
  image[hash0 + 5] ^= 0x80;
  absl::StatusOr<ReadMachO> m = ReadMachOImage(image);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(WrongPages(*m), std::vector<uint32_t>{0});
}

TEST(MachOWriterTest, SignatureIsBigEndianOnTheWire) {
  const WrittenDylib w = MustWrite(SampleX86Module());
  const std::string_view sig = std::string_view(w.image).substr(w.signature_offset);
  EXPECT_EQ(sig.substr(0, 4), std::string_view("\xfa\xde\x0c\xc0", 4));
  EXPECT_EQ(sig.substr(20, 4), std::string_view("\xfa\xde\x0c\x02", 4));
  EXPECT_EQ(sig.substr(28, 4), std::string_view("\x00\x02\x04\x00", 4));  // version 0x20400
}

// --- Layout planning. ---------------------------------------------------------------------

TEST(MachOWriterTest, PlanMatchesWriteAndIgnoresCodeBytes) {
  for (ModuleSpec spec : Samples()) {
    const WrittenDylib w = MustWrite(spec);
    for (objfile::Function& f : spec.functions) {
      std::fill(f.code.begin(), f.code.end(), 0);
      f.fixups.clear();
    }
    spec.data_table_init.clear();
    absl::StatusOr<ModuleLayout> plan = objfile::PlanMachODylibLayout(spec, Options());
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->text_offset, w.layout.text_offset);
    EXPECT_EQ(plan->text_size, w.layout.text_size);
    EXPECT_EQ(plan->data_table_offset, w.layout.data_table_offset);
    EXPECT_EQ(plan->file_size, w.layout.file_size);
    EXPECT_EQ(plan->memory_size, w.layout.memory_size);
    ASSERT_EQ(plan->functions.size(), w.layout.functions.size());
    for (size_t i = 0; i < plan->functions.size(); ++i) {
      EXPECT_EQ(plan->functions[i].offset, w.layout.functions[i].offset);
      EXPECT_EQ(plan->functions[i].symbol, w.layout.functions[i].symbol);
    }
  }
}

// --- Bad input: an error status, never a crash. -------------------------------------------

TEST(MachOWriterTest, BadSpecsAreRejected) {
  auto expect_invalid = [](const ModuleSpec& spec, const MachODylibOptions& options,
                           const char* why) {
    absl::StatusOr<WrittenDylib> w = objfile::WriteMachODylib(spec, options);
    EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument) << why;
    EXPECT_FALSE(objfile::PlanMachODylibLayout(spec, options).ok()) << why;
  };
  {
    ModuleSpec s = SampleX86Module();
    s.functions[0].code.clear();
    expect_invalid(s, Options(), "empty code");
  }
  {
    ModuleSpec s = SampleX86Module();
    s.functions[0].alignment = 24;
    expect_invalid(s, Options(), "alignment not a power of two");
  }
  {
    ModuleSpec s = SampleX86Module();
    s.functions[0].alignment = 8192;
    expect_invalid(s, Options(), "alignment too large");
  }
  {
    ModuleSpec s = SampleAArch64Module();
    s.functions[0].alignment = 2;
    expect_invalid(s, Options(), "arm64 alignment < 4");
  }
  {
    ModuleSpec s = SampleX86Module();
    s.arch = Arch::kAArch64;
    s.functions[0].alignment = 16;
    expect_invalid(s, Options(), "x86 fixups in an arm64 module");
  }
  {
    ModuleSpec s = SampleX86Module();
    s.functions[1].fixups[0].index = 99;
    expect_invalid(s, Options(), "table word out of range");
  }
  {
    ModuleSpec s = SampleX86Module();
    s.functions[kAnswerPlusOne].fixups[0].index = 99;
    expect_invalid(s, Options(), "function out of range");
  }
  {
    ModuleSpec s = SampleX86Module();
    s.data_table_init.assign(kSampleTableWords + 1, 1);
    expect_invalid(s, Options(), "table init larger than the table");
  }
  {
    ModuleSpec s = SampleX86Module();
    s.arch = static_cast<Arch>(7);
    expect_invalid(s, Options(), "unknown architecture");
  }
  expect_invalid(SampleX86Module(), Options(""), "empty install name");
  expect_invalid(SampleX86Module(), Options(std::string("/tmp/a\0b.dylib", 14)),
                 "NUL in the install name");
  expect_invalid(SampleX86Module(), Options("/tmp/" + std::string(2000, 'x')),
                 "install name too long");
  expect_invalid(SampleX86Module(), Options("/tmp/dir/"), "install name ends with '/'");
  {
    MachODylibOptions o = Options();
    o.identifier = "a/b";
    expect_invalid(SampleX86Module(), o, "'/' in the identifier");
  }
  {
    MachODylibOptions o = Options();
    o.min_os = objfile::macho::PackVersion(0, 5, 0);
    expect_invalid(SampleX86Module(), o, "no major version");
  }
}

TEST(MachOWriterTest, BadFixupsAreRejectedAtWriteTime) {
  ModuleSpec s = SampleAArch64Module();
  // ADRP fixup on an instruction that is not ADRP.
  s.functions[kA64TableRef].fixups[0].offset = 4;
  absl::StatusOr<WrittenDylib> w = objfile::WriteMachODylib(s, Options());
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  ModuleSpec x = SampleX86Module();
  x.functions[kAnswer].fixups.push_back(
      Fixup{FixupKind::kX86Pc32, 5, FixupTarget::kDataTable, 0, -4});  // past the end
  w = objfile::WriteMachODylib(x, Options());
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Export trie. -------------------------------------------------------------------------

ReadMachO ReadTrieOnly(const std::string& trie, std::string& holder) {
  // A minimal container the reader accepts: header + LC_DYLD_INFO_ONLY pointing at the trie.
  holder.assign(32 + 48, '\0');
  auto put32 = [&](size_t at, uint32_t v) { std::memcpy(holder.data() + at, &v, 4); };
  put32(0, mv::kMagic64);
  put32(16, 1);
  put32(20, 48);
  put32(32, mv::kLcDyldInfoOnly);
  put32(36, 48);
  put32(32 + 8 + 32, 80);  // export_off
  put32(32 + 8 + 36, static_cast<uint32_t>(trie.size()));
  holder += trie;
  return MustRead(holder);
}

TEST(MachOExportTrieTest, PrefixesAndLargeTries) {
  std::vector<objfile::ExportTrieEntry> entries = {
      {"_a", 0x10}, {"_ab", 0x20}, {"_abc", 0x4000}, {"_b", 0x123456789}, {"_abd", 0}};
  for (int i = 0; i < 500; ++i) entries.push_back({absl::StrCat("_maru_f_fn", i), 64u * i});
  absl::StatusOr<std::string> trie = objfile::BuildExportTrie(entries);
  ASSERT_TRUE(trie.ok()) << trie.status();
  EXPECT_EQ(trie->size() % 8, 0u);
  EXPECT_GT(trie->size(), 128u) << "child offsets need multi-byte ULEB128s";
  std::string holder;
  const ReadMachO m = ReadTrieOnly(*trie, holder);
  std::map<std::string, uint64_t> expected, found;
  for (const auto& e : entries) expected[e.name] = e.address;
  for (const MachOExport& e : m.exports) found[e.name] = e.address;
  EXPECT_EQ(found, expected);
  EXPECT_EQ(m.exports.size(), entries.size());
}

TEST(MachOExportTrieTest, EmptyTrieAndBadNames) {
  absl::StatusOr<std::string> empty = objfile::BuildExportTrie({});
  ASSERT_TRUE(empty.ok());
  std::string holder;
  EXPECT_TRUE(ReadTrieOnly(*empty, holder).exports.empty());
  EXPECT_FALSE(objfile::BuildExportTrie({{"_x", 1}, {"_x", 2}}).ok()) << "duplicate";
  EXPECT_FALSE(objfile::BuildExportTrie({{"", 1}}).ok()) << "empty name";
  EXPECT_FALSE(objfile::BuildExportTrie({{std::string("_a\0b", 4), 1}}).ok()) << "NUL";
  // Insertion order does not matter.
  absl::StatusOr<std::string> ab = objfile::BuildExportTrie({{"_a", 1}, {"_b", 2}});
  absl::StatusOr<std::string> ba = objfile::BuildExportTrie({{"_b", 2}, {"_a", 1}});
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_EQ(*ab, *ba);
}

// --- Fresh files. -------------------------------------------------------------------------

std::string TestDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

TEST(MachOFreshFileTest, EachModuleGetsANewPathNamedInsideTheImage) {
  const std::string dir = TestDir();
  absl::StatusOr<objfile::SavedDylib> a =
      objfile::WriteMachODylibToFreshFile(SampleAArch64Module(), dir);
  absl::StatusOr<objfile::SavedDylib> b =
      objfile::WriteMachODylibToFreshFile(SampleAArch64Module(), dir);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(a->path, b->path);
  for (const objfile::SavedDylib* saved : {&*a, &*b}) {
    EXPECT_EQ(saved->path.rfind(dir + "/maru-jit-", 0), 0u) << saved->path;
    EXPECT_TRUE(saved->path.ends_with(".dylib")) << saved->path;
    std::ifstream in(saved->path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    EXPECT_EQ(contents.str(), saved->dylib.image);
    const ReadMachO m = MustRead(saved->dylib.image);
    ASSERT_TRUE(m.id_dylib.has_value());
    EXPECT_EQ(m.id_dylib->name, saved->path);
    EXPECT_EQ(m.signature->code_directory->identifier,
              saved->path.substr(saved->path.rfind('/') + 1));
    EXPECT_TRUE(WrongPages(m).empty());
    struct stat st;
    ASSERT_EQ(stat(saved->path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  EXPECT_NE(MustRead(a->dylib.image).uuid, MustRead(b->dylib.image).uuid);
  unlink(a->path.c_str());
  unlink(b->path.c_str());
}

TEST(MachOFreshFileTest, ErrorsLeaveNoFile) {
  EXPECT_FALSE(objfile::WriteMachODylibToFreshFile(SampleX86Module(), "").ok());
  EXPECT_EQ(objfile::WriteMachODylibToFreshFile(SampleX86Module(), TestDir() + "/no/such/dir")
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
  // A bad spec: the reserved file is removed again.
  const std::string dir = TestDir() + "/fresh-errors";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  ModuleSpec bad = SampleX86Module();
  bad.functions[0].code.clear();
  EXPECT_EQ(objfile::WriteMachODylibToFreshFile(bad, dir).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rmdir(dir.c_str()), 0) << "the directory should be empty again";
}

// The signer on its own: sizes are what AdHocSignatureSize promised, and bad identifiers fail.
TEST(CodeSignatureTest, SizeAndIdentifierRules) {
  for (uint64_t limit : {0, 1, 4095, 4096, 4097, 100000}) {
    const std::string bytes(limit, 'x');
    objfile::CodeSignatureParams params;
    params.identifier = "m.dylib";
    absl::StatusOr<std::string> sig = objfile::BuildAdHocSignature(bytes, params);
    ASSERT_TRUE(sig.ok()) << sig.status();
    EXPECT_EQ(sig->size(), objfile::AdHocSignatureSize(limit, "m.dylib"));
    EXPECT_EQ(sig->size() % 16, 0u);
  }
  objfile::CodeSignatureParams params;
  EXPECT_FALSE(objfile::BuildAdHocSignature("abc", params).ok()) << "empty identifier";
  params.identifier = std::string("a\0b", 3);
  EXPECT_FALSE(objfile::BuildAdHocSignature("abc", params).ok()) << "NUL in identifier";
}

}  // namespace
}  // namespace maru::objfile_test
