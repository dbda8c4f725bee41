// The CPU device: buffers are 64-byte aligned host memory; executables are
// relocatable objects linked into this process by one long-lived ORC LLJIT,
// each in its own JITDylib, which is removed (freeing the code) when the
// last owner of the executable drops it.
#ifndef LTC_MLIR_RUNTIME_CPU_DEVICE_H_
#define LTC_MLIR_RUNTIME_CPU_DEVICE_H_

#include <memory>

#include "runtime/device.h"

namespace ltc_mlir {
namespace runtime {

// Alignment of every CPU buffer, which compiled code relies on.
constexpr size_t kCpuBufferAlignment = 64;

// The process-wide CPU device. Never destroyed.
Device &GetCpuDevice();

// A separate CPU device with its own memory accounting (for tests and tools).
// It shares the process-wide JIT. Buffers and executables may outlive it.
std::unique_ptr<Device> CreateCpuDevice();

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_CPU_DEVICE_H_
