//===- TorchOps.td - Torch dialect ops ---------------------*- tablegen -*-===//
//
// Hand-written ops (constants, lists, literals, scalar extraction) and, via
// GeneratedTorchOps.td, the ATen ops listed in ops.txt.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_TORCH_OPS
#define LTC_MLIR_TORCH_OPS

include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir_lowering/Dialect/Torch/IR/TorchBase.td"
include "mlir_lowering/Dialect/Torch/IR/TorchTypes.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

class Torch_ConstantOp<string mnemonic>
    : Torch_Op<mnemonic, [ConstantLike, Pure,
                          DeclareOpInterfaceMethods<OpAsmOpInterface,
                                                    ["getAsmResultNames"]>]> {
  let hasFolder = 1;
  let hasCustomAssemblyFormat = 1;
}

def Torch_ConstantIntOp : Torch_ConstantOp<"constant.int"> {
  let summary = "`int` constant";
  let description = [{ `%int1 = torch.constant.int 1` }];
  let arguments = (ins I64Attr:$value);
  let results = (outs Torch_IntType:$result);
  let builders = [
    OpBuilder<(ins "::mlir::IntegerAttr":$value), [{
      build($_builder, $_state, $_builder.getType<::mlir::torch::IntType>(),
            value);
    }]>,
    OpBuilder<(ins "int64_t":$value), [{
      build($_builder, $_state, $_builder.getType<::mlir::torch::IntType>(),
            $_builder.getI64IntegerAttr(value));
    }]>,
  ];
}

def Torch_ConstantFloatOp : Torch_ConstantOp<"constant.float"> {
  let summary = "`float` constant";
  let description = [{ `%float1.0 = torch.constant.float 1.000000e+00` }];
  let arguments = (ins F64Attr:$value);
  let results = (outs Torch_FloatType:$result);
  let builders = [
    OpBuilder<(ins "::mlir::FloatAttr":$value), [{
      build($_builder, $_state, $_builder.getType<::mlir::torch::FloatType>(),
            value);
    }]>,
    OpBuilder<(ins "double":$value), [{
      build($_builder, $_state, $_builder.getType<::mlir::torch::FloatType>(),
            $_builder.getF64FloatAttr(value));
    }]>,
  ];
}

def Torch_ConstantBoolOp : Torch_ConstantOp<"constant.bool"> {
  let summary = "`bool` constant";
  let description = [{ `%true = torch.constant.bool true` }];
  let arguments = (ins BoolAttr:$value);
  let results = (outs Torch_BoolType:$result);
  let builders = [
    OpBuilder<(ins "::mlir::BoolAttr":$value), [{
      build($_builder, $_state, $_builder.getType<::mlir::torch::BoolType>(),
            value);
    }]>,
    OpBuilder<(ins "bool":$value), [{
      build($_builder, $_state, $_builder.getType<::mlir::torch::BoolType>(),
            $_builder.getBoolAttr(value));
    }]>,
  ];
}

def Torch_ConstantNoneOp : Torch_ConstantOp<"constant.none"> {
  let summary = "`None` constant";
  let description = [{ `%none = torch.constant.none` }];
  let results = (outs Torch_NoneType:$result);
  let builders = [
    OpBuilder<(ins), [{
      $_state.addTypes($_builder.getType<::mlir::torch::NoneType>());
    }]>,
  ];
}

def Torch_ConstantStrOp : Torch_ConstantOp<"constant.str"> {
  let summary = "`str` constant";
  let description = [{ `%str = torch.constant.str "mean"` }];
  let arguments = (ins StrAttr:$value);
  let results = (outs Torch_StringType:$result);
  let builders = [
    OpBuilder<(ins "::mlir::StringAttr":$value), [{
      build($_builder, $_state, $_builder.getType<::mlir::torch::StringType>(),
            value);
    }]>,
    OpBuilder<(ins "::llvm::StringRef":$value), [{
      build($_builder, $_state, $_builder.getType<::mlir::torch::StringType>(),
            $_builder.getStringAttr(value));
    }]>,
  ];
}

//===----------------------------------------------------------------------===//
// Lists and tensor literals
//===----------------------------------------------------------------------===//

def Torch_PrimListConstructOp : Torch_Op<"prim.ListConstruct", [Pure]> {
  let summary = "builds a list from its elements";
  let description = [{
    `%list = torch.prim.ListConstruct %a, %b : (!torch.int, !torch.int) -> !torch.list<int>`.
    Each element's type must be the list's element type or a refinement of it
    (a `!torch.vtensor<[2],f32>` in a `!torch.list<vtensor>`).
  }];
  let arguments = (ins Variadic<AnyType>:$elements);
  let results = (outs Torch_ListType:$result);
  let assemblyFormat = [{
    $elements attr-dict `:` functional-type($elements, $result)
  }];
  let hasVerifier = 1;
}

def Torch_ValueTensorLiteralOp : Torch_Op<"vtensor.literal",
    [ConstantLike, Pure]> {
  let summary = "tensor constant";
  let description = [{
    `%lit = torch.vtensor.literal(dense<1.0> : tensor<f32>) : !torch.vtensor<[],f32>`.
    The attribute's shape must be the result's sizes; its element type the
    result's dtype or, for signed/unsigned integers, the signless integer of
    the same width.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyTorchTensorType:$result);
  let assemblyFormat = [{
    `(` $value `)` attr-dict `:` qualified(type($result))
  }];
  let builders = [
    // Result type from the attribute; signless integers become signed (si64),
    // except i1, which is bool.
    OpBuilder<(ins "::mlir::ElementsAttr":$value)>,
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// 0-d tensor -> scalar (TorchScript's `Float(Tensor)` etc.)
//===----------------------------------------------------------------------===//

class Torch_TensorToScalarOp<string mnemonic, Type resultType>
    : Torch_Op<mnemonic, [Pure]> {
  let arguments = (ins AnyTorchTensorType:$a);
  let results = (outs resultType:$result);
  let assemblyFormat = [{
    $a attr-dict `:` qualified(type($a)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def Torch_AtenFloatTensorOp
    : Torch_TensorToScalarOp<"aten.Float.Tensor", Torch_FloatType> {
  let summary = "value of a one-element tensor as `float`";
}

def Torch_AtenIntTensorOp
    : Torch_TensorToScalarOp<"aten.Int.Tensor", Torch_IntType> {
  let summary = "value of a one-element tensor as `int`";
}

def Torch_AtenBoolTensorOp
    : Torch_TensorToScalarOp<"aten.Bool.Tensor", Torch_BoolType> {
  let summary = "value of a one-element tensor as `bool`";
}

//===----------------------------------------------------------------------===//
// Random number generation (ltc-mlir's own; see docs/RANDOM.md)
//===----------------------------------------------------------------------===//

def Torch_LtcRandomOp : Torch_Op<"ltc.random", [Pure]> {
  let summary = "counter-based random numbers keyed by a (seed, offset) tensor";
  let description = [{
    `%r = torch.ltc.random %key, %str, %a, %b : ... -> !torch.vtensor<[3],f32>`.
    Element i is a pure function of (key[0], key[1] + linear index i), so the
    op has no state and is Pure. `distribution` (a `torch.constant.str`)
    selects: "uniform" in [a, b); "normal" with mean a and std b;
    "bernoulli": b with probability a, else 0. The key is a graph input, so a
    new key does not change the graph.
  }];
  let arguments = (ins
    AnyTorchTensorType:$key,
    Torch_StringType:$distribution,
    Torch_FloatType:$a,
    Torch_FloatType:$b
  );
  let results = (outs AnyTorchTensorType:$result);
  let assemblyFormat = [{
    $key `,` $distribution `,` $a `,` $b attr-dict `:` qualified(type($key))
    `,` qualified(type($distribution)) `,` qualified(type($a)) `,`
    qualified(type($b)) `->` qualified(type($result))
  }];
}

//===----------------------------------------------------------------------===//
// ATen ops generated from their schemas
//===----------------------------------------------------------------------===//

include "mlir_lowering/Dialect/Torch/IR/GeneratedTorchOps.td"

#endif // LTC_MLIR_TORCH_OPS
