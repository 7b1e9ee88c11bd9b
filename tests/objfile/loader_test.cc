// Loading written modules into this process: running their code, the data table, the memfd and
// cache-file paths, and clean refusal of corrupted images.
#include <asmjit/x86.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "jit/objfile/elf_writer.h"
#include "jit/objfile/shared_object_loader.h"
#include "tests/objfile/elf_reader.h"
#include "tests/objfile/sample_modules.h"

namespace maru::objfile_test {
namespace {

using objfile::Arch;
using objfile::LoadedModule;
using objfile::LoadMethod;
using objfile::LoadOptions;
using objfile::ModuleSpec;
using objfile::WrittenModule;

#define SKIP_UNLESS_X86_64_HOST()                                         \
  if (objfile::HostArch() != Arch::kX86_64) {                             \
    GTEST_SKIP() << "the sample code is x86-64; this host cannot run it"; \
  }

WrittenModule MustWrite(const ModuleSpec& spec) {
  absl::StatusOr<WrittenModule> written = objfile::WriteElfSharedObject(spec);
  EXPECT_TRUE(written.ok()) << written.status();
  return written.ok() ? *std::move(written) : WrittenModule{};
}

std::string TestTmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

LoadOptions MemfdOnly(bool validate = true) {
  LoadOptions o;
  o.method = LoadOptions::Method::kMemfdOnly;
  o.validate = validate;
  return o;
}

int64_t Helper(int64_t x) { return 3 * x + 1; }

// One /proc/self/maps line.
struct Mapping {
  uintptr_t start = 0, end = 0;
  std::string perms, path;
};

std::vector<Mapping> ReadMaps() {
  std::vector<Mapping> out;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() < 5) continue;
    Mapping m;
    std::vector<std::string> range = absl::StrSplit(f[0], '-');
    m.start = std::stoull(range[0], nullptr, 16);
    m.end = std::stoull(range[1], nullptr, 16);
    m.perms = f[1];
    for (size_t i = 5; i < f.size(); ++i) absl::StrAppend(&m.path, i > 5 ? " " : "", f[i]);
    out.push_back(m);
  }
  return out;
}

const Mapping* MappingAt(const std::vector<Mapping>& maps, const void* p) {
  const auto a = reinterpret_cast<uintptr_t>(p);
  for (const Mapping& m : maps) {
    if (a >= m.start && a < m.end) return &m;
  }
  return nullptr;
}

template <typename Fn>
Fn* As(void* p) {
  return reinterpret_cast<Fn*>(p);
}

TEST(LoaderTest, RunsSampleX86Module) {
  SKIP_UNLESS_X86_64_HOST();
  const WrittenModule w = MustWrite(SampleX86Module());
  absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(w.image, "sample");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->loaded());
  EXPECT_EQ(m->method(), LoadMethod::kMemfd) << m->method_detail();
  EXPECT_TRUE(absl::StartsWith(m->path(), "/proc/self/fd/")) << m->path();
  EXPECT_TRUE(absl::StrContains(m->method_detail(), "memfd_create")) << m->method_detail();
  EXPECT_EQ(m->base() % w.layout.segment_alignment, 0u);

  // dlsym agrees with base + layout offset for every export.
  std::vector<void*> fn(kX86SampleCount);
  for (int i = 0; i < kX86SampleCount; ++i) {
    absl::StatusOr<void*> p = m->Symbol(w.layout.functions[i].symbol);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(*p, m->Address(w.layout.functions[i].offset)) << w.layout.functions[i].symbol;
    fn[i] = *p;
  }
  absl::StatusOr<void*> table_sym = m->Symbol("maru_data_table");
  ASSERT_TRUE(table_sym.ok()) << table_sym.status();
  EXPECT_EQ(*table_sym, m->Address(w.layout.data_table_offset));
  auto* table = static_cast<uint64_t*>(*table_sym);

  // The loader's job after dlopen: fill the table.
  EXPECT_EQ(table[kSlotInit], kInitValue);
  table[kSlotValue] = 1234;
  table[kSlotHelper] = reinterpret_cast<uint64_t>(&Helper);

  EXPECT_EQ(As<int()>(fn[kAnswer])(), 42);
  EXPECT_EQ(As<uint64_t()>(fn[kTableRef])(), 1234u);
  EXPECT_EQ(As<int64_t(int64_t)>(fn[kCallHelper])(5), 16);
  EXPECT_EQ(As<int64_t(int64_t, int64_t)>(fn[kAdd])(40, 2), 42);
  EXPECT_EQ(As<int()>(fn[kAnswerPlusOne])(), 43);
  EXPECT_EQ(As<uint64_t*()>(fn[kTableAddress])(), table);
  EXPECT_EQ(As<uint64_t()>(fn[kInitWord])(), kInitValue);
  EXPECT_EQ(As<int()>(fn[kAnswerAgain])(), 7);
  EXPECT_EQ(As<int()>(fn[kAligned64])(), 64);
  EXPECT_EQ(As<int()>(fn[kTableIsFive])(), 0);
  table[kSlotValue] = 5;
  EXPECT_EQ(As<int()>(fn[kTableIsFive])(), 1);
  EXPECT_EQ(As<uint64_t()>(fn[kTableRef])(), 5u);

  // What the kernel mapped: headers read-only, code R+X, table RW, nothing W+X.
  const std::vector<Mapping> maps = ReadMaps();
  const Mapping* header = MappingAt(maps, m->Address(0));
  const Mapping* text = MappingAt(maps, fn[kAnswer]);
  const Mapping* data = MappingAt(maps, table);
  ASSERT_NE(header, nullptr);
  ASSERT_NE(text, nullptr);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(header->perms, "r--p");
  EXPECT_EQ(text->perms, "r-xp");
  EXPECT_EQ(data->perms, "rw-p");
  EXPECT_TRUE(absl::StrContains(text->path, "maru-jit:sample")) << text->path;
  for (const Mapping& mp : maps) {
    EXPECT_FALSE(mp.perms[1] == 'w' && mp.perms[2] == 'x') << "W+X mapping " << mp.path;
  }
}

// The integration path for asmjit-generated code: emit, flatten, resolve, require no relocation
// entries, record a fixup for the rip-relative table reference.
TEST(LoaderTest, AsmjitGeneratedFunction) {
  SKIP_UNLESS_X86_64_HOST();
  using namespace asmjit;
  CodeHolder code;
  ASSERT_EQ(code.init(Environment::host()), kErrorOk);
  x86::Assembler a(&code);
  a.mov(x86::rax, x86::qword_ptr(x86::rip, 0));  // table[1]; disp32 patched by the writer
  const uint32_t disp_end = static_cast<uint32_t>(a.offset());
  Label skip = a.newLabel();
  a.test(x86::rdi, x86::rdi);
  a.jz(skip);
  a.add(x86::rax, x86::rdi);
  a.bind(skip);
  a.ret();
  ASSERT_EQ(code.flatten(), kErrorOk);
  ASSERT_EQ(code.resolveUnresolvedLinks(), kErrorOk);
  ASSERT_FALSE(code.hasRelocEntries());
  const CodeBuffer& buf = code.textSection()->buffer();

  ModuleSpec spec;
  spec.data_table_words = 2;
  spec.data_table_init = {0, 100};
  objfile::Function f;
  f.name = "asmjit-fn";
  f.code.assign(buf.data(), buf.data() + buf.size());
  f.fixups.push_back(
      {objfile::FixupKind::kX86Pc32, disp_end - 4, objfile::FixupTarget::kDataTable, 1, -4});
  spec.functions.push_back(std::move(f));
  const WrittenModule w = MustWrite(spec);
  absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(w.image, "asmjit");
  ASSERT_TRUE(m.ok()) << m.status();
  auto* fn = As<int64_t(int64_t)>(m->Address(w.layout.functions[0].offset));
  EXPECT_EQ(fn(0), 100);
  EXPECT_EQ(fn(23), 123);
}

TEST(LoaderTest, KeepsTheMemfdOpenUntilClose) {
  SKIP_UNLESS_X86_64_HOST();
  const WrittenModule w = MustWrite(SampleX86Module());
  absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(w.image, "fd-check", MemfdOnly());
  ASSERT_TRUE(m.ok()) << m.status();
  const int fd = std::stoi(m->path().substr(std::strlen("/proc/self/fd/")));
  EXPECT_NE(fcntl(fd, F_GETFD), -1);
  EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  char target[256] = {};
  ASSERT_GT(readlink(m->path().c_str(), target, sizeof target - 1), 0);
  EXPECT_TRUE(absl::StrContains(target, "memfd:maru-jit:fd-check")) << target;
  EXPECT_TRUE(m->Close().ok());
  EXPECT_EQ(fcntl(fd, F_GETFD), -1);
  EXPECT_FALSE(m->loaded());
  EXPECT_TRUE(m->Close().ok());  // idempotent
  EXPECT_EQ(m->Symbol("maru_f_answer").status().code(), absl::StatusCode::kFailedPrecondition);
}

ModuleSpec ReturnsConstant(int value) {
  ModuleSpec spec;
  objfile::Function f;
  f.name = "k";
  f.code = {0xb8, static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8), 0, 0, 0xc3};
  spec.functions.push_back(std::move(f));
  return spec;
}

int CallConstant(const LoadedModule& m) {
  absl::StatusOr<void*> p = m.Symbol("maru_f_k");
  return p.ok() ? As<int()>(*p)() : -1;
}

// glibc matches dlopen paths by string: fd numbers are reused, so a module must never be
// confused with an earlier one that had the same /proc/self/fd/N.
TEST(LoaderTest, ManyModulesNeverAlias) {
  SKIP_UNLESS_X86_64_HOST();
  for (int i = 0; i < 50; ++i) {  // load, call, unload: the same fd number comes back each time
    absl::StatusOr<LoadedModule> m =
        objfile::LoadSharedObject(MustWrite(ReturnsConstant(i)).image, "seq");
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(CallConstant(*m), i);
  }
  std::vector<LoadedModule> live;
  for (int i = 0; i < 40; ++i) {
    absl::StatusOr<LoadedModule> m =
        objfile::LoadSharedObject(MustWrite(ReturnsConstant(i)).image, "live");
    ASSERT_TRUE(m.ok()) << m.status();
    live.push_back(*std::move(m));
  }
  for (int i = 1; i < 40; i += 2) live[i] = LoadedModule();  // unload every other one
  for (int i = 1; i < 40; i += 2) {
    absl::StatusOr<LoadedModule> m =
        objfile::LoadSharedObject(MustWrite(ReturnsConstant(1000 + i)).image, "again");
    ASSERT_TRUE(m.ok()) << m.status();
    live[i] = *std::move(m);
  }
  for (int i = 0; i < 40; ++i) EXPECT_EQ(CallConstant(live[i]), i % 2 ? 1000 + i : i) << i;
}

TEST(LoaderTest, MovesOwnership) {
  SKIP_UNLESS_X86_64_HOST();
  absl::StatusOr<LoadedModule> m =
      objfile::LoadSharedObject(MustWrite(ReturnsConstant(5)).image, "move");
  ASSERT_TRUE(m.ok());
  LoadedModule a = *std::move(m);
  LoadedModule b(std::move(a));
  EXPECT_FALSE(a.loaded());
  ASSERT_TRUE(b.loaded());
  EXPECT_EQ(CallConstant(b), 5);
  LoadedModule c;
  c = std::move(b);
  EXPECT_FALSE(b.loaded());
  EXPECT_EQ(CallConstant(c), 5);
  absl::StatusOr<LoadedModule> other =
      objfile::LoadSharedObject(MustWrite(ReturnsConstant(6)).image, "move2");
  ASSERT_TRUE(other.ok());
  c = *std::move(other);  // closes the module c held
  EXPECT_EQ(CallConstant(c), 6);
  EXPECT_EQ(c.Symbol("maru_f_nope").status().code(), absl::StatusCode::kNotFound);
}

// The file fallback in a directory of our own. Skips where the test's temporary directory is
// mounted noexec (the fallback then fails by design: "failed to map segment").
TEST(LoaderTest, CacheFileFallback) {
  SKIP_UNLESS_X86_64_HOST();
  const std::string dir = TestTmpDir() + "/cachetest/sub/maru-jit";
  LoadOptions options;
  options.method = LoadOptions::Method::kCacheFileOnly;
  options.cache_directory = dir;
  const WrittenModule w = MustWrite(SampleX86Module());
  absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(w.image, "file/fallback", options);
  if (!m.ok() && absl::StrContains(m.status().message(), "failed to map segment")) {
    GTEST_SKIP() << "TEST_TMPDIR is noexec: " << m.status();
  }
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->method(), LoadMethod::kCacheFile);
  EXPECT_TRUE(absl::StrContains(m->method_detail(), "forced")) << m->method_detail();
  EXPECT_TRUE(absl::StartsWith(m->path(), dir + "/file_fallback-")) << m->path();
  EXPECT_TRUE(absl::EndsWith(m->path(), ".so")) << m->path();
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_NE(access(m->path().c_str(), F_OK), 0) << "file not unlinked after dlopen";
  absl::StatusOr<void*> answer = m->Symbol("maru_f_answer");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(As<int()>(*answer)(), 42);
  // A second module gets a different file name.
  absl::StatusOr<LoadedModule> m2 = objfile::LoadSharedObject(w.image, "file/fallback", options);
  ASSERT_TRUE(m2.ok()) << m2.status();
  EXPECT_NE(m2->path(), m->path());
  EXPECT_NE(m2->base(), m->base());
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(LoaderTest, DefaultCacheDirectory) {
  SKIP_UNLESS_X86_64_HOST();
  LoadOptions options;
  options.method = LoadOptions::Method::kCacheFileOnly;
  const WrittenModule w = MustWrite(ReturnsConstant(9));
  {
    const std::string xdg = TestTmpDir() + "/xdg";
    ScopedEnv env("XDG_CACHE_HOME", xdg.c_str());
    absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(w.image, "xdg", options);
    if (!m.ok() && absl::StrContains(m.status().message(), "failed to map segment")) {
      GTEST_SKIP() << "TEST_TMPDIR is noexec: " << m.status();
    }
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_TRUE(absl::StartsWith(m->path(), xdg + "/maru-jit/xdg-")) << m->path();
    EXPECT_EQ(CallConstant(*m), 9);
  }
  {
    const std::string home = TestTmpDir() + "/home";
    ScopedEnv no_xdg("XDG_CACHE_HOME", "relative/is/ignored");
    ScopedEnv env("HOME", home.c_str());
    absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(w.image, "home", options);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_TRUE(absl::StartsWith(m->path(), home + "/.cache/maru-jit/home-")) << m->path();
    struct stat st;
    ASSERT_EQ(stat((home + "/.cache").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);  // created by us
  }
}

TEST(LoaderTest, RefusesInsecureCacheDirectory) {
  SKIP_UNLESS_X86_64_HOST();
  const std::string open_dir = TestTmpDir() + "/open";
  ASSERT_TRUE(mkdir(open_dir.c_str(), 0755) == 0 || errno == EEXIST);
  ASSERT_EQ(chmod(open_dir.c_str(), 0755), 0);
  const std::string good = TestTmpDir() + "/good";
  ASSERT_TRUE(mkdir(good.c_str(), 0700) == 0 || errno == EEXIST);
  const std::string link = TestTmpDir() + "/link";
  unlink(link.c_str());
  ASSERT_EQ(symlink(good.c_str(), link.c_str()), 0);
  for (const std::string& dir : {open_dir, link}) {
    LoadOptions options;
    options.method = LoadOptions::Method::kCacheFileOnly;
    options.cache_directory = dir;
    absl::StatusOr<LoadedModule> m =
        objfile::LoadSharedObject(MustWrite(ReturnsConstant(1)).image, "x", options);
    ASSERT_FALSE(m.ok()) << dir;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(absl::StrContains(m.status().message(), "refusing cache directory")) << m.status();
  }
}

// Where DT_HASH is missing (and there is no DT_GNU_HASH) glibc loads the object but finds no
// symbol: the validator refuses such an image; without it, Symbol reports NotFound.
TEST(LoaderTest, MissingHashTableMeansNoSymbols) {
  SKIP_UNLESS_X86_64_HOST();
  ModuleSpec spec = ReturnsConstant(3);
  spec.gnu_hash = false;
  std::string image = MustWrite(spec).image;
  absl::StatusOr<ReadElf> elf = ReadElfImage(image);
  ASSERT_TRUE(elf.ok());
  const uint64_t dyn = elf->Segments(PT_DYNAMIC)[0].p_offset;
  int64_t tag;
  std::memcpy(&tag, image.data() + dyn, 8);
  ASSERT_EQ(tag, DT_HASH);
  tag = DT_SYMENT;  // harmless duplicate (value is checked by nobody but us)
  std::memcpy(image.data() + dyn, &tag, 8);
  const uint64_t value = sizeof(Elf64_Sym);
  std::memcpy(image.data() + dyn + 8, &value, 8);
  EXPECT_EQ(objfile::LoadSharedObject(image, "nohash").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(image, "nohash", MemfdOnly(false));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->Symbol("maru_f_k").status().code(), absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Corrupted images.

struct Corruption {
  std::string name;
  std::function<void(std::string&, const ReadElf&)> apply;
  // dlopen itself refuses it safely (used to check dlopen errors become a Status). Corruptions
  // that would make glibc fault (SIGBUS past EOF, wild table pointers) or change the process
  // (executable stack) are only ever given to the validating loader.
  bool dlopen_safe = false;
};

template <typename T>
void Poke(std::string& image, uint64_t offset, T value) {
  std::memcpy(image.data() + offset, &value, sizeof(T));
}

uint64_t PhdrOffset(const ReadElf& elf, uint32_t type, int nth = 0) {
  for (size_t i = 0; i < elf.phdrs.size(); ++i) {
    if (elf.phdrs[i].p_type == type && nth-- == 0)
      return sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr);
  }
  ADD_FAILURE() << "no program header of type " << type;
  return 0;
}

uint64_t DynOffset(const ReadElf& elf, int64_t tag) {
  const uint64_t base = elf.Segments(PT_DYNAMIC)[0].p_offset;
  for (size_t i = 0; i < elf.dynamic.size(); ++i) {
    if (elf.dynamic[i].d_tag == tag) return base + i * sizeof(Elf64_Dyn);
  }
  ADD_FAILURE() << "no dynamic tag " << tag;
  return 0;
}

uint64_t VaddrOffset(const ReadElf& elf, int64_t tag) {
  return *elf.FileOffset(*elf.DynamicValue(tag), 4);
}

std::vector<Corruption> Corruptions() {
  auto truncate_to = [](uint64_t n) {
    return [n](std::string& img, const ReadElf&) { img.resize(std::min<uint64_t>(n, img.size())); };
  };
  constexpr uint64_t kText = sizeof(Elf64_Ehdr) + 1 * sizeof(Elf64_Phdr);  // 2nd phdr: PT_LOAD RX
  constexpr uint64_t kData = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);  // 3rd: PT_LOAD RW
  const uint64_t kOffset = offsetof(Elf64_Phdr, p_offset), kFlags = offsetof(Elf64_Phdr, p_flags),
                 kFilesz = offsetof(Elf64_Phdr, p_filesz), kMemsz = offsetof(Elf64_Phdr, p_memsz),
                 kAlign = offsetof(Elf64_Phdr, p_align), kVaddr = offsetof(Elf64_Phdr, p_vaddr);
  return {
      {"empty", truncate_to(0), true},
      {"truncated to 10 bytes", truncate_to(10), true},
      {"truncated inside the header", truncate_to(63), true},
      {"truncated inside the program headers", truncate_to(64 + 56 * 2)},
      {"truncated inside the text segment",
       [](std::string& img, const ReadElf& e) { img.resize(e.Segments(PT_LOAD)[1].p_offset + 1); }},
      {"truncated inside the data segment",
       [](std::string& img, const ReadElf& e) {
         const Elf64_Phdr p = e.Segments(PT_LOAD)[2];
         img.resize(p.p_offset + p.p_filesz - 8);
       }},
      {"bad magic", [](std::string& img, const ReadElf&) { img[1] = 'X'; }, true},
      {"ELFCLASS32", [](std::string& img, const ReadElf&) { img[EI_CLASS] = ELFCLASS32; }, true},
      {"big-endian", [](std::string& img, const ReadElf&) { img[EI_DATA] = ELFDATA2MSB; }, true},
      {"foreign OS ABI", [](std::string& img, const ReadElf&) { img[EI_OSABI] = ELFOSABI_ARM; },
       true},
      {"e_version 0",
       [](std::string& img, const ReadElf&) {
         Poke<uint32_t>(img, offsetof(Elf64_Ehdr, e_version), 0);
       },
       true},
      {"ET_EXEC",
       [](std::string& img, const ReadElf&) {
         Poke<uint16_t>(img, offsetof(Elf64_Ehdr, e_type), ET_EXEC);
       }},
      // A machine foreign to every host the tests run on (AArch64 would be the host's under
      // qemu).
      {"e_machine RISC-V",
       [](std::string& img, const ReadElf&) {
         Poke<uint16_t>(img, offsetof(Elf64_Ehdr, e_machine), 243 /* EM_RISCV */);
       },
       true},
      {"e_phentsize 32",
       [](std::string& img, const ReadElf&) {
         Poke<uint16_t>(img, offsetof(Elf64_Ehdr, e_phentsize), 32);
       },
       true},
      {"e_phnum 0", [](std::string& img,
                       const ReadElf&) { Poke<uint16_t>(img, offsetof(Elf64_Ehdr, e_phnum), 0); }},
      {"e_phnum past the end",
       [](std::string& img, const ReadElf&) {
         Poke<uint16_t>(img, offsetof(Elf64_Ehdr, e_phnum), 60000);
       }},
      {"e_phoff past the end",
       [](std::string& img, const ReadElf&) {
         Poke<uint64_t>(img, offsetof(Elf64_Ehdr, e_phoff), img.size() - 8);
       }},
      {"first segment unreadable",
       [](std::string& img, const ReadElf&) {
         Poke<uint32_t>(img, sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_flags), 0);
       }},
      {"text segment writable and executable",
       [=](std::string& img, const ReadElf&) {
         Poke<uint32_t>(img, kText + kFlags, PF_R | PF_W | PF_X);
       }},
      {"text segment beyond end of file",
       [=](std::string& img, const ReadElf& e) {
         // Keeps p_offset == p_vaddr mod p_align.
         Poke<uint64_t>(img, kText + kOffset, e.Segments(PT_LOAD)[1].p_offset + 0x10000);
       }},
      {"data segment file size past EOF",
       [=](std::string& img, const ReadElf& e) {
         const Elf64_Phdr p = e.Segments(PT_LOAD)[2];
         Poke<uint64_t>(img, kData + kFilesz, p.p_filesz + 0x10000);
         Poke<uint64_t>(img, kData + kMemsz, p.p_memsz + 0x10000);
       }},
      {"zero-filled tail on the text segment",
       [=](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(img, kText + kMemsz, e.Segments(PT_LOAD)[1].p_memsz + 0x100);
       }},
      // glibc 2.36 accepts this one (it loaded in testing): only our validator refuses it.
      {"p_align 3",
       [=](std::string& img, const ReadElf&) { Poke<uint64_t>(img, kText + kAlign, 3); }},
      {"p_vaddr not congruent to p_offset",
       [=](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(img, kData + kVaddr, e.Segments(PT_LOAD)[2].p_vaddr + 0x10);
       },
       true},
      {"segments out of order",
       [=](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(img, kData + kVaddr, e.Segments(PT_LOAD)[2].p_vaddr - 0x100000);
       }},
      {"executable stack",
       [](std::string& img, const ReadElf& e) {
         Poke<uint32_t>(img, PhdrOffset(e, PT_GNU_STACK) + offsetof(Elf64_Phdr, p_flags),
                        PF_R | PF_W | PF_X);
       }},
      {"no PT_GNU_STACK",
       [](std::string& img, const ReadElf& e) {
         Poke<uint32_t>(img, PhdrOffset(e, PT_GNU_STACK), PT_NULL);
       }},
      {"PT_TLS",
       [](std::string& img, const ReadElf& e) {
         Poke<uint32_t>(img, PhdrOffset(e, PT_GNU_STACK), PT_TLS);
       }},
      {"no PT_DYNAMIC",
       [](std::string& img, const ReadElf& e) {
         Poke<uint32_t>(img, PhdrOffset(e, PT_DYNAMIC), PT_NULL);
       },
       true},
      {"PT_DYNAMIC in the read-only segment",
       [](std::string& img, const ReadElf& e) {
         const uint64_t ph = PhdrOffset(e, PT_DYNAMIC);
         Poke<uint64_t>(img, ph + offsetof(Elf64_Phdr, p_offset), 64);
         Poke<uint64_t>(img, ph + offsetof(Elf64_Phdr, p_vaddr), 64);
       }},
      {"DT_NEEDED", [](std::string& img,
                       const ReadElf& e) { Poke<int64_t>(img, DynOffset(e, DT_HASH), DT_NEEDED); }},
      {"DT_TEXTREL",
       [](std::string& img, const ReadElf& e) {
         Poke<int64_t>(img, DynOffset(e, DT_HASH), DT_TEXTREL);
       }},
      {"no DT_NULL",
       [](std::string& img, const ReadElf& e) {
         Poke<int64_t>(img, DynOffset(e, DT_NULL), DT_SONAME);
       }},
      {"wild DT_HASH",
       [](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(img, DynOffset(e, DT_HASH) + 8, 0x7fff0000);
       }},
      {"wild DT_GNU_HASH",
       [](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(img, DynOffset(e, DT_GNU_HASH) + 8, 0x7fff0000);
       }},
      {"wild DT_SYMTAB",
       [](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(img, DynOffset(e, DT_SYMTAB) + 8, 0x7fff0000);
       }},
      {"huge DT_STRSZ",
       [](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(img, DynOffset(e, DT_STRSZ) + 8, 1 << 30);
       }},
      {"DT_SYMENT 16",
       [](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(img, DynOffset(e, DT_SYMENT) + 8, 16);
       }},
      {"huge hash nchain",
       [](std::string& img, const ReadElf& e) {
         Poke<uint32_t>(img, VaddrOffset(e, DT_HASH) + 4, 0x7fffffff);
       }},
      {"hash bucket out of range",
       [](std::string& img, const ReadElf& e) {
         Poke<uint32_t>(img, VaddrOffset(e, DT_HASH) + 8, 1000);
       }},
      {"GNU hash bucket out of range",
       [](std::string& img, const ReadElf& e) {
         const uint64_t g = VaddrOffset(e, DT_GNU_HASH);
         uint32_t bloom;
         std::memcpy(&bloom, img.data() + g + 8, 4);
         Poke<uint32_t>(img, g + 16 + 8 * bloom, 1000);
       }},
      {"GNU hash bloom size not a power of two",
       [](std::string& img, const ReadElf& e) {
         Poke<uint32_t>(img, VaddrOffset(e, DT_GNU_HASH) + 8, 3);
       }},
      {"GNU hash chain not terminated",
       [](std::string& img, const ReadElf& e) {
         const uint64_t g = VaddrOffset(e, DT_GNU_HASH);
         uint32_t nbuckets, symoffset, bloom;
         std::memcpy(&nbuckets, img.data() + g, 4);
         std::memcpy(&symoffset, img.data() + g + 4, 4);
         std::memcpy(&bloom, img.data() + g + 8, 4);
         const uint64_t last =
             g + 16 + 8 * bloom + 4 * nbuckets + 4 * (e.dynsym.size() - symoffset - 1);
         uint32_t word;
         std::memcpy(&word, img.data() + last, 4);
         Poke<uint32_t>(img, last, word & ~1u);
       }},
      {"symbol name outside the string table",
       [](std::string& img, const ReadElf& e) {
         Poke<uint32_t>(img, VaddrOffset(e, DT_SYMTAB) + sizeof(Elf64_Sym), 0xffffff);
       }},
      {"IFUNC symbol (dlsym would call it)",
       [](std::string& img, const ReadElf& e) {
         img[VaddrOffset(e, DT_SYMTAB) + sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_info)] =
             ELF64_ST_INFO(STB_GLOBAL, STT_GNU_IFUNC);
       }},
      {"TLS symbol",
       [](std::string& img, const ReadElf& e) {
         img[VaddrOffset(e, DT_SYMTAB) + sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_info)] =
             ELF64_ST_INFO(STB_GLOBAL, STT_TLS);
       }},
      {"STB_GNU_UNIQUE symbol (module could never be unloaded)",
       [](std::string& img, const ReadElf& e) {
         img[VaddrOffset(e, DT_SYMTAB) + sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_info)] =
             ELF64_ST_INFO(STB_GNU_UNIQUE, STT_OBJECT);
       }},
      {"symbol outside every segment",
       [](std::string& img, const ReadElf& e) {
         Poke<uint64_t>(
             img, VaddrOffset(e, DT_SYMTAB) + sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_value),
             0x7fff0000);
       }},
      {"string table not NUL-terminated",
       [](std::string& img, const ReadElf& e) {
         img[VaddrOffset(e, DT_STRTAB) + *e.DynamicValue(DT_STRSZ) - 1] = 'x';
       }},
  };
}

TEST(LoaderTest, ValidatorRefusesCorruptImages) {
  const WrittenModule w = MustWrite(SampleX86Module());
  absl::StatusOr<ReadElf> elf = ReadElfImage(w.image);
  ASSERT_TRUE(elf.ok());
  for (const Corruption& c : Corruptions()) {
    std::string image = w.image;
    c.apply(image, *elf);
    ASSERT_NE(image, w.image) << c.name;
    absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(image, "corrupt");
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name << ": " << m.status();
    EXPECT_TRUE(absl::StrContains(m.status().message(), "malformed shared object")) << m.status();
  }
}

// With our validation off, the ones glibc refuses safely come back as dlopen's error text.
TEST(LoaderTest, DlopenRefusalsBecomeStatus) {
  SKIP_UNLESS_X86_64_HOST();
  const WrittenModule w = MustWrite(SampleX86Module());
  absl::StatusOr<ReadElf> elf = ReadElfImage(w.image);
  ASSERT_TRUE(elf.ok());
  int tried = 0;
  for (const Corruption& c : Corruptions()) {
    if (!c.dlopen_safe) continue;
    ++tried;
    std::string image = w.image;
    c.apply(image, *elf);
    absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(image, "corrupt", MemfdOnly(false));
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition)
        << c.name << ": " << m.status();
    EXPECT_TRUE(absl::StrContains(m.status().message(), "dlopen(/proc/self/fd/")) << m.status();
    std::printf("  %-36s -> %s\n", c.name.c_str(), std::string(m.status().message()).c_str());
  }
  EXPECT_GE(tried, 10);
}

TEST(LoaderTest, AArch64ImageRefusedOnThisHost) {
  SKIP_UNLESS_X86_64_HOST();
  const WrittenModule w = MustWrite(SampleAArch64Module());
  absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(w.image, "a64");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(absl::StrContains(m.status().message(), "e_machine 183")) << m.status();
  m = objfile::LoadSharedObject(w.image, "a64", MemfdOnly(false));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition) << m.status();
}

// Random byte flips in the loaded part of the image: every result is either a clean refusal or
// a module that loads and answers dlsym (its code is never called). Nothing may crash.
TEST(LoaderTest, RandomCorruptionsNeverCrash) {
  SKIP_UNLESS_X86_64_HOST();
  const ModuleSpec spec = SampleX86Module();
  const WrittenModule w = MustWrite(spec);
  std::mt19937 rng(20240601);
  int loaded = 0, refused = 0;
  // Bytes that matter to the loader: headers, tables, code, dynamic array and table.
  const uint64_t loaded_end = w.layout.file_size;
  for (int i = 0; i < 3000; ++i) {
    std::string image = w.image;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      const uint64_t at = i % 2 ? rng() % 512 : rng() % loaded_end;  // half in the headers
      // Bit flips, or whole random bytes every third round.
      image[at] = static_cast<char>(i % 3 == 2 ? rng() : image[at] ^ (1 << (rng() % 8)));
    }
    absl::StatusOr<LoadedModule> m = objfile::LoadSharedObject(image, "fuzz", MemfdOnly());
    if (!m.ok()) {
      ++refused;
      continue;
    }
    ++loaded;
    for (const objfile::FunctionLayout& f : w.layout.functions) m->Symbol(f.symbol).IgnoreError();
    m->Symbol("maru_data_table").IgnoreError();
  }
  std::printf("  random corruptions: %d refused, %d loaded\n", refused, loaded);
  EXPECT_GT(refused, 0);
  EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace maru::objfile_test
