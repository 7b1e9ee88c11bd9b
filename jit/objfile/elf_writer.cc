#include "jit/objfile/elf_writer.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "jit/objfile/elf_format.h"
#include "jit/objfile/elf_hash.h"
#include "jit/objfile/fixups.h"
#include "jit/objfile/symbol_mangling.h"

namespace maru::jit::objfile {
namespace {

constexpr uint64_t kX86SegmentAlign = 0x1000;
constexpr uint64_t kAArch64SegmentAlign = 0x10000;
constexpr uint64_t kDataTableAlign = 16;

constexpr int kProgramHeaderCount = 5;  // LOAD R, LOAD RX, LOAD RW, DYNAMIC, GNU_STACK

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

// Section indices; .gnu.hash is absent without spec.gnu_hash and later indices shift down.
struct SectionIndices {
  uint16_t hash = 1, gnu_hash = 0, dynsym, dynstr, text, dynamic, data, shstrtab, count;
  explicit SectionIndices(bool with_gnu_hash) {
    uint16_t next = 2;
    if (with_gnu_hash) gnu_hash = next++;
    dynsym = next++;
    dynstr = next++;
    text = next++;
    dynamic = next++;
    data = next++;
    shstrtab = next++;
    count = next;
  }
};

struct ExportedSymbol {
  std::string name;
  int function = -1;  // index into spec.functions; -1 for the data table
  uint32_t gnu_bucket = 0;
  uint32_t name_offset = 0;
  uint64_t value = 0;
  uint64_t size = 0;
};

// Everything about the image except the bytes of code and table.
struct Plan {
  ModuleLayout layout;
  SectionIndices sections{true};
  std::vector<ExportedSymbol> symbols;  // in .dynsym order, from index 1
  std::string dynstr;
  std::vector<uint32_t> sysv_hash;
  std::string gnu_hash;
  std::vector<elf::Dynamic> dynamic;
  std::string shstrtab;
  std::vector<uint32_t> section_name;  // offset in shstrtab, by section index
  // File offsets (f_*) and sizes.
  uint64_t f_hash = 0, f_gnu_hash = 0, f_dynsym = 0, f_dynstr = 0, r_end = 0;
  uint64_t f_text = 0;
  std::vector<uint64_t> f_function;
  uint64_t f_data = 0, f_dynamic = 0, f_table = 0;
  uint64_t f_shstrtab = 0, f_shdrs = 0;
  uint32_t text_align = 1;
};

absl::StatusOr<Plan> MakePlan(const ModuleSpec& spec) {
  if (absl::Status s = ValidateModuleSpec(spec); !s.ok()) return s;
  Plan plan;
  plan.sections = SectionIndices(spec.gnu_hash);
  ModuleLayout& layout = plan.layout;
  layout.arch = spec.arch;
  const uint64_t seg_align = spec.arch == Arch::kX86_64 ? kX86SegmentAlign : kAArch64SegmentAlign;
  layout.segment_alignment = seg_align;

  // Symbols, in .dynsym order (GNU hash needs them grouped by bucket).
  std::vector<std::string_view> function_names;
  function_names.reserve(spec.functions.size());
  for (const Function& f : spec.functions) function_names.push_back(f.name);
  std::vector<std::string> mangled = MangleUniqueFunctionNames(function_names);
  plan.symbols.reserve(spec.functions.size() + 1);
  for (size_t i = 0; i < mangled.size(); ++i) {
    plan.symbols.push_back({std::move(mangled[i]), static_cast<int>(i)});
  }
  if (spec.data_table_words > 0) plan.symbols.push_back({std::string(kDataTableSymbol), -1});
  const uint32_t gnu_buckets = GnuHashBucketCount(plan.symbols.size());
  if (spec.gnu_hash) {
    for (ExportedSymbol& s : plan.symbols) s.gnu_bucket = GnuHash(s.name) % gnu_buckets;
    std::stable_sort(plan.symbols.begin(), plan.symbols.end(),
                     [](const ExportedSymbol& a, const ExportedSymbol& b) {
                       return a.gnu_bucket < b.gnu_bucket;
                     });
  }
  plan.dynstr.push_back('\0');
  std::vector<std::string_view> table_names = {""};  // by .dynsym index
  for (ExportedSymbol& s : plan.symbols) {
    s.name_offset = static_cast<uint32_t>(plan.dynstr.size());
    plan.dynstr.append(s.name);
    plan.dynstr.push_back('\0');
    table_names.push_back(s.name);
  }
  plan.sysv_hash = BuildSysvHashTable(table_names);
  if (spec.gnu_hash) plan.gnu_hash = BuildGnuHashTable(table_names, 1, gnu_buckets);

  // R segment.
  uint64_t off = sizeof(elf::FileHeader) + kProgramHeaderCount * sizeof(elf::ProgramHeader);
  plan.f_hash = off = AlignUp(off, 8);
  off += plan.sysv_hash.size() * 4;
  if (spec.gnu_hash) {
    plan.f_gnu_hash = off = AlignUp(off, 8);
    off += plan.gnu_hash.size();
  }
  plan.f_dynsym = off = AlignUp(off, 8);
  off += table_names.size() * sizeof(elf::Symbol);
  plan.f_dynstr = off;
  off += plan.dynstr.size();
  plan.r_end = off;

  // R+X segment: file offset aligned for the strictest function; address on a fresh p_align
  // boundary with the same residue.
  plan.text_align = 16;
  for (const Function& f : spec.functions) plan.text_align = std::max(plan.text_align, f.alignment);
  plan.f_text = off = AlignUp(off, plan.text_align);
  const uint64_t text_vaddr = AlignUp(plan.r_end, seg_align) + plan.f_text % seg_align;
  plan.f_function.reserve(spec.functions.size());
  layout.functions.reserve(spec.functions.size());
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    const Function& f = spec.functions[i];
    off = AlignUp(off, f.alignment);
    plan.f_function.push_back(off);
    layout.functions.push_back({"", text_vaddr + (off - plan.f_text), f.code.size()});
    off += f.code.size();
    if (off > kMaxModuleMemorySize) return absl::InvalidArgumentError("module code too large");
  }
  if (spec.functions.empty()) off += 1;  // keep the segment non-empty (one trap byte)
  layout.text_offset = text_vaddr;
  layout.text_size = off - plan.f_text;
  const uint64_t text_end_vaddr = text_vaddr + layout.text_size;

  // RW segment: .dynamic then the table.
  plan.dynamic = {{elf::kDtHash, 0}};
  if (spec.gnu_hash) plan.dynamic.push_back({elf::kDtGnuHash, 0});
  plan.dynamic.push_back({elf::kDtStrtab, 0});
  plan.dynamic.push_back({elf::kDtSymtab, 0});
  plan.dynamic.push_back({elf::kDtStrsz, plan.dynstr.size()});
  plan.dynamic.push_back({elf::kDtSyment, sizeof(elf::Symbol)});
  plan.dynamic.push_back({elf::kDtNull, 0});
  for (elf::Dynamic& d : plan.dynamic) {
    // The R segment is at address 0, so its file offsets are its addresses.
    if (d.tag == elf::kDtHash) d.value = plan.f_hash;
    if (d.tag == elf::kDtGnuHash) d.value = plan.f_gnu_hash;
    if (d.tag == elf::kDtStrtab) d.value = plan.f_dynstr;
    if (d.tag == elf::kDtSymtab) d.value = plan.f_dynsym;
  }
  plan.f_data = plan.f_dynamic = off = AlignUp(off, kDataTableAlign);
  const uint64_t data_vaddr = AlignUp(text_end_vaddr, seg_align) + plan.f_data % seg_align;
  off += plan.dynamic.size() * sizeof(elf::Dynamic);
  plan.f_table = off = AlignUp(off, kDataTableAlign);
  off += spec.data_table_words * 8;
  layout.data_offset = data_vaddr;
  layout.data_size = off - plan.f_data;
  layout.data_table_offset = data_vaddr + (plan.f_table - plan.f_data);
  layout.data_table_words = spec.data_table_words;
  if (spec.data_table_words > 0) layout.data_table_symbol = std::string(kDataTableSymbol);
  layout.memory_size = data_vaddr + layout.data_size;
  if (layout.memory_size > kMaxModuleMemorySize)
    return absl::InvalidArgumentError("module too large");

  // Section names and headers (not loaded).
  const char* const kNames[] = {".hash", ".gnu.hash", ".dynsym", ".dynstr",
                                ".text", ".dynamic",  ".data",   ".shstrtab"};
  plan.shstrtab.push_back('\0');
  plan.section_name.assign(plan.sections.count, 0);
  const uint16_t indices[] = {plan.sections.hash,   plan.sections.gnu_hash, plan.sections.dynsym,
                              plan.sections.dynstr, plan.sections.text,     plan.sections.dynamic,
                              plan.sections.data,   plan.sections.shstrtab};
  for (int i = 0; i < 8; ++i) {
    if (indices[i] == 0) continue;
    plan.section_name[indices[i]] = static_cast<uint32_t>(plan.shstrtab.size());
    plan.shstrtab.append(kNames[i]);
    plan.shstrtab.push_back('\0');
  }
  plan.f_shstrtab = off;
  off += plan.shstrtab.size();
  plan.f_shdrs = off = AlignUp(off, 8);
  off += plan.sections.count * sizeof(elf::SectionHeader);
  layout.file_size = off;

  // Symbol values, and the layout's names.
  for (ExportedSymbol& s : plan.symbols) {
    if (s.function >= 0) {
      FunctionLayout& fl = layout.functions[s.function];
      fl.symbol = s.name;
      s.value = fl.offset;
      s.size = fl.size;
    } else {
      s.value = layout.data_table_offset;
      s.size = spec.data_table_words * 8;
    }
  }
  return plan;
}

template <typename T>
void Put(std::string& image, uint64_t offset, const T& value) {
  std::memcpy(image.data() + offset, &value, sizeof(T));
}

void WriteHeaders(const ModuleSpec& spec, const Plan& plan, std::string& image) {
  const ModuleLayout& layout = plan.layout;
  elf::FileHeader eh{};
  std::memcpy(eh.ident, elf::kMagic, 4);
  eh.ident[elf::kIdentClass] = elf::kClass64;
  eh.ident[elf::kIdentData] = elf::kData2Lsb;
  eh.ident[elf::kIdentVersion] = elf::kVersionCurrent;
  eh.ident[elf::kIdentOsAbi] = elf::kOsAbiSysV;
  eh.type = elf::kTypeDyn;
  eh.machine = spec.arch == Arch::kX86_64 ? elf::kMachineX86_64 : elf::kMachineAArch64;
  eh.version = elf::kVersionCurrent;
  eh.phoff = sizeof(elf::FileHeader);
  eh.shoff = plan.f_shdrs;
  eh.ehsize = sizeof(elf::FileHeader);
  eh.phentsize = sizeof(elf::ProgramHeader);
  eh.phnum = kProgramHeaderCount;
  eh.shentsize = sizeof(elf::SectionHeader);
  eh.shnum = plan.sections.count;
  eh.shstrndx = plan.sections.shstrtab;
  Put(image, 0, eh);

  const uint64_t dynamic_size = plan.dynamic.size() * sizeof(elf::Dynamic);
  const uint64_t a = layout.segment_alignment;
  const elf::ProgramHeader ph[kProgramHeaderCount] = {
      {elf::kPtLoad, elf::kPfR, 0, 0, 0, plan.r_end, plan.r_end, a},
      {elf::kPtLoad, elf::kPfR | elf::kPfX, plan.f_text, layout.text_offset, layout.text_offset,
       layout.text_size, layout.text_size, a},
      {elf::kPtLoad, elf::kPfR | elf::kPfW, plan.f_data, layout.data_offset, layout.data_offset,
       layout.data_size, layout.data_size, a},
      {elf::kPtDynamic, elf::kPfR | elf::kPfW, plan.f_dynamic, layout.data_offset,
       layout.data_offset, dynamic_size, dynamic_size, 8},
      {elf::kPtGnuStack, elf::kPfR | elf::kPfW, 0, 0, 0, 0, 0, 16},
  };
  for (int i = 0; i < kProgramHeaderCount; ++i) {
    Put(image, sizeof(elf::FileHeader) + i * sizeof(elf::ProgramHeader), ph[i]);
  }

  const SectionIndices& si = plan.sections;
  std::vector<elf::SectionHeader> sh(si.count, elf::SectionHeader{});
  auto section = [&](uint16_t index, uint32_t type, uint64_t flags, uint64_t addr, uint64_t offset,
                     uint64_t size, uint32_t link, uint32_t info, uint64_t align,
                     uint64_t entsize) {
    sh[index] = {
        plan.section_name[index], type, flags, addr, offset, size, link, info, align, entsize};
  };
  const uint64_t symbols = plan.symbols.size() + 1;
  section(si.hash, elf::kShtHash, elf::kShfAlloc, plan.f_hash, plan.f_hash,
          plan.sysv_hash.size() * 4, si.dynsym, 0, 8, 4);
  if (si.gnu_hash != 0) {
    section(si.gnu_hash, elf::kShtGnuHash, elf::kShfAlloc, plan.f_gnu_hash, plan.f_gnu_hash,
            plan.gnu_hash.size(), si.dynsym, 0, 8, 0);
  }
  section(si.dynsym, elf::kShtDynsym, elf::kShfAlloc, plan.f_dynsym, plan.f_dynsym,
          symbols * sizeof(elf::Symbol), si.dynstr, 1, 8, sizeof(elf::Symbol));
  section(si.dynstr, elf::kShtStrtab, elf::kShfAlloc, plan.f_dynstr, plan.f_dynstr,
          plan.dynstr.size(), 0, 0, 1, 0);
  section(si.text, elf::kShtProgbits, elf::kShfAlloc | elf::kShfExecInstr, layout.text_offset,
          plan.f_text, layout.text_size, 0, 0, plan.text_align, 0);
  section(si.dynamic, elf::kShtDynamic, elf::kShfAlloc | elf::kShfWrite, layout.data_offset,
          plan.f_dynamic, dynamic_size, si.dynstr, 0, 8, sizeof(elf::Dynamic));
  section(si.data, elf::kShtProgbits, elf::kShfAlloc | elf::kShfWrite, layout.data_table_offset,
          plan.f_table, layout.data_table_words * 8, 0, 0, kDataTableAlign, 0);
  section(si.shstrtab, elf::kShtStrtab, 0, 0, plan.f_shstrtab, plan.shstrtab.size(), 0, 0, 1, 0);
  std::memcpy(image.data() + plan.f_shdrs, sh.data(), sh.size() * sizeof(elf::SectionHeader));
  std::memcpy(image.data() + plan.f_shstrtab, plan.shstrtab.data(), plan.shstrtab.size());
}

void WriteDynamicTables(const Plan& plan, std::string& image) {
  std::memcpy(image.data() + plan.f_hash, plan.sysv_hash.data(), plan.sysv_hash.size() * 4);
  std::memcpy(image.data() + plan.f_gnu_hash, plan.gnu_hash.data(), plan.gnu_hash.size());
  // Entry 0 stays all-zero (the null symbol).
  uint64_t at = plan.f_dynsym + sizeof(elf::Symbol);
  for (const ExportedSymbol& s : plan.symbols) {
    elf::Symbol sym{};
    sym.name = s.name_offset;
    sym.info = elf::SymbolInfo(elf::kStbGlobal, s.function >= 0 ? elf::kSttFunc : elf::kSttObject);
    sym.other = elf::kStvDefault;
    // An ordinary section index: not SHN_UNDEF (undefined) nor SHN_ABS (glibc would not add
    // the load base).
    sym.shndx = s.function >= 0 ? plan.sections.text : plan.sections.data;
    sym.value = s.value;
    sym.size = s.size;
    Put(image, at, sym);
    at += sizeof(elf::Symbol);
  }
  std::memcpy(image.data() + plan.f_dynstr, plan.dynstr.data(), plan.dynstr.size());
  std::memcpy(image.data() + plan.f_dynamic, plan.dynamic.data(),
              plan.dynamic.size() * sizeof(elf::Dynamic));
}

absl::Status WriteCode(const ModuleSpec& spec, const Plan& plan, std::string& image) {
  if (spec.arch == Arch::kX86_64) {
    // int3 in every gap (AArch64 gaps stay zero: udf #0).
    std::memset(image.data() + plan.f_text, 0xcc, plan.layout.text_size);
  }
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    const Function& f = spec.functions[i];
    auto* dst = reinterpret_cast<uint8_t*>(image.data() + plan.f_function[i]);
    std::memcpy(dst, f.code.data(), f.code.size());
    const uint64_t function_offset = plan.layout.functions[i].offset;
    for (const Fixup& fx : f.fixups) {
      const uint64_t target = fx.target == FixupTarget::kFunction
                                  ? plan.layout.functions[fx.index].offset
                                  : plan.layout.data_table_offset + 8 * uint64_t{fx.index};
      absl::Status s =
          ApplyFixup(spec.arch, fx, target, function_offset, std::span(dst, f.code.size()));
      if (!s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("function ", i, " (", f.name, "): ", s.message()));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModuleLayout> PlanModuleLayout(const ModuleSpec& spec) {
  absl::StatusOr<Plan> plan = MakePlan(spec);
  if (!plan.ok()) return plan.status();
  return std::move(plan->layout);
}

absl::StatusOr<WrittenModule> WriteElfSharedObject(const ModuleSpec& spec) {
  absl::StatusOr<Plan> plan = MakePlan(spec);
  if (!plan.ok()) return plan.status();
  WrittenModule out;
  out.image.assign(plan->layout.file_size, '\0');
  WriteHeaders(spec, *plan, out.image);
  WriteDynamicTables(*plan, out.image);
  if (absl::Status s = WriteCode(spec, *plan, out.image); !s.ok()) return s;
  if (!spec.data_table_init.empty()) {
    std::memcpy(out.image.data() + plan->f_table, spec.data_table_init.data(),
                spec.data_table_init.size() * 8);
  }
  out.layout = std::move(plan->layout);
  return out;
}

}  // namespace maru::jit::objfile
