// The device interface: the seam where a vendor replaces ltc-mlir's CPU
// runtime with its own. Everything above it (the LTC backend, the cache)
// talks to a Device only through these classes.
//
// A Device allocates buffers, copies host data in and out of them, loads
// compiled code into an Executable, and runs it on buffers. It knows nothing
// of MLIR: it receives object code (or, for another device, whatever
// ObjectCode::bytes means to it).
#ifndef LTC_MLIR_RUNTIME_DEVICE_H_
#define LTC_MLIR_RUNTIME_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace ltc_mlir {
namespace runtime {

// A device allocation. On the CPU: 64-byte aligned host memory. A buffer is
// freed when its last owner drops it; its bytes count towards the owning
// device's MemoryInUse() until then.
//
// Every buffer carries a contents id: a number unique in the process that
// names what the buffer holds now. A Device renews it whenever it writes
// the buffer (CopyToDevice, and Execute for its outputs), so data derived
// from a buffer's bytes (a kernel's re-laid-out copy of a filter) may be
// cached under the id and reused while the id lives.
class DeviceBuffer {
public:
  DeviceBuffer();
  virtual ~DeviceBuffer();
  // Never null, also for a zero-byte buffer.
  virtual void *data() = 0;
  virtual const void *data() const = 0;
  virtual size_t size_bytes() const = 0;

  uint64_t contents_id() const { return contents_id_; }
  // Gives the buffer a new contents id, releasing the old one. Called by a
  // Device after (or before) it writes the buffer.
  void RenewContentsId();

private:
  uint64_t contents_id_;
};

// Has `listener` called, on whatever thread drops or rewrites a buffer, with
// each contents id that no buffer holds any more, so that caches keyed by
// ids free their entries. Listeners are never removed; false (and nothing
// registered) past the few there is room for: that cache must not cache.
bool AddContentsIdReleaseListener(void (*listener)(uint64_t contents_id));

// Compiled code for a device.
struct ObjectCode {
  // CPU: a relocatable ELF object for the host.
  std::string bytes;
  // The function to run; for the CPU `extern "C" void entry(void** buffers)`
  // with buffers = [input 0, ..., input N-1, output 0, ..., output M-1].
  std::string entry_symbol;
  // Expected byte size of each input and output buffer. When not empty,
  // Execute checks the buffers it is given against them.
  std::vector<uint64_t> input_bytes;
  std::vector<uint64_t> output_bytes;
};

// Loaded code, ready to run. Thread-safe: several threads may Execute the
// same or different executables at once (on different output buffers).
class Executable {
public:
  virtual ~Executable();
  // Runs the code on `inputs`, writing results into the preallocated
  // `outputs`. Buffers are bound as raw pointers, without copies. Outputs
  // must be distinct from each other and from every input; inputs are only
  // read and may repeat.
  virtual absl::Status Execute(absl::Span<DeviceBuffer *const> inputs,
                               absl::Span<DeviceBuffer *const> outputs) = 0;
};

class Device {
public:
  virtual ~Device();
  // "cpu" for the CPU device.
  virtual std::string name() const = 0;
  virtual absl::StatusOr<std::shared_ptr<DeviceBuffer>>
  Allocate(size_t bytes) = 0;
  virtual absl::Status CopyToDevice(const void *host, size_t bytes,
                                    DeviceBuffer &dst) = 0;
  virtual absl::Status CopyFromDevice(const DeviceBuffer &src, void *host,
                                      size_t bytes) = 0;
  // Loads compiled code. Errors (a corrupt object, an undefined symbol)
  // come back as a Status.
  virtual absl::StatusOr<std::shared_ptr<Executable>>
  Load(const ObjectCode &object) = 0;
  // Waits for all work issued so far. The CPU device runs synchronously.
  virtual absl::Status Synchronize() = 0;
  // Bytes held by live buffers of this device, now and at most so far.
  virtual size_t MemoryInUse() const = 0;
  virtual size_t PeakMemoryInUse() const = 0;
};

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_DEVICE_H_
