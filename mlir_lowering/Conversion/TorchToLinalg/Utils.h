//===- Utils.h - Helpers shared by the Torch to linalg patterns -*- C++ -*-===//
//
// Matching of Torch constants and small builders (casts with PyTorch
// semantics, initialized tensors) used by every pattern family.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_CONVERSION_TORCHTOLINALG_UTILS_H
#define LTC_MLIR_CONVERSION_TORCHTOLINALG_UTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cstdint>
#include <string>

namespace mlir::torch {

/// True if `v` is a `torch.constant.int` (looking through
/// unrealized_conversion_cast and arith.constant integers); sets `out`.
bool matchConstantInt(Value v, int64_t &out);

/// True if `v` is a `torch.constant.float` or `torch.constant.int` (also
/// through casts / arith.constant); sets `out`.
bool matchConstantFloat(Value v, double &out);

/// True if `v` is a `torch.constant.bool` (also through casts); sets `out`.
bool matchConstantBool(Value v, bool &out);

/// True if `v` is a `torch.constant.str` (also through casts); sets `out`.
bool matchConstantStr(Value v, std::string &out);

/// True if `v` has type `!torch.none` (looking through casts).
bool isTorchNone(Value v);

/// Succeeds if `list` is a `torch.prim.ListConstruct` whose elements are all
/// constant ints (or bools for the bool variant).
LogicalResult matchConstantIntList(Value list, SmallVectorImpl<int64_t> &out);
LogicalResult matchConstantBoolList(Value list, SmallVectorImpl<bool> &out);

/// Maps a possibly negative dim into [0, rank). Returns a value outside
/// [0, rank) when `dim` is out of range; callers check with isValidDim.
int64_t toPositiveDim(int64_t dim, int64_t rank);
inline bool isValidDim(int64_t dim, int64_t rank) {
  return dim >= 0 && dim < rank;
}

/// Casts a scalar (i1, iN, index or float) to `dtype` with PyTorch
/// semantics: to i1 is `!= 0` (NaN is true), i1 is zero-extended, float to
/// int truncates toward zero (through i32, wrapping, for types narrower
/// than 32 bits), integer widening sign-extends. Integer types are signless;
/// pass the original Torch dtypes (e.g. `ui8`) to get unsigned semantics where
/// they differ. Returns `scalar` when the types already agree.
Value convertScalarToDtype(OpBuilder &b, Location loc, Value scalar, Type dtype,
                           Type srcOriginalDtype = {},
                           Type dstOriginalDtype = {});

/// `tensor.empty` of the given static sizes filled with `fillValue` (which
/// must already have type `elemType`) by `linalg.fill`.
Value createInitTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> sizes,
                       Type elemType, Value fillValue);
Value createZeroInitTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> sizes,
                           Type elemType);

/// An `arith.constant` zero / one / value of a scalar int or float type.
Value createScalarConstant(OpBuilder &b, Location loc, Type elemType,
                           double value);

/// The converted builtin tensor type of a Torch value (via the type
/// converter), or null if it does not convert to a ranked tensor.
RankedTensorType getConvertedTensorType(const TypeConverter &tc,
                                        Value torchValue);

/// getConvertedTensorType, but null unless the shape is static.
RankedTensorType getConvertedStaticTensorType(const TypeConverter &tc,
                                              Value torchValue);

/// The type of `v` if it is a ranked tensor with a static shape, else null.
RankedTensorType getStaticTensorType(Value v);

/// The Torch dtype (e.g. `si64`, `ui8`, `f32`) of a `!torch.vtensor` value,
/// or null.
Type getTorchDtype(Value torchValue);

/// True if the Torch dtype is an unsigned integer (ui8) type.
bool isUnsignedTorchDtype(Type torchDtype);

/// Builds a parallel `linalg.generic` writing a new tensor of `resultType`
/// (identity output map) from `inputs` read through `inputMaps`. `body` gets
/// one loaded element per input and returns the result element.
Value createParallelGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// A new tensor of `resultType` whose element at (d0, d1, ...) is `input`'s
/// element at `inputExprs` of those dims (a permuted, flipped, tiled or
/// broadcast copy).
Value createCopyThroughMap(OpBuilder &b, Location loc, Value input,
                           RankedTensorType resultType,
                           ArrayRef<AffineExpr> inputExprs);

/// Builds a parallel `linalg.generic` producing `resultType` from `inputs`
/// (builtin ranked tensors), broadcasting each input to the result shape the
/// PyTorch way (trailing dims aligned, size-1 dims stretched). `body` gets
/// one scalar per input and returns the result element. Fails if an input
/// does not broadcast to the result shape.
FailureOr<Value> createElementwiseGeneric(
    OpBuilder &b, Location loc, ValueRange inputs, RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// True if a tensor of shape `inShape` broadcasts to `outShape`.
bool isBroadcastableTo(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape);

/// Converts every element of `tensor` to `elemType` (convertScalarToDtype
/// semantics). Returns `tensor` when the element type already agrees.
Value convertTensorElementType(OpBuilder &b, Location loc, Value tensor,
                               Type elemType, Type srcOriginalDtype = {},
                               Type dstOriginalDtype = {});

/// Reshapes a static tensor to the static `resultType` (same element count)
/// with tensor.collapse_shape / tensor.expand_shape. Fails if the element
/// counts differ.
FailureOr<Value> reshapeTensor(OpBuilder &b, Location loc, Value input,
                               RankedTensorType resultType);

/// `tensor.extract` of the only element of a 0-d (or all-ones) tensor.
Value extractScalar(OpBuilder &b, Location loc, Value tensor);

} // namespace mlir::torch

#endif // LTC_MLIR_CONVERSION_TORCHTOLINALG_UTILS_H
