// Single-precision GEMM through oneDNN's JIT kernels, the other library
// (besides OpenBLAS) that a graph's products may run on. Which one is faster
// depends on the shape and the machine, so ltc_mlir_sgemm (cpu_kernels.h)
// times both per shape and keeps the faster.
#ifndef LTC_MLIR_RUNTIME_ONEDNN_GEMM_H_
#define LTC_MLIR_RUNTIME_ONEDNN_GEMM_H_

#include <cstdint>

namespace ltc_mlir {
namespace runtime {

// C = op(A) op(B) + beta C on the calling thread alone, all matrices
// row-major; beta 0 never reads C. Returns false, with C untouched, when
// oneDNN refuses the call.
bool OneDnnSgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                 const float *a, int64_t lda, const float *b, int64_t ldb,
                 float beta, float *c, int64_t ldc);

// Calls run by OneDnnSgemm so far (for tests).
int64_t OneDnnSgemmCount();

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_ONEDNN_GEMM_H_
