// The data tables of dlopen'ed modules (jit/backend/data_table.h) hold heap objects' addresses.
// Boehm scans the writable segments of every loaded library as roots, which would keep those
// objects alive as long as the module, and the module (released with its function's code, when
// the function is collected) alive for ever when the table holds its own function: a leak of
// every module. Compiled code keeps what its table names alive by other means (the code
// record), so these tables are kept out of the roots: a table's last word is a cookie, random per
// process, and a GC callback declines writable segments that end with it.
#ifndef MARU_JIT_CODEMEM_MODULE_TABLE_ROOTS_H_
#define MARU_JIT_CODEMEM_MODULE_TABLE_ROOTS_H_

#include <cstdint>

namespace maru::jit {

// The word that ends every module data table in this process. The first call registers the GC
// callback (GC_register_has_static_roots_callback: it replaces any callback an embedder set).
uint64_t ModuleTableCookie();

}  // namespace maru::jit

#endif  // MARU_JIT_CODEMEM_MODULE_TABLE_ROOTS_H_
