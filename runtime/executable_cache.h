// The executable cache: compiled code by key, in two tiers.
//
// - Memory: an LRU of entries (and, once loaded, their Executable), bounded
//   by an entry count and a byte total.
// - Disk: one file per entry in a cache directory, shared by every process
//   that uses it. Each file is written to a temporary name and renamed into
//   place, carries a CRC-32 over its whole content, the key it was written
//   for and the cache fingerprint (everything that changes the code: compiler
//   versions, target CPU, options). A file that is truncated, corrupt or from
//   another fingerprint or format version is removed and reported as a miss.
//   A total byte bound is kept by evicting the least recently used entries.
//
// The cache knows nothing about what produced the code: keys, the source
// text and the metadata are opaque strings chosen by the caller.
#ifndef LTC_MLIR_RUNTIME_EXECUTABLE_CACHE_H_
#define LTC_MLIR_RUNTIME_EXECUTABLE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "runtime/device.h"

namespace ltc_mlir {
namespace runtime {

// Version of the on-disk entry layout. Files of another version are foreign.
constexpr uint32_t kCacheFormatVersion = 1;
// Name suffixes of the files in a cache directory.
constexpr char kCacheEntrySuffix[] = ".ltcx";
constexpr char kCacheUsageSuffix[] = ".use";

struct CacheEntry {
  ObjectCode object;
  // What the code was compiled from (e.g. Torch-dialect MLIR), so a caller
  // can rule out key collisions and a user can inspect it.
  std::string source;
  // Free-form, caller-defined description (JSON for ltc-mlir).
  std::string metadata;
  // Seconds since the epoch when the entry was first written.
  int64_t created = 0;
  // Set by Lookup from the disk tier's usage file (hits before this one).
  uint64_t disk_hits = 0;
  // Bytes the entry accounts for in the memory tier.
  size_t MemoryBytes() const;
};

enum class CacheTier { kMiss, kMemory, kDisk };

// Why a disk file was rejected.
enum class CacheReject {
  kNone,
  // Truncated, bad checksum, malformed sections, unreadable.
  kCorrupt,
  // Another format version, fingerprint or key.
  kForeign,
};

struct CacheLookup {
  CacheTier tier = CacheTier::kMiss;
  // Null on a miss. Shared with the memory tier: treat as read-only.
  std::shared_ptr<const CacheEntry> entry;
  // The entry's loaded code, when the memory tier has it.
  std::shared_ptr<Executable> executable;
  // A disk file for the key existed but was rejected (and removed).
  CacheReject rejected = CacheReject::kNone;
  std::string reject_reason;
};

struct ExecutableCacheOptions {
  // Empty: no disk tier.
  std::string disk_dir;
  // 0: unbounded.
  uint64_t max_disk_bytes = uint64_t{1} << 30;
  // 0 entries: no memory tier.
  size_t max_memory_entries = 1024;
  uint64_t max_memory_bytes = uint64_t{512} << 20;
  // Identifies everything that changes the code; stored in each disk entry
  // and compared on load.
  std::string fingerprint;
};

// Reads the options from the environment:
//   LTC_MLIR_CACHE_DIR             disk directory; unset:
//   $XDG_CACHE_HOME/ltc-mlir
//                                  or $HOME/.cache/ltc-mlir; empty: no disk
//                                  tier
//   LTC_MLIR_CACHE_MAX_BYTES       disk bound (suffixes K, M, G accepted)
//   LTC_MLIR_MEMORY_CACHE_ENTRIES  memory tier entry bound (0 turns it off)
//   LTC_MLIR_MEMORY_CACHE_BYTES    memory tier byte bound
// Values that do not parse keep their defaults.
ExecutableCacheOptions CacheOptionsFromEnvironment(std::string fingerprint);

// Parses "123", "64K", "10M", "2G" (binary multiples). False on bad input.
bool ParseByteSize(const std::string &text, uint64_t *bytes);

struct DiskCacheStats {
  size_t entries = 0;
  uint64_t bytes = 0;
};

// Thread-safe. Several processes may share one disk directory.
class ExecutableCache {
public:
  explicit ExecutableCache(ExecutableCacheOptions options);

  const ExecutableCacheOptions &options() const { return options_; }
  // False when there is no disk directory or it could not be created.
  bool disk_enabled() const { return !disk_dir_.empty(); }
  // Why the disk tier is off although a directory was asked for.
  const std::string &disk_error() const { return disk_error_; }

  // Memory first, then disk; a disk hit is promoted into memory and counts
  // as a use of the disk entry (hit count, LRU time).
  CacheLookup Lookup(const std::string &key);

  // Stores `entry` in memory and writes it to disk (replacing any file for
  // the key), then enforces the disk bound. A disk write
  // that fails leaves the memory tier filled and returns the error.
  absl::Status Insert(const std::string &key, CacheEntry entry);

  // Keeps `executable` with the memory-tier entry of `key`, if any.
  void SetExecutable(const std::string &key,
                     std::shared_ptr<Executable> executable);

  // Drops `key` from both tiers (e.g. when its code failed to load).
  void Remove(const std::string &key);

  // Evicts least recently used disk entries until at most `max_bytes`
  // remain; also removes stale temporary files. Returns entries removed.
  size_t PruneDisk(uint64_t max_bytes);

  DiskCacheStats DiskStats() const;
  size_t MemoryEntries() const;
  uint64_t MemoryBytes() const;

  // The path of the disk file for `key` ("" without a disk tier).
  std::string EntryPath(const std::string &key) const;

  // A key must be 1-200 characters of [A-Za-z0-9_.-], not starting with '.'.
  static bool IsValidKey(const std::string &key);

  // The on-disk encoding, exposed for tests and tools.
  static std::string Serialize(const std::string &key,
                               const std::string &fingerprint,
                               const CacheEntry &entry);
  // Checks and decodes a file's bytes written for `key` under `fingerprint`.
  static CacheReject Deserialize(const std::string &bytes,
                                 const std::string &key,
                                 const std::string &fingerprint,
                                 CacheEntry *entry, std::string *reason);

private:
  struct MemoryEntry {
    std::shared_ptr<const CacheEntry> entry;
    std::shared_ptr<Executable> executable;
  };
  using LruList = std::list<std::pair<std::string, MemoryEntry>>;

  void MemoryInsertLocked(const std::string &key,
                          std::shared_ptr<const CacheEntry> entry);
  void MemoryEraseLocked(const std::string &key);
  CacheLookup DiskLookup(const std::string &key);
  void RecordDiskUse(const std::string &key, uint64_t previous_hits);

  ExecutableCacheOptions options_;
  std::string disk_dir_;
  std::string disk_error_;

  mutable std::mutex mutex_;
  LruList lru_; // most recently used first
  std::unordered_map<std::string, LruList::iterator> index_;
  uint64_t memory_bytes_ = 0;
};

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_EXECUTABLE_CACHE_H_
