// Lazy kernels of the special-function family that are decompositions into
// traced ops rather than one node (the elementwise functions themselves are
// full_codegen ops lowered to runtime calls, see
// mlir_lowering/Conversion/TorchToLinalg/SpecialFunctions.cpp).
#include "ltc_backend/generated/LazyNativeFunctions.h"

#include <ATen/Functions.h>
#include <c10/core/DefaultDtype.h>
#include <torch/csrc/lazy/core/metrics.h>

#include <limits>

namespace ltc_mlir {

// The zero gradient autograd formulas return for real inputs (sgn's, for
// one). ATen's version is a storage-less ZeroTensor on the CPU only; here it
// is a plain zero-filled lazy tensor, which folds into the graph.
at::Tensor LazyNativeFunctions::_efficientzerotensor(
    at::IntArrayRef size, c10::optional<at::ScalarType> dtype,
    c10::optional<at::Layout> layout, c10::optional<at::Device> device,
    c10::optional<bool> pin_memory) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  at::ScalarType type =
      dtype.value_or(c10::typeMetaToScalarType(c10::get_default_dtype()));
  at::Tensor empty = at::empty(
      size, at::TensorOptions().dtype(type).device(device.value_or(at::Device(
                at::kLazy))));
  return at::fill(empty, 0);
}

// x = mantissa * 2^exponent with 0.5 <= |mantissa| < 1, the exponent an int32.
// The exponent estimate floor(log2|x|) + 1 can be off by one near powers of
// two, so one correction step each way follows; the scale 2^-e is applied
// in two halves so that neither overflows for subnormal or huge x. Zeros,
// infinities and NaN keep their value with exponent 0, as in ATen.
std::tuple<at::Tensor, at::Tensor> LazyNativeFunctions::frexp(
    const at::Tensor& self) {
  TORCH_LAZY_FN_COUNTER("lazy::");
  TORCH_CHECK(at::isFloatingType(self.scalar_type()),
              "torch.frexp() only supports floating-point dtypes");
  at::Tensor a = at::abs(self);
  at::Tensor finite_nonzero = at::logical_and(
      at::gt(a, 0), at::lt(a, std::numeric_limits<double>::infinity()));
  // A harmless stand-in where x is 0, inf or NaN, replaced at the end.
  at::Tensor safe = at::where(finite_nonzero, a, at::fill(a, 1));
  // log2 of a subnormal is not exact in compiled code: scale tiny values by
  // 2^64 first and take 64 off the exponent.
  at::Tensor tiny = at::lt(safe, 1e-30);
  safe = at::where(tiny, at::mul(safe, 18446744073709551616.0), safe);
  at::Tensor e = at::add(at::floor(at::log2(safe)), 1);
  e = at::where(tiny, at::sub(e, 64), e);
  at::Tensor half = at::floor(at::mul(e, -0.5));
  at::Tensor m = at::mul(at::mul(at::where(finite_nonzero, self, at::fill(a, 1)),
                                 at::exp2(half)),
                         at::exp2(at::sub(at::neg(e), half)));
  at::Tensor too_small = at::lt(at::abs(m), 0.5);
  m = at::where(too_small, at::mul(m, 2), m);
  e = at::where(too_small, at::sub(e, 1), e);
  at::Tensor too_big = at::ge(at::abs(m), 1);
  m = at::where(too_big, at::mul(m, 0.5), m);
  e = at::where(too_big, at::add(e, 1), e);
  at::Tensor mantissa = at::where(finite_nonzero, m, self);
  at::Tensor exponent =
      at::where(finite_nonzero, e, at::fill(e, 0)).to(at::kInt);
  return std::make_tuple(mantissa, exponent);
}

} // namespace ltc_mlir
