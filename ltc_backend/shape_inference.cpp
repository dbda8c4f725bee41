// Shape functions LTC core lacks (declared in shape_inference.h).
#include "ltc_backend/shape_inference.h"

#include <ATen/ExpandUtils.h>
#include <ATen/ScalarOps.h>

#include <algorithm>

namespace {
// A rule's one output shape, built in place: `{Shape(...)}` would copy the
// shape (and its sizes) out of an initializer list.
std::vector<torch::lazy::Shape> OneShape(at::ScalarType type, at::IntArrayRef sizes) {
  std::vector<torch::lazy::Shape> shapes;
  shapes.reserve(1);
  shapes.emplace_back(type, sizes);
  return shapes;
}
} // namespace

namespace torch {
namespace lazy {

std::vector<Shape> compute_shape_fill(const at::Tensor& self, const at::Scalar& /*value*/) {
  return OneShape(self.scalar_type(), self.sizes());
}

// The gradient of a select/slice has the shape of the tensor it was taken
// from: zeros with grad_output placed at the selected index or slice.
std::vector<Shape> compute_shape_select_backward(
    const at::Tensor& grad_output, at::IntArrayRef input_sizes, int64_t /*dim*/,
    int64_t /*index*/) {
  return OneShape(grad_output.scalar_type(), input_sizes);
}

std::vector<Shape> compute_shape_slice_backward(
    const at::Tensor& grad_output, at::IntArrayRef input_sizes, int64_t /*dim*/,
    int64_t /*start*/, int64_t /*end*/, int64_t /*step*/) {
  return OneShape(grad_output.scalar_type(), input_sizes);
}

std::vector<Shape> compute_shape_where(
    const at::Tensor& condition, const at::Tensor& self, const at::Tensor& other) {
  // Broadcast of all three; dtype promotes self and other like ATen does.
  std::vector<int64_t> sizes = at::infer_size(
      at::infer_size(condition.sizes(), self.sizes()), other.sizes());
  return OneShape(at::result_type(self, other), sizes);
}

// Elementwise ops with a Scalar operand: self's sizes, ATen's promotion.
std::vector<Shape> compute_shape_fmod(const at::Tensor& self, const at::Scalar& other) {
  return OneShape(at::result_type(self, other), self.sizes());
}

std::vector<Shape> compute_shape_remainder(const at::Tensor& self, const at::Scalar& other) {
  return OneShape(at::result_type(self, other), self.sizes());
}

std::vector<Shape> compute_shape_rsub(
    const at::Tensor& self, const at::Scalar& other, const at::Scalar& /*alpha*/) {
  return OneShape(at::result_type(self, other), self.sizes());
}

std::vector<Shape> compute_shape_rsub(
    const at::Tensor& self, const at::Tensor& other, const at::Scalar& /*alpha*/) {
  return OneShape(at::result_type(self, other), at::infer_size(self.sizes(), other.sizes()));
}

std::vector<Shape> compute_shape_floor_divide(const at::Tensor& self, const at::Tensor& other) {
  return OneShape(at::result_type(self, other), at::infer_size(self.sizes(), other.sizes()));
}

std::vector<Shape> compute_shape_hardtanh(
    const at::Tensor& self, const at::Scalar& /*min_val*/, const at::Scalar& /*max_val*/) {
  return OneShape(self.scalar_type(), self.sizes());
}

// Full product: a 0-d tensor; integral inputs (and bool) accumulate in int64.
std::vector<Shape> compute_shape_prod(
    const at::Tensor& self, c10::optional<at::ScalarType> dtype) {
  at::ScalarType type = dtype ? *dtype
      : at::isIntegralType(self.scalar_type(), /*includeBool=*/true) ? at::kLong
                                                                      : self.scalar_type();
  return OneShape(type, {});
}

} // namespace lazy
} // namespace torch

namespace ltc_mlir {

using torch::lazy::Shape;

// A Python number ATen wrapped as a 0-d tensor (x * 0.9): it broadcasts, and
// a real one does not change a floating tensor's dtype (ATen promotes wrapped
// numbers by category only).
bool IsRealWrappedNumber(const at::Tensor& tensor) {
  return tensor.defined() && tensor.unsafeGetTensorImpl()->is_wrapped_number() &&
         !at::isComplexType(tensor.scalar_type());
}

std::vector<Shape> FloatPointwiseShape(std::initializer_list<const at::Tensor*> tensors) {
  const at::Tensor* first = nullptr;
  for (const at::Tensor* tensor : tensors) {
    if (!IsRealWrappedNumber(*tensor)) {
      first = tensor;
      break;
    }
  }
  if (first == nullptr || !first->defined() || !at::isFloatingType(first->scalar_type()))
    return {};
  at::DimVector sizes(first->sizes().begin(), first->sizes().end());
  for (const at::Tensor* tensor : tensors) {
    if (tensor == first || IsRealWrappedNumber(*tensor))
      continue;
    if (!tensor->defined() || tensor->scalar_type() != first->scalar_type())
      return {};
    if (tensor->sizes() != at::IntArrayRef(sizes)) {
      try {
        sizes = at::infer_size_dimvector(sizes, tensor->sizes());
      } catch (const c10::Error&) {
        return {}; // not broadcastable: the meta kernel raises the error
      }
    }
  }
  return OneShape(first->scalar_type(), sizes);
}

std::vector<Shape> SameShape(const at::Tensor& self) {
  return OneShape(self.scalar_type(), self.sizes());
}

std::vector<Shape> TransposedShape(const at::Tensor& self) {
  if (self.dim() > 2)
    return {}; // the meta kernel raises the error
  at::DimVector sizes(self.sizes().begin(), self.sizes().end());
  std::reverse(sizes.begin(), sizes.end());
  return OneShape(self.scalar_type(), sizes);
}

std::vector<Shape> ViewShape(const at::Tensor& self, at::IntArrayRef size) {
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < size.size(); ++i) {
    if (size[i] == -1 && infer < 0) {
      infer = static_cast<int>(i);
    } else if (size[i] < 0) {
      return {};
    } else {
      known *= size[i];
    }
  }
  int64_t numel = self.numel();
  at::DimVector sizes(size.begin(), size.end());
  if (infer >= 0) {
    if (known == 0 || numel % known != 0)
      return {};
    sizes[infer] = numel / known;
  } else if (known != numel) {
    return {};
  }
  return OneShape(self.scalar_type(), sizes);
}

namespace {

bool IsFloating(const at::Tensor& tensor) {
  return tensor.defined() && at::isFloatingType(tensor.scalar_type());
}

// `dim` wrapped into [0, rank), or -1 when out of range (the meta kernel
// raises the error). A 0-d tensor takes 0 and -1.
int64_t WrapDim(int64_t dim, int64_t rank) {
  if (rank == 0)
    return dim == 0 || dim == -1 ? 0 : -1;
  if (dim < -rank || dim >= rank)
    return -1;
  return dim < 0 ? dim + rank : dim;
}

} // namespace

std::vector<Shape> MatmulShape(const at::Tensor& self, const at::Tensor& mat2) {
  if (!IsFloating(self) || !mat2.defined() || mat2.scalar_type() != self.scalar_type())
    return {};
  const int64_t rank = self.dim();
  if ((rank != 2 && rank != 3) || mat2.dim() != rank)
    return {};
  at::IntArrayRef a = self.sizes(), b = mat2.sizes();
  if (a[rank - 1] != b[rank - 2] || (rank == 3 && a[0] != b[0]))
    return {};
  at::DimVector sizes(a.begin(), a.end() - 1);
  sizes.push_back(b[rank - 1]);
  return OneShape(self.scalar_type(), sizes);
}

std::vector<Shape> AddmmShape(
    const at::Tensor& self, const at::Tensor& mat1, const at::Tensor& mat2) {
  if (mat1.dim() != 2 || !self.defined() || self.dim() > 2)
    return {};
  std::vector<Shape> shapes = MatmulShape(mat1, mat2);
  if (shapes.empty() || self.scalar_type() != mat1.scalar_type())
    return {};
  // The meta kernel leaves this check to the CPU kernel; raising it here
  // fails the op where eager fails it, not at the next sync.
  at::IntArrayRef out = shapes[0].sizes();
  for (int64_t i = 1; i <= self.dim(); ++i) {
    int64_t size = self.sizes()[self.dim() - i];
    TORCH_CHECK(size == 1 || size == out[2 - i], "The expanded size of the tensor (",
                out[2 - i], ") must match the existing size (", size,
                ") at non-singleton dimension ", 2 - i, ".  Target sizes: ", out,
                ".  Tensor sizes: ", self.sizes());
  }
  return shapes;
}

std::vector<Shape> ReductionShape(
    const at::Tensor& self, at::OptionalIntArrayRef dim, bool keepdim,
    c10::optional<at::ScalarType> dtype) {
  if (!IsFloating(self) || (dtype && *dtype != self.scalar_type()) || !dim || dim->empty() ||
      self.dim() == 0 || self.dim() > 64)
    return {};
  uint64_t reduced = 0;
  for (int64_t d : *dim) {
    int64_t wrapped = WrapDim(d, self.dim());
    if (wrapped < 0 || (reduced >> wrapped & 1))
      return {};
    reduced |= uint64_t{1} << wrapped;
  }
  at::DimVector sizes;
  for (int64_t i = 0; i < self.dim(); ++i) {
    if (!(reduced >> i & 1))
      sizes.push_back(self.sizes()[i]);
    else if (keepdim)
      sizes.push_back(1);
  }
  return OneShape(self.scalar_type(), sizes);
}

std::vector<Shape> SoftmaxShape(const at::Tensor& self, int64_t dim, bool half_to_float) {
  if (!IsFloating(self) || half_to_float || WrapDim(dim, self.dim()) < 0)
    return {};
  return SameShape(self);
}

std::vector<Shape> SoftmaxBackwardShape(
    const at::Tensor& grad_output, const at::Tensor& output, int64_t dim,
    at::ScalarType input_dtype) {
  if (!IsFloating(grad_output) || input_dtype != grad_output.scalar_type() ||
      !output.defined() || output.sizes() != grad_output.sizes() ||
      WrapDim(dim, grad_output.dim()) < 0)
    return {};
  return SameShape(grad_output);
}

} // namespace ltc_mlir
