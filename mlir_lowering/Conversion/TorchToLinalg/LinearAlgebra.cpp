//===- LinearAlgebra.cpp - mm, addmm, bmm to linalg -----------------------===//
//
// Matrix products lower to the named linalg contractions so that later
// tiling/vectorization recognizes them; addmm accumulates into an init tensor
// broadcast from the bias instead of adding it afterwards.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Returns `v` as a ranked tensor with static shape converted to `elemType`,
/// or null if it is not a static ranked tensor.
Value getStaticOperand(OpBuilder &b, Location loc, Value v, Type elemType) {
  if (!getStaticTensorType(v))
    return {};
  return convertTensorElementType(b, loc, v, elemType);
}

/// Shared checks for mm/bmm: operand ranks and contraction sizes agree with
/// the static result type.
LogicalResult checkMatmulShapes(RankedTensorType lhs, RankedTensorType rhs,
                                RankedTensorType result, int64_t rank) {
  if (lhs.getRank() != rank || rhs.getRank() != rank ||
      result.getRank() != rank)
    return failure();
  int64_t m = rank - 2, n = rank - 1;
  if (lhs.getDimSize(n) != rhs.getDimSize(m) ||
      lhs.getDimSize(m) != result.getDimSize(m) ||
      rhs.getDimSize(n) != result.getDimSize(n))
    return failure();
  if (rank == 3 && (lhs.getDimSize(0) != rhs.getDimSize(0) ||
                    lhs.getDimSize(0) != result.getDimSize(0)))
    return failure();
  return success();
}

template <typename AtenOpT, typename LinalgOpT, int64_t Rank>
struct ConvertMatmulLike : OpConversionPattern<AtenOpT> {
  using OpConversionPattern<AtenOpT>::OpConversionPattern;
  using OpAdaptor = typename AtenOpT::Adaptor;

  LogicalResult
  matchAndRewrite(AtenOpT op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*this->getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a static result type");
    Type elemType = resultType.getElementType();
    Value lhs = getStaticOperand(rewriter, loc, adaptor.getSelf(), elemType);
    Value rhs = getStaticOperand(rewriter, loc, adaptor.getMat2(), elemType);
    if (!lhs || !rhs)
      return rewriter.notifyMatchFailure(op, "needs static ranked operands");
    if (failed(checkMatmulShapes(cast<RankedTensorType>(lhs.getType()),
                                 cast<RankedTensorType>(rhs.getType()),
                                 resultType, Rank)))
      return rewriter.notifyMatchFailure(op, "operand shapes do not multiply");
    Value init =
        createZeroInitTensor(rewriter, loc, resultType.getShape(), elemType);
    Value product = LinalgOpT::create(rewriter, loc, TypeRange{resultType},
                                      ValueRange{lhs, rhs}, ValueRange{init})
                        .getResult(0);
    rewriter.replaceOp(op, product);
    return success();
  }
};

/// addmm(self, mat1, mat2, beta, alpha) = beta * self + alpha * (mat1 @ mat2).
/// With alpha == 1 the product accumulates straight into the (scaled) bias;
/// otherwise an elementwise epilogue combines both. beta == 0 ignores `self`
/// entirely, so NaN/inf in it do not leak, as in ATen.
struct ConvertAtenAddmmOp : OpConversionPattern<AtenAddmmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenAddmmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType || resultType.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "needs a static 2-d result");
    Type elemType = resultType.getElementType();
    ArrayRef<int64_t> outShape = resultType.getShape();

    Value lhs = getStaticOperand(rewriter, loc, adaptor.getMat1(), elemType);
    Value rhs = getStaticOperand(rewriter, loc, adaptor.getMat2(), elemType);
    Value bias = getStaticOperand(rewriter, loc, adaptor.getSelf(), elemType);
    if (!lhs || !rhs || !bias)
      return rewriter.notifyMatchFailure(op, "needs static ranked operands");
    if (failed(checkMatmulShapes(cast<RankedTensorType>(lhs.getType()),
                                 cast<RankedTensorType>(rhs.getType()),
                                 resultType, 2)))
      return rewriter.notifyMatchFailure(op, "operand shapes do not multiply");
    if (!isBroadcastableTo(cast<RankedTensorType>(bias.getType()).getShape(),
                           outShape))
      return rewriter.notifyMatchFailure(op, "bias does not broadcast");

    double betaConst = 0, alphaConst = 0;
    bool betaKnown = matchConstantFloat(op.getBeta(), betaConst);
    bool alphaKnown = matchConstantFloat(op.getAlpha(), alphaConst);
    bool betaIsZero = betaKnown && betaConst == 0.0;
    bool betaIsOne = betaKnown && betaConst == 1.0;
    bool alphaIsOne = alphaKnown && alphaConst == 1.0;

    Value beta, alpha;
    if (!betaIsZero && !betaIsOne)
      beta = convertScalarToDtype(rewriter, loc, adaptor.getBeta(), elemType);
    if (!alphaIsOne)
      alpha = convertScalarToDtype(rewriter, loc, adaptor.getAlpha(), elemType);
    bool isFloat = isa<mlir::FloatType>(elemType);
    auto mul = [&](OpBuilder &b, Location l, Value x, Value y) -> Value {
      if (isFloat)
        return arith::MulFOp::create(b, l, x, y);
      return arith::MulIOp::create(b, l, x, y);
    };
    auto add = [&](OpBuilder &b, Location l, Value x, Value y) -> Value {
      if (isFloat)
        return arith::AddFOp::create(b, l, x, y);
      return arith::AddIOp::create(b, l, x, y);
    };

    // init = beta * broadcast(self), or zeros when beta == 0.
    auto buildScaledBias = [&]() -> FailureOr<Value> {
      return createElementwiseGeneric(
          rewriter, loc, ValueRange{bias}, resultType,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            return beta ? mul(b, l, beta, args[0]) : args[0];
          });
    };

    if (alphaIsOne) {
      Value init;
      if (betaIsZero) {
        init = createZeroInitTensor(rewriter, loc, outShape, elemType);
      } else {
        FailureOr<Value> scaled = buildScaledBias();
        if (failed(scaled))
          return rewriter.notifyMatchFailure(op, "bias does not broadcast");
        init = *scaled;
      }
      Value result =
          linalg::MatmulOp::create(rewriter, loc, TypeRange{resultType},
                                   ValueRange{lhs, rhs}, ValueRange{init})
              .getResult(0);
      rewriter.replaceOp(op, result);
      return success();
    }

    Value zeros = createZeroInitTensor(rewriter, loc, outShape, elemType);
    Value product =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{resultType},
                                 ValueRange{lhs, rhs}, ValueRange{zeros})
            .getResult(0);
    SmallVector<Value> inputs{product};
    if (!betaIsZero)
      inputs.push_back(bias);
    FailureOr<Value> result = createElementwiseGeneric(
        rewriter, loc, inputs, resultType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value scaled = mul(b, l, alpha, args[0]);
          if (betaIsZero)
            return scaled;
          Value biasTerm = beta ? mul(b, l, beta, args[1]) : args[1];
          return add(b, l, biasTerm, scaled);
        });
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "bias does not broadcast");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void mlir::torch::populateLinearAlgebraPatterns(TypeConverter &typeConverter,
                                                RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvertMatmulLike<AtenMmOp, linalg::MatmulOp, 2>,
               ConvertMatmulLike<AtenBmmOp, linalg::BatchMatmulOp, 3>,
               ConvertAtenAddmmOp>(typeConverter, ctx);
}
