// What lets a module compiled in one process be loaded in another (jit/module_cache.h).
//
// The key of a batch is built from each function's canonical IR: the optimised IR with every
// heap object written as what code generation may depend on (its type; a Symbol's or String's
// text, a Variable's name, a Subr's name, kind and arity, an Expr's slot count) plus a number
// for its identity within the function, so two functions with the same key get the same machine
// code. Addresses never enter the key.
//
// The words of the module's data table (this process's addresses: jit/backend/data_table.h) are
// stored as sources: where in the IR, the function or the runtime each came from. Loading from
// the cache resolves the sources against this process's IR of the same key.
#ifndef MARU_JIT_MODULE_KEY_H_
#define MARU_JIT_MODULE_KEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "jit/ir/ir.h"

namespace maru::jit {

// Appends f's canonical IR to *out.
void AppendCanonicalIr(const ir::Function& f, std::string* out);

// Where a data-table word comes from.
struct WordSource {
  enum Kind : uint8_t {
    kField = 0,  // a = instruction number (in block order), b = field: 0 imm, 1 imm2, 2 form, 3 aux
    kFunction = 1,  // a = 0 the lambda's Env, 1 the Expr, 2 the guard record, 3 the epoch it
                    // was made at (ir::Function::guard_epoch; may be 0)
    kRuntime = 2,   // a = the runtime function's number (module_key.cc)
    kSubrImp = 3,   // the C function of the Subr in a field (a, b as kField)
    kSymbolT = 4,   // the symbol t
    kInlineFrame = 5,  // a = inline frame (from 0), b = 0 its Env, 1 home, 2 call form, 3 callee
    kKindCount = 6,
  };
  uint8_t kind = kField;
  uint32_t a = 0;
  uint32_t b = 0;
};

// The sources of a function's table words; false when a word comes from nowhere known (such a
// module is not cached).
bool DescribeTableWords(const ir::Function& f, const std::vector<uint64_t>& words,
                        std::vector<WordSource>* sources);
// This process's words for `sources`, against f; false when a source does not fit f (a damaged
// entry).
bool ResolveTableWords(const ir::Function& f, const std::vector<WordSource>& sources,
                       std::vector<uint64_t>* words);

}  // namespace maru::jit

#endif  // MARU_JIT_MODULE_KEY_H_
