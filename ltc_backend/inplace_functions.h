// Fast Functionalize kernels for the in-place ops a training step runs most
// (optimizer updates, gradient accumulation, zero_grad).
#pragma once

namespace ltc_mlir {

// Replaces the Functionalize kernels of add_, sub_, mul_, div_, zero_,
// addcmul_ and addcdiv_ with unboxed ones that, for float lazy tensors whose
// operands broadcast to them, run the functional op and commit it without
// PyTorch's meta-tensor shape check and boxing; other calls go to the kernel
// registered before. Call after RegisterFunctionalUpdateFlush(); idempotent;
// returns the number of ops replaced.
int RegisterInPlaceFastPaths();

} // namespace ltc_mlir
