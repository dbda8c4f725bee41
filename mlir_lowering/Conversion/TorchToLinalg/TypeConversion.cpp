//===- TypeConversion.cpp - Torch to builtin type conversion --------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

using namespace mlir;
using namespace mlir::torch;

/// Bridges a converted value and its Torch counterpart (both directions);
/// the pass folds the casts away once every op has been converted.
static Value materializeWithCast(OpBuilder &b, Type type, ValueRange inputs,
                                 Location loc) {
  if (inputs.size() != 1)
    return {};
  return UnrealizedConversionCastOp::create(b, loc, type, inputs).getResult(0);
}

void mlir::torch::setupTorchToBuiltinTypeConversion(
    TypeConverter &typeConverter) {
  // Conversions are tried last-added first; this one keeps every type the
  // others do not handle.
  typeConverter.addConversion([](Type type) { return type; });
  typeConverter.addConversion([](ValueTensorType type) -> std::optional<Type> {
    RankedTensorType builtin = type.toBuiltinTensor();
    if (!builtin)
      return Type(); // Unknown sizes or dtype: not convertible.
    return builtin;
  });
  typeConverter.addConversion([](IntType type) -> Type {
    return IntegerType::get(type.getContext(), 64);
  });
  typeConverter.addConversion([](mlir::torch::FloatType type) -> Type {
    return Float64Type::get(type.getContext());
  });
  typeConverter.addConversion([](BoolType type) -> Type {
    return IntegerType::get(type.getContext(), 1);
  });

  typeConverter.addSourceMaterialization(materializeWithCast);
  typeConverter.addTargetMaterialization(materializeWithCast);
}
