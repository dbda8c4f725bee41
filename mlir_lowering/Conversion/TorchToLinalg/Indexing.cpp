//===- Indexing.cpp - gathers, embedding, masked_fill, pad to linalg ------===//
//
// Gathers (index_select, gather, embedding) are parallel linalg.generics over
// the result whose bodies read the source with tensor.extract at the loaded
// index. embedding_dense_backward is a scatter-add: an scf.for over the
// indices that adds gradient rows into the accumulated weight gradient,
// linear in the number of indices. constant_pad_nd is tensor.extract_slice
// (negative pads crop) followed by tensor.pad.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Clamps a loaded i64 index into [0, size) and casts it to `index`: an
/// out-of-range index (an error in ATen) must not read out of bounds.
Value clampIndex(OpBuilder &b, Location loc, Value idx, int64_t size) {
  Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  Value last = arith::ConstantOp::create(
      b, loc, b.getI64IntegerAttr(std::max<int64_t>(size - 1, 0)));
  Value clamped = arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, idx, zero), last);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), clamped);
}

/// A builtin integer tensor converted to i64 (index tensors may be si32).
Value toI64Indices(OpBuilder &b, Location loc, Value indices) {
  return convertTensorElementType(b, loc, indices, b.getI64Type());
}

/// embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse):
/// out[i..., d] = weight[indices[i...], d].
struct ConvertAtenEmbeddingOp : OpConversionPattern<AtenEmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenEmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    RankedTensorType weightType = getStaticTensorType(adaptor.getWeight());
    RankedTensorType indicesType = getStaticTensorType(adaptor.getIndices());
    if (!resultType || !weightType || !indicesType ||
        weightType.getRank() != 2 ||
        !isa<IntegerType>(indicesType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs static 2-d weight");
    int64_t rank = resultType.getRank();
    if (rank != indicesType.getRank() + 1 ||
        resultType.getShape().drop_back() != indicesType.getShape() ||
        resultType.getDimSize(rank - 1) != weightType.getDimSize(1))
      return rewriter.notifyMatchFailure(op, "unexpected result shape");
    Type elemType = resultType.getElementType();
    Value weight =
        convertTensorElementType(rewriter, loc, adaptor.getWeight(), elemType);
    Value indices = toI64Indices(rewriter, loc, adaptor.getIndices());
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < rank - 1; ++i)
      idxExprs.push_back(rewriter.getAffineDimExpr(i));
    AffineMap idxMap = AffineMap::get(rank, 0, idxExprs, rewriter.getContext());
    Value result = createParallelGeneric(
        rewriter, loc, resultType, ValueRange{indices}, {idxMap},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value row = clampIndex(b, l, args[0], weightType.getDimSize(0));
          Value col = linalg::IndexOp::create(b, l, rank - 1);
          return tensor::ExtractOp::create(b, l, weight, ValueRange{row, col});
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// embedding_dense_backward(grad_output, indices, num_weights, padding_idx,
/// scale_grad_by_freq): grad_weight[indices[k]] += grad_output[k] for every
/// k whose index is not padding_idx; with scale_grad_by_freq each row added
/// is scaled by 1 / (occurrences of its index), as in ATen.
struct ConvertAtenEmbeddingDenseBackwardOp
    : OpConversionPattern<AtenEmbeddingDenseBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenEmbeddingDenseBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    RankedTensorType gradType = getStaticTensorType(adaptor.getGradOutput());
    RankedTensorType indicesType = getStaticTensorType(adaptor.getIndices());
    if (!resultType || resultType.getRank() != 2 || !gradType || !indicesType ||
        !isa<IntegerType>(indicesType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto elemType = dyn_cast<mlir::FloatType>(resultType.getElementType());
    if (!elemType)
      return rewriter.notifyMatchFailure(op, "needs a float result");
    int64_t numWeights = resultType.getDimSize(0);
    int64_t dim = resultType.getDimSize(1);
    int64_t numIndices = indicesType.getNumElements();
    if (gradType.getRank() != indicesType.getRank() + 1 ||
        gradType.getShape().drop_back() != indicesType.getShape() ||
        gradType.getShape().back() != dim)
      return rewriter.notifyMatchFailure(op, "unexpected grad_output shape");
    bool scaleByFreq;
    if (!matchConstantBool(op.getScaleGradByFreq(), scaleByFreq))
      return rewriter.notifyMatchFailure(op,
                                         "scale_grad_by_freq must be constant");

    Type i64 = rewriter.getI64Type();
    Value indices = toI64Indices(rewriter, loc, adaptor.getIndices());
    FailureOr<Value> flatIndices = reshapeTensor(
        rewriter, loc, indices, RankedTensorType::get({numIndices}, i64));
    Value grad = convertTensorElementType(rewriter, loc,
                                          adaptor.getGradOutput(), elemType);
    FailureOr<Value> flatGrad =
        reshapeTensor(rewriter, loc, grad,
                      RankedTensorType::get({numIndices, dim}, elemType));
    if (failed(flatIndices) || failed(flatGrad))
      return rewriter.notifyMatchFailure(op, "cannot flatten operands");
    Value paddingIdx =
        convertScalarToDtype(rewriter, loc, adaptor.getPaddingIdx(), i64);

    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value cK = arith::ConstantIndexOp::create(rewriter, loc, numIndices);
    auto loadIndex = [&](OpBuilder &b, Location l, Value k) {
      Value idx = tensor::ExtractOp::create(b, l, *flatIndices, ValueRange{k});
      return std::make_pair(
          idx, Value(arith::IndexCastOp::create(b, l, b.getIndexType(), idx)));
    };

    // Occurrence counts per weight row, for scale_grad_by_freq.
    Value counts;
    if (scaleByFreq) {
      Value zeros = createZeroInitTensor(rewriter, loc, {numWeights}, i64);
      Value one = createScalarConstant(rewriter, loc, i64, 1);
      counts = scf::ForOp::create(
                   rewriter, loc, c0, cK, c1, ValueRange{zeros},
                   [&](OpBuilder &b, Location l, Value k, ValueRange iter) {
                     Value row =
                         clampIndex(b, l, loadIndex(b, l, k).first, numWeights);
                     Value cur = tensor::ExtractOp::create(b, l, iter[0],
                                                           ValueRange{row});
                     Value next = arith::AddIOp::create(b, l, cur, one);
                     Value updated = tensor::InsertOp::create(
                         b, l, next, iter[0], ValueRange{row});
                     scf::YieldOp::create(b, l, updated);
                   })
                   .getResult(0);
    }

    auto rowType = RankedTensorType::get({1, dim}, elemType);
    SmallVector<OpFoldResult> rowSizes{rewriter.getIndexAttr(1),
                                       rewriter.getIndexAttr(dim)};
    SmallVector<OpFoldResult> unitStrides(2, rewriter.getIndexAttr(1));
    Value init =
        createZeroInitTensor(rewriter, loc, resultType.getShape(), elemType);
    Value result =
        scf::ForOp::create(
            rewriter, loc, c0, cK, c1, ValueRange{init},
            [&](OpBuilder &b, Location l, Value k, ValueRange iter) {
              auto [idx, row] = loadIndex(b, l, k);
              Value acc = iter[0];
              // Out-of-range indices (an error in ATen) are skipped rather
              // than written out of bounds.
              Value outOfRange = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::uge, idx,
                  arith::ConstantOp::create(b, l,
                                            b.getI64IntegerAttr(numWeights)));
              Value skip = arith::OrIOp::create(
                  b, l,
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, idx,
                                        paddingIdx),
                  outOfRange);
              auto ifOp = scf::IfOp::create(
                  b, l, skip,
                  [&](OpBuilder &tb, Location tl) {
                    scf::YieldOp::create(tb, tl, acc);
                  },
                  [&](OpBuilder &eb, Location el) {
                    SmallVector<OpFoldResult> gradOffs{k, eb.getIndexAttr(0)};
                    SmallVector<OpFoldResult> accOffs{row, eb.getIndexAttr(0)};
                    Value gradRow = tensor::ExtractSliceOp::create(
                        eb, el, rowType, *flatGrad, gradOffs, rowSizes,
                        unitStrides);
                    Value accRow = tensor::ExtractSliceOp::create(
                        eb, el, rowType, acc, accOffs, rowSizes, unitStrides);
                    Value scale;
                    if (counts) {
                      Value n = tensor::ExtractOp::create(eb, el, counts,
                                                          ValueRange{row});
                      Value nf = arith::SIToFPOp::create(eb, el, elemType, n);
                      Value one = createScalarConstant(eb, el, elemType, 1.0);
                      scale = arith::DivFOp::create(eb, el, one, nf);
                    }
                    AffineMap id = eb.getMultiDimIdentityMap(2);
                    Value sum =
                        linalg::GenericOp::create(
                            eb, el, TypeRange{rowType}, ValueRange{gradRow},
                            ValueRange{accRow}, ArrayRef<AffineMap>{id, id},
                            SmallVector<utils::IteratorType>(
                                2, utils::IteratorType::parallel),
                            [&](OpBuilder &gb, Location gl, ValueRange args) {
                              Value g = args[0];
                              if (scale)
                                g = arith::MulFOp::create(gb, gl, g, scale);
                              linalg::YieldOp::create(
                                  gb, gl,
                                  Value(arith::AddFOp::create(gb, gl, args[1],
                                                              g)));
                            })
                            .getResult(0);
                    Value updated = tensor::InsertSliceOp::create(
                        eb, el, sum, acc, accOffs, rowSizes, unitStrides);
                    scf::YieldOp::create(eb, el, updated);
                  });
              scf::YieldOp::create(b, l, ifOp.getResult(0));
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// index_select(self, dim, index): out[..., i, ...] = self[..., index[i], ...].
struct ConvertAtenIndexSelectOp : OpConversionPattern<AtenIndexSelectOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenIndexSelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    RankedTensorType selfType = getStaticTensorType(adaptor.getSelf());
    RankedTensorType indexType = getStaticTensorType(adaptor.getIndex());
    if (!resultType || !selfType || !indexType || indexType.getRank() > 1 ||
        !isa<IntegerType>(indexType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = selfType.getRank();
    int64_t dim;
    if (!matchConstantInt(op.getDim(), dim))
      return rewriter.notifyMatchFailure(op, "dim must be a constant");
    // A 0-d self is indexed like a 1-element vector.
    if (rank == 0) {
      if (resultType.getRank() != 0 || (dim != 0 && dim != -1))
        return rewriter.notifyMatchFailure(op, "bad dim for a 0-d tensor");
      Value self = convertTensorElementType(rewriter, loc, adaptor.getSelf(),
                                            resultType.getElementType());
      rewriter.replaceOp(op, self);
      return success();
    }
    dim = toPositiveDim(dim, rank);
    if (!isValidDim(dim, rank) || resultType.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "dim out of range");
    int64_t numIndices = indexType.getNumElements();
    for (int64_t i = 0; i < rank; ++i) {
      int64_t expected = i == dim ? numIndices : selfType.getDimSize(i);
      if (resultType.getDimSize(i) != expected)
        return rewriter.notifyMatchFailure(op, "unexpected result shape");
    }
    Value self = convertTensorElementType(rewriter, loc, adaptor.getSelf(),
                                          resultType.getElementType());
    Value index = toI64Indices(rewriter, loc, adaptor.getIndex());
    AffineMap indexMap =
        indexType.getRank() == 1
            ? AffineMap::get(rank, 0, {rewriter.getAffineDimExpr(dim)},
                             rewriter.getContext())
            : AffineMap::get(rank, 0, {}, rewriter.getContext());
    Value result = createParallelGeneric(
        rewriter, loc, resultType, ValueRange{index}, {indexMap},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < rank; ++i)
            idx.push_back(
                i == dim ? clampIndex(b, l, args[0], selfType.getDimSize(dim))
                         : Value(linalg::IndexOp::create(b, l, i)));
          return tensor::ExtractOp::create(b, l, self, idx);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// gather(self, dim, index, sparse_grad): out[i] = self[i with dim replaced
/// by index[i]]; the result has the index's shape.
struct ConvertAtenGatherOp : OpConversionPattern<AtenGatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    RankedTensorType selfType = getStaticTensorType(adaptor.getSelf());
    RankedTensorType indexType = getStaticTensorType(adaptor.getIndex());
    if (!resultType || !selfType || !indexType ||
        !isa<IntegerType>(indexType.getElementType()) ||
        resultType.getShape() != indexType.getShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = selfType.getRank();
    int64_t dim;
    if (!matchConstantInt(op.getDim(), dim))
      return rewriter.notifyMatchFailure(op, "dim must be a constant");
    int64_t effRank = std::max<int64_t>(rank, 1);
    dim = toPositiveDim(dim, effRank);
    // A 0-d self acts as one element: every (in-range) index reads it.
    if (rank == 0 && isValidDim(dim, effRank) && indexType.getRank() <= 1) {
      Value self = convertTensorElementType(rewriter, loc, adaptor.getSelf(),
                                            resultType.getElementType());
      Value result = createParallelGeneric(
          rewriter, loc, resultType, ValueRange{}, {},
          [&](OpBuilder &b, Location l, ValueRange) -> Value {
            return tensor::ExtractOp::create(b, l, self, ValueRange{});
          });
      rewriter.replaceOp(op, result);
      return success();
    }
    if (!isValidDim(dim, effRank) || indexType.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "dim/rank mismatch");
    for (int64_t i = 0; i < rank; ++i)
      if (i != dim && indexType.getDimSize(i) > selfType.getDimSize(i))
        return rewriter.notifyMatchFailure(op, "index larger than self");
    Value self = convertTensorElementType(rewriter, loc, adaptor.getSelf(),
                                          resultType.getElementType());
    Value index = toI64Indices(rewriter, loc, adaptor.getIndex());
    Value result = createParallelGeneric(
        rewriter, loc, resultType, ValueRange{index},
        {rewriter.getMultiDimIdentityMap(rank)},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < rank; ++i)
            idx.push_back(
                i == dim ? clampIndex(b, l, args[0], selfType.getDimSize(dim))
                         : Value(linalg::IndexOp::create(b, l, i)));
          return tensor::ExtractOp::create(b, l, self, idx);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// masked_fill.Scalar(self, mask, value): mask broadcasts to self.
struct ConvertAtenMaskedFillScalarOp
    : OpConversionPattern<AtenMaskedFillScalarOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenMaskedFillScalarOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    RankedTensorType selfType = getStaticTensorType(adaptor.getSelf());
    RankedTensorType maskType = getStaticTensorType(adaptor.getMask());
    if (!resultType || !selfType || !maskType ||
        selfType.getShape() != resultType.getShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Type elemType = resultType.getElementType();
    Value value =
        convertScalarToDtype(rewriter, loc, adaptor.getValue(), elemType,
                             Type(), getTorchDtype(op.getResult()));
    Value mask = convertTensorElementType(rewriter, loc, adaptor.getMask(),
                                          rewriter.getI1Type());
    Type selfTorchDtype = getTorchDtype(op.getSelf());
    Type resultTorchDtype = getTorchDtype(op.getResult());
    FailureOr<Value> result = createElementwiseGeneric(
        rewriter, loc, ValueRange{adaptor.getSelf(), mask}, resultType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value self = convertScalarToDtype(b, l, args[0], elemType,
                                            selfTorchDtype, resultTorchDtype);
          return arith::SelectOp::create(b, l, args[1], value, self);
        });
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "mask does not broadcast");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// constant_pad_nd(self, pad, value): pad = [before_last, after_last,
/// before_second_last, ...]; negative amounts crop.
struct ConvertAtenConstantPadNdOp : OpConversionPattern<AtenConstantPadNdOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenConstantPadNdOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    RankedTensorType selfType = getStaticTensorType(adaptor.getSelf());
    SmallVector<int64_t> pad;
    if (!resultType || !selfType ||
        failed(matchConstantIntList(op.getPad(), pad)))
      return rewriter.notifyMatchFailure(op, "needs static shapes and pads");
    int64_t rank = selfType.getRank();
    if (pad.size() % 2 != 0 || static_cast<int64_t>(pad.size()) > 2 * rank ||
        resultType.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "bad pad list");
    SmallVector<int64_t> low(rank, 0), high(rank, 0);
    for (size_t i = 0; i < pad.size() / 2; ++i) {
      low[rank - 1 - i] = pad[2 * i];
      high[rank - 1 - i] = pad[2 * i + 1];
    }
    for (int64_t i = 0; i < rank; ++i)
      if (resultType.getDimSize(i) !=
              selfType.getDimSize(i) + low[i] + high[i] ||
          resultType.getDimSize(i) < 0)
        return rewriter.notifyMatchFailure(op, "unexpected result shape");
    Type elemType = resultType.getElementType();
    Value self =
        convertTensorElementType(rewriter, loc, adaptor.getSelf(), elemType);

    // Crop first.
    bool crop = llvm::any_of(low, [](int64_t v) { return v < 0; }) ||
                llvm::any_of(high, [](int64_t v) { return v < 0; });
    if (crop) {
      SmallVector<OpFoldResult> offs, sizes, strides;
      SmallVector<int64_t> shape;
      for (int64_t i = 0; i < rank; ++i) {
        int64_t off = low[i] < 0 ? -low[i] : 0;
        int64_t size =
            selfType.getDimSize(i) - off - (high[i] < 0 ? -high[i] : 0);
        offs.push_back(rewriter.getIndexAttr(off));
        sizes.push_back(rewriter.getIndexAttr(size));
        strides.push_back(rewriter.getIndexAttr(1));
        shape.push_back(size);
      }
      self = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(shape, elemType), self, offs,
          sizes, strides);
    }
    bool grow = llvm::any_of(low, [](int64_t v) { return v > 0; }) ||
                llvm::any_of(high, [](int64_t v) { return v > 0; });
    if (grow) {
      Value value =
          convertScalarToDtype(rewriter, loc, adaptor.getValue(), elemType,
                               Type(), getTorchDtype(op.getResult()));
      SmallVector<OpFoldResult> lowOfr, highOfr;
      for (int64_t i = 0; i < rank; ++i) {
        lowOfr.push_back(rewriter.getIndexAttr(std::max<int64_t>(low[i], 0)));
        highOfr.push_back(rewriter.getIndexAttr(std::max<int64_t>(high[i], 0)));
      }
      self = tensor::PadOp::create(rewriter, loc, resultType, self, lowOfr,
                                   highOfr, value);
    }
    rewriter.replaceOp(op, self);
    return success();
  }
};

} // namespace

void mlir::torch::populateIndexingPatterns(TypeConverter &typeConverter,
                                           RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvertAtenEmbeddingOp, ConvertAtenEmbeddingDenseBackwardOp,
               ConvertAtenIndexSelectOp, ConvertAtenGatherOp,
               ConvertAtenMaskedFillScalarOp, ConvertAtenConstantPadNdOp>(
      typeConverter, ctx);
}
