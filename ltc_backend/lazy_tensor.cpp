#include "ltc_backend/lazy_tensor.h"

#include <ATen/Functions.h>
#include <torch/csrc/lazy/backend/backend_interface.h>
#include <torch/csrc/lazy/core/ir_builder.h>
#include <torch/csrc/lazy/core/lazy_graph_executor.h>
#include <torch/csrc/lazy/core/tensor_impl.h>
#include <torch/csrc/lazy/core/tensor_util.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

namespace ltc_mlir {
namespace {

// The bits that tell two scalars of one dtype apart: -0.0, 0.0 and NaNs
// stay distinct, as their uploads would be.
struct ScalarKey {
  at::ScalarType type;
  bool floating;
  uint64_t bits;
  int64_t ordinal;
  bool operator<(const ScalarKey &other) const {
    return std::tie(type, floating, bits, ordinal) <
           std::tie(other.type, other.floating, other.bits, other.ordinal);
  }
};

ScalarKey KeyOf(const at::Scalar &value, at::ScalarType type,
                const torch::lazy::BackendDevice &device) {
  ScalarKey key{type, value.isFloatingPoint(), 0, device.ordinal()};
  if (key.floating) {
    double d = value.toDouble();
    std::memcpy(&key.bits, &d, sizeof(d));
  } else {
    key.bits = static_cast<uint64_t>(value.isBoolean() ? value.toBool()
                                                       : value.toLong());
  }
  return key;
}

// One graph input per scalar value. The upload is kept (a bounded number of
// them) so a value used every step is uploaded once; the input node is held
// weakly, so every use in the graph being traced shares one node, and once
// that graph has run the next use makes a fresh node. The fresh node takes
// the smallest free input ordinal (ir_nodes.cpp), as the last one did: a new
// value every step (a learning-rate schedule) keeps the graph's hash.
class ScalarInputs {
public:
  torch::lazy::Value Get(const at::Scalar &value, at::ScalarType type,
                         const torch::lazy::BackendDevice &device) {
    std::lock_guard<std::mutex> lock(mutex_);
    Input &input = Find(value, type, device);
    torch::lazy::NodePtr node = input.node.lock();
    if (!node) {
      node = torch::lazy::MakeDeviceData(input.data);
      input.node = node;
    }
    return torch::lazy::Value(node, 0);
  }

  torch::lazy::BackendDataPtr Data(const at::Scalar &value, at::ScalarType type,
                                   const torch::lazy::BackendDevice &device) {
    std::lock_guard<std::mutex> lock(mutex_);
    return Find(value, type, device).data;
  }

private:
  static constexpr size_t kMaxValues = 4096;
  struct Input {
    torch::lazy::BackendDataPtr data;
    std::weak_ptr<torch::lazy::Node> node;
  };

  // The entry of `value` as a `type` scalar, uploaded on first use.
  Input &Find(const at::Scalar &value, at::ScalarType type,
              const torch::lazy::BackendDevice &device) {
    ScalarKey key = KeyOf(value, type, device);
    auto it = inputs_.find(key);
    if (it != inputs_.end())
      return it->second;
    // Learning-rate schedules make new values every step: stay bounded.
    if (inputs_.size() >= kMaxValues)
      inputs_.clear();
    at::Tensor host = at::empty({}, at::TensorOptions().dtype(type));
    host.fill_(value);
    Input input;
    input.data = torch::lazy::getBackend()->MakeComputationDataFromTensor(
        host, torch::lazy::Shape(type, {}), device);
    return inputs_.emplace(key, std::move(input)).first->second;
  }
  std::mutex mutex_;
  std::map<ScalarKey, Input> inputs_;
};

ScalarInputs &Inputs() {
  static auto *inputs =
      new ScalarInputs(); // nodes may outlive static destruction
  return *inputs;
}

// The value of a one-element CPU tensor, read without a dispatch for the
// dtypes Python numbers wrap to.
at::Scalar HostValue(const at::Tensor &tensor) {
  switch (tensor.scalar_type()) {
  case at::kDouble:
    return *static_cast<const double *>(tensor.data_ptr());
  case at::kLong:
    return *static_cast<const int64_t *>(tensor.data_ptr());
  case at::kBool:
    return *static_cast<const bool *>(tensor.data_ptr());
  default:
    return tensor.item();
  }
}

// The constant node of a special scalar (0, 1 or -1, which LTC bakes into
// graphs): alpha and beta are 1 in most adds and products, and a node per op
// cost an allocation and a hash each time. Constant nodes are immutable, so
// graphs may share them; a few per thread are kept (with the debug metadata
// of their first use).
torch::lazy::NodePtr
SpecialScalarNode(const at::Scalar &value, at::ScalarType type,
                  const torch::lazy::BackendDevice &device) {
  struct Entry {
    ScalarKey key;
    torch::lazy::NodePtr node;
  };
  constexpr size_t kMaxEntries = 16;
  thread_local std::vector<Entry> entries;
  ScalarKey key = KeyOf(value, type, device);
  for (const Entry &entry : entries)
    if (!(entry.key < key) && !(key < entry.key))
      return entry.node;
  torch::lazy::NodePtr node = torch::lazy::MakeScalar(value, type);
  if (entries.size() < kMaxEntries)
    entries.push_back({key, node});
  return node;
}

} // namespace

torch::lazy::Value ScalarOperand(const at::Scalar &value, at::ScalarType type,
                                 const torch::lazy::BackendDevice &device) {
  if (torch::lazy::IsSpecialScalar(value))
    return torch::lazy::Value(SpecialScalarNode(value, type, device), 0);
  // Complex values (rare) keep LTC core's path; the key above is real.
  if (value.isComplex() || at::isComplexType(type))
    return torch::lazy::LazyGraphExecutor::Get()->GetIrValueForScalar(
        value, type, device);
  return Inputs().Get(value, type, device);
}

torch::lazy::BackendDataPtr
ScalarData(const at::Scalar &value, at::ScalarType type,
           const torch::lazy::BackendDevice &device) {
  return Inputs().Data(value, type, device);
}

torch::lazy::Value ScalarOperand(const at::Scalar &value,
                                 const torch::lazy::BackendDevice &device) {
  return ScalarOperand(value, value.type(), device);
}

torch::lazy::Value
ExpandedScalarOperand(const at::Scalar &value, const torch::lazy::Shape &shape,
                      const torch::lazy::BackendDevice &device) {
  torch::lazy::Value scalar = ScalarOperand(value, shape.scalar_type(), device);
  if (shape.sizes().empty())
    return scalar;
  return torch::lazy::MakeExpand(scalar, shape.sizes().vec(),
                                 /*is_scalar_expand=*/true);
}

namespace {
// A CPU scalar in a lazy op (a Python number ATen wrapped, as in
// buf.mul_(0.9)): LTC core would hash a copy of it on every use to find its
// upload, so it becomes a ScalarOperand instead.
bool IsHostScalar(const at::Tensor &tensor) {
  return tensor.defined() && tensor.device().is_cpu() && tensor.dim() == 0 &&
         !at::isComplexType(tensor.scalar_type());
}
} // namespace

LazyTensorPtr GetLazyOperand(const at::Tensor &tensor,
                             const torch::lazy::BackendDevice &device) {
  detail::CheckLazyOperand(tensor, /*allow_cpu_scalar=*/true);
  if (IsHostScalar(tensor))
    return LazyTensor::Create(
        ScalarOperand(HostValue(tensor), tensor.scalar_type(), device), device);
  return torch::lazy::GetLtcTensorOrCreateForWrappedNumber(tensor, device);
}

LazyOperand GetLazyOperandValue(const at::Tensor &tensor,
                                const torch::lazy::BackendDevice &device) {
  // The common case first: a lazy tensor, read without LTC core's check for
  // a wrapped number (which computes the tensor's size properties).
  if (tensor.defined() && tensor.device().type() == c10::kLazy) {
    if (auto *impl = dynamic_cast<torch::lazy::LTCTensorImpl *>(
            tensor.unsafeGetTensorImpl()))
      return LazyOperand(impl->tensor()->GetIrValue());
  }
  detail::CheckLazyOperand(tensor, /*allow_cpu_scalar=*/true);
  if (IsHostScalar(tensor))
    return LazyOperand(
        ScalarOperand(HostValue(tensor), tensor.scalar_type(), device));
  TORCH_CHECK(tensor.defined(), "ltc-mlir: an undefined tensor where a lazy op "
                                "needs one");
  LazyTensorPtr lazy =
      torch::lazy::GetLtcTensorOrCreateForWrappedNumber(tensor, device);
  TORCH_CHECK(lazy, "ltc-mlir: expected a lazy tensor, got one on ",
              tensor.device());
  return LazyOperand(lazy->GetIrValue());
}

} // namespace ltc_mlir
