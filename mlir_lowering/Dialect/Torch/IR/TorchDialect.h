//===- TorchDialect.h - Torch dialect ---------------------------*- C++ -*-===//

#ifndef LTC_MLIR_DIALECT_TORCH_IR_TORCHDIALECT_H
#define LTC_MLIR_DIALECT_TORCH_IR_TORCHDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectRegistry.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h.inc"

namespace mlir::torch {

/// Adds the Torch dialect to `registry`.
void registerTorchDialect(DialectRegistry &registry);

} // namespace mlir::torch

#endif // LTC_MLIR_DIALECT_TORCH_IR_TORCHDIALECT_H
