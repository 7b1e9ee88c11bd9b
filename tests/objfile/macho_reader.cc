#include "tests/objfile/macho_reader.h"

#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace maru::objfile_test {
namespace {

namespace mv = macho_values;

bool InRange(std::string_view bytes, uint64_t offset, uint64_t size) {
  return offset <= bytes.size() && size <= bytes.size() - offset;
}

// Little-endian loads (Mach-O records).
uint64_t LoadLittle(std::string_view b, uint64_t at, int size) {
  uint64_t v = 0;
  for (int i = size - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}
uint32_t L32(std::string_view b, uint64_t at) {
  return static_cast<uint32_t>(LoadLittle(b, at, 4));
}
uint64_t L64(std::string_view b, uint64_t at) { return LoadLittle(b, at, 8); }

// Big-endian loads (code signature).
uint64_t LoadBig(std::string_view b, uint64_t at, int size) {
  uint64_t v = 0;
  for (int i = 0; i < size; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}
uint32_t B32(std::string_view b, uint64_t at) { return static_cast<uint32_t>(LoadBig(b, at, 4)); }
uint64_t B64(std::string_view b, uint64_t at) { return LoadBig(b, at, 8); }

// A fixed-size, NUL-padded name (segname / sectname).
std::string Name16(std::string_view b, uint64_t at) {
  std::string_view field = b.substr(at, 16);
  return std::string(field.substr(0, field.find('\0')));
}

// A NUL-terminated string starting at `at` and ending before `limit`.
absl::StatusOr<std::string> CString(std::string_view b, uint64_t at, uint64_t limit) {
  if (at >= limit || limit > b.size()) return absl::OutOfRangeError("string out of range");
  std::string_view rest = b.substr(at, limit - at);
  const size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) return absl::DataLossError("unterminated string");
  return std::string(rest.substr(0, nul));
}

absl::StatusOr<uint64_t> ReadUleb(std::string_view b, uint64_t& at, uint64_t limit) {
  uint64_t value = 0;
  for (int shift = 0;; shift += 7) {
    if (at >= limit) return absl::OutOfRangeError("ULEB128 runs past its blob");
    if (shift > 63) return absl::DataLossError("ULEB128 too long");
    const uint8_t byte = static_cast<uint8_t>(b[at++]);
    value |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return value;
  }
}

absl::Status Fail(const std::string& what) { return absl::DataLossError(what); }

absl::Status ParseCommand(std::string_view b, const MachOLoadCommand& lc, ReadMachO& out) {
  const uint64_t at = lc.offset;
  const uint64_t end = lc.offset + lc.cmdsize;
  auto need = [&](uint64_t size) -> absl::Status {
    if (lc.cmdsize < size) {
      return Fail(absl::StrCat("load command 0x", absl::Hex(lc.cmd), " too small: ", lc.cmdsize));
    }
    return absl::OkStatus();
  };
  switch (lc.cmd) {
    case mv::kLcSegment64: {
      if (absl::Status s = need(72); !s.ok()) return s;
      MachOSegment seg;
      seg.name = Name16(b, at + 8);
      seg.vmaddr = L64(b, at + 24);
      seg.vmsize = L64(b, at + 32);
      seg.fileoff = L64(b, at + 40);
      seg.filesize = L64(b, at + 48);
      seg.maxprot = L32(b, at + 56);
      seg.initprot = L32(b, at + 60);
      const uint32_t nsects = L32(b, at + 64);
      seg.flags = L32(b, at + 68);
      if (lc.cmdsize != 72 + uint64_t{nsects} * 80) {
        return Fail(absl::StrCat("segment ", seg.name, ": cmdsize ", lc.cmdsize, " for ", nsects,
                                 " sections"));
      }
      for (uint32_t i = 0; i < nsects; ++i) {
        const uint64_t s = at + 72 + uint64_t{i} * 80;
        MachOSection sect;
        sect.sectname = Name16(b, s);
        sect.segname = Name16(b, s + 16);
        sect.addr = L64(b, s + 32);
        sect.size = L64(b, s + 40);
        sect.offset = L32(b, s + 48);
        sect.align = L32(b, s + 52);
        sect.reloff = L32(b, s + 56);
        sect.nreloc = L32(b, s + 60);
        sect.flags = L32(b, s + 64);
        seg.sections.push_back(std::move(sect));
      }
      out.segments.push_back(std::move(seg));
      return absl::OkStatus();
    }
    case mv::kLcIdDylib:
    case mv::kLcLoadDylib: {
      if (absl::Status s = need(24); !s.ok()) return s;
      MachODylibReference dylib;
      const uint32_t name_offset = L32(b, at + 8);
      dylib.timestamp = L32(b, at + 12);
      dylib.current_version = L32(b, at + 16);
      dylib.compatibility_version = L32(b, at + 20);
      if (name_offset < 24 || name_offset >= lc.cmdsize) return Fail("dylib name out of range");
      absl::StatusOr<std::string> name = CString(b, at + name_offset, end);
      if (!name.ok()) return name.status();
      dylib.name = *name;
      if (lc.cmd == mv::kLcIdDylib) {
        if (out.id_dylib.has_value()) return Fail("two LC_ID_DYLIB");
        out.id_dylib = dylib;
      } else {
        out.load_dylibs.push_back(dylib);
      }
      return absl::OkStatus();
    }
    case mv::kLcSymtab:
      if (lc.cmdsize != 24) return Fail("LC_SYMTAB size");
      out.symtab =
          ReadMachO::Symtab{L32(b, at + 8), L32(b, at + 12), L32(b, at + 16), L32(b, at + 20)};
      return absl::OkStatus();
    case mv::kLcDysymtab: {
      if (lc.cmdsize != 80) return Fail("LC_DYSYMTAB size");
      std::array<uint32_t, 18> fields;
      for (int i = 0; i < 18; ++i) fields[i] = L32(b, at + 8 + 4 * i);
      out.dysymtab = fields;
      return absl::OkStatus();
    }
    case mv::kLcDyldInfoOnly: {
      if (lc.cmdsize != 48) return Fail("LC_DYLD_INFO_ONLY size");
      std::array<MachOBlob, 5> blobs;
      for (int i = 0; i < 5; ++i) blobs[i] = {L32(b, at + 8 + 8 * i), L32(b, at + 12 + 8 * i)};
      out.dyld_info = blobs;
      return absl::OkStatus();
    }
    case mv::kLcUuid: {
      if (lc.cmdsize != 24) return Fail("LC_UUID size");
      std::array<uint8_t, 16> uuid;
      for (int i = 0; i < 16; ++i) uuid[i] = static_cast<uint8_t>(b[at + 8 + i]);
      out.uuid = uuid;
      return absl::OkStatus();
    }
    case mv::kLcBuildVersion: {
      if (absl::Status s = need(24); !s.ok()) return s;
      ReadMachO::BuildVersion bv{L32(b, at + 8), L32(b, at + 12), L32(b, at + 16), L32(b, at + 20)};
      if (lc.cmdsize != 24 + 8 * uint64_t{bv.ntools}) return Fail("LC_BUILD_VERSION size");
      out.build_version = bv;
      return absl::OkStatus();
    }
    case mv::kLcCodeSignature:
      if (lc.cmdsize != 16) return Fail("LC_CODE_SIGNATURE size");
      out.code_signature_command = MachOBlob{L32(b, at + 8), L32(b, at + 12)};
      return absl::OkStatus();
    default:
      return absl::OkStatus();  // other commands are listed in `commands` only
  }
}

absl::Status ReadSymbols(ReadMachO& out) {
  if (!out.symtab.has_value()) return absl::OkStatus();
  const ReadMachO::Symtab& st = *out.symtab;
  const std::string_view b = out.image;
  if (!InRange(b, st.symoff, uint64_t{st.nsyms} * 16) || !InRange(b, st.stroff, st.strsize)) {
    return absl::OutOfRangeError("symbol or string table outside the file");
  }
  for (uint32_t i = 0; i < st.nsyms; ++i) {
    const uint64_t at = st.symoff + uint64_t{i} * 16;
    MachOSymbol sym;
    const uint32_t strx = L32(b, at);
    sym.type = static_cast<uint8_t>(b[at + 4]);
    sym.sect = static_cast<uint8_t>(b[at + 5]);
    sym.desc = static_cast<uint16_t>(LoadLittle(b, at + 6, 2));
    sym.value = L64(b, at + 8);
    if (strx >= st.strsize) return Fail(absl::StrCat("symbol ", i, ": name out of range"));
    absl::StatusOr<std::string> name = CString(b, st.stroff + strx, st.stroff + st.strsize);
    if (!name.ok()) return name.status();
    sym.name = *name;
    out.symbols.push_back(std::move(sym));
  }
  return absl::OkStatus();
}

// Depth-first walk of the export trie, as dyld's trie walker does it.
absl::Status WalkTrie(std::string_view b, uint64_t start, uint64_t size, uint64_t node,
                      const std::string& prefix, std::set<uint64_t>& visited,
                      std::vector<MachOExport>& out) {
  if (node >= size) return absl::OutOfRangeError("trie node offset past the trie");
  if (!visited.insert(node).second) return Fail("export trie revisits a node (loop)");
  const uint64_t limit = start + size;
  uint64_t at = start + node;
  absl::StatusOr<uint64_t> terminal_size = ReadUleb(b, at, limit);
  if (!terminal_size.ok()) return terminal_size.status();
  if (*terminal_size > 0) {
    const uint64_t terminal_end = at + *terminal_size;
    if (terminal_end > limit) return absl::OutOfRangeError("terminal info past the trie");
    MachOExport e;
    e.name = prefix;
    absl::StatusOr<uint64_t> flags = ReadUleb(b, at, terminal_end);
    if (!flags.ok()) return flags.status();
    absl::StatusOr<uint64_t> address = ReadUleb(b, at, terminal_end);
    if (!address.ok()) return address.status();
    if (at != terminal_end) return Fail("terminal size does not match its contents");
    e.flags = *flags;
    e.address = *address;
    out.push_back(std::move(e));
  }
  if (at >= limit) return absl::OutOfRangeError("child count past the trie");
  const uint8_t children = static_cast<uint8_t>(b[at++]);
  for (int i = 0; i < children; ++i) {
    absl::StatusOr<std::string> label = CString(b, at, limit);
    if (!label.ok()) return label.status();
    if (label->empty()) return Fail("empty trie edge label");
    at += label->size() + 1;
    absl::StatusOr<uint64_t> child = ReadUleb(b, at, limit);
    if (!child.ok()) return child.status();
    if (absl::Status s = WalkTrie(b, start, size, *child, prefix + *label, visited, out); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ReadSignature(ReadMachO& out) {
  if (!out.code_signature_command.has_value()) return absl::OkStatus();
  const MachOBlob cs = *out.code_signature_command;
  if (!InRange(out.image, cs.offset, cs.size) || cs.size < 12) {
    return absl::OutOfRangeError("code signature outside the file");
  }
  const std::string_view sig = out.image.substr(cs.offset, cs.size);
  MachOSignature s;
  s.magic = B32(sig, 0);
  s.length = B32(sig, 4);
  s.count = B32(sig, 8);
  if (s.length > sig.size() || s.length < 12 || s.count > (s.length - 12) / 8) {
    return Fail("SuperBlob length or count out of range");
  }
  const std::string_view blob = sig.substr(0, s.length);
  for (uint32_t i = 0; i < s.count; ++i) {
    s.index.emplace_back(B32(blob, 12 + 8 * i), B32(blob, 16 + 8 * i));
  }
  for (const auto& [type, offset] : s.index) {
    if (type != 0) continue;
    if (!InRange(blob, offset, 88)) return absl::OutOfRangeError("CodeDirectory header");
    MachOCodeDirectory cd;
    cd.magic = B32(blob, offset);
    cd.length = B32(blob, offset + 4);
    if (!InRange(blob, offset, cd.length) || cd.length < 88) {
      return absl::OutOfRangeError("CodeDirectory length");
    }
    const std::string_view d = blob.substr(offset, cd.length);
    cd.version = B32(d, 8);
    cd.flags = B32(d, 12);
    cd.hash_offset = B32(d, 16);
    cd.ident_offset = B32(d, 20);
    cd.n_special_slots = B32(d, 24);
    cd.n_code_slots = B32(d, 28);
    cd.code_limit = B32(d, 32);
    cd.hash_size = static_cast<uint8_t>(d[36]);
    cd.hash_type = static_cast<uint8_t>(d[37]);
    cd.platform = static_cast<uint8_t>(d[38]);
    cd.page_size_log2 = static_cast<uint8_t>(d[39]);
    cd.scatter_offset = B32(d, 44);
    cd.team_offset = B32(d, 48);
    cd.code_limit64 = B64(d, 56);
    cd.exec_seg_base = B64(d, 64);
    cd.exec_seg_limit = B64(d, 72);
    cd.exec_seg_flags = B64(d, 80);
    absl::StatusOr<std::string> ident = CString(d, cd.ident_offset, d.size());
    if (!ident.ok()) return ident.status();
    cd.identifier = *ident;
    if (cd.hash_offset < uint64_t{cd.n_special_slots} * cd.hash_size ||
        !InRange(d, cd.hash_offset, uint64_t{cd.n_code_slots} * cd.hash_size)) {
      return absl::OutOfRangeError("code hashes outside the CodeDirectory");
    }
    for (uint32_t i = 0; i < cd.n_code_slots; ++i) {
      cd.code_hashes.emplace_back(
          d.substr(cd.hash_offset + uint64_t{i} * cd.hash_size, cd.hash_size));
    }
    s.code_directory = std::move(cd);
  }
  out.signature = std::move(s);
  return absl::OkStatus();
}

}  // namespace

std::vector<MachOSection> ReadMachO::AllSections() const {
  std::vector<MachOSection> all;
  for (const MachOSegment& seg : segments) {
    all.insert(all.end(), seg.sections.begin(), seg.sections.end());
  }
  return all;
}

const MachOSegment* ReadMachO::Segment(std::string_view name) const {
  for (const MachOSegment& seg : segments) {
    if (seg.name == name) return &seg;
  }
  return nullptr;
}

std::string_view ReadMachO::BytesAt(uint64_t vmaddr, uint64_t size) const {
  for (const MachOSegment& seg : segments) {
    if (vmaddr >= seg.vmaddr && vmaddr - seg.vmaddr <= seg.filesize &&
        size <= seg.filesize - (vmaddr - seg.vmaddr)) {
      const uint64_t offset = seg.fileoff + (vmaddr - seg.vmaddr);
      if (InRange(image, offset, size)) return image.substr(offset, size);
    }
  }
  return {};
}

absl::StatusOr<ReadMachO> ReadMachOImage(std::string_view image) {
  ReadMachO out;
  out.image = image;
  if (image.size() < 32) return absl::OutOfRangeError("shorter than a mach_header_64");
  out.magic = L32(image, 0);
  if (out.magic != mv::kMagic64) return Fail("not a 64-bit little-endian Mach-O");
  out.cputype = L32(image, 4);
  out.cpusubtype = L32(image, 8);
  out.filetype = L32(image, 12);
  out.ncmds = L32(image, 16);
  out.sizeofcmds = L32(image, 20);
  out.flags = L32(image, 24);
  if (!InRange(image, 32, out.sizeofcmds)) return absl::OutOfRangeError("load commands");
  uint64_t at = 32;
  const uint64_t end = 32 + uint64_t{out.sizeofcmds};
  for (uint32_t i = 0; i < out.ncmds; ++i) {
    if (end - at < 8) return absl::OutOfRangeError(absl::StrCat("load command ", i));
    MachOLoadCommand lc{L32(image, at), L32(image, at + 4), at};
    if (lc.cmdsize < 8 || lc.cmdsize > end - at) {
      return Fail(absl::StrCat("load command ", i, " has size ", lc.cmdsize));
    }
    out.commands.push_back(lc);
    if (absl::Status s = ParseCommand(image, lc, out); !s.ok()) return s;
    at += lc.cmdsize;
  }
  if (at != end) return Fail("sizeofcmds does not match the commands");
  for (const MachOSegment& seg : out.segments) {
    if (!InRange(image, seg.fileoff, seg.filesize)) {
      return absl::OutOfRangeError(absl::StrCat("segment ", seg.name, " outside the file"));
    }
  }
  if (absl::Status s = ReadSymbols(out); !s.ok()) return s;
  if (out.dyld_info.has_value() && (*out.dyld_info)[4].size > 0) {
    const MachOBlob trie = (*out.dyld_info)[4];
    if (!InRange(image, trie.offset, trie.size)) return absl::OutOfRangeError("export trie");
    std::set<uint64_t> visited;
    if (absl::Status s = WalkTrie(image, trie.offset, trie.size, 0, "", visited, out.exports);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = ReadSignature(out); !s.ok()) return s;
  return out;
}

}  // namespace maru::objfile_test
