// The executable cache: memory LRU, disk entries shared across instances and
// processes, rejection of truncated / corrupt / foreign files, size bounds.
#include "runtime/executable_cache.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace ltc_mlir {
namespace runtime {
namespace {

std::string FreshDir(const std::string &name) {
  const char *tmp = std::getenv("TEST_TMPDIR");
  std::string base = tmp ? tmp : "/tmp";
  std::string dir =
      base + "/cache_test_" + name + "_" + std::to_string(::getpid());
  std::string cmd = "rm -rf '" + dir + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return dir;
}

CacheEntry MakeEntry(const std::string &tag, size_t object_size = 1000) {
  CacheEntry entry;
  entry.object.bytes = std::string(object_size, 'o') + tag;
  entry.object.entry_symbol = "ltc_graph_entry";
  entry.object.input_bytes = {16, 32};
  entry.object.output_bytes = {8};
  entry.source = "func.func @graph() // " + tag;
  entry.metadata = "{\"tag\": \"" + tag + "\"}";
  return entry;
}

ExecutableCacheOptions Options(const std::string &dir) {
  ExecutableCacheOptions options;
  options.disk_dir = dir;
  options.fingerprint = "llvm 22;pipeline 1;cpu test";
  return options;
}

std::string ReadAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

bool Exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> ListDir(const std::string &dir) {
  std::vector<std::string> names;
  DIR *handle = ::opendir(dir.c_str());
  if (!handle)
    return names;
  while (struct dirent *ent = ::readdir(handle)) {
    std::string name = ent->d_name;
    if (name != "." && name != "..")
      names.push_back(name);
  }
  ::closedir(handle);
  return names;
}

void ExpectSameEntry(const CacheEntry &a, const CacheEntry &b) {
  EXPECT_EQ(a.object.bytes, b.object.bytes);
  EXPECT_EQ(a.object.entry_symbol, b.object.entry_symbol);
  EXPECT_EQ(a.object.input_bytes, b.object.input_bytes);
  EXPECT_EQ(a.object.output_bytes, b.object.output_bytes);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.metadata, b.metadata);
}

TEST(ExecutableCacheTest, MemoryHitThenDiskHitInAnotherInstance) {
  std::string dir = FreshDir("roundtrip");
  CacheEntry original = MakeEntry("a");
  {
    ExecutableCache cache(Options(dir));
    ASSERT_TRUE(cache.disk_enabled()) << cache.disk_error();
    EXPECT_EQ(cache.Lookup("k1").tier, CacheTier::kMiss);
    ASSERT_TRUE(cache.Insert("k1", original).ok());
    CacheLookup hit = cache.Lookup("k1");
    ASSERT_EQ(hit.tier, CacheTier::kMemory);
    ExpectSameEntry(*hit.entry, original);
    EXPECT_GT(hit.entry->created, 0);
  }
  // A new instance (as in a new process) finds it on disk, then in memory.
  ExecutableCache cache(Options(dir));
  CacheLookup hit = cache.Lookup("k1");
  ASSERT_EQ(hit.tier, CacheTier::kDisk);
  EXPECT_EQ(hit.rejected, CacheReject::kNone);
  ExpectSameEntry(*hit.entry, original);
  EXPECT_EQ(hit.entry->disk_hits, 0u);
  EXPECT_EQ(cache.Lookup("k1").tier, CacheTier::kMemory);
  ExecutableCache third(Options(dir));
  EXPECT_EQ(third.Lookup("k1").entry->disk_hits, 1u);
  std::string usage = ReadAll(dir + "/k1" + kCacheUsageSuffix);
  EXPECT_NE(usage.find("hits 2"), std::string::npos) << usage;
}

TEST(ExecutableCacheTest, MemoryTierIsLruBoundedByEntriesAndBytes) {
  ExecutableCacheOptions options;
  options.max_memory_entries = 2;
  ExecutableCache cache(options);
  EXPECT_FALSE(cache.disk_enabled());
  ASSERT_TRUE(cache.Insert("a", MakeEntry("a")).ok());
  ASSERT_TRUE(cache.Insert("b", MakeEntry("b")).ok());
  EXPECT_EQ(cache.Lookup("a").tier, CacheTier::kMemory); // a is now newest
  ASSERT_TRUE(cache.Insert("c", MakeEntry("c")).ok());   // evicts b
  EXPECT_EQ(cache.Lookup("b").tier, CacheTier::kMiss);
  EXPECT_EQ(cache.Lookup("a").tier, CacheTier::kMemory);
  EXPECT_EQ(cache.Lookup("c").tier, CacheTier::kMemory);
  EXPECT_EQ(cache.MemoryEntries(), 2u);

  ExecutableCacheOptions by_bytes;
  size_t one = MakeEntry("x", 10000).MemoryBytes();
  by_bytes.max_memory_bytes = 2 * one + one / 2;
  ExecutableCache small(by_bytes);
  for (const char *key : {"x", "y", "z"})
    ASSERT_TRUE(small.Insert(key, MakeEntry("x", 10000)).ok());
  EXPECT_EQ(small.MemoryEntries(), 2u);
  EXPECT_LE(small.MemoryBytes(), by_bytes.max_memory_bytes);
  EXPECT_EQ(small.Lookup("x").tier, CacheTier::kMiss);

  ExecutableCacheOptions off;
  off.max_memory_entries = 0;
  ExecutableCache none(off);
  ASSERT_TRUE(none.Insert("a", MakeEntry("a")).ok());
  EXPECT_EQ(none.Lookup("a").tier, CacheTier::kMiss);
}

TEST(ExecutableCacheTest, KeepsLoadedExecutableInMemory) {
  struct Fake : Executable {
    absl::Status Execute(absl::Span<DeviceBuffer *const>,
                         absl::Span<DeviceBuffer *const>) override {
      return absl::OkStatus();
    }
  };
  ExecutableCache cache(ExecutableCacheOptions{});
  ASSERT_TRUE(cache.Insert("k", MakeEntry("k")).ok());
  EXPECT_EQ(cache.Lookup("k").executable, nullptr);
  auto exe = std::make_shared<Fake>();
  cache.SetExecutable("k", exe);
  EXPECT_EQ(cache.Lookup("k").executable, exe);
  cache.Remove("k");
  EXPECT_EQ(cache.Lookup("k").tier, CacheTier::kMiss);
}

// Each damaged file is rejected, removed, and a fresh Insert works again.
void ExpectRejected(const std::string &name, CacheReject expected,
                    const std::function<void(std::string &)> &damage) {
  SCOPED_TRACE(name);
  std::string dir = FreshDir(name);
  {
    ExecutableCache writer(Options(dir));
    ASSERT_TRUE(writer.Insert("key", MakeEntry("v")).ok());
  }
  std::string path = dir + "/key" + kCacheEntrySuffix;
  std::string bytes = ReadAll(path);
  damage(bytes);
  WriteAll(path, bytes);
  ExecutableCache cache(Options(dir));
  CacheLookup lookup = cache.Lookup("key");
  EXPECT_EQ(lookup.tier, CacheTier::kMiss);
  EXPECT_EQ(lookup.entry, nullptr);
  EXPECT_EQ(lookup.rejected, expected) << lookup.reject_reason;
  EXPECT_FALSE(Exists(path));
  ASSERT_TRUE(cache.Insert("key", MakeEntry("v")).ok());
  ExecutableCache again(Options(dir));
  EXPECT_EQ(again.Lookup("key").tier, CacheTier::kDisk);
}

TEST(ExecutableCacheTest, RejectsDamagedAndForeignFiles) {
  ExpectRejected("truncated", CacheReject::kCorrupt,
                 [](std::string &b) { b.resize(b.size() / 2); });
  ExpectRejected("truncated_tiny", CacheReject::kCorrupt,
                 [](std::string &b) { b.resize(5); });
  ExpectRejected("empty", CacheReject::kCorrupt,
                 [](std::string &b) { b.clear(); });
  ExpectRejected("flipped", CacheReject::kCorrupt,
                 [](std::string &b) { b[b.size() / 2] ^= 0x40; });
  ExpectRejected("garbage", CacheReject::kCorrupt,
                 [](std::string &b) { b = std::string(4096, '\xff'); });
  ExpectRejected("appended", CacheReject::kCorrupt,
                 [](std::string &b) { b += "more"; });
  ExpectRejected("version", CacheReject::kForeign,
                 [](std::string &b) { b[8] = static_cast<char>(99); });
  // A well-formed entry for another fingerprint or another key.
  ExpectRejected("fingerprint", CacheReject::kForeign, [](std::string &b) {
    b = ExecutableCache::Serialize("key", "llvm 23", MakeEntry("v"));
  });
  ExpectRejected("key", CacheReject::kForeign, [](std::string &b) {
    b = ExecutableCache::Serialize("other", Options("").fingerprint,
                                   MakeEntry("v"));
  });
}

TEST(ExecutableCacheTest, DeserializeNeverReadsOutOfBounds) {
  std::string good = ExecutableCache::Serialize("k", "fp", MakeEntry("v", 50));
  CacheEntry entry;
  std::string reason;
  ASSERT_EQ(ExecutableCache::Deserialize(good, "k", "fp", &entry, &reason),
            CacheReject::kNone)
      << reason;
  // Every prefix is rejected (and, under ASan, read safely).
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_NE(ExecutableCache::Deserialize(good.substr(0, n), "k", "fp", &entry,
                                           &reason),
              CacheReject::kNone)
        << n;
}

TEST(ExecutableCacheTest, DiskBoundEvictsLeastRecentlyUsed) {
  std::string dir = FreshDir("bound");
  size_t entry_file = ExecutableCache::Serialize("k0", Options(dir).fingerprint,
                                                 MakeEntry("0", 10000))
                          .size();
  ExecutableCacheOptions options = Options(dir);
  options.max_disk_bytes = 3 * (entry_file + 64);
  {
    ExecutableCache cache(options);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(
          cache.Insert("k" + std::to_string(i), MakeEntry("0", 10000)).ok());
      ::usleep(20000); // distinct modification times
    }
  }
  // Use k0 from a fresh instance, so that k1 becomes the oldest.
  {
    ExecutableCache cache(options);
    ASSERT_EQ(cache.Lookup("k0").tier, CacheTier::kDisk);
    ::usleep(20000);
    ASSERT_TRUE(cache.Insert("k3", MakeEntry("0", 10000)).ok());
    DiskCacheStats stats = cache.DiskStats();
    EXPECT_EQ(stats.entries, 3u);
    EXPECT_LE(stats.bytes, options.max_disk_bytes);
  }
  ExecutableCache cache(options);
  EXPECT_EQ(cache.Lookup("k1").tier, CacheTier::kMiss);
  EXPECT_EQ(cache.Lookup("k0").tier, CacheTier::kDisk);
  EXPECT_EQ(cache.Lookup("k2").tier, CacheTier::kDisk);
  EXPECT_EQ(cache.Lookup("k3").tier, CacheTier::kDisk);

  // An entry larger than the whole bound is not written.
  ExecutableCacheOptions tiny = Options(dir);
  tiny.max_disk_bytes = 100;
  ExecutableCache small(tiny);
  EXPECT_FALSE(small.Insert("big", MakeEntry("0", 10000)).ok());
  EXPECT_FALSE(Exists(dir + "/big" + kCacheEntrySuffix));
  EXPECT_EQ(small.Lookup("big").tier, CacheTier::kMemory);
  EXPECT_EQ(small.PruneDisk(0), 3u);
  EXPECT_EQ(small.DiskStats().entries, 0u);
}

TEST(ExecutableCacheTest, UnusableDirectoryDisablesDiskTier) {
  std::string dir = FreshDir("file_in_the_way");
  WriteAll(dir, "not a directory");
  ExecutableCache cache(Options(dir + "/sub"));
  EXPECT_FALSE(cache.disk_enabled());
  EXPECT_FALSE(cache.disk_error().empty());
  ASSERT_TRUE(cache.Insert("k", MakeEntry("k")).ok());
  EXPECT_EQ(cache.Lookup("k").tier, CacheTier::kMemory);
  ::unlink(dir.c_str());
}

TEST(ExecutableCacheTest, RejectsUnsafeKeys) {
  ExecutableCache cache(Options(FreshDir("keys")));
  for (const char *key : {"", "../x", "a/b", ".hidden", "a b"}) {
    EXPECT_FALSE(ExecutableCache::IsValidKey(key)) << key;
    EXPECT_FALSE(cache.Insert(key, MakeEntry("k")).ok()) << key;
    EXPECT_EQ(cache.Lookup(key).tier, CacheTier::kMiss) << key;
  }
  EXPECT_TRUE(ExecutableCache::IsValidKey("graph_0123abcd-ffee.v1"));
}

TEST(ExecutableCacheTest, ParsesSizesAndEnvironment) {
  uint64_t bytes = 0;
  EXPECT_TRUE(ParseByteSize("123", &bytes));
  EXPECT_EQ(bytes, 123u);
  EXPECT_TRUE(ParseByteSize("64K", &bytes));
  EXPECT_EQ(bytes, 64u << 10);
  EXPECT_TRUE(ParseByteSize("2g", &bytes));
  EXPECT_EQ(bytes, uint64_t{2} << 30);
  for (const char *bad : {"", "K", "-1", "1.5M", "12X", "99999999999999999999"})
    EXPECT_FALSE(ParseByteSize(bad, &bytes)) << bad;

  ::setenv("LTC_MLIR_CACHE_DIR", "/some/where", 1);
  ::setenv("LTC_MLIR_CACHE_MAX_BYTES", "10M", 1);
  ::setenv("LTC_MLIR_MEMORY_CACHE_ENTRIES", "7", 1);
  ::setenv("LTC_MLIR_MEMORY_CACHE_BYTES", "junk", 1);
  ExecutableCacheOptions options = CacheOptionsFromEnvironment("fp");
  EXPECT_EQ(options.disk_dir, "/some/where");
  EXPECT_EQ(options.max_disk_bytes, uint64_t{10} << 20);
  EXPECT_EQ(options.max_memory_entries, 7u);
  EXPECT_EQ(options.max_memory_bytes,
            ExecutableCacheOptions{}.max_memory_bytes);
  EXPECT_EQ(options.fingerprint, "fp");
  ::setenv("LTC_MLIR_CACHE_DIR", "", 1);
  EXPECT_EQ(CacheOptionsFromEnvironment("fp").disk_dir, "");
  ::unsetenv("LTC_MLIR_CACHE_DIR");
  ::setenv("XDG_CACHE_HOME", "/xdg", 1);
  EXPECT_EQ(CacheOptionsFromEnvironment("fp").disk_dir, "/xdg/ltc-mlir");
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(CacheOptionsFromEnvironment("fp").disk_dir,
            "/home/someone/.cache/ltc-mlir");
  for (const char *name :
       {"LTC_MLIR_CACHE_MAX_BYTES", "LTC_MLIR_MEMORY_CACHE_ENTRIES",
        "LTC_MLIR_MEMORY_CACHE_BYTES"})
    ::unsetenv(name);
}

TEST(ExecutableCacheTest, ThreadsShareOneCache) {
  std::string dir = FreshDir("threads");
  ExecutableCache cache(Options(dir));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 50; ++i) {
        std::string key = "k" + std::to_string((i + t) % 10);
        CacheLookup lookup = cache.Lookup(key);
        if (!lookup.entry)
          EXPECT_TRUE(cache.Insert(key, MakeEntry(key)).ok());
        else
          EXPECT_EQ(lookup.entry->source, MakeEntry(key).source);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(cache.DiskStats().entries, 10u);
}

// Two real processes fill the same directory with the same and different
// keys at once; every file they leave is valid and no temporary remains.
TEST(ExecutableCacheTest, TwoProcessesFillOneDirectory) {
  std::string dir = FreshDir("processes");
  { ExecutableCache make_dir(Options(dir)); }
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ExecutableCache cache(Options(dir));
      bool ok = true;
      for (int round = 0; round < 20; ++round)
        for (int i = 0; i < 8; ++i) {
          std::string key =
              "k" + std::to_string(i) + (i % 2 ? "_p" + std::to_string(p) : "");
          cache.Remove(key); // force disk traffic on every round
          CacheLookup lookup = cache.Lookup(key);
          if (lookup.rejected != CacheReject::kNone)
            ok = false;
          if (!lookup.entry)
            ok = ok && cache.Insert(key, MakeEntry(key, 20000)).ok();
          else
            ok = ok && lookup.entry->source == MakeEntry(key).source;
        }
      ::_exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  ExecutableCache cache(Options(dir));
  for (const std::string &name : ListDir(dir))
    EXPECT_NE(name.rfind(".tmp-", 0), 0u) << name;
  for (int i = 0; i < 8; ++i) {
    // Odd keys were written by only one process each, and removed by that
    // process between rounds, so they may be absent but never bad.
    std::string key = "k" + std::to_string(i) + (i % 2 ? "_p0" : "");
    CacheLookup lookup = cache.Lookup(key);
    EXPECT_EQ(lookup.rejected, CacheReject::kNone) << lookup.reject_reason;
    if (lookup.entry) {
      EXPECT_EQ(lookup.entry->source, MakeEntry(key).source);
    }
  }
}

} // namespace
} // namespace runtime
} // namespace ltc_mlir
