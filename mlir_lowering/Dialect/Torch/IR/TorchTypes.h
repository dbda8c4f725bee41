//===- TorchTypes.h - Torch dialect types -----------------------*- C++ -*-===//

#ifndef LTC_MLIR_DIALECT_TORCH_IR_TORCHTYPES_H
#define LTC_MLIR_DIALECT_TORCH_IR_TORCHTYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#include <cstdint>
#include <optional>

namespace mlir::torch {

/// A size that is not known statically; printed as `?`.
constexpr int64_t kUnknownSize = -1;

} // namespace mlir::torch

#define GET_TYPEDEF_CLASSES
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h.inc"

namespace mlir::torch {

/// True if a value of type `subtype` may stand where `type` is expected:
/// equal types, a vtensor whose sizes/dtype refine the expected ones, `none`
/// or the element type for an optional, and lists of such.
bool isValidSubtype(Type subtype, Type type);

/// True if `dtype` may be the dtype of a vtensor: f16, bf16, f32, f64, si8,
/// si16, si32, si64, ui8 or i1.
bool isValidTorchDtype(Type dtype);

} // namespace mlir::torch

#endif // LTC_MLIR_DIALECT_TORCH_IR_TORCHTYPES_H
