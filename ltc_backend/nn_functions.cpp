// Decompositions of nn ops (padding, upsampling, adaptive pooling, losses)
// into traced ops that already lower, in the style of PyTorch's
// decomposition tables. Each resampling op is a linear map along each of its
// spatial dims: the forward applies a small [out, in] matrix (or an exact
// index_select), the backward applies its transpose.
#include "ltc_backend/generated/LazyNativeFunctions.h"
#include "ltc_backend/eager_fallback.h"

#include <ATen/ExpandUtils.h>
#include <ATen/Functions.h>
#include <ATen/Operators.h>
#include <ATen/native/CPUFallback.h>
#include <ATen/core/Reduction.h>
#include <c10/core/WrapDimMinimal.h>
#include <torch/csrc/lazy/core/metrics.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ltc_mlir {

namespace {

// A CPU constant moved onto the device of `like` (a graph input).
at::Tensor ToDeviceOf(const at::Tensor& cpu, const at::Tensor& like) {
  return cpu.to(like.device());
}

at::Tensor ApplyReduction(const at::Tensor& loss, int64_t reduction) {
  if (reduction == at::Reduction::Mean)
    return at::mean(loss);
  if (reduction == at::Reduction::Sum)
    return at::sum(loss);
  return loss;
}

// y[.., o, ..] = sum_i m[o, i] * x[.., i, ..] along `dim`: `dim` is moved
// last, the rest folded into rows of one matmul.
at::Tensor MatmulAlongDim(const at::Tensor& x, const at::Tensor& m, int64_t dim) {
  int64_t rank = x.dim();
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    if (i != dim)
      perm.push_back(i);
  perm.push_back(dim);
  std::vector<int64_t> inverse(rank);
  for (int64_t i = 0; i < rank; ++i)
    inverse[perm[i]] = i;
  at::Tensor moved = at::permute_copy(x, perm);
  int64_t rows = 1;
  std::vector<int64_t> sizes;
  for (int64_t i = 0; i + 1 < rank; ++i) {
    rows *= moved.size(i);
    sizes.push_back(moved.size(i));
  }
  at::Tensor y = at::mm(at::view_copy(moved, {rows, x.size(dim)}), at::t_copy(m));
  sizes.push_back(m.size(0));
  return at::permute_copy(at::view_copy(y, sizes), inverse);
}

// ---- padding: source index of each output cell ----------------------------

enum class PadMode { kReflect, kReplicate };

std::vector<int64_t> PadSource(int64_t in, int64_t before, int64_t after, PadMode mode) {
  int64_t out = in + before + after;
  std::vector<int64_t> src(std::max<int64_t>(out, 0));
  for (int64_t j = 0; j < out; ++j) {
    int64_t s = j - before;
    if (mode == PadMode::kReplicate) {
      s = std::min(std::max<int64_t>(s, 0), in - 1);
    } else {
      if (s < 0)
        s = -s;
      if (s >= in)
        s = 2 * (in - 1) - s;
    }
    src[j] = s;
  }
  return src;
}

// The [out, in] one-hot matrix of an index map.
at::Tensor OneHot(const std::vector<int64_t>& src, int64_t in, const at::Tensor& like) {
  at::Tensor m = at::zeros({static_cast<int64_t>(src.size()), in}, at::kDouble);
  double* data = m.data_ptr<double>();
  for (size_t o = 0; o < src.size(); ++o)
    data[o * in + src[o]] += 1.0;
  return ToDeviceOf(m.to(like.scalar_type()), like);
}

void CheckPad(const char* name, const at::Tensor& self, at::IntArrayRef padding, PadMode mode) {
  int64_t k = static_cast<int64_t>(padding.size()) / 2;
  TORCH_CHECK(padding.size() % 2 == 0 && k >= 1 && k <= 3, name, ": bad padding size");
  TORCH_CHECK(self.dim() == k + 1 || self.dim() == k + 2, name, ": expected ", k + 1, "D or ",
              k + 2, "D input, got ", self.dim(), "D");
  for (int64_t i = 0; i < k; ++i) {
    int64_t dim = self.dim() - 1 - i;
    int64_t in = self.size(dim);
    int64_t before = padding[2 * i], after = padding[2 * i + 1];
    TORCH_CHECK(in > 0, name, ": input has a zero-sized padded dimension");
    if (mode == PadMode::kReflect)
      TORCH_CHECK(before < in && after < in, name,
                  ": padding size should be less than the corresponding input dimension, but got: "
                  "padding (", before, ", ", after, ") at dimension ", dim, " of input ",
                  self.sizes());
    TORCH_CHECK(in + before + after > 0, name, ": output size is too small");
  }
}

at::Tensor Pad(const char* name, const at::Tensor& self, at::IntArrayRef padding, PadMode mode) {
  CheckPad(name, self, padding, mode);
  at::Tensor y = self;
  int64_t k = static_cast<int64_t>(padding.size()) / 2;
  for (int64_t i = 0; i < k; ++i) {
    int64_t dim = self.dim() - 1 - i;
    std::vector<int64_t> src =
        PadSource(self.size(dim), padding[2 * i], padding[2 * i + 1], mode);
    at::Tensor index = ToDeviceOf(at::tensor(src, at::kLong), self);
    y = at::index_select(y, dim, index);
  }
  return y;
}

at::Tensor PadBackward(const char* name, const at::Tensor& grad_output, const at::Tensor& self,
                       at::IntArrayRef padding, PadMode mode) {
  CheckPad(name, self, padding, mode);
  at::Tensor g = grad_output;
  int64_t k = static_cast<int64_t>(padding.size()) / 2;
  for (int64_t i = 0; i < k; ++i) {
    int64_t dim = self.dim() - 1 - i;
    int64_t in = self.size(dim);
    std::vector<int64_t> src = PadSource(in, padding[2 * i], padding[2 * i + 1], mode);
    TORCH_CHECK(g.size(dim) == static_cast<int64_t>(src.size()), name,
                ": grad_output has the wrong size at dimension ", dim);
    g = MatmulAlongDim(g, at::t_copy(OneHot(src, in, g)), dim);
  }
  return g;
}

// ---- interpolation matrices -------------------------------------------------

// ATen's area_pixel_compute_scale.
double SourceScale(int64_t in, int64_t out, bool align_corners, c10::optional<double> scale) {
  if (align_corners)
    return out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  if (scale && *scale > 0)
    return 1.0 / *scale;
  return static_cast<double>(in) / static_cast<double>(out);
}

// ATen's area_pixel_compute_source_index.
double SourceIndex(double scale, int64_t o, bool align_corners, bool cubic) {
  if (align_corners)
    return scale * o;
  double src = scale * (o + 0.5) - 0.5;
  return (!cubic && src < 0) ? 0.0 : src;
}

// [out, in] weights of linear interpolation along one dim.
at::Tensor LinearMatrix(int64_t out, int64_t in, bool align_corners, c10::optional<double> scale,
                        const at::Tensor& like) {
  at::Tensor m = at::zeros({out, in}, at::kDouble);
  double* data = m.data_ptr<double>();
  double s = SourceScale(in, out, align_corners, scale);
  for (int64_t o = 0; o < out; ++o) {
    double src = SourceIndex(s, o, align_corners, /*cubic=*/false);
    int64_t i0 = std::min<int64_t>(static_cast<int64_t>(src), in - 1);
    int64_t i1 = i0 < in - 1 ? i0 + 1 : i0;
    double lambda = std::min(std::max(src - i0, 0.0), 1.0);
    data[o * in + i0] += 1.0 - lambda;
    data[o * in + i1] += lambda;
  }
  return ToDeviceOf(m.to(like.scalar_type()), like);
}

// [out, in] weights of ATen's bicubic interpolation (A = -0.75, borders
// clamped) along one dim.
at::Tensor CubicMatrix(int64_t out, int64_t in, bool align_corners, c10::optional<double> scale,
                       const at::Tensor& like) {
  const double A = -0.75;
  auto near = [&](double x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };
  auto far = [&](double x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };
  at::Tensor m = at::zeros({out, in}, at::kDouble);
  double* data = m.data_ptr<double>();
  double s = SourceScale(in, out, align_corners, scale);
  for (int64_t o = 0; o < out; ++o) {
    double src = SourceIndex(s, o, align_corners, /*cubic=*/true);
    int64_t base = static_cast<int64_t>(std::floor(src));
    double t = src - base;
    double w[4] = {far(t + 1), near(t), near(1 - t), far(2 - t)};
    for (int64_t k = 0; k < 4; ++k) {
      int64_t i = std::min(std::max<int64_t>(base - 1 + k, 0), in - 1);
      data[o * in + i] += w[k];
    }
  }
  return ToDeviceOf(m.to(like.scalar_type()), like);
}

// [out, in] averaging weights of adaptive average pooling along one dim.
at::Tensor AdaptiveAvgMatrix(int64_t out, int64_t in, const at::Tensor& like) {
  at::Tensor m = at::zeros({out, in}, at::kDouble);
  double* data = m.data_ptr<double>();
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = (o * in) / out;
    int64_t end = ((o + 1) * in + out - 1) / out;
    for (int64_t i = start; i < end; ++i)
      data[o * in + i] = 1.0 / static_cast<double>(end - start);
  }
  return ToDeviceOf(m.to(like.scalar_type()), like);
}

// Applies one matrix per trailing dim (the last matrices.size() dims); with
// `transpose`, their transposes (the backward).
at::Tensor ApplyPerDim(const at::Tensor& x, const std::vector<at::Tensor>& matrices,
                       bool transpose) {
  at::Tensor y = x;
  int64_t first = x.dim() - static_cast<int64_t>(matrices.size());
  for (size_t i = 0; i < matrices.size(); ++i)
    y = MatmulAlongDim(y, transpose ? at::t_copy(matrices[i]) : matrices[i], first + i);
  return y;
}

c10::optional<double> ScaleAt(const std::vector<c10::optional<double>>& scales, size_t i) {
  return i < scales.size() ? scales[i] : c10::nullopt;
}

enum class Interp { kLinear, kCubic };

std::vector<at::Tensor> InterpMatrices(at::IntArrayRef output_size, at::IntArrayRef input_size,
                                       bool align_corners,
                                       const std::vector<c10::optional<double>>& scales,
                                       Interp kind, const at::Tensor& like) {
  std::vector<at::Tensor> matrices;
  size_t k = output_size.size();
  for (size_t i = 0; i < k; ++i) {
    int64_t in = input_size[input_size.size() - k + i];
    TORCH_CHECK(in > 0 && output_size[i] > 0, "upsample: input and output sizes should be "
                "greater than 0, but got input ", input_size, " output ", output_size);
    matrices.push_back(kind == Interp::kLinear
                           ? LinearMatrix(output_size[i], in, align_corners, ScaleAt(scales, i),
                                          like)
                           : CubicMatrix(output_size[i], in, align_corners, ScaleAt(scales, i),
                                         like));
  }
  return matrices;
}

at::Tensor Upsample(const char* name, const at::Tensor& self, at::IntArrayRef output_size,
                    bool align_corners, const std::vector<c10::optional<double>>& scales,
                    Interp kind) {
  TORCH_CHECK(self.dim() == static_cast<int64_t>(output_size.size()) + 2, name,
              ": expected a ", output_size.size() + 2, "D input, got ", self.sizes());
  return ApplyPerDim(self,
                     InterpMatrices(output_size, self.sizes(), align_corners, scales, kind, self),
                     /*transpose=*/false);
}

at::Tensor UpsampleBackward(const char* name, const at::Tensor& grad_output,
                            at::IntArrayRef output_size, at::IntArrayRef input_size,
                            bool align_corners, const std::vector<c10::optional<double>>& scales,
                            Interp kind) {
  TORCH_CHECK(input_size.size() == output_size.size() + 2 &&
                  grad_output.dim() == static_cast<int64_t>(input_size.size()),
              name, ": bad sizes");
  return ApplyPerDim(
      grad_output,
      InterpMatrices(output_size, input_size, align_corners, scales, kind, grad_output),
      /*transpose=*/true);
}

} // namespace

// ---- reflection / replication padding ---------------------------------------

at::Tensor LazyNativeFunctions::reflection_pad1d(const at::Tensor& self, at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Pad("reflection_pad1d", self, padding, PadMode::kReflect);
}

at::Tensor LazyNativeFunctions::reflection_pad2d(const at::Tensor& self, at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Pad("reflection_pad2d", self, padding, PadMode::kReflect);
}

at::Tensor LazyNativeFunctions::reflection_pad3d(const at::Tensor& self, at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Pad("reflection_pad3d", self, padding, PadMode::kReflect);
}

at::Tensor LazyNativeFunctions::replication_pad1d(const at::Tensor& self,
                                                  at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Pad("replication_pad1d", self, padding, PadMode::kReplicate);
}

at::Tensor LazyNativeFunctions::replication_pad2d(const at::Tensor& self,
                                                  at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Pad("replication_pad2d", self, padding, PadMode::kReplicate);
}

at::Tensor LazyNativeFunctions::replication_pad3d(const at::Tensor& self,
                                                  at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Pad("replication_pad3d", self, padding, PadMode::kReplicate);
}

at::Tensor LazyNativeFunctions::reflection_pad1d_backward(const at::Tensor& grad_output,
                                                          const at::Tensor& self,
                                                          at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return PadBackward("reflection_pad1d_backward", grad_output, self, padding, PadMode::kReflect);
}

at::Tensor LazyNativeFunctions::reflection_pad2d_backward(const at::Tensor& grad_output,
                                                          const at::Tensor& self,
                                                          at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return PadBackward("reflection_pad2d_backward", grad_output, self, padding, PadMode::kReflect);
}

at::Tensor LazyNativeFunctions::reflection_pad3d_backward(const at::Tensor& grad_output,
                                                          const at::Tensor& self,
                                                          at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return PadBackward("reflection_pad3d_backward", grad_output, self, padding, PadMode::kReflect);
}

at::Tensor LazyNativeFunctions::replication_pad1d_backward(const at::Tensor& grad_output,
                                                           const at::Tensor& self,
                                                           at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return PadBackward("replication_pad1d_backward", grad_output, self, padding,
                     PadMode::kReplicate);
}

at::Tensor LazyNativeFunctions::replication_pad2d_backward(const at::Tensor& grad_output,
                                                           const at::Tensor& self,
                                                           at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return PadBackward("replication_pad2d_backward", grad_output, self, padding,
                     PadMode::kReplicate);
}

at::Tensor LazyNativeFunctions::replication_pad3d_backward(const at::Tensor& grad_output,
                                                           const at::Tensor& self,
                                                           at::IntArrayRef padding) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return PadBackward("replication_pad3d_backward", grad_output, self, padding,
                     PadMode::kReplicate);
}

// ---- interpolation ------------------------------------------------------------

at::Tensor LazyNativeFunctions::upsample_linear1d(const at::Tensor& self,
                                                  at::IntArrayRef output_size, bool align_corners,
                                                  c10::optional<double> scales) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Upsample("upsample_linear1d", self, output_size, align_corners, {scales},
                  Interp::kLinear);
}

at::Tensor LazyNativeFunctions::upsample_linear1d_backward(
    const at::Tensor& grad_output, at::IntArrayRef output_size, at::IntArrayRef input_size,
    bool align_corners, c10::optional<double> scales) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return UpsampleBackward("upsample_linear1d_backward", grad_output, output_size, input_size,
                          align_corners, {scales}, Interp::kLinear);
}

at::Tensor LazyNativeFunctions::upsample_trilinear3d(
    const at::Tensor& self, at::IntArrayRef output_size, bool align_corners,
    c10::optional<double> scales_d, c10::optional<double> scales_h,
    c10::optional<double> scales_w) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Upsample("upsample_trilinear3d", self, output_size, align_corners,
                  {scales_d, scales_h, scales_w}, Interp::kLinear);
}

at::Tensor LazyNativeFunctions::upsample_trilinear3d_backward(
    const at::Tensor& grad_output, at::IntArrayRef output_size, at::IntArrayRef input_size,
    bool align_corners, c10::optional<double> scales_d, c10::optional<double> scales_h,
    c10::optional<double> scales_w) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return UpsampleBackward("upsample_trilinear3d_backward", grad_output, output_size, input_size,
                          align_corners, {scales_d, scales_h, scales_w}, Interp::kLinear);
}

at::Tensor LazyNativeFunctions::upsample_bicubic2d(const at::Tensor& self,
                                                   at::IntArrayRef output_size,
                                                   bool align_corners,
                                                   c10::optional<double> scales_h,
                                                   c10::optional<double> scales_w) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return Upsample("upsample_bicubic2d", self, output_size, align_corners, {scales_h, scales_w},
                  Interp::kCubic);
}

at::Tensor LazyNativeFunctions::upsample_bicubic2d_backward(
    const at::Tensor& grad_output, at::IntArrayRef output_size, at::IntArrayRef input_size,
    bool align_corners, c10::optional<double> scales_h, c10::optional<double> scales_w) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  return UpsampleBackward("upsample_bicubic2d_backward", grad_output, output_size, input_size,
                          align_corners, {scales_h, scales_w}, Interp::kCubic);
}

// ---- adaptive average pooling (3-D) ------------------------------------------

at::Tensor LazyNativeFunctions::_adaptive_avg_pool3d(const at::Tensor& self,
                                                     at::IntArrayRef output_size) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(self.dim() == 4 || self.dim() == 5,
              "adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got ", self.sizes());
  TORCH_CHECK(output_size.size() == 3, "adaptive_avg_pool3d: output_size must be 3");
  for (int64_t i = 1; i < self.dim(); ++i)
    TORCH_CHECK(self.size(i) > 0, "adaptive_avg_pool3d(): Expected input to have non-zero size "
                "for non-batch dimensions, but input has sizes ", self.sizes());
  std::vector<at::Tensor> matrices;
  for (int64_t i = 0; i < 3; ++i)
    matrices.push_back(AdaptiveAvgMatrix(output_size[i], self.size(self.dim() - 3 + i), self));
  return ApplyPerDim(self, matrices, /*transpose=*/false);
}

at::Tensor LazyNativeFunctions::_adaptive_avg_pool3d_backward(const at::Tensor& grad_output,
                                                              const at::Tensor& self) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(grad_output.dim() == self.dim() && self.dim() >= 3,
              "adaptive_avg_pool3d_backward: bad sizes");
  std::vector<at::Tensor> matrices;
  for (int64_t i = 0; i < 3; ++i) {
    int64_t d = self.dim() - 3 + i;
    matrices.push_back(AdaptiveAvgMatrix(grad_output.size(d), self.size(d), grad_output));
  }
  return ApplyPerDim(grad_output, matrices, /*transpose=*/true);
}

// ---- losses -------------------------------------------------------------------

at::Tensor LazyNativeFunctions::soft_margin_loss(const at::Tensor& self, const at::Tensor& target,
                                                 int64_t reduction) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  at::Tensor loss = at::log1p(at::exp(at::neg(at::mul(self, target))));
  return ApplyReduction(loss, reduction);
}

at::Tensor LazyNativeFunctions::soft_margin_loss_backward(const at::Tensor& grad_output,
                                                          const at::Tensor& self,
                                                          const at::Tensor& target,
                                                          int64_t reduction) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  // d/dx log(1 + exp(-y x)) = -y * sigmoid(-y x)
  at::Tensor g = at::mul(at::neg(target), at::sigmoid(at::neg(at::mul(self, target))));
  if (reduction == at::Reduction::Mean && self.numel() > 0)
    g = at::div(g, static_cast<double>(self.numel()));
  return at::mul(g, grad_output);
}

namespace {

// nll_loss2d's [N, C, d1..] input as nll_loss's [N*d1.., C] rows.
at::Tensor ClassesLast(const at::Tensor& self) {
  std::vector<int64_t> perm{0};
  for (int64_t i = 2; i < self.dim(); ++i)
    perm.push_back(i);
  perm.push_back(1);
  return at::view_copy(at::permute_copy(self, perm),
                       {self.numel() / std::max<int64_t>(self.size(1), 1), self.size(1)});
}

void CheckNll2d(const at::Tensor& self, const at::Tensor& target) {
  TORCH_CHECK(self.dim() == 4 && target.dim() == 3,
              "only batches of spatial targets supported (3D tensors) but got targets of "
              "dimension: ", target.dim());
  TORCH_CHECK(self.size(0) == target.size(0) && self.size(2) == target.size(1) &&
                  self.size(3) == target.size(2),
              "size mismatch (got input: ", self.sizes(), ", target: ", target.sizes(), ")");
  TORCH_CHECK(self.size(1) > 0, "nll_loss2d: input has no classes");
}

} // namespace

std::tuple<at::Tensor, at::Tensor> LazyNativeFunctions::nll_loss2d_forward(
    const at::Tensor& self, const at::Tensor& target, const c10::optional<at::Tensor>& weight,
    int64_t reduction, int64_t ignore_index) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  CheckNll2d(self, target);
  auto result = at::nll_loss_forward(ClassesLast(self), at::view_copy(target, {target.numel()}),
                                     weight, reduction, ignore_index);
  at::Tensor output = std::get<0>(result);
  if (reduction == at::Reduction::None)
    output = at::view_copy(output, target.sizes());
  return std::make_tuple(output, std::get<1>(result));
}

at::Tensor LazyNativeFunctions::nll_loss2d_backward(
    const at::Tensor& grad_output, const at::Tensor& self, const at::Tensor& target,
    const c10::optional<at::Tensor>& weight, int64_t reduction, int64_t ignore_index,
    const at::Tensor& total_weight) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  CheckNll2d(self, target);
  at::Tensor grad = reduction == at::Reduction::None
      ? at::view_copy(grad_output, {grad_output.numel()})
      : grad_output;
  at::Tensor rows = at::nll_loss_backward(grad, ClassesLast(self),
                                          at::view_copy(target, {target.numel()}), weight,
                                          reduction, ignore_index, total_weight);
  // [N*H*W, C] -> [N, H, W, C] -> [N, C, H, W]
  at::Tensor nhwc =
      at::view_copy(rows, {self.size(0), self.size(2), self.size(3), self.size(1)});
  return at::permute_copy(nhwc, {0, 3, 1, 2});
}

// ---- renorm -------------------------------------------------------------------

at::Tensor LazyNativeFunctions::renorm(const at::Tensor& self, const at::Scalar& p, int64_t dim,
                                       const at::Scalar& maxnorm) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(!self.is_complex(), "renorm: complex input is not supported");
  TORCH_CHECK(p.toDouble() > 0, "renorm: non-positive-norm not supported");
  TORCH_CHECK(maxnorm.toDouble() >= 0, "renorm: expected maxnorm to be >= 0 but got ",
              maxnorm.toDouble());
  TORCH_CHECK(self.dim() > 1, "renorm: input needs at least 2 dimensions, got ", self.dim(),
              " dimensions");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < self.dim(); ++i)
    if (i != dim)
      dims.push_back(i);
  at::Tensor norm = at::linalg_vector_norm(self, p, dims, /*keepdim=*/true);
  // ATen: factor = maxnorm / (norm + 1e-7) where norm > maxnorm, else 1.
  at::Tensor factor = at::where(at::gt(norm, maxnorm),
                                at::mul(at::reciprocal(at::add(norm, 1e-7)), maxnorm),
                                at::ones_like(norm));
  return at::mul(self, factor);
}

// ---- group normalization -------------------------------------------------------

namespace {

// [1, C, 1, ...] for a per-channel tensor against a rank-`rank` input.
at::Tensor PerChannel(const at::Tensor& t, int64_t channels, int64_t rank) {
  std::vector<int64_t> sizes(rank, 1);
  sizes[1] = channels;
  return at::view_copy(t, sizes);
}

bool GroupNormTraceable(const at::Tensor& input, int64_t N, int64_t C, int64_t HxW,
                        int64_t group) {
  return input.dim() >= 2 && group > 0 && C % group == 0 && input.numel() == N * C * HxW &&
      N > 0 && C > 0 && HxW > 0;
}

} // namespace

std::tuple<at::Tensor, at::Tensor, at::Tensor> LazyNativeFunctions::native_group_norm(
    const at::Tensor& input, const c10::optional<at::Tensor>& weight,
    const c10::optional<at::Tensor>& bias, int64_t N, int64_t C, int64_t HxW, int64_t group,
    double eps) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  // Empty or inconsistent sizes: eager computes (or rejects) them.
  if (!GroupNormTraceable(input, N, C, HxW, group))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(native_group_norm)>::call(
        input, weight, bias, N, C, HxW, group, eps);
  at::Tensor x = at::view_copy(input, {N, group, (C / group) * HxW});
  at::Tensor mean = at::mean(x, at::IntArrayRef{2});
  at::Tensor centered = at::sub(x, at::unsqueeze_copy(mean, 2));
  at::Tensor rstd = at::rsqrt(at::add(at::mean(at::mul(centered, centered), at::IntArrayRef{2}), eps));
  at::Tensor out =
      at::view_copy(at::mul(centered, at::unsqueeze_copy(rstd, 2)), input.sizes());
  if (weight && weight->defined())
    out = at::mul(out, PerChannel(*weight, C, input.dim()));
  if (bias && bias->defined())
    out = at::add(out, PerChannel(*bias, C, input.dim()));
  return std::make_tuple(out, mean, rstd);
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> LazyNativeFunctions::native_group_norm_backward(
    const at::Tensor& grad_out, const at::Tensor& input, const at::Tensor& mean,
    const at::Tensor& rstd, const c10::optional<at::Tensor>& weight, int64_t N, int64_t C,
    int64_t HxW, int64_t group, ::std::array<bool, 3> output_mask) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (!GroupNormTraceable(input, N, C, HxW, group))
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(native_group_norm_backward)>::
        call(grad_out, input, mean, rstd, weight, N, C, HxW, group, output_mask);
  int64_t d = (C / group) * HxW;
  at::Tensor r = at::unsqueeze_copy(rstd, 2);
  at::Tensor xhat = at::mul(
      at::sub(at::view_copy(input, {N, group, d}), at::unsqueeze_copy(mean, 2)), r);
  at::Tensor go = at::view_copy(grad_out, {N, C, HxW});
  at::Tensor grad_input, grad_weight, grad_bias;
  if (output_mask[1])
    grad_weight = at::sum(at::mul(go, at::view_copy(xhat, {N, C, HxW})), at::IntArrayRef{0, 2});
  if (output_mask[2])
    grad_bias = at::sum(go, at::IntArrayRef{0, 2});
  if (output_mask[0]) {
    at::Tensor g = go;
    if (weight && weight->defined())
      g = at::mul(g, at::view_copy(*weight, {1, C, 1}));
    g = at::view_copy(g, {N, group, d});
    // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) over each group.
    at::Tensor mg = at::mean(g, at::IntArrayRef{2}, /*keepdim=*/true);
    at::Tensor mgx = at::mean(at::mul(g, xhat), at::IntArrayRef{2}, /*keepdim=*/true);
    grad_input = at::view_copy(at::mul(at::sub(at::sub(g, mg), at::mul(xhat, mgx)), r),
                               input.sizes());
  }
  return std::make_tuple(grad_input, grad_weight, grad_bias);
}

// ---- _trilinear (bilinear) ------------------------------------------------------

at::Tensor LazyNativeFunctions::_trilinear(const at::Tensor& i1, const at::Tensor& i2,
                                           const at::Tensor& i3, at::IntArrayRef expand1,
                                           at::IntArrayRef expand2, at::IntArrayRef expand3,
                                           at::IntArrayRef sumdim, int64_t /*unroll_dim*/) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  auto expand = [](at::Tensor t, at::IntArrayRef dims) {
    std::vector<int64_t> sorted(dims.begin(), dims.end());
    std::sort(sorted.begin(), sorted.end());
    for (int64_t d : sorted)
      t = at::unsqueeze_copy(t, d);
    return t;
  };
  at::Tensor a = expand(i1, expand1), b = expand(i2, expand2), c = expand(i3, expand3);
  TORCH_CHECK(a.dim() == b.dim() && b.dim() == c.dim(),
              "_trilinear: expanded inputs must have the same rank");
  at::Tensor prod = at::mul(at::mul(a, b), c);
  if (sumdim.empty())
    return prod;
  return at::sum(prod, sumdim);
}

// ---- im2col / col2im (unfold / fold) ----------------------------------------------

namespace {

struct Window {
  int64_t kh, kw, dh, dw, ph, pw, sh, sw;
};

Window GetWindow(at::IntArrayRef kernel, at::IntArrayRef dilation, at::IntArrayRef padding,
                 at::IntArrayRef stride) {
  TORCH_CHECK(kernel.size() == 2 && dilation.size() == 2 && padding.size() == 2 &&
                  stride.size() == 2,
              "im2col/col2im: kernel_size, dilation, padding and stride must have 2 elements");
  Window w{kernel[0], kernel[1], dilation[0], dilation[1],
           padding[0], padding[1], stride[0], stride[1]};
  TORCH_CHECK(w.kh > 0 && w.kw > 0 && w.dh > 0 && w.dw > 0 && w.sh > 0 && w.sw > 0 &&
                  w.ph >= 0 && w.pw >= 0,
              "im2col/col2im: kernel, dilation and stride must be positive, padding >= 0");
  return w;
}

// Sliding blocks along one dim of size `in` (padded by `pad` each side).
int64_t Blocks(int64_t in, int64_t pad, int64_t k, int64_t d, int64_t s) {
  return (in + 2 * pad - (d * (k - 1) + 1)) / s + 1;
}

} // namespace

at::Tensor LazyNativeFunctions::im2col(const at::Tensor& self, at::IntArrayRef kernel_size,
                                       at::IntArrayRef dilation, at::IntArrayRef padding,
                                       at::IntArrayRef stride) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.numel() == 0)
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(im2col)>::call(
        self, kernel_size, dilation, padding, stride);
  Window w = GetWindow(kernel_size, dilation, padding, stride);
  TORCH_CHECK(self.dim() == 3 || self.dim() == 4, "im2col: expected a 3D or 4D input, got ",
              self.sizes());
  bool batched = self.dim() == 4;
  at::Tensor x = batched ? self : at::unsqueeze_copy(self, 0);
  int64_t n = x.size(0), c = x.size(1);
  int64_t oh = Blocks(x.size(2), w.ph, w.kh, w.dh, w.sh);
  int64_t ow = Blocks(x.size(3), w.pw, w.kw, w.dw, w.sw);
  TORCH_CHECK(oh > 0 && ow > 0, "im2col: the kernel does not fit the padded input ",
              self.sizes());
  if (w.ph || w.pw)
    x = at::constant_pad_nd(x, {w.pw, w.pw, w.ph, w.ph}, 0);
  std::vector<at::Tensor> patches;
  for (int64_t i = 0; i < w.kh; ++i) {
    at::Tensor rows = at::slice_copy(x, 2, i * w.dh, i * w.dh + (oh - 1) * w.sh + 1, w.sh);
    for (int64_t j = 0; j < w.kw; ++j)
      patches.push_back(at::unsqueeze_copy(
          at::slice_copy(rows, 3, j * w.dw, j * w.dw + (ow - 1) * w.sw + 1, w.sw), 2));
  }
  at::Tensor cols = at::view_copy(at::cat(patches, 2), {n, c * w.kh * w.kw, oh * ow});
  return batched ? cols : at::squeeze_copy(cols, 0);
}

at::Tensor LazyNativeFunctions::col2im(const at::Tensor& self, at::IntArrayRef output_size,
                                       at::IntArrayRef kernel_size, at::IntArrayRef dilation,
                                       at::IntArrayRef padding, at::IntArrayRef stride) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.numel() == 0)
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(col2im)>::call(
        self, output_size, kernel_size, dilation, padding, stride);
  Window w = GetWindow(kernel_size, dilation, padding, stride);
  TORCH_CHECK(output_size.size() == 2, "col2im: output_size must have 2 elements");
  TORCH_CHECK(self.dim() == 2 || self.dim() == 3, "col2im: expected a 2D or 3D input, got ",
              self.sizes());
  bool batched = self.dim() == 3;
  at::Tensor cols = batched ? self : at::unsqueeze_copy(self, 0);
  int64_t h = output_size[0], wd = output_size[1];
  int64_t oh = Blocks(h, w.ph, w.kh, w.dh, w.sh), ow = Blocks(wd, w.pw, w.kw, w.dw, w.sw);
  int64_t k = w.kh * w.kw;
  TORCH_CHECK(oh > 0 && ow > 0 && cols.size(1) % k == 0 && cols.size(2) == oh * ow,
              "col2im: input ", self.sizes(), " does not match output_size ", output_size,
              " and the kernel");
  int64_t n = cols.size(0), c = cols.size(1) / k;
  int64_t hp = h + 2 * w.ph, wp = wd + 2 * w.pw;
  at::Tensor blocks = at::view_copy(cols, {n, c, k, oh, ow});
  at::Tensor acc;
  for (int64_t i = 0; i < w.kh; ++i) {
    for (int64_t j = 0; j < w.kw; ++j) {
      // Each kernel offset's block, placed back at its strided positions.
      at::Tensor patch = at::select_copy(blocks, 2, i * w.kw + j);
      at::Tensor placed = at::slice_backward(patch, {n, c, oh, wp}, 3, j * w.dw,
                                             j * w.dw + (ow - 1) * w.sw + 1, w.sw);
      placed = at::slice_backward(placed, {n, c, hp, wp}, 2, i * w.dh,
                                  i * w.dh + (oh - 1) * w.sh + 1, w.sh);
      acc = acc.defined() ? at::add(acc, placed) : placed;
    }
  }
  if (w.ph || w.pw)
    acc = at::slice_copy(at::slice_copy(acc, 2, w.ph, w.ph + h), 3, w.pw, w.pw + wd);
  return batched ? acc : at::squeeze_copy(acc, 0);
}

// ---- pairwise distances -----------------------------------------------------------

namespace {

// d||v||_p / dv times `grad`, for v = `diff` (last dim) with norm `dist`
// (both `dist` and `grad` keep a size-1 last dim). ATen's conventions: zero
// where the distance is zero; p = inf spreads over every maximal entry.
at::Tensor NormGrad(const at::Tensor& diff, const at::Tensor& dist, const at::Tensor& grad,
                    double p) {
  if (p == 0)
    return at::zeros_like(diff);
  if (p == 1)
    return at::mul(at::sign(diff), grad);
  at::Tensor zero = at::zeros_like(diff);
  at::Tensor nonzero_dist = at::ne(dist, 0);
  if (std::isinf(p)) {
    at::Tensor hit = at::eq(at::abs(diff), dist);
    return at::where(at::logical_and(hit, nonzero_dist),
                     at::mul(at::sign(diff), grad), zero);
  }
  at::Tensor safe_dist = at::where(nonzero_dist, dist, at::ones_like(dist));
  at::Tensor g;
  if (p == 2) {
    g = at::div(at::mul(diff, grad), safe_dist);
  } else {
    g = at::div(at::mul(at::mul(at::sign(diff), at::pow(at::abs(diff), p - 1)), grad),
                at::pow(safe_dist, p - 1));
    if (p < 1)
      g = at::where(at::eq(diff, 0), zero, g);
  }
  return at::where(nonzero_dist, g, zero);
}

// The index pairs (i < j) of pdist, row-major.
void PdistPairs(int64_t n, std::vector<int64_t>* first, std::vector<int64_t>* second) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) {
      first->push_back(i);
      second->push_back(j);
    }
}

at::Tensor Indices(const std::vector<int64_t>& v, const at::Tensor& like) {
  return ToDeviceOf(at::tensor(v, at::kLong), like);
}

} // namespace

at::Tensor LazyNativeFunctions::_pdist_forward(const at::Tensor& self, double p) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(self.dim() == 2, "pdist only supports 2D tensors, got: ", self.dim(), "D");
  TORCH_CHECK(p >= 0, "pdist only supports non-negative p values");
  // No pairs or empty rows: eager's result is empty or zeros.
  if (self.size(0) < 2 || self.size(1) == 0)
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(_pdist_forward)>::call(self, p);
  std::vector<int64_t> first, second;
  PdistPairs(self.size(0), &first, &second);
  at::Tensor diff = at::sub(at::index_select(self, 0, Indices(first, self)),
                            at::index_select(self, 0, Indices(second, self)));
  return at::linalg_vector_norm(diff, p, at::IntArrayRef{1}, /*keepdim=*/false, c10::nullopt);
}

at::Tensor LazyNativeFunctions::_pdist_backward(const at::Tensor& grad, const at::Tensor& self,
                                                double p, const at::Tensor& pdist) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (self.dim() != 2 || self.size(0) < 2 || self.size(1) == 0)
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(_pdist_backward)>::call(
        grad, self, p, pdist);
  int64_t n = self.size(0);
  std::vector<int64_t> first, second;
  PdistPairs(n, &first, &second);
  at::Tensor diff = at::sub(at::index_select(self, 0, Indices(first, self)),
                            at::index_select(self, 0, Indices(second, self)));
  at::Tensor g = NormGrad(diff, at::unsqueeze_copy(pdist, 1), at::unsqueeze_copy(grad, 1), p);
  // grad_x = S^T g with S[k] = e_first[k] - e_second[k].
  at::Tensor s = at::zeros({static_cast<int64_t>(first.size()), n}, at::kDouble);
  for (size_t k = 0; k < first.size(); ++k) {
    s[k][first[k]] = 1.0;
    s[k][second[k]] = -1.0;
  }
  return at::mm(at::t_copy(ToDeviceOf(s.to(self.scalar_type()), self)), g);
}

at::Tensor LazyNativeFunctions::_cdist_forward(const at::Tensor& x1, const at::Tensor& x2,
                                               double p, c10::optional<int64_t> compute_mode) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(x1.dim() >= 2 && x1.dim() == x2.dim() && x1.size(-1) == x2.size(-1),
              "cdist: X1 and X2 must have the same rank (>= 2) and number of columns, got ",
              x1.sizes(), " and ", x2.sizes());
  TORCH_CHECK(p >= 0, "cdist only supports non-negative p values");
  if (x1.numel() == 0 || x2.numel() == 0)
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(_cdist_forward)>::call(
        x1, x2, p, compute_mode);
  at::Tensor diff = at::sub(at::unsqueeze_copy(x1, -2), at::unsqueeze_copy(x2, -3));
  return at::linalg_vector_norm(diff, p, at::IntArrayRef{-1}, /*keepdim=*/false, c10::nullopt);
}

at::Tensor LazyNativeFunctions::_cdist_backward(const at::Tensor& grad, const at::Tensor& x1,
                                                const at::Tensor& x2, double p,
                                                const at::Tensor& cdist) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  if (x1.dim() < 2 || x1.dim() != x2.dim() || x1.numel() == 0 || x2.numel() == 0)
    return at::native::call_fallback_fn<&EagerFallback, ATEN_OP(_cdist_backward)>::call(
        grad, x1, x2, p, cdist);
  at::Tensor diff = at::sub(at::unsqueeze_copy(x1, -2), at::unsqueeze_copy(x2, -3));
  at::Tensor g =
      NormGrad(diff, at::unsqueeze_copy(cdist, -1), at::unsqueeze_copy(grad, -1), p);
  at::Tensor out = at::sum(g, at::IntArrayRef{-2});
  if (out.sizes() != x1.sizes())
    out = at::sum_to(out, x1.sizes());
  return out;
}

} // namespace ltc_mlir
