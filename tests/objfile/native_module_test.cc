// The platform-neutral module interface (jit/objfile/native_module.h) on this host: modules
// written and loaded in one call or from a stored image, their code run, their table used.
#include "jit/objfile/native_module.h"

#include <dlfcn.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "jit/objfile/elf_writer.h"
#include "tests/objfile/sample_modules.h"

namespace maru::objfile_test {
namespace {

using objfile::Arch;
using objfile::ModuleLayout;
using objfile::ModuleSpec;
using objfile::NativeModule;

// Two functions of the host's sample: "answer" (42) and one that returns a table word, which
// the test picks through the table.
struct HostSample {
  ModuleSpec spec;
  int answer = 0;     // function index
  int table_ref = 0;  // function index
  uint32_t slot = 0;  // the word table_ref returns
};

std::optional<HostSample> MakeHostSample() {
  const std::optional<Arch> host = objfile::HostArch();
  if (!host) return std::nullopt;
  const bool x86 = *host == Arch::kX86_64;
  const ModuleSpec full = x86 ? SampleX86Module() : SampleAArch64Module();
  HostSample s;
  s.spec.arch = full.arch;
  s.spec.data_table_words = kSampleTableWords;
  s.spec.data_table_init = {0, 0, kInitValue};
  const int answer = x86 ? int{kAnswer} : int{kA64Answer};
  const int table_ref = x86 ? int{kTableRef} : int{kA64TableRef};
  // Neither function refers to another function, so their fixups survive the renumbering.
  s.spec.functions = {full.functions[answer], full.functions[table_ref]};
  s.answer = 0;
  s.table_ref = 1;
  s.slot = full.functions[table_ref].fixups[0].index;
  return s;
}

#define HOST_SAMPLE_OR_SKIP(var)                                              \
  std::optional<HostSample> var##_or = MakeHostSample();                      \
  if (!var##_or) GTEST_SKIP() << "no sample code for this host architecture"; \
  const HostSample& var = *var##_or

template <typename Fn>
Fn* As(void* p) {
  return reinterpret_cast<Fn*>(p);
}

// The symbol the dynamic loader itself finds at `address` (independent of NativeModule's base).
std::string SymbolAt(void* address) {
  Dl_info info;
  if (dladdr(address, &info) == 0 || info.dli_sname == nullptr) return "";
  return info.dli_sname;
}

std::unique_ptr<NativeModule> MustLoad(const ModuleSpec& spec, std::string_view hint) {
  absl::StatusOr<std::unique_ptr<NativeModule>> m = objfile::LoadNativeModule(spec, hint);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : nullptr;
}

// Runs both functions and uses the table of a loaded HostSample module.
void ExpectWorks(const NativeModule& m, const HostSample& s) {
  const ModuleLayout& layout = m.layout();
  ASSERT_EQ(layout.functions.size(), 2u);
  void* answer = m.Address(layout.functions[s.answer].offset);
  void* table_ref = m.Address(layout.functions[s.table_ref].offset);
  EXPECT_EQ(SymbolAt(answer), layout.functions[s.answer].symbol);
  EXPECT_EQ(SymbolAt(table_ref), layout.functions[s.table_ref].symbol);
  EXPECT_EQ(As<int()>(answer)(), 42);

  uint64_t* table = m.data_table();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table, m.Address(layout.data_table_offset));
  EXPECT_EQ(SymbolAt(table), layout.data_table_symbol);
  EXPECT_EQ(table[kSlotInit], kInitValue);  // written by the writer, read through data_table()
  table[s.slot] = 1234;
  EXPECT_EQ(As<uint64_t()>(table_ref)(), 1234u);
  table[s.slot] = 0xfeedface12345678;
  EXPECT_EQ(As<uint64_t()>(table_ref)(), 0xfeedface12345678u);
}

TEST(NativeModuleTest, LoadsRunsAndSharesTheTable) {
  HOST_SAMPLE_OR_SKIP(sample);
  std::unique_ptr<NativeModule> m = MustLoad(sample.spec, "native-test");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->layout().arch, sample.spec.arch);
  EXPECT_EQ(m->layout().data_table_words, kSampleTableWords);
  ExpectWorks(*m, sample);
}

TEST(NativeModuleTest, ModulesHaveTheirOwnTables) {
  HOST_SAMPLE_OR_SKIP(sample);
  std::unique_ptr<NativeModule> a = MustLoad(sample.spec, "a");
  std::unique_ptr<NativeModule> b = MustLoad(sample.spec, "b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->data_table(), b->data_table());
  a->data_table()[sample.slot] = 1;
  b->data_table()[sample.slot] = 2;
  const auto read = [&](const NativeModule& m) {
    return As<uint64_t()>(m.Address(m.layout().functions[sample.table_ref].offset))();
  };
  EXPECT_EQ(read(*a), 1u);
  EXPECT_EQ(read(*b), 2u);
  a.reset();  // dlclose of one leaves the other working
  EXPECT_EQ(read(*b), 2u);
  ExpectWorks(*b, sample);
}

TEST(NativeModuleTest, NoTableMeansNullDataTable) {
  HOST_SAMPLE_OR_SKIP(sample);
  ModuleSpec spec = sample.spec;
  spec.functions.resize(1);  // "answer" only: no fixups
  spec.data_table_words = 0;
  spec.data_table_init.clear();
  std::unique_ptr<NativeModule> m = MustLoad(spec, "no-table");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->data_table(), nullptr);
  EXPECT_EQ(As<int()>(m->Address(m->layout().functions[0].offset))(), 42);
}

void ExpectInvalid(const ModuleSpec& spec, const std::string& fragment) {
  absl::StatusOr<std::unique_ptr<NativeModule>> m = objfile::LoadNativeModule(spec, "bad/spec 1");
  ASSERT_FALSE(m.ok()) << fragment;
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << m.status();
  EXPECT_TRUE(absl::StrContains(m.status().message(), fragment)) << m.status();
  // The hint, sanitised, says which module.
  EXPECT_TRUE(absl::StartsWith(m.status().message(), "module bad_spec_1: ")) << m.status();
}

TEST(NativeModuleTest, BadSpecsAreInvalidArgument) {
  HOST_SAMPLE_OR_SKIP(sample);
  {
    ModuleSpec s = sample.spec;
    s.functions[sample.answer].code.clear();
    ExpectInvalid(s, "has no code");
  }
  {
    ModuleSpec s = sample.spec;
    s.functions[sample.table_ref].alignment = 3;
    ExpectInvalid(s, "is not a power of two");
  }
  {
    ModuleSpec s = sample.spec;
    s.data_table_words = 2;  // smaller than the initial contents and the referenced slots
    ExpectInvalid(s, "data_table_init");
  }
  {
    ModuleSpec s = sample.spec;
    s.arch = s.arch == Arch::kX86_64 ? Arch::kAArch64 : Arch::kX86_64;
    ExpectInvalid(s, "this process runs");
  }
  {
    ModuleSpec s = sample.spec;
    s.arch = static_cast<Arch>(7);
    ExpectInvalid(s, "unknown architecture");
  }
  {
    ModuleSpec s;
    s.arch = sample.spec.arch;
    ExpectInvalid(s, "exports nothing");
  }
}

#if !defined(__APPLE__)

objfile::WrittenModule MustWrite(const ModuleSpec& spec) {
  absl::StatusOr<objfile::WrittenModule> w = objfile::WriteElfSharedObject(spec);
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? *std::move(w) : objfile::WrittenModule{};
}

TEST(NativeModuleTest, LoadsAStoredElfImage) {
  HOST_SAMPLE_OR_SKIP(sample);
  const objfile::WrittenModule w = MustWrite(sample.spec);
  absl::StatusOr<std::unique_ptr<NativeModule>> m =
      objfile::LoadNativeImage(w.image, w.layout, "stored");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)->layout().file_size, w.layout.file_size);
  ExpectWorks(**m, sample);
}

TEST(NativeModuleTest, StoredImageMustMatchItsLayout) {
  HOST_SAMPLE_OR_SKIP(sample);
  const objfile::WrittenModule w = MustWrite(sample.spec);
  {
    ModuleLayout swapped = w.layout;
    std::swap(swapped.functions[0].offset, swapped.functions[1].offset);
    absl::StatusOr<std::unique_ptr<NativeModule>> m =
        objfile::LoadNativeImage(w.image, swapped, "swapped");
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << m.status();
    EXPECT_TRUE(absl::StrContains(m.status().message(), "does not match its layout")) << m.status();
  }
  {
    ModuleLayout renamed = w.layout;
    renamed.functions[1].symbol = "maru_f_not_there";
    EXPECT_EQ(objfile::LoadNativeImage(w.image, renamed, "renamed").status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  {
    ModuleLayout other_arch = w.layout;
    other_arch.arch = other_arch.arch == Arch::kX86_64 ? Arch::kAArch64 : Arch::kX86_64;
    EXPECT_EQ(objfile::LoadNativeImage(w.image, other_arch, "other-arch").status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  {
    const std::string truncated = w.image.substr(0, w.image.size() / 2);
    EXPECT_EQ(objfile::LoadNativeImage(truncated, w.layout, "truncated").status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

#else

TEST(NativeModuleTest, StoredImagesAreNotLoadedOnApple) {
  EXPECT_EQ(objfile::LoadNativeImage("", ModuleLayout{}, "stored").status().code(),
            absl::StatusCode::kUnimplemented);
}

#endif

}  // namespace
}  // namespace maru::objfile_test
