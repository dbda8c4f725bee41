//===- TorchDialect.cpp - Torch dialect -----------------------------------===//

#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

using namespace mlir;
using namespace mlir::torch;

#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.cpp.inc"

void TorchDialect::initialize() {
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.cpp.inc"
      >();
}

void mlir::torch::registerTorchDialect(DialectRegistry &registry) {
  registry.insert<TorchDialect>();
}
