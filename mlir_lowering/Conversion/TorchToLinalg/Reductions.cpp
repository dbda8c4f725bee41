//===- Reductions.cpp - Torch reductions to linalg.generic ----------------===//
//
// sum, mean, amax/amin, max/min (full) and argmax/argmin become a
// linalg.generic with reduction iterators over the reduced dims, writing the
// shape without those dims; keepdim is a tensor.expand_shape afterwards.
// Sums accumulate in the result dtype (f32 for f16/bf16 results).
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::torch;

namespace {

/// The dims to reduce, from `dim: int[1]?` (None or [] mean all dims) or
/// `dim: int?` (None means all); a null `dimList` also means all dims.
LogicalResult getReductionDims(Value dimList, int64_t rank,
                               SmallVectorImpl<bool> &reduced) {
  reduced.assign(rank, false);
  SmallVector<int64_t> dims;
  if (!dimList || isTorchNone(dimList)) {
    reduced.assign(rank, true);
    return success();
  }
  int64_t single;
  if (matchConstantInt(dimList, single)) {
    dims.push_back(single);
  } else if (failed(matchConstantIntList(dimList, dims))) {
    return failure();
  }
  if (dims.empty()) {
    reduced.assign(rank, true);
    return success();
  }
  // A 0-d tensor accepts dim 0 and -1.
  int64_t wrapRank = std::max<int64_t>(rank, 1);
  for (int64_t d : dims) {
    d = toPositiveDim(d, wrapRank);
    if (!isValidDim(d, wrapRank))
      return failure();
    if (rank == 0)
      continue;
    if (reduced[d])
      return failure(); // Repeated dim.
    reduced[d] = true;
  }
  return success();
}

/// The input shape without the reduced dims (keepdim=false) or with them set
/// to 1 (keepdim=true).
SmallVector<int64_t> getReducedShape(ArrayRef<int64_t> shape,
                                     ArrayRef<bool> reduced, bool keepdim) {
  SmallVector<int64_t> result;
  for (auto [size, isReduced] : llvm::zip(shape, reduced)) {
    if (!isReduced)
      result.push_back(size);
    else if (keepdim)
      result.push_back(1);
  }
  return result;
}

/// A linalg.generic reducing `input` over the `reduced` dims into `inits`
/// (tensors of the kept dims). `body` gets the input element, the indices
/// of the iteration (as index values, only if `needIndices`) and the
/// accumulators, and returns the new accumulators.
SmallVector<Value> createReduction(
    OpBuilder &b, Location loc, Value input, ArrayRef<bool> reduced,
    ValueRange inits,
    function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)>
        body) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced[d]) {
      iterators.push_back(utils::IteratorType::reduction);
    } else {
      iterators.push_back(utils::IteratorType::parallel);
      outExprs.push_back(b.getAffineDimExpr(d));
    }
  }
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, b.getContext());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  maps.append(inits.size(), outMap);
  SmallVector<Type> resultTypes(inits.getTypes());
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, ValueRange{input}, inits, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> next = body(nb, nloc, args[0], args.drop_front());
        linalg::YieldOp::create(nb, nloc, next);
      });
  return SmallVector<Value>(generic.getResults());
}

/// The identity of max (lowest value) or min (highest value) for a type.
Value createExtremeConstant(OpBuilder &b, Location loc, Type type, bool lowest,
                            bool isUnsigned) {
  if (auto floatType = dyn_cast<mlir::FloatType>(type)) {
    APFloat inf = APFloat::getInf(floatType.getFloatSemantics(), lowest);
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, inf));
  }
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value;
  if (width == 1 || isUnsigned)
    value = lowest ? APInt::getMinValue(width) : APInt::getMaxValue(width);
  else
    value = lowest ? APInt::getSignedMinValue(width)
                   : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Type getAccumulatorType(Type resultType) {
  if (resultType.isF16() || resultType.isBF16())
    return Float32Type::get(resultType.getContext());
  return resultType;
}

/// Common checks and values for all reductions of one op.
struct ReductionInfo {
  Value input;
  RankedTensorType inputType;
  RankedTensorType resultType;
  SmallVector<bool> reduced;
  SmallVector<int64_t> keptShape;
};

LogicalResult getReductionInfo(Operation *op, Value input, Value torchResult,
                               Value dimList, Value keepdimValue,
                               const TypeConverter &typeConverter,
                               ReductionInfo &info) {
  info.input = input;
  info.inputType = getStaticTensorType(input);
  info.resultType = getConvertedTensorType(typeConverter, torchResult);
  if (!info.inputType || !info.resultType)
    return failure();
  int64_t rank = info.inputType.getRank();
  if (failed(getReductionDims(dimList, rank, info.reduced)))
    return failure();
  bool keepdim = false;
  if (keepdimValue && !matchConstantBool(keepdimValue, keepdim))
    return failure();
  info.keptShape = getReducedShape(info.inputType.getShape(), info.reduced,
                                   /*keepdim=*/false);
  SmallVector<int64_t> expected =
      getReducedShape(info.inputType.getShape(), info.reduced, keepdim);
  return success(info.resultType.getShape() == ArrayRef<int64_t>(expected));
}

enum class ReduceKind { Sum, Mean, Prod, Max, Min, All, Any };

/// Where a reduction op keeps its operands: self is operand 0; `dimIndex` /
/// `keepdimIndex` are -1 when the op reduces all dims without keepdim.
struct ReductionForm {
  ReduceKind kind;
  int dimIndex = -1;
  int keepdimIndex = -1;
};

/// sum, mean, prod, amax/amin, max/min (full), all/any, and their .dim forms.
class ConvertReductionOp : public ConversionPattern {
public:
  ConvertReductionOp(const TypeConverter &typeConverter, MLIRContext *context,
                     StringRef opName, ReductionForm form)
      : ConversionPattern(typeConverter, opName, /*benefit=*/1, context),
        form(form) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || operands.empty() ||
        (form.dimIndex >= 0 &&
         static_cast<int>(operands.size()) <= form.keepdimIndex))
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    Value dimList =
        form.dimIndex >= 0 ? op->getOperand(form.dimIndex) : Value();
    Value keepdim =
        form.keepdimIndex >= 0 ? op->getOperand(form.keepdimIndex) : Value();
    ReductionInfo info;
    if (failed(getReductionInfo(op, operands[0], op->getResult(0), dimList,
                                keepdim, *getTypeConverter(), info)))
      return rewriter.notifyMatchFailure(op, "unsupported reduction");

    ReduceKind kind = form.kind;
    Location loc = op->getLoc();
    Type resultElem = info.resultType.getElementType();
    Type inputDtype = getTorchDtype(op->getOperand(0));
    bool isUnsigned = isUnsignedTorchDtype(inputDtype);
    bool isExtremum = kind == ReduceKind::Max || kind == ReduceKind::Min;
    bool isLogical = kind == ReduceKind::All || kind == ReduceKind::Any;
    if (kind == ReduceKind::Mean && !isa<mlir::FloatType>(resultElem))
      return rewriter.notifyMatchFailure(op, "mean needs a float dtype");
    if (isExtremum && resultElem != info.inputType.getElementType())
      return rewriter.notifyMatchFailure(op, "max/min keep the input dtype");

    // All/any reduce truth values; the others accumulate in the result
    // dtype (f32 for f16/bf16).
    Type accType = isLogical    ? rewriter.getI1Type()
                   : isExtremum ? resultElem
                                : getAccumulatorType(resultElem);
    Value initValue;
    switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
    case ReduceKind::Any:
      initValue = createScalarConstant(rewriter, loc, accType, 0);
      break;
    case ReduceKind::Prod:
    case ReduceKind::All:
      initValue = createScalarConstant(rewriter, loc, accType, 1);
      break;
    case ReduceKind::Max:
    case ReduceKind::Min:
      initValue =
          createExtremeConstant(rewriter, loc, accType,
                                /*lowest=*/kind == ReduceKind::Max, isUnsigned);
      break;
    }
    Value init =
        createInitTensor(rewriter, loc, info.keptShape, accType, initValue);
    Value reduced =
        createReduction(rewriter, loc, info.input, info.reduced, init,
                        [&](OpBuilder &b, Location l, Value x,
                            ValueRange acc) -> SmallVector<Value> {
                          x = convertScalarToDtype(b, l, x, accType,
                                                   inputDtype);
                          return {combine(b, l, kind, acc[0], x, isUnsigned)};
                        })
            .front();

    // Mean divides by the number of reduced elements; the final cast to the
    // result dtype happens in the same elementwise op.
    int64_t count = 1;
    for (auto [size, isReduced] :
         llvm::zip(info.inputType.getShape(), info.reduced))
      if (isReduced)
        count *= size;
    if (kind == ReduceKind::Mean || accType != resultElem) {
      auto keptType = RankedTensorType::get(info.keptShape, resultElem);
      reduced = *createElementwiseGeneric(
          rewriter, loc, ValueRange{reduced}, keptType,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value v = args[0];
            if (kind == ReduceKind::Mean)
              v = arith::DivFOp::create(
                  b, l, v,
                  createScalarConstant(b, l, accType,
                                       static_cast<double>(count)));
            return convertScalarToDtype(b, l, v, resultElem, Type(),
                                        getTorchDtype(op->getResult(0)));
          });
    }
    FailureOr<Value> result =
        reshapeTensor(rewriter, loc, reduced, info.resultType);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "keepdim reshape failed");
    rewriter.replaceOp(op, *result);
    return success();
  }

private:
  static Value combine(OpBuilder &b, Location l, ReduceKind kind, Value acc,
                       Value x, bool isUnsigned) {
    Type t = acc.getType();
    bool isFloat = isa<mlir::FloatType>(t);
    bool isBool = t.isInteger(1);
    switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      if (isFloat)
        return arith::AddFOp::create(b, l, acc, x);
      if (isBool)
        return arith::OrIOp::create(b, l, acc, x);
      return arith::AddIOp::create(b, l, acc, x);
    case ReduceKind::Prod:
      if (isFloat)
        return arith::MulFOp::create(b, l, acc, x);
      if (isBool)
        return arith::AndIOp::create(b, l, acc, x);
      return arith::MulIOp::create(b, l, acc, x);
    case ReduceKind::Max:
      if (isFloat)
        return arith::MaximumFOp::create(b, l, acc, x);
      if (isBool || isUnsigned)
        return arith::MaxUIOp::create(b, l, acc, x);
      return arith::MaxSIOp::create(b, l, acc, x);
    case ReduceKind::Min:
      if (isFloat)
        return arith::MinimumFOp::create(b, l, acc, x);
      if (isBool || isUnsigned)
        return arith::MinUIOp::create(b, l, acc, x);
      return arith::MinSIOp::create(b, l, acc, x);
    case ReduceKind::All:
      return arith::AndIOp::create(b, l, acc, x);
    case ReduceKind::Any:
      return arith::OrIOp::create(b, l, acc, x);
    }
    return acc;
  }

  ReductionForm form;
};

/// argmax/argmin(self, dim?, keepdim) and max.dim/min.dim(self, dim,
/// keepdim) -> (values, indices): the index (i64) of the first extreme
/// element; NaN counts as the extreme, as in PyTorch. Without a dim the
/// input is flattened first.
class ConvertArgReductionOp : public ConversionPattern {
public:
  ConvertArgReductionOp(const TypeConverter &typeConverter,
                        MLIRContext *context, StringRef opName, bool isMax,
                        bool returnsValues)
      : ConversionPattern(typeConverter, opName, /*benefit=*/1, context),
        isMax(isMax), returnsValues(returnsValues) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    unsigned numResults = returnsValues ? 2 : 1;
    if (op->getNumResults() != numResults || operands.size() != 3)
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    Location loc = op->getLoc();
    Value input = operands[0];
    RankedTensorType inputType = getStaticTensorType(input);
    RankedTensorType indexType =
        getConvertedTensorType(*getTypeConverter(), op->getResults().back());
    RankedTensorType valueType =
        returnsValues
            ? getConvertedTensorType(*getTypeConverter(), op->getResult(0))
            : RankedTensorType();
    if (!inputType || !indexType || !indexType.getElementType().isInteger(64) ||
        (returnsValues &&
         (!valueType ||
          valueType.getElementType() != inputType.getElementType() ||
          valueType.getShape() != indexType.getShape())))
      return rewriter.notifyMatchFailure(op, "unsupported types");
    if (inputType.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "reduction of an empty tensor");

    // Reduce one dim; without a dim, of the flattened input.
    Value dimValue = op->getOperand(1);
    int64_t dim = 0;
    bool keepdim;
    if (!matchConstantBool(op->getOperand(2), keepdim))
      return rewriter.notifyMatchFailure(op, "non-constant keepdim");
    SmallVector<int64_t> expectedShape;
    if (isTorchNone(dimValue)) {
      auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                            inputType.getElementType());
      input = *reshapeTensor(rewriter, loc, input, flatType);
      expectedShape.assign(keepdim ? inputType.getRank() : 0, 1);
    } else {
      int64_t rank = inputType.getRank();
      int64_t wrapRank = std::max<int64_t>(rank, 1);
      if (!matchConstantInt(dimValue, dim))
        return rewriter.notifyMatchFailure(op, "non-constant dim");
      dim = toPositiveDim(dim, wrapRank);
      if (!isValidDim(dim, wrapRank))
        return rewriter.notifyMatchFailure(op, "invalid dim");
      if (rank == 0) {
        dim = 0;
        auto oneType = RankedTensorType::get({1}, inputType.getElementType());
        input = *reshapeTensor(rewriter, loc, input, oneType);
      } else {
        expectedShape.assign(inputType.getShape().begin(),
                             inputType.getShape().end());
        if (keepdim)
          expectedShape[dim] = 1;
        else
          expectedShape.erase(expectedShape.begin() + dim);
      }
    }
    if (indexType.getShape() != ArrayRef<int64_t>(expectedShape))
      return rewriter.notifyMatchFailure(op, "result shape mismatch");

    auto reducedInputType = cast<RankedTensorType>(input.getType());
    SmallVector<bool> reduced(reducedInputType.getRank(), false);
    reduced[dim] = true;
    SmallVector<int64_t> keptShape =
        getReducedShape(reducedInputType.getShape(), reduced, false);
    Type elemType = reducedInputType.getElementType();
    bool isUnsigned = isUnsignedTorchDtype(getTorchDtype(op->getOperand(0))) ||
                      elemType.isInteger(1);
    Value valueInit =
        createInitTensor(rewriter, loc, keptShape, elemType,
                         createExtremeConstant(rewriter, loc, elemType,
                                               /*lowest=*/isMax, isUnsigned));
    Value indexInit =
        createZeroInitTensor(rewriter, loc, keptShape, rewriter.getI64Type());
    SmallVector<Value> results = createReduction(
        rewriter, loc, input, reduced, ValueRange{valueInit, indexInit},
        [&](OpBuilder &b, Location l, Value x,
            ValueRange acc) -> SmallVector<Value> {
          Value index = linalg::IndexOp::create(b, l, dim);
          index = arith::IndexCastOp::create(b, l, b.getI64Type(), index);
          Value take;
          if (isa<mlir::FloatType>(elemType)) {
            // Take x if it beats acc strictly, or if x is the first NaN.
            Value better = arith::CmpFOp::create(
                b, l,
                isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
                x, acc[0]);
            Value xIsNan =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
            Value accIsNan = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::UNO, acc[0], acc[0]);
            Value notAccNan = arith::XOrIOp::create(
                b, l, accIsNan, createScalarConstant(b, l, b.getI1Type(), 1));
            Value newNan = arith::AndIOp::create(b, l, xIsNan, notAccNan);
            take = arith::OrIOp::create(b, l, better, newNan);
          } else {
            arith::CmpIPredicate pred =
                isMax ? (isUnsigned ? arith::CmpIPredicate::ugt
                                    : arith::CmpIPredicate::sgt)
                      : (isUnsigned ? arith::CmpIPredicate::ult
                                    : arith::CmpIPredicate::slt);
            take = arith::CmpIOp::create(b, l, pred, x, acc[0]);
          }
          return {arith::SelectOp::create(b, l, take, x, acc[0]),
                  arith::SelectOp::create(b, l, take, index, acc[1])};
        });
    SmallVector<Value> replacements;
    if (returnsValues) {
      FailureOr<Value> values =
          reshapeTensor(rewriter, loc, results[0], valueType);
      if (failed(values))
        return rewriter.notifyMatchFailure(op, "keepdim reshape failed");
      replacements.push_back(*values);
    }
    FailureOr<Value> indices =
        reshapeTensor(rewriter, loc, results[1], indexType);
    if (failed(indices))
      return rewriter.notifyMatchFailure(op, "keepdim reshape failed");
    replacements.push_back(*indices);
    rewriter.replaceOp(op, replacements);
    return success();
  }

private:
  bool isMax;
  bool returnsValues;
};

} // namespace

void mlir::torch::populateReductionPatterns(TypeConverter &typeConverter,
                                            RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  // Operand layout per ATen schema: self first, then dim and keepdim.
  const std::pair<StringRef, ReductionForm> reductions[] = {
      {"torch.aten.sum", {ReduceKind::Sum}},
      {"torch.aten.sum.dim_IntList", {ReduceKind::Sum, 1, 2}},
      {"torch.aten.mean", {ReduceKind::Mean}},
      {"torch.aten.mean.dim", {ReduceKind::Mean, 1, 2}},
      {"torch.aten.prod", {ReduceKind::Prod}},
      {"torch.aten.prod.dim_int", {ReduceKind::Prod, 1, 2}},
      {"torch.aten.amax", {ReduceKind::Max, 1, 2}},
      {"torch.aten.amin", {ReduceKind::Min, 1, 2}},
      {"torch.aten.max", {ReduceKind::Max}},
      {"torch.aten.min", {ReduceKind::Min}},
      {"torch.aten.all", {ReduceKind::All}},
      {"torch.aten.all.dim", {ReduceKind::All, 1, 2}},
      {"torch.aten.any", {ReduceKind::Any}},
      {"torch.aten.any.dim", {ReduceKind::Any, 1, 2}},
  };
  for (const auto &[name, form] : reductions)
    patterns.add<ConvertReductionOp>(typeConverter, context, name, form);
  patterns.add<ConvertArgReductionOp>(typeConverter, context,
                                      "torch.aten.argmax", /*isMax=*/true,
                                      /*returnsValues=*/false);
  patterns.add<ConvertArgReductionOp>(typeConverter, context,
                                      "torch.aten.argmin", /*isMax=*/false,
                                      /*returnsValues=*/false);
  patterns.add<ConvertArgReductionOp>(typeConverter, context,
                                      "torch.aten.max.dim", /*isMax=*/true,
                                      /*returnsValues=*/true);
  patterns.add<ConvertArgReductionOp>(typeConverter, context,
                                      "torch.aten.min.dim", /*isMax=*/false,
                                      /*returnsValues=*/true);
}
