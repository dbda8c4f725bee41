//===- ZeroSize.cpp - ops whose results have no elements ------------------===//
//
// A Torch op whose every result is a static tensor with zero elements
// computes nothing: it becomes `tensor.empty`. This runs before the op's own
// pattern (higher benefit), which may not expect empty operands (an
// extract_slice at offset 0 of a size-0 dim does not verify, say).
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

struct ConvertZeroSizeResults : ConversionPattern {
  ConvertZeroSizeResults(TypeConverter &typeConverter, MLIRContext *ctx)
      : ConversionPattern(typeConverter, MatchAnyOpTypeTag(), /*benefit=*/10,
                          ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<TorchDialect>(op->getDialect()) || op->getNumResults() == 0 ||
        op->getNumRegions() != 0)
      return failure();
    SmallVector<Value> results;
    for (Value result : op->getResults()) {
      auto type = dyn_cast<ValueTensorType>(result.getType());
      if (!type || !type.hasSizes())
        return failure();
      RankedTensorType builtin = type.toBuiltinTensor();
      if (!builtin || !builtin.hasStaticShape() ||
          builtin.getNumElements() != 0)
        return failure();
      results.push_back(tensor::EmptyOp::create(
          rewriter, op->getLoc(), builtin.getShape(),
          builtin.getElementType()));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::torch::populateZeroSizePatterns(TypeConverter &typeConverter,
                                           RewritePatternSet &patterns) {
  patterns.add<ConvertZeroSizeResults>(typeConverter, patterns.getContext());
}
