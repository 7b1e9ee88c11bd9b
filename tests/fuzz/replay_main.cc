// The regression-test driver of a fuzz target: replays every input file named on the command
// line (directories are walked, their files taken in name order) through the target's
// LLVMFuzzerTestOneInput, as libFuzzer would run them, without libFuzzer. A finding aborts the
// process (tests/fuzz/fuzz_check.h), which fails the test; so do sanitizer reports.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input files under `path` (itself if it is a file), in name order. Hidden files are not
// inputs (editors and tools leave them behind).
bool CollectInputs(const std::filesystem::path& path, std::vector<std::filesystem::path>* out) {
  std::error_code error;
  if (std::filesystem::is_regular_file(path, error)) {
    out->push_back(path);
    return true;
  }
  if (!std::filesystem::is_directory(path, error)) {
    std::fprintf(stderr, "replay: %s: not a file or directory\n", path.c_str());
    return false;
  }
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           path, std::filesystem::directory_options::follow_directory_symlink)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
      found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!CollectInputs(argv[i], &inputs)) return 2;
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs (usage: %s FILE_OR_DIRECTORY...)\n", argv[0]);
    return 2;
  }
  for (const std::filesystem::path& input : inputs) {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", input.c_str());
      return 2;
    }
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", input.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu inputs\n", inputs.size());
  return 0;
}
