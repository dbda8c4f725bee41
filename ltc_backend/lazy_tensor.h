// The tensor class torchgen's kernels use: LTC core's LazyTensor, named in
// our backend namespace (torchgen qualifies its helpers with it).
//
// The generated kernels fetch their tensor operands through the three
// *LazyOperand* helpers below (tools/gen_lazy_backend.py names them), and
// hand-written kernels should too. LTC core's
// GetLtcTensorOrCreateForWrappedNumber, TryGetLtcTensor and GetTensorList
// CHECK-fail, aborting the process, when a CPU tensor is mixed into a lazy op
// (and TryGetLtcTensor silently treats it as absent); ours raise the error
// eager raises for mixed devices, which Python sees as a RuntimeError.
#pragma once

#include <c10/util/Exception.h>
#include <torch/csrc/lazy/core/ir.h>
#include <torch/csrc/lazy/core/tensor.h>

namespace ltc_mlir {
using torch::lazy::GetLtcTensorOrCreateForWrappedNumber;
using torch::lazy::LazyTensor;
using torch::lazy::LazyTensorPtr;

namespace detail {
// CPU scalars (Python numbers ATen wrapped, or one-element 0-d tensors) may
// join a lazy op: LTC uploads them. Any other non-lazy tensor is an error.
inline void CheckLazyOperand(const at::Tensor &tensor, bool allow_cpu_scalar) {
  if (!tensor.defined() || tensor.device().type() == c10::kLazy)
    return;
  bool cpu_scalar = tensor.unsafeGetTensorImpl()->is_wrapped_number() ||
                    (tensor.dim() == 0 && tensor.numel() == 1);
  TORCH_CHECK(allow_cpu_scalar && cpu_scalar,
              "Expected all tensors to be on the same device, but found at "
              "least two devices, lazy and ",
              tensor.device(), " (a ", tensor.scalar_type(),
              " tensor of shape ", tensor.sizes(),
              "); move it with .to(\"lazy\")");
}
} // namespace detail

// A lazy tensor, or a CPU scalar as a lazy tensor holding ScalarOperand.
LazyTensorPtr GetLazyOperand(const at::Tensor &tensor,
                             const torch::lazy::BackendDevice &device);

// An operand of a generated Lazy kernel, which only reads its IR value
// (`lazy_x->GetIrValue()`): a CPU scalar (the Python number of x * 0.9) then
// needs no LazyTensor, whose making registers it with LTC's graph executor
// and whose end unregisters it, each under a lock.
class LazyOperand {
public:
  explicit LazyOperand(torch::lazy::Value value) : value_(std::move(value)) {}
  const LazyOperand *operator->() const { return this; }
  const torch::lazy::Value &GetIrValue() const { return value_; }

private:
  torch::lazy::Value value_;
};
// GetLazyOperand's IR value (tools/gen_lazy_backend.py has the generated
// kernels call this instead). Raises for an undefined tensor.
LazyOperand GetLazyOperandValue(const at::Tensor &tensor,
                                const torch::lazy::BackendDevice &device);

// The IR value of a scalar known while tracing (an op's alpha, a Python
// number): 0 and 1 are graph constants (LTC's special scalars); any other
// value is a graph input, shared by its uses in the graph being traced
// (lazy_tensor.cpp). The generated kernels call this instead of LTC core's
// GetIrValueForScalarFromCodegen, which makes a node and hashes a fresh
// host copy of the value on every use.
torch::lazy::Value ScalarOperand(const at::Scalar &value,
                                 const torch::lazy::BackendDevice &device);
torch::lazy::Value ScalarOperand(const at::Scalar &value, at::ScalarType type,
                                 const torch::lazy::BackendDevice &device);
// The device data of a real (not complex) `type` scalar: uploaded once per
// value and shared, as device data is never written once made.
torch::lazy::BackendDataPtr
ScalarData(const at::Scalar &value, at::ScalarType type,
           const torch::lazy::BackendDevice &device);
// ScalarOperand broadcast to `shape` (a fill).
torch::lazy::Value
ExpandedScalarOperand(const at::Scalar &value, const torch::lazy::Shape &shape,
                      const torch::lazy::BackendDevice &device);

inline LazyTensorPtr TryGetLazyOperand(const at::Tensor &tensor) {
  detail::CheckLazyOperand(tensor, /*allow_cpu_scalar=*/false);
  return torch::lazy::TryGetLtcTensor(tensor);
}

inline torch::lazy::Value GetLazyOperandList(at::ITensorListRef tensors) {
  for (const at::Tensor &tensor : tensors)
    detail::CheckLazyOperand(tensor, /*allow_cpu_scalar=*/false);
  return torch::lazy::GetTensorList(tensors);
}
} // namespace ltc_mlir
