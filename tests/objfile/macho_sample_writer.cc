// Writes the sample modules as Mach-O dylibs for tools to inspect:
//   macho_sample_writer DIR
// creates DIR/x86_64.dylib (SampleX86Module), DIR/arm64.dylib (SampleAArch64Module) and
// DIR/x86_64_300.dylib (SmallX86Module(300)), each with its own path as install name, and prints
// one line per dylib: "<file> <symbol> <hex offset>" for every exported function and the
// table, so a test can compare what a tool reads with what the writer laid out.
#include <cstdio>
#include <fstream>
#include <string>

#include "jit/objfile/macho_writer.h"
#include "tests/objfile/sample_modules.h"

namespace {

namespace objfile = ::maru::jit::objfile;

bool WriteOne(const std::string& dir, const std::string& name, const objfile::ModuleSpec& spec) {
  objfile::MachODylibOptions options;
  options.install_name = dir + "/" + name;
  absl::StatusOr<objfile::WrittenDylib> w = objfile::WriteMachODylib(spec, options);
  if (!w.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), std::string(w.status().message()).c_str());
    return false;
  }
  std::ofstream out(options.install_name, std::ios::binary);
  out.write(w->image.data(), static_cast<std::streamsize>(w->image.size()));
  if (!out) return false;
  for (const objfile::FunctionLayout& f : w->layout.functions) {
    std::printf("%s _%s %llx\n", name.c_str(), f.symbol.c_str(),
                static_cast<unsigned long long>(f.offset));
  }
  if (!w->layout.data_table_symbol.empty()) {
    std::printf("%s _%s %llx\n", name.c_str(), w->layout.data_table_symbol.c_str(),
                static_cast<unsigned long long>(w->layout.data_table_offset));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: macho_sample_writer DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  namespace t = ::maru::objfile_test;
  const bool ok = WriteOne(dir, "x86_64.dylib", t::SampleX86Module()) &&
                  WriteOne(dir, "arm64.dylib", t::SampleAArch64Module()) &&
                  WriteOne(dir, "x86_64_300.dylib", t::SmallX86Module(300));
  return ok ? 0 : 1;
}
