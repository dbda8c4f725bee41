// The buffer pool: reuse by exact size, the cap on cached bytes, and buffers
// that outlive their pool.
#include "runtime/buffer_pool.h"
#include "runtime/cpu_device.h"

#include <memory>

#include <gtest/gtest.h>

namespace ltc_mlir {
namespace runtime {
namespace {

TEST(BufferPool, ReusesAReleasedBufferOfTheSameSize) {
  std::unique_ptr<Device> device = CreateCpuDevice();
  BufferPool pool(*device, 1 << 20);
  auto first = pool.Allocate(4096);
  ASSERT_TRUE(first.ok());
  void *data = (*first)->data();
  EXPECT_EQ((*first)->size_bytes(), 4096u);
  first->reset();
  EXPECT_EQ(pool.stats().cached_bytes, 4096u);
  EXPECT_EQ(device->MemoryInUse(), 4096u);

  auto other_size = pool.Allocate(2048);
  ASSERT_TRUE(other_size.ok());
  EXPECT_NE((*other_size)->data(), data);
  auto again = pool.Allocate(4096);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->data(), data);
  EXPECT_EQ(pool.stats().hits, 1u);
  EXPECT_EQ(pool.stats().misses, 2u);
  EXPECT_EQ(pool.stats().cached_bytes, 0u);
}

TEST(BufferPool, KeepsAtMostTheCapAndTrims) {
  std::unique_ptr<Device> device = CreateCpuDevice();
  BufferPool pool(*device, 6000);
  auto a = pool.Allocate(4096);
  auto b = pool.Allocate(4096);
  ASSERT_TRUE(a.ok() && b.ok());
  a->reset();
  b->reset(); // over the cap: goes back to the device
  EXPECT_EQ(pool.stats().cached_bytes, 4096u);
  EXPECT_EQ(device->MemoryInUse(), 4096u);
  pool.Trim();
  EXPECT_EQ(pool.stats().cached_bytes, 0u);
  EXPECT_EQ(device->MemoryInUse(), 0u);
}

TEST(BufferPool, BuffersMayOutliveThePool) {
  std::unique_ptr<Device> device = CreateCpuDevice();
  std::shared_ptr<DeviceBuffer> survivor;
  {
    BufferPool pool(*device, 1 << 20);
    auto buffer = pool.Allocate(128);
    ASSERT_TRUE(buffer.ok());
    survivor = std::move(*buffer);
  }
  static_cast<char *>(survivor->data())[127] = 1;
  survivor.reset();
  EXPECT_EQ(device->MemoryInUse(), 0u);
}

} // namespace
} // namespace runtime
} // namespace ltc_mlir
