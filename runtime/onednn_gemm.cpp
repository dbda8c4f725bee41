// Single-precision GEMM through oneDNN. See onednn_gemm.h.
#include "runtime/onednn_gemm.h"

#include "runtime/openmp_threads.h"

#include <oneapi/dnnl/dnnl.h>

#include <atomic>

namespace ltc_mlir {
namespace runtime {
namespace {
std::atomic<int64_t> sgemm_count{0};
} // namespace

bool OneDnnSgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                 const float *a, int64_t lda, const float *b, int64_t ldb,
                 float beta, float *c, int64_t ldc) {
  // Our kernels split their work over our own pool; oneDNN must not start
  // OpenMP threads of its own under them.
  OpenMpThreadsScope omp_threads(1);
  if (dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, 1.0f, a,
                 lda, b, ldb, beta, c, ldc) != dnnl_success)
    return false;
  sgemm_count.fetch_add(1, std::memory_order_relaxed);
  return true;
}

int64_t OneDnnSgemmCount() {
  return sgemm_count.load(std::memory_order_relaxed);
}

} // namespace runtime
} // namespace ltc_mlir
