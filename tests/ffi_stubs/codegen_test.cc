// Planning and code generation of foreign-call stubs for every ISA on any host (asmjit assembles
// x86-64 and AArch64 anywhere): argument placement per convention, which signatures get no
// stub, and the shape of the generated code. Running the AArch64 stubs is left to the AArch64
// run of stubs_test (tools/test_aarch64.sh under qemu).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "jit/ffi/stub_generator.h"
#include "jit/ffi/stub_plan.h"

namespace maru::jit::ffi {
namespace {

constexpr const char kArgumentLetters[] = "ijklfdpSs";
constexpr const char kReturnLetters[] = "vijklfdpsS";

// Every signature the generator must handle: each argument letter alone and in pairs, each
// return type, and long signatures that overflow every class of argument registers.
std::vector<std::string> AllSignatures() {
  std::vector<std::string> signatures = {"", ">v", ">i", ">d"};
  for (const char* a = kArgumentLetters; *a != 0; ++a) {
    signatures.push_back(std::string(1, *a));
    for (const char* r = kReturnLetters; *r != 0; ++r) {
      signatures.push_back(std::string(1, *a) + ">" + *r);
    }
    for (const char* b = kArgumentLetters; *b != 0; ++b) {
      signatures.push_back(std::string(1, *a) + *b + ">l");
    }
    signatures.push_back(std::string(32, *a) + ">d");
  }
  signatures.push_back("ifdlpjkfdiidlfddddi>d");
  std::string all32;
  for (int i = 0; i < 32; ++i) all32 += kArgumentLetters[i % 9];
  signatures.push_back(all32 + ">S");
  return signatures;
}

uint32_t Word(const std::vector<uint8_t>& code, size_t i) {
  uint32_t w;
  std::memcpy(&w, code.data() + i * 4, 4);
  return w;
}

TEST(StubPlanTest, RegistersThenStackPerClass) {
  StubPlan plan;
  std::string why;
  ASSERT_TRUE(PlanStub(StubAbi::kX64SysV, "lllllll>l", &plan, &why)) << why;
  EXPECT_EQ(plan.gp_used, 6);
  EXPECT_EQ(plan.stack_slots, 1);
  EXPECT_EQ(plan.places[6].kind, ArgumentPlace::kStack);
  ASSERT_TRUE(PlanStub(StubAbi::kA64Aapcs, "lllllll>l", &plan, &why)) << why;
  EXPECT_EQ(plan.gp_used, 7);
  EXPECT_EQ(plan.stack_slots, 0);

  // Classes fill independently; overflow goes to the stack in argument order.
  ASSERT_TRUE(PlanStub(StubAbi::kX64SysV, "dddddddddlllllllf", &plan, &why)) << why;
  EXPECT_EQ(plan.fp_used, 8);
  EXPECT_EQ(plan.gp_used, 6);
  EXPECT_EQ(plan.stack_slots, 3);
  EXPECT_EQ(plan.places[8].kind, ArgumentPlace::kStack);
  EXPECT_EQ(plan.places[8].index, 0);
  EXPECT_EQ(plan.places[15].index, 1);  // the seventh long
  EXPECT_EQ(plan.places[16].index, 2);  // the ninth floating-point argument
  EXPECT_EQ(plan.places[9].kind, ArgumentPlace::kGp);
  EXPECT_EQ(plan.places[9].index, 0);
  ASSERT_TRUE(PlanStub(StubAbi::kA64Aapcs, "dddddddddlllllllf", &plan, &why)) << why;
  EXPECT_EQ(plan.gp_used, 7);
  EXPECT_EQ(plan.stack_slots, 2);

  // The frame holds the stack arguments, the register images and the result, 16-aligned.
  EXPECT_EQ(plan.frame_size() % 16, 0);
  EXPECT_GE(plan.frame_size(), plan.result_offset() + 16);
  for (int i = 0; i < plan.parsed.nfixed; ++i) {
    EXPECT_LT(plan.SlotOffset(i), plan.result_offset());
    for (int j = 0; j < i; ++j) EXPECT_NE(plan.SlotOffset(i), plan.SlotOffset(j));
  }
}

TEST(StubPlanTest, SignaturesWithoutStub) {
  StubPlan plan;
  std::string why;
  for (StubAbi abi : {StubAbi::kX64SysV, StubAbi::kA64Aapcs, StubAbi::kA64Apple}) {
    EXPECT_FALSE(PlanStub(abi, "s.", &plan, &why));
    EXPECT_FALSE(PlanStub(abi, "s.>i", &plan, &why));
    EXPECT_FALSE(PlanStub(abi, "q", &plan, &why));
    EXPECT_FALSE(PlanStub(abi, "l>", &plan, &why));
    EXPECT_FALSE(PlanStub(abi, "l>ll", &plan, &why));
    EXPECT_FALSE(PlanStub(abi, std::string("l\0l", 3), &plan, &why));
    EXPECT_FALSE(PlanStub(abi, std::string(33, 'l'), &plan, &why));
    EXPECT_TRUE(PlanStub(abi, "llllllll>l", &plan, &why)) << why;
  }
  // Apple packs narrow stack arguments: anything on the stack is left to libffi.
  EXPECT_FALSE(PlanStub(StubAbi::kA64Apple, "lllllllll", &plan, &why));
  EXPECT_FALSE(PlanStub(StubAbi::kA64Apple, "ddddddddd", &plan, &why));
  EXPECT_TRUE(PlanStub(StubAbi::kA64Aapcs, "lllllllll", &plan, &why)) << why;
}

TEST(StubCodegenTest, X64EverySignature) {
  for (const std::string& signature : AllSignatures()) {
    StubPlan plan;
    std::string why;
    ASSERT_TRUE(PlanStub(StubAbi::kX64SysV, signature, &plan, &why)) << signature << ": " << why;
    std::vector<uint8_t> code;
    ASSERT_TRUE(AssembleStub(plan, &code, &why)) << signature << ": " << why;
    // push rbp; mov rbp, rsp
    ASSERT_GE(code.size(), 4u) << signature;
    EXPECT_EQ(code[0], 0x55) << signature;
    EXPECT_EQ(code[1], 0x48) << signature;
    EXPECT_EQ(code[2], 0x89) << signature;
    EXPECT_EQ(code[3], 0xe5) << signature;
  }
}

TEST(StubCodegenTest, A64EverySignature) {
  for (StubAbi abi : {StubAbi::kA64Aapcs, StubAbi::kA64Apple}) {
    int assembled = 0;
    for (const std::string& signature : AllSignatures()) {
      StubPlan plan;
      std::string why;
      if (!PlanStub(abi, signature, &plan, &why)) {
        EXPECT_EQ(abi, StubAbi::kA64Apple) << signature << ": " << why;
        EXPECT_GT(plan.stack_slots, 0) << signature;
        continue;
      }
      std::vector<uint8_t> code;
      ASSERT_TRUE(AssembleStub(plan, &code, &why)) << signature << ": " << why;
      ++assembled;
      ASSERT_EQ(code.size() % 4, 0u) << signature;
      size_t words = code.size() / 4;
      EXPECT_EQ(Word(code, 0), 0xa9bf7bfdu) << signature;  // stp x29, x30, [sp, #-16]!
      int returns = 0, calls = 0;
      for (size_t i = 0; i < words; ++i) {
        uint32_t w = Word(code, i);
        if (w == 0xd65f03c0u) ++returns;  // ret
        if ((w & 0xfffffc1fu) == 0xd63f0000u) {
          // blr: always through x16 (no other register carries a call target).
          EXPECT_EQ(w, 0xd63f0200u) << signature << " word " << i;
          ++calls;
        }
      }
      EXPECT_EQ(returns, 1) << signature;
      // Before the call, the C function, the fallback, plus conversions and result boxing.
      EXPECT_GE(calls, 3) << signature;
    }
    EXPECT_GT(assembled, 90);
  }
}

TEST(StubCodegenTest, CodeGrowsWithTheSignature) {
  for (StubAbi abi : {StubAbi::kX64SysV, StubAbi::kA64Aapcs}) {
    size_t previous = 0;
    for (int n = 0; n <= 32; n += 4) {
      StubPlan plan;
      std::string why;
      ASSERT_TRUE(PlanStub(abi, std::string(static_cast<size_t>(n), 'l') + ">l", &plan, &why));
      std::vector<uint8_t> code;
      ASSERT_TRUE(AssembleStub(plan, &code, &why)) << why;
      EXPECT_GT(code.size(), previous) << n;
      previous = code.size();
    }
  }
}

}  // namespace
}  // namespace maru::jit::ffi
