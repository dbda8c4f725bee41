// The graph allocator, called the way compiled code calls it: through the
// symbols the JIT resolves MLIR's generic allocation functions to.
#include "runtime/graph_allocator.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "gtest/gtest.h"

namespace {

using ltc_mlir::runtime::GetGraphAllocatorStats;
using ltc_mlir::runtime::GetGraphAllocatorSymbols;
using ltc_mlir::runtime::SetGraphAllocatorCacheLimit;
using ltc_mlir::runtime::TrimGraphAllocator;

using AllocFn = void *(*)(uint64_t);
using AlignedAllocFn = void *(*)(uint64_t, uint64_t);
using FreeFn = void (*)(void *);

class GraphAllocatorTest : public ::testing::Test {
protected:
  void SetUp() override {
    int count = 0;
    const auto *symbols = GetGraphAllocatorSymbols(&count);
    std::map<std::string, void *> byName;
    for (int i = 0; i < count; ++i)
      byName[symbols[i].name] = symbols[i].address;
    alloc_ = reinterpret_cast<AllocFn>(byName.at("_mlir_memref_to_llvm_alloc"));
    aligned_ = reinterpret_cast<AlignedAllocFn>(
        byName.at("_mlir_memref_to_llvm_aligned_alloc"));
    free_ = reinterpret_cast<FreeFn>(byName.at("_mlir_memref_to_llvm_free"));
    SetGraphAllocatorCacheLimit(size_t{1} << 30);
    TrimGraphAllocator();
  }

  AllocFn alloc_;
  AlignedAllocFn aligned_;
  FreeFn free_;
};

TEST_F(GraphAllocatorTest, LargeBlocksAreReusedWithinTheirSizeClass) {
  auto before = GetGraphAllocatorStats();
  void *a = alloc_(1 << 20);
  ASSERT_NE(a, nullptr);
  std::memset(a, 1, 1 << 20);
  free_(a);
  EXPECT_EQ(GetGraphAllocatorStats().cached_bytes, size_t{1} << 20);
  // A slightly smaller request falls in the same class and gets the block.
  void *b = alloc_((1 << 20) - 100);
  EXPECT_EQ(b, a);
  auto after = GetGraphAllocatorStats();
  EXPECT_EQ(after.hits - before.hits, 1u);
  EXPECT_EQ(after.misses - before.misses, 1u);
  EXPECT_EQ(after.cached_bytes, 0u);
  EXPECT_EQ(after.in_use_bytes, size_t{1} << 20);
  free_(b);
  EXPECT_EQ(GetGraphAllocatorStats().in_use_bytes, 0u);
}

TEST_F(GraphAllocatorTest, PointersAreAlignedAndUsable) {
  for (uint64_t size : {1ull, 63ull, 4096ull, 100000ull}) {
    void *p = alloc_(size);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << size;
    std::memset(p, 0xab, size);
    free_(p);
  }
  void *q = aligned_(256, 50000);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % 256, 0u);
  std::memset(q, 0, 50000);
  free_(q);
  EXPECT_EQ(aligned_(96, 100), nullptr); // not a power of two
  free_(nullptr);
}

TEST_F(GraphAllocatorTest, TheCacheLimitIsKept) {
  SetGraphAllocatorCacheLimit(3 << 20);
  void *blocks[5];
  for (void *&block : blocks)
    block = alloc_(1 << 20);
  for (void *block : blocks)
    free_(block);
  EXPECT_EQ(GetGraphAllocatorStats().cached_bytes, size_t{3} << 20);
  SetGraphAllocatorCacheLimit(1 << 20);
  EXPECT_EQ(GetGraphAllocatorStats().cached_bytes, size_t{1} << 20);
  TrimGraphAllocator();
  EXPECT_EQ(GetGraphAllocatorStats().cached_bytes, 0u);
}

} // namespace
