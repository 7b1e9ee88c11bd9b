#include "tests/objfile/macho_page_hashes.h"

#include <algorithm>
#include <string_view>

#include "absl/status/status.h"
#include "tests/objfile/macho_external_sha256.h"

namespace maru::objfile_test {

absl::StatusOr<std::vector<uint32_t>> PagesWithWrongHash(const ReadMachO& image) {
  if (!image.signature.has_value() || !image.signature->code_directory.has_value()) {
    return absl::FailedPreconditionError("no CodeDirectory");
  }
  const MachOCodeDirectory& cd = *image.signature->code_directory;
  if (cd.hash_type != 2 || cd.hash_size != 32) {
    return absl::FailedPreconditionError("not a SHA-256 CodeDirectory");
  }
  if (cd.page_size_log2 == 0 || cd.page_size_log2 > 20 || cd.code_limit > image.image.size()) {
    return absl::FailedPreconditionError("bad page size or code limit");
  }
  const uint64_t page = uint64_t{1} << cd.page_size_log2;
  std::vector<std::string_view> pages;
  for (uint64_t at = 0; at < cd.code_limit; at += page) {
    pages.push_back(image.image.substr(at, std::min<uint64_t>(page, cd.code_limit - at)));
  }
  if (pages.size() != cd.code_hashes.size()) {
    return absl::FailedPreconditionError("nCodeSlots does not match codeLimit");
  }
  absl::StatusOr<std::vector<std::string>> digests = ExternalSha256(pages);
  if (!digests.ok()) return digests.status();
  std::vector<uint32_t> wrong;
  for (uint32_t i = 0; i < pages.size(); ++i) {
    if ((*digests)[i] != cd.code_hashes[i]) wrong.push_back(i);
  }
  return wrong;
}

}  // namespace maru::objfile_test
