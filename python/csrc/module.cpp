// The ltc_mlir._C extension module: the Python face of the backend.
#include <pybind11/pybind11.h>

namespace py = pybind11;

PYBIND11_MODULE(_C, m) {
  m.doc() = "ltc-mlir: a PyTorch Lazy Tensor backend compiled through MLIR";
  m.def("llvm_version", [] { return std::string(LTC_MLIR_LLVM_VERSION); });
}
