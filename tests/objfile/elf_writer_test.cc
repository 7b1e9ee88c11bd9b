// Structure of the images WriteElfSharedObject produces, read back with the independent reader
// (elf_reader.h), plus the symbol mangling scheme and spec/fixup error handling.
#include "jit/objfile/elf_writer.h"

#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "jit/objfile/elf_hash.h"
#include "jit/objfile/elf_validator.h"
#include "jit/objfile/symbol_mangling.h"
#include "tests/objfile/elf_reader.h"
#include "tests/objfile/sample_modules.h"

namespace maru::objfile_test {
namespace {

using objfile::Arch;
using objfile::Fixup;
using objfile::FixupKind;
using objfile::FixupTarget;
using objfile::ModuleLayout;
using objfile::ModuleSpec;
using objfile::WrittenModule;

WrittenModule MustWrite(const ModuleSpec& spec) {
  absl::StatusOr<WrittenModule> written = objfile::WriteElfSharedObject(spec);
  EXPECT_TRUE(written.ok()) << written.status();
  return written.ok() ? *std::move(written) : WrittenModule{};
}

ReadElf MustRead(const std::string& image) {
  absl::StatusOr<ReadElf> elf = ReadElfImage(image);
  EXPECT_TRUE(elf.ok()) << elf.status();
  return elf.ok() ? *std::move(elf) : ReadElf{};
}

const ReadSymbol* FindSymbol(const ReadElf& elf, std::string_view name) {
  for (const ReadSymbol& s : elf.dynsym) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

int32_t Disp32(const ReadElf& elf, uint64_t vaddr) {
  std::string_view b = elf.BytesAt(vaddr, 4);
  int32_t v = 0;
  if (b.size() == 4) std::memcpy(&v, b.data(), 4);
  return v;
}

uint32_t Insn(const ReadElf& elf, uint64_t vaddr) {
  return static_cast<uint32_t>(Disp32(elf, vaddr));
}

int64_t SignExtend(uint64_t v, int bits) {
  const uint64_t m = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ m) - m);
}

// Segment invariants shared by both architectures.
void CheckSegments(const ReadElf& elf, const ModuleLayout& layout, uint64_t align) {
  EXPECT_EQ(layout.segment_alignment, align);
  std::vector<Elf64_Phdr> loads = elf.Segments(PT_LOAD);
  ASSERT_EQ(loads.size(), 3u);
  EXPECT_EQ(loads[0].p_flags, uint32_t{PF_R});
  EXPECT_EQ(loads[1].p_flags, uint32_t{PF_R | PF_X});
  EXPECT_EQ(loads[2].p_flags, uint32_t{PF_R | PF_W});
  for (const Elf64_Phdr& p : elf.phdrs) {
    EXPECT_FALSE((p.p_flags & PF_W) && (p.p_flags & PF_X)) << "W+X segment of type " << p.p_type;
  }
  for (size_t i = 0; i < loads.size(); ++i) {
    const Elf64_Phdr& p = loads[i];
    EXPECT_EQ(p.p_align, align);
    EXPECT_EQ(p.p_offset % align, p.p_vaddr % align) << "PT_LOAD " << i;
    EXPECT_EQ(p.p_filesz, p.p_memsz);
    EXPECT_EQ(p.p_paddr, p.p_vaddr);
    EXPECT_LE(p.p_offset + p.p_filesz, elf.image.size());
    if (i > 0) {
      // Starts on a p_align boundary (page) no earlier segment touches.
      const Elf64_Phdr& q = loads[i - 1];
      EXPECT_GT(p.p_vaddr / align, (q.p_vaddr + q.p_memsz - 1) / align) << "PT_LOAD " << i;
    }
  }
  EXPECT_EQ(loads[0].p_offset, 0u);
  EXPECT_EQ(loads[0].p_vaddr, 0u);
  EXPECT_GE(loads[0].p_filesz, sizeof(Elf64_Ehdr) + elf.phdrs.size() * sizeof(Elf64_Phdr));
  EXPECT_EQ(loads[1].p_vaddr, layout.text_offset);
  EXPECT_EQ(loads[1].p_memsz, layout.text_size);
  EXPECT_EQ(loads[2].p_vaddr, layout.data_offset);
  EXPECT_EQ(loads[2].p_memsz, layout.data_size);
  EXPECT_EQ(layout.memory_size, loads[2].p_vaddr + loads[2].p_memsz);
  EXPECT_EQ(layout.file_size, elf.image.size());

  std::vector<Elf64_Phdr> dyn = elf.Segments(PT_DYNAMIC);
  ASSERT_EQ(dyn.size(), 1u);
  EXPECT_GE(dyn[0].p_vaddr, loads[2].p_vaddr);
  EXPECT_LE(dyn[0].p_vaddr + dyn[0].p_memsz, loads[2].p_vaddr + loads[2].p_memsz);
  EXPECT_EQ(dyn[0].p_offset - loads[2].p_offset, dyn[0].p_vaddr - loads[2].p_vaddr);
  std::vector<Elf64_Phdr> stack = elf.Segments(PT_GNU_STACK);
  ASSERT_EQ(stack.size(), 1u);
  EXPECT_EQ(stack[0].p_flags, uint32_t{PF_R | PF_W});
  EXPECT_EQ(elf.phdrs.size(), 5u);

  // Functions inside the text segment, in order, aligned, not overlapping; the table inside
  // the RW segment.
  uint64_t end = layout.text_offset;
  for (const objfile::FunctionLayout& f : layout.functions) {
    EXPECT_GE(f.offset, end);
    end = f.offset + f.size;
  }
  EXPECT_LE(end, layout.text_offset + layout.text_size);
  if (layout.data_table_words > 0) {
    EXPECT_EQ(layout.data_table_offset % 16, 0u);
    EXPECT_GE(layout.data_table_offset, dyn[0].p_vaddr + dyn[0].p_memsz);
    EXPECT_EQ(layout.data_table_offset + 8 * layout.data_table_words,
              loads[2].p_vaddr + loads[2].p_memsz);
  }
}

TEST(ElfWriterTest, HeaderFieldsX86) {
  const ModuleSpec spec = SampleX86Module();
  const WrittenModule w = MustWrite(spec);
  const ReadElf elf = MustRead(w.image);
  const Elf64_Ehdr& h = elf.ehdr;
  EXPECT_EQ(std::memcmp(h.e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(h.e_ident[EI_CLASS], ELFCLASS64);
  EXPECT_EQ(h.e_ident[EI_DATA], ELFDATA2LSB);
  EXPECT_EQ(h.e_ident[EI_VERSION], EV_CURRENT);
  EXPECT_EQ(h.e_ident[EI_OSABI], ELFOSABI_SYSV);
  EXPECT_EQ(h.e_ident[EI_ABIVERSION], 0);
  for (int i = EI_PAD; i < EI_NIDENT; ++i) EXPECT_EQ(h.e_ident[i], 0) << i;
  EXPECT_EQ(h.e_type, ET_DYN);
  EXPECT_EQ(h.e_machine, EM_X86_64);
  EXPECT_EQ(h.e_version, uint32_t{EV_CURRENT});
  EXPECT_EQ(h.e_entry, 0u);
  EXPECT_EQ(h.e_flags, 0u);
  EXPECT_EQ(h.e_phoff, sizeof(Elf64_Ehdr));
  EXPECT_EQ(h.e_ehsize, sizeof(Elf64_Ehdr));
  EXPECT_EQ(h.e_phentsize, sizeof(Elf64_Phdr));
  EXPECT_EQ(h.e_shentsize, sizeof(Elf64_Shdr));
  ASSERT_GT(h.e_shnum, 0);
  EXPECT_EQ(elf.section_names[h.e_shstrndx], ".shstrtab");
  EXPECT_EQ(w.layout.arch, Arch::kX86_64);
  // Small: a few hundred bytes of metadata plus the code; no page padding in the file.
  EXPECT_LT(w.image.size(), 2048u);
}

TEST(ElfWriterTest, SegmentsX86) {
  const WrittenModule w = MustWrite(SampleX86Module());
  CheckSegments(MustRead(w.image), w.layout, 0x1000);
}

TEST(ElfWriterTest, DynamicArray) {
  const WrittenModule w = MustWrite(SampleX86Module());
  const ReadElf elf = MustRead(w.image);
  ASSERT_FALSE(elf.dynamic.empty());
  EXPECT_EQ(elf.dynamic.back().d_tag, DT_NULL);
  std::set<int64_t> tags;
  for (const Elf64_Dyn& d : elf.dynamic) tags.insert(d.d_tag);
  EXPECT_EQ(tags, (std::set<int64_t>{DT_NULL, DT_HASH, DT_GNU_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ,
                                     DT_SYMENT}));
  EXPECT_EQ(elf.DynamicValue(DT_SYMENT), sizeof(Elf64_Sym));
  // The lookup tables are in the read-only segment.
  const Elf64_Phdr r = elf.Segments(PT_LOAD)[0];
  for (int64_t tag : {DT_HASH, DT_GNU_HASH, DT_STRTAB, DT_SYMTAB}) {
    const uint64_t v = *elf.DynamicValue(tag);
    EXPECT_LT(v, r.p_vaddr + r.p_memsz) << tag;
  }
  // The string table ends with a NUL and holds exactly the symbol names.
  const std::string_view strtab =
      elf.BytesAt(*elf.DynamicValue(DT_STRTAB), *elf.DynamicValue(DT_STRSZ));
  ASSERT_FALSE(strtab.empty());
  EXPECT_EQ(strtab.back(), '\0');
}

TEST(ElfWriterTest, SymbolsX86) {
  const ModuleSpec spec = SampleX86Module();
  const WrittenModule w = MustWrite(spec);
  const ReadElf elf = MustRead(w.image);
  ASSERT_EQ(elf.dynsym.size(), spec.functions.size() + 2);  // null + functions + table
  const Elf64_Sym& null = elf.dynsym[0].sym;
  EXPECT_EQ(
      null.st_name | null.st_info | null.st_other | null.st_shndx | null.st_value | null.st_size,
      0u);

  const int text = elf.SectionIndex(".text");
  const int data = elf.SectionIndex(".data");
  ASSERT_GT(text, 0);
  ASSERT_GT(data, 0);
  std::set<std::string> names;
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    const objfile::FunctionLayout& fl = w.layout.functions[i];
    const ReadSymbol* s = FindSymbol(elf, fl.symbol);
    ASSERT_NE(s, nullptr) << fl.symbol;
    names.insert(s->name);
    EXPECT_EQ(s->sym.st_info, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC)) << s->name;
    EXPECT_EQ(s->sym.st_other, STV_DEFAULT);
    EXPECT_EQ(s->sym.st_shndx, text);
    EXPECT_EQ(s->sym.st_value, fl.offset);
    EXPECT_EQ(s->sym.st_size, spec.functions[i].code.size());
    EXPECT_EQ(fl.offset % spec.functions[i].alignment, 0u);
    // Code bytes are copied verbatim except for fixup fields.
    std::string_view code = elf.BytesAt(fl.offset, fl.size);
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
  EXPECT_EQ(names.size(), spec.functions.size()) << "symbols not unique";
  EXPECT_EQ(w.layout.functions[kAnswer].symbol, "maru_f_answer");
  EXPECT_EQ(w.layout.functions[kAnswerAgain].symbol, "maru_f_answer_1");
  EXPECT_EQ(w.layout.functions[kCallHelper].symbol, "maru_f_call_hhelper_b");
  EXPECT_EQ(w.layout.functions[kAdd].symbol, "maru_f__a");
  EXPECT_EQ(w.layout.functions[kAligned64].symbol, "maru_f_aligned_d64");
  EXPECT_EQ(w.layout.functions[kTableIsFive].symbol, "maru_f_five_p");
  EXPECT_EQ(w.layout.functions[kAligned64].offset % 64, 0u);

  const ReadSymbol* table = FindSymbol(elf, "maru_data_table");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(w.layout.data_table_symbol, "maru_data_table");
  EXPECT_EQ(table->sym.st_info, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT));
  EXPECT_EQ(table->sym.st_shndx, data);
  EXPECT_EQ(table->sym.st_value, w.layout.data_table_offset);
  EXPECT_EQ(table->sym.st_size, 8 * kSampleTableWords);
  uint64_t init = 0;
  std::memcpy(&init, elf.BytesAt(w.layout.data_table_offset + 8 * kSlotInit, 8).data(), 8);
  EXPECT_EQ(init, kInitValue);
  EXPECT_EQ(elf.BytesAt(w.layout.data_table_offset, 8), std::string(8, '\0'));
}

TEST(ElfWriterTest, X86FixupsResolveToTheirTargets) {
  const ModuleSpec spec = SampleX86Module();
  const WrittenModule w = MustWrite(spec);
  const ReadElf elf = MustRead(w.image);
  int checked = 0;
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    for (const Fixup& fx : spec.functions[i].fixups) {
      const uint64_t place = w.layout.functions[i].offset + fx.offset;
      const int64_t target = Disp32(elf, place) + static_cast<int64_t>(place) - fx.addend;
      const uint64_t expected = fx.target == FixupTarget::kFunction
                                    ? w.layout.functions[fx.index].offset
                                    : w.layout.data_table_offset + 8 * fx.index;
      EXPECT_EQ(static_cast<uint64_t>(target), expected) << spec.functions[i].name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6);
  // Gaps between functions are int3.
  for (size_t i = 0; i + 1 < spec.functions.size(); ++i) {
    const uint64_t gap_start = w.layout.functions[i].offset + w.layout.functions[i].size;
    const uint64_t gap = w.layout.functions[i + 1].offset - gap_start;
    EXPECT_EQ(elf.BytesAt(gap_start, gap), std::string(gap, '\xcc'));
  }
}

TEST(ElfWriterTest, PlanMatchesWriteAndIgnoresCodeBytes) {
  ModuleSpec spec = SampleX86Module();
  absl::StatusOr<ModuleLayout> plan = objfile::PlanModuleLayout(spec);
  ASSERT_TRUE(plan.ok()) << plan.status();
  const WrittenModule w = MustWrite(spec);
  for (ModuleSpec s : {spec, spec}) {
    // Second round: placeholder bytes of the same sizes, no fixups.
    for (objfile::Function& f : s.functions) {
      std::fill(f.code.begin(), f.code.end(), 0x90);
      f.fixups.clear();
    }
    absl::StatusOr<ModuleLayout> p = objfile::PlanModuleLayout(s);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->data_table_offset, w.layout.data_table_offset);
    EXPECT_EQ(p->file_size, w.layout.file_size);
  }
  EXPECT_EQ(plan->text_offset, w.layout.text_offset);
  EXPECT_EQ(plan->text_size, w.layout.text_size);
  EXPECT_EQ(plan->data_offset, w.layout.data_offset);
  EXPECT_EQ(plan->data_table_offset, w.layout.data_table_offset);
  EXPECT_EQ(plan->memory_size, w.layout.memory_size);
  ASSERT_EQ(plan->functions.size(), w.layout.functions.size());
  for (size_t i = 0; i < plan->functions.size(); ++i) {
    EXPECT_EQ(plan->functions[i].offset, w.layout.functions[i].offset);
    EXPECT_EQ(plan->functions[i].symbol, w.layout.functions[i].symbol);
  }
}

TEST(ElfWriterTest, SectionHeadersDescribeTheSegments) {
  const WrittenModule w = MustWrite(SampleX86Module());
  const ReadElf elf = MustRead(w.image);
  EXPECT_EQ(std::set<std::string>(elf.section_names.begin(), elf.section_names.end()),
            (std::set<std::string>{"", ".hash", ".gnu.hash", ".dynsym", ".dynstr", ".text",
                                   ".dynamic", ".data", ".shstrtab"}));
  const Elf64_Shdr& text = elf.shdrs[elf.SectionIndex(".text")];
  EXPECT_EQ(text.sh_type, SHT_PROGBITS);
  EXPECT_EQ(text.sh_flags, uint64_t{SHF_ALLOC | SHF_EXECINSTR});
  EXPECT_EQ(text.sh_addr, w.layout.text_offset);
  EXPECT_EQ(text.sh_size, w.layout.text_size);
  const Elf64_Shdr& dynsym = elf.shdrs[elf.SectionIndex(".dynsym")];
  EXPECT_EQ(dynsym.sh_type, SHT_DYNSYM);
  EXPECT_EQ(dynsym.sh_link, static_cast<uint32_t>(elf.SectionIndex(".dynstr")));
  EXPECT_EQ(dynsym.sh_entsize, sizeof(Elf64_Sym));
  EXPECT_EQ(dynsym.sh_addr, *elf.DynamicValue(DT_SYMTAB));
  EXPECT_EQ(elf.shdrs[elf.SectionIndex(".hash")].sh_addr, *elf.DynamicValue(DT_HASH));
  EXPECT_EQ(elf.shdrs[elf.SectionIndex(".gnu.hash")].sh_type, uint32_t{SHT_GNU_HASH});
  EXPECT_EQ(elf.shdrs[elf.SectionIndex(".dynamic")].sh_type, uint32_t{SHT_DYNAMIC});
  // Every allocated section lies in a PT_LOAD at the matching file offset.
  for (size_t i = 0; i < elf.shdrs.size(); ++i) {
    const Elf64_Shdr& s = elf.shdrs[i];
    if (!(s.sh_flags & SHF_ALLOC)) continue;
    std::optional<uint64_t> off = elf.FileOffset(s.sh_addr, s.sh_size);
    ASSERT_TRUE(off.has_value()) << elf.section_names[i];
    EXPECT_EQ(*off, s.sh_offset) << elf.section_names[i];
  }
}

TEST(ElfWriterTest, HashTablesFindEverySymbol) {
  for (bool gnu : {true, false}) {
    for (int n : {0, 1, 2, 3, 4, 5, 10, 17, 64, 300}) {
      ModuleSpec spec = SmallX86Module(n);
      spec.gnu_hash = gnu;
      const WrittenModule w = MustWrite(spec);
      const ReadElf elf = MustRead(w.image);
      ASSERT_EQ(elf.dynsym.size(), static_cast<size_t>(n) + 2);
      EXPECT_EQ(elf.DynamicValue(DT_GNU_HASH).has_value(), gnu);
      EXPECT_EQ(elf.SectionIndex(".gnu.hash") > 0, gnu);
      for (uint32_t i = 1; i < elf.dynsym.size(); ++i) {
        EXPECT_EQ(elf.LookupSysv(elf.dynsym[i].name), i) << elf.dynsym[i].name;
        if (gnu) {
          EXPECT_EQ(elf.LookupGnu(elf.dynsym[i].name), i) << elf.dynsym[i].name;
        }
      }
      int bloom_passes = 0;
      for (int k = 0; k < 200; ++k) {
        const std::string absent = absl::StrCat("maru_f_absent", k);
        EXPECT_FALSE(elf.LookupSysv(absent).has_value());
        if (gnu) {
          EXPECT_FALSE(elf.LookupGnu(absent).has_value());
          bloom_passes += elf.GnuBloomMayContain(absent);
        }
      }
      EXPECT_FALSE(elf.LookupSysv("").has_value());
      EXPECT_LT(bloom_passes, 40) << "bloom filter lets too much through, n=" << n;
      EXPECT_TRUE(objfile::ValidateSharedObject(w.image, Arch::kX86_64).ok());
    }
  }
}

TEST(ElfWriterTest, HashFunctions) {
  // Published values (gABI hash / glibc dl_new_hash).
  EXPECT_EQ(objfile::SysvHash(""), 0u);
  EXPECT_EQ(objfile::SysvHash("printf"), 0x077905a6u);
  EXPECT_EQ(objfile::SysvHash("exit"), 0x0006cf04u);
  EXPECT_EQ(objfile::SysvHash("syscall"), 0x0b09985cu);
  EXPECT_EQ(objfile::GnuHash(""), 0x00001505u);
  EXPECT_EQ(objfile::GnuHash("printf"), 0x156b2bb8u);
  EXPECT_EQ(objfile::GnuHash("exit"), 0x7c967e3fu);
  EXPECT_EQ(objfile::GnuHash("syscall"), 0xbac212a0u);
  std::mt19937 rng(7);
  for (int i = 0; i < 1000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    EXPECT_EQ(objfile::SysvHash(s), ReferenceSysvHash(s));
    EXPECT_EQ(objfile::GnuHash(s), ReferenceGnuHash(s));
  }
}

std::string RunTool(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string WriteTempFile(const std::string& name, const std::string& bytes) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/", name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// binutils, where installed, as a second opinion: readelf must not warn, and objdump's
// disassembly must resolve the rel32 call and the rip-relative table references to our symbols.
TEST(ElfWriterTest, BinutilsAcceptTheImage) {
  if (access("/usr/bin/readelf", X_OK) != 0 || access("/usr/bin/objdump", X_OK) != 0) {
    GTEST_SKIP() << "binutils not installed";
  }
  const WrittenModule w = MustWrite(SampleX86Module());
  const std::string path = WriteTempFile("sample_x86.so", w.image);
  const std::string readelf = RunTool("/usr/bin/readelf -a -W " + path + " 2>&1");
  EXPECT_FALSE(absl::StrContains(readelf, "Warning")) << readelf;
  EXPECT_FALSE(absl::StrContains(readelf, "Error")) << readelf;
  EXPECT_TRUE(absl::StrContains(readelf, "DYN (Shared object file)")) << readelf;
  EXPECT_TRUE(absl::StrContains(readelf, "GNU_STACK")) << readelf;
  EXPECT_TRUE(absl::StrContains(readelf, "maru_f_answer_1")) << readelf;
  EXPECT_TRUE(absl::StrContains(readelf, "maru_data_table")) << readelf;
  const std::string objdump = RunTool("/usr/bin/objdump -d " + path + " 2>&1");
  EXPECT_TRUE(absl::StrContains(objdump, "<maru_f_answer>:")) << objdump;
  EXPECT_TRUE(absl::StrContains(objdump, "mov    $0x2a,%eax")) << objdump;
  EXPECT_TRUE(absl::StrContains(objdump, "<maru_f_answer>\n")) << "call target: " << objdump;
  EXPECT_TRUE(absl::StrContains(objdump, "<maru_data_table+0x10>")) << objdump;  // init-word
  EXPECT_TRUE(absl::StrContains(objdump, "<maru_data_table+0x8>")) << objdump;   // helper slot
  const std::string a64_path =
      WriteTempFile("sample_a64.so", MustWrite(SampleAArch64Module()).image);
  const std::string a64 = RunTool("/usr/bin/readelf -a -W " + a64_path + " 2>&1");
  EXPECT_FALSE(absl::StrContains(a64, "Warning")) << a64;
  EXPECT_TRUE(absl::StrContains(a64, "AArch64")) << a64;
}

TEST(ElfWriterTest, AArch64Module) {
  const ModuleSpec spec = SampleAArch64Module();
  const WrittenModule w = MustWrite(spec);
  const ReadElf elf = MustRead(w.image);
  EXPECT_EQ(elf.ehdr.e_machine, EM_AARCH64);
  EXPECT_EQ(elf.ehdr.e_type, ET_DYN);
  EXPECT_EQ(w.layout.arch, Arch::kAArch64);
  CheckSegments(elf, w.layout, 0x10000);
  EXPECT_TRUE(objfile::ValidateSharedObject(w.image, Arch::kAArch64).ok());
  EXPECT_FALSE(objfile::ValidateSharedObject(w.image, Arch::kX86_64).ok());

  const auto& fns = w.layout.functions;
  const uint64_t table = w.layout.data_table_offset;
  for (size_t i = 0; i < fns.size(); ++i) {
    EXPECT_EQ(fns[i].offset % 4, 0u);
    const ReadSymbol* s = FindSymbol(elf, fns[i].symbol);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->sym.st_value, fns[i].offset);
    EXPECT_EQ(elf.LookupGnu(fns[i].symbol).has_value(), true);
  }
  auto adr_imm = [](uint32_t insn) {
    return SignExtend((((insn >> 5) & 0x7ffff) << 2) | ((insn >> 29) & 3), 21);
  };
  // adrp + ldr: table word 1.
  {
    const uint64_t p = fns[kA64TableRef].offset;
    const uint32_t adrp = Insn(elf, p), ldr = Insn(elf, p + 4);
    EXPECT_EQ(adrp & 0x9f00001f, 0x90000000u);  // still ADRP x0
    EXPECT_EQ(ldr & 0xffc003ff, 0xf9400000u);   // still LDR x0, [x0, #imm]
    const uint64_t page = (p & ~uint64_t{0xfff}) + (adr_imm(adrp) << 12);
    EXPECT_EQ(page + ((ldr >> 10) & 0xfff) * 8, table + 8 * (kSlotValue + 1));
  }
  // adrp + add: the table.
  {
    const uint64_t p = fns[kA64TableAddress].offset;
    const uint32_t adrp = Insn(elf, p), add = Insn(elf, p + 4);
    const uint64_t page = (p & ~uint64_t{0xfff}) + (adr_imm(adrp) << 12);
    EXPECT_EQ(add & 0xffc003ff, 0x91000000u);
    EXPECT_EQ(page + ((add >> 10) & 0xfff), table);
  }
  // bl answer.
  {
    const uint64_t p = fns[kA64CallAnswer].offset + 4;
    const uint32_t bl = Insn(elf, p);
    EXPECT_EQ(bl & 0xfc000000, 0x94000000u);
    EXPECT_EQ(p + SignExtend(bl & 0x3ffffff, 26) * 4, fns[kA64Answer].offset);
  }
  // adr: the table.
  {
    const uint64_t p = fns[kA64AdrTable].offset;
    EXPECT_EQ(p + adr_imm(Insn(elf, p)), table);
  }
  // ldr literal: table word kSlotInit.
  {
    const uint64_t p = fns[kA64LdrLiteral].offset;
    const uint32_t ldr = Insn(elf, p);
    EXPECT_EQ(ldr & 0xff00001f, 0x58000000u);
    EXPECT_EQ(p + SignExtend((ldr >> 5) & 0x7ffff, 19) * 4, table + 8 * kSlotInit);
  }
  // Gaps are zero (udf #0).
  const uint64_t gap_start = fns[kA64Answer].offset + fns[kA64Answer].size;
  const uint64_t gap = fns[kA64TableRef].offset - gap_start;
  EXPECT_EQ(elf.BytesAt(gap_start, gap), std::string(gap, '\0'));
}

TEST(ElfWriterTest, EmptyModule) {
  for (Arch arch : {Arch::kX86_64, Arch::kAArch64}) {
    ModuleSpec spec;
    spec.arch = arch;
    const WrittenModule w = MustWrite(spec);
    const ReadElf elf = MustRead(w.image);
    EXPECT_EQ(elf.dynsym.size(), 1u);
    EXPECT_TRUE(w.layout.data_table_symbol.empty());
    EXPECT_TRUE(objfile::ValidateSharedObject(w.image, arch).ok());
  }
}

TEST(ElfWriterTest, ValidatorAcceptsManyShapes) {
  for (Arch arch : {Arch::kX86_64, Arch::kAArch64}) {
    for (bool gnu : {true, false}) {
      for (int n = 0; n < 40; ++n) {
        ModuleSpec spec = arch == Arch::kX86_64 ? SmallX86Module(n) : SampleAArch64Module();
        spec.gnu_hash = gnu;
        spec.data_table_words = n % 3 == 0 ? std::max<size_t>(spec.data_table_words, 0) : 8 + n;
        const WrittenModule w = MustWrite(spec);
        absl::Status s = objfile::ValidateSharedObject(w.image, arch);
        EXPECT_TRUE(s.ok()) << s << " n=" << n;
      }
    }
  }
}

// `layout_error`: PlanModuleLayout refuses the spec too (fixup contents are only checked when
// writing).
void ExpectInvalid(const ModuleSpec& spec, std::string_view fragment, bool layout_error = false) {
  absl::StatusOr<WrittenModule> w = objfile::WriteElfSharedObject(spec);
  ASSERT_FALSE(w.ok()) << fragment;
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(w.status().message(), std::string(fragment))) << w.status();
  EXPECT_EQ(objfile::PlanModuleLayout(spec).ok(), !layout_error) << fragment;
}

TEST(ElfWriterTest, RejectsBadSpecs) {
  const ModuleSpec good = SampleX86Module();
  {
    ModuleSpec s = good;
    s.functions[0].code.clear();
    ExpectInvalid(s, "has no code", true);
  }
  for (uint32_t a : {0u, 3u, 8192u}) {
    ModuleSpec s = good;
    s.functions[1].alignment = a;
    ExpectInvalid(s, "alignment", true);
  }
  {
    ModuleSpec s = SampleAArch64Module();
    s.functions[0].alignment = 2;
    ExpectInvalid(s, "alignment >= 4", true);
  }
  {
    ModuleSpec s = good;
    s.data_table_init.assign(kSampleTableWords + 1, 1);
    ExpectInvalid(s, "data_table_init", true);
  }
  {
    ModuleSpec s = good;
    s.functions[kTableRef].fixups[0].index = kSampleTableWords + 1;
    ExpectInvalid(s, "nonexistent table word", true);
  }
  {
    ModuleSpec s = good;  // one past the end is a valid address (e.g. an end pointer)
    s.functions[kTableAddress].fixups[0].index = kSampleTableWords;
    EXPECT_TRUE(objfile::WriteElfSharedObject(s).ok());
  }
  {
    ModuleSpec s = good;
    s.functions[kAnswerPlusOne].fixups[0].index = 99;
    ExpectInvalid(s, "nonexistent function", true);
  }
  {
    ModuleSpec s = good;
    s.functions[kTableRef].fixups[0].offset = 5;  // 5 + 4 > 8 bytes
    ExpectInvalid(s, "does not fit");
  }
  {
    ModuleSpec s = good;
    s.functions[kTableRef].fixups[0].kind = FixupKind::kAArch64Adr;
    ExpectInvalid(s, "not a fixup kind for x86-64");
  }
  {
    ModuleSpec s = good;
    s.functions[kTableRef].fixups[0].addend = int64_t{1} << 33;
    ExpectInvalid(s, "does not fit in 32 bits");
  }
  {
    ModuleSpec s = good;
    s.functions[kTableRef].fixups[0].addend = int64_t{1} << 50;
    ExpectInvalid(s, "addend out of range");
  }
  {
    ModuleSpec s = SampleAArch64Module();
    s.functions[kA64TableRef].code[3] = 0xd5;  // 0xd5000000: not ADRP
    ExpectInvalid(s, "instruction is not ADRP");
  }
  {
    ModuleSpec s = SampleAArch64Module();
    s.functions[kA64TableRef].fixups[1].addend = 4;  // LDR of a 4-misaligned word
    ExpectInvalid(s, "not 8-byte aligned");
  }
  {
    ModuleSpec s = SampleAArch64Module();
    s.functions[kA64CallAnswer].fixups[0].kind = FixupKind::kX86Pc32;
    ExpectInvalid(s, "not a fixup kind for aarch64");
  }
  {
    ModuleSpec s = SampleAArch64Module();
    s.functions[kA64AdrTable].fixups[0].addend = int64_t{1} << 21;  // beyond ADR's +-1 MiB
    ExpectInvalid(s, "out of range");
  }
}

TEST(SymbolManglingTest, Examples) {
  EXPECT_EQ(objfile::MangleFunctionName("fib"), "maru_f_fib");
  EXPECT_EQ(objfile::MangleFunctionName("set-car!"), "maru_f_set_hcar_b");
  EXPECT_EQ(objfile::MangleFunctionName("list->vector"), "maru_f_list_h_gvector");
  EXPECT_EQ(objfile::MangleFunctionName("<object>"), "maru_f__lobject_g");
  EXPECT_EQ(objfile::MangleFunctionName("a_b"), "maru_f_a__b");
  EXPECT_EQ(objfile::MangleFunctionName(""), "maru_f_");
  EXPECT_EQ(objfile::MangleFunctionName("x y"), "maru_f_x_x20y");
  EXPECT_EQ(objfile::MangleFunctionName("\xce\xbb"), "maru_f__xce_xbb");  // UTF-8 lambda
  EXPECT_EQ(objfile::MangleUniqueFunctionNames({"f", "g", "f", "", "f", ""}),
            (std::vector<std::string>{"maru_f_f", "maru_f_g", "maru_f_f_1", "maru_f_", "maru_f_f_2",
                                      "maru_f__1"}));
}

bool IsCIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

TEST(SymbolManglingTest, RandomNamesRoundTripUniquely) {
  std::mt19937 rng(1234);
  const std::string alphabet = "ab_-?!*+<>=/.:%&x0123456789 \x01\xff";
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 8, 'a');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    names.push_back(s);
  }
  std::vector<std::string_view> views(names.begin(), names.end());
  const std::vector<std::string> symbols = objfile::MangleUniqueFunctionNames(views);
  std::set<std::string> unique(symbols.begin(), symbols.end());
  EXPECT_EQ(unique.size(), symbols.size());
  EXPECT_EQ(unique.count("maru_data_table"), 0u);
  std::map<std::string, int> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_TRUE(IsCIdentifier(symbols[i])) << symbols[i];
    absl::StatusOr<objfile::DemangledName> d = objfile::DemangleFunctionSymbol(symbols[i]);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->name, names[i]);
    EXPECT_EQ(d->duplicate, seen[names[i]]++);
  }
}

TEST(SymbolManglingTest, DemangleRejectsForeignStrings) {
  for (const char* s : {"printf", "maru_data_table", "maru_f_a_", "maru_f_a_z", "maru_f_a_x4",
                        "maru_f_a_x41" /* 'A' has a shorter form */, "maru_f_a_0", "maru_f_a_01",
                        "maru_f_a_1b", "maru_f_a-b"}) {
    EXPECT_FALSE(objfile::DemangleFunctionSymbol(s).ok()) << s;
  }
}

}  // namespace
}  // namespace maru::objfile_test
