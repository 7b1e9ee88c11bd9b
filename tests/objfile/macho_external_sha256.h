// A reference SHA-256 for the tests that is not the writer's: coreutils' sha256sum, run once
// over a batch of byte strings written to temporary files. Used to check jit/objfile/sha256.h
// itself and to recompute code-signature page hashes independently.
#ifndef MARU_TESTS_OBJFILE_MACHO_EXTERNAL_SHA256_H_
#define MARU_TESTS_OBJFILE_MACHO_EXTERNAL_SHA256_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace maru::objfile_test {

// Raw 32-byte digests of `chunks`, in order, computed by `sha256sum`. Unavailable when the
// command cannot be run or its output cannot be parsed.
absl::StatusOr<std::vector<std::string>> ExternalSha256(
    const std::vector<std::string_view>& chunks);

}  // namespace maru::objfile_test

#endif  // MARU_TESTS_OBJFILE_MACHO_EXTERNAL_SHA256_H_
