#include "jit/module_cache.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <link.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "jit/objfile/sha256.h"

namespace maru::jit {
namespace {

constexpr char kMagic[8] = {'M', 'A', 'R', 'U', 'M', 'O', 'D', '\0'};
// Bumped whenever the entry layout or the meaning of its contents changes.
constexpr uint32_t kFormat = 1;
constexpr char kSuffix[] = ".mod";
constexpr uint64_t kMaxEntryBytes = uint64_t{64} << 20;
// Files a writer left behind (killed between write and rename) are removed after an hour.
constexpr time_t kStaleTemporarySeconds = 3600;
constexpr time_t kStaleBuildMemoSeconds = 30 * 24 * 3600;

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Bytes(&v, 4); }
  void U64(uint64_t v) { Bytes(&v, 8); }
  void Text(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  void Raw(std::string_view s) { out_.append(s); }
  std::string& out() { return out_; }

 private:
  void Bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

// Reads what Writer wrote; every read fails (and stays failed) past the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  uint8_t U8() {
    uint8_t v = 0;
    Bytes(&v, 1);
    return v;
  }
  uint32_t U32() {
    uint32_t v = 0;
    Bytes(&v, 4);
    return v;
  }
  uint64_t U64() {
    uint64_t v = 0;
    Bytes(&v, 8);
    return v;
  }
  std::string Text() { return Raw(U64()); }
  std::string Raw(uint64_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return "";
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }

 private:
  void Bytes(void* p, size_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return;
    }
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::string Digest(std::string_view bytes) {
  objfile::Sha256Digest d = objfile::Sha256::Digest(bytes);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string ErrnoText(const std::string& what) {
  return absl::StrCat(what, ": ", std::strerror(errno));
}

// Cache entries are never read through a symbolic link; the program's file is (/proc/self/exe).
bool ReadFile(const std::string& path, uint64_t limit, std::string* out, bool* missing,
              bool follow_links = false) {
  *missing = false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | (follow_links ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    // Absent, or not openable now (EMFILE...): not known to be bad, so never removed for it.
    *missing = true;
    return false;
  }
  struct stat st;
  bool ok =
      fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= limit;
  if (ok) {
    out->resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (ok && done < out->size()) {
      ssize_t n = read(fd, out->data() + done, out->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ok = false;
      if (n > 0) done += static_cast<size_t>(n);
    }
  }
  close(fd);
  return ok;
}

// The file the runtime was loaded from.
std::string ThisBinary() {
#if defined(__linux__)
  struct Search {
    uintptr_t address;
    std::string name;
    bool found = false;
  } search{reinterpret_cast<uintptr_t>(&BuildDigest), ""};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const auto& ph = info->dlpi_phdr[i];
          uintptr_t start = info->dlpi_addr + ph.p_vaddr;
          if (ph.p_type == PT_LOAD && s->address >= start && s->address < start + ph.p_memsz) {
            s->name = info->dlpi_name != nullptr ? info->dlpi_name : "";
            s->found = true;
            return 1;
          }
        }
        return 0;
      },
      &search);
  if (search.found) return search.name.empty() ? "/proc/self/exe" : search.name;
#endif
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&BuildDigest), &info) != 0 && info.dli_fname != nullptr) {
    return info.dli_fname;
  }
  return "";
}

absl::Status MakePrivateDirectory(const std::string& directory) {
  if (directory.empty() || directory[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("module cache: not an absolute path: \"", directory, "\""));
  }
  // Parents as needed (mode 0700 for the ones made here), then the directory itself.
  for (size_t slash = directory.find('/', 1);; slash = directory.find('/', slash + 1)) {
    std::string part = directory.substr(0, slash);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::UnavailableError(ErrnoText("module cache: mkdir " + part));
    }
    if (slash == std::string::npos) break;
  }
  struct stat st;
  if (lstat(directory.c_str(), &st) != 0) {
    return absl::UnavailableError(ErrnoText("module cache: " + directory));
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "module cache: ", directory,
        " must be a directory owned by this user with no access for group and others"));
  }
  return absl::OkStatus();
}

void WriteLayout(Writer& w, const objfile::ModuleLayout& l) {
  w.U8(static_cast<uint8_t>(l.arch));
  w.U64(l.segment_alignment);
  w.U64(l.functions.size());
  for (const objfile::FunctionLayout& f : l.functions) {
    w.Text(f.symbol);
    w.U64(f.offset);
    w.U64(f.size);
  }
  for (uint64_t v : {l.text_offset, l.text_size, l.data_offset, l.data_size, l.data_table_offset,
                     l.data_table_words, l.file_size, l.memory_size}) {
    w.U64(v);
  }
  w.Text(l.data_table_symbol);
}

bool ReadLayout(Reader& r, objfile::ModuleLayout* l) {
  uint8_t arch = r.U8();
  if (arch > static_cast<uint8_t>(objfile::Arch::kAArch64)) return false;
  l->arch = static_cast<objfile::Arch>(arch);
  l->segment_alignment = r.U64();
  uint64_t n = r.U64();
  if (!r.ok() || n == 0 || n > 4096) return false;
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    objfile::FunctionLayout f;
    f.symbol = r.Text();
    f.offset = r.U64();
    f.size = r.U64();
    l->functions.push_back(std::move(f));
  }
  for (uint64_t* v :
       {&l->text_offset, &l->text_size, &l->data_offset, &l->data_size, &l->data_table_offset,
        &l->data_table_words, &l->file_size, &l->memory_size}) {
    *v = r.U64();
  }
  l->data_table_symbol = r.Text();
  return r.ok();
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace

const std::string& BuildDigest() {
  static const std::string* digest = [] {
    std::string bytes;
    bool missing;
    std::string path = ThisBinary();
    if (path.empty() || !ReadFile(path, uint64_t{1} << 32, &bytes, &missing, true)) {
      return new std::string();
    }
    return new std::string(Digest(bytes));
  }();
  return *digest;
}

namespace {

// BuildDigest, remembered in the cache directory under the program file's identity (device,
// inode, size, modification and change times: any rebuild or replacement changes one), so that
// each run does not hash the whole program again.
std::string RememberedBuildDigest(const std::string& directory) {
  std::string path = ThisBinary();
  struct stat st;
  if (path.empty() || stat(path.c_str(), &st) != 0) return BuildDigest();
#if defined(__APPLE__)
  const timespec modified = st.st_mtimespec, changed = st.st_ctimespec;
#else
  const timespec modified = st.st_mtim, changed = st.st_ctim;
#endif
  std::string identity =
      absl::StrCat(st.st_dev, " ", st.st_ino, " ", st.st_size, " ", modified.tv_sec, ".",
                   modified.tv_nsec, " ", changed.tv_sec, ".", changed.tv_nsec);
  std::string memo = absl::StrCat(directory, "/build-", Hex(Digest(identity)).substr(0, 32));
  std::string remembered;
  bool missing;
  if (ReadFile(memo, 32, &remembered, &missing) && remembered.size() == 32) return remembered;
  const std::string& digest = BuildDigest();
  if (digest.empty()) return digest;
  std::string temporary = absl::StrCat(memo, ".tmp-", getpid());
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    bool ok = write(fd, digest.data(), digest.size()) == static_cast<ssize_t>(digest.size());
    ok = close(fd) == 0 && ok;
    if (!ok || rename(temporary.c_str(), memo.c_str()) != 0) unlink(temporary.c_str());
  }
  return digest;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ModuleCache>> ModuleCache::Open(const std::string& directory,
                                                               uint64_t max_bytes) {
  if (absl::Status s = MakePrivateDirectory(directory); !s.ok()) return s;
  std::string dir = directory;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string build = RememberedBuildDigest(dir);
  if (build.empty()) {
    return absl::UnavailableError("module cache: cannot read this program's file to identify it");
  }
  return std::unique_ptr<ModuleCache>(new ModuleCache(dir, max_bytes, build));
}

std::string ModuleCache::KeyFor(const std::string& canonical_ir) const {
  objfile::Sha256 h;
  h.Update(build_);
  h.Update(absl::StrCat("format ", kFormat, " target ",
                        objfile::HostArch().has_value()
                            ? std::string(objfile::ArchName(*objfile::HostArch()))
                            : "none",
                        "\n"));
  h.Update(canonical_ir);
  objfile::Sha256Digest d = h.Finish();
  return Hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::optional<CachedModule> ModuleCache::Get(const std::string& key) {
  const std::string path = absl::StrCat(directory_, "/", key, kSuffix);
  std::string bytes;
  bool missing;
  auto refuse = [&]() -> std::optional<CachedModule> {
    unlink(path.c_str());
    absl::MutexLock lock(&mu_);
    ++stats_.rejected;
    ++stats_.misses;
    return std::nullopt;
  };
  if (!ReadFile(path, kMaxEntryBytes, &bytes, &missing)) {
    if (!missing) return refuse();
    absl::MutexLock lock(&mu_);
    ++stats_.misses;
    return std::nullopt;
  }
  if (bytes.size() < 32) return refuse();
  std::string_view body(bytes.data(), bytes.size() - 32);
  if (Digest(body) != std::string_view(bytes).substr(bytes.size() - 32)) return refuse();
  Reader r(body);
  if (r.Raw(sizeof kMagic) != std::string_view(kMagic, sizeof kMagic) || r.U32() != kFormat ||
      r.Raw(32) != build_ || r.Text() != key) {
    return refuse();
  }
  CachedModule entry;
  uint64_t n = r.U64();
  if (!r.ok() || n == 0 || n > 4096) return refuse();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    CachedFunction f;
    f.size = r.U64();
    f.direct_entry = r.U64();
    uint64_t words = r.U64();
    if (words > (uint64_t{1} << 20)) return refuse();
    for (uint64_t j = 0; j < words && r.ok(); ++j) {
      WordSource s;
      s.kind = r.U8();
      s.a = r.U32();
      s.b = r.U32();
      if (s.kind >= WordSource::kKindCount) return refuse();
      f.sources.push_back(s);
    }
    entry.functions.push_back(std::move(f));
  }
  if (!ReadLayout(r, &entry.module.layout)) return refuse();
  entry.module.image = r.Text();
  if (!r.ok() || !r.at_end() || entry.module.layout.functions.size() != n) return refuse();
  utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // recently used: trimmed last
  absl::MutexLock lock(&mu_);
  ++stats_.hits;
  return entry;
}

void ModuleCache::Put(const std::string& key, const CachedModule& entry) {
  Writer w;
  w.Raw(std::string_view(kMagic, sizeof kMagic));
  w.U32(kFormat);
  w.Raw(build_);
  w.Text(key);
  w.U64(entry.functions.size());
  for (const CachedFunction& f : entry.functions) {
    w.U64(f.size);
    w.U64(f.direct_entry);
    w.U64(f.sources.size());
    for (const WordSource& s : f.sources) {
      w.U8(s.kind);
      w.U32(s.a);
      w.U32(s.b);
    }
  }
  WriteLayout(w, entry.module.layout);
  w.Text(entry.module.image);
  w.Raw(Digest(w.out()));
  if (w.out().size() > kMaxEntryBytes || w.out().size() > max_bytes_) return;

  static std::atomic<uint64_t> serial{0};
  const std::string temporary =
      absl::StrCat(directory_, "/.tmp-", getpid(), "-", serial.fetch_add(1), kSuffix);
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  const std::string& out = w.out();
  size_t done = 0;
  bool ok = true;
  while (ok && done < out.size()) {
    ssize_t n = write(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    if (n > 0) done += static_cast<size_t>(n);
  }
  ok = close(fd) == 0 && ok;
  const std::string path = absl::StrCat(directory_, "/", key, kSuffix);
  if (!ok || rename(temporary.c_str(), path.c_str()) != 0) {
    unlink(temporary.c_str());
    return;
  }
  bool trim;
  {
    absl::MutexLock lock(&mu_);
    ++stats_.stores;
    // The directory is scanned once, then only when this process's estimate passes the cap
    // (other processes' stores are seen at the next scan).
    estimated_bytes_ += out.size();
    trim = !scanned_ || estimated_bytes_ > max_bytes_;
  }
  if (trim) Trim();
}

void ModuleCache::Trim() {
  struct Entry {
    std::string name;
    uint64_t size;
    timespec used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  DIR* dir = opendir(directory_.c_str());
  if (dir == nullptr) return;
  const time_t now = time(nullptr);
  while (dirent* d = readdir(dir)) {
    std::string_view name = d->d_name;
    const bool memo = name.starts_with("build-");
    if (!memo && (name.size() <= sizeof kSuffix - 1 || !name.ends_with(kSuffix))) continue;
    struct stat st;
    if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    if (memo) {
      // Build memos (and their leftover temporaries) are remade when that build runs again.
      if (now - st.st_mtime > kStaleBuildMemoSeconds) unlinkat(dirfd(dir), d->d_name, 0);
      continue;
    }
    if (name.starts_with(".tmp-")) {
      if (now - st.st_mtime > kStaleTemporarySeconds) unlinkat(dirfd(dir), d->d_name, 0);
      continue;
    }
#if defined(__APPLE__)
    const timespec used = st.st_mtimespec;
#else
    const timespec used = st.st_mtim;
#endif
    entries.push_back({std::string(name), static_cast<uint64_t>(st.st_size), used});
    total += static_cast<uint64_t>(st.st_size);
  }
  if (total > max_bytes_) {
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.used.tv_sec != b.used.tv_sec ? a.used.tv_sec < b.used.tv_sec
                                            : a.used.tv_nsec < b.used.tv_nsec;
    });
    // Down to three quarters, so that the next stores do not trim again at once.
    int64_t evicted = 0;
    for (const Entry& e : entries) {
      if (total <= max_bytes_ / 4 * 3) break;
      if (unlinkat(dirfd(dir), e.name.c_str(), 0) == 0) {
        total -= e.size;
        ++evicted;
      }
    }
    absl::MutexLock lock(&mu_);
    stats_.evicted += evicted;
  }
  closedir(dir);
  absl::MutexLock lock(&mu_);
  estimated_bytes_ = total;
  scanned_ = true;
}

ModuleCache::Stats ModuleCache::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace maru::jit
