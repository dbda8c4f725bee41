// Shape functions LTC core lacks (declared in shape_inference.h).
#include "ltc_backend/shape_inference.h"

#include <ATen/ExpandUtils.h>
#include <ATen/ScalarOps.h>

namespace torch {
namespace lazy {

std::vector<Shape> compute_shape_fill(const at::Tensor& self, const at::Scalar& /*value*/) {
  return {Shape(self.scalar_type(), self.sizes().vec())};
}

std::vector<Shape> compute_shape_where(
    const at::Tensor& condition, const at::Tensor& self, const at::Tensor& other) {
  // Broadcast of all three; dtype promotes self and other like ATen does.
  std::vector<int64_t> sizes = at::infer_size(
      at::infer_size(condition.sizes(), self.sizes()), other.sizes());
  return {Shape(at::result_type(self, other), sizes)};
}

} // namespace lazy
} // namespace torch
