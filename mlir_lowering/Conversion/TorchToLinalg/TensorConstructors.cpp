//===- TensorConstructors.cpp - Literals, fills and copies ----------------===//
//
// vtensor.literal becomes arith.constant; fill.Scalar and zero become
// linalg.fill; _to_copy converts the dtype elementwise (layout, device and
// memory format mean nothing here); clone forwards its input, since tensors
// have value semantics.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

class ConvertValueTensorLiteral
    : public OpConversionPattern<ValueTensorLiteralOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ValueTensorLiteralOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unconvertible result type");
    ElementsAttr value = op.getValue();
    if (value.getType() == resultType) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, resultType,
                                                     cast<TypedAttr>(value));
      return success();
    }
    // Signed/unsigned integer literals: reinterpret as signless.
    auto dense = dyn_cast<DenseElementsAttr>(value);
    auto valueType = cast<ShapedType>(value.getType());
    if (!dense || valueType.getShape() != resultType.getShape() ||
        valueType.getElementTypeBitWidth() !=
            resultType.getElementTypeBitWidth())
      return rewriter.notifyMatchFailure(op, "literal does not match result");
    DenseElementsAttr signless = dense.bitcast(resultType.getElementType());
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, resultType, signless);
    return success();
  }
};

/// fill.Scalar(self, value): a tensor of the result shape filled with value.
class ConvertFillScalar : public OpConversionPattern<AtenFillScalarOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenFillScalarOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    Value value = adaptor.getValue();
    if (!resultType || !value.getType().isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "unsupported types");
    Location loc = op.getLoc();
    Value fill =
        convertScalarToDtype(rewriter, loc, value, resultType.getElementType(),
                             Type(), getTorchDtype(op.getResult()));
    rewriter.replaceOp(op,
                       createInitTensor(rewriter, loc, resultType.getShape(),
                                        resultType.getElementType(), fill));
    return success();
  }
};

class ConvertZero : public OpConversionPattern<AtenZeroOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenZeroOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unsupported result type");
    rewriter.replaceOp(op, createZeroInitTensor(rewriter, op.getLoc(),
                                                resultType.getShape(),
                                                resultType.getElementType()));
    return success();
  }
};

/// _to_copy(self, dtype, layout, device, pin_memory, non_blocking,
/// memory_format): only the dtype matters, and the result type carries it.
class ConvertToCopy : public OpConversionPattern<AtenToCopyOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenToCopyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op.getResult());
    Value input = adaptor.getSelf();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (!resultType || !inputType ||
        inputType.getShape() != resultType.getShape())
      return rewriter.notifyMatchFailure(op, "unsupported types");
    rewriter.replaceOp(
        op, convertTensorElementType(
                rewriter, op.getLoc(), input, resultType.getElementType(),
                getTorchDtype(op.getSelf()), getTorchDtype(op.getResult())));
    return success();
  }
};

/// Ops that return their input's value unchanged (clone, detach_copy,
/// alias_copy): forward the converted input.
template <typename OpTy>
class ConvertIdentityCopy : public OpConversionPattern<OpTy> {
public:
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType =
        getConvertedTensorType(*this->getTypeConverter(), op.getResult());
    Value input = adaptor.getSelf();
    if (!resultType || input.getType() != resultType)
      return rewriter.notifyMatchFailure(op, "type changes");
    rewriter.replaceOp(op, input);
    return success();
  }
};

/// Factory ops whose result type says everything but the fill value:
/// zeros/ones/full/empty and their _like / new_ forms, scalar_tensor.
/// `fillIndex` is the operand holding the value, or -1 to use `constant`;
/// `isEmpty` leaves the contents undefined.
class ConvertFactoryOp : public ConversionPattern {
public:
  ConvertFactoryOp(const TypeConverter &typeConverter, MLIRContext *context,
                   StringRef opName, int fillIndex, double constant,
                   bool isEmpty = false)
      : ConversionPattern(typeConverter, opName, /*benefit=*/1, context),
        fillIndex(fillIndex), constant(constant), isEmpty(isEmpty) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 ||
        static_cast<int>(operands.size()) <= fillIndex)
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op->getResult(0));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unsupported result type");
    Type elemType = resultType.getElementType();
    Location loc = op->getLoc();
    if (isEmpty) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, resultType.getShape(),
                                                   elemType);
      return success();
    }
    Value fill;
    if (fillIndex >= 0) {
      Value value = operands[fillIndex];
      if (!value.getType().isIntOrFloat())
        return rewriter.notifyMatchFailure(op, "fill value is not a scalar");
      fill = convertScalarToDtype(rewriter, loc, value, elemType, Type(),
                                  getTorchDtype(op->getResult(0)));
    } else {
      fill = createScalarConstant(rewriter, loc, elemType, constant);
    }
    rewriter.replaceOp(
        op,
        createInitTensor(rewriter, loc, resultType.getShape(), elemType, fill));
    return success();
  }

private:
  int fillIndex;
  double constant;
  bool isEmpty;
};

/// arange(end), arange.start(start, end), arange.start_step(start, end,
/// step): element i is start + i * step, computed in f64 for float results
/// (ATen's accumulation type) and in i64 for integer ones. The length comes
/// from the result type.
class ConvertArangeOp : public ConversionPattern {
public:
  ConvertArangeOp(const TypeConverter &typeConverter, MLIRContext *context,
                  StringRef opName, int startIndex, int stepIndex)
      : ConversionPattern(typeConverter, opName, /*benefit=*/1, context),
        startIndex(startIndex), stepIndex(stepIndex) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType =
        op->getNumResults() == 1 ? getConvertedStaticTensorType(
                                       *getTypeConverter(), op->getResult(0))
                                 : RankedTensorType();
    if (!resultType || resultType.getRank() != 1)
      return rewriter.notifyMatchFailure(op, "unsupported result type");
    Type elemType = resultType.getElementType();
    Location loc = op->getLoc();
    Type computeType = isa<mlir::FloatType>(elemType)
                           ? Type(rewriter.getF64Type())
                           : Type(rewriter.getI64Type());
    for (int index : {startIndex, stepIndex})
      if (index >= 0 && !operands[index].getType().isIntOrFloat())
        return rewriter.notifyMatchFailure(op, "non-scalar start or step");
    Value start = startIndex >= 0
                      ? convertScalarToDtype(rewriter, loc,
                                             operands[startIndex], computeType)
                      : createScalarConstant(rewriter, loc, computeType, 0);
    Value step = stepIndex >= 0
                     ? convertScalarToDtype(rewriter, loc, operands[stepIndex],
                                            computeType)
                     : createScalarConstant(rewriter, loc, computeType, 1);
    Value result = createParallelGeneric(
        rewriter, loc, resultType, ValueRange{}, {},
        [&](OpBuilder &b, Location l, ValueRange) {
          Value i = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 0));
          i = convertScalarToDtype(b, l, i, computeType);
          Value v =
              isa<mlir::FloatType>(computeType)
                  ? Value(arith::AddFOp::create(
                        b, l, start, arith::MulFOp::create(b, l, i, step)))
                  : Value(arith::AddIOp::create(
                        b, l, start, arith::MulIOp::create(b, l, i, step)));
          return convertScalarToDtype(b, l, v, elemType, Type(),
                                      getTorchDtype(op->getResult(0)));
        });
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  int startIndex;
  int stepIndex;
};

} // namespace

void mlir::torch::populateTensorConstructorPatterns(
    TypeConverter &typeConverter, RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ConvertValueTensorLiteral, ConvertFillScalar, ConvertZero,
               ConvertToCopy, ConvertIdentityCopy<AtenCloneOp>>(typeConverter,
                                                                context);
  // Operand positions follow the ATen schemas.
  patterns.add<ConvertFactoryOp>(typeConverter, context, "torch.aten.zeros", -1,
                                 0.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context, "torch.aten.ones", -1,
                                 1.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context, "torch.aten.full", 1,
                                 0.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context,
                                 "torch.aten.zeros_like", -1, 0.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context, "torch.aten.ones_like",
                                 -1, 1.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context, "torch.aten.full_like",
                                 1, 0.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context, "torch.aten.new_zeros",
                                 -1, 0.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context, "torch.aten.new_ones",
                                 -1, 1.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context, "torch.aten.new_full",
                                 2, 0.0);
  patterns.add<ConvertFactoryOp>(typeConverter, context,
                                 "torch.aten.scalar_tensor", 0, 0.0);
  for (StringRef name :
       {"torch.aten.empty.memory_format", "torch.aten.empty_like",
        "torch.aten.new_empty", "torch.aten.empty_strided"})
    patterns.add<ConvertFactoryOp>(typeConverter, context, name, -1, 0.0,
                                   /*isEmpty=*/true);
  patterns.add<ConvertArangeOp>(typeConverter, context, "torch.aten.arange", -1,
                                -1);
  patterns.add<ConvertArangeOp>(typeConverter, context,
                                "torch.aten.arange.start", 0, -1);
  patterns.add<ConvertArangeOp>(typeConverter, context,
                                "torch.aten.arange.start_step", 0, 2);
}
