//===- Scalars.cpp - Torch scalar constants and tensor-to-scalar ops ------===//
//
// torch.constant.int/float/bool become arith.constant i64/f64/i1, and
// aten.Float/Int/Bool.Tensor read the element of a one-element tensor and
// cast it with PyTorch semantics.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

class ConvertConstantInt : public OpConversionPattern<ConstantIntOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantIntOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t value;
    if (!matchConstantInt(op.getResult(), value))
      return rewriter.notifyMatchFailure(op, "no integer value");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, rewriter.getI64IntegerAttr(value));
    return success();
  }
};

class ConvertConstantFloat : public OpConversionPattern<ConstantFloatOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantFloatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double value;
    if (!matchConstantFloat(op.getResult(), value))
      return rewriter.notifyMatchFailure(op, "no float value");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, rewriter.getF64FloatAttr(value));
    return success();
  }
};

class ConvertConstantBool : public OpConversionPattern<ConstantBoolOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantBoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool value;
    if (!matchConstantBool(op.getResult(), value))
      return rewriter.notifyMatchFailure(op, "no bool value");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op,
                                                   rewriter.getBoolAttr(value));
    return success();
  }
};

/// aten.Float.Tensor / Int.Tensor / Bool.Tensor: the element of a
/// one-element tensor as f64 / i64 / i1.
template <typename OpTy>
class ConvertTensorToScalar : public OpConversionPattern<OpTy> {
public:
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getA();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (!inputType || !inputType.hasStaticShape() ||
        inputType.getNumElements() != 1)
      return rewriter.notifyMatchFailure(op, "expected a one-element tensor");
    Type resultType =
        this->getTypeConverter()->convertType(op.getResult().getType());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unconvertible result type");
    Location loc = op.getLoc();
    Value element = extractScalar(rewriter, loc, input);
    rewriter.replaceOp(op,
                       convertScalarToDtype(rewriter, loc, element, resultType,
                                            getTorchDtype(op.getA())));
    return success();
  }
};

} // namespace

void mlir::torch::populateScalarPatterns(TypeConverter &typeConverter,
                                         RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ConvertConstantInt, ConvertConstantFloat, ConvertConstantBool,
               ConvertTensorToScalar<AtenFloatTensorOp>,
               ConvertTensorToScalar<AtenIntTensorOp>,
               ConvertTensorToScalar<AtenBoolTensorOp>>(typeConverter, context);
}
