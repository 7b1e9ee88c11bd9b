// Per-call cost of a foreign call through a stub (jit/ffi) and through libffi
// (CallForeignSubr), on the same Subr and arguments. Not a test: run it by hand,
//   bazel run -c opt //tests/ffi_stubs:stub_benchmark
#include <dlfcn.h>

#include <cstring>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "jit/codemem/code_memory.h"
#include "jit/ffi/foreign_stubs.h"
#include "runtime/ffi/ffi.h"
#include "runtime/heap.h"
#include "runtime/strings.h"
#include "runtime/subr.h"
#include "runtime/vm.h"
#include "tests/ffi_stubs/stub_test_functions.h"

namespace maru::jit::ffi {
namespace {

struct Fixture {
  Fixture() {
    InitHeap();
    vm = std::make_unique<Vm>();
    std::string error;
    memory = NewDualMappedCodeMemory(&error);
    if (memory == nullptr) memory = NewWriteThenExecuteCodeMemory(&error);
    stubs = std::make_unique<ForeignStubs>(*memory);
  }
  std::unique_ptr<Vm> vm;
  std::unique_ptr<CodeMemory> memory;
  std::unique_ptr<ForeignStubs> stubs;
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

Oop MakeSubr(const char* name, void* address, const char* signature) {
  Oop s = AllocRaw(kSubrType, sizeof(SubrBody), /*scanned=*/true);
  SubrBody* body = SubrOf(s);
  body->name = name;
  body->imp = address;
  body->sig = signature;
  body->kind = SubrKind::kForeign;
  body->arity = -1;
  body->data = NewForeignCallData(*Shared().vm, signature);
  return s;
}

enum Path { kStub, kLibffi };

template <Path path>
void Run(benchmark::State& state, Oop subr, const Oop* args, int argc) {
  Fixture& f = Shared();
  ForeignStub stub = f.stubs->StubFor(subr);
  if (stub == nullptr) {
    state.SkipWithError("no stub");
    return;
  }
  for (auto _ : state) {
    Oop r = path == kStub ? stub(f.vm.get(), subr, args, argc)
                          : CallForeignSubr(*f.vm, subr, args, argc, nullptr);
    benchmark::DoNotOptimize(r);
  }
}

template <Path path>
void BM_Add(benchmark::State& state) {  // "ll>l": the call itself and nothing else
  static Oop subr = MakeSubr("maru_stub_add", reinterpret_cast<void*>(&maru_stub_add), "ll>l");
  Oop args[] = {MakeFixnum(3), MakeFixnum(4)};
  Run<path>(state, subr, args, 2);
}

template <Path path>
void BM_Labs(benchmark::State& state) {
  static Oop subr = MakeSubr("labs", dlsym(RTLD_DEFAULT, "labs"), "l>l");
  Oop args[] = {MakeFixnum(-5)};
  Run<path>(state, subr, args, 1);
}

template <Path path>
void BM_Sqrt(benchmark::State& state) {  // a Double in, a Double allocated for the result
  static Oop subr = MakeSubr("sqrt", dlsym(RTLD_DEFAULT, "sqrt"), "d>d");
  Oop args[] = {NewDouble(2.0)};
  Run<path>(state, subr, args, 1);
}

template <Path path>
void BM_Strlen(benchmark::State& state) {  // a UTF-8 copy of the argument
  static Oop subr = MakeSubr("strlen", dlsym(RTLD_DEFAULT, "strlen"), "s>l");
  Oop args[] = {NewStringFromUtf8("hello, world")};
  Run<path>(state, subr, args, 1);
}

// Part of both paths: the stdout flush before every foreign call.
void BM_FlushOnly(benchmark::State& state) {
  for (auto _ : state) PrepareForeignCall();
}

BENCHMARK_TEMPLATE(BM_Add, kStub);
BENCHMARK_TEMPLATE(BM_Add, kLibffi);
BENCHMARK_TEMPLATE(BM_Labs, kStub);
BENCHMARK_TEMPLATE(BM_Labs, kLibffi);
BENCHMARK_TEMPLATE(BM_Sqrt, kStub);
BENCHMARK_TEMPLATE(BM_Sqrt, kLibffi);
BENCHMARK_TEMPLATE(BM_Strlen, kStub);
BENCHMARK_TEMPLATE(BM_Strlen, kLibffi);
BENCHMARK(BM_FlushOnly);

}  // namespace
}  // namespace maru::jit::ffi

BENCHMARK_MAIN();
