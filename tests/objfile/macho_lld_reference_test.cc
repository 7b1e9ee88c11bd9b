// The test reader and our reading of the Mach-O and code-signing formats, checked against an
// independent producer: LLVM's Mach-O linker (ld64.lld, Debian package lld-14) links a small C
// file (compiled by clang for macOS) into an ad-hoc signed dylib, which the reader must parse
// with every page hash verified by sha256sum, and whose signature fields must be the ones our
// writer emits. Skipped when clang or ld64.lld is not installed.
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "jit/objfile/macho_writer.h"
#include "tests/objfile/macho_page_hashes.h"
#include "tests/objfile/macho_reader.h"
#include "tests/objfile/sample_modules.h"

namespace maru::objfile_test {
namespace {

namespace mv = macho_values;

// The first of `names` found on PATH, or "".
std::string FindTool(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (std::system(absl::StrCat("command -v ", name, " >/dev/null 2>&1").c_str()) == 0) {
      return name;
    }
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

struct Reference {
  std::string image;
  std::string skip_reason;  // non-empty: the tools are missing
};

// Links `int maru_answer(void)` and `long maru_table[4]` into DIR/ref-ARCH.dylib.
Reference LinkReference(const std::string& arch) {
  const std::string clang = FindTool({"clang-14", "clang"});
  const std::string lld = FindTool({"ld64.lld-14", "ld64.lld"});
  if (clang.empty() || lld.empty()) return {"", "clang or ld64.lld not installed (lld-14)"};
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp != nullptr ? tmp : "/tmp";
  const std::string source = dir + "/ref.c", object = dir + "/ref-" + arch + ".o";
  const std::string dylib = dir + "/ref-" + arch + ".dylib";
  std::ofstream(source) << "int maru_answer(void) { return 42; }\nlong maru_table[4] = {1};\n";
  const std::string compile =
      absl::StrCat(clang, " -target ", arch, "-apple-macos11 -O1 -c ", source, " -o ", object);
  const std::string link = absl::StrCat(lld, " -dylib -arch ", arch,
                                        " -platform_version macos 11.0 14.0 -adhoc_codesign",
                                        " -install_name /tmp/ref.dylib -o ", dylib, " ", object);
  EXPECT_EQ(std::system(compile.c_str()), 0) << compile;
  EXPECT_EQ(std::system(link.c_str()), 0) << link;
  return {ReadFile(dylib), ""};
}

class LldReferenceTest : public testing::TestWithParam<const char*> {};

TEST_P(LldReferenceTest, ReaderVerifiesTheLinkersSignature) {
  const std::string arch = GetParam();
  const Reference ref = LinkReference(arch);
  if (!ref.skip_reason.empty()) GTEST_SKIP() << ref.skip_reason;
  absl::StatusOr<ReadMachO> m = ReadMachOImage(ref.image);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->filetype, mv::kMhDylib);
  EXPECT_EQ(m->cputype, arch == "arm64" ? mv::kCpuTypeArm64 : mv::kCpuTypeX86_64);

  // The same segment rules as ours: __TEXT at 0, __LINKEDIT last, ending the file.
  ASSERT_GE(m->segments.size(), 2u);
  EXPECT_EQ(m->segments.front().name, "__TEXT");
  EXPECT_EQ(m->segments.front().fileoff, 0u);
  EXPECT_EQ(m->segments.back().name, "__LINKEDIT");
  EXPECT_EQ(m->segments.back().fileoff + m->segments.back().filesize, ref.image.size());
  const uint64_t page = arch == "arm64" ? 0x4000 : 0x1000;
  for (const MachOSegment& seg : m->segments) {
    EXPECT_EQ(seg.vmaddr % page, 0u) << seg.name;
    EXPECT_EQ(seg.fileoff % page, 0u) << seg.name;
  }

  // Exports: the trie and the symbol table agree with each other.
  std::map<std::string, uint64_t> trie, symbols;
  for (const MachOExport& e : m->exports) trie[e.name] = e.address;
  for (const MachOSymbol& s : m->symbols) {
    if (s.type & mv::kNExt) symbols[s.name] = s.value;
  }
  EXPECT_EQ(trie.count("_maru_answer"), 1u);
  EXPECT_EQ(trie.count("_maru_table"), 1u);
  EXPECT_EQ(trie, symbols);

  // The signature: ad hoc, linker-signed, SHA-256 per 4 KiB page up to the signature.
  ASSERT_TRUE(m->code_signature_command.has_value());
  ASSERT_TRUE(m->signature.has_value() && m->signature->code_directory.has_value());
  EXPECT_EQ(m->signature->magic, mv::kCsSuperBlob);
  ASSERT_EQ(m->signature->count, 1u);
  EXPECT_EQ(m->signature->index[0].first, 0u);
  const MachOCodeDirectory& cd = *m->signature->code_directory;
  EXPECT_EQ(cd.magic, mv::kCsCodeDirectory);
  EXPECT_EQ(cd.version, 0x20400u);
  EXPECT_EQ(cd.flags, 0x20002u);
  EXPECT_EQ(cd.hash_type, 2);
  EXPECT_EQ(cd.hash_size, 32);
  EXPECT_EQ(cd.page_size_log2, 12);
  EXPECT_EQ(cd.n_special_slots, 0u);
  EXPECT_EQ(cd.code_limit, m->code_signature_command->offset);
  EXPECT_EQ(cd.n_code_slots, (cd.code_limit + 4095) / 4096);
  EXPECT_EQ(cd.exec_seg_base, m->segments.front().fileoff);
  EXPECT_EQ(cd.exec_seg_limit, m->segments.front().filesize);
  EXPECT_EQ(cd.exec_seg_flags, 0u);
  EXPECT_EQ(cd.identifier, "ref-" + arch + ".dylib");
  EXPECT_EQ(m->code_signature_command->offset % 16, 0u);
  absl::StatusOr<std::vector<uint32_t>> wrong = PagesWithWrongHash(*m);
  ASSERT_TRUE(wrong.ok()) << wrong.status();
  EXPECT_TRUE(wrong->empty()) << wrong->size() << " page hashes differ";

  // Our writer emits the same kind of signature for the same architecture.
  objfile::ModuleSpec spec = arch == "arm64" ? SampleAArch64Module() : SampleX86Module();
  objfile::MachODylibOptions options;
  options.install_name = "/tmp/ours.dylib";
  absl::StatusOr<objfile::WrittenDylib> ours = objfile::WriteMachODylib(spec, options);
  ASSERT_TRUE(ours.ok()) << ours.status();
  absl::StatusOr<ReadMachO> o = ReadMachOImage(ours->image);
  ASSERT_TRUE(o.ok()) << o.status();
  const MachOCodeDirectory& ocd = *o->signature->code_directory;
  EXPECT_EQ(ocd.version, cd.version);
  EXPECT_EQ(ocd.flags, cd.flags);
  EXPECT_EQ(ocd.hash_type, cd.hash_type);
  EXPECT_EQ(ocd.page_size_log2, cd.page_size_log2);
  EXPECT_EQ(ocd.n_special_slots, cd.n_special_slots);
  EXPECT_EQ(ocd.platform, cd.platform);
  EXPECT_EQ(ocd.ident_offset, cd.ident_offset);
  EXPECT_EQ(ocd.exec_seg_flags, cd.exec_seg_flags);
  EXPECT_EQ(o->signature->count, m->signature->count);
  EXPECT_EQ(o->segments.front().vmsize % page, 0u);
  EXPECT_EQ(o->build_version->platform, m->build_version->platform);
  EXPECT_EQ(o->build_version->minos, m->build_version->minos);
  EXPECT_EQ(o->build_version->sdk, m->build_version->sdk);
}

INSTANTIATE_TEST_SUITE_P(Arches, LldReferenceTest, testing::Values("arm64", "x86_64"));

}  // namespace
}  // namespace maru::objfile_test
