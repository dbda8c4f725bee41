// The ltc_mlir._C extension module: the Python face of the backend.
#include "ltc_backend/backend_impl.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/csrc/utils/pybind.h>

namespace py = pybind11;

PYBIND11_MODULE(_C, m) {
  m.doc() = "ltc-mlir: a PyTorch Lazy Tensor backend compiled through MLIR";
  m.def("llvm_version", [] { return std::string(LTC_MLIR_LLVM_VERSION); });
  m.def("init", &ltc_mlir::InitBackend,
        "Registers the ltc-mlir backend for the lazy device (idempotent).");
  m.def("get_mlir", &ltc_mlir::GetTorchMlir, py::arg("tensors"),
        "Torch-dialect MLIR of the pending graph that computes `tensors`.");
  m.def("memory_stats", [] {
    py::dict stats;
    ltc_mlir::DeviceMemoryStats memory = ltc_mlir::GetDeviceMemoryStats();
    stats["in_use_bytes"] = memory.in_use_bytes;
    stats["peak_bytes"] = memory.peak_bytes;
    stats["pool_cached_bytes"] = memory.pool_cached_bytes;
    stats["pool_hits"] = memory.pool_hits;
    stats["pool_misses"] = memory.pool_misses;
    return stats;
  });
  m.def("metrics_report", [] {
    return torch::lazy::CreateMetricReport() +
        ltc_mlir::GetBackendImpl()->CreateMetricReport();
  });
}
