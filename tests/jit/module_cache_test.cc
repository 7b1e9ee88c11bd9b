// ModuleCache (jit/module_cache.h): the on-disk cache of dlopen modules. An entry put is got back
// field for field; damaged, truncated, misnamed and other builds' entries are refused and removed;
// the directory is kept under its cap, least recently used first; Open refuses directories that
// are not private.
#include "jit/module_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "jit/module_key.h"
#include "jit/objfile/module_spec.h"
#include "jit/objfile/sha256.h"

namespace maru::jit {
namespace {

// A fresh private (0700) directory for one test.
std::string FreshDirectory() {
  const char* env = getenv("TEST_TMPDIR");
  std::string base = env != nullptr && env[0] != '\0' ? env : ::testing::TempDir();
  if (base.empty() || base[0] != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) != nullptr) base = absl::StrCat(cwd, "/", base);
  }
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::string pattern = absl::StrCat(base, "/module_cache_test_XXXXXX");
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr) << pattern;
  chmod(pattern.c_str(), 0700);
  return pattern;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// Writes an entry whose trailing SHA-256 is recomputed over the (changed) rest, so that only the
// change itself can make the cache refuse it.
void WriteWithFreshDigest(const std::string& path, const std::string& bytes) {
  std::string body = bytes.substr(0, bytes.size() - 32);
  objfile::Sha256Digest digest = objfile::Sha256::Digest(body);
  WriteAll(path, body + std::string(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

void SetTime(const std::string& path, time_t seconds) {
  timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// Total bytes and number of the *.mod files in `directory`.
std::pair<uint64_t, int> ModFiles(const std::string& directory) {
  uint64_t total = 0;
  int count = 0;
  DIR* dir = opendir(directory.c_str());
  if (dir == nullptr) return {0, 0};
  while (dirent* d = readdir(dir)) {
    std::string name = d->d_name;
    if (name.size() <= 4 || !name.ends_with(".mod")) continue;
    struct stat st;
    if (stat(absl::StrCat(directory, "/", name).c_str(), &st) == 0) {
      total += static_cast<uint64_t>(st.st_size);
      ++count;
    }
  }
  closedir(dir);
  return {total, count};
}

std::unique_ptr<ModuleCache> OpenOrDie(const std::string& directory,
                                       uint64_t max_bytes = ModuleCache::kDefaultMaxBytes) {
  absl::StatusOr<std::unique_ptr<ModuleCache>> cache = ModuleCache::Open(directory, max_bytes);
  EXPECT_TRUE(cache.ok()) << cache.status();
  return cache.ok() ? std::move(*cache) : nullptr;
}

// An entry of two functions whose contents depend on `seed`; entries of any seed have the same
// size on disk (for a key of the same length).
CachedModule MakeEntry(uint32_t seed) {
  CachedModule entry;
  CachedFunction f0;
  f0.size = 120 + seed;
  f0.direct_entry = 16;
  f0.sources = {
      {WordSource::kField, 3 + seed, 1},
      {WordSource::kFunction, 1, 0},
      {WordSource::kRuntime, 42, 0},
      {WordSource::kSymbolT, 0, 0},
  };
  CachedFunction f1;
  f1.size = 64;
  f1.direct_entry = 0;
  f1.sources = {
      {WordSource::kSubrImp, 7, 2},
      {WordSource::kField, 0xfffffffe, 3},
      {WordSource::kFunction, 2, 0},
  };
  entry.functions = {f0, f1};

  objfile::ModuleLayout& l = entry.module.layout;
  l.arch = objfile::Arch::kAArch64;  // not the default: shows the field is kept
  l.segment_alignment = 0x10000;
  l.functions = {
      {"maru_f_0_foo", 0x1000 + seed, 120 + seed},
      {"maru_f_1_bar", 0x1080, 64},
  };
  l.text_offset = 0x1000;
  l.text_size = 0x100;
  l.data_offset = 0x10000;
  l.data_size = 0x200;
  l.data_table_offset = 0x10100;
  l.data_table_words = 7;
  l.data_table_symbol = "maru_data_table";
  l.file_size = 0x10300 + seed;
  l.memory_size = 0x10400;

  entry.module.image.resize(5000);
  for (size_t i = 0; i < entry.module.image.size(); ++i) {
    entry.module.image[i] = static_cast<char>((i * 7 + i / 251 + seed * 13) & 0xff);
  }
  return entry;
}

void ExpectSame(const CachedModule& got, const CachedModule& want) {
  ASSERT_EQ(got.functions.size(), want.functions.size());
  for (size_t i = 0; i < want.functions.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("function ", i));
    const CachedFunction& g = got.functions[i];
    const CachedFunction& w = want.functions[i];
    EXPECT_EQ(g.size, w.size);
    EXPECT_EQ(g.direct_entry, w.direct_entry);
    ASSERT_EQ(g.sources.size(), w.sources.size());
    for (size_t j = 0; j < w.sources.size(); ++j) {
      SCOPED_TRACE(absl::StrCat("source ", j));
      EXPECT_EQ(g.sources[j].kind, w.sources[j].kind);
      EXPECT_EQ(g.sources[j].a, w.sources[j].a);
      EXPECT_EQ(g.sources[j].b, w.sources[j].b);
    }
  }
  const objfile::ModuleLayout& g = got.module.layout;
  const objfile::ModuleLayout& w = want.module.layout;
  EXPECT_EQ(g.arch, w.arch);
  EXPECT_EQ(g.segment_alignment, w.segment_alignment);
  ASSERT_EQ(g.functions.size(), w.functions.size());
  for (size_t i = 0; i < w.functions.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("layout function ", i));
    EXPECT_EQ(g.functions[i].symbol, w.functions[i].symbol);
    EXPECT_EQ(g.functions[i].offset, w.functions[i].offset);
    EXPECT_EQ(g.functions[i].size, w.functions[i].size);
  }
  EXPECT_EQ(g.text_offset, w.text_offset);
  EXPECT_EQ(g.text_size, w.text_size);
  EXPECT_EQ(g.data_offset, w.data_offset);
  EXPECT_EQ(g.data_size, w.data_size);
  EXPECT_EQ(g.data_table_offset, w.data_table_offset);
  EXPECT_EQ(g.data_table_words, w.data_table_words);
  EXPECT_EQ(g.data_table_symbol, w.data_table_symbol);
  EXPECT_EQ(g.file_size, w.file_size);
  EXPECT_EQ(g.memory_size, w.memory_size);
  EXPECT_TRUE(got.module.image == want.module.image) << "images differ";
}

class ModuleCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDirectory();
    cache_ = OpenOrDie(dir_);
    ASSERT_NE(cache_, nullptr);
  }
  std::string PathOf(const std::string& key) const { return absl::StrCat(dir_, "/", key, ".mod"); }

  std::string dir_;
  std::unique_ptr<ModuleCache> cache_;
};

TEST_F(ModuleCacheTest, GetReturnsWhatWasPut) {
  const std::string key = cache_->KeyFor("function f\n  return v0\n");
  const CachedModule entry = MakeEntry(1);
  cache_->Put(key, entry);
  EXPECT_TRUE(Exists(PathOf(key)));

  std::optional<CachedModule> got = cache_->Get(key);
  ASSERT_TRUE(got.has_value());
  ExpectSame(*got, entry);

  ModuleCache::Stats stats = cache_->stats();
  EXPECT_EQ(stats.stores, 1);
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 0);
  EXPECT_EQ(stats.rejected, 0);
  EXPECT_EQ(stats.evicted, 0);
}

TEST_F(ModuleCacheTest, EntriesAreFilesOnlyTheUserCanRead) {
  const std::string key = cache_->KeyFor("f");
  cache_->Put(key, MakeEntry(0));
  struct stat st;
  ASSERT_EQ(stat(PathOf(key).c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 077, 0u);
}

TEST_F(ModuleCacheTest, GetOfAKeyNeverStoredMisses) {
  EXPECT_FALSE(cache_->Get(cache_->KeyFor("never stored")).has_value());
  ModuleCache::Stats stats = cache_->stats();
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.rejected, 0);
  EXPECT_EQ(stats.hits, 0);
}

TEST_F(ModuleCacheTest, DamagedEntryIsRefusedAndRemoved) {
  const std::string key = cache_->KeyFor("f");
  cache_->Put(key, MakeEntry(2));
  std::string bytes = ReadAll(PathOf(key));
  ASSERT_GT(bytes.size(), 1000u);
  bytes[bytes.size() / 2] ^= 0x5a;
  WriteAll(PathOf(key), bytes);

  EXPECT_FALSE(cache_->Get(key).has_value());
  EXPECT_EQ(cache_->stats().rejected, 1);
  EXPECT_EQ(cache_->stats().hits, 0);
  EXPECT_FALSE(Exists(PathOf(key)));
}

TEST_F(ModuleCacheTest, TruncatedEntryIsRefusedAndRemoved) {
  const std::string key = cache_->KeyFor("f");
  cache_->Put(key, MakeEntry(3));
  struct stat st;
  ASSERT_EQ(stat(PathOf(key).c_str(), &st), 0);
  ASSERT_EQ(truncate(PathOf(key).c_str(), st.st_size / 2), 0);

  EXPECT_FALSE(cache_->Get(key).has_value());
  EXPECT_EQ(cache_->stats().rejected, 1);
  EXPECT_FALSE(Exists(PathOf(key)));
}

TEST_F(ModuleCacheTest, EmptyEntryIsRefusedAndRemoved) {
  const std::string key = cache_->KeyFor("f");
  WriteAll(PathOf(key), "");
  EXPECT_FALSE(cache_->Get(key).has_value());
  EXPECT_EQ(cache_->stats().rejected, 1);
  EXPECT_FALSE(Exists(PathOf(key)));
}

TEST_F(ModuleCacheTest, EntryUnderAnotherKeysNameIsRefused) {
  const std::string key_a = cache_->KeyFor("function a");
  const std::string key_b = cache_->KeyFor("function b");
  ASSERT_NE(key_a, key_b);
  cache_->Put(key_a, MakeEntry(4));
  WriteAll(PathOf(key_b), ReadAll(PathOf(key_a)));

  EXPECT_FALSE(cache_->Get(key_b).has_value());
  EXPECT_EQ(cache_->stats().rejected, 1);
  EXPECT_FALSE(Exists(PathOf(key_b)));
  // The entry under its own name is untouched.
  std::optional<CachedModule> got = cache_->Get(key_a);
  ASSERT_TRUE(got.has_value());
  ExpectSame(*got, MakeEntry(4));
}

TEST_F(ModuleCacheTest, EntryOfAnotherBuildIsRefused) {
  const std::string key = cache_->KeyFor("f");
  cache_->Put(key, MakeEntry(5));
  std::string bytes = ReadAll(PathOf(key));
  ASSERT_GT(bytes.size(), 8u + 4 + 32 + 32);
  ASSERT_EQ(bytes.substr(0, 8), std::string("MARUMOD\0", 8));
  // Layout: 8 bytes of magic, u32 format, 32 bytes of build digest, ..., SHA-256 of the rest.
  bytes[12] ^= 0x01;
  WriteWithFreshDigest(PathOf(key), bytes);

  EXPECT_FALSE(cache_->Get(key).has_value());
  EXPECT_EQ(cache_->stats().rejected, 1);
  EXPECT_EQ(cache_->stats().hits, 0);
  EXPECT_FALSE(Exists(PathOf(key)));
}

TEST_F(ModuleCacheTest, EntryOfAnotherFormatIsRefused) {
  const std::string key = cache_->KeyFor("f");
  cache_->Put(key, MakeEntry(5));
  std::string bytes = ReadAll(PathOf(key));
  bytes[8] ^= 0x40;  // the format
  WriteWithFreshDigest(PathOf(key), bytes);

  EXPECT_FALSE(cache_->Get(key).has_value());
  EXPECT_EQ(cache_->stats().rejected, 1);
}

TEST_F(ModuleCacheTest, KeyForIsDeterministicHex) {
  const std::string a = cache_->KeyFor("function f\n");
  EXPECT_EQ(a, cache_->KeyFor("function f\n"));
  EXPECT_NE(a, cache_->KeyFor("function g\n"));
  EXPECT_NE(a, cache_->KeyFor(""));
  ASSERT_EQ(a.size(), 64u);
  for (char c : a) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << a;
  }
  // Another cache of the same build agrees.
  std::unique_ptr<ModuleCache> other = OpenOrDie(FreshDirectory());
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->KeyFor("function f\n"), a);
}

TEST(ModuleCacheCapTest, DirectoryIsTrimmedLeastRecentlyUsedFirst) {
  // The size of one entry on disk (every MakeEntry has the same size under a 64-character key).
  uint64_t entry_bytes;
  {
    std::unique_ptr<ModuleCache> scratch = OpenOrDie(FreshDirectory());
    ASSERT_NE(scratch, nullptr);
    scratch->Put(scratch->KeyFor("measure"), MakeEntry(0));
    auto [total, count] = ModFiles(scratch->directory());
    ASSERT_EQ(count, 1);
    entry_bytes = total;
  }
  const uint64_t max_bytes = entry_bytes * 7 / 2;
  const std::string dir = FreshDirectory();
  std::unique_ptr<ModuleCache> cache = OpenOrDie(dir, max_bytes);
  ASSERT_NE(cache, nullptr);

  std::vector<std::string> keys;
  const time_t base = time(nullptr) - 1000;
  for (uint32_t i = 0; i < 6; ++i) {
    keys.push_back(cache->KeyFor(absl::StrCat("function ", i)));
    cache->Put(keys.back(), MakeEntry(i));
    // Older entries get older times, so the order is not left to the clock's resolution.
    std::string path = absl::StrCat(dir, "/", keys.back(), ".mod");
    if (Exists(path)) SetTime(path, base + i);
  }
  EXPECT_EQ(cache->stats().stores, 6);
  EXPECT_GE(cache->stats().evicted, 1);
  auto [total, count] = ModFiles(dir);
  EXPECT_LE(total, max_bytes);
  EXPECT_GE(count, 1);

  std::optional<CachedModule> newest = cache->Get(keys.back());
  ASSERT_TRUE(newest.has_value());
  ExpectSame(*newest, MakeEntry(5));
  EXPECT_FALSE(cache->Get(keys.front()).has_value());
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/", keys.front(), ".mod")));
  EXPECT_EQ(cache->stats().rejected, 0);  // evicted, not refused
}

TEST(ModuleCacheCapTest, HitKeepsAnEntryFromBeingTrimmed) {
  uint64_t entry_bytes;
  {
    std::unique_ptr<ModuleCache> scratch = OpenOrDie(FreshDirectory());
    ASSERT_NE(scratch, nullptr);
    scratch->Put(scratch->KeyFor("measure"), MakeEntry(0));
    entry_bytes = ModFiles(scratch->directory()).first;
  }
  const std::string dir = FreshDirectory();
  std::unique_ptr<ModuleCache> cache = OpenOrDie(dir, entry_bytes * 7 / 2);
  ASSERT_NE(cache, nullptr);
  std::vector<std::string> keys;
  const time_t base = time(nullptr) - 1000;
  for (uint32_t i = 0; i < 3; ++i) {
    keys.push_back(cache->KeyFor(absl::StrCat("function ", i)));
    cache->Put(keys.back(), MakeEntry(i));
    SetTime(absl::StrCat(dir, "/", keys.back(), ".mod"), base + i);
  }
  // The oldest is used again: it is now the most recently used.
  ASSERT_TRUE(cache->Get(keys[0]).has_value());
  keys.push_back(cache->KeyFor("function 3"));
  cache->Put(keys.back(), MakeEntry(3));  // 4 entries > 3.5: trimmed to at most 2.625

  EXPECT_GE(cache->stats().evicted, 1);
  EXPECT_TRUE(cache->Get(keys[0]).has_value());
  EXPECT_TRUE(cache->Get(keys[3]).has_value());
  EXPECT_FALSE(cache->Get(keys[1]).has_value());
}

TEST(ModuleCacheCapTest, EntryLargerThanTheCapIsNotStored) {
  const std::string dir = FreshDirectory();
  std::unique_ptr<ModuleCache> cache = OpenOrDie(dir, 1000);
  ASSERT_NE(cache, nullptr);
  const std::string key = cache->KeyFor("f");
  cache->Put(key, MakeEntry(0));  // > 5000 bytes
  EXPECT_EQ(cache->stats().stores, 0);
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/", key, ".mod")));
}

// Build memos ("build-<hex>", no ".mod") older than a month go at the next trim.
TEST(ModuleCacheOpenTest, StaleBuildMemoIsRemovedWhenTrimming) {
  const std::string dir = FreshDirectory();
  const std::string memo = absl::StrCat(dir, "/build-", std::string(32, '0'));
  WriteAll(memo, std::string(32, 'x'));
  SetTime(memo, time(nullptr) - 40 * 24 * 3600);
  std::unique_ptr<ModuleCache> cache = OpenOrDie(dir);
  ASSERT_NE(cache, nullptr);
  cache->Put(cache->KeyFor("f"), MakeEntry(0));  // the first store scans the directory
  EXPECT_FALSE(Exists(memo));
}

TEST(ModuleCacheOpenTest, RefusesARelativePath) {
  absl::StatusOr<std::unique_ptr<ModuleCache>> cache =
      ModuleCache::Open("relative/cache", ModuleCache::kDefaultMaxBytes);
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().code(), absl::StatusCode::kInvalidArgument) << cache.status();
  EXPECT_FALSE(ModuleCache::Open("", ModuleCache::kDefaultMaxBytes).ok());
}

TEST(ModuleCacheOpenTest, RefusesADirectoryOthersCanUse) {
  const std::string dir = absl::StrCat(FreshDirectory(), "/shared");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0770), 0);
  absl::StatusOr<std::unique_ptr<ModuleCache>> cache =
      ModuleCache::Open(dir, ModuleCache::kDefaultMaxBytes);
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().code(), absl::StatusCode::kPermissionDenied) << cache.status();

  ASSERT_EQ(chmod(dir.c_str(), 0705), 0);
  EXPECT_FALSE(ModuleCache::Open(dir, ModuleCache::kDefaultMaxBytes).ok());
}

TEST(ModuleCacheOpenTest, RefusesARegularFile) {
  const std::string path = absl::StrCat(FreshDirectory(), "/file");
  WriteAll(path, "not a directory");
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  absl::StatusOr<std::unique_ptr<ModuleCache>> cache =
      ModuleCache::Open(path, ModuleCache::kDefaultMaxBytes);
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().code(), absl::StatusCode::kPermissionDenied) << cache.status();
}

TEST(ModuleCacheOpenTest, CreatesMissingParentsPrivately) {
  const std::string base = FreshDirectory();
  const std::string dir = absl::StrCat(base, "/a/b/c");
  std::unique_ptr<ModuleCache> cache = OpenOrDie(dir);
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->directory(), dir);
  for (const std::string& made : {absl::StrCat(base, "/a"), absl::StrCat(base, "/a/b"), dir}) {
    struct stat st;
    ASSERT_EQ(stat(made.c_str(), &st), 0) << made;
    EXPECT_TRUE(S_ISDIR(st.st_mode)) << made;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << made;
  }
  // A cache there works.
  const std::string key = cache->KeyFor("f");
  cache->Put(key, MakeEntry(9));
  EXPECT_TRUE(Exists(absl::StrCat(dir, "/", key, ".mod")));
  EXPECT_TRUE(cache->Get(key).has_value());
}

TEST(ModuleCacheOpenTest, TrailingSlashIsDropped) {
  const std::string dir = FreshDirectory();
  std::unique_ptr<ModuleCache> cache = OpenOrDie(dir + "/");
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->directory(), dir);
}

TEST_F(ModuleCacheTest, ConcurrentPutsAndGets) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const uint32_t seed = static_cast<uint32_t>(t * 100 + i);
        const std::string key = cache_->KeyFor(absl::StrCat("thread ", t, " round ", i));
        const CachedModule entry = MakeEntry(seed);
        cache_->Put(key, entry);
        std::optional<CachedModule> got = cache_->Get(key);
        if (!got.has_value() || got->module.image != entry.module.image ||
            got->functions.size() != 2 || got->functions[0].size != entry.functions[0].size ||
            got->module.layout.file_size != entry.module.layout.file_size) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ModuleCache::Stats stats = cache_->stats();
  EXPECT_EQ(stats.stores, kThreads * kRounds);
  EXPECT_EQ(stats.hits, kThreads * kRounds);
  EXPECT_EQ(stats.misses, 0);
  EXPECT_EQ(stats.rejected, 0);
  EXPECT_EQ(stats.evicted, 0);
  EXPECT_EQ(ModFiles(dir_).second, kThreads * kRounds);
}

}  // namespace
}  // namespace maru::jit
