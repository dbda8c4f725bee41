// A size-keyed free list in front of a Device's allocator. See buffer_pool.h.
#include "runtime/buffer_pool.h"

#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ltc_mlir {
namespace runtime {

struct BufferPool::State {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<std::shared_ptr<DeviceBuffer>>> free;
  size_t max_cached_bytes = 0;
  BufferPoolStats stats;

  // Takes `buffer` back unless that would exceed the cap.
  void Release(std::shared_ptr<DeviceBuffer> buffer) {
    std::lock_guard<std::mutex> lock(mutex);
    size_t bytes = buffer->size_bytes();
    if (stats.cached_bytes + bytes > max_cached_bytes)
      return; // `buffer` goes back to the device here
    stats.cached_bytes += bytes;
    free[bytes].push_back(std::move(buffer));
  }
};

namespace {

// What the pool hands out: forwards to a device buffer and gives it back to
// the pool (if the pool still exists) when dropped.
class PooledBuffer : public DeviceBuffer {
public:
  PooledBuffer(std::shared_ptr<DeviceBuffer> buffer,
               std::weak_ptr<BufferPool::State> pool)
      : buffer_(std::move(buffer)), pool_(std::move(pool)) {}
  ~PooledBuffer() override {
    if (std::shared_ptr<BufferPool::State> pool = pool_.lock())
      pool->Release(std::move(buffer_));
  }
  void *data() override { return buffer_->data(); }
  const void *data() const override { return buffer_->data(); }
  size_t size_bytes() const override { return buffer_->size_bytes(); }

private:
  std::shared_ptr<DeviceBuffer> buffer_;
  std::weak_ptr<BufferPool::State> pool_;
};

} // namespace

BufferPool::BufferPool(Device &device, size_t max_cached_bytes)
    : state_(std::make_shared<State>()), device_(device) {
  state_->max_cached_bytes = max_cached_bytes;
}

BufferPool::~BufferPool() = default;

absl::StatusOr<std::shared_ptr<DeviceBuffer>>
BufferPool::Allocate(size_t bytes) {
  std::shared_ptr<DeviceBuffer> buffer;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto it = state_->free.find(bytes);
    if (it != state_->free.end() && !it->second.empty()) {
      buffer = std::move(it->second.back());
      it->second.pop_back();
      state_->stats.cached_bytes -= bytes;
      ++state_->stats.hits;
    } else {
      ++state_->stats.misses;
    }
  }
  if (!buffer) {
    absl::StatusOr<std::shared_ptr<DeviceBuffer>> fresh =
        device_.Allocate(bytes);
    if (!fresh.ok()) {
      // Out of memory with buffers parked here: free them and retry once.
      Trim();
      fresh = device_.Allocate(bytes);
      if (!fresh.ok())
        return fresh.status();
    }
    buffer = std::move(*fresh);
  }
  return std::shared_ptr<DeviceBuffer>(
      std::make_shared<PooledBuffer>(std::move(buffer), state_));
}

void BufferPool::Trim() {
  std::unordered_map<size_t, std::vector<std::shared_ptr<DeviceBuffer>>> free;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    free.swap(state_->free);
    state_->stats.cached_bytes = 0;
  }
  // `free` and its buffers are released here, outside the lock.
}

BufferPoolStats BufferPool::stats() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->stats;
}

} // namespace runtime
} // namespace ltc_mlir
