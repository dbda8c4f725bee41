// The executable cache. See executable_cache.h.
//
// Disk entry layout (little endian):
//   "LTCMLIRX"  u32 format version  u32 section count
//   section*:   u32 name length, name, u64 data length, data
//   u32 CRC-32 (zlib's) of every byte before it
// Numbers inside sections are decimal text, so tools read them easily.
// Usage (hit count, last use) lives in a small side file, "<key>.use", so the
// entry file itself is written once and never changes.
#include "runtime/executable_cache.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CRC.h"

namespace ltc_mlir {
namespace runtime {
namespace {

constexpr char kMagic[8] = {'L', 'T', 'C', 'M', 'L', 'I', 'R', 'X'};
constexpr char kTempPrefix[] = ".tmp-";
// Larger files are not entries we wrote; refuse to read them into memory.
constexpr uint64_t kMaxEntryFileBytes = uint64_t{4} << 30;
// Temporary files older than this belong to a writer that died.
constexpr int64_t kStaleTempSeconds = 600;

void PutU32(std::string &out, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void PutU64(std::string &out, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t GetLE(const std::string &in, size_t pos, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= uint64_t(static_cast<unsigned char>(in[pos + i])) << (8 * i);
  return value;
}

void PutSection(std::string &out, const std::string &name,
                const std::string &data) {
  PutU32(out, static_cast<uint32_t>(name.size()));
  out += name;
  PutU64(out, data.size());
  out += data;
}

uint32_t Crc32(const char *data, size_t size) {
  return llvm::crc32(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data), size));
}

std::string JoinSizes(const std::vector<uint64_t> &sizes) {
  return absl::StrJoin(sizes, ",");
}

bool SplitSizes(const std::string &text, std::vector<uint64_t> *sizes) {
  sizes->clear();
  if (text.empty())
    return true;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    uint64_t value;
    if (!absl::SimpleAtoi(part, &value))
      return false;
    sizes->push_back(value);
  }
  return true;
}

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

// mkdir -p.
bool MakeDirs(const std::string &path, std::string *error) {
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    prefix += std::string(part);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 &&
        errno != EEXIST) {
      *error = absl::StrCat("cannot create ", prefix, ": ", strerror(errno));
      return false;
    }
    prefix += "/";
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = absl::StrCat(path, " is not a directory");
    return false;
  }
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    *error = absl::StrCat(path, " is not writable");
    return false;
  }
  return true;
}

// Reads a whole file. False (with errno-style reason) if it cannot.
bool ReadFile(const std::string &path, std::string *bytes, bool *missing,
              std::string *reason) {
  *missing = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *missing = errno == ENOENT;
    *reason = strerror(errno);
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
      static_cast<uint64_t>(st.st_size) > kMaxEntryFileBytes) {
    *reason = "not a regular file of a plausible size";
    ::close(fd);
    return false;
  }
  bytes->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes->size()) {
    ssize_t n = ::read(fd, &(*bytes)[done], bytes->size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  // A file that shrank while we read it is simply shorter; the checks on
  // its content reject it.
  bytes->resize(done);
  return true;
}

// Writes `bytes` to dir/name atomically: a temporary file in the same
// directory, renamed over the target.
absl::Status WriteFileAtomic(const std::string &dir, const std::string &name,
                             const std::string &bytes) {
  static std::atomic<uint64_t> counter{0};
  std::string temp = absl::StrCat(dir, "/", kTempPrefix, name, "-", ::getpid(),
                                  "-", counter.fetch_add(1));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return absl::UnavailableError(
        absl::StrCat("cannot create ", temp, ": ", strerror(errno)));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += static_cast<size_t>(n);
  }
  int close_result = ::close(fd);
  if (done != bytes.size() || close_result != 0) {
    std::string error = strerror(errno);
    ::unlink(temp.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot write ", temp, ": ", error));
  }
  std::string target = absl::StrCat(dir, "/", name);
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    std::string error = strerror(errno);
    ::unlink(temp.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot rename ", temp, " to ", target, ": ", error));
  }
  return absl::OkStatus();
}

bool EndsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

int64_t MtimeNs(const struct stat &st) {
  return int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// Parses the usage side file: "hits N\nlast_used T\n".
uint64_t ReadHits(const std::string &path) {
  std::string text, reason;
  bool missing;
  if (!ReadFile(path, &text, &missing, &reason) || text.size() > 4096)
    return 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
    uint64_t hits;
    if (words.size() == 2 && words[0] == "hits" &&
        absl::SimpleAtoi(words[1], &hits))
      return hits;
  }
  return 0;
}

std::string DefaultDiskDir() {
  const char *xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/')
    return absl::StrCat(xdg, "/ltc-mlir");
  const char *home = std::getenv("HOME");
  if (!home || !home[0]) {
    struct passwd *pw = ::getpwuid(::getuid());
    home = pw ? pw->pw_dir : nullptr;
  }
  if (!home || !home[0])
    return "";
  return absl::StrCat(home, "/.cache/ltc-mlir");
}

} // namespace

size_t CacheEntry::MemoryBytes() const {
  return object.bytes.size() + object.entry_symbol.size() +
         8 * (object.input_bytes.size() + object.output_bytes.size()) +
         source.size() + metadata.size() + sizeof(CacheEntry);
}

bool ParseByteSize(const std::string &text, uint64_t *bytes) {
  if (text.empty())
    return false;
  std::string digits = text;
  uint64_t scale = 1;
  switch (digits.back()) {
  case 'k':
  case 'K':
    scale = uint64_t{1} << 10;
    break;
  case 'm':
  case 'M':
    scale = uint64_t{1} << 20;
    break;
  case 'g':
  case 'G':
    scale = uint64_t{1} << 30;
    break;
  default:
    break;
  }
  if (scale != 1)
    digits.pop_back();
  uint64_t value;
  if (!absl::SimpleAtoi(digits, &value) || value > UINT64_MAX / scale)
    return false;
  *bytes = value * scale;
  return true;
}

ExecutableCacheOptions CacheOptionsFromEnvironment(std::string fingerprint) {
  ExecutableCacheOptions options;
  options.fingerprint = std::move(fingerprint);
  const char *dir = std::getenv("LTC_MLIR_CACHE_DIR");
  options.disk_dir = dir ? std::string(dir) : DefaultDiskDir();
  uint64_t value;
  if (const char *text = std::getenv("LTC_MLIR_CACHE_MAX_BYTES"))
    if (ParseByteSize(text, &value))
      options.max_disk_bytes = value;
  if (const char *text = std::getenv("LTC_MLIR_MEMORY_CACHE_ENTRIES"))
    if (absl::SimpleAtoi(text, &value))
      options.max_memory_entries = static_cast<size_t>(value);
  if (const char *text = std::getenv("LTC_MLIR_MEMORY_CACHE_BYTES"))
    if (ParseByteSize(text, &value))
      options.max_memory_bytes = value;
  return options;
}

ExecutableCache::ExecutableCache(ExecutableCacheOptions options)
    : options_(std::move(options)) {
  if (options_.disk_dir.empty())
    return;
  std::string dir = options_.disk_dir;
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  if (MakeDirs(dir, &disk_error_))
    disk_dir_ = dir;
}

bool ExecutableCache::IsValidKey(const std::string &key) {
  if (key.empty() || key.size() > 200 || key[0] == '.')
    return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok)
      return false;
  }
  return true;
}

std::string ExecutableCache::EntryPath(const std::string &key) const {
  if (disk_dir_.empty())
    return "";
  return absl::StrCat(disk_dir_, "/", key, kCacheEntrySuffix);
}

std::string ExecutableCache::Serialize(const std::string &key,
                                       const std::string &fingerprint,
                                       const CacheEntry &entry) {
  std::string out(kMagic, sizeof(kMagic));
  PutU32(out, kCacheFormatVersion);
  PutU32(out, 9);
  PutSection(out, "key", key);
  PutSection(out, "fingerprint", fingerprint);
  PutSection(out, "created", absl::StrCat(entry.created));
  PutSection(out, "entry_symbol", entry.object.entry_symbol);
  PutSection(out, "input_bytes", JoinSizes(entry.object.input_bytes));
  PutSection(out, "output_bytes", JoinSizes(entry.object.output_bytes));
  PutSection(out, "metadata", entry.metadata);
  PutSection(out, "source", entry.source);
  PutSection(out, "object", entry.object.bytes);
  PutU32(out, Crc32(out.data(), out.size()));
  return out;
}

CacheReject ExecutableCache::Deserialize(const std::string &bytes,
                                         const std::string &key,
                                         const std::string &fingerprint,
                                         CacheEntry *entry,
                                         std::string *reason) {
  auto corrupt = [&](std::string why) {
    *reason = std::move(why);
    return CacheReject::kCorrupt;
  };
  constexpr size_t kHeader = sizeof(kMagic) + 4 + 4;
  if (bytes.size() < kHeader + 4)
    return corrupt(absl::StrCat("truncated (", bytes.size(), " bytes)"));
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return corrupt("not a cache entry (bad magic)");
  uint32_t version = static_cast<uint32_t>(GetLE(bytes, sizeof(kMagic), 4));
  if (version != kCacheFormatVersion) {
    *reason = absl::StrCat("format version ", version, ", expected ",
                           kCacheFormatVersion);
    return CacheReject::kForeign;
  }
  size_t body = bytes.size() - 4;
  uint32_t stored_crc = static_cast<uint32_t>(GetLE(bytes, body, 4));
  if (Crc32(bytes.data(), body) != stored_crc)
    return corrupt("checksum mismatch (truncated or corrupt)");

  uint32_t count = static_cast<uint32_t>(GetLE(bytes, sizeof(kMagic) + 4, 4));
  std::map<std::string, std::string> sections;
  size_t pos = kHeader;
  for (uint32_t i = 0; i < count; ++i) {
    if (body - pos < 4)
      return corrupt("section header past the end");
    uint64_t name_size = GetLE(bytes, pos, 4);
    pos += 4;
    if (body - pos < name_size + 8)
      return corrupt("section name past the end");
    std::string name = bytes.substr(pos, name_size);
    pos += name_size;
    uint64_t data_size = GetLE(bytes, pos, 8);
    pos += 8;
    if (body - pos < data_size)
      return corrupt(absl::StrCat("section ", name, " past the end"));
    sections[name] = bytes.substr(pos, data_size);
    pos += data_size;
  }
  if (pos != body)
    return corrupt("trailing bytes after the sections");

  for (const char *required :
       {"key", "fingerprint", "created", "entry_symbol", "input_bytes",
        "output_bytes", "metadata", "source", "object"})
    if (!sections.count(required))
      return corrupt(absl::StrCat("section ", required, " missing"));
  if (sections["key"] != key) {
    *reason = absl::StrCat("written for key ", sections["key"]);
    return CacheReject::kForeign;
  }
  if (sections["fingerprint"] != fingerprint) {
    *reason = "written by another compiler version, target or options";
    return CacheReject::kForeign;
  }
  CacheEntry decoded;
  if (!absl::SimpleAtoi(sections["created"], &decoded.created) ||
      !SplitSizes(sections["input_bytes"], &decoded.object.input_bytes) ||
      !SplitSizes(sections["output_bytes"], &decoded.object.output_bytes))
    return corrupt("malformed number");
  decoded.object.entry_symbol = std::move(sections["entry_symbol"]);
  decoded.object.bytes = std::move(sections["object"]);
  decoded.source = std::move(sections["source"]);
  decoded.metadata = std::move(sections["metadata"]);
  if (decoded.object.entry_symbol.empty() || decoded.object.bytes.empty())
    return corrupt("empty object or entry symbol");
  *entry = std::move(decoded);
  return CacheReject::kNone;
}

void ExecutableCache::MemoryInsertLocked(
    const std::string &key, std::shared_ptr<const CacheEntry> entry) {
  MemoryEraseLocked(key);
  if (options_.max_memory_entries == 0)
    return;
  size_t bytes = entry->MemoryBytes();
  if (options_.max_memory_bytes && bytes > options_.max_memory_bytes)
    return;
  lru_.emplace_front(key, MemoryEntry{std::move(entry), nullptr});
  index_[key] = lru_.begin();
  memory_bytes_ += bytes;
  while (
      lru_.size() > options_.max_memory_entries ||
      (options_.max_memory_bytes && memory_bytes_ > options_.max_memory_bytes))
    MemoryEraseLocked(lru_.back().first);
}

void ExecutableCache::MemoryEraseLocked(const std::string &key) {
  auto it = index_.find(key);
  if (it == index_.end())
    return;
  memory_bytes_ -= it->second->second.entry->MemoryBytes();
  lru_.erase(it->second);
  index_.erase(it);
}

CacheLookup ExecutableCache::Lookup(const std::string &key) {
  CacheLookup result;
  if (!IsValidKey(key))
    return result;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      result.tier = CacheTier::kMemory;
      result.entry = it->second->second.entry;
      result.executable = it->second->second.executable;
      return result;
    }
  }
  if (disk_dir_.empty())
    return result;
  result = DiskLookup(key);
  if (result.entry) {
    std::lock_guard<std::mutex> lock(mutex_);
    MemoryInsertLocked(key, result.entry);
  }
  return result;
}

CacheLookup ExecutableCache::DiskLookup(const std::string &key) {
  CacheLookup result;
  std::string path = EntryPath(key);
  std::string bytes, reason;
  bool missing;
  if (!ReadFile(path, &bytes, &missing, &reason)) {
    if (!missing) {
      result.rejected = CacheReject::kCorrupt;
      result.reject_reason = absl::StrCat(path, ": ", reason);
      ::unlink(path.c_str());
    }
    return result;
  }
  auto entry = std::make_shared<CacheEntry>();
  result.rejected =
      Deserialize(bytes, key, options_.fingerprint, entry.get(), &reason);
  if (result.rejected != CacheReject::kNone) {
    result.reject_reason = absl::StrCat(path, ": ", reason);
    ::unlink(path.c_str());
    ::unlink(absl::StrCat(disk_dir_, "/", key, kCacheUsageSuffix).c_str());
    return result;
  }
  entry->disk_hits =
      ReadHits(absl::StrCat(disk_dir_, "/", key, kCacheUsageSuffix));
  RecordDiskUse(key, entry->disk_hits);
  result.tier = CacheTier::kDisk;
  result.entry = std::move(entry);
  return result;
}

void ExecutableCache::RecordDiskUse(const std::string &key,
                                    uint64_t previous_hits) {
  // Concurrent users may lose an increment; the count is informational.
  // The file's mtime is the entry's last use for LRU eviction.
  std::string text = absl::StrCat("hits ", previous_hits + 1, "\nlast_used ",
                                  NowSeconds(), "\n");
  (void)WriteFileAtomic(disk_dir_, absl::StrCat(key, kCacheUsageSuffix), text);
}

absl::Status ExecutableCache::Insert(const std::string &key, CacheEntry entry) {
  if (!IsValidKey(key))
    return absl::InvalidArgumentError(
        absl::StrCat("invalid cache key '", key, "'"));
  if (entry.created == 0)
    entry.created = NowSeconds();
  auto shared = std::make_shared<const CacheEntry>(std::move(entry));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    MemoryInsertLocked(key, shared);
  }
  if (disk_dir_.empty())
    return absl::OkStatus();
  std::string bytes = Serialize(key, options_.fingerprint, *shared);
  if (options_.max_disk_bytes && bytes.size() > options_.max_disk_bytes)
    return absl::ResourceExhaustedError(absl::StrCat(
        "entry of ", bytes.size(), " bytes exceeds the disk cache bound of ",
        options_.max_disk_bytes));
  absl::Status status =
      WriteFileAtomic(disk_dir_, absl::StrCat(key, kCacheEntrySuffix), bytes);
  if (!status.ok())
    return status;
  // Keep the hit count of an entry another process wrote before us.
  std::string usage = absl::StrCat(key, kCacheUsageSuffix);
  if (::access(absl::StrCat(disk_dir_, "/", usage).c_str(), F_OK) != 0)
    (void)WriteFileAtomic(
        disk_dir_, usage,
        absl::StrCat("hits 0\nlast_used ", NowSeconds(), "\n"));
  if (options_.max_disk_bytes)
    PruneDisk(options_.max_disk_bytes);
  return absl::OkStatus();
}

void ExecutableCache::SetExecutable(const std::string &key,
                                    std::shared_ptr<Executable> executable) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(key);
  if (it != index_.end())
    it->second->second.executable = std::move(executable);
}

void ExecutableCache::Remove(const std::string &key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    MemoryEraseLocked(key);
  }
  if (disk_dir_.empty() || !IsValidKey(key))
    return;
  ::unlink(EntryPath(key).c_str());
  ::unlink(absl::StrCat(disk_dir_, "/", key, kCacheUsageSuffix).c_str());
}

namespace {

struct DiskFile {
  std::string key;
  uint64_t bytes = 0;   // entry plus usage file
  int64_t last_use = 0; // ns
};

// Lists the entries of `dir`; removes stale temporaries and orphaned usage
// files along the way when `clean` is set.
std::vector<DiskFile> ListDisk(const std::string &dir, bool clean) {
  std::vector<DiskFile> files;
  DIR *handle = ::opendir(dir.c_str());
  if (!handle)
    return files;
  std::vector<std::string> usage_names;
  int64_t now_ns = int64_t(NowSeconds()) * 1000000000;
  while (struct dirent *ent = ::readdir(handle)) {
    std::string name = ent->d_name;
    if (name == "." || name == "..")
      continue;
    std::string path = absl::StrCat(dir, "/", name);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (name.rfind(kTempPrefix, 0) == 0) {
      if (clean && now_ns - MtimeNs(st) > kStaleTempSeconds * 1000000000)
        ::unlink(path.c_str());
      continue;
    }
    if (EndsWith(name, kCacheUsageSuffix)) {
      usage_names.push_back(name);
      continue;
    }
    if (!EndsWith(name, kCacheEntrySuffix))
      continue;
    DiskFile file;
    file.key = name.substr(0, name.size() - std::strlen(kCacheEntrySuffix));
    file.bytes = static_cast<uint64_t>(st.st_size);
    file.last_use = MtimeNs(st);
    files.push_back(std::move(file));
  }
  ::closedir(handle);
  std::unordered_map<std::string, DiskFile *> by_key;
  for (DiskFile &file : files)
    by_key[file.key] = &file;
  for (const std::string &name : usage_names) {
    std::string path = absl::StrCat(dir, "/", name);
    std::string key =
        name.substr(0, name.size() - std::strlen(kCacheUsageSuffix));
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0)
      continue;
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      // Its entry is gone (or not yet renamed into place by a concurrent
      // writer, hence the age check).
      if (clean && now_ns - MtimeNs(st) > kStaleTempSeconds * 1000000000)
        ::unlink(path.c_str());
      continue;
    }
    it->second->bytes += static_cast<uint64_t>(st.st_size);
    it->second->last_use = std::max(it->second->last_use, MtimeNs(st));
  }
  return files;
}

} // namespace

size_t ExecutableCache::PruneDisk(uint64_t max_bytes) {
  if (disk_dir_.empty())
    return 0;
  std::vector<DiskFile> files = ListDisk(disk_dir_, /*clean=*/true);
  uint64_t total = 0;
  for (const DiskFile &file : files)
    total += file.bytes;
  if (total <= max_bytes)
    return 0;
  std::sort(files.begin(), files.end(),
            [](const DiskFile &a, const DiskFile &b) {
              return a.last_use < b.last_use;
            });
  size_t removed = 0;
  for (const DiskFile &file : files) {
    if (total <= max_bytes)
      break;
    ::unlink(EntryPath(file.key).c_str());
    ::unlink(absl::StrCat(disk_dir_, "/", file.key, kCacheUsageSuffix).c_str());
    total -= file.bytes;
    ++removed;
  }
  return removed;
}

DiskCacheStats ExecutableCache::DiskStats() const {
  DiskCacheStats stats;
  if (disk_dir_.empty())
    return stats;
  for (const DiskFile &file : ListDisk(disk_dir_, /*clean=*/false)) {
    ++stats.entries;
    stats.bytes += file.bytes;
  }
  return stats;
}

size_t ExecutableCache::MemoryEntries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lru_.size();
}

uint64_t ExecutableCache::MemoryBytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return memory_bytes_;
}

} // namespace runtime
} // namespace ltc_mlir
