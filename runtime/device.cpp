// Out-of-line destructors of the device interface.
#include "runtime/device.h"

namespace ltc_mlir {
namespace runtime {

DeviceBuffer::~DeviceBuffer() = default;
Executable::~Executable() = default;
Device::~Device() = default;

} // namespace runtime
} // namespace ltc_mlir
