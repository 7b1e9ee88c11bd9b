#include "tests/objfile/macho_external_sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace maru::objfile_test {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ExternalSha256(
    const std::vector<std::string_view>& chunks) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/sha256.XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::UnavailableError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  std::vector<std::string> paths;
  std::string command = "sha256sum";
  for (size_t i = 0; i < chunks.size(); ++i) {
    paths.push_back(absl::StrCat(dir, "/", i));
    std::ofstream(paths.back(), std::ios::binary).write(chunks[i].data(), chunks[i].size());
    absl::StrAppend(&command, " ", paths.back());
  }
  std::vector<std::string> digests;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::UnavailableError("cannot run sha256sum");
  char line[4096];
  while (fgets(line, sizeof line, pipe) != nullptr) {
    std::string digest;
    for (int i = 0; i < 32; ++i) {
      const int hi = HexValue(line[2 * i]), lo = HexValue(line[2 * i + 1]);
      if (hi < 0 || lo < 0) break;
      digest.push_back(static_cast<char>(hi * 16 + lo));
    }
    digests.push_back(std::move(digest));
  }
  const int status = pclose(pipe);
  for (const std::string& path : paths) unlink(path.c_str());
  rmdir(dir.c_str());
  if (status != 0 || digests.size() != chunks.size()) {
    return absl::UnavailableError(absl::StrCat("sha256sum exited with ", status, ", ",
                                               digests.size(), " digests for ", chunks.size()));
  }
  for (const std::string& d : digests) {
    if (d.size() != 32) return absl::DataLossError("unparsable sha256sum output");
  }
  return digests;
}

}  // namespace maru::objfile_test
