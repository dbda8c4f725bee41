//===- Utils.cpp - Helpers shared by the Torch to linalg patterns ---------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

using namespace mlir;
using namespace mlir::torch;

/// Strips unrealized_conversion_casts (inserted by the conversion driver
/// around already converted values) to reach the defining op.
static Value lookThroughCasts(Value v) {
  while (auto cast = v.getDefiningOp<UnrealizedConversionCastOp>()) {
    if (cast.getInputs().size() != 1)
      break;
    v = cast.getInputs().front();
  }
  return v;
}

/// The value of a torch.constant.int (or, with `isBool`, torch.constant.bool)
/// or of an arith.constant of a non-i1 (i1) integer type.
static std::optional<APInt> matchIntegerConstant(Value v, bool isBool) {
  if (!v)
    return std::nullopt;
  Operation *def = lookThroughCasts(v).getDefiningOp();
  if (!def)
    return std::nullopt;
  if (isBool ? isa<ConstantBoolOp>(def) : isa<ConstantIntOp>(def)) {
    if (auto attr = def->getAttrOfType<IntegerAttr>("value"))
      return attr.getValue();
    return std::nullopt;
  }
  if (auto c = dyn_cast<arith::ConstantOp>(def)) {
    auto attr = dyn_cast<IntegerAttr>(c.getValue());
    if (attr && attr.getType().isInteger(1) == isBool)
      return attr.getValue();
  }
  return std::nullopt;
}

bool mlir::torch::matchConstantInt(Value v, int64_t &out) {
  std::optional<APInt> value = matchIntegerConstant(v, /*isBool=*/false);
  if (!value)
    return false;
  out = value->getSExtValue();
  return true;
}

bool mlir::torch::matchConstantFloat(Value v, double &out) {
  if (!v)
    return false;
  int64_t i;
  if (matchConstantInt(v, i)) {
    out = static_cast<double>(i);
    return true;
  }
  v = lookThroughCasts(v);
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<ConstantFloatOp>(def)) {
    auto attr = def->getAttrOfType<FloatAttr>("value");
    if (!attr)
      return false;
    out = attr.getValueAsDouble();
    return true;
  }
  if (auto c = dyn_cast<arith::ConstantOp>(def)) {
    auto attr = dyn_cast<FloatAttr>(c.getValue());
    if (!attr)
      return false;
    out = attr.getValueAsDouble();
    return true;
  }
  return false;
}

bool mlir::torch::matchConstantBool(Value v, bool &out) {
  std::optional<APInt> value = matchIntegerConstant(v, /*isBool=*/true);
  if (!value)
    return false;
  out = !value->isZero();
  return true;
}

bool mlir::torch::matchConstantStr(Value v, std::string &out) {
  if (!v)
    return false;
  v = lookThroughCasts(v);
  auto op = v.getDefiningOp<ConstantStrOp>();
  if (!op)
    return false;
  auto attr = op->getAttrOfType<StringAttr>("value");
  if (!attr)
    return false;
  out = attr.getValue().str();
  return true;
}

bool mlir::torch::isTorchNone(Value v) {
  if (!v)
    return false;
  return isa<torch::NoneType>(lookThroughCasts(v).getType());
}

/// Matches a `torch.prim.ListConstruct` whose elements all match
/// `matchElement`.
template <typename T>
static LogicalResult matchConstantList(Value list, SmallVectorImpl<T> &out,
                                       bool (*matchElement)(Value, T &)) {
  if (!list)
    return failure();
  auto listOp = lookThroughCasts(list).getDefiningOp<PrimListConstructOp>();
  if (!listOp)
    return failure();
  out.clear();
  for (Value elem : listOp.getElements()) {
    T v;
    if (!matchElement(elem, v))
      return failure();
    out.push_back(v);
  }
  return success();
}

LogicalResult mlir::torch::matchConstantIntList(Value list,
                                                SmallVectorImpl<int64_t> &out) {
  return matchConstantList<int64_t>(list, out, matchConstantInt);
}

LogicalResult mlir::torch::matchConstantBoolList(Value list,
                                                 SmallVectorImpl<bool> &out) {
  return matchConstantList<bool>(list, out, matchConstantBool);
}

int64_t mlir::torch::toPositiveDim(int64_t dim, int64_t rank) {
  return dim >= 0 ? dim : dim + rank;
}

Value mlir::torch::convertScalarToDtype(OpBuilder &b, Location loc,
                                        Value scalar, Type dtype,
                                        Type srcOriginalDtype,
                                        Type dstOriginalDtype) {
  Type srcType = scalar.getType();
  if (srcType == dtype)
    return scalar;
  bool srcUnsigned = isUnsignedTorchDtype(srcOriginalDtype);
  bool dstUnsigned = isUnsignedTorchDtype(dstOriginalDtype);

  if (srcType.isIndex()) {
    scalar = arith::IndexCastOp::create(b, loc, b.getI64Type(), scalar);
    return convertScalarToDtype(b, loc, scalar, dtype);
  }
  if (dtype.isIndex()) {
    Value asI64 =
        convertScalarToDtype(b, loc, scalar, b.getI64Type(), srcOriginalDtype);
    return arith::IndexCastOp::create(b, loc, dtype, asI64);
  }

  // To bool: "is nonzero" (NaN is nonzero, as in PyTorch).
  if (dtype.isInteger(1)) {
    if (isa<mlir::FloatType>(srcType)) {
      Value zero =
          arith::ConstantOp::create(b, loc, b.getFloatAttr(srcType, 0));
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, scalar,
                                   zero);
    }
    Value zero =
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(srcType, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, scalar,
                                 zero);
  }

  if (auto dstInt = dyn_cast<IntegerType>(dtype)) {
    if (auto srcInt = dyn_cast<IntegerType>(srcType)) {
      unsigned srcWidth = srcInt.getWidth(), dstWidth = dstInt.getWidth();
      if (srcWidth > dstWidth)
        return arith::TruncIOp::create(b, loc, dtype, scalar);
      // Bools and unsigned sources are zero-extended.
      if (srcWidth == 1 || srcUnsigned)
        return arith::ExtUIOp::create(b, loc, dtype, scalar);
      return arith::ExtSIOp::create(b, loc, dtype, scalar);
    }
    if (isa<mlir::FloatType>(srcType)) {
      // Targets narrower than 32 bits (ui8 included) convert through i32
      // and wrap, as ATen's C casts do on x86; a direct fptoui/fptosi would
      // give poison for out-of-range values such as -1.0 to ui8.
      if (dstInt.getWidth() >= 32)
        return arith::FPToSIOp::create(b, loc, dtype, scalar);
      Value wide = arith::FPToSIOp::create(b, loc, b.getI32Type(), scalar);
      return arith::TruncIOp::create(b, loc, dtype, wide);
    }
  }

  if (auto dstFloat = dyn_cast<mlir::FloatType>(dtype)) {
    if (auto srcInt = dyn_cast<IntegerType>(srcType)) {
      if (srcInt.getWidth() == 1 || srcUnsigned)
        return arith::UIToFPOp::create(b, loc, dtype, scalar);
      return arith::SIToFPOp::create(b, loc, dtype, scalar);
    }
    if (auto srcFloat = dyn_cast<mlir::FloatType>(srcType)) {
      unsigned srcWidth = srcFloat.getWidth(), dstWidth = dstFloat.getWidth();
      if (srcWidth == dstWidth) {
        // bf16 <-> f16: go through f32.
        Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), scalar);
        return arith::TruncFOp::create(b, loc, dtype, wide);
      }
      if (srcWidth < dstWidth)
        return arith::ExtFOp::create(b, loc, dtype, scalar);
      return arith::TruncFOp::create(b, loc, dtype, scalar);
    }
  }
  // Not a scalar pair we know; leave it for the verifier to report.
  return scalar;
}

Value mlir::torch::createScalarConstant(OpBuilder &b, Location loc,
                                        Type elemType, double value) {
  if (isa<mlir::FloatType>(elemType))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(elemType, value));
  if (elemType.isInteger(1))
    return arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(elemType, value != 0 ? 1 : 0));
  if (elemType.isIndex())
    return arith::ConstantIndexOp::create(b, loc, static_cast<int64_t>(value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(elemType, static_cast<int64_t>(value)));
}

Value mlir::torch::createInitTensor(OpBuilder &b, Location loc,
                                    ArrayRef<int64_t> sizes, Type elemType,
                                    Value fillValue) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elemType);
  return linalg::FillOp::create(b, loc, ValueRange{fillValue},
                                ValueRange{empty})
      .getResult(0);
}

Value mlir::torch::createZeroInitTensor(OpBuilder &b, Location loc,
                                        ArrayRef<int64_t> sizes,
                                        Type elemType) {
  return createInitTensor(b, loc, sizes, elemType,
                          createScalarConstant(b, loc, elemType, 0));
}

RankedTensorType mlir::torch::getConvertedTensorType(const TypeConverter &tc,
                                                     Value torchValue) {
  if (!torchValue)
    return {};
  return dyn_cast_or_null<RankedTensorType>(
      tc.convertType(torchValue.getType()));
}

RankedTensorType
mlir::torch::getConvertedStaticTensorType(const TypeConverter &tc,
                                          Value torchValue) {
  RankedTensorType type = getConvertedTensorType(tc, torchValue);
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

RankedTensorType mlir::torch::getStaticTensorType(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

Type mlir::torch::getTorchDtype(Value torchValue) {
  if (!torchValue)
    return {};
  auto vt = dyn_cast<ValueTensorType>(torchValue.getType());
  if (!vt || !vt.hasDtype())
    return {};
  return vt.getDtype();
}

bool mlir::torch::isUnsignedTorchDtype(Type torchDtype) {
  auto intType = dyn_cast_or_null<IntegerType>(torchDtype);
  return intType && intType.isUnsigned();
}

bool mlir::torch::isBroadcastableTo(ArrayRef<int64_t> inShape,
                                    ArrayRef<int64_t> outShape) {
  if (inShape.size() > outShape.size())
    return false;
  size_t offset = outShape.size() - inShape.size();
  for (auto [i, size] : llvm::enumerate(inShape))
    if (size != 1 && size != outShape[offset + i])
      return false;
  return true;
}

Value mlir::torch::createParallelGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       body(nb, nloc, args.drop_back()));
             })
      .getResult(0);
}

Value mlir::torch::createCopyThroughMap(OpBuilder &b, Location loc, Value input,
                                        RankedTensorType resultType,
                                        ArrayRef<AffineExpr> inputExprs) {
  AffineMap map =
      AffineMap::get(resultType.getRank(), 0, inputExprs, b.getContext());
  return createParallelGeneric(
      b, loc, resultType, ValueRange{input}, {map},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

FailureOr<Value> mlir::torch::createElementwiseGeneric(
    OpBuilder &b, Location loc, ValueRange inputs, RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = resultType.getRank();
  ArrayRef<int64_t> outShape = resultType.getShape();
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto inType = dyn_cast<RankedTensorType>(input.getType());
    if (!inType || !isBroadcastableTo(inType.getShape(), outShape))
      return failure();
    int64_t offset = rank - inType.getRank();
    SmallVector<AffineExpr> exprs;
    for (auto [i, size] : llvm::enumerate(inType.getShape())) {
      // A stretched size-1 dim always reads index 0.
      if (size == 1 && outShape[offset + i] != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(offset + i));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  return createParallelGeneric(b, loc, resultType, inputs, maps, body);
}

Value mlir::torch::convertTensorElementType(OpBuilder &b, Location loc,
                                            Value tensor, Type elemType,
                                            Type srcOriginalDtype,
                                            Type dstOriginalDtype) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == elemType)
    return tensor;
  auto resultType = RankedTensorType::get(type.getShape(), elemType);
  // Same shape, so this cannot fail.
  return *createElementwiseGeneric(
      b, loc, ValueRange{tensor}, resultType,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        return convertScalarToDtype(nb, nloc, args[0], elemType,
                                    srcOriginalDtype, dstOriginalDtype);
      });
}

/// Groups the dims of `in` and `out` into consecutive runs with equal
/// element counts. Size-1 dims at the end join the last group.
static bool
computeReshapeGroups(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                     SmallVectorImpl<ReassociationIndices> &inGroups,
                     SmallVectorImpl<ReassociationIndices> &outGroups) {
  size_t i = 0, j = 0;
  while (i < in.size() && j < out.size()) {
    ReassociationIndices ig{static_cast<int64_t>(i)},
        og{static_cast<int64_t>(j)};
    int64_t pi = in[i++], pj = out[j++];
    while (pi != pj) {
      if (pi < pj) {
        if (i >= in.size())
          return false;
        ig.push_back(i);
        pi *= in[i++];
      } else {
        if (j >= out.size())
          return false;
        og.push_back(j);
        pj *= out[j++];
      }
    }
    inGroups.push_back(ig);
    outGroups.push_back(og);
  }
  // Leftover dims must all be 1; they join the last group.
  for (; i < in.size(); ++i) {
    if (in[i] != 1 || inGroups.empty())
      return false;
    inGroups.back().push_back(i);
  }
  for (; j < out.size(); ++j) {
    if (out[j] != 1 || outGroups.empty())
      return false;
    outGroups.back().push_back(j);
  }
  return true;
}

FailureOr<Value> mlir::torch::reshapeTensor(OpBuilder &b, Location loc,
                                            Value input,
                                            RankedTensorType resultType) {
  auto inType = dyn_cast<RankedTensorType>(input.getType());
  if (!inType || !inType.hasStaticShape() || !resultType.hasStaticShape() ||
      inType.getElementType() != resultType.getElementType())
    return failure();
  if (inType.getNumElements() != resultType.getNumElements())
    return failure();
  if (inType == resultType)
    return input;
  ArrayRef<int64_t> in = inType.getShape(), out = resultType.getShape();
  Type elemType = inType.getElementType();

  // Nothing to move: an empty result or shapes that differ only in rank-0.
  if (resultType.getNumElements() == 0)
    return Value(tensor::EmptyOp::create(b, loc, out, elemType));
  // Rank 0 <-> all-ones shapes use an empty reassociation.
  if (in.empty())
    return Value(tensor::ExpandShapeOp::create(
        b, loc, resultType, input, ArrayRef<ReassociationIndices>{}));
  if (out.empty())
    return Value(tensor::CollapseShapeOp::create(
        b, loc, resultType, input, ArrayRef<ReassociationIndices>{}));

  SmallVector<ReassociationIndices> inGroups, outGroups;
  if (!computeReshapeGroups(in, out, inGroups, outGroups))
    return failure();

  Value current = input;
  bool needCollapse = llvm::any_of(
      inGroups, [](const ReassociationIndices &g) { return g.size() != 1; });
  bool needExpand = llvm::any_of(
      outGroups, [](const ReassociationIndices &g) { return g.size() != 1; });
  SmallVector<int64_t> midShape;
  for (const ReassociationIndices &g : inGroups) {
    int64_t n = 1;
    for (int64_t d : g)
      n *= in[d];
    midShape.push_back(n);
  }
  if (needCollapse) {
    auto midType = RankedTensorType::get(midShape, elemType);
    current =
        tensor::CollapseShapeOp::create(b, loc, midType, current, inGroups);
  }
  if (needExpand)
    current =
        tensor::ExpandShapeOp::create(b, loc, resultType, current, outGroups);
  return current;
}

Value mlir::torch::extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> indices;
  if (type.getRank() > 0)
    indices.assign(type.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, indices);
}
