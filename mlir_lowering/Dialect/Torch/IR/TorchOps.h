//===- TorchOps.h - Torch dialect ops ---------------------------*- C++ -*-===//

#ifndef LTC_MLIR_DIALECT_TORCH_IR_TORCHOPS_H
#define LTC_MLIR_DIALECT_TORCH_IR_TORCHOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#define GET_OP_CLASSES
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h.inc"

#endif // LTC_MLIR_DIALECT_TORCH_IR_TORCHOPS_H
