#include "runtime/graph_allocator.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ltc_mlir {
namespace runtime {
namespace {

// Every block starts with a header that says how to free it; the pointer
// handed out follows the header, at a multiple of kAlignment.
constexpr size_t kAlignment = 64;
// Blocks below this size come and go through malloc's own small-block bins,
// which already reuse memory without faulting in fresh pages.
constexpr size_t kMinCachedBytes = 16 * 1024;

struct Header {
  void *base;        // what the C allocator returned
  size_t size_class; // 0: not cached, freed at once
};

// Sizes round up to one of 8 classes per power of two (at most 12.5% slack),
// so that nearly equal sizes share blocks.
size_t SizeClass(size_t bytes) {
  size_t power = size_t{1} << (63 - __builtin_clzll(bytes));
  size_t step = std::max<size_t>(power / 8, kAlignment);
  return (bytes + step - 1) / step * step;
}

size_t DefaultCacheLimit() {
  if (const char *text = std::getenv("LTC_MLIR_GRAPH_CACHE_MB")) {
    char *end = nullptr;
    unsigned long long mb = std::strtoull(text, &end, 10);
    if (end != text && *end == '\0')
      return static_cast<size_t>(mb) << 20;
  }
  return size_t{1} << 30;
}

class Allocator {
public:
  void *Allocate(size_t alignment, size_t bytes) {
    if (alignment < kAlignment)
      alignment = kAlignment;
    if ((alignment & (alignment - 1)) != 0)
      return nullptr;
    if (bytes == 0)
      bytes = 1;
    // The header sits in the `alignment` bytes in front of the pointer.
    size_t size_class = alignment == kAlignment && bytes >= kMinCachedBytes
                            ? SizeClass(bytes)
                            : 0;
    if (size_class != 0) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(size_class);
      if (it != free_.end() && !it->second.empty()) {
        void *ptr = it->second.back();
        it->second.pop_back();
        cached_bytes_ -= size_class;
        in_use_bytes_ += size_class;
        ++hits_;
        return ptr;
      }
      ++misses_;
      in_use_bytes_ += size_class;
    }
    size_t payload = size_class != 0 ? size_class : bytes;
    size_t total =
        (alignment + payload + alignment - 1) / alignment * alignment;
    void *base = std::aligned_alloc(alignment, total);
    if (base == nullptr) {
      if (size_class != 0) {
        std::lock_guard<std::mutex> lock(mu_);
        in_use_bytes_ -= size_class;
      }
      return nullptr;
    }
    char *ptr = static_cast<char *>(base) + alignment;
    Header header{base, size_class};
    std::memcpy(ptr - sizeof(Header), &header, sizeof(Header));
    return ptr;
  }

  void Free(void *ptr) {
    if (ptr == nullptr)
      return;
    Header header;
    std::memcpy(&header, static_cast<char *>(ptr) - sizeof(Header),
                sizeof(Header));
    if (header.size_class != 0) {
      std::lock_guard<std::mutex> lock(mu_);
      in_use_bytes_ -= header.size_class;
      if (cached_bytes_ + header.size_class <= limit_) {
        free_[header.size_class].push_back(ptr);
        cached_bytes_ += header.size_class;
        return;
      }
    }
    std::free(header.base);
  }

  void SetLimit(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    limit_ = bytes;
    ReleaseLocked(limit_);
  }

  void Trim() {
    std::lock_guard<std::mutex> lock(mu_);
    ReleaseLocked(0);
  }

  GraphAllocatorStats Stats() {
    std::lock_guard<std::mutex> lock(mu_);
    GraphAllocatorStats stats;
    stats.hits = hits_;
    stats.misses = misses_;
    stats.cached_bytes = cached_bytes_;
    stats.in_use_bytes = in_use_bytes_;
    return stats;
  }

private:
  // Frees cached blocks, largest classes first, until at most `keep` bytes
  // stay cached.
  void ReleaseLocked(size_t keep) {
    std::vector<size_t> classes;
    for (const auto &entry : free_)
      classes.push_back(entry.first);
    std::sort(classes.rbegin(), classes.rend());
    for (size_t size_class : classes) {
      std::vector<void *> &blocks = free_[size_class];
      while (cached_bytes_ > keep && !blocks.empty()) {
        Header header;
        std::memcpy(&header,
                    static_cast<char *>(blocks.back()) - sizeof(Header),
                    sizeof(Header));
        std::free(header.base);
        blocks.pop_back();
        cached_bytes_ -= size_class;
      }
    }
  }

  std::mutex mu_;
  std::unordered_map<size_t, std::vector<void *>> free_;
  size_t limit_ = DefaultCacheLimit();
  size_t cached_bytes_ = 0;
  size_t in_use_bytes_ = 0;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

// Never destroyed: compiled code may still free during static destruction.
Allocator &GetAllocator() {
  static Allocator *allocator = new Allocator;
  return *allocator;
}

void *Alloc(uint64_t size) { return GetAllocator().Allocate(0, size); }

void *AlignedAlloc(uint64_t alignment, uint64_t size) {
  return GetAllocator().Allocate(alignment, size);
}

void Free(void *ptr) { GetAllocator().Free(ptr); }

} // namespace

GraphAllocatorStats GetGraphAllocatorStats() { return GetAllocator().Stats(); }

ScratchFloats::ScratchFloats(size_t count)
    : data_(static_cast<float *>(
          AlignedAlloc(64, std::max<size_t>(count, 1) * sizeof(float)))) {}

ScratchFloats::~ScratchFloats() { Free(data_); }

void SetGraphAllocatorCacheLimit(size_t bytes) {
  GetAllocator().SetLimit(bytes);
}

void TrimGraphAllocator() { GetAllocator().Trim(); }

const CpuKernelSymbol *GetGraphAllocatorSymbols(int *count) {
  static const CpuKernelSymbol symbols[] = {
      {"_mlir_memref_to_llvm_alloc", reinterpret_cast<void *>(&Alloc)},
      {"_mlir_memref_to_llvm_aligned_alloc",
       reinterpret_cast<void *>(&AlignedAlloc)},
      {"_mlir_memref_to_llvm_free", reinterpret_cast<void *>(&Free)},
  };
  *count = 3;
  return symbols;
}

} // namespace runtime
} // namespace ltc_mlir
