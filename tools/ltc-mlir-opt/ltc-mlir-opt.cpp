//===- ltc-mlir-opt.cpp - Optimizer driver for ltc-mlir -------------------===//
//
// An mlir-opt with the upstream dialects and passes plus ltc-mlir's own Torch
// dialect and passes, so every pass can be lit-tested on its own.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Passes.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"
#include "mlir_lowering/Dialect/Torch/Transforms/Passes.h"
#include "mlir_lowering/Pipeline/CpuPipeline.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::torch::registerTorchDialect(registry);
  mlir::registerAllPasses();
  mlir::torch::registerTorchConversionPasses();
  mlir::torch::registerTorchTransformsPasses();
  mlir::ltc::registerCpuPipelines();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "ltc-mlir optimizer driver\n", registry));
}
