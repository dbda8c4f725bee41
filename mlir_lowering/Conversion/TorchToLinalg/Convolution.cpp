//===- Convolution.cpp - convolution and its backward to linalg -----------===//
//
// Forward 1-d/2-d convolutions map onto linalg.conv_2d_nchw_fchw (or the
// grouped linalg.conv_2d_ngchw_gfchw) over a zero-padded input, accumulating
// into the broadcast bias. The backward input gradient is itself a grouped
// convolution of the stride-dilated, padded output gradient with the flipped,
// channel-swapped weight; the weight gradient is a generic contraction.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Static convolution parameters, always 2 spatial dims (1-d convolutions are
/// run as 2-d ones with a unit height).
struct ConvParams {
  SmallVector<int64_t, 2> stride, padding, dilation;
  int64_t groups = 1;
  bool is1d = false;
  bool transposed = false;
};

/// Reads a constant int list of `n` entries; a single entry is repeated.
LogicalResult getSpatialList(Value list, int64_t n,
                             SmallVectorImpl<int64_t> &out) {
  SmallVector<int64_t> values;
  if (failed(matchConstantIntList(list, values)))
    return failure();
  if (values.size() == 1)
    values.assign(n, values[0]);
  if (static_cast<int64_t>(values.size()) != n)
    return failure();
  out.assign(values.begin(), values.end());
  return success();
}

template <typename OpT>
FailureOr<ConvParams> getConvParams(OpT op, int64_t inputRank,
                                    bool allowTransposed = false) {
  ConvParams p;
  if (inputRank != 3 && inputRank != 4)
    return failure();
  int64_t n = inputRank - 2;
  if (failed(getSpatialList(op.getStride(), n, p.stride)) ||
      failed(getSpatialList(op.getPadding(), n, p.padding)) ||
      failed(getSpatialList(op.getDilation(), n, p.dilation)))
    return failure();
  if (!matchConstantBool(op.getTransposed(), p.transposed) ||
      (p.transposed && !allowTransposed))
    return failure();
  if (!matchConstantInt(op.getGroups(), p.groups) || p.groups < 1)
    return failure();
  for (int64_t i = 0; i < n; ++i)
    if (p.stride[i] < 1 || p.dilation[i] < 1 || p.padding[i] < 0)
      return failure();
  if (n == 1) {
    p.is1d = true;
    p.stride.insert(p.stride.begin(), 1);
    p.padding.insert(p.padding.begin(), 0);
    p.dilation.insert(p.dilation.begin(), 1);
  }
  return p;
}

/// [A, B, W] -> [A, B, 1, W] for 1-d convolutions.
Value expandTo2d(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  auto newType = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), 1, type.getDimSize(2)},
      type.getElementType());
  return tensor::ExpandShapeOp::create(
      b, loc, newType, v, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// [A, B, 1, W] -> [A, B, W].
Value collapseTo1d(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  auto newType = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), type.getDimSize(3)},
      type.getElementType());
  return tensor::CollapseShapeOp::create(
      b, loc, newType, v, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

RankedTensorType with4dShape(RankedTensorType type, bool is1d) {
  if (!is1d)
    return type;
  return RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), 1, type.getDimSize(2)},
      type.getElementType());
}

Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> lowAll{0, 0}, highAll{0, 0};
  lowAll.append(low.begin(), low.end());
  highAll.append(high.begin(), high.end());
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t i = 0; i < 2; ++i)
    shape[2 + i] += low[i] + high[i];
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  Value zero = createScalarConstant(b, loc, type.getElementType(), 0.0);
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (int64_t v : lowAll)
    lowOfr.push_back(b.getIndexAttr(v));
  for (int64_t v : highAll)
    highOfr.push_back(b.getIndexAttr(v));
  return tensor::PadOp::create(b, loc, paddedType, input, lowOfr, highOfr,
                               zero);
}

/// out[n, f, oh, ow] = init + sum_{c, kh, kw} in[n, g*Cg + c, oh*s + kh*d, ...]
///                                         * w[f, c, kh, kw]
/// for 4-d `input` (already padded), `weight` [F, Cg, KH, KW] and `init`
/// [N, F, OH, OW]. Groups > 1 run through the grouped named op.
Value buildConv2d(OpBuilder &b, Location loc, Value input, Value weight,
                  Value init, ArrayRef<int64_t> stride,
                  ArrayRef<int64_t> dilation, int64_t groups) {
  auto resultType = cast<RankedTensorType>(init.getType());
  Attribute strides = b.getI64TensorAttr(stride);
  Attribute dilations = b.getI64TensorAttr(dilation);
  if (groups == 1)
    return linalg::Conv2DNchwFchwOp::create(
               b, loc, TypeRange{resultType}, ValueRange{input, weight},
               ValueRange{init}, strides, dilations)
        .getResult(0);

  auto split = [&](Value v, int64_t channelDim) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape;
    SmallVector<ReassociationIndices> groupsOfDims;
    for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
      int64_t outIdx = shape.size();
      if (i == channelDim) {
        shape.push_back(groups);
        shape.push_back(type.getDimSize(i) / groups);
        groupsOfDims.push_back({outIdx, outIdx + 1});
      } else {
        shape.push_back(type.getDimSize(i));
        groupsOfDims.push_back({outIdx});
      }
    }
    auto newType = RankedTensorType::get(shape, type.getElementType());
    return std::make_pair(
        Value(tensor::ExpandShapeOp::create(b, loc, newType, v, groupsOfDims)),
        groupsOfDims);
  };
  Value input5 = split(input, 1).first;
  Value weight5 = split(weight, 0).first;
  auto [init5, reassoc] = split(init, 1);
  Value out5 =
      linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{init5.getType()},
                                         ValueRange{input5, weight5},
                                         ValueRange{init5}, strides, dilations)
          .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, resultType, out5, reassoc);
}

/// Broadcasts a 1-d per-channel tensor to `type` ([N, F, ...]) along dim 1.
Value broadcastChannels(OpBuilder &b, Location loc, Value bias,
                        RankedTensorType type) {
  return createCopyThroughMap(b, loc, bias, type, {b.getAffineDimExpr(1)});
}

LogicalResult rewriteTransposedConvolution(AtenConvolutionOp op, Value input,
                                           Value weight, Value bias,
                                           RankedTensorType resultType,
                                           const ConvParams &p,
                                           ConversionPatternRewriter &rewriter);

/// convolution(input, weight, bias, stride, padding, dilation, transposed,
/// output_padding, groups) for 1-d and 2-d.
struct ConvertAtenConvolutionOp : OpConversionPattern<AtenConvolutionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenConvolutionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a static result type");
    Type elemType = resultType.getElementType();
    RankedTensorType inputType = getStaticTensorType(adaptor.getInput());
    RankedTensorType weightType = getStaticTensorType(adaptor.getWeight());
    if (!inputType || !weightType)
      return rewriter.notifyMatchFailure(op, "needs static operands");
    int64_t rank = inputType.getRank();
    FailureOr<ConvParams> params =
        getConvParams(op, rank, /*allowTransposed=*/true);
    if (failed(params))
      return rewriter.notifyMatchFailure(
          op, "needs a 1-d/2-d convolution with constant "
              "stride/padding/dilation/groups");
    ConvParams &p = *params;
    if (weightType.getRank() != rank || resultType.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "rank mismatch");
    if (p.transposed)
      return rewriteTransposedConvolution(
          op, adaptor.getInput(), adaptor.getWeight(), adaptor.getBias(),
          resultType, p, rewriter);
    int64_t channels = inputType.getDimSize(1);
    int64_t filters = weightType.getDimSize(0);
    if (channels % p.groups != 0 || filters % p.groups != 0 ||
        weightType.getDimSize(1) != channels / p.groups ||
        resultType.getDimSize(1) != filters ||
        resultType.getDimSize(0) != inputType.getDimSize(0))
      return rewriter.notifyMatchFailure(op, "channel counts do not match");

    Value input =
        convertTensorElementType(rewriter, loc, adaptor.getInput(), elemType);
    Value weight =
        convertTensorElementType(rewriter, loc, adaptor.getWeight(), elemType);
    if (p.is1d) {
      input = expandTo2d(rewriter, loc, input);
      weight = expandTo2d(rewriter, loc, weight);
    }
    RankedTensorType outType = with4dShape(resultType, p.is1d);
    // The output size must follow from the input, or the named op would read
    // out of bounds.
    auto in4 = cast<RankedTensorType>(input.getType());
    auto w4 = cast<RankedTensorType>(weight.getType());
    for (int64_t i = 0; i < 2; ++i) {
      int64_t span = p.dilation[i] * (w4.getDimSize(2 + i) - 1) + 1;
      int64_t padded = in4.getDimSize(2 + i) + 2 * p.padding[i];
      if (padded < span ||
          outType.getDimSize(2 + i) != (padded - span) / p.stride[i] + 1)
        return rewriter.notifyMatchFailure(op, "inconsistent output size");
    }
    input = padSpatial(rewriter, loc, input, p.padding, p.padding);

    Value init;
    if (isTorchNone(op.getBias())) {
      init = createZeroInitTensor(rewriter, loc, outType.getShape(), elemType);
    } else {
      auto biasType = dyn_cast<RankedTensorType>(adaptor.getBias().getType());
      if (!biasType || biasType.getRank() != 1 ||
          biasType.getDimSize(0) != filters)
        return rewriter.notifyMatchFailure(op, "bias must be [out_channels]");
      Value bias =
          convertTensorElementType(rewriter, loc, adaptor.getBias(), elemType);
      init = broadcastChannels(rewriter, loc, bias, outType);
    }
    Value result = buildConv2d(rewriter, loc, input, weight, init, p.stride,
                               p.dilation, p.groups);
    if (p.is1d)
      result = collapseTo1d(rewriter, loc, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// grad_input of a convolution: the gradient, dilated by the stride and
/// placed so that a stride-1 convolution with the flipped, channel-swapped
/// weight (dilation unchanged) yields exactly the unpadded input positions.
/// All tensors 4-d.
/// `init` (default zeros) is accumulated into.
Value buildConvInputGrad(OpBuilder &b, Location loc, Value gradOut,
                         Value weight, RankedTensorType inputType,
                         const ConvParams &p, Value init = Value()) {
  auto goType = cast<RankedTensorType>(gradOut.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  Type elemType = goType.getElementType();
  int64_t n = goType.getDimSize(0), filters = goType.getDimSize(1);
  int64_t channels = inputType.getDimSize(1);
  int64_t cg = channels / p.groups, fg = filters / p.groups;

  // Per spatial dim: which gradient rows land inside the dilated buffer
  // of size H + d*(K-1), and at which offset.
  SmallVector<int64_t> first(2), count(2), offset(2), bufSize(2);
  for (int64_t i = 0; i < 2; ++i) {
    int64_t k = wType.getDimSize(2 + i), d = p.dilation[i], s = p.stride[i];
    int64_t outSize = goType.getDimSize(2 + i);
    bufSize[i] = inputType.getDimSize(2 + i) + d * (k - 1);
    int64_t off = d * (k - 1) - p.padding[i];
    first[i] = 0;
    if (off < 0) {
      first[i] = (-off + s - 1) / s;
      off += first[i] * s;
    }
    offset[i] = off;
    int64_t fit = off < bufSize[i] ? (bufSize[i] - 1 - off) / s + 1 : 0;
    count[i] = std::max<int64_t>(0, std::min(outSize - first[i], fit));
  }
  SmallVector<int64_t> resultShape{n, channels, inputType.getDimSize(2),
                                   inputType.getDimSize(3)};
  if (!init)
    init = createZeroInitTensor(b, loc, resultShape, elemType);
  if (count[0] == 0 || count[1] == 0)
    return init;

  Value src = gradOut;
  if (first[0] != 0 || first[1] != 0 || count[0] != goType.getDimSize(2) ||
      count[1] != goType.getDimSize(3)) {
    SmallVector<OpFoldResult> offs{b.getIndexAttr(0), b.getIndexAttr(0),
                                   b.getIndexAttr(first[0]),
                                   b.getIndexAttr(first[1])};
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(n), b.getIndexAttr(filters),
                                    b.getIndexAttr(count[0]),
                                    b.getIndexAttr(count[1])};
    SmallVector<OpFoldResult> ones(4, b.getIndexAttr(1));
    src = tensor::ExtractSliceOp::create(b, loc, src, offs, sizes, ones);
  }
  Value buffer = createZeroInitTensor(
      b, loc, {n, filters, bufSize[0], bufSize[1]}, elemType);
  SmallVector<OpFoldResult> offs{b.getIndexAttr(0), b.getIndexAttr(0),
                                 b.getIndexAttr(offset[0]),
                                 b.getIndexAttr(offset[1])};
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(n), b.getIndexAttr(filters),
                                  b.getIndexAttr(count[0]),
                                  b.getIndexAttr(count[1])};
  SmallVector<OpFoldResult> strides{b.getIndexAttr(1), b.getIndexAttr(1),
                                    b.getIndexAttr(p.stride[0]),
                                    b.getIndexAttr(p.stride[1])};
  Value dilated =
      tensor::InsertSliceOp::create(b, loc, src, buffer, offs, sizes, strides);

  // wt[g*Cg + c, f, kh, kw] = w[g*Fg + f, c, KH-1-kh, KW-1-kw].
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1),
             d2 = b.getAffineDimExpr(2), d3 = b.getAffineDimExpr(3);
  auto wtType = RankedTensorType::get({channels, fg, kh, kw}, elemType);
  Value wt = createCopyThroughMap(
      b, loc, weight, wtType,
      {d0.floorDiv(cg) * fg + d1, d0 % cg, (kh - 1) - d2, (kw - 1) - d3});

  return buildConv2d(b, loc, dilated, wt, init, {1, 1}, p.dilation, p.groups);
}

/// A transposed convolution of x [N, Cin, H, W] with w [Cin, Cout/g, KH, KW]
/// is the input gradient of the forward convolution whose input has the
/// result's shape [N, Cout, OH, OW], with x as its output gradient.
LogicalResult
rewriteTransposedConvolution(AtenConvolutionOp op, Value input, Value weight,
                             Value bias, RankedTensorType resultType,
                             const ConvParams &p,
                             ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  Type elemType = resultType.getElementType();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t channels = inputType.getDimSize(1);
  int64_t filters = resultType.getDimSize(1);
  if (channels % p.groups != 0 || weightType.getDimSize(0) != channels ||
      weightType.getDimSize(1) * p.groups != filters ||
      resultType.getDimSize(0) != inputType.getDimSize(0))
    return rewriter.notifyMatchFailure(op, "channel counts do not match");
  input = convertTensorElementType(rewriter, loc, input, elemType);
  weight = convertTensorElementType(rewriter, loc, weight, elemType);
  if (p.is1d) {
    input = expandTo2d(rewriter, loc, input);
    weight = expandTo2d(rewriter, loc, weight);
  }
  RankedTensorType outType = with4dShape(resultType, p.is1d);
  auto in4 = cast<RankedTensorType>(input.getType());
  auto w4 = cast<RankedTensorType>(weight.getType());
  // out = (in - 1) * s - 2 * pad + d * (k - 1) + 1 + output_padding, with
  // output_padding < max(s, d).
  for (int64_t i = 0; i < 2; ++i) {
    int64_t base = (in4.getDimSize(2 + i) - 1) * p.stride[i] -
                   2 * p.padding[i] +
                   p.dilation[i] * (w4.getDimSize(2 + i) - 1) + 1;
    int64_t extra = outType.getDimSize(2 + i) - base;
    if (outType.getDimSize(2 + i) < 1 || extra < 0 ||
        extra >= std::max(p.stride[i], p.dilation[i]))
      return rewriter.notifyMatchFailure(op, "inconsistent output size");
  }
  Value init;
  if (isTorchNone(op.getBias())) {
    init = createZeroInitTensor(rewriter, loc, outType.getShape(), elemType);
  } else {
    auto biasType = dyn_cast<RankedTensorType>(bias.getType());
    if (!biasType || biasType.getRank() != 1 ||
        biasType.getDimSize(0) != filters)
      return rewriter.notifyMatchFailure(op, "bias must be [out_channels]");
    init = broadcastChannels(
        rewriter, loc, convertTensorElementType(rewriter, loc, bias, elemType),
        outType);
  }
  Value result =
      buildConvInputGrad(rewriter, loc, input, weight, outType, p, init);
  if (p.is1d)
    result = collapseTo1d(rewriter, loc, result);
  rewriter.replaceOp(op, result);
  return success();
}

/// grad_weight[g*Fg + f, c, kh, kw] =
///   sum_{n, oh, ow} grad[n, g*Fg + f, oh, ow]
///                   * in_padded[n, g*Cg + c, oh*s + kh*d, ow*s + kw*d].
Value buildConvWeightGrad(OpBuilder &b, Location loc, Value gradOut,
                          Value input, RankedTensorType weightType,
                          const ConvParams &p) {
  auto goType = cast<RankedTensorType>(gradOut.getType());
  Type elemType = goType.getElementType();
  int64_t g = p.groups;
  int64_t filters = weightType.getDimSize(0), cg = weightType.getDimSize(1);
  int64_t fg = filters / g;
  int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
  Value padded = padSpatial(b, loc, input, p.padding, p.padding);
  auto padType = cast<RankedTensorType>(padded.getType());

  if (g == 1) {
    // The same sum is a convolution of the input, channels first, with the
    // gradient, filters first, as filter: batch and channels swap roles, and
    // so do stride and dilation. Emitted as one, it gets the convolution
    // kernel (im2col + GEMM) instead of an 8-deep loop nest.
    auto swap01 = [&](Value v) {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(type.getShape());
      std::swap(shape[0], shape[1]);
      Value init = tensor::EmptyOp::create(b, loc, shape, elemType);
      return linalg::TransposeOp::create(b, loc, v, init,
                                         ArrayRef<int64_t>{1, 0, 2, 3})
          .getResult()[0];
    };
    Value image = swap01(padded);   // [C, N, H, W]
    Value filter = swap01(gradOut); // [F, N, OH, OW]
    Value init = createZeroInitTensor(b, loc, {cg, filters, kh, kw}, elemType);
    Value swapped =
        buildConv2d(b, loc, image, filter, init, p.dilation, p.stride, 1);
    return swap01(swapped); // [F, C, KH, KW]
  }

  auto go5Type = RankedTensorType::get(
      {goType.getDimSize(0), g, fg, goType.getDimSize(2), goType.getDimSize(3)},
      elemType);
  auto in5Type =
      RankedTensorType::get({padType.getDimSize(0), g, cg,
                             padType.getDimSize(2), padType.getDimSize(3)},
                            elemType);
  SmallVector<ReassociationIndices> splitChannel{{0}, {1, 2}, {3}, {4}};
  Value go5 =
      tensor::ExpandShapeOp::create(b, loc, go5Type, gradOut, splitChannel);
  Value in5 =
      tensor::ExpandShapeOp::create(b, loc, in5Type, padded, splitChannel);

  // Loops: (g, f, c, kh, kw, n, oh, ow).
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  MLIRContext *ctx = b.getContext();
  AffineMap goMap = AffineMap::get(8, 0, {d(5), d(0), d(1), d(6), d(7)}, ctx);
  AffineMap inMap = AffineMap::get(8, 0,
                                   {d(5), d(0), d(2),
                                    d(6) * p.stride[0] + d(3) * p.dilation[0],
                                    d(7) * p.stride[1] + d(4) * p.dilation[1]},
                                   ctx);
  AffineMap outMap = AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx);
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  auto out5Type = RankedTensorType::get({g, fg, cg, kh, kw}, elemType);
  Value init = createZeroInitTensor(b, loc, out5Type.getShape(), elemType);
  bool isFloat = isa<mlir::FloatType>(elemType);
  Value out5 =
      linalg::GenericOp::create(
          b, loc, TypeRange{out5Type}, ValueRange{go5, in5}, ValueRange{init},
          ArrayRef<AffineMap>{goMap, inMap, outMap}, iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value prod, sum;
            if (isFloat) {
              prod = arith::MulFOp::create(nb, l, args[0], args[1]);
              sum = arith::AddFOp::create(nb, l, args[2], prod);
            } else {
              prod = arith::MulIOp::create(nb, l, args[0], args[1]);
              sum = arith::AddIOp::create(nb, l, args[2], prod);
            }
            linalg::YieldOp::create(nb, l, sum);
          })
          .getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, weightType, out5,
      ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
}

/// grad_bias[f] = sum_{n, spatial} grad[n, f, ...].
Value buildBiasGrad(OpBuilder &b, Location loc, Value gradOut,
                    RankedTensorType biasType) {
  auto goType = cast<RankedTensorType>(gradOut.getType());
  Type elemType = goType.getElementType();
  int64_t rank = goType.getRank();
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  iterators[1] = utils::IteratorType::parallel;
  AffineMap outMap =
      AffineMap::get(rank, 0, {b.getAffineDimExpr(1)}, b.getContext());
  Value init = createZeroInitTensor(b, loc, biasType.getShape(), elemType);
  bool isFloat = isa<mlir::FloatType>(elemType);
  return linalg::GenericOp::create(
             b, loc, TypeRange{biasType}, ValueRange{gradOut}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), outMap},
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value sum =
                   isFloat
                       ? Value(arith::AddFOp::create(nb, l, args[1], args[0]))
                       : Value(arith::AddIOp::create(nb, l, args[1], args[0]));
               linalg::YieldOp::create(nb, l, sum);
             })
      .getResult(0);
}

/// convolution_backward(grad_output, input, weight, bias_sizes, stride,
/// padding, dilation, transposed, output_padding, groups, output_mask)
///   -> (grad_input, grad_weight, grad_bias).
/// Results not requested by output_mask are zeros.
struct ConvertAtenConvolutionBackwardOp
    : OpConversionPattern<AtenConvolutionBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AtenConvolutionBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter &tc = *getTypeConverter();
    RankedTensorType giType = getConvertedStaticTensorType(tc, op.getResult0());
    RankedTensorType gwType = getConvertedStaticTensorType(tc, op.getResult1());
    RankedTensorType gbType = getConvertedStaticTensorType(tc, op.getResult2());
    if (!giType || !gwType || !gbType)
      return rewriter.notifyMatchFailure(op, "needs static result types");
    RankedTensorType goType = getStaticTensorType(adaptor.getGradOutput());
    RankedTensorType inputType = getStaticTensorType(adaptor.getInput());
    RankedTensorType weightType = getStaticTensorType(adaptor.getWeight());
    if (!goType || !inputType || !weightType)
      return rewriter.notifyMatchFailure(op, "needs static operands");
    int64_t rank = inputType.getRank();
    FailureOr<ConvParams> params =
        getConvParams(op, rank, /*allowTransposed=*/true);
    if (failed(params))
      return rewriter.notifyMatchFailure(
          op, "needs a 1-d/2-d convolution with constant "
              "stride/padding/dilation/groups");
    ConvParams &p = *params;
    SmallVector<bool> mask{true, true, true};
    if (failed(matchConstantBoolList(op.getOutputMask(), mask)) ||
        mask.size() != 3)
      return rewriter.notifyMatchFailure(op, "output_mask must be constant");
    // A result left out by output_mask may have any shape (LTC gives [0]);
    // it is only filled with zeros.
    // Output channels: weight dim 0, or (transposed) dim 1 times groups.
    int64_t filters = p.transposed ? weightType.getDimSize(1) * p.groups
                                   : weightType.getDimSize(0);
    if (goType.getRank() != rank || weightType.getRank() != rank ||
        (mask[0] && giType.getShape() != inputType.getShape()) ||
        (mask[1] && gwType.getShape() != weightType.getShape()) ||
        (mask[2] && (gbType.getRank() != 1 || gbType.getDimSize(0) != filters)))
      return rewriter.notifyMatchFailure(op, "shape mismatch");
    int64_t channels = inputType.getDimSize(1);
    if (channels % p.groups != 0 || filters % p.groups != 0 ||
        goType.getDimSize(1) != filters ||
        (p.transposed ? weightType.getDimSize(0) != channels
                      : weightType.getDimSize(1) != channels / p.groups))
      return rewriter.notifyMatchFailure(op, "channel counts do not match");

    Value gradOut = adaptor.getGradOutput();
    Value input = adaptor.getInput();
    Value weight = adaptor.getWeight();
    if (p.is1d) {
      gradOut = expandTo2d(rewriter, loc, gradOut);
      input = expandTo2d(rewriter, loc, input);
      weight = expandTo2d(rewriter, loc, weight);
    }
    auto in4Type = cast<RankedTensorType>(input.getType());
    auto w4Type = cast<RankedTensorType>(weight.getType());
    auto go4Type = cast<RankedTensorType>(gradOut.getType());
    for (int64_t i = 0; i < 2; ++i) {
      int64_t span = p.dilation[i] * (w4Type.getDimSize(2 + i) - 1) + 1;
      if (p.transposed) {
        int64_t base = (in4Type.getDimSize(2 + i) - 1) * p.stride[i] -
                       2 * p.padding[i] + span;
        int64_t extra = go4Type.getDimSize(2 + i) - base;
        if (go4Type.getDimSize(2 + i) < 1 || extra < 0 ||
            extra >= std::max(p.stride[i], p.dilation[i]))
          return rewriter.notifyMatchFailure(op, "inconsistent output size");
        continue;
      }
      int64_t padded = in4Type.getDimSize(2 + i) + 2 * p.padding[i];
      if (padded < span ||
          go4Type.getDimSize(2 + i) != (padded - span) / p.stride[i] + 1)
        return rewriter.notifyMatchFailure(op, "inconsistent output size");
    }

    // Each requested result is built in its own dtype; the others are zeros.
    auto buildResult = [&](bool requested, RankedTensorType type,
                           function_ref<Value(Type)> build) -> Value {
      if (!requested)
        return createZeroInitTensor(rewriter, loc, type.getShape(),
                                    type.getElementType());
      return build(type.getElementType());
    };
    auto convert = [&](Value v, Type elemType) {
      return convertTensorElementType(rewriter, loc, v, elemType);
    };
    auto to3d = [&](Value v) {
      return p.is1d ? collapseTo1d(rewriter, loc, v) : v;
    };
    SmallVector<Value> results;
    if (p.transposed) {
      // Transposed: the input gradient is the forward convolution of the
      // output gradient with the same weight; the weight gradient swaps the
      // roles of input and output gradient.
      results.push_back(buildResult(mask[0], giType, [&](Type elemType) {
        Value padded = padSpatial(rewriter, loc, convert(gradOut, elemType),
                                  p.padding, p.padding);
        RankedTensorType gi4 = with4dShape(giType, p.is1d);
        Value init =
            createZeroInitTensor(rewriter, loc, gi4.getShape(), elemType);
        return to3d(buildConv2d(rewriter, loc, padded,
                                convert(weight, elemType), init, p.stride,
                                p.dilation, p.groups));
      }));
      results.push_back(buildResult(mask[1], gwType, [&](Type elemType) {
        return to3d(buildConvWeightGrad(rewriter, loc, convert(input, elemType),
                                        convert(gradOut, elemType),
                                        with4dShape(gwType, p.is1d), p));
      }));
      results.push_back(buildResult(mask[2], gbType, [&](Type elemType) {
        return buildBiasGrad(rewriter, loc, convert(gradOut, elemType), gbType);
      }));
      rewriter.replaceOp(op, results);
      return success();
    }
    results.push_back(buildResult(mask[0], giType, [&](Type elemType) {
      return to3d(buildConvInputGrad(rewriter, loc, convert(gradOut, elemType),
                                     convert(weight, elemType),
                                     with4dShape(giType, p.is1d), p));
    }));
    results.push_back(buildResult(mask[1], gwType, [&](Type elemType) {
      return to3d(buildConvWeightGrad(rewriter, loc, convert(gradOut, elemType),
                                      convert(input, elemType),
                                      with4dShape(gwType, p.is1d), p));
    }));
    results.push_back(buildResult(mask[2], gbType, [&](Type elemType) {
      return buildBiasGrad(rewriter, loc, convert(gradOut, elemType), gbType);
    }));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::torch::populateConvolutionPatterns(TypeConverter &typeConverter,
                                              RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvertAtenConvolutionOp, ConvertAtenConvolutionBackwardOp>(
      typeConverter, ctx);
}
