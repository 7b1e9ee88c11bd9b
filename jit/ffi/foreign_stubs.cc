#include "jit/ffi/foreign_stubs.h"

#include <cstring>
#include <optional>

#include "jit/ffi/stub_generator.h"
#include "jit/ffi/stub_plan.h"
#include "runtime/subr.h"

namespace maru::jit::ffi {

ForeignStubs::ForeignStubs(CodeMemory& memory) : memory_(memory) {}

ForeignStubs::~ForeignStubs() {
  absl::MutexLock lock(&mu_);
  for (const CodeBlock& block : blocks_) memory_.Release(block);
}

ForeignStub ForeignStubs::StubFor(Oop subr) {
  if (!IsSubr(subr)) return nullptr;
  const SubrBody* body = SubrOf(subr);
  if (body->kind != SubrKind::kForeign || body->sig == nullptr) return nullptr;
  return StubForSignature(body->sig);
}

ForeignStub ForeignStubs::StubForSignature(std::string_view signature) {
  std::string key(signature);
  absl::MutexLock lock(&mu_);
  auto it = by_signature_.find(key);
  if (it != by_signature_.end()) return it->second;
  ForeignStub stub = Make(key);
  by_signature_.emplace(std::move(key), stub);
  if (stub == nullptr) ++stats_.refused;
  return stub;
}

ForeignStub ForeignStubs::Make(const std::string& signature) {
  std::optional<StubAbi> abi = HostStubAbi();
  if (!abi.has_value()) return nullptr;
  StubPlan plan;
  std::string why;
  if (!PlanStub(*abi, signature, &plan, &why)) return nullptr;
  std::vector<uint8_t> code;
  if (!AssembleStub(plan, &code, &why)) return nullptr;
  CodeBlock block;
  bool installed = memory_.Install(
      "ffi-stub:" + signature, code.size(),
      [&code](uint8_t* rw, uint64_t) {
        std::memcpy(rw, code.data(), code.size());  // position independent: any address
        return true;
      },
      &block, &why);
  if (!installed) return nullptr;
  blocks_.push_back(block);
  ++stats_.stubs;
  stats_.code_bytes += code.size();
  return reinterpret_cast<ForeignStub>(block.rx);
}

ForeignStubStats ForeignStubs::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace maru::jit::ffi
