// Independent verification of a Mach-O code signature's page hashes: each page of the file up
// to the CodeDirectory's codeLimit is hashed by coreutils' sha256sum (macho_external_sha256.h)
// and compared with the stored digest.
#ifndef MARU_TESTS_OBJFILE_MACHO_PAGE_HASHES_H_
#define MARU_TESTS_OBJFILE_MACHO_PAGE_HASHES_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/objfile/macho_reader.h"

namespace maru::objfile_test {

// Indices of the code slots whose stored hash differs from the recomputed one (empty: all
// match). FailedPrecondition without a CodeDirectory or with a hash type other than SHA-256;
// Unavailable when sha256sum cannot run.
absl::StatusOr<std::vector<uint32_t>> PagesWithWrongHash(const ReadMachO& image);

}  // namespace maru::objfile_test

#endif  // MARU_TESTS_OBJFILE_MACHO_PAGE_HASHES_H_
