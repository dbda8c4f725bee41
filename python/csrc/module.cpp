// The ltc_mlir._C extension module: the Python face of the backend.
#include "ltc_backend/backend_impl.h"
#include "ltc_backend/compile_diagnostics.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <torch/csrc/lazy/core/config.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/csrc/utils/pybind.h>

namespace py = pybind11;

namespace {

std::string Utf8Item(PyObject* tuple, Py_ssize_t index) {
  PyObject* item = PyTuple_GetItem(tuple, index);
  const char* text = item && PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : nullptr;
  return text ? std::string(text) : std::string();
}

// Calls ltc_mlir._provenance.sync_provenance() from whatever thread is
// compiling (the syncing one, which may have released the GIL). It returns
// (kind, file, line, function, code); anything else, or an error, means
// "unknown". Never throws and leaves Python's error state as it was.
ltc_mlir::SyncProvenance CallProvenance(PyObject* function) {
  ltc_mlir::SyncProvenance where;
  if (!Py_IsInitialized() || _Py_IsFinalizing())
    return where;
  PyGILState_STATE gil = PyGILState_Ensure();
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  PyObject* result = PyObject_CallNoArgs(function);
  if (result && PyTuple_Check(result) && PyTuple_Size(result) == 5) {
    where.kind = Utf8Item(result, 0);
    where.file = Utf8Item(result, 1);
    PyObject* line = PyTuple_GetItem(result, 2);
    where.line = line && PyLong_Check(line) ? static_cast<int>(PyLong_AsLong(line)) : 0;
    where.function = Utf8Item(result, 3);
    where.code = Utf8Item(result, 4);
  }
  Py_XDECREF(result);
  PyErr_Clear();
  PyErr_Restore(type, value, traceback);
  PyGILState_Release(gil);
  return where;
}

} // namespace

PYBIND11_MODULE(_C, m) {
  m.doc() = "ltc-mlir: a PyTorch Lazy Tensor backend compiled through MLIR";
  m.def("async_execution", [] { return FLAGS_torch_lazy_use_thread_pool; });
  m.def("llvm_version", [] { return std::string(LTC_MLIR_LLVM_VERSION); });
  m.def("init", &ltc_mlir::InitBackend,
        "Registers the ltc-mlir backend for the lazy device (idempotent).");
  m.def("get_mlir", &ltc_mlir::GetTorchMlir, py::arg("tensors"),
        "Torch-dialect MLIR of the pending graph that computes `tensors`.");
  m.def(
      "_set_provenance_hook",
      [](py::object function) {
        // Kept alive for the life of the process, like the hook itself.
        PyObject* callable = function.release().ptr();
        ltc_mlir::SetProvenanceHook([callable] { return CallProvenance(callable); });
      },
      "Installs the function that names the user frame of a sync (internal).");
  m.def("memory_stats", [] {
    py::dict stats;
    ltc_mlir::DeviceMemoryStats memory = ltc_mlir::GetDeviceMemoryStats();
    stats["in_use_bytes"] = memory.in_use_bytes;
    stats["peak_bytes"] = memory.peak_bytes;
    stats["pool_cached_bytes"] = memory.pool_cached_bytes;
    stats["pool_hits"] = memory.pool_hits;
    stats["pool_misses"] = memory.pool_misses;
    stats["graph_cached_bytes"] = memory.graph_cached_bytes;
    stats["graph_in_use_bytes"] = memory.graph_in_use_bytes;
    stats["graph_hits"] = memory.graph_hits;
    stats["graph_misses"] = memory.graph_misses;
    return stats;
  });
  m.def("metrics_report", [] {
    return torch::lazy::CreateMetricReport() +
        ltc_mlir::GetBackendImpl()->CreateMetricReport();
  });
}
