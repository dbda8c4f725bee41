// A size-keyed free list in front of a Device's allocator.
//
// A training step allocates the same set of buffer sizes every step, and the
// previous step's results (old parameters, gradients, optimizer state) die
// as this step's results are bound. Handing the dead buffers to the next
// allocation of the same size avoids the allocator and, for large buffers,
// fresh zero-filled pages (page faults) on every step.
#ifndef LTC_MLIR_RUNTIME_BUFFER_POOL_H_
#define LTC_MLIR_RUNTIME_BUFFER_POOL_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "runtime/device.h"

namespace ltc_mlir {
namespace runtime {

struct BufferPoolStats {
  size_t hits = 0;         // allocations served from the free list
  size_t misses = 0;       // allocations passed to the device
  size_t cached_bytes = 0; // bytes held by free buffers now
};

class BufferPool {
public:
  // Keeps at most `max_cached_bytes` of free buffers; a buffer released
  // beyond that goes back to the device. `device` must outlive the pool and
  // every buffer it handed out.
  BufferPool(Device &device, size_t max_cached_bytes);
  ~BufferPool();

  // A buffer of exactly `bytes` bytes, uninitialized; returned to the pool
  // when its last owner drops it.
  absl::StatusOr<std::shared_ptr<DeviceBuffer>> Allocate(size_t bytes);

  // Gives every free buffer back to the device.
  void Trim();

  BufferPoolStats stats() const;

  struct State;

private:
  std::shared_ptr<State> state_;
  Device &device_;
};

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_BUFFER_POOL_H_
