//===- Pooling.cpp - max/avg pooling and their backward to linalg ---------===//
//
// Forward pooling is a linalg.generic whose reduction loops run over the
// window (shaped by an unused tensor.empty of the kernel size, as the named
// pooling ops do). max_pool2d_with_indices computes the value and the ATen
// flat index (h * W + w within each plane) in one pass. The backward ops
// iterate over input positions and gather the output gradients of the
// windows that cover each position, so no scatter is needed.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/KernelCall.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Static 2-d pooling parameters; `batchRank` leading dims (1 or 2) come
/// before the two spatial dims.
struct PoolParams {
  SmallVector<int64_t, 2> kernel, stride, padding, dilation{1, 1};
  bool ceilMode = false;
  int64_t batchRank = 0;
  SmallVector<int64_t, 2> inSize, outSize;
};

LogicalResult getPair(Value list, SmallVectorImpl<int64_t> &out,
                      bool allowEmpty = false) {
  SmallVector<int64_t> values;
  if (failed(matchConstantIntList(list, values)))
    return failure();
  if (values.empty() && allowEmpty) {
    out.clear();
    return success();
  }
  if (values.size() == 1)
    values.push_back(values[0]);
  if (values.size() != 2)
    return failure();
  out.assign(values.begin(), values.end());
  return success();
}

/// ATen's pooling_output_shape.
int64_t poolOutputSize(int64_t in, int64_t k, int64_t pad, int64_t stride,
                       int64_t dilation, bool ceilMode) {
  int64_t numerator =
      in + 2 * pad - dilation * (k - 1) - 1 + (ceilMode ? stride - 1 : 0);
  // Floor division (numerator may be negative for tiny inputs).
  int64_t q = numerator >= 0 ? numerator / stride
                             : -((-numerator + stride - 1) / stride);
  int64_t out = q + 1;
  if (ceilMode && (out - 1) * stride >= in + pad)
    --out;
  return out;
}

/// Reads and validates the parameters against the input and the (pooled)
/// result shape.
template <typename OpT>
FailureOr<PoolParams> getPoolParams(OpT op, RankedTensorType inputType,
                                    ArrayRef<int64_t> pooledShape,
                                    Value dilationList) {
  PoolParams p;
  if (!inputType || !inputType.hasStaticShape())
    return failure();
  int64_t rank = inputType.getRank();
  if (rank != 3 && rank != 4)
    return failure();
  p.batchRank = rank - 2;
  if (failed(getPair(op.getKernelSize(), p.kernel)) ||
      failed(getPair(op.getStride(), p.stride, /*allowEmpty=*/true)) ||
      failed(getPair(op.getPadding(), p.padding)))
    return failure();
  if (p.stride.empty())
    p.stride = p.kernel;
  if (dilationList && failed(getPair(dilationList, p.dilation)))
    return failure();
  if (!matchConstantBool(op.getCeilMode(), p.ceilMode))
    return failure();
  for (int64_t i = 0; i < 2; ++i) {
    if (p.kernel[i] < 1 || p.stride[i] < 1 || p.dilation[i] < 1 ||
        p.padding[i] < 0 || p.padding[i] * 2 > p.kernel[i])
      return failure();
    p.inSize.push_back(inputType.getDimSize(p.batchRank + i));
    p.outSize.push_back(poolOutputSize(p.inSize[i], p.kernel[i], p.padding[i],
                                       p.stride[i], p.dilation[i], p.ceilMode));
    if (p.outSize[i] < 1)
      return failure();
  }
  if (static_cast<int64_t>(pooledShape.size()) != rank ||
      pooledShape.take_front(p.batchRank) !=
          inputType.getShape().take_front(p.batchRank) ||
      pooledShape[p.batchRank] != p.outSize[0] ||
      pooledShape[p.batchRank + 1] != p.outSize[1])
    return failure();
  return p;
}

/// Pads the spatial dims so that every window of the output lies inside.
Value padForWindows(OpBuilder &b, Location loc, Value input,
                    const PoolParams &p, Value padValue) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> low(type.getRank(), 0), high(type.getRank(), 0);
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t i = 0; i < 2; ++i) {
    int64_t needed = (p.outSize[i] - 1) * p.stride[i] +
                     p.dilation[i] * (p.kernel[i] - 1) + 1;
    int64_t d = p.batchRank + i;
    low[d] = p.padding[i];
    high[d] = std::max<int64_t>(0, needed - p.inSize[i] - p.padding[i]);
    shape[d] += low[d] + high[d];
  }
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return input;
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (int64_t v : low)
    lowOfr.push_back(b.getIndexAttr(v));
  for (int64_t v : high)
    highOfr.push_back(b.getIndexAttr(v));
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, paddedType, input, lowOfr, highOfr,
                               padValue);
}

/// Maps for a window reduction with loops (batch..., oh, ow, kh, kw):
/// the padded input, the window-shape tensor and the pooled output.
SmallVector<AffineMap> getWindowMaps(OpBuilder &b, const PoolParams &p) {
  int64_t numLoops = p.batchRank + 4;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  int64_t oh = p.batchRank, ow = p.batchRank + 1, kh = p.batchRank + 2,
          kw = p.batchRank + 3;
  SmallVector<AffineExpr> inExprs, outExprs;
  for (int64_t i = 0; i < p.batchRank; ++i) {
    inExprs.push_back(d(i));
    outExprs.push_back(d(i));
  }
  inExprs.push_back(d(oh) * p.stride[0] + d(kh) * p.dilation[0]);
  inExprs.push_back(d(ow) * p.stride[1] + d(kw) * p.dilation[1]);
  outExprs.append({d(oh), d(ow)});
  MLIRContext *ctx = b.getContext();
  return {AffineMap::get(numLoops, 0, inExprs, ctx),
          AffineMap::get(numLoops, 0, {d(kh), d(kw)}, ctx),
          AffineMap::get(numLoops, 0, outExprs, ctx)};
}

SmallVector<utils::IteratorType> getWindowIterators(const PoolParams &p) {
  SmallVector<utils::IteratorType> iterators(p.batchRank + 2,
                                             utils::IteratorType::parallel);
  iterators.append(2, utils::IteratorType::reduction);
  return iterators;
}

Value lowestValue(OpBuilder &b, Location loc, Type elemType) {
  if (auto floatType = dyn_cast<mlir::FloatType>(elemType))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/true)));
  auto intType = cast<IntegerType>(elemType);
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(intType, APInt::getSignedMinValue(intType.getWidth())));
}

/// `v` [C, H, W] as [1, C, H, W]; 4-d values as they are.
Value to4d(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() == 4)
    return v;
  SmallVector<int64_t> shape{1};
  llvm::append_range(shape, type.getShape());
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), v,
      SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
}

/// The inverse of to4d for a result of `type`.
Value from4d(OpBuilder &b, Location loc, Value v, RankedTensorType type) {
  if (type.getRank() == 4)
    return v;
  return tensor::CollapseShapeOp::create(
      b, loc, type, v, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
}

/// N and C of an input with `p.batchRank` leading dims.
std::pair<int64_t, int64_t> planeCounts(RankedTensorType type,
                                        const PoolParams &p) {
  if (p.batchRank == 2)
    return {type.getDimSize(0), type.getDimSize(1)};
  return {1, type.getDimSize(0)};
}

/// max_pool2d_with_indices(self, kernel_size, stride, padding, dilation,
/// ceil_mode) -> (values, indices). A window position is taken when it is
/// inside the input and is the first one seen, greater than the current
/// maximum, or NaN: exactly ATen's CPU kernel.
struct ConvertAtenMaxPool2dWithIndicesOp
    : OpConversionPattern<AtenMaxPool2dWithIndicesOp> {
  ConvertAtenMaxPool2dWithIndicesOp(const TypeConverter &typeConverter,
                                    MLIRContext *ctx, bool useKernels)
      : OpConversionPattern(typeConverter, ctx), useKernels(useKernels) {}
  /// Whether f32/f64 call the runtime's kernel (false: linalg only).
  bool useKernels;

  LogicalResult
  matchAndRewrite(AtenMaxPool2dWithIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter &tc = *getTypeConverter();
    RankedTensorType valuesType =
        getConvertedStaticTensorType(tc, op.getResult0());
    RankedTensorType indicesType = getConvertedTensorType(tc, op.getResult1());
    if (!valuesType || !indicesType ||
        indicesType.getShape() != valuesType.getShape() ||
        !indicesType.getElementType().isInteger(64))
      return rewriter.notifyMatchFailure(op, "needs static result types");
    Type elemType = valuesType.getElementType();
    if (!isa<mlir::FloatType, IntegerType>(elemType) || elemType.isInteger(1))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getSelf().getType());
    FailureOr<PoolParams> params =
        getPoolParams(op, inputType, valuesType.getShape(), op.getDilation());
    if (failed(params))
      return rewriter.notifyMatchFailure(op, "unsupported pooling parameters");
    PoolParams &p = *params;

    Value input =
        convertTensorElementType(rewriter, loc, adaptor.getSelf(), elemType);
    // f32/f64 with the indices read (training): the runtime's kernel, which
    // loops LLVM declines to vectorize could not match (pooling_kernels.h).
    StringRef suffix = kernelSuffix(elemType);
    if (useKernels && !suffix.empty() && !op.getResult1().use_empty()) {
      auto [n, c] = planeCounts(valuesType, p);
      KernelCall call(rewriter, loc);
      for (int64_t v :
           {n, c, p.inSize[0], p.inSize[1], p.outSize[0], p.outSize[1],
            p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0],
            p.padding[1], p.dilation[0], p.dilation[1]})
        call.addInt(v);
      call.addInput(to4d(rewriter, loc, input));
      SmallVector<int64_t> outShape{n, c, p.outSize[0], p.outSize[1]};
      Value values = call.addOutput(outShape, elemType);
      Value indices = call.addOutput(outShape, rewriter.getI64Type());
      if (succeeded(
              call.emit(("ltc_mlir_max_pool2d_with_indices" + suffix).str()))) {
        rewriter.replaceOp(
            op, ValueRange{
                    from4d(rewriter, loc, call.result(values), valuesType),
                    from4d(rewriter, loc, call.result(indices), indicesType)});
        return success();
      }
    }
    Value lowest = lowestValue(rewriter, loc, elemType);
    Value padded = padForWindows(rewriter, loc, input, p, lowest);
    // Without padding every window position is inside the input.
    bool needsBoundsCheck = padded != input;
    Value window = tensor::EmptyOp::create(rewriter, loc, p.kernel, elemType);
    Value valuesInit = createInitTensor(rewriter, loc, valuesType.getShape(),
                                        elemType, lowest);
    Type i64 = rewriter.getI64Type();
    Value indicesInit =
        createInitTensor(rewriter, loc, valuesType.getShape(), i64,
                         createScalarConstant(rewriter, loc, i64, -1));

    bool isFloat = isa<mlir::FloatType>(elemType);
    int64_t br = p.batchRank;
    SmallVector<AffineMap> maps = getWindowMaps(rewriter, p);
    // Inference and other graphs that drop the indices: a plain max over the
    // window, where padding with the lowest value stands in for the bounds
    // check and maximumf propagates NaN as ATen does. No i64 index math.
    if (op.getResult1().use_empty()) {
      auto generic = linalg::GenericOp::create(
          rewriter, loc, TypeRange{valuesType}, ValueRange{padded, window},
          ValueRange{valuesInit}, maps, getWindowIterators(p),
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value max =
                isFloat
                    ? Value(arith::MaximumFOp::create(b, l, args[0], args[2]))
                    : Value(arith::MaxSIOp::create(b, l, args[0], args[2]));
            linalg::YieldOp::create(b, l, max);
          });
      Value unused = tensor::EmptyOp::create(
          rewriter, loc, indicesType.getShape(), indicesType.getElementType());
      rewriter.replaceOp(op, ValueRange{generic.getResult(0), unused});
      return success();
    }
    maps.push_back(maps.back()); // the indices map like the values
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType},
        ValueRange{padded, window}, ValueRange{valuesInit, indicesInit}, maps,
        getWindowIterators(p), [&](OpBuilder &b, Location l, ValueRange args) {
          Value val = args[0], curMax = args[2], curIdx = args[3];
          auto cst = [&](int64_t v) {
            return arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v));
          };
          // Unpadded input coordinates of this window position.
          SmallVector<Value, 2> coords;
          Value inside;
          for (int64_t i = 0; i < 2; ++i) {
            Value o = arith::IndexCastOp::create(
                b, l, i64, linalg::IndexOp::create(b, l, br + i));
            Value k = arith::IndexCastOp::create(
                b, l, i64, linalg::IndexOp::create(b, l, br + 2 + i));
            Value pos = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, o, cst(p.stride[i])),
                arith::MulIOp::create(b, l, k, cst(p.dilation[i])));
            pos = arith::SubIOp::create(b, l, pos, cst(p.padding[i]));
            coords.push_back(pos);
            if (!needsBoundsCheck)
              continue;
            Value geZero = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::sge, pos, cst(0));
            Value ltSize = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, pos, cst(p.inSize[i]));
            Value ok = arith::AndIOp::create(b, l, geZero, ltSize);
            inside =
                inside ? Value(arith::AndIOp::create(b, l, inside, ok)) : ok;
          }
          Value flat = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, coords[0], cst(p.inSize[1])),
              coords[1]);
          Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              curIdx, cst(0));
          Value better;
          if (isFloat) {
            Value gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                             val, curMax);
            Value isNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO,
                                                val, val);
            better = arith::OrIOp::create(b, l, gt, isNan);
          } else {
            better = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, val,
                                           curMax);
          }
          Value take = arith::OrIOp::create(b, l, first, better);
          if (inside)
            take = arith::AndIOp::create(b, l, inside, take);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, val, curMax),
                         arith::SelectOp::create(b, l, take, flat, curIdx)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// Loops (batch..., ih, iw, kh, kw) over input positions and window offsets;
/// `gather` gets the output coordinates (oh, ow) of the window that covers
/// (ih, iw) at offset (kh, kw), clamped to 0 when there is none, and a flag
/// saying whether it exists; it returns the contribution to add.
Value buildWindowGatherSum(
    OpBuilder &b, Location loc, const PoolParams &p,
    RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, ValueRange batch, Value ih,
                       Value iw, Value oh, Value ow, Value valid)>
        gather) {
  Type elemType = resultType.getElementType();
  int64_t br = p.batchRank;
  // Windows that do not overlap (stride >= window extent, e.g. the usual 2x2
  // stride-2 max pool) give each input position at most one window: then the
  // offsets follow from the position and need no reduction loops, which makes
  // a plain parallel loop nest with a quarter of the iterations.
  bool disjoint = true;
  for (int64_t i = 0; i < 2; ++i)
    disjoint &= p.stride[i] >= p.dilation[i] * (p.kernel[i] - 1) + 1;
  if (disjoint) {
    int64_t rank = br + 2;
    Value empty =
        tensor::EmptyOp::create(b, loc, resultType.getShape(), elemType);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{resultType}, ValueRange{}, ValueRange{empty},
               ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)}, parallel,
               [&](OpBuilder &nb, Location l, ValueRange) {
                 auto cst = [&](int64_t v) {
                   return arith::ConstantIndexOp::create(nb, l, v);
                 };
                 SmallVector<Value> batch;
                 for (int64_t i = 0; i < br; ++i)
                   batch.push_back(linalg::IndexOp::create(nb, l, i));
                 SmallVector<Value, 2> in, out;
                 Value valid;
                 for (int64_t i = 0; i < 2; ++i) {
                   Value pos = linalg::IndexOp::create(nb, l, br + i);
                   // pos + pad = o * stride + k * dilation, k < kernel.
                   Value q =
                       arith::AddIOp::create(nb, l, pos, cst(p.padding[i]));
                   Value o = arith::DivUIOp::create(nb, l, q, cst(p.stride[i]));
                   Value r = arith::RemUIOp::create(nb, l, q, cst(p.stride[i]));
                   Value k =
                       arith::DivUIOp::create(nb, l, r, cst(p.dilation[i]));
                   Value onTap = arith::CmpIOp::create(
                       nb, l, arith::CmpIPredicate::eq,
                       arith::RemUIOp::create(nb, l, r, cst(p.dilation[i])),
                       cst(0));
                   Value inWindow = arith::CmpIOp::create(
                       nb, l, arith::CmpIPredicate::ult, k, cst(p.kernel[i]));
                   Value inRange = arith::CmpIOp::create(
                       nb, l, arith::CmpIPredicate::ult, o, cst(p.outSize[i]));
                   Value ok = arith::AndIOp::create(
                       nb, l, onTap,
                       arith::AndIOp::create(nb, l, inWindow, inRange));
                   in.push_back(pos);
                   out.push_back(arith::SelectOp::create(nb, l, ok, o, cst(0)));
                   valid = valid
                               ? Value(arith::AndIOp::create(nb, l, valid, ok))
                               : ok;
                 }
                 Value contrib =
                     gather(nb, l, batch, in[0], in[1], out[0], out[1], valid);
                 linalg::YieldOp::create(nb, l, contrib);
               })
        .getResult(0);
  }

  int64_t numLoops = br + 4;
  MLIRContext *ctx = b.getContext();
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < br + 2; ++i)
    outExprs.push_back(d(i));
  AffineMap windowMap =
      AffineMap::get(numLoops, 0, {d(br + 2), d(br + 3)}, ctx);
  AffineMap outMap = AffineMap::get(numLoops, 0, outExprs, ctx);
  Value window = tensor::EmptyOp::create(b, loc, p.kernel, elemType);
  Value init = createZeroInitTensor(b, loc, resultType.getShape(), elemType);
  SmallVector<utils::IteratorType> iterators(br + 2,
                                             utils::IteratorType::parallel);
  iterators.append(2, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{window},
             ValueRange{init}, ArrayRef<AffineMap>{windowMap, outMap},
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               auto cst = [&](int64_t v) {
                 return arith::ConstantIndexOp::create(nb, l, v);
               };
               SmallVector<Value> batch;
               for (int64_t i = 0; i < br; ++i)
                 batch.push_back(linalg::IndexOp::create(nb, l, i));
               SmallVector<Value, 2> in, out;
               Value valid;
               for (int64_t i = 0; i < 2; ++i) {
                 Value pos = linalg::IndexOp::create(nb, l, br + i);
                 Value k = linalg::IndexOp::create(nb, l, br + 2 + i);
                 // o * stride = pos + pad - k * dilation.
                 Value num = arith::SubIOp::create(
                     nb, l,
                     arith::AddIOp::create(nb, l, pos, cst(p.padding[i])),
                     arith::MulIOp::create(nb, l, k, cst(p.dilation[i])));
                 Value nonNeg = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::sge, num, cst(0));
                 Value safeNum =
                     arith::SelectOp::create(nb, l, nonNeg, num, cst(0));
                 Value o =
                     arith::DivUIOp::create(nb, l, safeNum, cst(p.stride[i]));
                 Value rem =
                     arith::RemUIOp::create(nb, l, safeNum, cst(p.stride[i]));
                 Value exact = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::eq, rem, cst(0));
                 Value inRange = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::ult, o, cst(p.outSize[i]));
                 Value ok = arith::AndIOp::create(
                     nb, l, nonNeg,
                     arith::AndIOp::create(nb, l, exact, inRange));
                 in.push_back(pos);
                 out.push_back(arith::SelectOp::create(nb, l, ok, o, cst(0)));
                 valid = valid ? Value(arith::AndIOp::create(nb, l, valid, ok))
                               : ok;
               }
               Value contrib =
                   gather(nb, l, batch, in[0], in[1], out[0], out[1], valid);
               Value sum =
                   isa<mlir::FloatType>(elemType)
                       ? Value(arith::AddFOp::create(nb, l, args[1], contrib))
                       : Value(arith::AddIOp::create(nb, l, args[1], contrib));
               linalg::YieldOp::create(nb, l, sum);
             })
      .getResult(0);
}

/// max_pool2d_with_indices_backward(grad_output, self, kernel_size, stride,
/// padding, dilation, ceil_mode, indices): each input position sums the
/// gradients of the windows whose recorded argmax is that position.
struct ConvertAtenMaxPool2dWithIndicesBackwardOp
    : OpConversionPattern<AtenMaxPool2dWithIndicesBackwardOp> {
  ConvertAtenMaxPool2dWithIndicesBackwardOp(const TypeConverter &typeConverter,
                                            MLIRContext *ctx, bool useKernels)
      : OpConversionPattern(typeConverter, ctx), useKernels(useKernels) {}
  /// Whether f32/f64 call the runtime's kernel (false: linalg only).
  bool useKernels;

  LogicalResult
  matchAndRewrite(AtenMaxPool2dWithIndicesBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a static result type");
    Type elemType = resultType.getElementType();
    if (!isa<mlir::FloatType>(elemType))
      return rewriter.notifyMatchFailure(op, "needs a float result");
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getSelf().getType());
    auto gradType =
        dyn_cast<RankedTensorType>(adaptor.getGradOutput().getType());
    auto indicesType =
        dyn_cast<RankedTensorType>(adaptor.getIndices().getType());
    if (!inputType || !gradType || !indicesType ||
        inputType.getShape() != resultType.getShape() ||
        indicesType.getShape() != gradType.getShape() ||
        !isa<IntegerType>(indicesType.getElementType()))
      return rewriter.notifyMatchFailure(op, "operand shapes do not match");
    FailureOr<PoolParams> params =
        getPoolParams(op, inputType, gradType.getShape(), op.getDilation());
    if (failed(params))
      return rewriter.notifyMatchFailure(op, "unsupported pooling parameters");
    PoolParams &p = *params;

    Value grad = convertTensorElementType(rewriter, loc,
                                          adaptor.getGradOutput(), elemType);
    Value indices = convertTensorElementType(
        rewriter, loc, adaptor.getIndices(), rewriter.getI64Type());
    // f32/f64: the runtime's kernel scatters each output gradient to its
    // argmax, in ATen's order (pooling_kernels.h).
    StringRef suffix = kernelSuffix(elemType);
    if (useKernels && !suffix.empty()) {
      auto [n, c] = planeCounts(resultType, p);
      KernelCall call(rewriter, loc);
      for (int64_t v :
           {n, c, p.inSize[0], p.inSize[1], p.outSize[0], p.outSize[1]})
        call.addInt(v);
      call.addInput(to4d(rewriter, loc, grad));
      call.addInput(to4d(rewriter, loc, indices));
      Value gradInput =
          call.addOutput({n, c, p.inSize[0], p.inSize[1]}, elemType);
      if (succeeded(call.emit(
              ("ltc_mlir_max_pool2d_with_indices_backward" + suffix).str()))) {
        rewriter.replaceOp(
            op, from4d(rewriter, loc, call.result(gradInput), resultType));
        return success();
      }
    }
    Value zero = createScalarConstant(rewriter, loc, elemType, 0.0);
    int64_t width = p.inSize[1];
    Value result = buildWindowGatherSum(
        rewriter, loc, p, resultType,
        [&](OpBuilder &b, Location l, ValueRange batch, Value ih, Value iw,
            Value oh, Value ow, Value valid) -> Value {
          SmallVector<Value> idx(batch.begin(), batch.end());
          idx.append({oh, ow});
          Value argmax = tensor::ExtractOp::create(b, l, indices, idx);
          Value g = tensor::ExtractOp::create(b, l, grad, idx);
          Value flat = arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(
                  b, l, ih, arith::ConstantIndexOp::create(b, l, width)),
              iw);
          Value flatI64 =
              arith::IndexCastOp::create(b, l, b.getI64Type(), flat);
          Value hit = arith::AndIOp::create(
              b, l, valid,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, argmax,
                                    flatI64));
          return arith::SelectOp::create(b, l, hit, g, zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The ATen avg_pool2d divisor of every output position, or failure when
/// divisor_override is not a constant.
template <typename OpT>
FailureOr<SmallVector<double>> getAvgPoolDivisors(OpT op, const PoolParams &p) {
  bool countIncludePad;
  if (!matchConstantBool(op.getCountIncludePad(), countIncludePad))
    return failure();
  int64_t divisorOverride = 0;
  if (!isTorchNone(op.getDivisorOverride())) {
    if (!matchConstantInt(op.getDivisorOverride(), divisorOverride) ||
        divisorOverride == 0)
      return failure();
  }
  SmallVector<double> divisors;
  for (int64_t oh = 0; oh < p.outSize[0]; ++oh) {
    for (int64_t ow = 0; ow < p.outSize[1]; ++ow) {
      if (divisorOverride) {
        divisors.push_back(static_cast<double>(divisorOverride));
        continue;
      }
      int64_t start[2] = {oh * p.stride[0] - p.padding[0],
                          ow * p.stride[1] - p.padding[1]};
      int64_t size = 1, clampedSize = 1;
      for (int64_t i = 0; i < 2; ++i) {
        int64_t end =
            std::min(start[i] + p.kernel[i], p.inSize[i] + p.padding[i]);
        size *= end - start[i];
        clampedSize *=
            std::min(end, p.inSize[i]) - std::max<int64_t>(start[i], 0);
      }
      divisors.push_back(
          static_cast<double>(countIncludePad ? size : clampedSize));
    }
  }
  return divisors;
}

/// Divides (or, for the backward, pre-divides) `tensor` [batch..., OH, OW] by
/// the per-position divisors: a scalar when they are all equal, else a
/// constant [OH, OW] tensor.
Value divideByDivisors(OpBuilder &b, Location loc, Value tensor,
                       ArrayRef<double> divisors, const PoolParams &p) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto elemType = cast<mlir::FloatType>(type.getElementType());
  int64_t rank = type.getRank();
  bool uniform =
      llvm::all_of(divisors, [&](double v) { return v == divisors.front(); });
  SmallVector<Value> inputs{tensor};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  Value scalar;
  if (uniform) {
    scalar = createScalarConstant(b, loc, elemType, divisors.front());
  } else {
    auto constType = RankedTensorType::get(p.outSize, elemType);
    SmallVector<APFloat> values;
    for (double v : divisors) {
      APFloat f(v);
      bool lost;
      f.convert(elemType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(f);
    }
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(constType, values)));
    maps.push_back(AffineMap::get(
        rank, 0, {b.getAffineDimExpr(rank - 2), b.getAffineDimExpr(rank - 1)},
        b.getContext()));
  }
  return createParallelGeneric(
      b, loc, type, inputs, maps,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value divisor = uniform ? scalar : args[1];
        return arith::DivFOp::create(nb, l, args[0], divisor);
      });
}

/// avg_pool2d(self, kernel_size, stride, padding, ceil_mode,
/// count_include_pad, divisor_override): window sum over the zero-padded
/// input, then division by ATen's per-window divisor.
struct ConvertAtenAvgPool2dOp : OpConversionPattern<AtenAvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenAvgPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a static result type");
    Type elemType = resultType.getElementType();
    if (!isa<mlir::FloatType>(elemType))
      return rewriter.notifyMatchFailure(op, "needs a float result");
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getSelf().getType());
    FailureOr<PoolParams> params =
        getPoolParams(op, inputType, resultType.getShape(), Value());
    if (failed(params))
      return rewriter.notifyMatchFailure(op, "unsupported pooling parameters");
    PoolParams &p = *params;
    FailureOr<SmallVector<double>> divisors = getAvgPoolDivisors(op, p);
    if (failed(divisors))
      return rewriter.notifyMatchFailure(
          op, "count_include_pad and divisor_override must be constants");

    Value input =
        convertTensorElementType(rewriter, loc, adaptor.getSelf(), elemType);
    Value zero = createScalarConstant(rewriter, loc, elemType, 0.0);
    Value padded = padForWindows(rewriter, loc, input, p, zero);
    Value window = tensor::EmptyOp::create(rewriter, loc, p.kernel, elemType);
    Value init =
        createZeroInitTensor(rewriter, loc, resultType.getShape(), elemType);
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, ValueRange{padded, window},
            ValueRange{init}, getWindowMaps(rewriter, p), getWindowIterators(p),
            [&](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l, Value(arith::AddFOp::create(b, l, args[2], args[0])));
            })
            .getResult(0);
    rewriter.replaceOp(op, divideByDivisors(rewriter, loc, sum, *divisors, p));
    return success();
  }
};

/// avg_pool2d_backward: every input position sums grad / divisor of the
/// windows covering it.
struct ConvertAtenAvgPool2dBackwardOp
    : OpConversionPattern<AtenAvgPool2dBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenAvgPool2dBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a static result type");
    Type elemType = resultType.getElementType();
    if (!isa<mlir::FloatType>(elemType))
      return rewriter.notifyMatchFailure(op, "needs a float result");
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getSelf().getType());
    auto gradType =
        dyn_cast<RankedTensorType>(adaptor.getGradOutput().getType());
    if (!inputType || !gradType ||
        inputType.getShape() != resultType.getShape())
      return rewriter.notifyMatchFailure(op, "operand shapes do not match");
    FailureOr<PoolParams> params =
        getPoolParams(op, inputType, gradType.getShape(), Value());
    if (failed(params))
      return rewriter.notifyMatchFailure(op, "unsupported pooling parameters");
    PoolParams &p = *params;
    FailureOr<SmallVector<double>> divisors = getAvgPoolDivisors(op, p);
    if (failed(divisors))
      return rewriter.notifyMatchFailure(
          op, "count_include_pad and divisor_override must be constants");

    Value grad = convertTensorElementType(rewriter, loc,
                                          adaptor.getGradOutput(), elemType);
    Value scaled = divideByDivisors(rewriter, loc, grad, *divisors, p);
    Value zero = createScalarConstant(rewriter, loc, elemType, 0.0);
    Value result = buildWindowGatherSum(
        rewriter, loc, p, resultType,
        [&](OpBuilder &b, Location l, ValueRange batch, Value, Value, Value oh,
            Value ow, Value valid) -> Value {
          SmallVector<Value> idx(batch.begin(), batch.end());
          idx.append({oh, ow});
          Value g = tensor::ExtractOp::create(b, l, scaled, idx);
          return arith::SelectOp::create(b, l, valid, g, zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::torch::populatePoolingPatterns(TypeConverter &typeConverter,
                                          RewritePatternSet &patterns,
                                          bool useKernels) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvertAtenMaxPool2dWithIndicesOp,
               ConvertAtenMaxPool2dWithIndicesBackwardOp>(typeConverter, ctx,
                                                          useKernels);
  patterns.add<ConvertAtenAvgPool2dOp, ConvertAtenAvgPool2dBackwardOp>(
      typeConverter, ctx);
}
