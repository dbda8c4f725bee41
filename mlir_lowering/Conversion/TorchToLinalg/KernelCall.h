//===- KernelCall.h - Calls of the runtime's kernels from conversions -----===//
//
// Some ops have no linalg form worth generating (pivoting factorizations) or
// one that LLVM cannot vectorize (pooling with indices), so their patterns
// call a runtime kernel by name instead. Inputs reach the kernel through
// `bufferization.to_buffer read_only`, so views need no copy; outputs are
// fresh `memref.alloc`s the kernel writes, turned back into tensors with
// `bufferization.to_tensor restrict writable`, which one-shot bufferization
// accepts as new buffers. The call takes the buffers as memrefs (cast to
// fully dynamic strided types) and calls a private declaration
// `<kernel>.memrefs` marked `ltc.kernel_call = "<kernel>"`: bufferization and
// deallocation see the call use every buffer, so none is freed before it.
// Each call's to_buffers carry their own `ltc.kernel_operand` id, so that CSE
// keeps them right before their call, where one-shot bufferization sees the
// tensors read. Only after deallocation does ltc-expand-kernel-calls
// (Pipeline/) expand the memrefs into the (pointer, offset, strides) i64
// values the runtime takes.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_CONVERSION_TORCHTOLINALG_KERNELCALL_H
#define LTC_MLIR_CONVERSION_TORCHTOLINALG_KERNELCALL_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace torch {

/// The runtime kernels come in f32 and f64 versions named `<kernel>_f32` and
/// `<kernel>_f64`: the suffix for `elemType`, or empty when there is none.
StringRef kernelSuffix(Type elemType);

/// Collects the arguments of one kernel call: i64 scalars and memrefs.
class KernelCall {
public:
  KernelCall(ConversionPatternRewriter &rewriter, Location loc)
      : b(rewriter), loc(loc) {}

  void addInt(int64_t v);

  /// `tensor` (static shape), read through a read-only buffer.
  void addInput(Value tensor);

  /// A new [sizes] buffer the kernel writes; returns it.
  Value addOutput(ArrayRef<int64_t> sizes, Type elemType);

  /// The tensor of an output buffer, after the call.
  Value result(Value buffer);

  /// Emits the call of `<name>.memrefs`, declared private with the argument
  /// types and `ltc.kernel_call = "<name>"`, which ltc-expand-kernel-calls
  /// turns into a call of the runtime's `<name>` after deallocation. Fails
  /// when a declaration of that name has other argument types.
  LogicalResult emit(StringRef name);

private:
  /// An id no other kernel call's to_buffer in the enclosing op has.
  int64_t callId();
  /// strided<[?, ...], offset: ?> of `rank` dims.
  StridedLayoutAttr dynamicLayout(int64_t rank);
  /// Passes `memref` as a fully dynamic strided memref, so that one
  /// declaration serves every shape. Being a memref operand of a call of an
  /// external function, the buffer is read and written by the call as far
  /// as bufferization and deallocation know: it stays alive until then.
  void addMemRef(Value memref);

  ConversionPatternRewriter &b;
  Location loc;
  SmallVector<Value> args;
  int64_t id = -1;
};

} // namespace torch
} // namespace mlir

#endif // LTC_MLIR_CONVERSION_TORCHTOLINALG_KERNELCALL_H
