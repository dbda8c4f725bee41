//===- Passes.h - Torch-to-Torch transformation passes ----------*- C++ -*-===//

#ifndef LTC_MLIR_DIALECT_TORCH_TRANSFORMS_PASSES_H
#define LTC_MLIR_DIALECT_TORCH_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::torch {

/// `torch-decompose-complex-ops`: rewrites composite ATen ops into the core
/// ops that convert-torch-to-linalg lowers directly (e.g.
/// `_log_softmax_backward_data` into exp/sum/mul/sub). Every new value
/// carries a fully static `!torch.vtensor` type.
std::unique_ptr<Pass> createDecomposeComplexOpsPass();

/// Registers the passes of this folder with the global pass registry.
void registerTorchTransformsPasses();

} // namespace mlir::torch

#endif // LTC_MLIR_DIALECT_TORCH_TRANSFORMS_PASSES_H
