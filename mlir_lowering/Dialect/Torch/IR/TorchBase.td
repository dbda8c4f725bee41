//===- TorchBase.td - Torch dialect definition -------------*- tablegen -*-===//
//
// The Torch dialect: PyTorch programs at the level of ATen ops on value-
// semantic tensors, written the way torch-mlir writes them so that Torch-
// dialect pipelines from elsewhere read our IR and ours read theirs.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_TORCH_BASE
#define LTC_MLIR_TORCH_BASE

include "mlir/IR/OpBase.td"

def Torch_Dialect : Dialect {
  let name = "torch";
  let cppNamespace = "::mlir::torch";
  let summary = "PyTorch ATen ops on value-semantic tensors";
  let description = [{
    Ops are named `torch.aten.<name>[.<overload>]` after their ATen schema;
    every schema argument, optional ones included, is an operand.
  }];
  let useDefaultTypePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    /// Adds the types; defined next to their storage classes.
    void registerTypes();
  }];
}

class Torch_Op<string mnemonic, list<Trait> traits = []>
    : Op<Torch_Dialect, mnemonic, traits>;

#endif // LTC_MLIR_TORCH_BASE
