//===- KernelAbi.h - How compiled code passes memrefs to runtime kernels --===//
//
// The runtime's kernels (runtime/cpu_kernels.h, runtime/linalg_kernels.h)
// take every memref as i64 values: its aligned pointer, its offset and its
// strides, in elements. Both passes that emit kernel calls build them here.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_PIPELINE_KERNELABI_H
#define LTC_MLIR_PIPELINE_KERNELABI_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace mlir {
namespace ltc {

/// The i64 values a kernel takes for one memref operand.
struct MemRefArgs {
  Value pointer;
  Value offset;
  SmallVector<Value> strides;

  /// pointer, offset, strides... in the kernels' argument order.
  void appendTo(SmallVectorImpl<Value> &args) const;
};

/// Reads `memref`'s descriptor (aligned pointer, offset, strides) as i64s.
MemRefArgs getMemRefArgs(OpBuilder &b, Location loc, Value memref);

/// An i64 constant.
Value constI64(OpBuilder &b, Location loc, int64_t value);

} // namespace ltc
} // namespace mlir

#endif // LTC_MLIR_PIPELINE_KERNELABI_H
