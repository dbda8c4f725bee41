// Shape functions LTC core lacks (declared in shape_inference.h).
#include "ltc_backend/shape_inference.h"

#include <ATen/ExpandUtils.h>
#include <ATen/ScalarOps.h>

namespace torch {
namespace lazy {

std::vector<Shape> compute_shape_fill(const at::Tensor& self, const at::Scalar& /*value*/) {
  return {Shape(self.scalar_type(), self.sizes().vec())};
}

// The gradient of a select/slice has the shape of the tensor it was taken
// from: zeros with grad_output placed at the selected index or slice.
std::vector<Shape> compute_shape_select_backward(
    const at::Tensor& grad_output, at::IntArrayRef input_sizes, int64_t /*dim*/,
    int64_t /*index*/) {
  return {Shape(grad_output.scalar_type(), input_sizes.vec())};
}

std::vector<Shape> compute_shape_slice_backward(
    const at::Tensor& grad_output, at::IntArrayRef input_sizes, int64_t /*dim*/,
    int64_t /*start*/, int64_t /*end*/, int64_t /*step*/) {
  return {Shape(grad_output.scalar_type(), input_sizes.vec())};
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
