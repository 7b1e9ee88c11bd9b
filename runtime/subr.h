// Subrs: primitives implemented in C++ (and, later, foreign functions). A Subr is a raw object
// (spec §4.1: `_name _imp _sig _profile` are raw words); `_imp` holds the C entry address.
#ifndef MARU_RUNTIME_SUBR_H_
#define MARU_RUNTIME_SUBR_H_

#include <cstdint>
#include <string_view>

#include "runtime/object.h"
#include "runtime/vm.h"

namespace maru {

// A primitive receives its evaluated arguments as an array. Missing arguments read as nil through
// Arg(). `caller` is the calling activation (nullptr when called from the host or a macro
// expansion). It returns a value, or kErrorOop with the error pending in the Vm.
using PrimitiveFn = Oop (*)(Vm& vm, const Oop* args, int argc, Frame* caller);
// The function of a core special form: receives the unevaluated, encoded operand list.
using SpecialFormFn = Oop (*)(Vm& vm, Oop operands, Frame* frame);
// A host function of the embedding API (api/): like a PrimitiveFn, plus the Subr's `data` word
// (the host's closure, owned by the embedder for as long as the Subr can be called).
using HostFn = Oop (*)(Vm& vm, void* data, const Oop* args, int argc, Frame* caller);

// kHost: `imp` is a HostFn and `data` its closure; `arity` is checked as for kPrimitive. The JIT
// never treats a kHost Subr as a core primitive, whatever its name.
enum class SubrKind : int32_t { kPrimitive = 0, kSpecialForm = 1, kForeign = 2, kHost = 3 };

struct SubrBody {
  const char* name;  // _name (NUL-terminated UTF-8)
  void* imp;         // _imp
  const char* sig;   // _sig (foreign signature) or nullptr
  int64_t profile;   // _profile
  // Native-only.
  SubrKind kind;
  int32_t arity;  // the checked argument count, or -1 when unchecked
  void* data;     // foreign-call data, or a host function's closure (kHost)
};

inline bool IsSubr(Oop o) { return Is(o, kSubrType); }
inline SubrBody* SubrOf(Oop o) { return reinterpret_cast<SubrBody*>(RawBytes(o)); }
inline std::string_view SubrName(Oop o) { return SubrOf(o)->name ? SubrOf(o)->name : "subr"; }

Oop NewPrimitive(const char* name, PrimitiveFn fn, int32_t arity);
Oop NewSpecialFormSubr(const char* name, SpecialFormFn fn);

inline Oop Arg(const Oop* args, int argc, int i) { return i < argc ? args[i] : kNil; }

}  // namespace maru

#endif  // MARU_RUNTIME_SUBR_H_
