// Exported symbol names for compiled Maru functions.
//
// Maru names may contain any byte ("set-car!", "list->vector", "<object>", "+", "" for anonymous
// lambdas), and one module may hold two functions with the same name. The scheme maps them to
// unique identifiers matching [A-Za-z_][A-Za-z0-9_]*, reversibly:
//
//   symbol = "maru_f_" + Encode(name) [+ "_" + k]      (k = 1, 2, ... for repeats in a module)
//
// Encode copies [A-Za-z0-9] and replaces every other byte with '_' + one letter:
//   '_' -> "__"   '-' -> "_h"   '?' -> "_p"   '!' -> "_b"   '*' -> "_s"   '+' -> "_a"
//   '<' -> "_l"   '>' -> "_g"   '=' -> "_e"   '/' -> "_d"   '.' -> "_o"   ':' -> "_c"
//   '%' -> "_m"   '&' -> "_n"   any other byte b -> "_x" + two lowercase hex digits of b.
// A '_' followed by a digit never comes out of Encode, so the duplicate suffix is unambiguous.
// Examples: "fib" -> maru_f_fib, "set-car!" -> maru_f_set_hcar_b, "list->vector" ->
// maru_f_list_h_gvector, "" -> maru_f_, a second "fib" in the same module -> maru_f_fib_1.
// No function symbol equals kDataTableSymbol ("maru_data_table", no "maru_f_" prefix).
#ifndef MARU_JIT_OBJFILE_SYMBOL_MANGLING_H_
#define MARU_JIT_OBJFILE_SYMBOL_MANGLING_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace maru::jit::objfile {

inline constexpr std::string_view kFunctionSymbolPrefix = "maru_f_";

// "maru_f_" + Encode(name), without a duplicate suffix.
std::string MangleFunctionName(std::string_view name);

// One symbol per name, in order: the first occurrence of a name gets MangleFunctionName(name),
// later ones the suffixes _1, _2, ...
std::vector<std::string> MangleUniqueFunctionNames(const std::vector<std::string_view>& names);

struct DemangledName {
  std::string name;
  int duplicate = 0;  // 0 for the first occurrence, k for the suffix _k
};

// The inverse; InvalidArgument for a string the scheme never produces.
absl::StatusOr<DemangledName> DemangleFunctionSymbol(std::string_view symbol);

}  // namespace maru::jit::objfile

#endif  // MARU_JIT_OBJFILE_SYMBOL_MANGLING_H_
