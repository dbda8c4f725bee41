//===- Normalization.cpp - native_layer_norm (+backward) to linalg --------===//
//
// Rows are the leading (batch) dims, columns the normalized trailing dims.
// Statistics use a two-pass mean/variance (generics with reduction loops over
// the columns); the elementwise parts follow the formulas of ATen's CPU
// kernels so results round the same way. f16/bf16 run in f32, as ATen does.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Shape bookkeeping for a layer norm over the trailing `numNormDims` dims.
struct LayerNormShape {
  int64_t rank = 0, axis = 0;
  SmallVector<int64_t> rowShape, colShape;
  int64_t numCols = 1;

  AffineMap rowMap(OpBuilder &b) const {
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < axis; ++i)
      exprs.push_back(b.getAffineDimExpr(i));
    return AffineMap::get(rank, 0, exprs, b.getContext());
  }
  AffineMap colMap(OpBuilder &b) const {
    SmallVector<AffineExpr> exprs;
    for (int64_t i = axis; i < rank; ++i)
      exprs.push_back(b.getAffineDimExpr(i));
    return AffineMap::get(rank, 0, exprs, b.getContext());
  }
  AffineMap identity(OpBuilder &b) const {
    return b.getMultiDimIdentityMap(rank);
  }
  /// Parallel over rows, reduction over columns (or the reverse).
  SmallVector<utils::IteratorType> iterators(bool reduceColumns) const {
    SmallVector<utils::IteratorType> its;
    for (int64_t i = 0; i < rank; ++i) {
      bool isCol = i >= axis;
      its.push_back(isCol == reduceColumns ? utils::IteratorType::reduction
                                           : utils::IteratorType::parallel);
    }
    return its;
  }
  SmallVector<utils::IteratorType> parallel() const {
    return SmallVector<utils::IteratorType>(rank,
                                            utils::IteratorType::parallel);
  }
};

FailureOr<LayerNormShape> getLayerNormShape(RankedTensorType inputType,
                                            Value normalizedShapeList) {
  SmallVector<int64_t> normShape;
  if (!inputType || !inputType.hasStaticShape() ||
      failed(matchConstantIntList(normalizedShapeList, normShape)))
    return failure();
  LayerNormShape s;
  s.rank = inputType.getRank();
  int64_t k = normShape.size();
  if (k < 1 || k > s.rank)
    return failure();
  s.axis = s.rank - k;
  ArrayRef<int64_t> shape = inputType.getShape();
  if (shape.drop_front(s.axis) != ArrayRef<int64_t>(normShape))
    return failure();
  s.rowShape.assign(shape.begin(), shape.begin() + s.axis);
  s.colShape.assign(normShape.begin(), normShape.end());
  for (int64_t v : normShape)
    s.numCols *= v;
  return s;
}

/// The float type statistics are computed in.
mlir::FloatType getAccType(OpBuilder &b, mlir::FloatType elemType) {
  if (elemType.getWidth() < 32)
    return b.getF32Type();
  return elemType;
}

/// An optional per-column tensor (weight/bias) converted to `accType`, or
/// null when absent. Fails if present with the wrong shape.
FailureOr<Value> getColumnOperand(OpBuilder &b, Location loc, Value torchValue,
                                  Value converted, const LayerNormShape &s,
                                  Type accType) {
  if (isTorchNone(torchValue))
    return Value();
  auto type = dyn_cast<RankedTensorType>(converted.getType());
  if (!type || type.getShape() != ArrayRef<int64_t>(s.colShape))
    return failure();
  return convertTensorElementType(b, loc, converted, accType);
}

Value buildGeneric(
    OpBuilder &b, Location loc, TypeRange resultTypes, ValueRange inputs,
    ValueRange outputs, ArrayRef<AffineMap> maps,
    ArrayRef<utils::IteratorType> iterators,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body,
    SmallVectorImpl<Value> *allResults = nullptr) {
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, inputs, outputs, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l, body(nb, l, args));
      });
  if (allResults)
    allResults->assign(generic.getResults().begin(),
                       generic.getResults().end());
  return generic.getResult(0);
}

/// native_layer_norm(input, normalized_shape, weight, bias, eps)
///   -> (out, mean, rstd); mean/rstd keep the normalized dims as size 1.
struct ConvertAtenNativeLayerNormOp
    : OpConversionPattern<AtenNativeLayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenNativeLayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter &tc = *getTypeConverter();
    RankedTensorType outType =
        getConvertedStaticTensorType(tc, op.getResult0());
    RankedTensorType meanType =
        getConvertedStaticTensorType(tc, op.getResult1());
    RankedTensorType rstdType =
        getConvertedStaticTensorType(tc, op.getResult2());
    if (!outType || !meanType || !rstdType)
      return rewriter.notifyMatchFailure(op, "needs static result types");
    auto elemType = dyn_cast<mlir::FloatType>(outType.getElementType());
    if (!elemType || !isa<mlir::FloatType>(meanType.getElementType()) ||
        !isa<mlir::FloatType>(rstdType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs float results");
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    FailureOr<LayerNormShape> shape =
        getLayerNormShape(inputType, op.getNormalizedShape());
    if (failed(shape) || inputType.getShape() != outType.getShape())
      return rewriter.notifyMatchFailure(op, "unsupported normalized_shape");
    LayerNormShape &s = *shape;
    if (meanType.getNumElements() != rstdType.getNumElements() ||
        meanType.getRank() != s.rank)
      return rewriter.notifyMatchFailure(op, "unexpected mean/rstd shape");

    mlir::FloatType accType = getAccType(rewriter, elemType);
    Value x =
        convertTensorElementType(rewriter, loc, adaptor.getInput(), accType);
    FailureOr<Value> weight = getColumnOperand(rewriter, loc, op.getWeight(),
                                               adaptor.getWeight(), s, accType);
    FailureOr<Value> bias = getColumnOperand(rewriter, loc, op.getBias(),
                                             adaptor.getBias(), s, accType);
    if (failed(weight) || failed(bias))
      return rewriter.notifyMatchFailure(op, "weight/bias shape mismatch");
    Value eps = convertScalarToDtype(rewriter, loc, adaptor.getEps(), accType);

    auto rowType = RankedTensorType::get(s.rowShape, accType);
    Value zero = createScalarConstant(rewriter, loc, accType, 0.0);
    Value one = createScalarConstant(rewriter, loc, accType, 1.0);
    Value count = createScalarConstant(rewriter, loc, accType,
                                       static_cast<double>(s.numCols));
    AffineMap id = s.identity(rewriter), row = s.rowMap(rewriter),
              col = s.colMap(rewriter);

    Value sum = buildGeneric(
        rewriter, loc, rowType, ValueRange{x},
        ValueRange{createZeroInitTensor(rewriter, loc, s.rowShape, accType)},
        {id, row}, s.iterators(/*reduceColumns=*/true),
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          return {arith::AddFOp::create(b, l, a[1], a[0])};
        });
    Value sqSum = buildGeneric(
        rewriter, loc, rowType, ValueRange{x, sum},
        ValueRange{createZeroInitTensor(rewriter, loc, s.rowShape, accType)},
        {id, row, row}, s.iterators(/*reduceColumns=*/true),
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value mean = arith::DivFOp::create(b, l, a[1], count);
          Value d = arith::SubFOp::create(b, l, a[0], mean);
          Value sq = arith::MulFOp::create(b, l, d, d);
          return {arith::AddFOp::create(b, l, a[2], sq)};
        });

    // Per-row mean and rstd = 1 / sqrt(var + eps).
    int64_t rowRank = s.axis;
    AffineMap rowId = rewriter.getMultiDimIdentityMap(rowRank);
    SmallVector<Value> stats;
    buildGeneric(
        rewriter, loc, TypeRange{rowType, rowType}, ValueRange{sum, sqSum},
        ValueRange{tensor::EmptyOp::create(rewriter, loc, s.rowShape, accType),
                   tensor::EmptyOp::create(rewriter, loc, s.rowShape, accType)},
        {rowId, rowId, rowId, rowId},
        SmallVector<utils::IteratorType>(rowRank,
                                         utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value mean = arith::DivFOp::create(b, l, a[0], count);
          Value var = arith::DivFOp::create(b, l, a[1], count);
          var = arith::MaximumFOp::create(b, l, var, zero);
          Value stddev =
              math::SqrtOp::create(b, l, arith::AddFOp::create(b, l, var, eps));
          return {mean, arith::DivFOp::create(b, l, one, stddev)};
        },
        &stats);
    Value mean = stats[0], rstd = stats[1];

    // y = (x * rstd - rstd * mean) * weight + bias.
    SmallVector<Value> inputs{x, mean, rstd};
    SmallVector<AffineMap> maps{id, row, row};
    if (*weight) {
      inputs.push_back(*weight);
      maps.push_back(col);
    }
    if (*bias) {
      inputs.push_back(*bias);
      maps.push_back(col);
    }
    maps.push_back(id);
    auto accOutType = RankedTensorType::get(outType.getShape(), accType);
    Value out = buildGeneric(
        rewriter, loc, accOutType, inputs,
        ValueRange{tensor::EmptyOp::create(rewriter, loc, outType.getShape(),
                                           accType)},
        maps, s.parallel(),
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value scaled = arith::MulFOp::create(b, l, a[0], a[2]);
          Value shift = arith::NegFOp::create(
              b, l, arith::MulFOp::create(b, l, a[2], a[1]));
          Value y = arith::AddFOp::create(b, l, scaled, shift);
          unsigned next = 3;
          if (*weight)
            y = arith::MulFOp::create(b, l, y, a[next++]);
          if (*bias)
            y = arith::AddFOp::create(b, l, y, a[next++]);
          return {y};
        });

    auto finish = [&](Value v, RankedTensorType type) -> FailureOr<Value> {
      auto accTyped = RankedTensorType::get(type.getShape(), accType);
      FailureOr<Value> reshaped = reshapeTensor(rewriter, loc, v, accTyped);
      if (failed(reshaped))
        return failure();
      return convertTensorElementType(rewriter, loc, *reshaped,
                                      type.getElementType());
    };
    FailureOr<Value> outFinal = finish(out, outType);
    FailureOr<Value> meanFinal = finish(mean, meanType);
    FailureOr<Value> rstdFinal = finish(rstd, rstdType);
    if (failed(outFinal) || failed(meanFinal) || failed(rstdFinal))
      return rewriter.notifyMatchFailure(op, "cannot reshape statistics");
    rewriter.replaceOp(op, {*outFinal, *meanFinal, *rstdFinal});
    return success();
  }
};

/// native_layer_norm_backward(grad_out, input, normalized_shape, mean, rstd,
/// weight, bias, output_mask) -> (grad_input, grad_weight, grad_bias), with
/// ATen's formulation:
///   ds = sum_cols(dy * w * x), db = sum_cols(dy * w)
///   b' = (db * mean - ds) * rstd^3 / N, c' = -b' * mean - db * rstd / N
///   dx = rstd * dy * w + b' * x + c'
///   dw = sum_rows(dy * (x - mean) * rstd), db_out = sum_rows(dy).
/// Results not requested by output_mask are zeros.
struct ConvertAtenNativeLayerNormBackwardOp
    : OpConversionPattern<AtenNativeLayerNormBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenNativeLayerNormBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter &tc = *getTypeConverter();
    RankedTensorType giType = getConvertedStaticTensorType(tc, op.getResult0());
    RankedTensorType gwType = getConvertedStaticTensorType(tc, op.getResult1());
    RankedTensorType gbType = getConvertedStaticTensorType(tc, op.getResult2());
    if (!giType || !gwType || !gbType)
      return rewriter.notifyMatchFailure(op, "needs static result types");
    auto elemType = dyn_cast<mlir::FloatType>(giType.getElementType());
    if (!elemType)
      return rewriter.notifyMatchFailure(op, "needs float results");
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto gradType = dyn_cast<RankedTensorType>(adaptor.getGradOut().getType());
    FailureOr<LayerNormShape> shape =
        getLayerNormShape(inputType, op.getNormalizedShape());
    if (failed(shape) || !gradType ||
        gradType.getShape() != inputType.getShape() ||
        giType.getShape() != inputType.getShape())
      return rewriter.notifyMatchFailure(op, "unsupported shapes");
    LayerNormShape &s = *shape;
    SmallVector<bool> mask;
    if (failed(matchConstantBoolList(op.getOutputMask(), mask)) ||
        mask.size() != 3)
      return rewriter.notifyMatchFailure(op, "output_mask must be constant");

    mlir::FloatType accType = getAccType(rewriter, elemType);
    auto rowType = RankedTensorType::get(s.rowShape, accType);
    auto getRowStat = [&](Value v) -> FailureOr<Value> {
      RankedTensorType type = getStaticTensorType(v);
      if (!type || type.getNumElements() != rowType.getNumElements())
        return failure();
      v = convertTensorElementType(rewriter, loc, v, accType);
      return reshapeTensor(rewriter, loc, v, rowType);
    };
    FailureOr<Value> mean = getRowStat(adaptor.getMean());
    FailureOr<Value> rstd = getRowStat(adaptor.getRstd());
    FailureOr<Value> weight = getColumnOperand(rewriter, loc, op.getWeight(),
                                               adaptor.getWeight(), s, accType);
    if (failed(mean) || failed(rstd) || failed(weight))
      return rewriter.notifyMatchFailure(op, "unexpected mean/rstd/weight");
    Value x =
        convertTensorElementType(rewriter, loc, adaptor.getInput(), accType);
    Value dy =
        convertTensorElementType(rewriter, loc, adaptor.getGradOut(), accType);

    AffineMap id = s.identity(rewriter), row = s.rowMap(rewriter),
              col = s.colMap(rewriter);
    Value count = createScalarConstant(rewriter, loc, accType,
                                       static_cast<double>(s.numCols));
    auto convertResult = [&](Value v, RankedTensorType type) {
      return convertTensorElementType(rewriter, loc, v, type.getElementType());
    };
    SmallVector<Value> results;

    if (mask[0]) {
      // Row sums ds and db.
      SmallVector<Value> inputs{dy, x};
      SmallVector<AffineMap> maps{id, id};
      if (*weight) {
        inputs.push_back(*weight);
        maps.push_back(col);
      }
      maps.append({row, row});
      SmallVector<Value> sums;
      buildGeneric(
          rewriter, loc, TypeRange{rowType, rowType}, inputs,
          ValueRange{createZeroInitTensor(rewriter, loc, s.rowShape, accType),
                     createZeroInitTensor(rewriter, loc, s.rowShape, accType)},
          maps, s.iterators(/*reduceColumns=*/true),
          [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
            Value dyw = a[0];
            unsigned acc = 2;
            if (*weight) {
              dyw = arith::MulFOp::create(b, l, a[0], a[2]);
              acc = 3;
            }
            Value dsTerm = arith::MulFOp::create(b, l, dyw, a[1]);
            return {arith::AddFOp::create(b, l, a[acc], dsTerm),
                    arith::AddFOp::create(b, l, a[acc + 1], dyw)};
          },
          &sums);

      SmallVector<Value> dxInputs{dy, x, *mean, *rstd, sums[0], sums[1]};
      SmallVector<AffineMap> dxMaps{id, id, row, row, row, row};
      if (*weight) {
        dxInputs.push_back(*weight);
        dxMaps.push_back(col);
      }
      dxMaps.push_back(id);
      auto accGiType = RankedTensorType::get(giType.getShape(), accType);
      Value dx = buildGeneric(
          rewriter, loc, accGiType, dxInputs,
          ValueRange{tensor::EmptyOp::create(rewriter, loc, giType.getShape(),
                                             accType)},
          dxMaps, s.parallel(),
          [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
            Value dyv = a[0], xv = a[1], m = a[2], r = a[3], ds = a[4],
                  db = a[5];
            Value r3 = arith::MulFOp::create(
                b, l, arith::MulFOp::create(b, l, r, r), r);
            Value bCoef = arith::DivFOp::create(
                b, l,
                arith::MulFOp::create(
                    b, l,
                    arith::SubFOp::create(
                        b, l, arith::MulFOp::create(b, l, db, m), ds),
                    r3),
                count);
            Value cCoef = arith::SubFOp::create(
                b, l,
                arith::NegFOp::create(b, l,
                                      arith::MulFOp::create(b, l, bCoef, m)),
                arith::DivFOp::create(b, l, arith::MulFOp::create(b, l, db, r),
                                      count));
            Value dyw =
                *weight ? Value(arith::MulFOp::create(b, l, dyv, a[6])) : dyv;
            Value dxv = arith::AddFOp::create(
                b, l,
                arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, r, dyw),
                                      arith::MulFOp::create(b, l, bCoef, xv)),
                cCoef);
            return {dxv};
          });
      results.push_back(convertResult(dx, giType));
    } else {
      results.push_back(createZeroInitTensor(rewriter, loc, giType.getShape(),
                                             giType.getElementType()));
    }

    auto colType = RankedTensorType::get(s.colShape, accType);
    auto finishColumn = [&](Value v,
                            RankedTensorType type) -> FailureOr<Value> {
      FailureOr<Value> reshaped = reshapeTensor(
          rewriter, loc, v, RankedTensorType::get(type.getShape(), accType));
      if (failed(reshaped))
        return failure();
      return convertResult(*reshaped, type);
    };
    for (int64_t which = 1; which <= 2; ++which) {
      RankedTensorType type = which == 1 ? gwType : gbType;
      if (!mask[which]) {
        results.push_back(createZeroInitTensor(rewriter, loc, type.getShape(),
                                               type.getElementType()));
        continue;
      }
      Value colSum;
      if (which == 1) {
        colSum = buildGeneric(
            rewriter, loc, colType, ValueRange{dy, x, *mean, *rstd},
            ValueRange{
                createZeroInitTensor(rewriter, loc, s.colShape, accType)},
            {id, id, row, row, col}, s.iterators(/*reduceColumns=*/false),
            [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
              Value xhat = arith::MulFOp::create(
                  b, l, arith::SubFOp::create(b, l, a[1], a[2]), a[3]);
              return {arith::AddFOp::create(
                  b, l, a[4], arith::MulFOp::create(b, l, a[0], xhat))};
            });
      } else {
        colSum = buildGeneric(
            rewriter, loc, colType, ValueRange{dy},
            ValueRange{
                createZeroInitTensor(rewriter, loc, s.colShape, accType)},
            {id, col}, s.iterators(/*reduceColumns=*/false),
            [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
              return {arith::AddFOp::create(b, l, a[1], a[0])};
            });
      }
      FailureOr<Value> finished = finishColumn(colSum, type);
      if (failed(finished))
        return rewriter.notifyMatchFailure(op, "unexpected grad_weight shape");
      results.push_back(*finished);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::torch::populateNormalizationPatterns(TypeConverter &typeConverter,
                                                RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns
      .add<ConvertAtenNativeLayerNormOp, ConvertAtenNativeLayerNormBackwardOp>(
          typeConverter, ctx);
}
