//===- Passes.h - Torch to linalg conversion passes -------------*- C++ -*-===//

#ifndef LTC_MLIR_CONVERSION_TORCHTOLINALG_PASSES_H
#define LTC_MLIR_CONVERSION_TORCHTOLINALG_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::torch {

/// `convert-torch-to-linalg`: converts function signatures and every Torch op
/// to linalg/tensor/arith/math/scf on builtin tensors. Fails naming the first
/// Torch op left unconverted.
/// `poolingKernels`: see populatePoolingPatterns (Patterns.h).
std::unique_ptr<Pass>
createConvertTorchToLinalgPass(bool poolingKernels = true);

/// Registers the passes of this folder with the global pass registry.
void registerTorchConversionPasses();

} // namespace mlir::torch

#endif // LTC_MLIR_CONVERSION_TORCHTOLINALG_PASSES_H
