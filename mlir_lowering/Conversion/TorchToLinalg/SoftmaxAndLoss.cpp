//===- SoftmaxAndLoss.cpp - softmax, log_softmax, nll_loss to linalg ------===//
//
// _softmax / _log_softmax lower to three generics (max reduction, sum of
// exponentials, elementwise epilogue) that keep the numerically stable form
// ATen uses. Their backward ops are decomposed at the Torch level
// (torch-decompose-complex-ops). nll_loss gathers the target log-probability
// with tensor.extract inside a generic.
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

#include <limits>

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Map from the full iteration space to the tensor reduced along `dim`.
AffineMap getReducedMap(OpBuilder &b, int64_t rank, int64_t dim) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (i != dim)
      exprs.push_back(b.getAffineDimExpr(i));
  return AffineMap::get(rank, 0, exprs, b.getContext());
}

/// Reduces along `dim` of `inputType` with `combine(elements, acc)`, starting
/// from `initValue`. inputs[0] uses the identity map, the others
/// `extraInputMaps`. The result has the input shape without `dim`.
Value reduceAlongDim(
    OpBuilder &b, Location loc, ValueRange inputs, int64_t dim,
    RankedTensorType inputType, Type accType, Value initValue,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> combine,
    ArrayRef<AffineMap> extraInputMaps = {}) {
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> reducedShape(inputType.getShape());
  reducedShape.erase(reducedShape.begin() + dim);
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap reducedMap = getReducedMap(b, rank, dim);
  SmallVector<AffineMap> maps;
  maps.push_back(identity);
  maps.append(extraInputMaps.begin(), extraInputMaps.end());
  maps.push_back(reducedMap);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[dim] = utils::IteratorType::reduction;
  Value init = createInitTensor(b, loc, reducedShape, accType, initValue);
  auto resultType = RankedTensorType::get(reducedShape, accType);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value acc = args.back();
               Value next = combine(nb, nloc, args.drop_back(), acc);
               linalg::YieldOp::create(nb, nloc, next);
             })
      .getResult(0);
}

/// _softmax / _log_softmax(self, dim, half_to_float). The math runs in the
/// result element type (f32 for half_to_float).
template <typename AtenOpT, bool IsLog>
struct ConvertSoftmaxLike : OpConversionPattern<AtenOpT> {
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
    auto elemType = dyn_cast<mlir::FloatType>(resultType.getElementType());
    if (!elemType)
      return rewriter.notifyMatchFailure(op, "needs a float result");
    Value input = adaptor.getSelf();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (!inputType || inputType.getShape() != resultType.getShape())
      return rewriter.notifyMatchFailure(op, "input/result shapes differ");
    int64_t rank = inputType.getRank();
    int64_t dim;
    if (!matchConstantInt(op.getDim(), dim))
      return rewriter.notifyMatchFailure(op, "dim must be a constant");
    // A 0-d tensor is a single-element softmax: 1 (or 0 for log), but NaN/inf
    // inputs give NaN as in ATen's x - max(x).
    if (rank == 0) {
      if (dim != 0 && dim != -1)
        return rewriter.notifyMatchFailure(op, "dim out of range");
      Value fill =
          createScalarConstant(rewriter, loc, elemType, IsLog ? 0.0 : 1.0);
      FailureOr<Value> result = createElementwiseGeneric(
          rewriter, loc, ValueRange{input}, resultType,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value x = convertScalarToDtype(b, l, args[0], elemType);
            Value zero = arith::SubFOp::create(b, l, x, x);
            return arith::AddFOp::create(b, l, zero, fill);
          });
      if (failed(result))
        return failure();
      rewriter.replaceOp(op, *result);
      return success();
    }
    dim = toPositiveDim(dim, rank);
    if (!isValidDim(dim, rank))
      return rewriter.notifyMatchFailure(op, "dim out of range");

    auto convert = [&](OpBuilder &b, Location l, Value x) {
      return convertScalarToDtype(b, l, x, elemType);
    };
    Value negInf = createScalarConstant(
        rewriter, loc, elemType, -std::numeric_limits<double>::infinity());
    Value maxVal = reduceAlongDim(
        rewriter, loc, ValueRange{input}, dim, inputType, elemType, negInf,
        [&](OpBuilder &b, Location l, ValueRange args, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, convert(b, l, args[0]), acc);
        });

    AffineMap reducedMap = getReducedMap(rewriter, rank, dim);
    Value zero = createScalarConstant(rewriter, loc, elemType, 0.0);
    Value sumExp = reduceAlongDim(
        rewriter, loc, ValueRange{input, maxVal}, dim, inputType, elemType,
        zero,
        [&](OpBuilder &b, Location l, ValueRange args, Value acc) -> Value {
          Value shifted =
              arith::SubFOp::create(b, l, convert(b, l, args[0]), args[1]);
          Value e = math::ExpOp::create(b, l, shifted);
          return arith::AddFOp::create(b, l, e, acc);
        },
        {reducedMap});

    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Value result = createParallelGeneric(
        rewriter, loc, resultType, ValueRange{input, maxVal, sumExp},
        {identity, reducedMap, reducedMap},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value shifted =
              arith::SubFOp::create(b, l, convert(b, l, args[0]), args[1]);
          if (IsLog) {
            Value logSum = math::LogOp::create(b, l, args[2]);
            return arith::SubFOp::create(b, l, shifted, logSum);
          }
          Value e = math::ExpOp::create(b, l, shifted);
          return arith::DivFOp::create(b, l, e, args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Common operand handling of nll_loss_forward / nll_loss_backward.
struct NllLossOperands {
  Value self, target, weight; // weight is null when absent
  int64_t reduction = 0;      // 0 none, 1 mean, 2 sum
  Value ignoreIndex;          // i64
  RankedTensorType selfType;
};

template <typename AdaptorT, typename OpT>
FailureOr<NllLossOperands> getNllLossOperands(OpT op, AdaptorT adaptor,
                                              Type elemType,
                                              ConversionPatternRewriter &b) {
  NllLossOperands ops;
  Location loc = op.getLoc();
  ops.self = adaptor.getSelf();
  ops.selfType = getStaticTensorType(ops.self);
  RankedTensorType targetType = getStaticTensorType(adaptor.getTarget());
  if (!ops.selfType || !targetType)
    return failure();
  int64_t rank = ops.selfType.getRank();
  if (rank != 1 && rank != 2)
    return failure();
  if (targetType.getRank() != rank - 1 ||
      (rank == 2 && targetType.getDimSize(0) != ops.selfType.getDimSize(0)))
    return failure();
  if (!isa<IntegerType>(targetType.getElementType()))
    return failure();
  ops.self = convertTensorElementType(b, loc, ops.self, elemType);
  ops.selfType = cast<RankedTensorType>(ops.self.getType());
  ops.target =
      convertTensorElementType(b, loc, adaptor.getTarget(), b.getI64Type());
  if (!isTorchNone(op.getWeight())) {
    auto weightType = dyn_cast<RankedTensorType>(adaptor.getWeight().getType());
    if (!weightType || weightType.getRank() != 1 ||
        weightType.getDimSize(0) != ops.selfType.getDimSize(rank - 1))
      return failure();
    ops.weight =
        convertTensorElementType(b, loc, adaptor.getWeight(), elemType);
  }
  if (!matchConstantInt(op.getReduction(), ops.reduction) ||
      ops.reduction < 0 || ops.reduction > 2)
    return failure();
  ops.ignoreIndex =
      convertScalarToDtype(b, loc, adaptor.getIgnoreIndex(), b.getI64Type());
  return ops;
}

/// nll_loss_forward(self, target, weight, reduction, ignore_index)
///   -> (output, total_weight).
/// Matches ATen: ignored targets contribute neither loss nor weight; mean
/// divides by the total weight (NaN when it is 0); with reduction='none' on
/// a 2-d input total_weight is 0.
struct ConvertAtenNllLossForwardOp : OpConversionPattern<AtenNllLossForwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenNllLossForwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter &tc = *getTypeConverter();
    RankedTensorType outType =
        getConvertedStaticTensorType(tc, op.getResult0());
    RankedTensorType weightOutType =
        getConvertedTensorType(tc, op.getResult1());
    if (!outType || !weightOutType || weightOutType.getRank() != 0)
      return rewriter.notifyMatchFailure(op, "needs static result types");
    auto elemType = dyn_cast<mlir::FloatType>(outType.getElementType());
    if (!elemType || weightOutType.getElementType() != elemType)
      return rewriter.notifyMatchFailure(op, "needs float results");
    FailureOr<NllLossOperands> operands =
        getNllLossOperands(op, adaptor, elemType, rewriter);
    if (failed(operands))
      return rewriter.notifyMatchFailure(op, "unsupported operands");
    NllLossOperands &o = *operands;
    int64_t rank = o.selfType.getRank();
    bool perSample = o.reduction == 0 && rank == 2;
    if (perSample ? outType.getShape() != o.selfType.getShape().take_front()
                  : outType.getRank() != 0)
      return rewriter.notifyMatchFailure(op, "unexpected output shape");

    Value zero = createScalarConstant(rewriter, loc, elemType, 0.0);
    Value one = createScalarConstant(rewriter, loc, elemType, 1.0);
    Value zeroI64 =
        createScalarConstant(rewriter, loc, rewriter.getI64Type(), 0);
    Value lastClass = createScalarConstant(
        rewriter, loc, rewriter.getI64Type(),
        static_cast<double>(o.selfType.getShape().back() - 1));

    // Loops: (n) for a 2-d input, none for a 1-d one.
    int64_t numLoops = rank - 1;
    AffineMap targetMap = rewriter.getMultiDimIdentityMap(numLoops);
    AffineMap scalarMap =
        AffineMap::get(numLoops, 0, {}, rewriter.getContext());
    SmallVector<AffineMap> maps{targetMap};
    SmallVector<Value> outputs;
    SmallVector<Type> outTypes;
    if (perSample) {
      maps.push_back(targetMap);
      outputs.push_back(
          tensor::EmptyOp::create(rewriter, loc, outType.getShape(), elemType));
      outTypes.push_back(outType);
    } else {
      maps.push_back(scalarMap);
      maps.push_back(scalarMap);
      auto scalarType = RankedTensorType::get({}, elemType);
      outputs.push_back(createZeroInitTensor(rewriter, loc, {}, elemType));
      outputs.push_back(createZeroInitTensor(rewriter, loc, {}, elemType));
      outTypes.append({scalarType, scalarType});
    }
    SmallVector<utils::IteratorType> iterators(
        numLoops, perSample ? utils::IteratorType::parallel
                            : utils::IteratorType::reduction);

    auto generic = linalg::GenericOp::create(
        rewriter, loc, outTypes, ValueRange{o.target}, outputs, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value t = args[0];
          Value ignored = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                t, o.ignoreIndex);
          // Never read at the ignore index (e.g. -100), nor out of bounds for
          // an invalid target (an error in ATen).
          Value safeT = arith::SelectOp::create(b, l, ignored, zeroI64, t);
          safeT = arith::MinSIOp::create(
              b, l, arith::MaxSIOp::create(b, l, safeT, zeroI64), lastClass);
          Value tIdx =
              arith::IndexCastOp::create(b, l, b.getIndexType(), safeT);
          SmallVector<Value> idx;
          if (rank == 2)
            idx.push_back(linalg::IndexOp::create(b, l, 0));
          idx.push_back(tIdx);
          Value x = tensor::ExtractOp::create(b, l, o.self, idx);
          Value w = one;
          if (o.weight)
            w = tensor::ExtractOp::create(b, l, o.weight, ValueRange{tIdx});
          Value weighted =
              o.weight ? Value(arith::MulFOp::create(b, l, x, w)) : x;
          Value loss = arith::NegFOp::create(b, l, weighted);
          loss = arith::SelectOp::create(b, l, ignored, zero, loss);
          if (perSample) {
            linalg::YieldOp::create(b, l, loss);
            return;
          }
          Value wEff = arith::SelectOp::create(b, l, ignored, zero, w);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::AddFOp::create(b, l, args[1], loss),
                         arith::AddFOp::create(b, l, args[2], wEff)});
        });

    Value output = generic.getResult(0);
    Value totalWeight;
    if (perSample) {
      totalWeight = createZeroInitTensor(rewriter, loc, {}, elemType);
    } else {
      totalWeight = generic.getResult(1);
      if (o.reduction == 1) {
        Value sum = extractScalar(rewriter, loc, output);
        Value tw = extractScalar(rewriter, loc, totalWeight);
        Value mean = arith::DivFOp::create(rewriter, loc, sum, tw);
        output = tensor::FromElementsOp::create(
            rewriter, loc, RankedTensorType::get({}, elemType),
            ValueRange{mean});
      }
    }
    rewriter.replaceOp(op, {output, totalWeight});
    return success();
  }
};

/// nll_loss_backward(grad_output, self, target, weight, reduction,
/// ignore_index, total_weight): the only nonzero per row is at the target,
/// -weight[t] * grad (divided by total_weight for 'mean').
struct ConvertAtenNllLossBackwardOp
    : OpConversionPattern<AtenNllLossBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenNllLossBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a static result type");
    auto elemType = dyn_cast<mlir::FloatType>(resultType.getElementType());
    if (!elemType)
      return rewriter.notifyMatchFailure(op, "needs a float result");
    FailureOr<NllLossOperands> operands =
        getNllLossOperands(op, adaptor, elemType, rewriter);
    if (failed(operands))
      return rewriter.notifyMatchFailure(op, "unsupported operands");
    NllLossOperands &o = *operands;
    int64_t rank = o.selfType.getRank();
    if (resultType.getShape() != o.selfType.getShape())
      return rewriter.notifyMatchFailure(op, "result shape differs from self");

    auto gradType =
        dyn_cast<RankedTensorType>(adaptor.getGradOutput().getType());
    auto twType =
        dyn_cast<RankedTensorType>(adaptor.getTotalWeight().getType());
    if (!gradType || !twType || twType.getRank() != 0)
      return rewriter.notifyMatchFailure(op, "unsupported grad/total_weight");
    bool perSample = o.reduction == 0 && rank == 2;
    if (perSample ? gradType.getShape() != o.selfType.getShape().take_front()
                  : gradType.getRank() != 0)
      return rewriter.notifyMatchFailure(op, "unexpected grad_output shape");
    Value grad = convertTensorElementType(rewriter, loc,
                                          adaptor.getGradOutput(), elemType);
    Value totalWeight = convertTensorElementType(
        rewriter, loc, adaptor.getTotalWeight(), elemType);

    MLIRContext *ctx = rewriter.getContext();
    // Loops: (n, c) for a 2-d input, (c) for a 1-d one.
    AffineMap targetMap =
        rank == 2 ? AffineMap::get(2, 0, {rewriter.getAffineDimExpr(0)}, ctx)
                  : AffineMap::get(1, 0, {}, ctx);
    AffineMap scalarMap = AffineMap::get(rank, 0, {}, ctx);
    AffineMap gradMap = perSample ? targetMap : scalarMap;
    Value zero = createScalarConstant(rewriter, loc, elemType, 0.0);
    Value result = createParallelGeneric(
        rewriter, loc, resultType, ValueRange{o.target, grad, totalWeight},
        {targetMap, gradMap, scalarMap},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value t = args[0];
          Value c = linalg::IndexOp::create(b, l, rank - 1);
          Value cI64 = arith::IndexCastOp::create(b, l, b.getI64Type(), c);
          Value isTarget =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, t, cI64);
          Value notIgnored = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::ne, t, o.ignoreIndex);
          Value hit = arith::AndIOp::create(b, l, isTarget, notIgnored);
          Value g = args[1];
          if (o.reduction == 1)
            g = arith::DivFOp::create(b, l, g, args[2]);
          Value val = arith::NegFOp::create(b, l, g);
          if (o.weight) {
            // Indexed by c, which equals t wherever the value is used.
            Value w = tensor::ExtractOp::create(b, l, o.weight, ValueRange{c});
            val = arith::MulFOp::create(b, l, w, val);
          }
          return arith::SelectOp::create(b, l, hit, val, zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::torch::populateSoftmaxAndLossPatterns(TypeConverter &typeConverter,
                                                 RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvertSoftmaxLike<AtenLogSoftmaxOp, /*IsLog=*/true>,
               ConvertSoftmaxLike<AtenSoftmaxOp, /*IsLog=*/false>,
               ConvertAtenNllLossForwardOp, ConvertAtenNllLossBackwardOp>(
      typeConverter, ctx);
}
