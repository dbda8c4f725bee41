//===- Elementwise.cpp - Elementwise Torch ops to linalg.generic ----------===//
//
// Every elementwise op becomes one parallel linalg.generic over the result
// shape. Tensor operands are broadcast the PyTorch way; scalar operands
// (constants or runtime values) are used directly in the body. The result
// type already shows PyTorch's type promotion, so arithmetic runs in the
// result dtype (in f32 for f16/bf16, as ATen's CPU kernels do).
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <functional>
#include <limits>
#include <optional>

using namespace mlir;
using namespace mlir::torch;

namespace {

/// What the payload of one elementwise op sees inside the linalg.generic.
struct ElementwiseBody {
  Operation *op;
  /// Per operand: the block argument of a tensor operand, or the converted
  /// scalar (i64/f64/i1) otherwise; `!torch.none` and `!torch.str` values
  /// pass through unchanged.
  SmallVector<Value> args;
  /// Per operand: the Torch dtype of a tensor operand, null for scalars.
  SmallVector<Type> torchDtypes;
  /// Per operand: rank of a tensor operand, -1 for scalars.
  SmallVector<int64_t> ranks;
  Type resultType;
  Type resultTorchDtype;

  /// Operand `i` converted to `type`.
  Value get(OpBuilder &b, Location loc, unsigned i, Type type) const {
    return convertScalarToDtype(b, loc, args[i], type, torchDtypes[i],
                                type == resultType ? resultTorchDtype : Type());
  }
  bool isNone(unsigned i) const { return isTorchNone(args[i]); }
  bool resultIsUnsigned() const {
    return isUnsignedTorchDtype(resultTorchDtype);
  }
};

using PayloadFn =
    std::function<Value(OpBuilder &, Location, const ElementwiseBody &)>;
/// Checks, before any IR is built, what the payload cannot (non-constant
/// strings, unsupported dtypes). May be null.
using CheckFn = std::function<LogicalResult(Operation *, Type resultElemType)>;

/// The dtype arithmetic runs in for a result element type.
Type getComputeType(Type resultType) {
  if (resultType.isF16() || resultType.isBF16())
    return Float32Type::get(resultType.getContext());
  return resultType;
}

bool isFloat(Type t) { return isa<mlir::FloatType>(t); }

//===----------------------------------------------------------------------===//
// Scalar arithmetic on either floats or integers.
//===----------------------------------------------------------------------===//

Value createAdd(OpBuilder &b, Location loc, Value x, Value y) {
  Type t = x.getType();
  if (isFloat(t))
    return arith::AddFOp::create(b, loc, x, y);
  if (t.isInteger(1))
    return arith::OrIOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value createSub(OpBuilder &b, Location loc, Value x, Value y) {
  Type t = x.getType();
  if (isFloat(t))
    return arith::SubFOp::create(b, loc, x, y);
  if (t.isInteger(1))
    return arith::XOrIOp::create(b, loc, x, y);
  return arith::SubIOp::create(b, loc, x, y);
}

Value createMul(OpBuilder &b, Location loc, Value x, Value y) {
  Type t = x.getType();
  if (isFloat(t))
    return arith::MulFOp::create(b, loc, x, y);
  if (t.isInteger(1))
    return arith::AndIOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value createDiv(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isFloat(x.getType()))
    return arith::DivFOp::create(b, loc, x, y);
  if (isUnsigned)
    return arith::DivUIOp::create(b, loc, x, y);
  return arith::DivSIOp::create(b, loc, x, y);
}

/// NaN-propagating max/min, as torch.maximum/minimum and clamp.
Value createMax(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  Type t = x.getType();
  if (isFloat(t))
    return arith::MaximumFOp::create(b, loc, x, y);
  if (isUnsigned || t.isInteger(1))
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value createMin(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  Type t = x.getType();
  if (isFloat(t))
    return arith::MinimumFOp::create(b, loc, x, y);
  if (isUnsigned || t.isInteger(1))
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return createScalarConstant(b, loc, like.getType(), value);
}

//===----------------------------------------------------------------------===//
// The generic pattern.
//===----------------------------------------------------------------------===//

class ConvertElementwiseOp : public ConversionPattern {
public:
  ConvertElementwiseOp(const TypeConverter &typeConverter, MLIRContext *context,
                       StringRef opName, PayloadFn payload, CheckFn check)
      : ConversionPattern(typeConverter, opName, /*benefit=*/1, context),
        payload(std::move(payload)), check(std::move(check)) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "expected one result");
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op->getResult(0));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not a static tensor");
    if (check && failed(check(op, resultType.getElementType())))
      return rewriter.notifyMatchFailure(op, "unsupported operands");

    SmallVector<Value> tensorInputs;
    SmallVector<int> tensorIndex(operands.size(), -1);
    for (auto [i, operand] : llvm::enumerate(operands)) {
      if (isa<ValueTensorType>(operand.getType()))
        return rewriter.notifyMatchFailure(op, "operand not convertible");
      auto tensorType = dyn_cast<RankedTensorType>(operand.getType());
      if (!tensorType)
        continue;
      if (!isBroadcastableTo(tensorType.getShape(), resultType.getShape()))
        return rewriter.notifyMatchFailure(op, "operand does not broadcast");
      tensorIndex[i] = tensorInputs.size();
      tensorInputs.push_back(operand);
    }

    Type resultTorchDtype = getTorchDtype(op->getResult(0));
    FailureOr<Value> result = createElementwiseGeneric(
        rewriter, op->getLoc(), tensorInputs, resultType,
        [&](OpBuilder &b, Location loc, ValueRange blockArgs) {
          ElementwiseBody body;
          body.op = op;
          body.resultType = resultType.getElementType();
          body.resultTorchDtype = resultTorchDtype;
          for (auto [i, operand] : llvm::enumerate(operands)) {
            bool isTensor = tensorIndex[i] >= 0;
            body.args.push_back(isTensor ? blockArgs[tensorIndex[i]] : operand);
            body.torchDtypes.push_back(
                isTensor ? getTorchDtype(op->getOperand(i)) : Type());
            body.ranks.push_back(
                isTensor ? cast<RankedTensorType>(operand.getType()).getRank()
                         : -1);
          }
          Value value = payload(b, loc, body);
          return convertScalarToDtype(b, loc, value, body.resultType, Type(),
                                      resultTorchDtype);
        });
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "operand does not broadcast");
    rewriter.replaceOp(op, *result);
    return success();
  }

private:
  PayloadFn payload;
  CheckFn check;
};

//===----------------------------------------------------------------------===//
// Checks.
//===----------------------------------------------------------------------===//

LogicalResult requireFloatResult(Operation *, Type resultElemType) {
  return success(isFloat(resultElemType));
}

LogicalResult requireGeluApproximate(Operation *op, Type resultElemType,
                                     unsigned approximateIndex) {
  std::string approximate;
  if (!isFloat(resultElemType) ||
      !matchConstantStr(op->getOperand(approximateIndex), approximate))
    return failure();
  return success(approximate == "none" || approximate == "tanh");
}

bool isGeluTanh(const ElementwiseBody &body, unsigned approximateIndex) {
  std::string approximate;
  return matchConstantStr(body.op->getOperand(approximateIndex), approximate) &&
         approximate == "tanh";
}

//===----------------------------------------------------------------------===//
// Payloads.
//===----------------------------------------------------------------------===//

enum class BinaryKind { Add, Sub, Mul, Div };

/// `lhs <kind> alpha * rhs` (alpha only if `alphaIndex` >= 0 and not 1).
PayloadFn binaryPayload(BinaryKind kind, unsigned lhs, unsigned rhs,
                        int alphaIndex = -1) {
  return [=](OpBuilder &b, Location loc, const ElementwiseBody &body) {
    Type ct = getComputeType(body.resultType);
    Value x = body.get(b, loc, lhs, ct);
    Value y = body.get(b, loc, rhs, ct);
    if (alphaIndex >= 0) {
      double alpha;
      bool isOne = matchConstantFloat(body.op->getOperand(alphaIndex), alpha) &&
                   alpha == 1.0;
      if (!isOne)
        y = createMul(b, loc, body.get(b, loc, alphaIndex, ct), y);
    }
    switch (kind) {
    case BinaryKind::Add:
      return createAdd(b, loc, x, y);
    case BinaryKind::Sub:
      return createSub(b, loc, x, y);
    case BinaryKind::Mul:
      return createMul(b, loc, x, y);
    case BinaryKind::Div:
      return createDiv(b, loc, x, y, body.resultIsUnsigned());
    }
    return x;
  };
}

/// A float-only unary function of operand 0.
PayloadFn
unaryFloatPayload(std::function<Value(OpBuilder &, Location, Value)> fn) {
  return [=](OpBuilder &b, Location loc, const ElementwiseBody &body) {
    Type ct = getComputeType(body.resultType);
    return fn(b, loc, body.get(b, loc, 0, ct));
  };
}

Value createSigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = constantLike(b, loc, x, 1.0);
  Value negX = arith::NegFOp::create(b, loc, x);
  Value denom =
      arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, negX));
  return arith::DivFOp::create(b, loc, one, denom);
}

// sqrt(2 / pi), the scale inside the tanh approximation of GELU.
constexpr double kGeluTanhBeta = 0.7978845608028654;
constexpr double kGeluTanhKappa = 0.044715;
constexpr double kSqrtHalf = 0.70710678118654752440;
// 1 / sqrt(2 * pi), the standard normal density at 0.
constexpr double kNormalPdfScale = 0.39894228040143267794;

Value createGelu(OpBuilder &b, Location loc, Value x, bool useTanh) {
  Value half = constantLike(b, loc, x, 0.5);
  Value one = constantLike(b, loc, x, 1.0);
  if (useTanh) {
    Value cube =
        arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x), x);
    Value inner = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, constantLike(b, loc, x, kGeluTanhKappa),
                              cube));
    inner = arith::MulFOp::create(
        b, loc, constantLike(b, loc, x, kGeluTanhBeta), inner);
    Value t =
        arith::AddFOp::create(b, loc, one, math::TanhOp::create(b, loc, inner));
    return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, half, x),
                                 t);
  }
  Value scaled =
      arith::MulFOp::create(b, loc, x, constantLike(b, loc, x, kSqrtHalf));
  Value t =
      arith::AddFOp::create(b, loc, one, math::ErfOp::create(b, loc, scaled));
  return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, half),
                               t);
}

Value createGeluBackward(OpBuilder &b, Location loc, Value grad, Value x,
                         bool useTanh) {
  Value half = constantLike(b, loc, x, 0.5);
  Value one = constantLike(b, loc, x, 1.0);
  if (useTanh) {
    Value beta = constantLike(b, loc, x, kGeluTanhBeta);
    Value kappa = constantLike(b, loc, x, kGeluTanhKappa);
    Value xSq = arith::MulFOp::create(b, loc, x, x);
    Value xCube = arith::MulFOp::create(b, loc, xSq, x);
    Value inner = arith::MulFOp::create(
        b, loc, beta,
        arith::AddFOp::create(b, loc, x,
                              arith::MulFOp::create(b, loc, kappa, xCube)));
    Value tanhInner = math::TanhOp::create(b, loc, inner);
    Value left = arith::MulFOp::create(b, loc, half, x);
    Value right = arith::AddFOp::create(b, loc, one, tanhInner);
    Value leftDerivative = arith::MulFOp::create(b, loc, half, right);
    Value sech2 = arith::SubFOp::create(
        b, loc, one, arith::MulFOp::create(b, loc, tanhInner, tanhInner));
    Value innerDerivative = arith::AddFOp::create(
        b, loc, one,
        arith::MulFOp::create(
            b, loc, constantLike(b, loc, x, 3.0 * kGeluTanhKappa), xSq));
    Value rightDerivative = arith::MulFOp::create(
        b, loc,
        arith::MulFOp::create(b, loc,
                              arith::MulFOp::create(b, loc, left, sech2), beta),
        innerDerivative);
    return arith::MulFOp::create(
        b, loc, grad,
        arith::AddFOp::create(b, loc, leftDerivative, rightDerivative));
  }
  Value cdf = arith::MulFOp::create(
      b, loc, half,
      arith::AddFOp::create(
          b, loc, one,
          math::ErfOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, x,
                                    constantLike(b, loc, x, kSqrtHalf)))));
  Value pdf = arith::MulFOp::create(
      b, loc, constantLike(b, loc, x, kNormalPdfScale),
      math::ExpOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x),
                                constantLike(b, loc, x, -0.5))));
  return arith::MulFOp::create(
      b, loc, grad,
      arith::AddFOp::create(b, loc, cdf,
                            arith::MulFOp::create(b, loc, x, pdf)));
}

/// Integer `base ** exponent` by square-and-multiply in an scf.while, so that
/// no runtime support (math.ipowi) is needed. A negative exponent gives what
/// ATen gives: 1 for base 1, +-1 for base -1, else 0. Unsigned exponents are
/// never negative.
Value createIntPow(OpBuilder &b, Location loc, Value base, Value exponent,
                   bool isUnsigned) {
  Type t = base.getType();
  Value zero = createScalarConstant(b, loc, t, 0);
  Value one = createScalarConstant(b, loc, t, 1);
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{t, t, t}, ValueRange{one, base, exponent},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value more = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ne,
                                           args[2], zero);
        scf::ConditionOp::create(nb, l, more, args);
      },
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value acc = args[0], square = args[1], e = args[2];
        Value odd =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ne,
                                  arith::AndIOp::create(nb, l, e, one), zero);
        acc = arith::SelectOp::create(
            nb, l, odd, arith::MulIOp::create(nb, l, acc, square), acc);
        square = arith::MulIOp::create(nb, l, square, square);
        e = arith::ShRUIOp::create(nb, l, e, one);
        scf::YieldOp::create(nb, l, ValueRange{acc, square, e});
      });
  if (isUnsigned)
    return loop.getResult(0);
  Value isNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, exponent, zero);
  Value minusOne = createScalarConstant(b, loc, t, -1);
  Value baseIsOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base, one);
  Value baseIsMinusOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base, minusOne);
  Value expIsOdd =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                            arith::AndIOp::create(b, loc, exponent, one), zero);
  Value negative = arith::SelectOp::create(
      b, loc, baseIsOne, one,
      arith::SelectOp::create(
          b, loc, baseIsMinusOne,
          arith::SelectOp::create(b, loc, expIsOdd, minusOne, one), zero));
  return arith::SelectOp::create(b, loc, isNegative, negative,
                                 loop.getResult(0));
}

/// `base ** exponent`, with ATen's shortcuts for common constant exponents.
/// `getExponent(type)` builds the exponent converted to `type`; it is only
/// called when no shortcut applies.
Value createPow(OpBuilder &b, Location loc, Value base,
                function_ref<Value(Type)> getExponent,
                std::optional<double> constantExponent, bool isUnsigned) {
  Type t = base.getType();
  if (!isFloat(t)) {
    if (t.isInteger(1))
      t = b.getI64Type();
    Value x = convertScalarToDtype(b, loc, base, t);
    // A small constant exponent becomes square-and-multiply, which needs no
    // runtime support.
    if (constantExponent && *constantExponent >= 0 && *constantExponent <= 64 &&
        *constantExponent == std::floor(*constantExponent)) {
      auto e = static_cast<uint64_t>(*constantExponent);
      Value result, square = x;
      for (; e; e >>= 1) {
        if (e & 1)
          result =
              result ? arith::MulIOp::create(b, loc, result, square) : square;
        if (e > 1)
          square = arith::MulIOp::create(b, loc, square, square);
      }
      return result ? result : createScalarConstant(b, loc, t, 1);
    }
    return createIntPow(b, loc, x, getExponent(t), isUnsigned);
  }
  if (constantExponent) {
    double e = *constantExponent;
    Value one = constantLike(b, loc, base, 1.0);
    if (e == 1.0)
      return base;
    if (e == 2.0)
      return arith::MulFOp::create(b, loc, base, base);
    if (e == 3.0)
      return arith::MulFOp::create(
          b, loc, arith::MulFOp::create(b, loc, base, base), base);
    if (e == 0.5)
      return math::SqrtOp::create(b, loc, base);
    if (e == -0.5)
      return math::RsqrtOp::create(b, loc, base);
    if (e == -1.0)
      return arith::DivFOp::create(b, loc, one, base);
    if (e == -2.0)
      return arith::DivFOp::create(b, loc, one,
                                   arith::MulFOp::create(b, loc, base, base));
  }
  return math::PowFOp::create(b, loc, base, getExponent(t));
}

enum class CmpKind { Eq, Ne, Gt, Lt, Ge, Le };

/// The dtype two operands of a comparison meet in, following PyTorch's
/// promotion: the highest category (bool < int < float) wins, and within it
/// dimensioned tensors beat 0-d tensors, which beat Python scalars.
Type getComparisonType(OpBuilder &b, const ElementwiseBody &body, unsigned lhs,
                       unsigned rhs, bool &isUnsigned) {
  auto category = [](Type t) {
    return isFloat(t) ? 2 : t.isInteger(1) ? 0 : 1;
  };
  auto priority = [&](unsigned i) {
    return body.ranks[i] < 0 ? 0 : body.ranks[i] == 0 ? 1 : 2;
  };
  Type lt = body.args[lhs].getType(), rt = body.args[rhs].getType();
  int maxCategory = std::max(category(lt), category(rt));
  SmallVector<unsigned> candidates;
  int best = -1;
  for (unsigned i : {lhs, rhs}) {
    if (category(body.args[i].getType()) != maxCategory)
      continue;
    if (priority(i) > best) {
      best = priority(i);
      candidates.clear();
    }
    if (priority(i) == best)
      candidates.push_back(i);
  }
  isUnsigned = false;
  if (best == 0) {
    // Only Python scalars in the winning category: PyTorch's defaults.
    if (maxCategory == 2)
      return b.getF32Type();
    return maxCategory == 1 ? b.getI64Type() : b.getI1Type();
  }
  Type result = body.args[candidates.front()].getType();
  isUnsigned = isUnsignedTorchDtype(body.torchDtypes[candidates.front()]);
  for (unsigned i : candidates) {
    Type t = body.args[i].getType();
    if (t == result)
      continue;
    unsigned wt = t.getIntOrFloatBitWidth(),
             wr = result.getIntOrFloatBitWidth();
    if (wt == wr) // f16 vs bf16
      result = b.getF32Type();
    else if (wt > wr)
      result = t;
    isUnsigned = isUnsigned && isUnsignedTorchDtype(body.torchDtypes[i]);
  }
  return result;
}

PayloadFn comparisonPayload(CmpKind kind) {
  return [=](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
    bool isUnsigned;
    Type ct = getComparisonType(b, body, 0, 1, isUnsigned);
    Value x =
        convertScalarToDtype(b, loc, body.args[0], ct, body.torchDtypes[0]);
    Value y =
        convertScalarToDtype(b, loc, body.args[1], ct, body.torchDtypes[1]);
    if (isFloat(ct)) {
      arith::CmpFPredicate pred = arith::CmpFPredicate::OEQ;
      switch (kind) {
      case CmpKind::Eq:
        pred = arith::CmpFPredicate::OEQ;
        break;
      case CmpKind::Ne:
        pred = arith::CmpFPredicate::UNE;
        break;
      case CmpKind::Gt:
        pred = arith::CmpFPredicate::OGT;
        break;
      case CmpKind::Lt:
        pred = arith::CmpFPredicate::OLT;
        break;
      case CmpKind::Ge:
        pred = arith::CmpFPredicate::OGE;
        break;
      case CmpKind::Le:
        pred = arith::CmpFPredicate::OLE;
        break;
      }
      return arith::CmpFOp::create(b, loc, pred, x, y);
    }
    // Bools compare as unsigned (true > false).
    bool u = isUnsigned || ct.isInteger(1);
    arith::CmpIPredicate pred = arith::CmpIPredicate::eq;
    switch (kind) {
    case CmpKind::Eq:
      pred = arith::CmpIPredicate::eq;
      break;
    case CmpKind::Ne:
      pred = arith::CmpIPredicate::ne;
      break;
    case CmpKind::Gt:
      pred = u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
      break;
    case CmpKind::Lt:
      pred = u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
      break;
    case CmpKind::Ge:
      pred = u ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
      break;
    case CmpKind::Le:
      pred = u ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
      break;
    }
    return arith::CmpIOp::create(b, loc, pred, x, y);
  };
}

/// `rounding_mode` of div.*_mode at `index`: None, "trunc" or "floor".
enum class RoundingMode { None, Trunc, Floor };
std::optional<RoundingMode> getRoundingMode(Operation *op, unsigned index) {
  Value v = op->getOperand(index);
  if (isTorchNone(v))
    return RoundingMode::None;
  std::string mode;
  if (!matchConstantStr(v, mode))
    return std::nullopt;
  if (mode == "trunc")
    return RoundingMode::Trunc;
  if (mode == "floor")
    return RoundingMode::Floor;
  return std::nullopt;
}

/// Python's floor division of floats, as ATen computes it: from fmod, so
/// that the result is exact where a / b rounds across an integer.
Value createFloorDivF(OpBuilder &b, Location loc, Value x, Value y) {
  Value zero = constantLike(b, loc, x, 0.0);
  Value one = constantLike(b, loc, x, 1.0);
  Value mod = arith::RemFOp::create(b, loc, x, y);
  Value div =
      arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, x, mod), y);
  // Step down when the remainder's sign differs from the divisor's.
  Value modNonZero =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, mod, zero);
  Value yNeg =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, y, zero);
  Value modNeg =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, mod, zero);
  Value signsDiffer = arith::XOrIOp::create(b, loc, yNeg, modNeg);
  Value adjust = arith::AndIOp::create(b, loc, modNonZero, signsDiffer);
  div = arith::SelectOp::create(b, loc, adjust,
                                arith::SubFOp::create(b, loc, div, one), div);
  // Round div to the nearest integer below, correcting float error.
  Value floorDiv = math::FloorOp::create(b, loc, div);
  Value half = constantLike(b, loc, x, 0.5);
  Value tooLow =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                            arith::SubFOp::create(b, loc, div, floorDiv), half);
  floorDiv = arith::SelectOp::create(
      b, loc, tooLow, arith::AddFOp::create(b, loc, floorDiv, one), floorDiv);
  // A zero quotient keeps the sign of the true quotient.
  Value quotient = arith::DivFOp::create(b, loc, x, y);
  Value signedZero = math::CopySignOp::create(b, loc, zero, quotient);
  Value divIsZero =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, div, zero);
  Value result =
      arith::SelectOp::create(b, loc, divIsZero, signedZero, floorDiv);
  // Division by zero gives inf/nan like true division.
  Value yIsZero =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, y, zero);
  return arith::SelectOp::create(b, loc, yIsZero, quotient, result);
}

/// a / b rounded per `mode` (None: true division, floats only).
Value createDivWithMode(OpBuilder &b, Location loc, Value x, Value y,
                        RoundingMode mode, bool isUnsigned) {
  if (isFloat(x.getType())) {
    switch (mode) {
    case RoundingMode::None:
      return arith::DivFOp::create(b, loc, x, y);
    case RoundingMode::Trunc:
      return math::TruncOp::create(b, loc, arith::DivFOp::create(b, loc, x, y));
    case RoundingMode::Floor:
      return createFloorDivF(b, loc, x, y);
    }
  }
  if (isUnsigned)
    return arith::DivUIOp::create(b, loc, x, y);
  if (mode == RoundingMode::Floor)
    return arith::FloorDivSIOp::create(b, loc, x, y);
  return arith::DivSIOp::create(b, loc, x, y);
}

/// Python's `%` (remainder: the sign of the divisor) or C's fmod (the sign
/// of the dividend).
Value createRemainder(OpBuilder &b, Location loc, Value x, Value y,
                      bool pythonStyle, bool isUnsigned) {
  Type t = x.getType();
  if (isUnsigned)
    return arith::RemUIOp::create(b, loc, x, y);
  Value mod = isFloat(t) ? Value(arith::RemFOp::create(b, loc, x, y))
                         : Value(arith::RemSIOp::create(b, loc, x, y));
  if (!pythonStyle)
    return mod;
  Value zero = constantLike(b, loc, x, 0);
  Value modNonZero, signsDiffer;
  if (isFloat(t)) {
    modNonZero =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, mod, zero);
    signsDiffer = arith::XOrIOp::create(
        b, loc,
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, mod, zero),
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, y, zero));
  } else {
    modNonZero =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, mod, zero);
    signsDiffer = arith::XOrIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, mod, zero),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero));
  }
  Value adjust = arith::AndIOp::create(b, loc, modNonZero, signsDiffer);
  return arith::SelectOp::create(b, loc, adjust, createAdd(b, loc, mod, y),
                                 mod);
}

/// relu6(x + 3) / 6, the core of hardsigmoid and hardswish.
Value createHardSigmoid(OpBuilder &b, Location loc, Value x) {
  Value shifted =
      arith::AddFOp::create(b, loc, x, constantLike(b, loc, x, 3.0));
  Value clamped = arith::MinimumFOp::create(
      b, loc,
      arith::MaximumFOp::create(b, loc, shifted, constantLike(b, loc, x, 0.0)),
      constantLike(b, loc, x, 6.0));
  return arith::DivFOp::create(b, loc, clamped, constantLike(b, loc, x, 6.0));
}

/// clamp(x, min, max) with optional bounds at `minIndex` / `maxIndex`.
PayloadFn clampPayload(unsigned minIndex, unsigned maxIndex) {
  return [=](OpBuilder &b, Location loc, const ElementwiseBody &body) {
    Type ct = getComputeType(body.resultType);
    bool u = body.resultIsUnsigned();
    Value x = body.get(b, loc, 0, ct);
    if (!body.isNone(minIndex))
      x = createMax(b, loc, x, body.get(b, loc, minIndex, ct), u);
    if (!body.isNone(maxIndex))
      x = createMin(b, loc, x, body.get(b, loc, maxIndex, ct), u);
    return x;
  };
}

} // namespace

void mlir::torch::populateElementwisePatterns(TypeConverter &typeConverter,
                                              RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  auto add = [&](StringRef name, PayloadFn payload, CheckFn check = nullptr) {
    patterns.add<ConvertElementwiseOp>(typeConverter, context, name,
                                       std::move(payload), std::move(check));
  };
  auto addFloatUnary =
      [&](StringRef name,
          std::function<Value(OpBuilder &, Location, Value)> fn) {
        add(name, unaryFloatPayload(std::move(fn)), requireFloatResult);
      };

  // Binary arithmetic: self (op) alpha * other.
  for (StringRef overload : {"Tensor", "Scalar"}) {
    add(("torch.aten.add." + overload).str(),
        binaryPayload(BinaryKind::Add, 0, 1, 2));
    add(("torch.aten.sub." + overload).str(),
        binaryPayload(BinaryKind::Sub, 0, 1, 2));
    add(("torch.aten.mul." + overload).str(),
        binaryPayload(BinaryKind::Mul, 0, 1));
    // True division: the result dtype is always floating point.
    add(("torch.aten.div." + overload).str(),
        binaryPayload(BinaryKind::Div, 0, 1), requireFloatResult);
    // rsub: other - alpha * self.
    add(("torch.aten.rsub." + overload).str(),
        binaryPayload(BinaryKind::Sub, 1, 0, 2));
  }

  add("torch.aten.neg",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value x = body.get(b, loc, 0, ct);
        if (isFloat(ct))
          return arith::NegFOp::create(b, loc, x);
        return arith::SubIOp::create(b, loc, constantLike(b, loc, x, 0), x);
      });
  add("torch.aten.abs",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value x = body.get(b, loc, 0, ct);
        if (isFloat(ct))
          return math::AbsFOp::create(b, loc, x);
        if (ct.isInteger(1) || body.resultIsUnsigned())
          return x;
        return math::AbsIOp::create(b, loc, x);
      });
  add("torch.aten.relu",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value x = body.get(b, loc, 0, ct);
        return createMax(b, loc, x, constantLike(b, loc, x, 0),
                         body.resultIsUnsigned());
      });

  addFloatUnary("torch.aten.exp", [](OpBuilder &b, Location loc, Value x) {
    return math::ExpOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.log", [](OpBuilder &b, Location loc, Value x) {
    return math::LogOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.tanh", [](OpBuilder &b, Location loc, Value x) {
    return math::TanhOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.sigmoid", createSigmoid);
  addFloatUnary("torch.aten.sqrt", [](OpBuilder &b, Location loc, Value x) {
    return math::SqrtOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.rsqrt", [](OpBuilder &b, Location loc, Value x) {
    return math::RsqrtOp::create(b, loc, x);
  });
  addFloatUnary(
      "torch.aten.reciprocal", [](OpBuilder &b, Location loc, Value x) {
        return arith::DivFOp::create(b, loc, constantLike(b, loc, x, 1.0), x);
      });
  addFloatUnary("torch.aten.sin", [](OpBuilder &b, Location loc, Value x) {
    return math::SinOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.cos", [](OpBuilder &b, Location loc, Value x) {
    return math::CosOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.erf", [](OpBuilder &b, Location loc, Value x) {
    return math::ErfOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.silu", [](OpBuilder &b, Location loc, Value x) {
    Value one = constantLike(b, loc, x, 1.0);
    Value denom = arith::AddFOp::create(
        b, loc, one,
        math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x)));
    return arith::DivFOp::create(b, loc, x, denom);
  });

  add(
      "torch.aten.gelu",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) {
        Type ct = getComputeType(body.resultType);
        return createGelu(b, loc, body.get(b, loc, 0, ct), isGeluTanh(body, 1));
      },
      [](Operation *op, Type t) { return requireGeluApproximate(op, t, 1); });
  // gelu_backward(grad_output, self, approximate).
  add(
      "torch.aten.gelu_backward",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) {
        Type ct = getComputeType(body.resultType);
        return createGeluBackward(b, loc, body.get(b, loc, 0, ct),
                                  body.get(b, loc, 1, ct), isGeluTanh(body, 2));
      },
      [](Operation *op, Type t) { return requireGeluApproximate(op, t, 2); });
  // sigmoid_backward(grad_output, output) = grad * (1 - y) * y.
  add(
      "torch.aten.sigmoid_backward",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value grad = body.get(b, loc, 0, ct), y = body.get(b, loc, 1, ct);
        Value oneMinusY =
            arith::SubFOp::create(b, loc, constantLike(b, loc, y, 1.0), y);
        return arith::MulFOp::create(
            b, loc, arith::MulFOp::create(b, loc, grad, oneMinusY), y);
      },
      requireFloatResult);
  // tanh_backward(grad_output, output) = grad * (1 - y * y).
  add(
      "torch.aten.tanh_backward",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value grad = body.get(b, loc, 0, ct), y = body.get(b, loc, 1, ct);
        Value d = arith::SubFOp::create(b, loc, constantLike(b, loc, y, 1.0),
                                        arith::MulFOp::create(b, loc, y, y));
        return arith::MulFOp::create(b, loc, grad, d);
      },
      requireFloatResult);
  // threshold_backward(grad_output, self, threshold):
  // self <= threshold ? 0 : grad.
  add("torch.aten.threshold_backward",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value grad = body.get(b, loc, 0, ct);
        Value x = body.get(b, loc, 1, ct);
        Value threshold = body.get(b, loc, 2, ct);
        Value isBelow;
        if (isFloat(ct))
          isBelow = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x,
                                          threshold);
        else
          isBelow = arith::CmpIOp::create(b, loc,
                                          body.resultIsUnsigned()
                                              ? arith::CmpIPredicate::ule
                                              : arith::CmpIPredicate::sle,
                                          x, threshold);
        return arith::SelectOp::create(b, loc, isBelow,
                                       constantLike(b, loc, grad, 0), grad);
      });
  // leaky_relu(self, negative_slope) = x > 0 ? x : x * slope.
  add(
      "torch.aten.leaky_relu",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value x = body.get(b, loc, 0, ct);
        Value slope = body.get(b, loc, 1, ct);
        Value positive = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OGT, x, constantLike(b, loc, x, 0.0));
        return arith::SelectOp::create(b, loc, positive, x,
                                       arith::MulFOp::create(b, loc, x, slope));
      },
      requireFloatResult);
  // hardtanh(self, min_val, max_val) and clamp(self, min?, max?).
  add("torch.aten.hardtanh", clampPayload(1, 2));
  add("torch.aten.clamp", clampPayload(1, 2));
  add("torch.aten.clamp.Tensor", clampPayload(1, 2));
  add("torch.aten.clamp_min",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        return createMax(b, loc, body.get(b, loc, 0, ct),
                         body.get(b, loc, 1, ct), body.resultIsUnsigned());
      });
  add("torch.aten.clamp_max",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        return createMin(b, loc, body.get(b, loc, 0, ct),
                         body.get(b, loc, 1, ct), body.resultIsUnsigned());
      });

  // pow(self, exponent): Tensor_Scalar, Tensor_Tensor and Scalar overloads.
  auto powPayload = [](OpBuilder &b, Location loc,
                       const ElementwiseBody &body) -> Value {
    Type ct = getComputeType(body.resultType);
    std::optional<double> constantExponent;
    double e;
    if (body.ranks[1] < 0 && matchConstantFloat(body.op->getOperand(1), e))
      constantExponent = e;
    return createPow(
        b, loc, body.get(b, loc, 0, ct),
        [&](Type t) { return body.get(b, loc, 1, t); }, constantExponent,
        body.resultIsUnsigned());
  };
  add("torch.aten.pow.Tensor_Scalar", powPayload);
  add("torch.aten.pow.Tensor_Tensor", powPayload);
  add("torch.aten.pow.Scalar", powPayload);

  add("torch.aten.maximum",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        return createMax(b, loc, body.get(b, loc, 0, ct),
                         body.get(b, loc, 1, ct), body.resultIsUnsigned());
      });
  add("torch.aten.minimum",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        return createMin(b, loc, body.get(b, loc, 0, ct),
                         body.get(b, loc, 1, ct), body.resultIsUnsigned());
      });

  // Comparisons produce i1 and compare in the promoted operand dtype.
  const std::pair<StringRef, CmpKind> comparisons[] = {
      {"eq", CmpKind::Eq}, {"ne", CmpKind::Ne}, {"gt", CmpKind::Gt},
      {"lt", CmpKind::Lt}, {"ge", CmpKind::Ge}, {"le", CmpKind::Le}};
  for (auto [name, kind] : comparisons)
    for (StringRef overload : {"Scalar", "Tensor"})
      add(("torch.aten." + name + "." + overload).str(),
          comparisonPayload(kind));

  add("torch.aten.logical_not",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Value isTrue = body.get(b, loc, 0, b.getI1Type());
        return arith::XOrIOp::create(b, loc, isTrue,
                                     constantLike(b, loc, isTrue, 1));
      });

  // addcmul / addcdiv(self, tensor1, tensor2, value):
  // self + value * tensor1 (* or /) tensor2.
  auto addcPayload = [](bool isDiv) {
    return
        [=](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
          Type ct = getComputeType(body.resultType);
          Value self = body.get(b, loc, 0, ct);
          Value t1 = body.get(b, loc, 1, ct);
          Value t2 = body.get(b, loc, 2, ct);
          Value scaled = createMul(b, loc, body.get(b, loc, 3, ct), t1);
          Value combined =
              isDiv ? createDiv(b, loc, scaled, t2, body.resultIsUnsigned())
                    : createMul(b, loc, scaled, t2);
          return createAdd(b, loc, self, combined);
        };
  };
  add("torch.aten.addcmul", addcPayload(false));
  add("torch.aten.addcdiv", addcPayload(true), requireFloatResult);

  // div with rounding_mode (None, "trunc", "floor"), floor_divide.
  auto divModePayload = [](OpBuilder &b, Location loc,
                           const ElementwiseBody &body) -> Value {
    Type ct = getComputeType(body.resultType);
    RoundingMode mode = *getRoundingMode(body.op, 2);
    return createDivWithMode(b, loc, body.get(b, loc, 0, ct),
                             body.get(b, loc, 1, ct), mode,
                             body.resultIsUnsigned());
  };
  auto checkDivMode = [](Operation *op, Type resultElemType) {
    std::optional<RoundingMode> mode = getRoundingMode(op, 2);
    if (!mode || (*mode == RoundingMode::None && !isFloat(resultElemType)))
      return failure();
    return success();
  };
  add("torch.aten.div.Tensor_mode", divModePayload, checkDivMode);
  add("torch.aten.div.Scalar_mode", divModePayload, checkDivMode);
  auto floorDividePayload = [](OpBuilder &b, Location loc,
                               const ElementwiseBody &body) -> Value {
    Type ct = getComputeType(body.resultType);
    return createDivWithMode(b, loc, body.get(b, loc, 0, ct),
                             body.get(b, loc, 1, ct), RoundingMode::Floor,
                             body.resultIsUnsigned());
  };
  add("torch.aten.floor_divide", floorDividePayload);
  add("torch.aten.floor_divide.Scalar", floorDividePayload);
  // remainder (Python %) and fmod (C fmod).
  auto remainderPayload = [](bool pythonStyle) {
    return
        [=](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
          Type ct = getComputeType(body.resultType);
          return createRemainder(b, loc, body.get(b, loc, 0, ct),
                                 body.get(b, loc, 1, ct), pythonStyle,
                                 body.resultIsUnsigned());
        };
  };
  for (StringRef overload : {"Scalar", "Tensor", "Scalar_Tensor"})
    add(("torch.aten.remainder." + overload).str(), remainderPayload(true));
  for (StringRef overload : {"Scalar", "Tensor"})
    add(("torch.aten.fmod." + overload).str(), remainderPayload(false));

  // Rounding: identity on integers.
  auto roundingPayload =
      [](std::function<Value(OpBuilder &, Location, Value)> fn) {
        return [=](OpBuilder &b, Location loc,
                   const ElementwiseBody &body) -> Value {
          Type ct = getComputeType(body.resultType);
          Value x = body.get(b, loc, 0, ct);
          return isFloat(ct) ? fn(b, loc, x) : x;
        };
      };
  add("torch.aten.floor",
      roundingPayload([](OpBuilder &b, Location loc, Value x) {
        return math::FloorOp::create(b, loc, x);
      }));
  add("torch.aten.ceil",
      roundingPayload([](OpBuilder &b, Location loc, Value x) {
        return math::CeilOp::create(b, loc, x);
      }));
  // torch.round rounds half to even.
  add("torch.aten.round",
      roundingPayload([](OpBuilder &b, Location loc, Value x) {
        return math::RoundEvenOp::create(b, loc, x);
      }));
  add("torch.aten.trunc",
      roundingPayload([](OpBuilder &b, Location loc, Value x) {
        return math::TruncOp::create(b, loc, x);
      }));
  add(
      "torch.aten.frac",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value x = body.get(b, loc, 0, ct);
        return arith::SubFOp::create(b, loc, x,
                                     math::TruncOp::create(b, loc, x));
      },
      requireFloatResult);
  // sign: (x > 0) - (x < 0); 0 for NaN.
  auto signPayload = [](OpBuilder &b, Location loc,
                        const ElementwiseBody &body) -> Value {
    Type ct = getComputeType(body.resultType);
    Value x = body.get(b, loc, 0, ct);
    if (ct.isInteger(1))
      return x;
    Value zero = constantLike(b, loc, x, 0);
    Value pos, neg;
    if (isFloat(ct)) {
      pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
      neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    } else {
      bool u = body.resultIsUnsigned();
      pos = arith::CmpIOp::create(
          b, loc, u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, x,
          zero);
      neg = arith::CmpIOp::create(
          b, loc, u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt, x,
          zero);
    }
    return createSub(b, loc, convertScalarToDtype(b, loc, pos, ct),
                     convertScalarToDtype(b, loc, neg, ct));
  };
  add("torch.aten.sign", signPayload);
  add("torch.aten.sgn", signPayload);

  // More float functions.
  addFloatUnary("torch.aten.expm1", [](OpBuilder &b, Location loc, Value x) {
    return math::ExpM1Op::create(b, loc, x);
  });
  addFloatUnary("torch.aten.log1p", [](OpBuilder &b, Location loc, Value x) {
    return math::Log1pOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.log2", [](OpBuilder &b, Location loc, Value x) {
    return math::Log2Op::create(b, loc, x);
  });
  addFloatUnary("torch.aten.log10", [](OpBuilder &b, Location loc, Value x) {
    return math::Log10Op::create(b, loc, x);
  });
  addFloatUnary("torch.aten.exp2", [](OpBuilder &b, Location loc, Value x) {
    return math::Exp2Op::create(b, loc, x);
  });
  addFloatUnary("torch.aten.tan", [](OpBuilder &b, Location loc, Value x) {
    return math::TanOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.atan", [](OpBuilder &b, Location loc, Value x) {
    return math::AtanOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.asin", [](OpBuilder &b, Location loc, Value x) {
    return math::AsinOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.acos", [](OpBuilder &b, Location loc, Value x) {
    return math::AcosOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.sinh", [](OpBuilder &b, Location loc, Value x) {
    return math::SinhOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.cosh", [](OpBuilder &b, Location loc, Value x) {
    return math::CoshOp::create(b, loc, x);
  });
  addFloatUnary("torch.aten.hardsigmoid", createHardSigmoid);
  addFloatUnary(
      "torch.aten.hardswish", [](OpBuilder &b, Location loc, Value x) {
        return arith::MulFOp::create(b, loc, x, createHardSigmoid(b, loc, x));
      });
  // mish: x * tanh(softplus(x)).
  addFloatUnary("torch.aten.mish", [](OpBuilder &b, Location loc, Value x) {
    Value softplus =
        math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, x));
    return arith::MulFOp::create(b, loc, x,
                                 math::TanhOp::create(b, loc, softplus));
  });
  add("torch.aten.square",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value x = body.get(b, loc, 0, ct);
        return createMul(b, loc, x, x);
      });
  add(
      "torch.aten.atan2",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        return math::Atan2Op::create(b, loc, body.get(b, loc, 0, ct),
                                     body.get(b, loc, 1, ct));
      },
      requireFloatResult);
  // elu(self, alpha, scale, input_scale):
  // x > 0 ? x * scale : (exp(x * input_scale) - 1) * alpha * scale.
  add(
      "torch.aten.elu",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value x = body.get(b, loc, 0, ct);
        Value alpha = body.get(b, loc, 1, ct);
        Value scale = body.get(b, loc, 2, ct);
        Value inputScale = body.get(b, loc, 3, ct);
        Value negative = arith::MulFOp::create(
            b, loc,
            math::ExpM1Op::create(b, loc,
                                  arith::MulFOp::create(b, loc, x, inputScale)),
            arith::MulFOp::create(b, loc, alpha, scale));
        Value isNonPositive = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OLE, x, constantLike(b, loc, x, 0.0));
        return arith::SelectOp::create(b, loc, isNonPositive, negative,
                                       arith::MulFOp::create(b, loc, x, scale));
      },
      requireFloatResult);
  // softplus(self, beta, threshold):
  // x * beta > threshold ? x : log1p(exp(x * beta)) / beta.
  add(
      "torch.aten.softplus",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Type ct = getComputeType(body.resultType);
        Value x = body.get(b, loc, 0, ct);
        Value beta = body.get(b, loc, 1, ct);
        Value threshold = body.get(b, loc, 2, ct);
        Value scaled = arith::MulFOp::create(b, loc, x, beta);
        Value soft = arith::DivFOp::create(
            b, loc,
            math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, scaled)),
            beta);
        Value linear = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                             scaled, threshold);
        return arith::SelectOp::create(b, loc, linear, x, soft);
      },
      requireFloatResult);
  // lerp(self, end, weight): weight < 0.5 ? self + weight * (end - self)
  //                                       : end - (end - self) * (1 - weight).
  auto lerpPayload = [](OpBuilder &b, Location loc,
                        const ElementwiseBody &body) -> Value {
    Type ct = getComputeType(body.resultType);
    Value start = body.get(b, loc, 0, ct);
    Value end = body.get(b, loc, 1, ct);
    Value weight = body.get(b, loc, 2, ct);
    Value diff = arith::SubFOp::create(b, loc, end, start);
    Value low = arith::AddFOp::create(
        b, loc, start, arith::MulFOp::create(b, loc, weight, diff));
    Value high = arith::SubFOp::create(
        b, loc, end,
        arith::MulFOp::create(
            b, loc, diff,
            arith::SubFOp::create(b, loc, constantLike(b, loc, weight, 1.0),
                                  weight)));
    Value isLow = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                        math::AbsFOp::create(b, loc, weight),
                                        constantLike(b, loc, weight, 0.5));
    return arith::SelectOp::create(b, loc, isLow, low, high);
  };
  add("torch.aten.lerp.Scalar", lerpPayload, requireFloatResult);
  add("torch.aten.lerp.Tensor", lerpPayload, requireFloatResult);

  // Float classification.
  auto classifyPayload = [](bool wantNan, bool wantInf) {
    return [=](OpBuilder &b, Location loc,
               const ElementwiseBody &body) -> Value {
      Value x = body.args[0];
      if (!isFloat(x.getType()))
        return createScalarConstant(b, loc, b.getI1Type(), 0);
      Value isNan =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
      Value isInf = arith::CmpFOp::create(
          b, loc, arith::CmpFPredicate::OEQ, math::AbsFOp::create(b, loc, x),
          createScalarConstant(b, loc, x.getType(),
                               std::numeric_limits<double>::infinity()));
      if (wantNan && wantInf)
        return arith::OrIOp::create(b, loc, isNan, isInf);
      return wantNan ? isNan : isInf;
    };
  };
  add("torch.aten.isnan", classifyPayload(true, false));
  add("torch.aten.isinf", classifyPayload(false, true));
  add("torch.aten.isfinite",
      [=](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Value x = body.args[0];
        if (!isFloat(x.getType()))
          return createScalarConstant(b, loc, b.getI1Type(), 1);
        Value bad = classifyPayload(true, true)(b, loc, body);
        return arith::XOrIOp::create(
            b, loc, bad, createScalarConstant(b, loc, b.getI1Type(), 1));
      });

  // Bitwise ops on integers and bools; logical ops on truth values.
  auto bitwisePayload = [](int kind) {
    return
        [=](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
          Value x = body.get(b, loc, 0, body.resultType);
          Value y = body.get(b, loc, 1, body.resultType);
          if (kind == 0)
            return arith::AndIOp::create(b, loc, x, y);
          if (kind == 1)
            return arith::OrIOp::create(b, loc, x, y);
          return arith::XOrIOp::create(b, loc, x, y);
        };
  };
  auto requireIntResult = [](Operation *, Type t) {
    return success(isa<IntegerType>(t));
  };
  const std::pair<StringRef, int> bitwiseOps[] = {
      {"and", 0}, {"or", 1}, {"xor", 2}};
  for (auto [name, kind] : bitwiseOps) {
    for (StringRef overload : {"Tensor", "Scalar"})
      add(("torch.aten.bitwise_" + name + "." + overload).str(),
          bitwisePayload(kind), requireIntResult);
    add(("torch.aten.logical_" + name).str(),
        [=](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
          Value x = body.get(b, loc, 0, b.getI1Type());
          Value y = body.get(b, loc, 1, b.getI1Type());
          if (kind == 0)
            return arith::AndIOp::create(b, loc, x, y);
          if (kind == 1)
            return arith::OrIOp::create(b, loc, x, y);
          return arith::XOrIOp::create(b, loc, x, y);
        });
  }
  add(
      "torch.aten.bitwise_not",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Value x = body.get(b, loc, 0, body.resultType);
        return arith::XOrIOp::create(b, loc, x, constantLike(b, loc, x, -1));
      },
      requireIntResult);

  // fill.Tensor(self, value) and copy(self, src, non_blocking): the second
  // operand broadcast to self's shape, in the result dtype.
  auto secondOperandPayload = [](OpBuilder &b, Location loc,
                                 const ElementwiseBody &body) -> Value {
    return body.get(b, loc, 1, body.resultType);
  };
  add("torch.aten.fill.Tensor", secondOperandPayload);
  add("torch.aten.copy", secondOperandPayload);

  // where.self(condition, self, other).
  add("torch.aten.where.self",
      [](OpBuilder &b, Location loc, const ElementwiseBody &body) -> Value {
        Value cond = body.get(b, loc, 0, b.getI1Type());
        return arith::SelectOp::create(b, loc, cond,
                                       body.get(b, loc, 1, body.resultType),
                                       body.get(b, loc, 2, body.resultType));
      });
}
