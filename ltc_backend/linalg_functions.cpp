// Shape functions of the traced linear algebra ops that have no meta kernel
// (the structured ones, e.g. linalg_lu_factor_ex, get their shapes from
// torchgen's meta-tensor inference). Their lowering is in
// mlir_lowering/Conversion/TorchToLinalg/LinalgKernels.cpp.
#include <ATen/ExpandUtils.h>
#include <ATen/Functions.h>
#include <torch/csrc/lazy/core/metrics.h>

#include "ltc_backend/generated/LazyNativeFunctions.h"

#include "ltc_backend/shape_inference.h"

namespace torch {
namespace lazy {

// X with A X = B (left) or X A = B: B's matrix sizes, batch dimensions of A
// and B broadcast, as ATen's linalg_solve_triangular.
std::vector<Shape> compute_shape_linalg_solve_triangular(
    const at::Tensor& self, const at::Tensor& B, bool /*upper*/, bool left,
    bool /*unitriangular*/) {
  TORCH_CHECK(self.dim() >= 2 && B.dim() >= 2,
              "linalg.solve_triangular: The input tensor A must have at least 2 dimensions.");
  TORCH_CHECK(self.size(-1) == self.size(-2),
              "linalg.solve_triangular: A must be batches of square matrices");
  TORCH_CHECK(self.size(-1) == B.size(left ? -2 : -1),
              "linalg.solve_triangular: Incompatible shapes of A and B for the equation ",
              left ? "AX = B" : "XA = B");
  TORCH_CHECK(self.scalar_type() == B.scalar_type(),
              "linalg.solve_triangular: Expected A and B to have the same dtype");
  std::vector<int64_t> batch = at::infer_size(
      self.sizes().slice(0, self.dim() - 2), B.sizes().slice(0, B.dim() - 2));
  batch.push_back(B.size(-2));
  batch.push_back(B.size(-1));
  return {Shape(B.scalar_type(), batch)};
}

// cholesky_solve broadcasts B and A before calling the helper: B's shape.
std::vector<Shape> compute_shape__cholesky_solve_helper(
    const at::Tensor& self, const at::Tensor& A, bool /*upper*/) {
  TORCH_CHECK(self.dim() >= 2 && A.dim() == self.dim() &&
                  A.size(-1) == A.size(-2) && A.size(-1) == self.size(-2),
              "cholesky_solve: incompatible shapes ", self.sizes(), " and ",
              A.sizes());
  return {Shape(self.scalar_type(), self.sizes().vec())};
}

std::vector<Shape> compute_shape_cholesky_inverse(const at::Tensor& self,
                                                  bool /*upper*/) {
  TORCH_CHECK(self.dim() >= 2 && self.size(-1) == self.size(-2),
              "cholesky_inverse: A must be batches of square matrices");
  return {Shape(self.scalar_type(), self.sizes().vec())};
}

} // namespace lazy
} // namespace torch


// cholesky_solve: ATen's kernel broadcasts the batch dims and clones B into
// column-major layout through as_strided, a view op that cannot fall back to
// the CPU (it gave wrong values). Broadcasting with expand_copy keeps it all
// traced, and _cholesky_solve_helper runs as a kernel call.
namespace ltc_mlir {

at::Tensor LazyNativeFunctions::cholesky_solve(const at::Tensor& self,
                                               const at::Tensor& input2,
                                               bool upper) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(self.dim() >= 2,
              "b should have at least 2 dimensions, but has ", self.dim(),
              " dimensions instead");
  TORCH_CHECK(input2.dim() >= 2,
              "u should have at least 2 dimensions, but has ", input2.dim(),
              " dimensions instead");
  std::vector<int64_t> batch = at::infer_size(
      self.sizes().slice(0, self.dim() - 2),
      input2.sizes().slice(0, input2.dim() - 2));
  std::vector<int64_t> b_sizes = batch, a_sizes = batch;
  b_sizes.insert(b_sizes.end(), {self.size(-2), self.size(-1)});
  a_sizes.insert(a_sizes.end(), {input2.size(-2), input2.size(-1)});
  return at::_cholesky_solve_helper(at::expand_copy(self, b_sizes),
                                    at::expand_copy(input2, a_sizes), upper);
}

}  // namespace ltc_mlir
