// Shape functions for the ops in ops.yaml that have no meta kernel.
//
// torchgen reads this header as text and wants a compute_shape_<op>
// declaration for each such op. Most come from LTC core and are only
// re-declared here (same signature, same namespace); the ones core lacks are
// defined in shape_inference.cpp.
#pragma once

#include <torch/csrc/lazy/core/shape_inference.h>

namespace torch {
namespace lazy {

// --- From LTC core (torch/csrc/lazy/core/shape_inference.h) ---
TORCH_API std::vector<torch::lazy::Shape> compute_shape_convolution(const at::Tensor & input, const at::Tensor & weight, const c10::optional<at::Tensor> & bias, at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation, bool transposed, at::IntArrayRef output_padding, int64_t groups);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_convolution_backward(const at::Tensor & grad_output, const at::Tensor & input, const at::Tensor & weight, at::OptionalIntArrayRef bias_sizes, at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation, bool transposed, at::IntArrayRef output_padding, int64_t groups, ::std::array<bool,3> output_mask);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_mean(const at::Tensor & self, c10::optional<at::ScalarType> dtype);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_native_layer_norm(const at::Tensor & input, at::IntArrayRef normalized_shape, const c10::optional<at::Tensor> & weight, const c10::optional<at::Tensor> & bias, double eps);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_native_layer_norm_backward(const at::Tensor & grad_out, const at::Tensor & input, at::IntArrayRef normalized_shape, const at::Tensor & mean, const at::Tensor & rstd, const c10::optional<at::Tensor> & weight, const c10::optional<at::Tensor> & bias, ::std::array<bool,3> output_mask);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_relu(const at::Tensor & self);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_sum(const at::Tensor & self, c10::optional<at::ScalarType> dtype);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_zero(const at::Tensor & self);

TORCH_API std::vector<torch::lazy::Shape> compute_shape_abs(const at::Tensor & self);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_constant_pad_nd(const at::Tensor & self, at::IntArrayRef pad, const at::Scalar & value);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_embedding(const at::Tensor & weight, const at::Tensor & indices, int64_t padding_idx, bool scale_grad_by_freq, bool sparse);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_embedding_dense_backward(const at::Tensor & grad_output, const at::Tensor & indices, int64_t num_weights, int64_t padding_idx, bool scale_grad_by_freq);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_flip(const at::Tensor & self, at::IntArrayRef dims);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_hardswish(const at::Tensor & self);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_index_select(const at::Tensor & self, int64_t dim, const at::Tensor & index);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_isnan(const at::Tensor & self);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_logical_and(const at::Tensor & self, const at::Tensor & other);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_logical_not(const at::Tensor & self);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_logical_or(const at::Tensor & self, const at::Tensor & other);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_logical_xor(const at::Tensor & self, const at::Tensor & other);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_max(const at::Tensor & self);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_min(const at::Tensor & self);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_repeat(const at::Tensor & self, at::IntArrayRef repeats);

// --- Ours (shape_inference.cpp) ---
TORCH_API std::vector<torch::lazy::Shape> compute_shape_fill(const at::Tensor & self, const at::Scalar & value);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_select_backward(const at::Tensor & grad_output, at::IntArrayRef input_sizes, int64_t dim, int64_t index);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_slice_backward(const at::Tensor & grad_output, at::IntArrayRef input_sizes, int64_t dim, int64_t start, int64_t end, int64_t step);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_where(const at::Tensor & condition, const at::Tensor & self, const at::Tensor & other);

TORCH_API std::vector<torch::lazy::Shape> compute_shape_floor_divide(const at::Tensor & self, const at::Tensor & other);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_fmod(const at::Tensor & self, const at::Scalar & other);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_hardtanh(const at::Tensor & self, const at::Scalar & min_val, const at::Scalar & max_val);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_prod(const at::Tensor & self, c10::optional<at::ScalarType> dtype);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_remainder(const at::Tensor & self, const at::Scalar & other);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_rsub(const at::Tensor & self, const at::Scalar & other, const at::Scalar & alpha);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_rsub(const at::Tensor & self, const at::Tensor & other, const at::Scalar & alpha);

// --- Linear algebra (linalg_functions.cpp); cholesky is LTC core's ---
TORCH_API std::vector<torch::lazy::Shape> compute_shape_cholesky(const at::Tensor & self, bool upper);
TORCH_API std::vector<torch::lazy::Shape> compute_shape__cholesky_solve_helper(const at::Tensor & self, const at::Tensor & A, bool upper);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_cholesky_inverse(const at::Tensor & self, bool upper);
TORCH_API std::vector<torch::lazy::Shape> compute_shape_linalg_solve_triangular(const at::Tensor & self, const at::Tensor & B, bool upper, bool left, bool unitriangular);

} // namespace lazy
} // namespace torch

namespace ltc_mlir {

// Shape rules the generated Lazy kernels try before torchgen's meta-tensor
// shape inference, which builds meta tensors and runs the meta kernel for
// every traced op (a large share of the tracing cost). Each returns no shapes
// when it does not apply (other dtypes, mismatched operands), and the kernel
// then runs the meta kernel as before. Wired up in tools/gen_lazy_backend.py.

// Pointwise op over tensors of one floating dtype: that dtype, broadcast sizes.
std::vector<torch::lazy::Shape> FloatPointwiseShape(std::initializer_list<const at::Tensor*> tensors);
// The input's dtype and sizes (detach_copy, alias_copy).
std::vector<torch::lazy::Shape> SameShape(const at::Tensor& self);
// t_copy: sizes reversed for 2-d, unchanged below.
std::vector<torch::lazy::Shape> TransposedShape(const at::Tensor& self);
// view_copy: `size` with a -1 resolved against the element count.
std::vector<torch::lazy::Shape> ViewShape(const at::Tensor& self, at::IntArrayRef size);
// mm and bmm: floating operands of one dtype, 2-d (mm) or 3-d with equal
// batches (bmm), inner sizes equal.
std::vector<torch::lazy::Shape> MatmulShape(const at::Tensor& self, const at::Tensor& mat2);
// addmm: mm's shape, when `self` has the same dtype; raises eager's error when
// `self` does not broadcast to it.
std::vector<torch::lazy::Shape> AddmmShape(
    const at::Tensor& self, const at::Tensor& mat1, const at::Tensor& mat2);
// sum.dim_IntList and mean.dim of a floating tensor in its own dtype, over a
// non-empty list of distinct dims.
std::vector<torch::lazy::Shape> ReductionShape(
    const at::Tensor& self, at::OptionalIntArrayRef dim, bool keepdim,
    c10::optional<at::ScalarType> dtype);
// _softmax and _log_softmax of a floating tensor (not half to float).
std::vector<torch::lazy::Shape> SoftmaxShape(const at::Tensor& self, int64_t dim, bool half_to_float);
// Their backward: the gradient's shape, when the input's dtype is its dtype.
std::vector<torch::lazy::Shape> SoftmaxBackwardShape(
    const at::Tensor& grad_output, const at::Tensor& output, int64_t dim,
    at::ScalarType input_dtype);

} // namespace ltc_mlir
