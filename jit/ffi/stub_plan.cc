#include "jit/ffi/stub_plan.h"

namespace maru::jit::ffi {

namespace {

// Argument registers per class: six integer and eight vector registers on x86-64 System V,
// eight and eight on AArch64.
int GpRegisters(StubAbi abi) { return abi == StubAbi::kX64SysV ? 6 : 8; }
constexpr int kFpRegisters = 8;

bool IsFloatLetter(char letter) { return letter == 'f' || letter == 'd'; }

}  // namespace

std::optional<StubAbi> HostStubAbi() {
#if defined(__x86_64__) && !defined(_WIN32)
  return StubAbi::kX64SysV;
#elif defined(__aarch64__) && defined(__APPLE__)
  return StubAbi::kA64Apple;
#elif defined(__aarch64__) && !defined(_WIN32)
  return StubAbi::kA64Aapcs;
#else
  return std::nullopt;
#endif
}

int StubPlan::SlotOffset(int i) const {
  const ArgumentPlace& place = places[i];
  switch (place.kind) {
    case ArgumentPlace::kGp:
      return gp_image_offset() + place.index * 8;
    case ArgumentPlace::kFp:
      return fp_image_offset() + place.index * 8;
    case ArgumentPlace::kStack:
      break;
  }
  return place.index * 8;
}

bool PlanStub(StubAbi abi, std::string_view signature, StubPlan* plan, std::string* why) {
  *plan = StubPlan();
  plan->abi = abi;
  plan->signature = std::string(signature);
  if (signature.find('\0') != std::string_view::npos) {
    *why = "a NUL inside the signature";  // a Subr's signature is a C string: never equal
    return false;
  }
  if (!ParseForeignSignature(signature, &plan->parsed)) {
    *why = "illegal signature";
    return false;
  }
  if (plan->parsed.variadic) {
    *why = "variadic signature (libffi classifies variadic arguments per call)";
    return false;
  }
  for (int i = 0; i < plan->parsed.nfixed; ++i) {
    ArgumentPlace place;
    if (IsFloatLetter(plan->parsed.letters[i]) && plan->fp_used < kFpRegisters) {
      place = {ArgumentPlace::kFp, plan->fp_used++};
    } else if (!IsFloatLetter(plan->parsed.letters[i]) && plan->gp_used < GpRegisters(abi)) {
      place = {ArgumentPlace::kGp, plan->gp_used++};
    } else {
      place = {ArgumentPlace::kStack, plan->stack_slots++};
    }
    plan->places.push_back(place);
  }
  if (abi == StubAbi::kA64Apple && plan->stack_slots > 0) {
    *why = "stack arguments on Apple AArch64 (packed by size; left to libffi)";
    return false;
  }
  return true;
}

}  // namespace maru::jit::ffi
