// The CPU device: allocation, transfers, memory accounting and loading
// errors, without any compiler involved.
#include "runtime/cpu_device.h"

#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ltc_mlir {
namespace runtime {
namespace {

TEST(CpuDevice, NameAndSingleton) {
  EXPECT_EQ(GetCpuDevice().name(), "cpu");
  EXPECT_EQ(&GetCpuDevice(), &GetCpuDevice());
  EXPECT_TRUE(GetCpuDevice().Synchronize().ok());
}

TEST(CpuDevice, AllocateIsAlignedAndCounted) {
  std::unique_ptr<Device> device = CreateCpuDevice();
  EXPECT_EQ(device->MemoryInUse(), 0u);
  {
    auto a = device->Allocate(100);
    ASSERT_TRUE(a.ok()) << a.status();
    auto b = device->Allocate(28);
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ((*a)->size_bytes(), 100u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>((*a)->data()) % kCpuBufferAlignment,
              0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>((*b)->data()) % kCpuBufferAlignment,
              0u);
    EXPECT_EQ(device->MemoryInUse(), 128u);
    EXPECT_EQ(device->PeakMemoryInUse(), 128u);
    a->reset();
    EXPECT_EQ(device->MemoryInUse(), 28u);
  }
  EXPECT_EQ(device->MemoryInUse(), 0u);
  EXPECT_EQ(device->PeakMemoryInUse(), 128u);
}

TEST(CpuDevice, ZeroSizeBuffersAreDistinctAndNonNull) {
  std::unique_ptr<Device> device = CreateCpuDevice();
  auto a = device->Allocate(0);
  auto b = device->Allocate(0);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->data(), nullptr);
  EXPECT_NE((*a)->data(), (*b)->data());
  EXPECT_EQ((*a)->size_bytes(), 0u);
  EXPECT_EQ(device->MemoryInUse(), 0u);
  EXPECT_TRUE(device->CopyToDevice(nullptr, 0, **a).ok());
  EXPECT_TRUE(device->CopyFromDevice(**a, nullptr, 0).ok());
}

TEST(CpuDevice, CopyRoundTrip) {
  Device &device = GetCpuDevice();
  std::vector<float> host(1000);
  std::iota(host.begin(), host.end(), 0.5f);
  auto buffer = device.Allocate(host.size() * sizeof(float));
  ASSERT_TRUE(buffer.ok());
  ASSERT_TRUE(
      device.CopyToDevice(host.data(), host.size() * sizeof(float), **buffer)
          .ok());
  std::vector<float> back(host.size());
  ASSERT_TRUE(
      device.CopyFromDevice(**buffer, back.data(), back.size() * sizeof(float))
          .ok());
  EXPECT_EQ(host, back);
}

TEST(CpuDevice, CopyBoundsAreChecked) {
  Device &device = GetCpuDevice();
  auto buffer = device.Allocate(8);
  ASSERT_TRUE(buffer.ok());
  char host[16] = {};
  EXPECT_EQ(device.CopyToDevice(host, 16, **buffer).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(device.CopyFromDevice(**buffer, host, 16).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(device.CopyToDevice(nullptr, 4, **buffer).ok());
}

TEST(CpuDevice, BuffersOutliveTheirDevice) {
  std::shared_ptr<DeviceBuffer> buffer;
  {
    std::unique_ptr<Device> device = CreateCpuDevice();
    buffer = *device->Allocate(64);
  }
  static_cast<char *>(buffer->data())[63] = 1;
  buffer.reset();
}

TEST(CpuDevice, ConcurrentAllocationAccounting) {
  std::unique_ptr<Device> device = CreateCpuDevice();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        auto buffer = device->Allocate(64 + i);
        ASSERT_TRUE(buffer.ok());
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(device->MemoryInUse(), 0u);
  EXPECT_GE(device->PeakMemoryInUse(), 64u);
}

TEST(CpuDevice, LoadRejectsCorruptObjects) {
  ObjectCode garbage;
  garbage.bytes = "this is not an ELF object";
  garbage.entry_symbol = "entry";
  auto loaded = GetCpuDevice().Load(garbage);
  ASSERT_FALSE(loaded.ok());
  EXPECT_FALSE(loaded.status().message().empty());

  // A truncated ELF header.
  ObjectCode truncated;
  truncated.bytes = std::string("\x7f"
                                "ELF\x02\x01\x01",
                                7);
  truncated.entry_symbol = "entry";
  EXPECT_FALSE(GetCpuDevice().Load(truncated).ok());

  ObjectCode empty;
  EXPECT_FALSE(GetCpuDevice().Load(empty).ok());
}

} // namespace
} // namespace runtime
} // namespace ltc_mlir
