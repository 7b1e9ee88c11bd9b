#include "runtime/primitives/registry.h"

#include "runtime/printer.h"

namespace maru {

void RegisterPrimitives(Vm& vm) {
  RegisterArithmeticPrimitives(vm);
  RegisterPairPrimitives(vm);
  RegisterStringPrimitives(vm);
  RegisterFormatPrimitive(vm);
  RegisterConversionPrimitives(vm);
  RegisterArrayPrimitives(vm);
  RegisterIoPrimitives(vm);
  RegisterDataPrimitives(vm);
  RegisterMemoryAccessPrimitives(vm);
  RegisterControlPrimitives(vm);
  RegisterForeignPrimitives(vm);
}

void DefinePrimitive(Vm& vm, const char* name, PrimitiveFn fn, int arity) {
  vm.DefineGlobal(name, NewPrimitive(name, fn, arity));
}

Oop ArgumentError(Vm& vm, std::string_view name, std::string_view kind, Oop x) {
  return vm.Error(std::string(name) + ": non-" + std::string(kind) +
                  " argument: " + DumpForMessage(vm, x));
}

Oop ArityError(Vm& vm, std::string_view name, int argc) {
  return vm.Error("wrong number of arguments (" + std::to_string(argc) +
                  ") in: " + std::string(name));
}

}  // namespace maru
