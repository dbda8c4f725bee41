// Out-of-line parts of the device interface: destructors and contents ids.
#include "runtime/device.h"

#include <atomic>
#include <mutex>

namespace ltc_mlir {
namespace runtime {
namespace {

std::atomic<uint64_t> next_contents_id{1};

// Listeners are only ever added, and few: a fixed array read without a lock
// once its count is published.
constexpr int kMaxListeners = 8;
void (*listeners[kMaxListeners])(uint64_t);
std::atomic<int> listener_count{0};
std::mutex listeners_mutex;

void Release(uint64_t id) {
  const int count = listener_count.load(std::memory_order_acquire);
  for (int i = 0; i < count; ++i)
    listeners[i](id);
}

} // namespace

DeviceBuffer::DeviceBuffer()
    : contents_id_(next_contents_id.fetch_add(1, std::memory_order_relaxed)) {}

DeviceBuffer::~DeviceBuffer() { Release(contents_id_); }

void DeviceBuffer::RenewContentsId() {
  Release(contents_id_);
  contents_id_ = next_contents_id.fetch_add(1, std::memory_order_relaxed);
}

bool AddContentsIdReleaseListener(void (*listener)(uint64_t contents_id)) {
  std::lock_guard<std::mutex> lock(listeners_mutex);
  const int count = listener_count.load(std::memory_order_relaxed);
  if (count == kMaxListeners)
    return false;
  listeners[count] = listener;
  listener_count.store(count + 1, std::memory_order_release);
  return true;
}

Executable::~Executable() = default;
Device::~Device() = default;

} // namespace runtime
} // namespace ltc_mlir
