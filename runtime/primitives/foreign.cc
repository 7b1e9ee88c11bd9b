// Foreign functions and machine code (spec §7.10, §13), and access to the embedded library
// files (dlopen.k, osdefs.k).
//
//   (subr name [signature])  a Subr for the C symbol `name`, found as dlsym(RTLD_DEFAULT) finds
//                            it. With a signature the Subr calls the function through the C
//                            calling convention (libffi; runtime/ffi/ffi.h). Without one (or with
//                            nil), the function must be written against the project's embedding
//                            interface: it is called exactly like a core primitive, as a
//                            maru::PrimitiveFn (runtime/subr.h),
//                                extern "C" maru::Oop f(maru::Vm& vm, const maru::Oop* args,
//                                                       int argc, maru::Frame* caller);
//                            receiving the evaluated arguments and returning a value, or
//                            kErrorOop after vm.Error(...). This is the project's counterpart of
//                            the reference's signature-less Subrs (which receive the reference's
//                            own argument list and environment) and is not portable between the
//                            two implementations. Any other C function called this way receives
//                            arguments it does not expect.
//   (subr-name subr)         its name as a String.
//   (native-call code arg...) calls machine code; see NativeCall in runtime/ffi/ffi.h. A Data
//                            object is run from an executable copy of its bytes (W^X: the Data
//                            itself is never made executable).
//
// Support for the prelude's find-and-read (§10.11), which falls back to the library files built
// into the binary when a file is not on disk:
//   (%library-source name)   the text of the embedded library file `name` as a String, or nil.
//   (%read-string text [path]) the list of all forms read from the String `text` (as `read` of
//                            a file path gives them), source positions labelled with `path`.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <string>

#include <gc.h>

#include "runtime/ffi/ffi.h"
#include "runtime/ffi/library.h"
#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/strings.h"

namespace maru {

namespace {

char* GcString(const std::string& s) {
  char* p = static_cast<char*>(GC_MALLOC_ATOMIC(s.size() + 1));
  if (p != nullptr) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

Oop SubrP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop name = Arg(a, n, 0);
  if (!IsString(name) && !IsSymbol(name)) {
    return vm.Error("subr: argument must be string or symbol");
  }
  std::string symbol = TextOf(name);
  void* address = dlsym(RTLD_DEFAULT, symbol.c_str());
  if (address == nullptr) return vm.Error("could not find symbol: " + symbol);
  Oop signature = Arg(a, n, 1);
  if (signature != kNil && !IsString(signature)) {
    return vm.Error("subr: non-String signature: " + DumpForMessage(vm, signature));
  }
  char* name_copy = GcString(symbol);
  char* sig = signature == kNil ? nullptr : GcString(StringToUtf8(signature));
  if (name_copy == nullptr || (signature != kNil && sig == nullptr)) return vm.OutOfMemory();
  void* data = nullptr;
  if (sig != nullptr) {
    data = NewForeignCallData(vm, sig);
    if (data == nullptr) return kErrorOop;
  }
  Oop s = AllocRaw(kSubrType, sizeof(SubrBody), /*scanned=*/true);
  if (s == kNil) return vm.OutOfMemory();
  SubrBody* body = SubrOf(s);
  body->name = name_copy;
  body->imp = address;
  body->sig = sig;
  body->profile = 0;
  body->kind = SubrKind::kForeign;
  body->arity = -1;
  body->data = data;
  return s;
}

Oop SubrNameP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop s = Arg(a, n, 0);
  if (!Is(s, kSubrType)) return ArgumentError(vm, "subr-name", "Subr", s);
  Oop str = NewStringFromUtf8(SubrName(s));
  return str == kNil ? vm.OutOfMemory() : str;
}

Oop NativeCallP(Vm& vm, const Oop* a, int n, Frame*) { return NativeCall(vm, a, n); }

Oop LibrarySourceP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop name = Arg(a, n, 0);
  if (!IsString(name) && !IsSymbol(name)) return kNil;
  std::optional<std::string_view> text = EmbeddedLibrarySource(TextOf(name));
  if (!text) return kNil;
  Oop s = NewStringFromUtf8(*text);
  return s == kNil ? vm.OutOfMemory() : s;
}

Oop ReadStringP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop text = Arg(a, n, 0);
  if (!IsString(text)) return ArgumentError(vm, "%read-string", "String", text);
  Oop path = Arg(a, n, 1);
  std::string label = IsString(path) || IsSymbol(path) ? TextOf(path) : "<string>";
  std::string source = StringToUtf8(text);
  if (source.empty()) return kNil;
  FILE* f = fmemopen(source.data(), source.size(), "r");
  if (f == nullptr) return vm.Error("%read-string: " + std::string(std::strerror(errno)));
  Oop head = kNil, last = kNil, result = kNil;
  {
    Reader reader(vm, f, label);
    for (;;) {
      bool eof = false;
      Oop form = reader.Read(&eof);
      if (form == kErrorOop) {
        result = kErrorOop;
        break;
      }
      if (eof) break;
      Oop cell = NewPair(form, kNil);
      if (cell == kNil) {
        result = vm.OutOfMemory();
        break;
      }
      if (head == kNil) {
        head = cell;
      } else {
        Slot(last, pair::kTail) = cell;
      }
      last = cell;
    }
  }
  vm.pushback.erase(f);
  std::fclose(f);
  return result == kErrorOop ? result : head;
}

}  // namespace

void RegisterForeignPrimitives(Vm& vm) {
  DefinePrimitive(vm, "subr", SubrP, -1);
  DefinePrimitive(vm, "subr-name", SubrNameP, -1);
  DefinePrimitive(vm, "native-call", NativeCallP, -1);
  DefinePrimitive(vm, "%library-source", LibrarySourceP, -1);
  DefinePrimitive(vm, "%read-string", ReadStringP, -1);
}

}  // namespace maru
