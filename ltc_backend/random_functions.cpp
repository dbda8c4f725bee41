// Lazy kernels of the random ops (see "Random number generation" in ops.yaml
// and docs/RANDOM.md).
//
// Every random tensor is one `torch.ltc.random` op keyed by a [2] int64
// tensor (seed, offset) that is device data, not a constant: the graph is
// the same every step and only the key's value changes. The key is drawn
// from the CPU default generator (or the one passed in), so
// torch.manual_seed(s) replays the same lazy values. The numbers differ from
// CPU's stream: the element values come from our own counter-based hash.
#include "ltc_backend/generated/LazyNativeFunctions.h"
#include "ltc_backend/lazy_tensor.h"
#include "ltc_backend/mlir_lowering_context.h"
#include "ltc_backend/mlir_node.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Functions.h>
#include <ATen/core/Generator.h>
#include <torch/csrc/lazy/backend/backend_interface.h>
#include <torch/csrc/lazy/core/ir_builder.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/csrc/lazy/core/tensor_impl.h>

#include <mutex>
#include <sstream>

namespace ltc_mlir {

namespace {

// Random numbers of one distribution, shaped and typed like `shape`. Only the
// key is an operand; the distribution, its parameters and the result's shape
// and dtype are part of the node (and graph) hash, as other scalars are (the
// key's shape is the same for every random op, so the operand hash alone
// would let rand(64) and rand(100) share a compiled graph).
class RandomNode : public MlirNode {
public:
  RandomNode(const torch::lazy::Value &key, const torch::lazy::Shape &shape,
             std::string distribution, double a, double b)
      : MlirNode(OpKind(c10::Symbol::fromQualString("ltc_mlir::random")), {key},
                 std::vector<torch::lazy::Shape>{shape},
                 /*num_outputs=*/1,
                 torch::lazy::MHash(distribution, a, b,
                                    shape.hash(/*bakeInSizes=*/true))),
        distribution_(std::move(distribution)), a_(a), b_(b) {}

  std::string ToString() const override {
    std::stringstream ss;
    ss << MlirNode::ToString() << ", distribution=" << distribution_
       << ", a=" << a_ << ", b=" << b_;
    return ss.str();
  }

  MlirValueList Lower(MlirLoweringContext *loctx) const override {
    return loctx->EmitOp("torch.ltc.random",
                         {loctx->GetOutputOp(operand(0)),
                          loctx->StringConstant(distribution_),
                          loctx->FloatConstant(a_), loctx->FloatConstant(b_)},
                         *this);
  }

private:
  std::string distribution_;
  double a_;
  double b_;
};

// A fresh (seed, offset) key as device data. The offset is the generator's
// next 64-bit draw: each random op starts its counter at an unrelated point
// of the 2^64 stream, and reseeding replays the same offsets.
torch::lazy::Value NextKey(const c10::optional<at::Generator> &generator,
                           const torch::lazy::BackendDevice &device) {
  auto *gen = at::get_generator_or_default<at::CPUGeneratorImpl>(
      generator, at::detail::getDefaultCPUGenerator());
  int64_t seed = 0;
  int64_t offset = 0;
  {
    std::lock_guard<std::mutex> lock(gen->mutex_);
    seed = static_cast<int64_t>(gen->current_seed());
    offset = static_cast<int64_t>(gen->random64());
  }
  at::Tensor key =
      at::tensor({seed, offset}, at::TensorOptions().dtype(at::kLong));
  torch::lazy::BackendDataPtr data =
      torch::lazy::getBackend()->MakeComputationDataFromTensor(
          key, torch::lazy::Shape(at::kLong, {2}), device);
  return torch::lazy::Value(torch::lazy::MakeDeviceData(data), 0);
}

torch::lazy::Value MakeRandom(const torch::lazy::Value &key,
                              at::ScalarType dtype, at::IntArrayRef sizes,
                              const char *distribution, double a, double b) {
  return torch::lazy::Value(
      torch::lazy::MakeNode<RandomNode>(
          key, torch::lazy::Shape(dtype, sizes.vec()), distribution, a, b),
      0);
}

torch::lazy::LazyTensorPtr LazyOrThrow(const at::Tensor &t, const char *op) {
  torch::lazy::LazyTensorPtr lazy = torch::lazy::TryGetLtcTensor(t);
  TORCH_CHECK(lazy, "ltc-mlir: ", op, " of a tensor that is not lazy");
  return lazy;
}

at::Tensor &FillRandom(at::Tensor &self, const char *op,
                       const char *distribution, double a, double b,
                       const c10::optional<at::Generator> &generator) {
  torch::lazy::LazyTensorPtr lazy_self = LazyOrThrow(self, op);
  torch::lazy::Value key = NextKey(generator, lazy_self->GetDevice());
  lazy_self->SetInPlaceIrValue(
      MakeRandom(key, self.scalar_type(), self.sizes(), distribution, a, b));
  return self;
}

} // namespace

at::Tensor &
LazyNativeFunctions::uniform_(at::Tensor &self, double from, double to,
                              c10::optional<at::Generator> generator) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(from <= to,
              "uniform_ expects to return a [from, to) range, but found from=",
              from, " > to=", to);
  TORCH_CHECK(at::isFloatingType(self.scalar_type()),
              "ltc-mlir: uniform_ supports floating-point tensors, got ",
              self.scalar_type());
  return FillRandom(self, "uniform_", "uniform", from, to, generator);
}

at::Tensor &
LazyNativeFunctions::normal_(at::Tensor &self, double mean, double std,
                             c10::optional<at::Generator> generator) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  TORCH_CHECK(at::isFloatingType(self.scalar_type()),
              "ltc-mlir: normal_ supports floating-point tensors, got ",
              self.scalar_type());
  return FillRandom(self, "normal_", "normal", mean, std, generator);
}

at::Tensor &
LazyNativeFunctions::bernoulli_(at::Tensor &self, double p,
                                c10::optional<at::Generator> generator) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(0 <= p && p <= 1,
              "bernoulli_ expects p to be in [0, 1], but got p=", p);
  return FillRandom(self, "bernoulli_", "bernoulli", p, 1.0, generator);
}

at::Tensor
LazyNativeFunctions::bernoulli(const at::Tensor &self, double p,
                               c10::optional<at::Generator> generator) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(0 <= p && p <= 1,
              "bernoulli expects p to be in [0, 1], but got p=", p);
  torch::lazy::LazyTensorPtr lazy_self = LazyOrThrow(self, "bernoulli");
  torch::lazy::BackendDevice device = lazy_self->GetDevice();
  torch::lazy::Value key = NextKey(generator, device);
  return torch::lazy::CreateAtenFromLtcTensor(LazyTensor::Create(
      MakeRandom(key, self.scalar_type(), self.sizes(), "bernoulli", p, 1.0),
      device));
}

// As ATen's CPU kernel: keep each element with probability 1 - p and scale
// the kept ones by 1 / (1 - p). The mask and the scaled mask are two random
// ops with the same key, so they agree element for element.
::std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::native_dropout(const at::Tensor &input, double p,
                                    c10::optional<bool> train) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(0 <= p && p <= 1,
              "dropout probability has to be between 0 and 1, but got ", p);
  torch::lazy::LazyTensorPtr lazy_input = LazyOrThrow(input, "native_dropout");
  torch::lazy::BackendDevice device = lazy_input->GetDevice();
  if (train.has_value() && !*train) {
    at::Tensor mask = at::ones_like(input, input.options().dtype(at::kBool));
    return std::make_tuple(input.clone(), mask);
  }
  double keep = 1.0 - p;
  double scale = keep == 0.0 ? 0.0 : 1.0 / keep;
  torch::lazy::Value key = NextKey(c10::nullopt, device);
  at::Tensor mask = torch::lazy::CreateAtenFromLtcTensor(LazyTensor::Create(
      MakeRandom(key, at::kBool, input.sizes(), "bernoulli", keep, 1.0),
      device));
  at::Tensor scaled_mask = torch::lazy::CreateAtenFromLtcTensor(
      LazyTensor::Create(MakeRandom(key, input.scalar_type(), input.sizes(),
                                    "bernoulli", keep, scale),
                         device));
  return std::make_tuple(at::mul(input, scaled_mask), mask);
}

at::Tensor LazyNativeFunctions::native_dropout_backward(
    const at::Tensor &grad_output, const at::Tensor &mask, double scale) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  // mask is bool: the product promotes to grad_output's dtype.
  return at::mul(at::mul(grad_output, mask), scale);
}

} // namespace ltc_mlir
