// Input and output (spec §7.7). Streams are Long handles holding the C FILE* address, as in the
// reference, so they can be handed to C. Only handles of streams that are open are accepted.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/heap.h"
#include "runtime/primitives/registry.h"
#include "runtime/printer.h"
#include "runtime/reader.h"
#include "runtime/streams.h"
#include "runtime/strings.h"

namespace maru {

namespace {

// The FILE* for a stream argument (or the default Variable's stream when the argument is
// absent); nullptr after reporting an error.
FILE* StreamArg(Vm& vm, const char* name, const Oop* a, int n, int index, Oop default_var) {
  Oop handle = index < n ? a[index] : Slot(default_var, variable::kValue);
  if (!IsLong(handle)) {
    ArgumentError(vm, name, "integer", handle);
    return nullptr;
  }
  FILE* f = reinterpret_cast<FILE*>(static_cast<intptr_t>(LongValue(handle)));
  if (!IsOpenStream(f)) {
    vm.Error(std::string(name) + ": not an open stream: " + DumpForMessage(vm, handle));
    return nullptr;
  }
  return f;
}

Oop Handle(Vm& vm, FILE* f) {
  Oop h = StreamHandle(f);
  return h == kNil ? vm.OutOfMemory() : h;
}

Oop OpenP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop path = Arg(a, n, 0);
  if (!IsString(path)) return ArgumentError(vm, "open", "String", path);
  std::string mode = IsString(Arg(a, n, 1)) ? StringToUtf8(a[1]) : "r";
  FILE* f = std::fopen(StringToUtf8(path).c_str(), mode.c_str());
  if (f == nullptr) return kNil;
  RegisterStream(f);
  return Handle(vm, f);
}

Oop CloseP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop handle = Arg(a, n, 0);
  if (!IsLong(handle)) return ArgumentError(vm, "close", "integer", handle);
  FILE* f = StreamArg(vm, "close", a, n, 0, vm.input_var());
  if (f == nullptr) return kErrorOop;
  UnregisterStream(f);
  vm.pushback.erase(f);
  std::fclose(f);
  return handle;
}

Oop GetcP(Vm& vm, const Oop* a, int n, Frame*) {
  FILE* f = StreamArg(vm, "getc", a, n, 0, vm.input_var());
  if (f == nullptr) return kErrorOop;
  auto it = vm.pushback.find(f);
  if (it != vm.pushback.end()) {
    int32_t c = it->second;
    vm.pushback.erase(it);
    if (c < 0) return vm.Error("getc: illegal UTF-8 sequence");
    return MakeFixnum(c);
  }
  int b = std::getc(f);
  if (b == EOF) return kNil;
  if (b < 0x80) return MakeFixnum(b);
  unsigned char buf[4] = {static_cast<unsigned char>(b)};
  int len = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
  for (int i = 1; i < len; ++i) {
    int more = std::getc(f);
    if (more == EOF) return vm.Error("getc: illegal UTF-8 sequence");
    buf[i] = static_cast<unsigned char>(more);
  }
  uint32_t c;
  if (len == 0 || DecodeUtf8(buf, buf + len, &c) != len) {
    return vm.Error("getc: illegal UTF-8 sequence");
  }
  return MakeFixnum(c);
}

Oop GetbP(Vm& vm, const Oop* a, int n, Frame*) {
  FILE* f = StreamArg(vm, "getb", a, n, 0, vm.input_var());
  if (f == nullptr) return kErrorOop;
  auto it = vm.pushback.find(f);
  if (it != vm.pushback.end()) {
    // The reader's lookahead character goes back to the stream as its UTF-8 bytes.
    int32_t c = it->second;
    vm.pushback.erase(it);
    if (c >= 0) {
      std::string bytes;
      AppendUtf8(static_cast<uint32_t>(c), &bytes);
      for (size_t i = bytes.size(); i > 1; --i) std::ungetc(static_cast<unsigned char>(bytes[i - 1]), f);
      return MakeFixnum(static_cast<unsigned char>(bytes[0]));
    }
  }
  int b = std::getc(f);
  return b == EOF ? kNil : MakeFixnum(b);
}

Oop Put(Vm& vm, const char* name, bool utf8, const Oop* a, int n) {
  Oop c = Arg(a, n, 0);
  if (!IsLong(c)) return ArgumentError(vm, name, "integer", c);
  FILE* f = StreamArg(vm, name, a, n, 1, vm.output_var());
  if (f == nullptr) return kErrorOop;
  int64_t code = LongValue(c);
  if (f == stdout && vm.output_capture != nullptr) {
    if (utf8) {
      AppendUtf8(static_cast<uint32_t>(code), vm.output_capture);
    } else {
      vm.output_capture->push_back(static_cast<char>(code));
    }
    return c;
  }
  if (utf8 && code >= 0x80) {
    std::string bytes;
    AppendUtf8(static_cast<uint32_t>(code), &bytes);
    if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) return kNil;
  } else if (std::putc(static_cast<int>(code & 0xFF), f) == EOF) {
    return kNil;
  }
  if (f == stderr) std::fflush(f);
  return c;
}

Oop PutcP(Vm& vm, const Oop* a, int n, Frame*) { return Put(vm, "putc", true, a, n); }
Oop PutbP(Vm& vm, const Oop* a, int n, Frame*) { return Put(vm, "putb", false, a, n); }

Oop ReadP(Vm& vm, const Oop* a, int n, Frame*) {
  Oop source = Arg(a, n, 0);
  bool eof = false;
  if (n == 0) {
    Reader reader(vm, stdin, "<stdin>");
    Oop form = reader.Read(&eof);
    return eof ? kNil : form;
  }
  if (IsString(source)) {
    std::string path = StringToUtf8(source);
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return kNil;
    Oop head = kNil, last = kNil;
    Oop result = kNil;
    {
      Reader reader(vm, f, path);
      for (;;) {
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
  if (IsLong(source)) {
    FILE* f = StreamArg(vm, "read", a, n, 0, vm.input_var());
    if (f == nullptr) return kErrorOop;
    Reader reader(vm, f, "<stream>");
    Oop form = reader.Read(&eof);
    return eof ? kNil : form;
  }
  return vm.Error("read: cannot read from " + DumpForMessage(vm, source));
}

Oop Write(Vm& vm, FILE* f, bool dump, const Oop* a, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (!PrintTo(vm, a[i], dump, &out)) return kErrorOop;
  }
  bool ok = f == stdout ? vm.WriteOutput(out)
                       : std::fwrite(out.data(), 1, out.size(), f) == out.size() && std::fflush(f) == 0;
  if (!ok) return vm.Error(std::string("write error: ") + std::strerror(errno));
  return kNil;
}

Oop PrintP(Vm& vm, const Oop* a, int n, Frame*) { return Write(vm, stdout, false, a, n); }
Oop DumpP(Vm& vm, const Oop* a, int n, Frame*) { return Write(vm, stdout, true, a, n); }
Oop WarnP(Vm& vm, const Oop* a, int n, Frame*) { return Write(vm, stderr, false, a, n); }

}  // namespace

void RegisterIoPrimitives(Vm& vm) {
  DefinePrimitive(vm, "open", OpenP, -1);
  DefinePrimitive(vm, "close", CloseP, -1);
  DefinePrimitive(vm, "getc", GetcP, -1);
  DefinePrimitive(vm, "getb", GetbP, -1);
  DefinePrimitive(vm, "putc", PutcP, -1);
  DefinePrimitive(vm, "putb", PutbP, -1);
  DefinePrimitive(vm, "read", ReadP, -1);
  DefinePrimitive(vm, "print", PrintP, -1);
  DefinePrimitive(vm, "dump", DumpP, -1);
  DefinePrimitive(vm, "warn", WarnP, -1);
}

}  // namespace maru
