// Lazy kernels of the view ops functionalization hands us (their *_copy
// forms), of the *_scatter ops it writes views back with, and of the
// composites whose ATen kernels write into views (which a lazy tensor, a
// value without storage, cannot have).
//
// A lazy value is contiguous, so every view of it is an as_strided view:
// diagonal, unfold and as_strided become one `torch.aten.as_strided_copy`
// node; select/slice/diagonal/as_strided scatters one
// `torch.aten.as_strided_scatter` node. The lowering
// (mlir_lowering/Conversion/TorchToLinalg/Views.cpp) turns them into
// extract/insert slices when the view is a box, else a gather or a scatter.
// split/unbind become one slice_copy/select_copy per piece.
#include "ltc_backend/generated/LazyNativeFunctions.h"
#include "ltc_backend/lazy_tensor.h"
#include "ltc_backend/mlir_lowering_context.h"
#include "ltc_backend/mlir_node.h"

#include <ATen/Functions.h>
#include <ATen/WrapDimUtils.h>
#include <c10/util/irange.h>
#include <torch/csrc/lazy/core/ir_builder.h>
#include <torch/csrc/lazy/core/lazy_graph_executor.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/csrc/lazy/core/tensor_impl.h>
#include <torch/library.h>

#include <algorithm>
#include <sstream>

namespace ltc_mlir {

namespace {

// The size, stride and storage offset of a view of a contiguous tensor.
struct Geometry {
  std::vector<int64_t> sizes, strides;
  int64_t offset = 0;
};

std::vector<int64_t> ContiguousStrides(at::IntArrayRef sizes) {
  std::vector<int64_t> strides(sizes.size(), 1);
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * std::max<int64_t>(sizes[d + 1], 1);
  return strides;
}

std::string GeometryString(const Geometry &g) {
  std::stringstream ss;
  ss << "size=" << c10::IntArrayRef(g.sizes)
     << ", stride=" << c10::IntArrayRef(g.strides)
     << ", storage_offset=" << g.offset;
  return ss.str();
}

// Every element of the view must lie inside the `numel` elements of the base:
// generated code does not check its indices.
void CheckInBounds(const Geometry &g, int64_t numel, const char *op) {
  TORCH_CHECK(g.sizes.size() == g.strides.size(), op,
              ": mismatch in length of strides and shape");
  TORCH_CHECK(g.offset >= 0, op, ": negative storage offset ", g.offset);
  int64_t last = g.offset;
  for (size_t k = 0; k < g.sizes.size(); ++k) {
    TORCH_CHECK(g.sizes[k] >= 0, op, ": negative size ", g.sizes[k]);
    TORCH_CHECK(g.strides[k] >= 0, op, ": negative strides are not supported");
    if (g.sizes[k] == 0)
      return;
    last += (g.sizes[k] - 1) * g.strides[k];
  }
  TORCH_CHECK(last < numel, op, ": setStorage: sizes and strides (",
              GeometryString(g), ") are out of bounds for a tensor of ", numel,
              " elements");
}

// `torch.aten.as_strided_copy(self, size, stride, storage_offset)`.
class AsStridedCopyNode : public MlirNode {
public:
  AsStridedCopyNode(const torch::lazy::Value &input, Geometry g,
                    at::ScalarType dtype)
      : MlirNode(
            OpKind(c10::Symbol::fromQualString("aten::as_strided_copy")),
            {input},
            std::vector<torch::lazy::Shape>{torch::lazy::Shape(dtype, g.sizes)},
            /*num_outputs=*/1,
            torch::lazy::MHash(g.sizes, g.strides, g.offset)),
        g_(std::move(g)) {}

  std::string ToString() const override {
    return MlirNode::ToString() + ", " + GeometryString(g_);
  }

  MlirValueList Lower(MlirLoweringContext *loctx) const override {
    return loctx->EmitOp(
        "torch.aten.as_strided_copy",
        {loctx->GetOutputOp(operand(0)), loctx->IntListConstant(g_.sizes),
         loctx->IntListConstant(g_.strides), loctx->IntConstant(g_.offset)},
        *this);
  }

private:
  Geometry g_;
};

// `torch.aten.as_strided_scatter(self, src, size, stride, storage_offset)`.
class AsStridedScatterNode : public MlirNode {
public:
  AsStridedScatterNode(const torch::lazy::Value &self,
                       const torch::lazy::Value &src, Geometry g,
                       const torch::lazy::Shape &shape)
      : MlirNode(
            OpKind(c10::Symbol::fromQualString("aten::as_strided_scatter")),
            {self, src}, std::vector<torch::lazy::Shape>{shape},
            /*num_outputs=*/1,
            torch::lazy::MHash(g.sizes, g.strides, g.offset)),
        g_(std::move(g)) {}

  std::string ToString() const override {
    return MlirNode::ToString() + ", " + GeometryString(g_);
  }

  MlirValueList Lower(MlirLoweringContext *loctx) const override {
    return loctx->EmitOp(
        "torch.aten.as_strided_scatter",
        {loctx->GetOutputOp(operand(0)), loctx->GetOutputOp(operand(1)),
         loctx->IntListConstant(g_.sizes), loctx->IntListConstant(g_.strides),
         loctx->IntConstant(g_.offset)},
        *this);
  }

private:
  Geometry g_;
};

torch::lazy::BackendDevice DeviceOf(const at::Tensor &a,
                                    const at::Tensor &b = at::Tensor()) {
  auto device = b.defined() ? torch::lazy::GetBackendDevice(a, b)
                            : torch::lazy::GetBackendDevice(a);
  TORCH_CHECK(device, "ltc-mlir: view op without a lazy tensor");
  return *device;
}

at::Tensor StridedView(const at::Tensor &self, Geometry g, const char *op) {
  CheckInBounds(g, self.numel(), op);
  torch::lazy::BackendDevice device = DeviceOf(self);
  LazyTensorPtr lazy_self = GetLazyOperand(self, device);
  torch::lazy::NodePtr node = torch::lazy::MakeNode<AsStridedCopyNode>(
      lazy_self->GetIrValue(), std::move(g), self.scalar_type());
  return torch::lazy::CreateAtenFromLtcTensor(
      LazyTensor::Create(std::move(node), device));
}

at::Tensor StridedScatter(const at::Tensor &self, const at::Tensor &src,
                          Geometry g, const char *op) {
  CheckInBounds(g, self.numel(), op);
  TORCH_CHECK(
      src.sizes() == at::IntArrayRef(g.sizes), op,
      ": expected src to have a size equal to the slice of self. src size = ",
      src.sizes(), ", slice size = ", at::IntArrayRef(g.sizes));
  torch::lazy::BackendDevice device = DeviceOf(self, src);
  LazyTensorPtr lazy_self = GetLazyOperand(self, device);
  LazyTensorPtr lazy_src = GetLazyOperand(src, device);
  torch::lazy::Value src_value = lazy_src->GetIrValue();
  if (src.scalar_type() != self.scalar_type())
    src_value =
        torch::lazy::MakeCast(src_value, self.scalar_type(), src.scalar_type());
  torch::lazy::NodePtr node = torch::lazy::MakeNode<AsStridedScatterNode>(
      lazy_self->GetIrValue(), src_value, std::move(g),
      torch::lazy::Shape(self.scalar_type(), self.sizes().vec()));
  return torch::lazy::CreateAtenFromLtcTensor(
      LazyTensor::Create(std::move(node), device));
}

// Zeros of `sizes` on the lazy device of `like`.
at::Tensor LazyZeros(at::IntArrayRef sizes, const at::Tensor &like) {
  torch::lazy::BackendDevice device = DeviceOf(like);
  torch::lazy::Value zeros =
      ExpandedScalarOperand(0, torch::lazy::Shape(like.scalar_type(), sizes.vec()), device);
  return torch::lazy::CreateAtenFromLtcTensor(
      LazyTensor::Create(zeros, device));
}

// at::native::diagonal's geometry, over a contiguous tensor of `sizes`.
Geometry DiagonalGeometry(at::IntArrayRef sizes, int64_t offset, int64_t dim1,
                          int64_t dim2) {
  int64_t rank = sizes.size();
  int64_t d1 = c10::maybe_wrap_dim(dim1, rank);
  int64_t d2 = c10::maybe_wrap_dim(dim2, rank);
  TORCH_CHECK(d1 != d2, "diagonal dimensions cannot be identical ", dim1, ", ",
              dim2);
  std::vector<int64_t> strides = ContiguousStrides(sizes);
  int64_t length;
  Geometry g;
  if (offset >= 0) {
    length = std::max<int64_t>(std::min(sizes[d1], sizes[d2] - offset), 0);
    if (length > 0)
      g.offset = offset * strides[d2];
  } else {
    length = std::max<int64_t>(std::min(sizes[d1] + offset, sizes[d2]), 0);
    if (length > 0)
      g.offset = -offset * strides[d1];
  }
  for (int64_t d = 0; d < rank; ++d) {
    if (d == d1 || d == d2)
      continue;
    g.sizes.push_back(sizes[d]);
    g.strides.push_back(strides[d]);
  }
  g.sizes.push_back(length);
  g.strides.push_back(strides[d1] + strides[d2]);
  return g;
}

Geometry SelectGeometry(at::IntArrayRef sizes, int64_t dim, int64_t index) {
  TORCH_CHECK(!sizes.empty(), "select() cannot be applied to a 0-dim tensor.");
  dim = c10::maybe_wrap_dim(dim, sizes.size());
  int64_t size = sizes[dim];
  TORCH_CHECK_INDEX(index >= -size && index < size, "select(): index ", index,
                    " out of range for tensor of size ", sizes,
                    " at dimension ", dim);
  if (index < 0)
    index += size;
  std::vector<int64_t> strides = ContiguousStrides(sizes);
  Geometry g;
  g.sizes = sizes.vec();
  g.strides = strides;
  g.offset = index * strides[dim];
  g.sizes.erase(g.sizes.begin() + dim);
  g.strides.erase(g.strides.begin() + dim);
  return g;
}

Geometry SliceGeometry(at::IntArrayRef sizes, int64_t dim,
                       c10::optional<int64_t> start_opt,
                       c10::optional<int64_t> end_opt, int64_t step) {
  TORCH_CHECK(!sizes.empty(), "slice() cannot be applied to a 0-dim tensor.");
  TORCH_CHECK(step > 0, "slice step must be positive");
  dim = c10::maybe_wrap_dim(dim, sizes.size());
  int64_t size = sizes[dim];
  int64_t start = start_opt.value_or(0);
  int64_t end = end_opt.value_or(size);
  if (start < 0)
    start += size;
  if (end < 0)
    end += size;
  start = std::min(std::max<int64_t>(start, 0), size);
  end = std::min(std::max<int64_t>(end, start), size);
  std::vector<int64_t> strides = ContiguousStrides(sizes);
  Geometry g;
  g.sizes = sizes.vec();
  g.strides = strides;
  g.sizes[dim] = (end - start + step - 1) / step;
  g.strides[dim] = strides[dim] * step;
  g.offset = g.sizes[dim] > 0 ? start * strides[dim] : 0;
  return g;
}

Geometry UnfoldGeometry(at::IntArrayRef sizes, int64_t dimension, int64_t size,
                        int64_t step) {
  int64_t rank = sizes.size();
  int64_t dim = c10::maybe_wrap_dim(dimension, rank, /*wrap_scalar=*/true);
  int64_t max_size = rank == 0 ? 1 : sizes[dim];
  TORCH_CHECK(size <= max_size, "maximum size for tensor at dimension ", dim,
              " is ", max_size, " but size is ", size);
  TORCH_CHECK(size >= 0, "size is ", size, " but must be >= 0");
  TORCH_CHECK(step > 0, "step is ", step, " but must be > 0");
  Geometry g;
  if (rank == 0) {
    g.sizes = {size};
    g.strides = {1};
    return g;
  }
  std::vector<int64_t> strides = ContiguousStrides(sizes);
  g.sizes = sizes.vec();
  g.strides = strides;
  g.sizes[dim] = (sizes[dim] - size) / step + 1;
  g.strides[dim] = strides[dim] * step;
  g.sizes.push_back(size);
  g.strides.push_back(strides[dim]);
  return g;
}

} // namespace

// --- Views -------------------------------------------------------------------

at::Tensor LazyNativeFunctions::as_strided_copy(
    const at::Tensor &self, at::IntArrayRef size, at::IntArrayRef stride,
    c10::optional<int64_t> storage_offset) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return StridedView(
      self, Geometry{size.vec(), stride.vec(), storage_offset.value_or(0)},
      "as_strided");
}

at::Tensor LazyNativeFunctions::diagonal_copy(const at::Tensor &self,
                                              int64_t offset, int64_t dim1,
                                              int64_t dim2) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return StridedView(self, DiagonalGeometry(self.sizes(), offset, dim1, dim2),
                     "diagonal");
}

at::Tensor LazyNativeFunctions::unfold_copy(const at::Tensor &self,
                                            int64_t dimension, int64_t size,
                                            int64_t step) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return StridedView(self, UnfoldGeometry(self.sizes(), dimension, size, step),
                     "unfold");
}

namespace {

std::vector<at::Tensor> SplitCopy(const at::Tensor &self, int64_t split_size,
                                  int64_t dim) {
  TORCH_LAZY_COUNTER("lazy::split_copy", 1);
  TORCH_CHECK(self.dim() != 0, "split expects at least a 1-dimensional tensor");
  TORCH_CHECK(split_size >= 0,
              "split expects split_size be non-negative, but got split_size=",
              split_size);
  dim = c10::maybe_wrap_dim(dim, self.dim());
  int64_t length = self.size(dim);
  TORCH_CHECK(split_size > 0 || length == 0,
              "split_size can only be 0 if dimension size is 0, but got "
              "dimension size of ",
              length);
  int64_t chunks =
      split_size == 0
          ? 1
          : std::max<int64_t>((length + split_size - 1) / split_size, 1);
  std::vector<at::Tensor> pieces;
  for (int64_t i = 0; i < chunks; ++i) {
    int64_t start = i * split_size;
    pieces.push_back(at::slice_copy(self, dim, start,
                                    std::min(start + split_size, length), 1));
  }
  return pieces;
}

std::vector<at::Tensor> SplitWithSizesCopy(const at::Tensor &self,
                                           at::IntArrayRef split_sizes,
                                           int64_t dim) {
  TORCH_LAZY_COUNTER("lazy::split_with_sizes_copy", 1);
  TORCH_CHECK(self.dim() != 0, "split expects at least a 1-dimensional tensor");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  int64_t length = self.size(dim);
  int64_t total = 0;
  for (int64_t size : split_sizes) {
    TORCH_CHECK(size >= 0,
                "split_with_sizes expects split_sizes have only non-negative ",
                "entries, but got split_sizes=", split_sizes);
    total += size;
  }
  TORCH_CHECK(total == length,
              "split_with_sizes expects split_sizes to sum exactly to ", length,
              " (input tensor's size at dimension ", dim,
              "), but got split_sizes=", split_sizes);
  std::vector<at::Tensor> pieces;
  int64_t start = 0;
  for (int64_t size : split_sizes) {
    pieces.push_back(at::slice_copy(self, dim, start, start + size, 1));
    start += size;
  }
  return pieces;
}

std::vector<at::Tensor> UnbindCopy(const at::Tensor &self, int64_t dim) {
  TORCH_LAZY_COUNTER("lazy::unbind_copy", 1);
  TORCH_CHECK(self.dim() > 0,
              "Dimension specified as 0 but tensor has no dimensions");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  std::vector<at::Tensor> pieces;
  for (int64_t i = 0; i < self.size(dim); ++i)
    pieces.push_back(at::select_copy(self, dim, i));
  return pieces;
}

} // namespace

TORCH_LIBRARY_IMPL(aten, Lazy, m) {
  m.impl("split_copy.Tensor", TORCH_FN(SplitCopy));
  m.impl("split_with_sizes_copy", TORCH_FN(SplitWithSizesCopy));
  m.impl("unbind_copy.int", TORCH_FN(UnbindCopy));
}

// --- Writes into views
// ---------------------------------------------------------

at::Tensor LazyNativeFunctions::as_strided_scatter(
    const at::Tensor &self, const at::Tensor &src, at::IntArrayRef size,
    at::IntArrayRef stride, c10::optional<int64_t> storage_offset) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return StridedScatter(
      self, src, Geometry{size.vec(), stride.vec(), storage_offset.value_or(0)},
      "as_strided_scatter");
}

at::Tensor LazyNativeFunctions::diagonal_scatter(const at::Tensor &self,
                                                 const at::Tensor &src,
                                                 int64_t offset, int64_t dim1,
                                                 int64_t dim2) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return StridedScatter(self, src,
                        DiagonalGeometry(self.sizes(), offset, dim1, dim2),
                        "diagonal_scatter");
}

at::Tensor LazyNativeFunctions::select_scatter(const at::Tensor &self,
                                               const at::Tensor &src,
                                               int64_t dim, int64_t index) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return StridedScatter(self, src, SelectGeometry(self.sizes(), dim, index),
                        "select_scatter");
}

at::Tensor LazyNativeFunctions::slice_scatter(
    const at::Tensor &self, const at::Tensor &src, int64_t dim,
    c10::optional<int64_t> start, c10::optional<int64_t> end, int64_t step) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return StridedScatter(self, src,
                        SliceGeometry(self.sizes(), dim, start, end, step),
                        "slice_scatter");
}

// --- Composites whose ATen kernels write into views
// -----------------------------

at::Tensor LazyNativeFunctions::diagonal_backward(const at::Tensor &grad_output,
                                                  at::IntArrayRef input_sizes,
                                                  int64_t offset, int64_t dim1,
                                                  int64_t dim2) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return StridedScatter(LazyZeros(input_sizes, grad_output), grad_output,
                        DiagonalGeometry(input_sizes, offset, dim1, dim2),
                        "diagonal_backward");
}

at::Tensor LazyNativeFunctions::diag_embed(const at::Tensor &self,
                                           int64_t offset, int64_t dim1,
                                           int64_t dim2) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  int64_t rank = self.dim() + 1;
  int64_t d1 = c10::maybe_wrap_dim(dim1, rank);
  int64_t d2 = c10::maybe_wrap_dim(dim2, rank);
  TORCH_CHECK(d1 != d2, "diagonal dimensions cannot be identical ", dim1, ", ",
              dim2);
  int64_t n = (self.dim() == 0 ? 1 : self.size(-1)) + std::abs(offset);
  std::vector<int64_t> sizes(self.sizes().begin(), self.sizes().end());
  if (!sizes.empty())
    sizes.pop_back();
  sizes.insert(sizes.begin() + std::min(d1, d2), n);
  sizes.insert(sizes.begin() + std::max(d1, d2), n);
  at::Tensor src = self.dim() == 0 ? at::view_copy(self, {1}) : self;
  return StridedScatter(LazyZeros(sizes, self), src,
                        DiagonalGeometry(sizes, offset, d1, d2), "diag_embed");
}

at::Tensor LazyNativeFunctions::unfold_backward(const at::Tensor &grad_in,
                                                at::IntArrayRef input_sizes,
                                                int64_t dim, int64_t size,
                                                int64_t step) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  // Window element j of every window lands at j, j + step, ... along dim;
  // windows may overlap, so the `size` pieces are summed.
  at::Tensor result = LazyZeros(input_sizes, grad_in);
  if (input_sizes.empty()) // A 0-d input has at most one window of one element.
    return at::sum(grad_in);
  dim = c10::maybe_wrap_dim(dim, input_sizes.size());
  int64_t windows = grad_in.size(dim);
  for (int64_t j = 0; j < size; ++j) {
    at::Tensor piece = at::select_copy(grad_in, -1, j);
    at::Tensor placed =
        at::slice_scatter(LazyZeros(input_sizes, grad_in), piece, dim, j,
                          j + (windows - 1) * step + 1, step);
    result = at::add(result, placed);
  }
  return result;
}

at::Tensor LazyNativeFunctions::stack(at::TensorList tensors, int64_t dim) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(!tensors.empty(), "stack expects a non-empty TensorList");
  dim = c10::maybe_wrap_dim(dim, tensors[0].dim() + 1);
  for (const at::Tensor &t : tensors)
    TORCH_CHECK(t.sizes() == tensors[0].sizes(),
                "stack expects each tensor to be equal size, but got ",
                tensors[0].sizes(), " at entry 0 and ", t.sizes(),
                " at another entry");
  std::vector<at::Tensor> pieces;
  for (const at::Tensor &t : tensors)
    pieces.push_back(at::unsqueeze_copy(t, dim));
  return at::cat(pieces, dim);
}

at::Tensor LazyNativeFunctions::block_diag(at::TensorList tensors) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(!tensors.empty(), "ltc-mlir: block_diag of no tensors");
  at::ScalarType dtype = tensors[0].scalar_type();
  int64_t cols = 0;
  for (const at::Tensor &t : tensors) {
    TORCH_CHECK(
        t.dim() <= 2,
        "torch.block_diag: Input tensors must have 2 or fewer dimensions. ",
        "Input has ", t.dim(), " dimensions");
    dtype = at::promote_types(dtype, t.scalar_type());
    cols += t.dim() == 2 ? t.size(1) : (t.dim() == 1 ? t.size(0) : 1);
  }
  // Each block, as a 2-d tensor padded with zeros to the full width.
  std::vector<at::Tensor> rows;
  int64_t left = 0;
  for (const at::Tensor &t : tensors) {
    at::Tensor block =
        t.dim() == 2 ? t : at::view_copy(t, {1, t.dim() == 1 ? t.size(0) : 1});
    if (block.scalar_type() != dtype)
      block = block.to(dtype);
    int64_t width = block.size(1);
    rows.push_back(at::constant_pad_nd(block, {left, cols - left - width}, 0));
    left += width;
  }
  return at::cat(rows, 0);
}

at::Tensor LazyNativeFunctions::rot90(const at::Tensor &self, int64_t k,
                                      at::IntArrayRef dims) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(
      dims.size() == 2,
      "expected total rotation dims == 2, but got dims = ", dims.size());
  TORCH_CHECK(self.dim() >= 2,
              "expected total dims >= 2, but got total dims = ", self.dim());
  int64_t d0 = c10::maybe_wrap_dim(dims[0], self.dim());
  int64_t d1 = c10::maybe_wrap_dim(dims[1], self.dim());
  TORCH_CHECK(d0 != d1,
              "expected rotation dims to be different, but got dim0 = ",
              dims[0], " and dim1 = ", dims[1]);
  // ATen's kernel transposes in place, which a lazy value cannot.
  switch (((k % 4) + 4) % 4) {
  case 1:
    return at::transpose_copy(at::flip(self, {d1}), d0, d1);
  case 2:
    return at::flip(self, {d0, d1});
  case 3:
    return at::transpose_copy(at::flip(self, {d0}), d0, d1);
  default:
    return at::alias_copy(self);
  }
}

} // namespace ltc_mlir
