// Code memory kinds (jit/codemem): a compile batch installed at once runs, each function is
// released on its own, and the dlopen kind puts a batch in one shared object that is closed with
// its last function.
#include "jit/codemem/code_memory.h"

#include <gc/gc.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/objfile/module_spec.h"

namespace maru::jit {
namespace {

// A function returning `value`, for the host ISA.
std::vector<uint8_t> ReturnConstant(uint16_t value) {
#if defined(__x86_64__)
  return {0xb8, static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8), 0, 0, 0xc3};
#elif defined(__aarch64__)
  uint32_t movz = 0x52800000u | (static_cast<uint32_t>(value) << 5);  // movz w0, #value
  uint32_t ret = 0xd65f03c0u;                                         // ret
  std::vector<uint8_t> code(8);
  std::memcpy(code.data(), &movz, 4);
  std::memcpy(code.data() + 4, &ret, 4);
  return code;
#else
  return {};
#endif
}

CodeMemory::Piece PieceReturning(const std::string& name, uint16_t value) {
  std::vector<uint8_t> code = ReturnConstant(value);
  return {name, code.size(), [code](uint8_t* rw, uint64_t) {
            std::memcpy(rw, code.data(), code.size());
            return true;
          }};
}

int Call(const CodeBlock& block) { return reinterpret_cast<int (*)()>(block.rx)(); }

// Mappings of /proc/self/maps whose path contains `name`.
int MappingsNamed(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  int count = 0;
  for (std::string line; std::getline(maps, line);) {
    if (line.find(name) != std::string::npos) ++count;
  }
  return count;
}

class CodeMemoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (ReturnConstant(0).empty()) GTEST_SKIP() << "no test code for this machine";
    std::string error;
    const std::string& kind = GetParam();
    if (kind == "dual") memory_ = NewDualMappedCodeMemory(&error);
    if (kind == "wx") memory_ = NewWriteThenExecuteCodeMemory(&error);
    if (kind == "dlopen") memory_ = NewDlopenCodeMemory(&error);
    ASSERT_NE(memory_, nullptr) << error;
  }
  std::unique_ptr<CodeMemory> memory_;
};

TEST_P(CodeMemoryTest, ABatchRunsAndItsFunctionsAreReleasedOneByOne) {
  std::vector<CodeMemory::Piece> pieces = {PieceReturning("batch_first_fn", 11),
                                           PieceReturning("batch_second_fn", 22),
                                           PieceReturning("batch_third_fn", 33)};
  std::vector<CodeBlock> blocks;
  std::string error;
  ASSERT_TRUE(memory_->InstallBatch(pieces, &blocks, &error)) << error;
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(Call(blocks[0]), 11);
  EXPECT_EQ(Call(blocks[1]), 22);
  EXPECT_EQ(Call(blocks[2]), 33);
  size_t total = pieces[0].size + pieces[1].size + pieces[2].size;
  EXPECT_GE(memory_->bytes_in_use(), total);  // some kinds count whole pages
  bool one_module = GetParam() == "dlopen";
  if (one_module) {
    // One shared object, named after the first function; the others are inside it.
    EXPECT_GT(MappingsNamed("maru-batch_first_fn"), 0);
    EXPECT_EQ(MappingsNamed("batch_second_fn"), 0);
    for (const CodeBlock& b : blocks) EXPECT_EQ(b.handle, blocks[0].handle);
  }
  memory_->Release(blocks[0]);
  memory_->Release(blocks[2]);
  EXPECT_EQ(Call(blocks[1]), 22);  // the module stays while a function of it lives
  if (one_module) EXPECT_GT(MappingsNamed("maru-batch_first_fn"), 0);
  memory_->Release(blocks[1]);
  EXPECT_EQ(memory_->bytes_in_use(), 0u);
  if (one_module) EXPECT_EQ(MappingsNamed("maru-batch_first_fn"), 0);
}

TEST_P(CodeMemoryTest, AFailingPieceInstallsNothing) {
  CodeMemory::Piece bad = PieceReturning("batch_bad_fn", 1);
  bad.write = [](uint8_t*, uint64_t) { return false; };
  std::vector<CodeBlock> blocks;
  std::string error;
  EXPECT_FALSE(memory_->InstallBatch({PieceReturning("batch_good_fn", 2), bad}, &blocks, &error));
  EXPECT_TRUE(blocks.empty());
  EXPECT_EQ(memory_->bytes_in_use(), 0u);
}

// A function returning word 0 of its data table (loaded PC-relatively, as generated code does),
// with the fixups that reach it.
CodeMemory::Piece PieceReturningTableWord(const std::string& name, std::vector<uint64_t> table) {
  std::vector<uint8_t> code;
  std::vector<objfile::Fixup> fixups;
#if defined(__x86_64__)
  code = {0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3};  // mov rax, [rip + disp32]; ret
  fixups.push_back({.kind = objfile::FixupKind::kX86Pc32, .offset = 3, .index = 0, .addend = -4});
#elif defined(__aarch64__)
  for (uint32_t insn : {0x90000000u, 0xf9400000u, 0xd65f03c0u}) {  // adrp x0; ldr x0, [x0]; ret
    code.insert(code.end(), reinterpret_cast<uint8_t*>(&insn),
                reinterpret_cast<uint8_t*>(&insn) + 4);
  }
  fixups.push_back({.kind = objfile::FixupKind::kAArch64AdrpPage, .offset = 0, .index = 0});
  fixups.push_back({.kind = objfile::FixupKind::kAArch64Ldst64Lo12, .offset = 4, .index = 0});
#endif
  return {name, code.size(),
          [code](uint8_t* rw, uint64_t) {
            std::memcpy(rw, code.data(), code.size());
            return true;
          },
          std::move(table), fixups};
}

uint64_t CallForWord(const CodeBlock& block) {
  return reinterpret_cast<uint64_t (*)()>(block.rx)();
}

TEST_P(CodeMemoryTest, CodeReachesItsDataTable) {
#if defined(__aarch64__)
  // These run at addresses earlier tests released. Binary translators (qemu-user, which runs the
  // AArch64 suite) keep code translated per address and miss a rewrite through the other view
  // of a dual mapping; the JIT prefers fresh pages on AArch64 for that reason (jit/jit.cc).
  if (GetParam() == "dual") GTEST_SKIP() << "dual mapping reuses addresses (see the comment)";
#endif
  std::vector<CodeBlock> blocks;
  std::string error;
  ASSERT_TRUE(memory_->InstallBatch({PieceReturningTableWord("table_first_fn", {0x123456789abc}),
                                     PieceReturningTableWord("table_second_fn", {0xfedcba98})},
                                    &blocks, &error))
      << error;
  EXPECT_EQ(CallForWord(blocks[0]), 0x123456789abcu);
  EXPECT_EQ(CallForWord(blocks[1]), 0xfedcba98u);
  for (const CodeBlock& b : blocks) memory_->Release(b);
  EXPECT_EQ(memory_->bytes_in_use(), 0u);
}

int finalized = 0;

// Objects named only by data tables, made in a frame of their own so that no stack slot of the
// test keeps them.
__attribute__((noinline)) std::vector<CodeMemory::Piece> PiecesNamingNewObjects(int n) {
  std::vector<CodeMemory::Piece> pieces;
  for (int i = 0; i < n; ++i) {
    void* object = GC_MALLOC(64);
    GC_register_finalizer(
        object, [](void*, void*) { ++finalized; }, nullptr, nullptr, nullptr);
    pieces.push_back(PieceReturningTableWord("object_fn", {reinterpret_cast<uint64_t>(object)}));
  }
  return pieces;
}

__attribute__((noinline)) void ClearStack() {
  volatile char buffer[64 * 1024];
  for (size_t i = 0; i < sizeof buffer; ++i) buffer[i] = 0;
}

// Data tables hold heap addresses; the collector must not take them for roots (a table naming its
// own function would keep the function and so its module for ever: module_table_roots.h).
TEST_P(CodeMemoryTest, DataTablesAreNotRoots) {
  GC_INIT();
  constexpr int kObjects = 20;
  std::vector<CodeBlock> blocks;
  std::string error;
  {
    std::vector<CodeMemory::Piece> pieces = PiecesNamingNewObjects(kObjects);
    ASSERT_TRUE(memory_->InstallBatch(pieces, &blocks, &error)) << error;
    for (CodeMemory::Piece& piece : pieces) piece.table.assign(1, 0);
  }
  ClearStack();
  finalized = 0;
  for (int i = 0; i < 3; ++i) {
    GC_gcollect();
    GC_invoke_finalizers();
  }
  // Conservative scanning may still find a stray copy or two; roots would keep all of them.
  EXPECT_GE(finalized, kObjects / 2);
  for (const CodeBlock& b : blocks) memory_->Release(b);
}

INSTANTIATE_TEST_SUITE_P(Kinds, CodeMemoryTest, ::testing::Values("dual", "wx", "dlopen"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace maru::jit
