#include "jit/objfile/module_spec.h"

#include "absl/strings/str_cat.h"

namespace maru::jit::objfile {

absl::Status ValidateModuleSpec(const ModuleSpec& spec) {
  if (spec.arch != Arch::kX86_64 && spec.arch != Arch::kAArch64) {
    return absl::InvalidArgumentError("unknown architecture");
  }
  if (spec.functions.size() > kMaxModuleFunctions) {
    return absl::InvalidArgumentError(absl::StrCat("too many functions: ", spec.functions.size()));
  }
  if (spec.data_table_init.size() > spec.data_table_words) {
    return absl::InvalidArgumentError(
        absl::StrCat("data_table_init has ", spec.data_table_init.size(), " words, the table only ",
                     spec.data_table_words));
  }
  if (spec.data_table_words > kMaxModuleMemorySize / 8) {
    return absl::InvalidArgumentError("data table too large");
  }
  for (size_t i = 0; i < spec.functions.size(); ++i) {
    const Function& f = spec.functions[i];
    const std::string what = absl::StrCat("function ", i, " (", f.name, ")");
    if (f.code.empty()) return absl::InvalidArgumentError(what + " has no code");
    if (f.code.size() > kMaxModuleMemorySize) {
      return absl::InvalidArgumentError(what + " too large");
    }
    if (f.alignment == 0 || (f.alignment & (f.alignment - 1)) != 0 ||
        f.alignment > kMaxFunctionAlignment) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " alignment ", f.alignment, " is not a power of two <= 4096"));
    }
    if (spec.arch == Arch::kAArch64 && f.alignment < 4) {
      return absl::InvalidArgumentError(what + ": AArch64 code needs alignment >= 4");
    }
    for (const Fixup& fx : f.fixups) {
      const bool to_function = fx.target == FixupTarget::kFunction;
      if (to_function ? fx.index >= spec.functions.size() : fx.index > spec.data_table_words) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": fixup at offset ", fx.offset, " targets nonexistent ",
                         to_function ? "function " : "table word ", fx.index));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace maru::jit::objfile
