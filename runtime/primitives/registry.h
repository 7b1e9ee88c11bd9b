// Registration of the core primitives (spec §7) and helpers shared by their implementations.
#ifndef MARU_RUNTIME_PRIMITIVES_REGISTRY_H_
#define MARU_RUNTIME_PRIMITIVES_REGISTRY_H_

#include <string>
#include <string_view>

#include "runtime/object.h"
#include "runtime/subr.h"
#include "runtime/vm.h"

namespace maru {

// Defines every core primitive as a global of `vm`.
void RegisterPrimitives(Vm& vm);

// One group of primitives each (arithmetic.cc, pairs.cc, ...).
void RegisterArithmeticPrimitives(Vm& vm);
void RegisterPairPrimitives(Vm& vm);
void RegisterStringPrimitives(Vm& vm);
void RegisterFormatPrimitive(Vm& vm);
void RegisterConversionPrimitives(Vm& vm);
void RegisterArrayPrimitives(Vm& vm);
void RegisterIoPrimitives(Vm& vm);
void RegisterDataPrimitives(Vm& vm);
void RegisterMemoryAccessPrimitives(Vm& vm);
void RegisterControlPrimitives(Vm& vm);
void RegisterForeignPrimitives(Vm& vm);

// Binds `name` to a primitive; `arity` is the checked argument count, or -1.
void DefinePrimitive(Vm& vm, const char* name, PrimitiveFn fn, int arity);

// "NAME: non-KIND argument: X" (spec §7 argument rules).
Oop ArgumentError(Vm& vm, std::string_view name, std::string_view kind, Oop x);
// "wrong number of arguments (N) in: NAME".
Oop ArityError(Vm& vm, std::string_view name, int argc);
// t or nil.
inline Oop Truth(const Vm& vm, bool b) { return b ? vm.sym_t : kNil; }

}  // namespace maru

#endif  // MARU_RUNTIME_PRIMITIVES_REGISTRY_H_
