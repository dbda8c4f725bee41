//===- Views.cpp - Strided views and writes into them ---------------------===//
//
// as_strided_copy(self, size, stride, storage_offset) reads the elements of
// a contiguous `self` at storage_offset + sum(i_k * stride_k);
// as_strided_scatter(self, src, size, stride, storage_offset) writes `src`
// to those positions of a copy of `self`. Every other view and view update
// (diagonal, select/slice scatters, unfold, ...) reaches the lowering in one
// of these two forms, so they are the whole view story below the Torch
// dialect.
//
// A view that is a strided box of `self` (each view dim walks a distinct
// dim of `self`, in order) becomes tensor.extract_slice / insert_slice.
// Other views become a linalg.generic: the copy reads the flattened `self`
// through the affine map of the view; the scatter computes, for every
// position of `self`, the view index that writes it (if any), which is well
// defined only when no two view elements share a position, as eager's
// copy_ into an overlapping view demands too.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace mlir::torch;

namespace {

/// The constant geometry of a strided view of a contiguous tensor.
struct StridedView {
  SmallVector<int64_t> sizes, strides;
  int64_t offset = 0;
};

/// Reads `size`, `stride` and `storage_offset` (operands 1-3 of both ops)
/// and checks that every element of the view lies inside `numel` elements.
FailureOr<StridedView> getStridedView(Operation *op, int64_t numel) {
  StridedView view;
  Value sizeList = op->getOperand(op->getNumOperands() - 3);
  Value strideList = op->getOperand(op->getNumOperands() - 2);
  Value offsetValue = op->getOperand(op->getNumOperands() - 1);
  if (failed(matchConstantIntList(sizeList, view.sizes)) ||
      failed(matchConstantIntList(strideList, view.strides)) ||
      view.sizes.size() != view.strides.size())
    return failure();
  if (!isTorchNone(offsetValue) && !matchConstantInt(offsetValue, view.offset))
    return failure();
  if (view.offset < 0)
    return failure();
  int64_t last = view.offset;
  for (auto [size, stride] : llvm::zip(view.sizes, view.strides)) {
    if (size < 0 || stride < 0)
      return failure();
    if (size == 0)
      return view; // An empty view reads nothing.
    last += (size - 1) * stride;
  }
  if (last >= numel)
    return failure();
  return view;
}

/// Offsets, sizes and strides of `view` as a slice of a contiguous tensor of
/// `shape`, if each view dim longer than 1 walks a distinct dim of `shape`
/// in increasing order; the slice keeps the rank of `shape`.
struct BoxSlice {
  SmallVector<int64_t> offsets, sizes, steps;
};
std::optional<BoxSlice> matchBoxSlice(ArrayRef<int64_t> shape,
                                      const StridedView &view) {
  int64_t rank = shape.size();
  SmallVector<int64_t> contiguous(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    contiguous[d] = contiguous[d + 1] * shape[d + 1];
  BoxSlice box;
  box.sizes.assign(rank, 1);
  box.steps.assign(rank, 1);
  // The base index of the first element.
  for (int64_t d = 0; d < rank; ++d)
    box.offsets.push_back(
        shape[d] == 0 ? 0 : (view.offset / contiguous[d]) % shape[d]);
  int64_t next = 0;
  for (auto [size, stride] : llvm::zip(view.sizes, view.strides)) {
    if (size == 1)
      continue;
    // A stride of contiguous[d] * step with 1 <= step < shape[d] names d.
    int64_t d = next;
    while (d < rank &&
           !(shape[d] > 1 && stride >= contiguous[d] &&
             stride % contiguous[d] == 0 && stride / contiguous[d] < shape[d]))
      ++d;
    if (d == rank)
      return std::nullopt;
    int64_t step = stride / contiguous[d];
    if (box.offsets[d] + (size - 1) * step >= shape[d])
      return std::nullopt;
    box.sizes[d] = size;
    box.steps[d] = step;
    next = d + 1;
  }
  return box;
}

SmallVector<OpFoldResult> toAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return getAsIndexOpFoldResult(b.getContext(), values);
}

/// The view dims longer than 1, sorted by decreasing stride, if every view
/// element has its own position: each stride exceeds the furthest reach of
/// the dims with smaller strides. Then the view index of a position follows
/// from repeated division.
std::optional<SmallVector<int64_t>>
getNonOverlappingOrder(const StridedView &view) {
  SmallVector<int64_t> order;
  for (int64_t k = 0, e = view.sizes.size(); k < e; ++k)
    if (view.sizes[k] > 1)
      order.push_back(k);
  llvm::stable_sort(order, [&](int64_t a, int64_t b) {
    return view.strides[a] > view.strides[b];
  });
  int64_t reach = 0;
  for (int64_t k : llvm::reverse(order)) {
    if (view.strides[k] <= reach)
      return std::nullopt;
    reach += (view.sizes[k] - 1) * view.strides[k];
  }
  return order;
}

/// torch.aten.as_strided_copy(self, size, stride, storage_offset).
class ConvertAsStridedCopy : public ConversionPattern {
public:
  ConvertAsStridedCopy(const TypeConverter &typeConverter, MLIRContext *context)
      : ConversionPattern(typeConverter, "torch.aten.as_strided_copy",
                          /*benefit=*/1, context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumOperands() != 4 || op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    Value input = operands[0];
    RankedTensorType inputType = getStaticTensorType(input);
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op->getResult(0));
    if (!inputType || !resultType ||
        inputType.getElementType() != resultType.getElementType())
      return rewriter.notifyMatchFailure(op, "unsupported types");
    FailureOr<StridedView> view =
        getStridedView(op, inputType.getNumElements());
    if (failed(view) || resultType.getShape() != ArrayRef(view->sizes))
      return rewriter.notifyMatchFailure(
          op, "non-constant or out-of-bounds size, stride or offset");

    Location loc = op->getLoc();
    Type elemType = resultType.getElementType();
    if (resultType.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, resultType.getShape(),
                                                   elemType);
      return success();
    }
    if (std::optional<BoxSlice> box =
            matchBoxSlice(inputType.getShape(), *view)) {
      auto sliceType = RankedTensorType::get(box->sizes, elemType);
      Value slice = tensor::ExtractSliceOp::create(
          rewriter, loc, sliceType, input, toAttrs(rewriter, box->offsets),
          toAttrs(rewriter, box->sizes), toAttrs(rewriter, box->steps));
      FailureOr<Value> result = reshapeTensor(rewriter, loc, slice, resultType);
      if (failed(result))
        return rewriter.notifyMatchFailure(op, "reshape failed");
      rewriter.replaceOp(op, *result);
      return success();
    }

    // A gather through the affine map offset + sum(d_k * stride_k).
    auto flatType =
        RankedTensorType::get({inputType.getNumElements()}, elemType);
    FailureOr<Value> flat = reshapeTensor(rewriter, loc, input, flatType);
    if (failed(flat))
      return rewriter.notifyMatchFailure(op, "flatten failed");
    AffineExpr index = rewriter.getAffineConstantExpr(view->offset);
    for (auto [k, stride] : llvm::enumerate(view->strides))
      if (view->sizes[k] != 1)
        index = index + rewriter.getAffineDimExpr(k) * stride;
    rewriter.replaceOp(
        op, createCopyThroughMap(rewriter, loc, *flat, resultType, {index}));
    return success();
  }
};

/// torch.aten.as_strided_scatter(self, src, size, stride, storage_offset).
class ConvertAsStridedScatter : public ConversionPattern {
public:
  ConvertAsStridedScatter(const TypeConverter &typeConverter,
                          MLIRContext *context)
      : ConversionPattern(typeConverter, "torch.aten.as_strided_scatter",
                          /*benefit=*/1, context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumOperands() != 5 || op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "unexpected op form");
    Value self = operands[0];
    Value src = operands[1];
    RankedTensorType selfType = getStaticTensorType(self);
    RankedTensorType srcType = getStaticTensorType(src);
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op->getResult(0));
    if (!selfType || !srcType || !resultType || selfType != resultType)
      return rewriter.notifyMatchFailure(op, "unsupported types");
    FailureOr<StridedView> view = getStridedView(op, selfType.getNumElements());
    if (failed(view) || srcType.getShape() != ArrayRef(view->sizes))
      return rewriter.notifyMatchFailure(
          op, "non-constant or out-of-bounds size, stride or offset");

    Location loc = op->getLoc();
    Type elemType = resultType.getElementType();
    src = convertTensorElementType(rewriter, loc, src, elemType,
                                   getTorchDtype(op->getOperand(1)),
                                   getTorchDtype(op->getResult(0)));
    if (srcType.getNumElements() == 0) {
      rewriter.replaceOp(op, self);
      return success();
    }
    if (std::optional<BoxSlice> box =
            matchBoxSlice(selfType.getShape(), *view)) {
      auto sliceType = RankedTensorType::get(box->sizes, elemType);
      FailureOr<Value> slice = reshapeTensor(rewriter, loc, src, sliceType);
      if (failed(slice))
        return rewriter.notifyMatchFailure(op, "reshape failed");
      rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
          op, *slice, self, toAttrs(rewriter, box->offsets),
          toAttrs(rewriter, box->sizes), toAttrs(rewriter, box->steps));
      return success();
    }
    std::optional<SmallVector<int64_t>> order = getNonOverlappingOrder(*view);
    if (!order)
      return rewriter.notifyMatchFailure(op, "overlapping view");

    // Over the flattened self: position p takes src at the view index
    // whose offset + sum(i_k * stride_k) is p, if there is one.
    int64_t numel = selfType.getNumElements();
    auto flatType = RankedTensorType::get({numel}, elemType);
    FailureOr<Value> flatSelf = reshapeTensor(rewriter, loc, self, flatType);
    if (failed(flatSelf))
      return rewriter.notifyMatchFailure(op, "flatten failed");
    Value init = tensor::EmptyOp::create(rewriter, loc,
                                         ArrayRef<int64_t>{numel}, elemType);
    AffineMap identity = rewriter.getMultiDimIdentityMap(1);
    SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel};
    const StridedView &v = *view;
    SmallVector<int64_t> srcOrder = *order;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{flatType}, ValueRange{*flatSelf},
        ValueRange{init}, ArrayRef<AffineMap>{identity, identity}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto indexConst = [&](int64_t c) -> Value {
            return arith::ConstantIndexOp::create(b, l, c);
          };
          Value pos = linalg::IndexOp::create(b, l, 0);
          Value offset = indexConst(v.offset);
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                            pos, offset);
          // pos - offset, or 0 before the view starts.
          Value rest = arith::SelectOp::create(
              b, l, hit, arith::SubIOp::create(b, l, pos, offset),
              indexConst(0));
          SmallVector<Value> srcIndex(v.sizes.size(), indexConst(0));
          for (int64_t k : srcOrder) {
            Value stride = indexConst(v.strides[k]);
            Value i = arith::DivUIOp::create(b, l, rest, stride);
            Value inRange = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::ult, i, indexConst(v.sizes[k]));
            hit = arith::AndIOp::create(b, l, hit, inRange);
            // Clamped so that a miss still reads inside src.
            srcIndex[k] =
                arith::SelectOp::create(b, l, inRange, i, indexConst(0));
            rest = arith::SubIOp::create(
                b, l, rest, arith::MulIOp::create(b, l, srcIndex[k], stride));
          }
          hit = arith::AndIOp::create(
              b, l, hit,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, rest,
                                    indexConst(0)));
          Value written = tensor::ExtractOp::create(b, l, src, srcIndex);
          Value result = arith::SelectOp::create(b, l, hit, written, args[0]);
          linalg::YieldOp::create(b, l, result);
        });
    FailureOr<Value> result =
        reshapeTensor(rewriter, loc, generic.getResult(0), resultType);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "reshape failed");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void mlir::torch::populateViewPatterns(TypeConverter &typeConverter,
                                       RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ConvertAsStridedCopy, ConvertAsStridedScatter>(typeConverter,
                                                              context);
}
