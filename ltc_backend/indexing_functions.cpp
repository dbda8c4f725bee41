// Sorting, selection, scans, scatters and advanced indexing as decompositions
// into traced ops (see "supported" in ops.yaml, sort/scatter/index family).
//
// Everything here is dense and loop free: a sort ranks every element of a
// row against every other one (n^2 comparisons per row), a scan reduces a
// masked [n, n] prefix square, a scatter is a one-hot sum over the target
// positions. That compiles into plain parallel linalg with static shapes. The
// cost is quadratic in the scanned or sorted extent, so inputs whose dense
// form would exceed kMaxDenseElements go to the eager fallback instead.
//
// These kernels run below autograd and functionalization: they call the
// *_copy forms of view ops and build no views, and constants built on the
// CPU are uploaded (Upload).
#include "ltc_backend/eager_fallback.h"
#include "ltc_backend/generated/LazyNativeFunctions.h"
#include "ltc_backend/lazy_tensor.h"

#include <ATen/ExpandUtils.h>
#include <ATen/Functions.h>
#include <ATen/Operators.h>
#include <ATen/WrapDimUtils.h>
#include <ATen/native/CPUFallback.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/csrc/lazy/core/tensor_util.h>

#include <limits>

namespace ltc_mlir {

namespace {

// Largest dense intermediate (elements) a decomposition here may build.
constexpr int64_t kMaxDenseElements = int64_t(1) << 24;

bool DenseFits(int64_t a, int64_t b) {
  return a == 0 || b <= kMaxDenseElements / std::max<int64_t>(a, 1);
}

at::Tensor Upload(const at::Tensor &cpu, const at::Tensor &like) {
  return cpu.to(like.device());
}

at::Tensor ScalarTensor(const at::Scalar &value, at::ScalarType dtype,
                        const at::Tensor &like) {
  return Upload(at::full({}, value, at::TensorOptions().dtype(dtype)), like);
}

// arange(n) shaped to run along `dim` of a rank-`rank` tensor (1 elsewhere).
at::Tensor AlongDim(int64_t n, int64_t dim, int64_t rank,
                    const at::Tensor &like) {
  std::vector<int64_t> sizes(rank, 1);
  sizes[dim] = n;
  return Upload(at::arange(n, at::kLong).view(sizes), like);
}

// [n, n] bool, true where j <= i (row i, column j), placed at dims
// (dim, dim + 1) of a rank-`rank` tensor.
at::Tensor PrefixMask(int64_t n, int64_t dim, int64_t rank,
                      const at::Tensor &like) {
  std::vector<int64_t> sizes(rank, 1);
  sizes[dim] = n;
  sizes[dim + 1] = n;
  return Upload(at::ones({n, n}, at::kBool).tril().view(sizes), like);
}

at::Tensor Lowest(const at::Tensor &t) {
  if (at::isFloatingType(t.scalar_type()))
    return ScalarTensor(-std::numeric_limits<double>::infinity(),
                        t.scalar_type(), t);
  return ScalarTensor(at::Scalar(std::numeric_limits<int64_t>::min()),
                      at::kLong, t)
      .to(t.scalar_type());
}

at::Tensor Highest(const at::Tensor &t) {
  if (at::isFloatingType(t.scalar_type()))
    return ScalarTensor(std::numeric_limits<double>::infinity(),
                        t.scalar_type(), t);
  return ScalarTensor(at::Scalar(std::numeric_limits<int64_t>::max()),
                      at::kLong, t)
      .to(t.scalar_type());
}

at::Tensor IsNan(const at::Tensor &t) {
  return at::isFloatingType(t.scalar_type()) ? at::isnan(t) : at::ne(t, t);
}

// Pads t with `value` at the end of each dim up to `sizes`.
at::Tensor PadToShape(const at::Tensor &t, at::IntArrayRef sizes,
                      const at::Scalar &value) {
  std::vector<int64_t> pad;
  bool needed = false;
  for (int64_t i = t.dim() - 1; i >= 0; --i) {
    pad.push_back(0);
    pad.push_back(sizes[i] - t.size(i));
    needed = needed || sizes[i] != t.size(i);
  }
  return needed ? at::constant_pad_nd(t, pad, value) : t;
}

at::Tensor SqueezeUnless(const at::Tensor &t, int64_t dim, bool keepdim) {
  return keepdim ? t : at::squeeze_copy(t, dim);
}

// Stable sort along dim as (values, indices). NaN sorts as the largest
// value, as in eager. rank[i] = #{j : j sorts before i}, ties broken by
// position; the element of rank r is then picked by a one-hot sum.
std::tuple<at::Tensor, at::Tensor> DenseSort(const at::Tensor &self,
                                             int64_t dim, bool descending) {
  int64_t rank = self.dim();
  int64_t n = self.size(dim);
  at::Tensor xi = at::unsqueeze_copy(self, dim + 1); // [.., n_i, 1, ..]
  at::Tensor xj = at::unsqueeze_copy(self, dim);     // [.., 1, n_j, ..]
  at::Tensor nan_i = IsNan(xi), nan_j = IsNan(xj);
  at::Tensor before =
      descending
          ? at::logical_or(at::gt(xj, xi),
                           at::logical_and(nan_j, at::logical_not(nan_i)))
          : at::logical_or(at::lt(xj, xi),
                           at::logical_and(nan_i, at::logical_not(nan_j)));
  at::Tensor tie =
      at::logical_or(at::eq(xj, xi), at::logical_and(nan_i, nan_j));
  at::Tensor j_lt_i = at::lt(AlongDim(n, dim + 1, rank + 1, self),
                             AlongDim(n, dim, rank + 1, self));
  before = at::logical_or(before, at::logical_and(tie, j_lt_i));
  at::Tensor ranks = at::sum(before.to(at::kLong), {dim + 1}); // self's shape
  // indices[r] = sum_i (ranks[i] == r) * i
  at::Tensor hit =
      at::eq(at::unsqueeze_copy(ranks, dim), AlongDim(n, dim, rank + 1, self));
  at::Tensor picked =
      at::mul(hit.to(at::kLong), AlongDim(n, dim + 1, rank + 1, self));
  at::Tensor indices = at::sum(picked, {dim + 1});
  return std::make_tuple(at::gather(self, dim, indices), indices);
}

bool SortFits(const at::Tensor &self, int64_t dim) {
  return self.numel() > 0 && DenseFits(self.numel(), self.size(dim));
}

at::Tensor ZeroIndices(const at::Tensor &like) {
  return Upload(at::zeros(like.sizes(), at::kLong), like);
}

// Reduction over a masked prefix square: x_j placed at dim + 1 and
// `fill` where j > i.
at::Tensor PrefixSquare(const at::Tensor &x, int64_t dim,
                        const at::Tensor &fill,
                        at::Tensor *mask_out = nullptr) {
  int64_t n = x.size(dim);
  at::Tensor mask = PrefixMask(n, dim, x.dim() + 1, x);
  if (mask_out)
    *mask_out = mask;
  at::Tensor xj = at::unsqueeze_copy(x, dim);
  return at::where(mask, xj, fill);
}

// Running max (is_max) or min along dim with the index of its last
// occurrence, NaN propagating, as eager's cummax/cummin.
std::tuple<at::Tensor, at::Tensor> CumExtreme(const at::Tensor &self,
                                              int64_t dim, bool is_max) {
  if (self.dim() == 0)
    return std::make_tuple(at::mul(self, 1), ZeroIndices(self));
  dim = c10::maybe_wrap_dim(dim, self.dim());
  int64_t n = self.size(dim);
  at::Tensor mask;
  at::Tensor square =
      PrefixSquare(self, dim, is_max ? Lowest(self) : Highest(self), &mask);
  at::Tensor values =
      is_max ? at::amax(square, {dim + 1}) : at::amin(square, {dim + 1});
  at::Tensor xj = at::unsqueeze_copy(self, dim);
  at::Tensor nan_j = IsNan(xj);
  if (at::isFloatingType(self.scalar_type())) {
    at::Tensor any_nan = at::any(at::logical_and(mask, nan_j), dim + 1);
    values = at::masked_fill(values, any_nan,
                             std::numeric_limits<double>::quiet_NaN());
  }
  at::Tensor vi = at::unsqueeze_copy(values, dim + 1);
  at::Tensor same =
      at::logical_or(at::eq(xj, vi), at::logical_and(nan_j, IsNan(vi)));
  at::Tensor j = AlongDim(n, dim + 1, self.dim() + 1, self);
  at::Tensor cand = at::where(at::logical_and(mask, same), j,
                              ScalarTensor(-1, at::kLong, self));
  return std::make_tuple(values, at::amax(cand, {dim + 1}));
}

// Broadcast-compare of values against the sorted last dim of `sequence`:
// the count of entries below (or, with right, not above) each value.
at::Tensor CountBelow(const at::Tensor &sequence, const at::Tensor &values,
                      bool right, bool out_int32) {
  at::Tensor v = at::unsqueeze_copy(values, -1);
  at::Tensor seq =
      sequence.dim() == 1 ? sequence : at::unsqueeze_copy(sequence, -2);
  at::Tensor below = right ? at::le(seq, v) : at::lt(seq, v);
  at::Tensor count = at::sum(below.to(at::kLong), {-1});
  return out_int32 ? count.to(at::kInt) : count;
}

// Indices broadcast to one shape, negatives wrapped, for advanced indexing.
struct AdvancedIndex {
  std::vector<int64_t> dims;       // indexed dims of self, ascending
  std::vector<at::Tensor> indices; // long, broadcast shape
  std::vector<int64_t> shape;      // the broadcast shape
  bool adjacent = true;
};

bool PrepareAdvancedIndex(const at::Tensor &self,
                          const c10::List<c10::optional<at::Tensor>> &indices,
                          AdvancedIndex *out) {
  std::vector<at::Tensor> defined;
  int64_t d = 0; // the dim of self the next index applies to
  for (size_t i = 0; i < indices.size(); ++i) {
    c10::optional<at::Tensor> idx = indices.get(i);
    if (!idx || !idx->defined()) {
      ++d;
      continue;
    }
    at::ScalarType st = idx->scalar_type();
    if (st == at::kBool || st == at::kByte) {
      // A k-d mask stands for k integer indices: its nonzero coordinates
      // (their count is read on the host).
      TORCH_CHECK_INDEX(d + idx->dim() <= self.dim(),
                        "too many indices for tensor of dimension ",
                        self.dim());
      for (int64_t k = 0; k < idx->dim(); ++k)
        TORCH_CHECK_INDEX(idx->size(k) == self.size(d + k),
                          "The shape of the mask ", idx->sizes(), " at index ",
                          k, " does not match the shape of the indexed tensor ",
                          self.sizes(), " at index ", d + k);
      if (idx->dim() == 0)
        return false;
      at::Tensor mask = idx->device().is_lazy() ? *idx : Upload(*idx, self);
      at::Tensor coords = at::nonzero(mask);
      for (int64_t k = 0; k < idx->dim(); ++k) {
        out->dims.push_back(d + k);
        defined.push_back(at::select_copy(coords, 1, k));
      }
      d += idx->dim();
      continue;
    }
    if (!at::isIntegralType(st, /*includeBool=*/false))
      return false;
    TORCH_CHECK_INDEX(d < self.dim(),
                      "too many indices for tensor of dimension ", self.dim());
    out->dims.push_back(d++);
    defined.push_back(*idx);
  }
  if (defined.empty())
    return false;
  std::vector<int64_t> shape = defined[0].sizes().vec();
  for (const at::Tensor &t : defined)
    shape = at::infer_size(shape, t.sizes());
  out->shape = shape;
  for (size_t t = 0; t < defined.size(); ++t) {
    int64_t size = self.size(out->dims[t]);
    at::Tensor idx = defined[t].to(at::kLong);
    if (!idx.device().is_lazy())
      idx = Upload(idx, self);
    idx = at::where(at::lt(idx, 0), at::add(idx, size), idx);
    if (idx.sizes().vec() != shape)
      idx = at::expand_copy(idx, shape);
    out->indices.push_back(idx);
  }
  for (size_t t = 1; t < out->dims.size(); ++t)
    out->adjacent = out->adjacent && out->dims[t] == out->dims[t - 1] + 1;
  return true;
}

// self permuted so the indexed dims lead, then flattened to
// [prod(indexed sizes), rest...]; and the row of each index tuple.
struct FlatIndex {
  std::vector<int64_t> perm;
  std::vector<int64_t> rest_sizes;
  at::Tensor flat;
  at::Tensor rows; // long, the broadcast index shape
};

FlatIndex FlattenIndexed(const at::Tensor &self, const AdvancedIndex &ai) {
  FlatIndex f;
  std::vector<bool> indexed(self.dim(), false);
  for (int64_t d : ai.dims)
    indexed[d] = true;
  f.perm = ai.dims;
  for (int64_t d = 0; d < self.dim(); ++d)
    if (!indexed[d]) {
      f.perm.push_back(d);
      f.rest_sizes.push_back(self.size(d));
    }
  int64_t outer = 1;
  for (int64_t d : ai.dims)
    outer *= self.size(d);
  std::vector<int64_t> flat_sizes{outer};
  flat_sizes.insert(flat_sizes.end(), f.rest_sizes.begin(), f.rest_sizes.end());
  f.flat = at::view_copy(at::permute_copy(self, f.perm), flat_sizes);
  at::Tensor rows;
  int64_t stride = 1;
  for (int64_t t = static_cast<int64_t>(ai.dims.size()) - 1; t >= 0; --t) {
    at::Tensor term =
        stride == 1 ? ai.indices[t] : at::mul(ai.indices[t], stride);
    rows = rows.defined() ? at::add(rows, term) : term;
    stride *= self.size(ai.dims[t]);
  }
  f.rows = rows;
  return f;
}

// Where the broadcast index dims land in the result of self[indices]: at
// the first indexed dim when the indexed dims are adjacent, else in front.
int64_t IndexResultOffset(const AdvancedIndex &ai) {
  return ai.adjacent ? ai.dims[0] : 0;
}

int64_t Numel(at::IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  return n;
}

} // namespace

// ---------------------------------------------------------------------------
// Reading a value on the host: sync the graph, then read the CPU copy.

at::Scalar LazyNativeFunctions::_local_scalar_dense(const at::Tensor &self) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return at::_local_scalar_dense(self.to(at::kCPU));
}

bool LazyNativeFunctions::equal(const at::Tensor &self,
                                const at::Tensor &other) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(self.scalar_type() == other.scalar_type(),
              "Expected object of scalar type ", self.scalar_type(),
              " but got scalar type ", other.scalar_type(),
              " for argument 'other'");
  if (!self.sizes().equals(other.sizes()))
    return false;
  if (self.numel() == 0)
    return true;
  return at::all(at::eq(self, other)).item<bool>();
}

at::Tensor LazyNativeFunctions::masked_fill(const at::Tensor &self,
                                            const at::Tensor &mask,
                                            const at::Tensor &value) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(
      value.dim() == 0,
      "masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
      "with ",
      value.dim(), " dimension(s).");
  at::Tensor v = value.to(self.scalar_type());
  if (!v.device().is_lazy())
    v = Upload(v, self);
  return at::where(mask, v, self);
}

// ---------------------------------------------------------------------------
// Data-dependent shapes: the count is read on the host (one sync of a
// compiled graph), the rest is a static-shape graph.

at::Tensor LazyNativeFunctions::nonzero(const at::Tensor &self) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  int64_t numel = self.numel();
  at::Tensor flat_mask = at::ne(at::view_copy(self, {numel}), 0);
  int64_t count =
      numel == 0 ? 0 : at::sum(flat_mask.to(at::kLong)).item<int64_t>();
  if (count == 0)
    return Upload(at::zeros({0, self.dim()}, at::kLong), self);
  if (!DenseFits(count, numel))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(nonzero)>::call(
        self);
  // The r-th nonzero is the element whose inclusive prefix count is r + 1.
  at::Tensor prefix = at::cumsum(flat_mask.to(at::kLong), 0);
  at::Tensor r = AlongDim(count, 0, 2, self); // [count, 1]
  at::Tensor is_r =
      at::logical_and(at::eq(at::unsqueeze_copy(prefix, 0), at::add(r, 1)),
                      at::unsqueeze_copy(flat_mask, 0));
  at::Tensor flat_idx = at::sum(
      at::mul(is_r.to(at::kLong), AlongDim(numel, 1, 2, self)), {1}); // [count]
  std::vector<at::Tensor> coords;
  int64_t stride = numel;
  for (int64_t d = 0; d < self.dim(); ++d) {
    stride /= std::max<int64_t>(self.size(d), 1);
    at::Tensor c =
        at::floor_divide(flat_idx, ScalarTensor(stride, at::kLong, self));
    c = at::remainder(c, self.size(d));
    coords.push_back(at::unsqueeze_copy(c, 1));
  }
  if (coords.empty())
    return Upload(at::zeros({count, 0}, at::kLong), self);
  return at::cat(coords, 1);
}

at::Tensor LazyNativeFunctions::masked_select(const at::Tensor &self,
                                              const at::Tensor &mask) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  std::vector<int64_t> sizes = at::infer_size(self.sizes(), mask.sizes());
  at::Tensor s =
      self.sizes().vec() == sizes ? self : at::expand_copy(self, sizes);
  at::Tensor m =
      mask.sizes().vec() == sizes ? mask : at::expand_copy(mask, sizes);
  int64_t numel = Numel(sizes);
  at::Tensor flat = at::view_copy(s, {numel});
  at::Tensor flat_mask = at::view_copy(m, {numel});
  int64_t count =
      numel == 0 ? 0 : at::sum(flat_mask.to(at::kLong)).item<int64_t>();
  if (count == 0)
    return Upload(at::zeros({0}, self.scalar_type()), self);
  if (!DenseFits(count, numel))
    return at::native::call_fallback_fn<&EagerFallback,
                                        ATEN_OP(masked_select)>::call(self,
                                                                      mask);
  at::Tensor positions = at::view_copy(at::nonzero(flat_mask), {count});
  return at::index_select(flat, 0, positions);
}

// ---------------------------------------------------------------------------
// Sorting and selection.

std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::sort(const at::Tensor &self, c10::optional<bool> stable,
                          int64_t dim, bool descending) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.dim() == 0)
    return std::make_tuple(at::mul(self, 1), ZeroIndices(self));
  dim = c10::maybe_wrap_dim(dim, self.dim());
  if (!SortFits(self, dim))
    return at::native::call_fallback_fn<
        &EagerFallback, ATEN_OP2(sort, stable)>::call(self, stable, dim,
                                                      descending);
  return DenseSort(self, dim, descending);
}

std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::topk(const at::Tensor &self, int64_t k, int64_t dim,
                          bool largest, bool sorted) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  int64_t wrapped = c10::maybe_wrap_dim(dim, self.dim());
  int64_t n = self.dim() == 0 ? 1 : self.size(wrapped);
  TORCH_CHECK(k >= 0 && k <= n, "selected index k out of range");
  if (self.dim() == 0)
    return std::make_tuple(at::mul(self, 1), ZeroIndices(self));
  if (!SortFits(self, wrapped) || k == 0)
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(topk)>::call(
        self, k, dim, largest, sorted);
  at::Tensor values, indices;
  std::tie(values, indices) = DenseSort(self, wrapped, /*descending=*/largest);
  return std::make_tuple(at::slice_copy(values, wrapped, 0, k),
                         at::slice_copy(indices, wrapped, 0, k));
}

std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::kthvalue(const at::Tensor &self, int64_t k, int64_t dim,
                              bool keepdim) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  int64_t wrapped = c10::maybe_wrap_dim(dim, self.dim());
  int64_t n = self.dim() == 0 ? 1 : self.size(wrapped);
  TORCH_CHECK(k >= 1 && k <= n,
              "kthvalue(): selected number k out of range for dimension ", dim);
  if (self.dim() == 0)
    return std::make_tuple(at::mul(self, 1), ZeroIndices(self));
  if (!SortFits(self, wrapped))
    return at::native::call_fallback_fn<&EagerFallback,
                                        ATEN_OP(kthvalue)>::call(self, k, dim,
                                                                 keepdim);
  at::Tensor values, indices;
  std::tie(values, indices) = DenseSort(self, wrapped, /*descending=*/false);
  return std::make_tuple(
      SqueezeUnless(at::slice_copy(values, wrapped, k - 1, k), wrapped,
                    keepdim),
      SqueezeUnless(at::slice_copy(indices, wrapped, k - 1, k), wrapped,
                    keepdim));
}

namespace {

// Median along dim. With NaNs, median returns the first NaN (eager's rule)
// and nanmedian the lower median of the rest.
std::tuple<at::Tensor, at::Tensor> DenseMedian(const at::Tensor &self,
                                               int64_t dim, bool keepdim,
                                               bool ignore_nan) {
  int64_t n = self.size(dim);
  at::Tensor values, indices;
  std::tie(values, indices) = DenseSort(self, dim, /*descending=*/false);
  at::Tensor nans = at::sum(IsNan(self).to(at::kLong), {dim}, /*keepdim=*/true);
  at::Tensor numbers = at::sub(ScalarTensor(n, at::kLong, self), nans);
  at::Tensor two = ScalarTensor(2, at::kLong, self);
  at::Tensor pos;
  if (ignore_nan) {
    pos = at::floor_divide(at::clamp_min(at::sub(numbers, 1), 0), two);
  } else {
    at::Tensor lower = ScalarTensor((n - 1) / 2, at::kLong, self);
    pos = at::where(at::gt(nans, 0), numbers, lower);
  }
  return std::make_tuple(
      SqueezeUnless(at::gather(values, dim, pos), dim, keepdim),
      SqueezeUnless(at::gather(indices, dim, pos), dim, keepdim));
}

} // namespace

std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::median(const at::Tensor &self, int64_t dim, bool keepdim) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  int64_t wrapped = c10::maybe_wrap_dim(dim, self.dim());
  if (self.dim() == 0)
    return std::make_tuple(at::mul(self, 1), ZeroIndices(self));
  if (!SortFits(self, wrapped))
    return at::native::call_fallback_fn<&EagerFallback,
                                        ATEN_OP2(median, dim)>::call(self, dim,
                                                                     keepdim);
  return DenseMedian(self, wrapped, keepdim, /*ignore_nan=*/false);
}

at::Tensor LazyNativeFunctions::median(const at::Tensor &self) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.numel() == 0 || !SortFits(at::view_copy(self, {self.numel()}), 0))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(median)>::call(
        self);
  return std::get<0>(
      DenseMedian(at::view_copy(self, {self.numel()}), 0, false, false));
}

std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::nanmedian(const at::Tensor &self, int64_t dim,
                               bool keepdim) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  int64_t wrapped = c10::maybe_wrap_dim(dim, self.dim());
  if (self.dim() == 0)
    return std::make_tuple(at::mul(self, 1), ZeroIndices(self));
  if (!SortFits(self, wrapped))
    return at::native::call_fallback_fn<
        &EagerFallback, ATEN_OP2(nanmedian, dim)>::call(self, dim, keepdim);
  return DenseMedian(self, wrapped, keepdim, /*ignore_nan=*/true);
}

at::Tensor LazyNativeFunctions::nanmedian(const at::Tensor &self) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.numel() == 0 || !SortFits(at::view_copy(self, {self.numel()}), 0))
    return at::native::call_fallback_fn<&EagerFallback,
                                        ATEN_OP(nanmedian)>::call(self);
  return std::get<0>(
      DenseMedian(at::view_copy(self, {self.numel()}), 0, false, true));
}

std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::mode(const at::Tensor &self, int64_t dim, bool keepdim) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.dim() == 0)
    return std::make_tuple(at::mul(self, 1), ZeroIndices(self));
  int64_t wrapped = c10::maybe_wrap_dim(dim, self.dim());
  if (!SortFits(self, wrapped))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(mode)>::call(
        self, dim, keepdim);
  dim = wrapped;
  int64_t n = self.size(dim);
  // The most frequent value, the smallest among equally frequent ones, and
  // the last index where it occurs (eager's choices).
  at::Tensor xi = at::unsqueeze_copy(self, dim + 1);
  at::Tensor xj = at::unsqueeze_copy(self, dim);
  at::Tensor counts = at::sum(at::eq(xi, xj).to(at::kLong), {dim + 1});
  at::Tensor top = at::amax(counts, {dim}, /*keepdim=*/true);
  at::Tensor cand = at::where(at::eq(counts, top), self, Highest(self));
  at::Tensor value = at::amin(cand, {dim}, /*keepdim=*/true);
  at::Tensor pos = AlongDim(n, dim, self.dim(), self);
  at::Tensor where_value =
      at::where(at::eq(self, value), pos, ScalarTensor(-1, at::kLong, self));
  at::Tensor index = at::amax(where_value, {dim}, /*keepdim=*/true);
  return std::make_tuple(SqueezeUnless(value, dim, keepdim),
                         SqueezeUnless(index, dim, keepdim));
}

// ---------------------------------------------------------------------------
// Scans over a masked prefix square.

std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::cummax(const at::Tensor &self, int64_t dim) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.dim() > 0 && !SortFits(self, c10::maybe_wrap_dim(dim, self.dim())))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(cummax)>::call(
        self, dim);
  return CumExtreme(self, dim, /*is_max=*/true);
}

std::tuple<at::Tensor, at::Tensor>
LazyNativeFunctions::cummin(const at::Tensor &self, int64_t dim) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.dim() > 0 && !SortFits(self, c10::maybe_wrap_dim(dim, self.dim())))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(cummin)>::call(
        self, dim);
  return CumExtreme(self, dim, /*is_max=*/false);
}

at::Tensor LazyNativeFunctions::cumprod(const at::Tensor &self, int64_t dim,
                                        c10::optional<at::ScalarType> dtype) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  at::Tensor x = self;
  if (dtype)
    x = x.to(*dtype);
  else if (at::isIntegralType(x.scalar_type(), /*includeBool=*/true))
    x = x.to(at::kLong);
  if (x.dim() == 0)
    return at::mul(x, 1);
  int64_t wrapped = c10::maybe_wrap_dim(dim, x.dim());
  if (!SortFits(x, wrapped))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(cumprod)>::call(
        self, dim, dtype);
  at::Tensor square =
      PrefixSquare(x, wrapped, ScalarTensor(1, x.scalar_type(), x));
  return at::prod(square, wrapped + 1, /*keepdim=*/false, x.scalar_type());
}

at::Tensor LazyNativeFunctions::_logcumsumexp(const at::Tensor &self,
                                              int64_t dim) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.dim() == 0)
    return at::mul(self, 1);
  int64_t wrapped = c10::maybe_wrap_dim(dim, self.dim());
  if (!SortFits(self, wrapped))
    return at::native::call_fallback_fn<&EagerFallback,
                                        ATEN_OP(_logcumsumexp)>::call(self,
                                                                      dim);
  at::Tensor square = PrefixSquare(self, wrapped, Lowest(self));
  return at::logsumexp(square, {wrapped + 1}, /*keepdim=*/false);
}

// ---------------------------------------------------------------------------
// Scatters as one-hot reductions over the target positions.

at::Tensor LazyNativeFunctions::scatter_reduce(
    const at::Tensor &self, int64_t dim, const at::Tensor &index,
    const at::Tensor &src, c10::string_view reduce, bool include_self) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(
      reduce == "sum" || reduce == "prod" || reduce == "mean" ||
          reduce == "amax" || reduce == "amin",
      "reduce argument must be either sum, prod, mean, amax or amin, got ",
      reduce);
  if (self.dim() == 0 && index.dim() <= 1 && src.dim() <= 1) {
    at::Tensor r = scatter_reduce(
        at::view_copy(self, {1}), 0, at::view_copy(index, {index.numel()}),
        at::view_copy(src, {src.numel()}), reduce, include_self);
    return at::view_copy(r, at::IntArrayRef{});
  }
  dim = c10::maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1));
  if (index.numel() == 0)
    return at::mul(self, 1);
  int64_t rank = index.dim();
  int64_t n = self.size(dim);
  if (rank != self.dim() || !DenseFits(index.numel(), n))
    return at::native::call_fallback_fn<
        &EagerFallback, ATEN_OP2(scatter_reduce, two)>::call(self, dim, index,
                                                             src, reduce,
                                                             include_self);
  at::Tensor part = src.to(self.scalar_type());
  for (int64_t i = 0; i < rank; ++i)
    if (part.size(i) != index.size(i))
      part = at::slice_copy(part, i, 0, index.size(i));
  // eq[.., k, j, ..]: source element k goes to target j.
  at::Tensor eq = at::eq(at::unsqueeze_copy(index, dim + 1),
                         AlongDim(n, dim + 1, rank + 1, self));
  at::Tensor spread = at::unsqueeze_copy(part, dim + 1);
  at::Tensor count = at::sum(eq.to(at::kLong), {dim});
  at::Tensor reduced;
  if (reduce == "sum" || reduce == "mean")
    reduced = at::sum(
        at::where(eq, spread, ScalarTensor(0, self.scalar_type(), self)),
        {dim});
  else if (reduce == "prod")
    reduced = at::prod(
        at::where(eq, spread, ScalarTensor(1, self.scalar_type(), self)), dim);
  else if (reduce == "amax")
    reduced = at::amax(at::where(eq, spread, Lowest(self)), {dim});
  else
    reduced = at::amin(at::where(eq, spread, Highest(self)), {dim});
  reduced = PadToShape(reduced, self.sizes(), 0);
  count = PadToShape(count, self.sizes(), 0);
  at::Tensor hit = at::gt(count, 0);
  at::Tensor combined = reduced;
  if (include_self) {
    if (reduce == "sum" || reduce == "mean")
      combined = at::add(self, reduced);
    else if (reduce == "prod")
      combined = at::mul(self, reduced);
    else if (reduce == "amax")
      combined = at::maximum(self, reduced);
    else
      combined = at::minimum(self, reduced);
  }
  if (reduce == "mean") {
    at::Tensor divisor =
        include_self ? at::add(count, 1) : at::clamp_min(count, 1);
    combined = at::isFloatingType(self.scalar_type())
                   ? at::div(combined, divisor.to(self.scalar_type()))
                   : at::floor_divide(combined, divisor).to(self.scalar_type());
  }
  return at::where(hit, combined, self);
}

at::Tensor LazyNativeFunctions::put(const at::Tensor &self,
                                    const at::Tensor &index,
                                    const at::Tensor &source, bool accumulate) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(index.numel() == source.numel(),
              "put_(): Expected source and index to have the same number of "
              "elements, but got source.numel() = ",
              source.numel(), ", index.numel() = ", index.numel());
  if (index.numel() == 0)
    return at::mul(self, 1);
  int64_t numel = self.numel();
  at::Tensor flat = at::view_copy(self, {numel});
  at::Tensor idx = at::view_copy(index, {index.numel()});
  idx = at::where(at::lt(idx, 0), at::add(idx, numel), idx);
  at::Tensor src =
      at::view_copy(source, {source.numel()}).to(self.scalar_type());
  at::Tensor r = accumulate ? at::scatter_add(flat, 0, idx, src)
                            : at::scatter(flat, 0, idx, src);
  return at::view_copy(r, self.sizes());
}

namespace {

// Mask along `dim` of self (broadcastable), true at the positions in index.
at::Tensor IndexMask(const at::Tensor &self, int64_t dim,
                     const at::Tensor &index) {
  int64_t n = self.dim() == 0 ? 1 : self.size(dim);
  at::Tensor idx = at::view_copy(index, {index.numel()});
  idx = at::where(at::lt(idx, 0), at::add(idx, n), idx);
  at::Tensor positions = AlongDim(n, 0, 2, self); // [n, 1]
  at::Tensor mask =
      at::any(at::eq(positions, at::unsqueeze_copy(idx, 0)), 1); // [n]
  if (self.dim() == 0)
    return at::view_copy(mask, at::IntArrayRef{});
  std::vector<int64_t> sizes(self.dim(), 1);
  sizes[dim] = n;
  return at::view_copy(mask, sizes);
}

} // namespace

at::Tensor LazyNativeFunctions::index_fill(const at::Tensor &self, int64_t dim,
                                           const at::Tensor &index,
                                           const at::Scalar &value) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  dim = c10::maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1));
  TORCH_CHECK_INDEX(index.dim() <= 1, "Index has to be a vector/scalar");
  if (index.numel() == 0)
    return at::mul(self, 1);
  return at::masked_fill(self, IndexMask(self, dim, index), value);
}

at::Tensor LazyNativeFunctions::index_fill(const at::Tensor &self, int64_t dim,
                                           const at::Tensor &index,
                                           const at::Tensor &value) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(value.dim() == 0,
              "index_fill_ only supports a 0-dimensional value tensor, but got "
              "tensor with ",
              value.dim(), " dimension(s).");
  dim = c10::maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1));
  TORCH_CHECK_INDEX(index.dim() <= 1, "Index has to be a vector/scalar");
  if (index.numel() == 0)
    return at::mul(self, 1);
  at::Tensor v = value.to(self.scalar_type());
  if (!v.device().is_lazy())
    v = Upload(v, self);
  return at::where(IndexMask(self, dim, index), v, self);
}

// ---------------------------------------------------------------------------
// Searching and membership: broadcast comparisons summed or any-reduced.

at::Tensor LazyNativeFunctions::searchsorted(
    const at::Tensor &sorted_sequence, const at::Tensor &self, bool out_int32,
    bool right, c10::optional<c10::string_view> side,
    const c10::optional<at::Tensor> &sorter) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  bool use_right = right || (side && *side == "right");
  TORCH_CHECK(!(side && *side == "left" && right),
              "torch.searchsorted(): side and right can't be set to opposites, "
              "got side of "
              "left while right was True");
  bool shapes_ok = sorted_sequence.dim() == 1 ||
                   (sorted_sequence.dim() == self.dim() &&
                    sorted_sequence.sizes()
                        .slice(0, self.dim() - 1)
                        .equals(self.sizes().slice(0, self.dim() - 1)));
  // Nothing to compare: every count is 0 (an empty input gives an empty
  // result).
  if (shapes_ok && sorted_sequence.dim() > 0 &&
      (self.numel() == 0 || sorted_sequence.size(-1) == 0))
    return Upload(at::zeros(self.sizes(), out_int32 ? at::kInt : at::kLong),
                  sorted_sequence);
  if (!shapes_ok || sorted_sequence.dim() == 0 || self.numel() == 0 ||
      sorted_sequence.size(-1) == 0 ||
      !DenseFits(self.numel(), sorted_sequence.size(-1)))
    return at::native::call_fallback_fn<
        &EagerFallback, ATEN_OP2(searchsorted, Tensor)>::call(sorted_sequence,
                                                              self, out_int32,
                                                              right, side,
                                                              sorter);
  at::Tensor seq = sorted_sequence;
  if (sorter && sorter->defined())
    seq = at::gather(seq, -1, *sorter);
  return CountBelow(seq, self, use_right, out_int32);
}

at::Tensor LazyNativeFunctions::searchsorted(
    const at::Tensor &sorted_sequence, const at::Scalar &self, bool out_int32,
    bool right, c10::optional<c10::string_view> side,
    const c10::optional<at::Tensor> &sorter) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(sorted_sequence.dim() == 1,
              "torch.searchsorted(): input value can be a scalar only when "
              "sorted_sequence "
              "tensor dimension is 1, but we got sorted_sequence dim(",
              sorted_sequence.dim(), ")");
  at::Tensor value =
      ScalarTensor(self, sorted_sequence.scalar_type(), sorted_sequence);
  return searchsorted(sorted_sequence, value, out_int32, right, side, sorter);
}

at::Tensor LazyNativeFunctions::bucketize(const at::Tensor &self,
                                          const at::Tensor &boundaries,
                                          bool out_int32, bool right) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(boundaries.dim() == 1,
              "boundaries tensor must be 1 dimension, but got dim(",
              boundaries.dim(), ")");
  if (self.numel() == 0 || boundaries.numel() == 0)
    return Upload(at::zeros(self.sizes(), out_int32 ? at::kInt : at::kLong),
                  boundaries);
  if (self.numel() == 0 || boundaries.numel() == 0 ||
      !DenseFits(self.numel(), boundaries.numel()))
    return at::native::call_fallback_fn<
        &EagerFallback, ATEN_OP2(bucketize, Tensor)>::call(self, boundaries,
                                                           out_int32, right);
  return CountBelow(boundaries, self, right, out_int32);
}

at::Tensor LazyNativeFunctions::bucketize(const at::Scalar &self,
                                          const at::Tensor &boundaries,
                                          bool out_int32, bool right) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return bucketize(ScalarTensor(self, boundaries.scalar_type(), boundaries),
                   boundaries, out_int32, right);
}

at::Tensor LazyNativeFunctions::isin(const at::Tensor &elements,
                                     const at::Tensor &test_elements,
                                     bool assume_unique, bool invert) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (test_elements.numel() == 0 || elements.numel() == 0) {
    at::Tensor r = at::full(elements.sizes(), invert, at::kBool);
    return Upload(r, elements);
  }
  if (!DenseFits(elements.numel(), test_elements.numel()))
    return at::native::call_fallback_fn<
        &EagerFallback, ATEN_OP2(isin, Tensor_Tensor)>::call(elements,
                                                             test_elements,
                                                             assume_unique,
                                                             invert);
  at::Tensor test = at::view_copy(test_elements, {test_elements.numel()});
  at::Tensor found =
      at::any(at::eq(at::unsqueeze_copy(elements, -1), test), -1);
  return invert ? at::logical_not(found) : found;
}

at::Tensor LazyNativeFunctions::isin(const at::Tensor &elements,
                                     const at::Scalar &test_element,
                                     bool assume_unique, bool invert) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return invert ? at::ne(elements, test_element)
                : at::eq(elements, test_element);
}

at::Tensor LazyNativeFunctions::isin(const at::Scalar &element,
                                     const at::Tensor &test_elements,
                                     bool assume_unique, bool invert) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (test_elements.numel() == 0)
    return Upload(at::full({}, invert, at::kBool), test_elements);
  at::Tensor found = at::any(at::eq(test_elements, element));
  return invert ? at::logical_not(found) : found;
}

at::Tensor LazyNativeFunctions::histc(const at::Tensor &self, int64_t bins,
                                      const at::Scalar &min,
                                      const at::Scalar &max) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(bins > 0, "torch.histc(): bins must be > 0, but got ", bins,
              " for dimension 0");
  double lo_v = min.toDouble(), hi_v = max.toDouble();
  TORCH_CHECK(lo_v <= hi_v, "torch.histc(): max must be larger than min");
  if (!at::isFloatingType(self.scalar_type()) || self.numel() == 0 ||
      !DenseFits(self.numel(), bins) || !std::isfinite(lo_v) ||
      !std::isfinite(hi_v))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(histc)>::call(
        self, bins, min, max);
  at::ScalarType dt = self.scalar_type();
  at::Tensor flat = at::view_copy(self, {self.numel()});
  at::Tensor lo = ScalarTensor(lo_v, dt, self),
             hi = ScalarTensor(hi_v, dt, self);
  if (lo_v == hi_v) {
    // The data's range, widened by one each way when it is a single value.
    lo = at::amin(flat, {0});
    hi = at::amax(flat, {0});
    at::Tensor same = at::eq(lo, hi);
    lo = at::where(same, at::sub(lo, 1), lo);
    hi = at::where(same, at::add(hi, 1), hi);
  }
  // Eager's bin: (x - lo) * bins / (hi - lo), truncated; x == hi goes last.
  at::Tensor pos = at::div(at::mul(at::sub(flat, lo), bins), at::sub(hi, lo));
  pos = at::clamp_max(at::trunc(pos).to(at::kLong), bins - 1);
  at::Tensor inside = at::logical_and(at::ge(flat, lo), at::le(flat, hi));
  at::Tensor onehot = at::logical_and(
      at::eq(at::unsqueeze_copy(pos, 1), AlongDim(bins, 1, 2, self)),
      at::unsqueeze_copy(inside, 1));
  return at::sum(onehot.to(dt), {0});
}

// ---------------------------------------------------------------------------
// Advanced indexing with integer index tensors: the indexed dims are
// flattened into one and read with index_select / written with scatter.

at::Tensor LazyNativeFunctions::index(
    const at::Tensor &self,
    const c10::List<c10::optional<at::Tensor>> &indices) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  AdvancedIndex ai;
  if (self.numel() == 0 || !PrepareAdvancedIndex(self, indices, &ai) ||
      Numel(ai.shape) == 0)
    return at::native::call_fallback_fn<&EagerFallback,
                                        ATEN_OP2(index, Tensor)>::call(self,
                                                                       indices);
  FlatIndex f = FlattenIndexed(self, ai);
  int64_t count = Numel(ai.shape);
  at::Tensor rows = at::index_select(f.flat, 0, at::view_copy(f.rows, {count}));
  std::vector<int64_t> sizes = ai.shape;
  sizes.insert(sizes.end(), f.rest_sizes.begin(), f.rest_sizes.end());
  at::Tensor result = at::view_copy(rows, sizes);
  int64_t offset = IndexResultOffset(ai);
  if (offset == 0)
    return result;
  // Move the broadcast dims to the position of the first indexed dim.
  int64_t b = static_cast<int64_t>(ai.shape.size());
  int64_t r = static_cast<int64_t>(f.rest_sizes.size());
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < offset; ++i)
    perm.push_back(b + i);
  for (int64_t i = 0; i < b; ++i)
    perm.push_back(i);
  for (int64_t i = offset; i < r; ++i)
    perm.push_back(b + i);
  return at::permute_copy(result, perm);
}

at::Tensor LazyNativeFunctions::index_put(
    const at::Tensor &self, const c10::List<c10::optional<at::Tensor>> &indices,
    const at::Tensor &values, bool accumulate) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  AdvancedIndex ai;
  if (self.numel() == 0 || !PrepareAdvancedIndex(self, indices, &ai) ||
      Numel(ai.shape) == 0)
    return at::native::call_fallback_fn<&EagerFallback,
                                        ATEN_OP(index_put)>::call(self, indices,
                                                                  values,
                                                                  accumulate);
  FlatIndex f = FlattenIndexed(self, ai);
  int64_t count = Numel(ai.shape);
  int64_t b = static_cast<int64_t>(ai.shape.size());
  int64_t r = static_cast<int64_t>(f.rest_sizes.size());
  int64_t offset = IndexResultOffset(ai);
  // The shape of self[indices], which values broadcast to.
  std::vector<int64_t> result_sizes(f.rest_sizes.begin(),
                                    f.rest_sizes.begin() + offset);
  result_sizes.insert(result_sizes.end(), ai.shape.begin(), ai.shape.end());
  result_sizes.insert(result_sizes.end(), f.rest_sizes.begin() + offset,
                      f.rest_sizes.end());
  at::Tensor v = values.to(self.scalar_type());
  if (!v.device().is_lazy())
    v = Upload(v, self);
  if (v.sizes().vec() != result_sizes)
    v = at::expand_copy(v, result_sizes);
  if (offset != 0) {
    // Back to [broadcast dims, rest dims].
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < b; ++i)
      perm.push_back(offset + i);
    for (int64_t i = 0; i < offset; ++i)
      perm.push_back(i);
    for (int64_t i = offset; i < r; ++i)
      perm.push_back(b + i);
    v = at::permute_copy(v, perm);
  }
  std::vector<int64_t> row_sizes{count};
  row_sizes.insert(row_sizes.end(), f.rest_sizes.begin(), f.rest_sizes.end());
  v = at::view_copy(v, row_sizes);
  std::vector<int64_t> idx_sizes(r + 1, 1);
  idx_sizes[0] = count;
  at::Tensor idx = at::expand_copy(at::view_copy(f.rows, idx_sizes), row_sizes);
  at::Tensor updated = accumulate ? at::scatter_add(f.flat, 0, idx, v)
                                  : at::scatter(f.flat, 0, idx, v);
  std::vector<int64_t> permuted_sizes;
  for (int64_t d : f.perm)
    permuted_sizes.push_back(self.size(d));
  updated = at::view_copy(updated, permuted_sizes);
  std::vector<int64_t> inverse(f.perm.size());
  for (size_t i = 0; i < f.perm.size(); ++i)
    inverse[f.perm[i]] = static_cast<int64_t>(i);
  return at::permute_copy(updated, inverse);
}

// ---------------------------------------------------------------------------
// index_add / index_copy / index_reduce: scatters along dim with the index
// repeated over source's other dims.

namespace {

// index (0-d or 1-d) laid along `dim` of source and expanded to its shape.
at::Tensor SpreadIndex(const at::Tensor &index, int64_t dim,
                       const at::Tensor &source) {
  std::vector<int64_t> sizes(source.dim(), 1);
  sizes[dim] = index.numel();
  return at::expand_copy(at::view_copy(index, sizes), source.sizes());
}

// Runs `fn` on 1-d views when self is 0-d (ATen treats it as one element).
template <typename Fn>
at::Tensor OnAtLeast1d(const at::Tensor &self, const at::Tensor &source,
                       const at::Tensor &index, Fn fn) {
  if (self.dim() > 0)
    return fn(self, source, index);
  at::Tensor r =
      fn(at::view_copy(self, {1}), at::view_copy(source, {source.numel()}),
         at::view_copy(index, {index.numel()}));
  return at::view_copy(r, at::IntArrayRef{});
}

} // namespace

at::Tensor LazyNativeFunctions::index_add(const at::Tensor &self, int64_t dim,
                                          const at::Tensor &index,
                                          const at::Tensor &source,
                                          const at::Scalar &alpha) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK_INDEX(index.dim() <= 1,
                    "index_add_(): Index is supposed to be a vector");
  dim = c10::maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1));
  if (index.numel() == 0)
    return at::mul(self, 1);
  return OnAtLeast1d(
      self, source, index,
      [&](const at::Tensor &s, const at::Tensor &src, const at::Tensor &idx) {
        at::Tensor v = src.to(s.scalar_type());
        if (!(alpha.isIntegral(true) && alpha.toLong() == 1))
          v = at::mul(v, alpha);
        return at::scatter_add(s, dim, SpreadIndex(idx, dim, v), v);
      });
}

at::Tensor LazyNativeFunctions::index_copy(const at::Tensor &self, int64_t dim,
                                           const at::Tensor &index,
                                           const at::Tensor &source) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK_INDEX(index.dim() <= 1,
                    "index_copy_(): Index should have dimension 1 or 0");
  dim = c10::maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1));
  if (index.numel() == 0)
    return at::mul(self, 1);
  return OnAtLeast1d(
      self, source, index,
      [&](const at::Tensor &s, const at::Tensor &src, const at::Tensor &idx) {
        at::Tensor v = src.to(s.scalar_type());
        return at::scatter(s, dim, SpreadIndex(idx, dim, v), v);
      });
}

at::Tensor LazyNativeFunctions::index_reduce(
    const at::Tensor &self, int64_t dim, const at::Tensor &index,
    const at::Tensor &source, c10::string_view reduce, bool include_self) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(
      reduce == "prod" || reduce == "mean" || reduce == "amax" ||
          reduce == "amin",
      "index_reduce(): Expected reduce to be one of prod, mean, amax or "
      "amin but got ",
      reduce, ".");
  TORCH_CHECK_INDEX(index.dim() <= 1,
                    "index_reduce_(): Index is supposed to be a vector");
  dim = c10::maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1));
  if (index.numel() == 0)
    return at::mul(self, 1);
  return OnAtLeast1d(
      self, source, index,
      [&](const at::Tensor &s, const at::Tensor &src, const at::Tensor &idx) {
        at::Tensor v = src.to(s.scalar_type());
        return at::scatter_reduce(s, dim, SpreadIndex(idx, dim, v), v, reduce,
                                  include_self);
      });
}

// ---------------------------------------------------------------------------
// In-place forms that backward formulas call on fresh zeros (ATen's
// index_backward and masked_select_backward): the functional result becomes
// the tensor's new value.

namespace {

at::Tensor &AssignResult(at::Tensor &self, const at::Tensor &result) {
  torch::lazy::LazyTensorPtr lazy_self = torch::lazy::TryGetLtcTensor(self);
  torch::lazy::LazyTensorPtr lazy_result = torch::lazy::TryGetLtcTensor(result);
  TORCH_CHECK(lazy_self && lazy_result,
              "ltc-mlir: in-place update of a tensor that is not lazy");
  lazy_self->SetInPlaceIrValue(lazy_result->GetIrValue());
  return self;
}

} // namespace

at::Tensor &LazyNativeFunctions::_index_put_impl_(
    at::Tensor &self, const c10::List<c10::optional<at::Tensor>> &indices,
    const at::Tensor &values, bool accumulate, bool unsafe) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  AdvancedIndex ai;
  if (self.numel() == 0 || !PrepareAdvancedIndex(self, indices, &ai) ||
      Numel(ai.shape) == 0)
    return at::native::call_fallback_fn<
        &EagerFallback, ATEN_OP(_index_put_impl_)>::call(self, indices, values,
                                                         accumulate, unsafe);
  return AssignResult(self, index_put(self, indices, values, accumulate));
}

at::Tensor &LazyNativeFunctions::masked_scatter_(at::Tensor &self,
                                                 const at::Tensor &mask,
                                                 const at::Tensor &source) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.numel() == 0 || source.numel() == 0)
    return self;
  // Element p takes source[(number of set mask elements up to p) - 1].
  int64_t numel = self.numel();
  at::Tensor m = mask.sizes().equals(self.sizes())
                     ? mask
                     : at::expand_copy(mask, self.sizes());
  at::Tensor flat_mask = at::view_copy(m, {numel});
  at::Tensor pos = at::sub(at::cumsum(flat_mask.to(at::kLong), 0), 1);
  pos = at::clamp_max(at::clamp_min(pos, 0), source.numel() - 1);
  at::Tensor src =
      at::view_copy(source, {source.numel()}).to(self.scalar_type());
  at::Tensor taken = at::view_copy(at::index_select(src, 0, pos), self.sizes());
  return AssignResult(self, at::where(m, taken, self));
}

} // namespace ltc_mlir
