// Foreign functions and machine code (spec §7.10, §13). The names exist now; calls through
// signatures arrive with the embedding/FFI work and report a clear error until then.
#include <dlfcn.h>

#include <cstring>

#include <gc.h>

#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"
#include "runtime/strings.h"

namespace maru {

namespace {

char* GcString(const std::string& s) {
  char* p = static_cast<char*>(GC_MALLOC_ATOMIC(s.size() + 1));
  if (p != nullptr) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

bool ValidSignature(const std::string& sig) {
  size_t arrow = sig.find('>');
  std::string args = sig.substr(0, arrow);
  for (char c : args) {
    if (std::strchr("ijklfdpSs.", c) == nullptr) return false;
  }
  if (arrow == std::string::npos) return true;
  return sig.size() == arrow + 2 && std::strchr("vijklfdpsS", sig[arrow + 1]) != nullptr;
}

Oop SubrP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop name = Arg(a, n, 0);
  if (!IsString(name) && !IsSymbol(name)) return vm.Error("subr: argument must be string or symbol");
  std::string symbol = TextOf(name);
  void* address = dlsym(RTLD_DEFAULT, symbol.c_str());
  if (address == nullptr) return vm.Error("could not find symbol: " + symbol);
  std::string sig;
  if (n > 1) {
    if (!IsString(a[1])) return vm.Error("subr: non-String signature: " + DumpForMessage(vm, a[1]));
    sig = StringToUtf8(a[1]);
    if (!ValidSignature(sig)) return vm.Error("illegal type specification: " + sig);
  }
  Oop s = AllocRaw(kSubrType, sizeof(SubrBody), /*scanned=*/true);
  if (s == kNil) return vm.OutOfMemory();
  SubrBody* body = SubrOf(s);
  body->name = GcString(symbol);
  body->imp = address;
  body->sig = n > 1 ? GcString(sig) : nullptr;
  body->kind = SubrKind::kForeign;
  body->arity = -1;
  return s;
}

Oop SubrNameP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop s = Arg(a, n, 0);
  if (!Is(s, kSubrType)) return ArgumentError(vm, "subr-name", "Subr", s);
  Oop str = NewStringFromUtf8(SubrName(s));
  return str == kNil ? vm.OutOfMemory() : str;
}

Oop NativeCallP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop code = Arg(a, n, 0);
  uint32_t type = TypeOf(code);
  if (type != kDataType && type != kLongType && type != kSubrType) {
    return vm.Error("call: cannot call object of type " + std::to_string(type));
  }
  return vm.Error("native-call: not supported yet");
}

}  // namespace

void RegisterForeignPrimitives(Vm& vm) {
  DefinePrimitive(vm, "subr", SubrP, -1);
  DefinePrimitive(vm, "subr-name", SubrNameP, -1);
  DefinePrimitive(vm, "native-call", NativeCallP, -1);
}

}  // namespace maru
