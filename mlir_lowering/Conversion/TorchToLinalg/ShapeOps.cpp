//===- ShapeOps.cpp - View-like and data-movement Torch ops ---------------===//
//
// Reshapes (view_copy, [un]squeeze_copy) become tensor.collapse_shape /
// expand_shape; transposes and permutes become linalg.transpose; expand_copy
// a broadcasting linalg.generic; select/slice tensor.extract_slice, and their
// backward ops a tensor.insert_slice into zeros; cat a chain of
// tensor.insert_slice. All shapes are static; every dim, size and
// permutation must be a constant.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <numeric>

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Ops whose result holds the elements of operand 0 in the same order, with
/// the shape given by the result type: view_copy, unsqueeze_copy,
/// squeeze_copy(.dim/.dims), detach_copy, alias_copy, and other reshapes.
/// (_reshape_alias is only ever a reshape of a viewable input.)
class ConvertReshapeLikeOp : public ConversionPattern {
public:
  ConvertReshapeLikeOp(const TypeConverter &typeConverter, MLIRContext *context,
                       StringRef opName)
      : ConversionPattern(typeConverter, opName, /*benefit=*/1, context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || operands.empty())
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op->getResult(0));
    if (!resultType || !isa<RankedTensorType>(operands[0].getType()))
      return rewriter.notifyMatchFailure(op, "unsupported types");
    FailureOr<Value> result =
        reshapeTensor(rewriter, op->getLoc(), operands[0], resultType);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "not a reshape");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// linalg.transpose of `input` into `resultType` by `permutation`.
Value createTranspose(OpBuilder &b, Location loc, Value input,
                      RankedTensorType resultType,
                      ArrayRef<int64_t> permutation) {
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  return linalg::TransposeOp::create(b, loc, input, init, permutation)
      .getResult()[0];
}

/// Checks that `permutation` permutes [0, rank) and that the input shape
/// permuted is the result shape.
bool isValidPermutation(ArrayRef<int64_t> permutation,
                        RankedTensorType inputType,
                        RankedTensorType resultType) {
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(permutation.size()) != rank ||
      resultType.getRank() != rank)
    return false;
  SmallVector<bool> seen(rank, false);
  for (auto [i, p] : llvm::enumerate(permutation)) {
    if (p < 0 || p >= rank || seen[p])
      return false;
    seen[p] = true;
    if (inputType.getDimSize(p) != resultType.getDimSize(i))
      return false;
  }
  return true;
}

/// Shared by t_copy, transpose_copy.int and permute_copy.
template <typename OpTy>
class ConvertPermuteLikeOp : public OpConversionPattern<OpTy> {
public:
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getSelf();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    RankedTensorType resultType =
        getConvertedTensorType(*this->getTypeConverter(), op.getResult());
    if (!inputType || !resultType)
      return rewriter.notifyMatchFailure(op, "unsupported types");
    int64_t rank = inputType.getRank();
    SmallVector<int64_t> permutation(rank);
    std::iota(permutation.begin(), permutation.end(), 0);
    if (failed(getPermutation(op, rank, permutation)))
      return rewriter.notifyMatchFailure(op, "non-constant or invalid dims");
    if (!isValidPermutation(permutation, inputType, resultType))
      return rewriter.notifyMatchFailure(op, "permutation does not match");
    if (llvm::equal(permutation, llvm::seq<int64_t>(0, rank))) {
      rewriter.replaceOp(op, input);
      return success();
    }
    rewriter.replaceOp(op, createTranspose(rewriter, op.getLoc(), input,
                                           resultType, permutation));
    return success();
  }

private:
  /// Fills `permutation` (initially the identity) for this op.
  LogicalResult getPermutation(OpTy op, int64_t rank,
                               SmallVectorImpl<int64_t> &permutation) const;
};

template <>
LogicalResult ConvertPermuteLikeOp<AtenTCopyOp>::getPermutation(
    AtenTCopyOp op, int64_t rank, SmallVectorImpl<int64_t> &permutation) const {
  if (rank > 2)
    return failure();
  if (rank == 2)
    std::swap(permutation[0], permutation[1]);
  return success();
}

template <>
LogicalResult ConvertPermuteLikeOp<AtenTransposeCopyIntOp>::getPermutation(
    AtenTransposeCopyIntOp op, int64_t rank,
    SmallVectorImpl<int64_t> &permutation) const {
  int64_t dim0, dim1;
  if (!matchConstantInt(op.getDim0(), dim0) ||
      !matchConstantInt(op.getDim1(), dim1))
    return failure();
  // PyTorch allows dims -1/0 on 0-d tensors.
  int64_t wrapRank = std::max<int64_t>(rank, 1);
  dim0 = toPositiveDim(dim0, wrapRank);
  dim1 = toPositiveDim(dim1, wrapRank);
  if (!isValidDim(dim0, wrapRank) || !isValidDim(dim1, wrapRank))
    return failure();
  if (rank == 0)
    return success();
  std::swap(permutation[dim0], permutation[dim1]);
  return success();
}

template <>
LogicalResult ConvertPermuteLikeOp<AtenPermuteCopyOp>::getPermutation(
    AtenPermuteCopyOp op, int64_t rank,
    SmallVectorImpl<int64_t> &permutation) const {
  SmallVector<int64_t> dims;
  if (failed(matchConstantIntList(op.getDims(), dims)) ||
      static_cast<int64_t>(dims.size()) != rank)
    return failure();
  for (auto [i, d] : llvm::enumerate(dims)) {
    d = toPositiveDim(d, rank);
    if (!isValidDim(d, rank))
      return failure();
    permutation[i] = d;
  }
  return success();
}

/// expand_copy(self, size, implicit): broadcast to the result shape.
class ConvertExpandCopy : public OpConversionPattern<AtenExpandCopyOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenExpandCopyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getSelf();
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op.getResult());
    if (!resultType || !isa<RankedTensorType>(input.getType()))
      return rewriter.notifyMatchFailure(op, "unsupported types");
    if (input.getType() == resultType) {
      rewriter.replaceOp(op, input);
      return success();
    }
    FailureOr<Value> result = createElementwiseGeneric(
        rewriter, op.getLoc(), ValueRange{input}, resultType,
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "input does not broadcast");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// Offsets, sizes and strides of the part of a tensor of `shape` that is
/// `size` elements from `offset` with `stride` along `dim` and all of every
/// other dim: what select, slice, narrow, cat and stack read or write.
struct SliceParams {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};
SliceParams getSliceAlongDim(OpBuilder &b, ArrayRef<int64_t> shape, int64_t dim,
                             OpFoldResult offset, int64_t size,
                             int64_t stride = 1) {
  SliceParams s;
  s.offsets.assign(shape.size(), b.getIndexAttr(0));
  s.sizes = getAsIndexOpFoldResult(b.getContext(), shape);
  s.strides.assign(shape.size(), b.getIndexAttr(1));
  s.offsets[dim] = offset;
  s.sizes[dim] = b.getIndexAttr(size);
  s.strides[dim] = b.getIndexAttr(stride);
  return s;
}

/// select_copy.int(self, dim, index): a rank-reducing tensor.extract_slice.
/// The index may be a runtime value.
class ConvertSelectCopy : public OpConversionPattern<AtenSelectCopyIntOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenSelectCopyIntOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getSelf();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op.getResult());
    if (!inputType || !resultType || inputType.getRank() == 0 ||
        resultType.getRank() != inputType.getRank() - 1)
      return rewriter.notifyMatchFailure(op, "unsupported types");
    int64_t rank = inputType.getRank();
    int64_t dim;
    if (!matchConstantInt(op.getDim(), dim))
      return rewriter.notifyMatchFailure(op, "non-constant dim");
    dim = toPositiveDim(dim, rank);
    if (!isValidDim(dim, rank))
      return rewriter.notifyMatchFailure(op, "invalid dim");
    int64_t dimSize = inputType.getDimSize(dim);

    Location loc = op.getLoc();
    OpFoldResult offset;
    int64_t index;
    if (matchConstantInt(op.getIndex(), index)) {
      index = index < 0 ? index + dimSize : index;
      if (index < 0 || index >= dimSize)
        return rewriter.notifyMatchFailure(op, "index out of range");
      offset = rewriter.getIndexAttr(index);
    } else {
      Value dynIndex = adaptor.getIndex();
      if (!dynIndex.getType().isInteger(64))
        return rewriter.notifyMatchFailure(op, "unsupported index type");
      // Wrap a negative index: index < 0 ? index + size : index.
      Value zero = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getI64IntegerAttr(0));
      Value size = arith::ConstantOp::create(
          rewriter, loc, rewriter.getI64IntegerAttr(dimSize));
      Value isNegative = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::slt, dynIndex, zero);
      Value wrapped = arith::AddIOp::create(rewriter, loc, dynIndex, size);
      Value normalized =
          arith::SelectOp::create(rewriter, loc, isNegative, wrapped, dynIndex);
      offset = Value(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(), normalized));
    }

    SmallVector<int64_t> expectedShape(inputType.getShape());
    expectedShape.erase(expectedShape.begin() + dim);
    if (resultType.getShape() != ArrayRef<int64_t>(expectedShape))
      return rewriter.notifyMatchFailure(op, "result shape mismatch");
    SliceParams slice =
        getSliceAlongDim(rewriter, inputType.getShape(), dim, offset, 1);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, input, slice.offsets, slice.sizes, slice.strides);
    return success();
  }
};

/// The constant `dim`, `start`, `end` and `step` of a slice of a `rank`-d
/// tensor whose sliced dim has `size` elements, with PyTorch's wrapping of
/// negative bounds and clamping of out-of-range ones.
struct SliceBounds {
  int64_t dim, start, length, step;
};
FailureOr<SliceBounds> getSliceBounds(Value dimValue, Value startValue,
                                      Value endValue, Value stepValue,
                                      ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  int64_t dim, step;
  if (!matchConstantInt(dimValue, dim) || !matchConstantInt(stepValue, step) ||
      step <= 0)
    return failure();
  dim = toPositiveDim(dim, rank);
  if (!isValidDim(dim, rank))
    return failure();
  int64_t size = shape[dim];
  int64_t start = 0, end = size;
  if (!isTorchNone(startValue) && !matchConstantInt(startValue, start))
    return failure();
  if (!isTorchNone(endValue) && !matchConstantInt(endValue, end))
    return failure();
  if (start < 0)
    start += size;
  if (end < 0)
    end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  return SliceBounds{dim, start, (end - start + step - 1) / step, step};
}

/// slice_copy.Tensor(self, dim, start?, end?, step) with PyTorch's clamping
/// of out-of-range bounds.
class ConvertSliceCopy : public OpConversionPattern<AtenSliceCopyTensorOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenSliceCopyTensorOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getSelf();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op.getResult());
    if (!inputType || !resultType || inputType.getRank() == 0 ||
        resultType.getRank() != inputType.getRank())
      return rewriter.notifyMatchFailure(op, "unsupported types");
    FailureOr<SliceBounds> bounds =
        getSliceBounds(op.getDim(), op.getStart(), op.getEnd(), op.getStep(),
                       inputType.getShape());
    if (failed(bounds))
      return rewriter.notifyMatchFailure(
          op, "non-constant or invalid dim, start, end or step");
    SmallVector<int64_t> expectedShape(inputType.getShape());
    expectedShape[bounds->dim] = bounds->length;
    if (resultType.getShape() != ArrayRef<int64_t>(expectedShape))
      return rewriter.notifyMatchFailure(op, "result shape mismatch");
    // tensor.extract_slice rejects offset 0 into a dim of size 0.
    if (resultType.hasStaticShape() && resultType.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, resultType.getShape(),
                                                   resultType.getElementType());
      return success();
    }
    SliceParams slice = getSliceAlongDim(
        rewriter, inputType.getShape(), bounds->dim,
        rewriter.getIndexAttr(bounds->start), bounds->length, bounds->step);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, input, slice.offsets, slice.sizes, slice.strides);
    return success();
  }
};

/// The static result type of a *_backward op whose `input_sizes` operand
/// is a constant list equal to that type's shape, or null.
RankedTensorType getBackwardResultType(const TypeConverter &tc, Value result,
                                       Value inputSizes) {
  RankedTensorType type = getConvertedStaticTensorType(tc, result);
  SmallVector<int64_t> sizes;
  if (!type || failed(matchConstantIntList(inputSizes, sizes)) ||
      type.getShape() != ArrayRef<int64_t>(sizes))
    return {};
  return type;
}

/// select_backward(grad_output, input_sizes, dim, index): zeros of
/// input_sizes with grad_output inserted (rank-extending) at `index`.
class ConvertSelectBackward : public OpConversionPattern<AtenSelectBackwardOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenSelectBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value grad = adaptor.getGradOutput();
    auto gradType = dyn_cast<RankedTensorType>(grad.getType());
    RankedTensorType resultType = getBackwardResultType(
        *getTypeConverter(), op.getResult(), op.getInputSizes());
    if (!gradType || !resultType ||
        gradType.getElementType() != resultType.getElementType() ||
        gradType.getRank() + 1 != resultType.getRank())
      return rewriter.notifyMatchFailure(op, "unsupported types");
    int64_t rank = resultType.getRank();
    int64_t dim, index;
    if (!matchConstantInt(op.getDim(), dim) ||
        !matchConstantInt(op.getIndex(), index))
      return rewriter.notifyMatchFailure(op, "non-constant dim or index");
    dim = toPositiveDim(dim, rank);
    if (!isValidDim(dim, rank))
      return rewriter.notifyMatchFailure(op, "invalid dim");
    int64_t dimSize = resultType.getDimSize(dim);
    if (index < 0)
      index += dimSize;
    if (index < 0 || index >= dimSize)
      return rewriter.notifyMatchFailure(op, "index out of range");
    SmallVector<int64_t> expectedGradShape(resultType.getShape());
    expectedGradShape.erase(expectedGradShape.begin() + dim);
    if (gradType.getShape() != ArrayRef<int64_t>(expectedGradShape))
      return rewriter.notifyMatchFailure(op, "grad_output shape mismatch");

    Location loc = op.getLoc();
    Value zeros = createZeroInitTensor(rewriter, loc, resultType.getShape(),
                                       resultType.getElementType());
    // Nothing to insert (insert_slice rejects offsets into empty dims).
    if (gradType.getNumElements() == 0) {
      rewriter.replaceOp(op, zeros);
      return success();
    }
    SliceParams slice = getSliceAlongDim(rewriter, resultType.getShape(), dim,
                                         rewriter.getIndexAttr(index), 1);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, grad, zeros, slice.offsets, slice.sizes, slice.strides);
    return success();
  }
};

/// slice_backward(grad_output, input_sizes, dim, start, end, step): zeros of
/// input_sizes with grad_output inserted at the (strided) slice.
class ConvertSliceBackward : public OpConversionPattern<AtenSliceBackwardOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenSliceBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value grad = adaptor.getGradOutput();
    auto gradType = dyn_cast<RankedTensorType>(grad.getType());
    RankedTensorType resultType = getBackwardResultType(
        *getTypeConverter(), op.getResult(), op.getInputSizes());
    if (!gradType || !resultType || resultType.getRank() == 0 ||
        gradType.getElementType() != resultType.getElementType())
      return rewriter.notifyMatchFailure(op, "unsupported types");
    FailureOr<SliceBounds> bounds =
        getSliceBounds(op.getDim(), op.getStart(), op.getEnd(), op.getStep(),
                       resultType.getShape());
    if (failed(bounds))
      return rewriter.notifyMatchFailure(
          op, "non-constant or invalid dim, start, end or step");
    SmallVector<int64_t> sizes(resultType.getShape());
    sizes[bounds->dim] = bounds->length;
    if (gradType.getShape() != ArrayRef<int64_t>(sizes))
      return rewriter.notifyMatchFailure(op, "grad_output shape mismatch");

    Location loc = op.getLoc();
    Value zeros = createZeroInitTensor(rewriter, loc, resultType.getShape(),
                                       resultType.getElementType());
    // Nothing to insert (insert_slice rejects offsets into empty dims).
    if (gradType.getNumElements() == 0) {
      rewriter.replaceOp(op, zeros);
      return success();
    }
    SliceParams slice = getSliceAlongDim(
        rewriter, resultType.getShape(), bounds->dim,
        rewriter.getIndexAttr(bounds->start), bounds->length, bounds->step);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, grad, zeros, slice.offsets, slice.sizes, slice.strides);
    return success();
  }
};

/// cat(tensors, dim): each input, converted to the result dtype, is inserted
/// at its offset along dim. 1-D empty inputs are skipped, as PyTorch does.
class ConvertCat : public OpConversionPattern<AtenCatOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenCatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType || resultType.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "unsupported result type");
    auto list = op.getTensors().getDefiningOp<PrimListConstructOp>();
    if (!list)
      return rewriter.notifyMatchFailure(op, "tensors is not a list literal");
    int64_t rank = resultType.getRank();
    int64_t dim;
    if (!matchConstantInt(op.getDim(), dim))
      return rewriter.notifyMatchFailure(op, "non-constant dim");
    dim = toPositiveDim(dim, rank);
    if (!isValidDim(dim, rank))
      return rewriter.notifyMatchFailure(op, "invalid dim");

    SmallVector<Value> inputs;
    SmallVector<Type> inputDtypes;
    int64_t total = 0;
    for (Value element : list.getElements()) {
      Value converted = rewriter.getRemappedValue(element);
      auto type = converted ? dyn_cast<RankedTensorType>(converted.getType())
                            : RankedTensorType();
      if (!type)
        return rewriter.notifyMatchFailure(op, "unconvertible input");
      if (type.getRank() == 1 && type.getDimSize(0) == 0)
        continue;
      if (type.getRank() != rank)
        return rewriter.notifyMatchFailure(op, "rank mismatch");
      for (int64_t d = 0; d < rank; ++d)
        if (d != dim && type.getDimSize(d) != resultType.getDimSize(d))
          return rewriter.notifyMatchFailure(op, "shape mismatch");
      total += type.getDimSize(dim);
      inputs.push_back(converted);
      inputDtypes.push_back(getTorchDtype(element));
    }
    if (total != resultType.getDimSize(dim))
      return rewriter.notifyMatchFailure(op, "result size mismatch");

    Location loc = op.getLoc();
    Type elemType = resultType.getElementType();
    Type resultDtype = getTorchDtype(op.getResult());
    Value result =
        tensor::EmptyOp::create(rewriter, loc, resultType.getShape(), elemType);
    int64_t offset = 0;
    for (auto [input, dtype] : llvm::zip(inputs, inputDtypes)) {
      Value source = convertTensorElementType(rewriter, loc, input, elemType,
                                              dtype, resultDtype);
      auto sourceType = cast<RankedTensorType>(source.getType());
      int64_t size = sourceType.getDimSize(dim);
      // An empty piece adds nothing (and its offset may be the dim's end).
      if (sourceType.getNumElements() == 0)
        continue;
      SliceParams slice = getSliceAlongDim(rewriter, resultType.getShape(), dim,
                                           rewriter.getIndexAttr(offset), size);
      result = tensor::InsertSliceOp::create(rewriter, loc, source, result,
                                             slice.offsets, slice.sizes,
                                             slice.strides);
      offset += size;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// narrow_copy(self, dim, start, length): a slice with step 1.
class ConvertNarrowCopy : public ConversionPattern {
public:
  ConvertNarrowCopy(const TypeConverter &typeConverter, MLIRContext *context)
      : ConversionPattern(typeConverter, "torch.aten.narrow_copy",
                          /*benefit=*/1, context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || operands.size() != 4)
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    auto inputType = dyn_cast<RankedTensorType>(operands[0].getType());
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op->getResult(0));
    int64_t dim, start, length;
    if (!inputType || !resultType || inputType.getRank() == 0 ||
        !matchConstantInt(op->getOperand(1), dim) ||
        !matchConstantInt(op->getOperand(2), start) ||
        !matchConstantInt(op->getOperand(3), length))
      return rewriter.notifyMatchFailure(op, "unsupported operands");
    int64_t rank = inputType.getRank();
    dim = toPositiveDim(dim, rank);
    if (!isValidDim(dim, rank))
      return rewriter.notifyMatchFailure(op, "invalid dim");
    int64_t size = inputType.getDimSize(dim);
    if (start < 0)
      start += size;
    if (start < 0 || length < 0 || start + length > size)
      return rewriter.notifyMatchFailure(op, "out of range");
    SmallVector<int64_t> expectedShape(inputType.getShape());
    expectedShape[dim] = length;
    if (resultType.getShape() != ArrayRef<int64_t>(expectedShape))
      return rewriter.notifyMatchFailure(op, "result shape mismatch");
    SliceParams slice = getSliceAlongDim(rewriter, inputType.getShape(), dim,
                                         rewriter.getIndexAttr(start), length);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, operands[0], slice.offsets, slice.sizes, slice.strides);
    return success();
  }
};

/// flip(self, dims): reads index size - 1 - i along each flipped dim.
class ConvertFlip : public ConversionPattern {
public:
  ConvertFlip(const TypeConverter &typeConverter, MLIRContext *context)
      : ConversionPattern(typeConverter, "torch.aten.flip", /*benefit=*/1,
                          context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || operands.size() != 2)
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    RankedTensorType inputType = getStaticTensorType(operands[0]);
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op->getResult(0));
    SmallVector<int64_t> dims;
    if (!inputType || resultType != inputType ||
        failed(matchConstantIntList(op->getOperand(1), dims)))
      return rewriter.notifyMatchFailure(op, "unsupported operands");
    int64_t rank = inputType.getRank();
    SmallVector<bool> flipped(rank, false);
    for (int64_t d : dims) {
      d = toPositiveDim(d, rank);
      if (!isValidDim(d, rank) || flipped[d])
        return rewriter.notifyMatchFailure(op, "invalid dims");
      flipped[d] = true;
    }
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d) {
      AffineExpr e = rewriter.getAffineDimExpr(d);
      exprs.push_back(flipped[d] ? inputType.getDimSize(d) - 1 - e : e);
    }
    rewriter.replaceOp(op,
                       createCopyThroughMap(rewriter, op->getLoc(), operands[0],
                                            resultType, exprs));
    return success();
  }
};

/// repeat(self, repeats): output index i reads input index i mod size,
/// with new leading dims for extra repeats.
class ConvertRepeat : public ConversionPattern {
public:
  ConvertRepeat(const TypeConverter &typeConverter, MLIRContext *context)
      : ConversionPattern(typeConverter, "torch.aten.repeat", /*benefit=*/1,
                          context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || operands.size() != 2)
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    RankedTensorType inputType = getStaticTensorType(operands[0]);
    RankedTensorType resultType =
        getConvertedTensorType(*getTypeConverter(), op->getResult(0));
    SmallVector<int64_t> repeats;
    if (!inputType || !resultType ||
        failed(matchConstantIntList(op->getOperand(1), repeats)))
      return rewriter.notifyMatchFailure(op, "unsupported operands");
    int64_t rank = resultType.getRank();
    int64_t offset = rank - inputType.getRank();
    if (static_cast<int64_t>(repeats.size()) != rank || offset < 0)
      return rewriter.notifyMatchFailure(op, "bad repeats");
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t inSize = d < offset ? 1 : inputType.getDimSize(d - offset);
      if (repeats[d] < 0 || resultType.getDimSize(d) != inSize * repeats[d])
        return rewriter.notifyMatchFailure(op, "result shape mismatch");
      if (d < offset)
        continue;
      AffineExpr e = rewriter.getAffineDimExpr(d);
      exprs.push_back(inSize == 1 ? rewriter.getAffineConstantExpr(0)
                                  : e % inSize);
    }
    rewriter.replaceOp(op,
                       createCopyThroughMap(rewriter, op->getLoc(), operands[0],
                                            resultType, exprs));
    return success();
  }
};

/// stack(tensors, dim): each input (in the result dtype) fills one index of
/// the new dim, by rank-extending tensor.insert_slice.
class ConvertStack : public ConversionPattern {
public:
  ConvertStack(const TypeConverter &typeConverter, MLIRContext *context)
      : ConversionPattern(typeConverter, "torch.aten.stack", /*benefit=*/1,
                          context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || operands.size() != 2)
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op->getResult(0));
    auto list = op->getOperand(0).getDefiningOp<PrimListConstructOp>();
    int64_t dim;
    if (!resultType || !list || !matchConstantInt(op->getOperand(1), dim))
      return rewriter.notifyMatchFailure(op, "unsupported operands");
    int64_t rank = resultType.getRank();
    dim = toPositiveDim(dim, rank);
    if (!isValidDim(dim, rank) ||
        resultType.getDimSize(dim) !=
            static_cast<int64_t>(list.getElements().size()))
      return rewriter.notifyMatchFailure(op, "invalid dim");
    SmallVector<int64_t> inputShape(resultType.getShape());
    inputShape.erase(inputShape.begin() + dim);

    Location loc = op->getLoc();
    Type elemType = resultType.getElementType();
    Type resultDtype = getTorchDtype(op->getResult(0));
    SmallVector<Value> inputs;
    for (Value element : list.getElements()) {
      Value converted = rewriter.getRemappedValue(element);
      auto type = converted ? dyn_cast<RankedTensorType>(converted.getType())
                            : RankedTensorType();
      if (!type || type.getShape() != ArrayRef<int64_t>(inputShape))
        return rewriter.notifyMatchFailure(op, "input shape mismatch");
      inputs.push_back(converted);
    }
    Value result =
        tensor::EmptyOp::create(rewriter, loc, resultType.getShape(), elemType);
    for (auto [i, element] : llvm::enumerate(list.getElements())) {
      Value source =
          convertTensorElementType(rewriter, loc, inputs[i], elemType,
                                   getTorchDtype(element), resultDtype);
      SliceParams slice = getSliceAlongDim(rewriter, resultType.getShape(), dim,
                                           rewriter.getIndexAttr(i), 1);
      result = tensor::InsertSliceOp::create(rewriter, loc, source, result,
                                             slice.offsets, slice.sizes,
                                             slice.strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::torch::populateShapePatterns(TypeConverter &typeConverter,
                                        RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  for (StringRef name :
       {"torch.aten.view_copy", "torch.aten.unsqueeze_copy",
        "torch.aten.squeeze_copy", "torch.aten.squeeze_copy.dim",
        "torch.aten.squeeze_copy.dims", "torch.aten.detach_copy",
        "torch.aten.alias_copy", "torch.aten.lift_fresh_copy",
        "torch.aten._unsafe_view", "torch.aten._reshape_alias_copy",
        "torch.aten.flatten.using_ints", "torch.aten.unflatten.int",
        "torch.aten.reshape", "torch.aten.view"})
    patterns.add<ConvertReshapeLikeOp>(typeConverter, context, name);
  patterns.add<ConvertPermuteLikeOp<AtenTCopyOp>,
               ConvertPermuteLikeOp<AtenTransposeCopyIntOp>,
               ConvertPermuteLikeOp<AtenPermuteCopyOp>, ConvertExpandCopy,
               ConvertSelectCopy, ConvertSliceCopy, ConvertSelectBackward,
               ConvertSliceBackward, ConvertCat, ConvertNarrowCopy, ConvertFlip,
               ConvertRepeat, ConvertStack>(typeConverter, context);
}
