// Max pooling with indices and its backward, for compiled code (TorchToLinalg
// emits the calls for f32/f64 NCHW). As a linalg window reduction the forward
// carries an i64 argmax through every window position, and with rows as
// short as pooled feature maps have (7-28) LLVM's vectorizer declines it; the
// backward is a gather. Here the forward scans each window in registers and
// the backward scatters each output gradient to its argmax, in ATen's order,
// so results match ATen's CPU kernels bit for bit. Planes are split over the
// runtime's pool. The common 2x2 stride-2 float pool has AVX-512 paths, 16
// windows per step with masked row ends: the forward splits even and odd
// columns in registers, and the backward writes each plane once (gradient or
// zero) when every index lies in its own window, else it scatters.
//
// Tensors are (ptr, offset, 4 strides) in elements, [N, C, rows, cols].
#ifndef LTC_MLIR_RUNTIME_POOLING_KERNELS_H_
#define LTC_MLIR_RUNTIME_POOLING_KERNELS_H_

#include <cstdint>

// The kernels' parameter lists, shared by their declarations here and their
// definitions in pooling_kernels.cpp.
#define LTC_MLIR_MAX_POOL2D_PARAMS                                             \
  int64_t N, int64_t C, int64_t H, int64_t W, int64_t OH, int64_t OW,          \
      int64_t KH, int64_t KW, int64_t sh, int64_t sw, int64_t ph, int64_t pw,  \
      int64_t dh, int64_t dw, int64_t in_ptr, int64_t in_off, int64_t in_s0,   \
      int64_t in_s1, int64_t in_s2, int64_t in_s3, int64_t out_ptr,            \
      int64_t out_off, int64_t out_s0, int64_t out_s1, int64_t out_s2,         \
      int64_t out_s3, int64_t idx_ptr, int64_t idx_off, int64_t idx_s0,        \
      int64_t idx_s1, int64_t idx_s2, int64_t idx_s3
#define LTC_MLIR_MAX_POOL2D_BACKWARD_PARAMS                                    \
  int64_t N, int64_t C, int64_t H, int64_t W, int64_t OH, int64_t OW,          \
      int64_t go_ptr, int64_t go_off, int64_t go_s0, int64_t go_s1,            \
      int64_t go_s2, int64_t go_s3, int64_t idx_ptr, int64_t idx_off,          \
      int64_t idx_s0, int64_t idx_s1, int64_t idx_s2, int64_t idx_s3,          \
      int64_t gi_ptr, int64_t gi_off, int64_t gi_s0, int64_t gi_s1,            \
      int64_t gi_s2, int64_t gi_s3

#define LTC_MLIR_DECLARE_POOLING_KERNELS(T)                                    \
  /* out[n,c,oh,ow] = max over the in-bounds window positions                  \
     (oh*sh - ph + kh*dh, ow*sw - pw + kw*dw) of in[n,c,.,.], NaN winning;     \
     idx = that position as h * W + w (the last NaN's, else the first          \
     maximum's). */                                                            \
  void ltc_mlir_max_pool2d_with_indices_##T(LTC_MLIR_MAX_POOL2D_PARAMS);       \
  /* grad_in = 0, then grad_in[n,c,idx/W,idx%W] += grad_out[n,c,oh,ow] for     \
     each output position in row-major order; indices outside [0, H*W) are     \
     skipped. */                                                               \
  void ltc_mlir_max_pool2d_with_indices_backward_##T(                          \
      LTC_MLIR_MAX_POOL2D_BACKWARD_PARAMS);

extern "C" {
LTC_MLIR_DECLARE_POOLING_KERNELS(f32)
LTC_MLIR_DECLARE_POOLING_KERNELS(f64)
} // extern "C"

namespace ltc_mlir {
namespace runtime {

struct CpuKernelSymbol;
// Name and address of each kernel above, for the JIT's symbol table.
const CpuKernelSymbol *GetPoolingKernelSymbols(int *count);

// Tests: true runs only the portable paths (no AVX-512 2x2 pool, no direct
// 2x2 backward), which must give the same bits as the fast ones.
void SetPortablePoolingForTesting(bool portable);

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_POOLING_KERNELS_H_
