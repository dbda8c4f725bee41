//===- LinalgKernels.cpp - factorizations and solves to kernel calls ------===//
//
// LU, Cholesky and triangular solves have no linalg form worth generating
// (pivoting is data-dependent control flow), so they lower to calls of the
// runtime's LAPACK-backed kernels, by name (`ltc_mlir_<kernel>_f32/_f64`).
//
// Each operand is broadcast to the op's batch shape and collapsed to
// [batch, rows, cols] (or [batch, len], [batch]) and passed through a
// KernelCall (KernelCall.h), which says how buffers reach the kernel.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/KernelCall.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

int64_t product(ArrayRef<int64_t> sizes) {
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  return n;
}

/// `v` (a static tensor) with element type `elemType`, broadcast to
/// `batch` ++ its last `trailing` sizes and collapsed to
/// [prod(batch)] ++ those sizes. Null if it does not broadcast.
Value batched(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> batch,
              int64_t trailing, Type elemType) {
  auto type = getStaticTensorType(v);
  if (!type || type.getRank() < trailing)
    return {};
  v = convertTensorElementType(b, loc, v, elemType);
  ArrayRef<int64_t> shape = type.getShape();
  ArrayRef<int64_t> tail = shape.take_back(trailing);
  SmallVector<int64_t> full(batch);
  full.append(tail.begin(), tail.end());
  if (ArrayRef<int64_t>(full) != shape) {
    FailureOr<Value> broadcast = createElementwiseGeneric(
        b, loc, ValueRange{v}, RankedTensorType::get(full, elemType),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    if (failed(broadcast))
      return {};
    v = *broadcast;
  }
  SmallVector<int64_t> collapsed = {product(batch)};
  collapsed.append(tail.begin(), tail.end());
  FailureOr<Value> reshaped =
      reshapeTensor(b, loc, v, RankedTensorType::get(collapsed, elemType));
  return succeeded(reshaped) ? *reshaped : Value();
}

/// Reshapes a kernel result to the op's converted result type.
Value unbatched(OpBuilder &b, Location loc, Value v, RankedTensorType type) {
  FailureOr<Value> reshaped = reshapeTensor(b, loc, v, type);
  return succeeded(reshaped) ? *reshaped : Value();
}

/// [batch] ++ sizes.
SmallVector<int64_t> withBatch(int64_t batch, ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> out = {batch};
  out.append(sizes.begin(), sizes.end());
  return out;
}

/// The batch sizes (all but the last `trailing`) of a static tensor type.
ArrayRef<int64_t> batchOf(RankedTensorType type, int64_t trailing) {
  return type.getShape().drop_back(trailing);
}

/// Results of an LU factorization in [batch, ...] form.
struct LuResults {
  Value lu, pivots, info;
};

/// LU of `a` ([batch, m, n], float) through ltc_mlir_lu_factor.
FailureOr<LuResults> emitLuFactor(ConversionPatternRewriter &rewriter,
                                  Location loc, Value a) {
  auto type = cast<RankedTensorType>(a.getType());
  int64_t batch = type.getDimSize(0), m = type.getDimSize(1),
          n = type.getDimSize(2), k = std::min(m, n);
  Type elemType = type.getElementType();
  Type i32 = rewriter.getI32Type();
  KernelCall call(rewriter, loc);
  call.addInt(batch);
  call.addInt(m);
  call.addInt(n);
  call.addInput(a);
  Value lu = call.addOutput({batch, m, n}, elemType);
  Value pivots = call.addOutput({batch, k}, i32);
  Value info = call.addOutput({batch}, i32);
  if (failed(call.emit(("ltc_mlir_lu_factor" + kernelSuffix(elemType)).str())))
    return failure();
  return LuResults{call.result(lu), call.result(pivots), call.result(info)};
}

/// X with op(A) X = B (left) or X op(A) = B from A's LU ([batch, n, n],
/// pivots [batch, n]) and B ([batch, n, k] or [batch, k, n]).
FailureOr<Value> emitLuSolve(ConversionPatternRewriter &rewriter, Location loc,
                             Value lu, Value pivots, Value rhs, bool left,
                             bool adjoint) {
  auto luType = cast<RankedTensorType>(lu.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  int64_t n = luType.getDimSize(1);
  int64_t k = left ? rhsType.getDimSize(2) : rhsType.getDimSize(1);
  Type elemType = luType.getElementType();
  KernelCall call(rewriter, loc);
  call.addInt(rhsType.getDimSize(0));
  call.addInt(n);
  call.addInt(k);
  call.addInt(left);
  call.addInt(adjoint);
  call.addInput(lu);
  call.addInput(pivots);
  call.addInput(rhs);
  Value x = call.addOutput(rhsType.getShape(), elemType);
  if (failed(call.emit(("ltc_mlir_lu_solve" + kernelSuffix(elemType)).str())))
    return failure();
  return call.result(x);
}

/// Batched identity matrices of `type` ([batch, n, n]).
Value identity(OpBuilder &b, Location loc, RankedTensorType type) {
  Type elemType = type.getElementType();
  return createParallelGeneric(
      b, loc, type, ValueRange{}, {},
      [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        Value i = linalg::IndexOp::create(nb, l, 1);
        Value j = linalg::IndexOp::create(nb, l, 2);
        Value eq = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, i, j);
        return arith::SelectOp::create(
            nb, l, eq, createScalarConstant(nb, l, elemType, 1.0),
            createScalarConstant(nb, l, elemType, 0.0));
      });
}

/// The converted static result types of `op`, with a float first result of
/// a type the kernels take; empty on failure.
SmallVector<RankedTensorType> getResultTypes(const TypeConverter &tc,
                                             Operation *op) {
  SmallVector<RankedTensorType> types;
  for (Value r : op->getResults()) {
    RankedTensorType t = getConvertedStaticTensorType(tc, r);
    if (!t)
      return {};
    types.push_back(t);
  }
  if (types.empty() || kernelSuffix(types[0].getElementType()).empty())
    return {};
  return types;
}

// linalg_lu_factor_ex(A, pivot, check_errors) -> (LU, pivots, info).
// check_errors cannot raise from compiled code; ATen's composites pass false
// and check `info` themselves.
struct ConvertLuFactorEx : OpConversionPattern<AtenLinalgLuFactorExOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgLuFactorExOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool pivot = false;
    if (!matchConstantBool(op.getPivot(), pivot) || !pivot)
      return rewriter.notifyMatchFailure(op, "LU without pivoting");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 3 || types[0].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 results");
    Location loc = op.getLoc();
    ArrayRef<int64_t> batch = batchOf(types[0], 2);
    Value a = batched(rewriter, loc, adaptor.getA(), batch, 2,
                      types[0].getElementType());
    if (!a)
      return rewriter.notifyMatchFailure(op, "operand shape");
    FailureOr<LuResults> lu = emitLuFactor(rewriter, loc, a);
    if (failed(lu))
      return failure();
    Value results[] = {unbatched(rewriter, loc, lu->lu, types[0]),
                       unbatched(rewriter, loc, lu->pivots, types[1]),
                       unbatched(rewriter, loc, lu->info, types[2])};
    if (!results[0] || !results[1] || !results[2])
      return failure();
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// (LU, pivots) [batch, ...] -> P, L, U through ltc_mlir_lu_unpack, as the
/// op's result types (an empty result when its part is not unpacked).
FailureOr<SmallVector<Value>> emitLuUnpack(ConversionPatternRewriter &rewriter,
                                           Location loc, Value lu, Value pivots,
                                           bool unpackData, bool unpackPivots,
                                           ArrayRef<RankedTensorType> types) {
  auto luType = cast<RankedTensorType>(lu.getType());
  int64_t batch = luType.getDimSize(0), m = luType.getDimSize(1),
          n = luType.getDimSize(2), k = std::min(m, n);
  Type elemType = luType.getElementType();
  KernelCall call(rewriter, loc);
  call.addInt(batch);
  call.addInt(m);
  call.addInt(n);
  call.addInt(unpackData);
  call.addInt(unpackPivots);
  call.addInput(lu);
  call.addInput(pivots);
  Value p = call.addOutput({batch, unpackPivots ? m : 0, m}, elemType);
  Value l = call.addOutput({batch, unpackData ? m : 0, k}, elemType);
  Value u = call.addOutput({batch, unpackData ? k : 0, n}, elemType);
  if (failed(call.emit(("ltc_mlir_lu_unpack" + kernelSuffix(elemType)).str())))
    return failure();
  SmallVector<Value> results;
  bool wanted[] = {unpackPivots, unpackData, unpackData};
  Value buffers[] = {p, l, u};
  for (int i = 0; i < 3; ++i) {
    if (!wanted[i]) {
      // Not unpacked: ATen returns an empty tensor.
      if (product(types[i].getShape()) != 0)
        return failure();
      results.push_back(tensor::EmptyOp::create(
          rewriter, loc, types[i].getShape(), types[i].getElementType()));
      continue;
    }
    Value r = unbatched(rewriter, loc, call.result(buffers[i]), types[i]);
    if (!r)
      return failure();
    results.push_back(r);
  }
  return results;
}

// lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots) -> (P, L, U).
struct ConvertLuUnpack : OpConversionPattern<AtenLuUnpackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLuUnpackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool unpackData = false, unpackPivots = false;
    if (!matchConstantBool(op.getUnpackData(), unpackData) ||
        !matchConstantBool(op.getUnpackPivots(), unpackPivots))
      return rewriter.notifyMatchFailure(op, "non-constant flags");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    auto luType = getStaticTensorType(adaptor.getLUData());
    if (types.size() != 3 || !luType || luType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    ArrayRef<int64_t> batch = batchOf(luType, 2);
    Value lu = batched(rewriter, loc, adaptor.getLUData(), batch, 2, elemType);
    Value pivots = batched(rewriter, loc, adaptor.getLUPivots(), batch, 1,
                           rewriter.getI32Type());
    if (!lu || !pivots)
      return rewriter.notifyMatchFailure(op, "operand shapes");
    FailureOr<SmallVector<Value>> results = emitLuUnpack(
        rewriter, loc, lu, pivots, unpackData, unpackPivots, types);
    if (failed(results))
      return failure();
    rewriter.replaceOp(op, *results);
    return success();
  }
};

// linalg_lu(A, pivot) -> (P, L, U): factor, then unpack.
struct ConvertLinalgLu : OpConversionPattern<AtenLinalgLuOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgLuOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool pivot = false;
    if (!matchConstantBool(op.getPivot(), pivot) || !pivot)
      return rewriter.notifyMatchFailure(op, "LU without pivoting");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    auto aType = getStaticTensorType(adaptor.getA());
    if (types.size() != 3 || !aType || aType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Value a = batched(rewriter, loc, adaptor.getA(), batchOf(aType, 2), 2,
                      types[0].getElementType());
    if (!a)
      return rewriter.notifyMatchFailure(op, "operand shape");
    FailureOr<LuResults> lu = emitLuFactor(rewriter, loc, a);
    if (failed(lu))
      return failure();
    FailureOr<SmallVector<Value>> results =
        emitLuUnpack(rewriter, loc, lu->lu, lu->pivots, true, true, types);
    if (failed(results))
      return failure();
    rewriter.replaceOp(op, *results);
    return success();
  }
};

// linalg_lu_solve(LU, pivots, B, left, adjoint).
struct ConvertLuSolve : OpConversionPattern<AtenLinalgLuSolveOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgLuSolveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool left = true, adjoint = false;
    if (!matchConstantBool(op.getLeft(), left) ||
        !matchConstantBool(op.getAdjoint(), adjoint))
      return rewriter.notifyMatchFailure(op, "non-constant flags");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 1 || types[0].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    ArrayRef<int64_t> batch = batchOf(types[0], 2);
    Value lu = batched(rewriter, loc, adaptor.getLU(), batch, 2, elemType);
    Value pivots = batched(rewriter, loc, adaptor.getPivots(), batch, 1,
                           rewriter.getI32Type());
    Value rhs = batched(rewriter, loc, adaptor.getB(), batch, 2, elemType);
    if (!lu || !pivots || !rhs)
      return rewriter.notifyMatchFailure(op, "operand shapes");
    FailureOr<Value> x =
        emitLuSolve(rewriter, loc, lu, pivots, rhs, left, adjoint);
    if (failed(x))
      return failure();
    Value result = unbatched(rewriter, loc, *x, types[0]);
    if (!result)
      return failure();
    rewriter.replaceOp(op, result);
    return success();
  }
};

// linalg_solve_triangular(A, B, upper, left, unitriangular).
FailureOr<Value> emitSolveTriangular(ConversionPatternRewriter &rewriter,
                                     Location loc, Value a, Value rhs,
                                     bool upper, bool left, bool unit);

struct ConvertSolveTriangular
    : OpConversionPattern<AtenLinalgSolveTriangularOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgSolveTriangularOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool upper = false, left = true, unit = false;
    if (!matchConstantBool(op.getUpper(), upper) ||
        !matchConstantBool(op.getLeft(), left) ||
        !matchConstantBool(op.getUnitriangular(), unit))
      return rewriter.notifyMatchFailure(op, "non-constant flags");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 1 || types[0].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    ArrayRef<int64_t> batch = batchOf(types[0], 2);
    Value a = batched(rewriter, loc, adaptor.getSelf(), batch, 2, elemType);
    Value rhs = batched(rewriter, loc, adaptor.getB(), batch, 2, elemType);
    if (!a || !rhs)
      return rewriter.notifyMatchFailure(op, "operand shapes");
    FailureOr<Value> x =
        emitSolveTriangular(rewriter, loc, a, rhs, upper, left, unit);
    if (failed(x))
      return failure();
    Value result = unbatched(rewriter, loc, *x, types[0]);
    if (!result)
      return failure();
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Cholesky factor and info of `self` for `types` (L's type first; info's
/// second if `withInfo`).
template <typename OpT>
LogicalResult rewriteCholesky(OpT op, Value self, bool upper,
                              ArrayRef<RankedTensorType> types, bool withInfo,
                              ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  Type elemType = types[0].getElementType();
  ArrayRef<int64_t> batch = batchOf(types[0], 2);
  Value a = batched(rewriter, loc, self, batch, 2, elemType);
  if (!a)
    return rewriter.notifyMatchFailure(op, "operand shape");
  int64_t b = product(batch), n = types[0].getShape().back();
  KernelCall call(rewriter, loc);
  call.addInt(b);
  call.addInt(n);
  call.addInt(upper);
  call.addInput(a);
  Value l = call.addOutput({b, n, n}, elemType);
  Value info = call.addOutput({b}, rewriter.getI32Type());
  if (failed(call.emit(("ltc_mlir_cholesky" + kernelSuffix(elemType)).str())))
    return failure();
  SmallVector<Value> results = {
      unbatched(rewriter, loc, call.result(l), types[0])};
  if (withInfo)
    results.push_back(unbatched(rewriter, loc, call.result(info), types[1]));
  if (llvm::any_of(results, [](Value v) { return !v; }))
    return failure();
  rewriter.replaceOp(op, results);
  return success();
}

// linalg_cholesky_ex(self, upper, check_errors) -> (L, info).
struct ConvertCholeskyEx : OpConversionPattern<AtenLinalgCholeskyExOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgCholeskyExOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool upper = false;
    if (!matchConstantBool(op.getUpper(), upper))
      return rewriter.notifyMatchFailure(op, "non-constant upper");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 2 || types[0].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    return rewriteCholesky(op, adaptor.getSelf(), upper, types, true, rewriter);
  }
};

// cholesky(self, upper): the deprecated form, no info.
struct ConvertCholesky : OpConversionPattern<AtenCholeskyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenCholeskyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool upper = false;
    if (!matchConstantBool(op.getUpper(), upper))
      return rewriter.notifyMatchFailure(op, "non-constant upper");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 1 || types[0].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    return rewriteCholesky(op, adaptor.getSelf(), upper, types, false,
                           rewriter);
  }
};

// linalg_inv_ex(A, check_errors) -> (inverse, info): LU, then solve A X = I.
struct ConvertInvEx : OpConversionPattern<AtenLinalgInvExOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgInvExOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 2 || types[0].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    Value a = batched(rewriter, loc, adaptor.getA(), batchOf(types[0], 2), 2,
                      elemType);
    if (!a)
      return rewriter.notifyMatchFailure(op, "operand shape");
    FailureOr<LuResults> lu = emitLuFactor(rewriter, loc, a);
    if (failed(lu))
      return failure();
    Value eye = identity(rewriter, loc, cast<RankedTensorType>(a.getType()));
    FailureOr<Value> x =
        emitLuSolve(rewriter, loc, lu->lu, lu->pivots, eye, true, false);
    if (failed(x))
      return failure();
    Value results[] = {unbatched(rewriter, loc, *x, types[0]),
                       unbatched(rewriter, loc, lu->info, types[1])};
    if (!results[0] || !results[1])
      return failure();
    rewriter.replaceOp(op, results);
    return success();
  }
};

Value transposeMatrices(OpBuilder &b, Location loc, Value v);

// _linalg_solve_ex(A, B, left, check_errors) -> (result, LU, pivots, info).
// Like ATen for a contiguous real A (every lazy tensor is contiguous), LU and
// pivots are those of A^T, and X solves A^T^T X = B: ATen's backward formula
// reads them that way.
// A vector B (ATen's rule: 1-d, or A's sizes without the last) is solved as
// a one-column (left) or one-row matrix.
struct ConvertSolveEx : OpConversionPattern<AtenLinalgSolveExOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgSolveExOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool left = true;
    if (!matchConstantBool(op.getLeft(), left))
      return rewriter.notifyMatchFailure(op, "non-constant left");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    auto aType = getStaticTensorType(adaptor.getA());
    auto bType = getStaticTensorType(adaptor.getB());
    if (types.size() != 4 || !aType || !bType || aType.getRank() < 2 ||
        bType.getRank() < 1)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    ArrayRef<int64_t> aShape = aType.getShape();
    bool vectorCase =
        bType.getRank() == 1 || (bType.getRank() == aType.getRank() - 1 &&
                                 bType.getShape() == aShape.drop_back());
    Value rhs = adaptor.getB();
    SmallVector<int64_t> matrixShape(bType.getShape());
    if (vectorCase) {
      matrixShape.insert(left ? matrixShape.end() : matrixShape.end() - 1, 1);
      FailureOr<Value> reshaped = reshapeTensor(
          rewriter, loc, rhs,
          RankedTensorType::get(matrixShape, bType.getElementType()));
      if (failed(reshaped))
        return failure();
      rhs = *reshaped;
    }
    // Batch of the solution: A's and B's broadcast.
    ArrayRef<int64_t> resultShape = types[0].getShape();
    ArrayRef<int64_t> batch = resultShape.drop_back(vectorCase ? 1 : 2);
    Value a = batched(rewriter, loc, adaptor.getA(), aShape.drop_back(2), 2,
                      elemType);
    if (!a)
      return rewriter.notifyMatchFailure(op, "operand shape");
    FailureOr<LuResults> lu =
        emitLuFactor(rewriter, loc, transposeMatrices(rewriter, loc, a));
    if (failed(lu))
      return failure();
    Value luFull = unbatched(rewriter, loc, lu->lu, types[1]);
    Value pivFull = unbatched(rewriter, loc, lu->pivots, types[2]);
    Value infoFull = unbatched(rewriter, loc, lu->info, types[3]);
    if (!luFull || !pivFull || !infoFull)
      return failure();
    Value luB = batched(rewriter, loc, luFull, batch, 2, elemType);
    Value pivB =
        batched(rewriter, loc, pivFull, batch, 1, rewriter.getI32Type());
    Value rhsB = batched(rewriter, loc, rhs, batch, 2, elemType);
    if (!luB || !pivB || !rhsB)
      return rewriter.notifyMatchFailure(op, "operand shapes");
    FailureOr<Value> x =
        emitLuSolve(rewriter, loc, luB, pivB, rhsB, left, /*adjoint=*/true);
    if (failed(x))
      return failure();
    Value result = unbatched(rewriter, loc, *x, types[0]);
    if (!result)
      return failure();
    rewriter.replaceOp(op, ValueRange{result, luFull, pivFull, infoFull});
    return success();
  }
};

/// op(A) X = B through ltc_mlir_solve_triangular on [batch, ...] operands.
FailureOr<Value> emitSolveTriangular(ConversionPatternRewriter &rewriter,
                                     Location loc, Value a, Value rhs,
                                     bool upper, bool left, bool unit) {
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Type elemType = rhsType.getElementType();
  KernelCall call(rewriter, loc);
  call.addInt(rhsType.getDimSize(0));
  call.addInt(rhsType.getDimSize(1));
  call.addInt(rhsType.getDimSize(2));
  call.addInt(upper);
  call.addInt(left);
  call.addInt(unit);
  call.addInput(a);
  call.addInput(rhs);
  Value x = call.addOutput(rhsType.getShape(), elemType);
  if (failed(call.emit(
          ("ltc_mlir_solve_triangular" + kernelSuffix(elemType)).str())))
    return failure();
  return call.result(x);
}

/// The transpose of the matrices of a [batch, n, m] tensor.
Value transposeMatrices(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  auto outType = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(2), type.getDimSize(1)},
      type.getElementType());
  return createCopyThroughMap(
      b, loc, v, outType,
      {b.getAffineDimExpr(0), b.getAffineDimExpr(2), b.getAffineDimExpr(1)});
}

/// With A = L L^T (or U^T U when `upper`) given by its factor: solves
/// A X = B for [batch, n, k] operands as two triangular solves.
FailureOr<Value> emitCholeskySolve(ConversionPatternRewriter &rewriter,
                                   Location loc, Value factor, Value rhs,
                                   bool upper) {
  Value transposed = transposeMatrices(rewriter, loc, factor);
  // lower: L y = B, L^T x = y; upper: U^T y = B, U x = y.
  Value first = upper ? transposed : factor;
  Value second = upper ? factor : transposed;
  FailureOr<Value> y = emitSolveTriangular(rewriter, loc, first, rhs,
                                           /*upper=*/false, true, false);
  if (failed(y))
    return failure();
  return emitSolveTriangular(rewriter, loc, second, *y, /*upper=*/true, true,
                             false);
}

// triangular_solve(B, A, upper, transpose, unitriangular)
//   -> (solution, cloned_coefficient): the legacy form of
// linalg_solve_triangular; op(A) = A^T flips which triangle is read.
struct ConvertTriangularSolve : OpConversionPattern<AtenTriangularSolveOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenTriangularSolveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool upper = true, transpose = false, unit = false;
    if (!matchConstantBool(op.getUpper(), upper) ||
        !matchConstantBool(op.getTranspose(), transpose) ||
        !matchConstantBool(op.getUnitriangular(), unit))
      return rewriter.notifyMatchFailure(op, "non-constant flags");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 2 || types[0].getRank() < 2 || types[1].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    ArrayRef<int64_t> batch = batchOf(types[0], 2);
    Value a = batched(rewriter, loc, adaptor.getA(), batch, 2, elemType);
    Value rhs = batched(rewriter, loc, adaptor.getSelf(), batch, 2, elemType);
    if (!a || !rhs)
      return rewriter.notifyMatchFailure(op, "operand shapes");
    if (transpose)
      a = transposeMatrices(rewriter, loc, a);
    FailureOr<Value> x = emitSolveTriangular(rewriter, loc, a, rhs,
                                             upper != transpose, true, unit);
    if (failed(x))
      return failure();
    // The coefficient: A broadcast to the batch, as ATen returns it.
    Value coefficient = batched(rewriter, loc, adaptor.getA(),
                                batchOf(types[1], 2), 2, elemType);
    Value results[] = {unbatched(rewriter, loc, *x, types[0]),
                       coefficient
                           ? unbatched(rewriter, loc, coefficient, types[1])
                           : Value()};
    if (!results[0] || !results[1])
      return failure();
    rewriter.replaceOp(op, results);
    return success();
  }
};

// _cholesky_solve_helper(B, factor, upper) (cholesky_solve broadcasts first).
struct ConvertCholeskySolveHelper
    : OpConversionPattern<AtenCholeskySolveHelperOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenCholeskySolveHelperOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool upper = false;
    if (!matchConstantBool(op.getUpper(), upper))
      return rewriter.notifyMatchFailure(op, "non-constant upper");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 1 || types[0].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    ArrayRef<int64_t> batch = batchOf(types[0], 2);
    Value factor = batched(rewriter, loc, adaptor.getA(), batch, 2, elemType);
    Value rhs = batched(rewriter, loc, adaptor.getSelf(), batch, 2, elemType);
    if (!factor || !rhs)
      return rewriter.notifyMatchFailure(op, "operand shapes");
    FailureOr<Value> x = emitCholeskySolve(rewriter, loc, factor, rhs, upper);
    if (failed(x))
      return failure();
    Value result = unbatched(rewriter, loc, *x, types[0]);
    if (!result)
      return failure();
    rewriter.replaceOp(op, result);
    return success();
  }
};

// cholesky_inverse(factor, upper): solves A X = I from A's factor.
struct ConvertCholeskyInverse : OpConversionPattern<AtenCholeskyInverseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenCholeskyInverseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool upper = false;
    if (!matchConstantBool(op.getUpper(), upper))
      return rewriter.notifyMatchFailure(op, "non-constant upper");
    SmallVector<RankedTensorType> types =
        getResultTypes(*getTypeConverter(), op);
    if (types.size() != 1 || types[0].getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32/f64 types");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    Value factor = batched(rewriter, loc, adaptor.getSelf(),
                           batchOf(types[0], 2), 2, elemType);
    if (!factor)
      return rewriter.notifyMatchFailure(op, "operand shape");
    Value eye =
        identity(rewriter, loc, cast<RankedTensorType>(factor.getType()));
    FailureOr<Value> x = emitCholeskySolve(rewriter, loc, factor, eye, upper);
    if (failed(x))
      return failure();
    Value result = unbatched(rewriter, loc, *x, types[0]);
    if (!result)
      return failure();
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Reduces the diagonal of LU ([batch, n, n]) with the pivots ([batch, n])
/// into [batch] accumulators: `body` gets (diagonal element, whether row i
/// was swapped, accumulators...) and returns the new accumulators.
SmallVector<Value>
reduceLuDiagonal(OpBuilder &b, Location loc, Value lu, Value pivots,
                 ArrayRef<double> initValues,
                 function_ref<SmallVector<Value>(OpBuilder &, Location, Value,
                                                 Value, ValueRange)>
                     body) {
  auto luType = cast<RankedTensorType>(lu.getType());
  Type elemType = luType.getElementType();
  int64_t batch = luType.getDimSize(0);
  MLIRContext *ctx = b.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {d0, d1, d1}, ctx),
                                 AffineMap::get(2, 0, {d0, d1}, ctx)};
  SmallVector<Value> inits;
  SmallVector<Type> resultTypes;
  for (double v : initValues) {
    inits.push_back(createInitTensor(
        b, loc, {batch}, elemType, createScalarConstant(b, loc, elemType, v)));
    resultTypes.push_back(RankedTensorType::get({batch}, elemType));
    maps.push_back(AffineMap::get(2, 0, {d0}, ctx));
  }
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, ValueRange{lu, pivots}, inits, maps,
      {utils::IteratorType::parallel, utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value i = linalg::IndexOp::create(nb, l, 1);
        Value row = arith::IndexCastOp::create(nb, l, nb.getI32Type(), i);
        Value one = arith::ConstantIntOp::create(nb, l, 1, 32);
        Value expected = arith::AddIOp::create(nb, l, row, one);
        Value swapped = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ne,
                                              args[1], expected);
        linalg::YieldOp::create(
            nb, l, body(nb, l, args[0], swapped, args.drop_front(2)));
      });
  return SmallVector<Value>(generic.getResults());
}

/// Checks a square float input and factors its transpose, as ATen does for
/// a contiguous real input (det and slogdet's backward formulas expect that
/// LU); sets the converted types.
template <typename OpT>
FailureOr<LuResults>
factorSquare(OpT op, Value a, SmallVector<RankedTensorType> &types,
             const TypeConverter &tc, ConversionPatternRewriter &rewriter,
             size_t numResults) {
  types = getResultTypes(tc, op);
  auto aType = getStaticTensorType(a);
  if (types.size() != numResults || !aType || aType.getRank() < 2 ||
      aType.getShape().back() != aType.getShape()[aType.getRank() - 2])
    return failure();
  Value batchedA = batched(rewriter, op.getLoc(), a, batchOf(aType, 2), 2,
                           types[0].getElementType());
  if (!batchedA)
    return failure();
  return emitLuFactor(rewriter, op.getLoc(),
                      transposeMatrices(rewriter, op.getLoc(), batchedA));
}

// _linalg_det(A) -> (det, LU, pivots): the product of U's diagonal, negated
// once per row swap.
struct ConvertLinalgDet : OpConversionPattern<AtenLinalgDetOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgDetOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<RankedTensorType> types;
    FailureOr<LuResults> lu = factorSquare(op, adaptor.getA(), types,
                                           *getTypeConverter(), rewriter, 3);
    if (failed(lu))
      return rewriter.notifyMatchFailure(op, "needs square f32/f64 input");
    Location loc = op.getLoc();
    SmallVector<Value> det =
        reduceLuDiagonal(rewriter, loc, lu->lu, lu->pivots, {1.0},
                         [](OpBuilder &b, Location l, Value d, Value swapped,
                            ValueRange acc) -> SmallVector<Value> {
                           Value neg = arith::NegFOp::create(b, l, d);
                           Value v =
                               arith::SelectOp::create(b, l, swapped, neg, d);
                           return {arith::MulFOp::create(b, l, acc[0], v)};
                         });
    Value results[] = {unbatched(rewriter, loc, det[0], types[0]),
                       unbatched(rewriter, loc, lu->lu, types[1]),
                       unbatched(rewriter, loc, lu->pivots, types[2])};
    if (!results[0] || !results[1] || !results[2])
      return failure();
    rewriter.replaceOp(op, results);
    return success();
  }
};

// _linalg_slogdet(A) -> (sign, logabsdet, LU, pivots): sign and log|.| of
// the same product; a zero pivot gives sign 0 and -inf, as in ATen.
struct ConvertLinalgSlogdet : OpConversionPattern<AtenLinalgSlogdetOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AtenLinalgSlogdetOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<RankedTensorType> types;
    FailureOr<LuResults> lu = factorSquare(op, adaptor.getA(), types,
                                           *getTypeConverter(), rewriter, 4);
    if (failed(lu))
      return rewriter.notifyMatchFailure(op, "needs square f32/f64 input");
    Location loc = op.getLoc();
    Type elemType = types[0].getElementType();
    SmallVector<Value> acc = reduceLuDiagonal(
        rewriter, loc, lu->lu, lu->pivots, {1.0, 0.0},
        [&](OpBuilder &b, Location l, Value d, Value swapped,
            ValueRange acc) -> SmallVector<Value> {
          Value zero = createScalarConstant(b, l, elemType, 0.0);
          Value one = createScalarConstant(b, l, elemType, 1.0);
          Value minusOne = createScalarConstant(b, l, elemType, -1.0);
          Value pos =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, d, zero);
          Value neg =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, d, zero);
          Value sign = arith::SelectOp::create(
              b, l, pos, one,
              arith::SelectOp::create(b, l, neg, minusOne, zero));
          Value flipped = arith::NegFOp::create(b, l, sign);
          sign = arith::SelectOp::create(b, l, swapped, flipped, sign);
          Value logAbs =
              math::LogOp::create(b, l, math::AbsFOp::create(b, l, d));
          return {arith::MulFOp::create(b, l, acc[0], sign),
                  arith::AddFOp::create(b, l, acc[1], logAbs)};
        });
    Value results[] = {unbatched(rewriter, loc, acc[0], types[0]),
                       unbatched(rewriter, loc, acc[1], types[1]),
                       unbatched(rewriter, loc, lu->lu, types[2]),
                       unbatched(rewriter, loc, lu->pivots, types[3])};
    if (llvm::any_of(results, [](Value v) { return !v; }))
      return failure();
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::torch::populateLinalgKernelPatterns(TypeConverter &typeConverter,
                                               RewritePatternSet &patterns) {
  patterns.add<ConvertLuFactorEx, ConvertLuUnpack, ConvertLinalgLu,
               ConvertLuSolve, ConvertSolveTriangular, ConvertCholeskyEx,
               ConvertCholesky, ConvertInvEx, ConvertSolveEx,
               ConvertTriangularSolve, ConvertCholeskySolveHelper,
               ConvertCholeskyInverse, ConvertLinalgDet, ConvertLinalgSlogdet>(
      typeConverter, patterns.getContext());
}
