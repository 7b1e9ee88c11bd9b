#include "jit/gdb_jit.h"

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <mutex>

// The interface GDB looks for (names and layout fixed by GDB's documentation, "JIT Compilation
// Interface"): a descriptor holding a list of in-memory symbol files, and a function GDB puts a
// breakpoint on to learn of changes.
extern "C" {
struct jit_code_entry {
  jit_code_entry* next_entry;
  jit_code_entry* prev_entry;
  const char* symfile_addr;
  uint64_t symfile_size;
};
struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag;  // 0 nothing, 1 register, 2 unregister
  jit_code_entry* relevant_entry;
  jit_code_entry* first_entry;
};
[[gnu::noinline, gnu::used]] void __jit_debug_register_code() { asm volatile("" ::: "memory"); }
[[gnu::used]] jit_descriptor __jit_debug_descriptor = {1, 0, nullptr, nullptr};
}

namespace maru::jit {

namespace {

std::mutex& DebuggerMutex() {
  static std::mutex* mu = new std::mutex;
  return *mu;
}

// A minimal ELF file: no program headers; sections null, .text (NOBITS at the code's address),
// .symtab (one FUNC symbol), .strtab, .shstrtab.
std::string SymbolFile(const void* start, size_t size, const std::string& name) {
  const char kShstrtab[] = "\0.text\0.symtab\0.strtab\0.shstrtab";
  const uint32_t kText = 1, kSymtab = 7, kStrtab = 15, kShstr = 23;
  std::string strtab(1, '\0');
  strtab += name;
  strtab.push_back('\0');

  Elf64_Sym symbols[2] = {};
  symbols[1].st_name = 1;
  symbols[1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
  symbols[1].st_shndx = 1;
  symbols[1].st_value = reinterpret_cast<uintptr_t>(start);
  symbols[1].st_size = size;

  size_t symtab_offset = sizeof(Elf64_Ehdr);
  size_t strtab_offset = symtab_offset + sizeof symbols;
  size_t shstrtab_offset = strtab_offset + strtab.size();
  size_t sections_offset = (shstrtab_offset + sizeof kShstrtab + 7) & ~size_t{7};

  Elf64_Ehdr header = {};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS64;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  header.e_type = ET_EXEC;
#if defined(__aarch64__)
  header.e_machine = EM_AARCH64;
#else
  header.e_machine = EM_X86_64;
#endif
  header.e_version = EV_CURRENT;
  header.e_ehsize = sizeof(Elf64_Ehdr);
  header.e_shoff = sections_offset;
  header.e_shentsize = sizeof(Elf64_Shdr);
  header.e_shnum = 5;
  header.e_shstrndx = 4;

  Elf64_Shdr sections[5] = {};
  sections[1].sh_name = kText;
  sections[1].sh_type = SHT_NOBITS;
  sections[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
  sections[1].sh_addr = reinterpret_cast<uintptr_t>(start);
  sections[1].sh_size = size;
  sections[1].sh_addralign = 16;
  sections[2].sh_name = kSymtab;
  sections[2].sh_type = SHT_SYMTAB;
  sections[2].sh_offset = symtab_offset;
  sections[2].sh_size = sizeof symbols;
  sections[2].sh_link = 3;
  sections[2].sh_info = 1;  // index of the first global symbol
  sections[2].sh_addralign = 8;
  sections[2].sh_entsize = sizeof(Elf64_Sym);
  sections[3].sh_name = kStrtab;
  sections[3].sh_type = SHT_STRTAB;
  sections[3].sh_offset = strtab_offset;
  sections[3].sh_size = strtab.size();
  sections[3].sh_addralign = 1;
  sections[4].sh_name = kShstr;
  sections[4].sh_type = SHT_STRTAB;
  sections[4].sh_offset = shstrtab_offset;
  sections[4].sh_size = sizeof kShstrtab;
  sections[4].sh_addralign = 1;

  std::string file(sections_offset + sizeof sections, '\0');
  std::memcpy(file.data(), &header, sizeof header);
  std::memcpy(file.data() + symtab_offset, symbols, sizeof symbols);
  std::memcpy(file.data() + strtab_offset, strtab.data(), strtab.size());
  std::memcpy(file.data() + shstrtab_offset, kShstrtab, sizeof kShstrtab);
  std::memcpy(file.data() + sections_offset, sections, sizeof sections);
  return file;
}

struct Registration {
  jit_code_entry entry;
  std::string file;
};

}  // namespace

void* RegisterWithDebugger(const void* start, size_t size, const std::string& name) {
  auto* r = new Registration;
  r->file = SymbolFile(start, size, name);
  r->entry.symfile_addr = r->file.data();
  r->entry.symfile_size = r->file.size();
  std::lock_guard<std::mutex> lock(DebuggerMutex());
  r->entry.prev_entry = nullptr;
  r->entry.next_entry = __jit_debug_descriptor.first_entry;
  if (r->entry.next_entry != nullptr) r->entry.next_entry->prev_entry = &r->entry;
  __jit_debug_descriptor.first_entry = &r->entry;
  __jit_debug_descriptor.relevant_entry = &r->entry;
  __jit_debug_descriptor.action_flag = 1;
  __jit_debug_register_code();
  return r;
}

void UnregisterFromDebugger(void* handle) {
  auto* r = static_cast<Registration*>(handle);
  if (r == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(DebuggerMutex());
    if (r->entry.prev_entry != nullptr) {
      r->entry.prev_entry->next_entry = r->entry.next_entry;
    } else {
      __jit_debug_descriptor.first_entry = r->entry.next_entry;
    }
    if (r->entry.next_entry != nullptr) r->entry.next_entry->prev_entry = r->entry.prev_entry;
    __jit_debug_descriptor.relevant_entry = &r->entry;
    __jit_debug_descriptor.action_flag = 2;
    __jit_debug_register_code();
  }
  delete r;
}

}  // namespace maru::jit
