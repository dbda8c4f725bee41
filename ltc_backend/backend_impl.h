// ltc-mlir's torch::lazy::BackendImplInterface: transfers between eager CPU
// and the runtime's device, lowering, compilation through MLIR, execution.
#pragma once

#include <torch/csrc/lazy/backend/backend_interface.h>

namespace ltc_mlir {

// Registers the backend, its Lazy kernels and the eager fallback; idempotent.
void InitBackend();

const torch::lazy::BackendImplInterface* GetBackendImpl();

// The Torch-dialect MLIR of the graph that would compute `tensors` now.
std::string GetTorchMlir(const std::vector<at::Tensor>& tensors);

// Bytes held by live device buffers: now, and at most so far.
struct DeviceMemoryStats {
  size_t in_use_bytes = 0;
  size_t peak_bytes = 0;
  // Free buffers kept for reuse (counted in in_use_bytes too), and how many
  // allocations the free list served and missed.
  size_t pool_cached_bytes = 0;
  size_t pool_hits = 0;
  size_t pool_misses = 0;
  // The intermediates compiled graphs allocate for themselves: cached free
  // blocks, bytes in use now, and allocations served from / past the cache.
  size_t graph_cached_bytes = 0;
  size_t graph_in_use_bytes = 0;
  size_t graph_hits = 0;
  size_t graph_misses = 0;
};
DeviceMemoryStats GetDeviceMemoryStats();

} // namespace ltc_mlir
