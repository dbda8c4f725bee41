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

TypedAttr getScalarAttr(Builder &b, int64_t v) {
  return b.getI64IntegerAttr(v);
}
TypedAttr getScalarAttr(Builder &b, double v) { return b.getF64FloatAttr(v); }
TypedAttr getScalarAttr(Builder &b, bool v) { return b.getBoolAttr(v); }

/// torch.constant.int / float / bool -> arith.constant i64 / f64 / i1.
template <typename OpTy, typename T, bool (*MatchValue)(Value, T &)>
class ConvertScalarConstant : public OpConversionPattern<OpTy> {
public:
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    T value;
    if (!MatchValue(op.getResult(), value))
      return rewriter.notifyMatchFailure(op, "no constant value");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, getScalarAttr(rewriter, value));
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
    RankedTensorType inputType = getStaticTensorType(input);
    if (!inputType || inputType.getNumElements() != 1)
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
  patterns
      .add<ConvertScalarConstant<ConstantIntOp, int64_t, matchConstantInt>,
           ConvertScalarConstant<ConstantFloatOp, double, matchConstantFloat>,
           ConvertScalarConstant<ConstantBoolOp, bool, matchConstantBool>,
           ConvertTensorToScalar<AtenFloatTensorOp>,
           ConvertTensorToScalar<AtenIntTensorOp>,
           ConvertTensorToScalar<AtenBoolTensorOp>>(typeConverter, context);
}
