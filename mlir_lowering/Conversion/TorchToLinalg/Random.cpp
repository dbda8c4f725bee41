//===- Random.cpp - Counter-based random numbers --------------------------===//
//
// torch.ltc.random becomes one parallel linalg.generic: each element hashes
// (seed, offset + its linear index) with SplitMix64's finalizer and maps the
// bits to the requested distribution. There is no generator state on the
// device, so random tensors fuse and vectorize like any elementwise op and
// a new (seed, offset) is just new input data (no recompile).
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::torch;

namespace {

Value i64Const(OpBuilder &b, Location loc, uint64_t v) {
  return arith::ConstantOp::create(
      b, loc, b.getI64IntegerAttr(static_cast<int64_t>(v)));
}

/// SplitMix64's output function: a bijective 64-bit mix with good avalanche.
Value mix64(OpBuilder &b, Location loc, Value z) {
  auto xorShift = [&](Value v, uint64_t s) {
    return arith::XOrIOp::create(
        b, loc, v, arith::ShRUIOp::create(b, loc, v, i64Const(b, loc, s)));
  };
  z = arith::MulIOp::create(b, loc, xorShift(z, 30),
                            i64Const(b, loc, 0xBF58476D1CE4E5B9ull));
  z = arith::MulIOp::create(b, loc, xorShift(z, 27),
                            i64Const(b, loc, 0x94D049BB133111EBull));
  return xorShift(z, 31);
}

/// `bits` high bits of `z` starting below bit `shift`, as a float in [0, 1).
Value unitFloat(OpBuilder &b, Location loc, Value z, unsigned shift,
                unsigned bits, mlir::FloatType ft) {
  Value v = arith::ShRUIOp::create(b, loc, z, i64Const(b, loc, shift));
  v = arith::AndIOp::create(b, loc, v, i64Const(b, loc, (1ull << bits) - 1));
  Value f = arith::UIToFPOp::create(b, loc, ft, v);
  return arith::MulFOp::create(
      b, loc, f, createScalarConstant(b, loc, ft, std::ldexp(1.0, -bits)));
}

class ConvertLtcRandom : public OpConversionPattern<LtcRandomOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LtcRandomOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op.getResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result must be a static tensor");
    std::string kind;
    if (!matchConstantStr(op.getDistribution(), kind) ||
        (kind != "uniform" && kind != "normal" && kind != "bernoulli"))
      return rewriter.notifyMatchFailure(op, "unknown distribution");
    Value key = adaptor.getKey();
    auto keyType = dyn_cast<RankedTensorType>(key.getType());
    if (!keyType || keyType.getShape() != ArrayRef<int64_t>{2} ||
        !keyType.getElementType().isInteger(64))
      return rewriter.notifyMatchFailure(op, "key must be a [2] int64 tensor");
    Type elemType = resultType.getElementType();
    if (kind != "bernoulli" && !isa<mlir::FloatType>(elemType))
      return rewriter.notifyMatchFailure(op, "uniform/normal need floats");
    Value a = adaptor.getA(), bValue = adaptor.getB();
    if (!isa<mlir::FloatType>(a.getType()) ||
        !isa<mlir::FloatType>(bValue.getType()))
      return rewriter.notifyMatchFailure(op, "a and b must be floats");

    Location loc = op.getLoc();
    // Narrow floats (and bernoulli into any dtype) compute in f32.
    mlir::FloatType ft = elemType.isF64()
                             ? cast<mlir::FloatType>(rewriter.getF64Type())
                             : cast<mlir::FloatType>(rewriter.getF32Type());
    bool wide = ft.isF64();
    auto extract = [&](int64_t i) {
      Value idx = arith::ConstantIndexOp::create(rewriter, loc, i);
      return tensor::ExtractOp::create(rewriter, loc, key, ValueRange{idx})
          .getResult();
    };
    // Mixing the seed first keeps nearby seeds' streams unrelated.
    Value seed = mix64(rewriter, loc, extract(0));
    Value offset = extract(1);
    Value fa = convertScalarToDtype(rewriter, loc, a, ft);
    Value fb = convertScalarToDtype(rewriter, loc, bValue, ft);
    ArrayRef<int64_t> shape = resultType.getShape();
    Type torchDtype = getTorchDtype(op.getResult());

    Value result = createParallelGeneric(
        rewriter, loc, resultType, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          // Row-major linear index of this element.
          Value linear;
          for (int64_t d = 0, r = shape.size(); d < r; ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            if (!linear) {
              linear = i;
              continue;
            }
            Value size = arith::ConstantIndexOp::create(b, l, shape[d]);
            linear = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, linear, size), i);
          }
          if (!linear) // 0-d
            linear = arith::ConstantIndexOp::create(b, l, 0);
          Value counter = arith::AddIOp::create(
              b, l, offset,
              arith::IndexCastOp::create(b, l, b.getI64Type(), linear));
          // SplitMix64: state = seed + counter * golden ratio, then mix.
          Value z = mix64(
              b, l,
              arith::AddIOp::create(
                  b, l, seed,
                  arith::MulIOp::create(
                      b, l, counter, i64Const(b, l, 0x9E3779B97F4A7C15ull))));
          Value v;
          if (kind == "normal") {
            // Box-Muller from two independent halves of the bits; 1 - u1 is
            // in (0, 1], so the log is finite.
            Value u1 = unitFloat(b, l, z, wide ? 32 : 40, wide ? 32 : 24, ft);
            Value u2 = unitFloat(b, l, z, 0, wide ? 32 : 24, ft);
            Value one = createScalarConstant(b, l, ft, 1.0);
            Value lg =
                math::LogOp::create(b, l, arith::SubFOp::create(b, l, one, u1));
            Value r = math::SqrtOp::create(
                b, l,
                arith::MulFOp::create(
                    b, l, createScalarConstant(b, l, ft, -2.0), lg));
            Value theta = arith::MulFOp::create(
                b, l, createScalarConstant(b, l, ft, 6.283185307179586), u2);
            Value n = arith::MulFOp::create(b, l, r,
                                            math::CosOp::create(b, l, theta));
            v = arith::AddFOp::create(b, l, fa,
                                      arith::MulFOp::create(b, l, fb, n));
          } else {
            Value u = unitFloat(b, l, z, wide ? 11 : 40, wide ? 53 : 24, ft);
            if (kind == "uniform") {
              Value span = arith::SubFOp::create(b, l, fb, fa);
              v = arith::AddFOp::create(b, l, fa,
                                        arith::MulFOp::create(b, l, span, u));
            } else {
              Value hit =
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, u, fa);
              v = arith::SelectOp::create(b, l, hit, fb,
                                          createScalarConstant(b, l, ft, 0.0));
            }
          }
          return convertScalarToDtype(b, l, v, elemType, Type(), torchDtype);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::torch::populateRandomPatterns(TypeConverter &typeConverter,
                                         RewritePatternSet &patterns) {
  patterns.add<ConvertLtcRandom>(typeConverter, patterns.getContext());
}
