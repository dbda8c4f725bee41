// Dense linear algebra kernels called from compiled code: LU factorization,
// LU solve, LU unpacking, triangular solve and Cholesky, each batched, in
// float32 (`_f32`) and float64 (`_f64`). Convert-torch-to-linalg emits calls
// to them for the traced factorization ops (TorchToLinalg/LinalgKernels.cpp).
//
// They run on LAPACK from the dlopen'ed OpenBLAS when the process can load it
// (Xgetrf, Xgetrs, Xtrsm, Xpotrf) and on plain loops of our own otherwise, so
// a missing library costs speed, never correctness. Results follow ATen's
// conventions: pivots are 1-based int32 (LAPACK's ipiv), info is an int32 per
// matrix (0, or the 1-based index of the first zero pivot / non-positive
// minor), Cholesky factors have the other triangle zeroed.
//
// Every argument is an int64. A matrix operand is 5 values (pointer, offset,
// batch stride, row stride, column stride), a vector 4 (pointer, offset,
// batch stride, stride), a per-matrix scalar 3 (pointer, offset, batch
// stride); offsets and strides count elements. Operands never alias.
#ifndef LTC_MLIR_RUNTIME_LINALG_KERNELS_H_
#define LTC_MLIR_RUNTIME_LINALG_KERNELS_H_

#include <cstdint>

#define LTC_MLIR_LINALG_MAT(x)                                                 \
  int64_t x##_ptr, int64_t x##_off, int64_t x##_sb, int64_t x##_sr,            \
      int64_t x##_sc
#define LTC_MLIR_LINALG_VEC(x)                                                 \
  int64_t x##_ptr, int64_t x##_off, int64_t x##_sb, int64_t x##_s
#define LTC_MLIR_LINALG_SCALAR(x)                                              \
  int64_t x##_ptr, int64_t x##_off, int64_t x##_sb

#define LTC_MLIR_DECLARE_LINALG_KERNELS(T)                                     \
  /* A (m x n) = P L U: LU gets L below the diagonal (unit diagonal implied)   \
   * and U on and above it; pivots (min(m,n), int32) the 1-based row swaps. */ \
  void ltc_mlir_lu_factor_##T(int64_t batch, int64_t m, int64_t n,             \
                              LTC_MLIR_LINALG_MAT(a), LTC_MLIR_LINALG_MAT(lu), \
                              LTC_MLIR_LINALG_VEC(piv),                        \
                              LTC_MLIR_LINALG_SCALAR(info));                   \
  /* With A = P L U given as (LU, pivots), n x n: left solves A X = B (B is    \
   * n x k), else X A = B (B is k x n); adjoint uses A^T instead of A. */      \
  void ltc_mlir_lu_solve_##T(                                                  \
      int64_t batch, int64_t n, int64_t k, int64_t left, int64_t adjoint,      \
      LTC_MLIR_LINALG_MAT(lu), LTC_MLIR_LINALG_VEC(piv),                       \
      LTC_MLIR_LINALG_MAT(b), LTC_MLIR_LINALG_MAT(x));                         \
  /* B and X are m x n; A is m x m when left (A X = B), else n x n (X A = B);  \
   * only A's `upper` or lower triangle is read, unit: its diagonal is 1. */   \
  void ltc_mlir_solve_triangular_##T(                                          \
      int64_t batch, int64_t m, int64_t n, int64_t upper, int64_t left,        \
      int64_t unit, LTC_MLIR_LINALG_MAT(a), LTC_MLIR_LINALG_MAT(b),            \
      LTC_MLIR_LINALG_MAT(x));                                                 \
  /* A (n x n) = L L^T reading the lower triangle, or U^T U reading the upper  \
   * one when `upper`; the factor goes to `l`. */                              \
  void ltc_mlir_cholesky_##T(int64_t batch, int64_t n, int64_t upper,          \
                             LTC_MLIR_LINALG_MAT(a), LTC_MLIR_LINALG_MAT(l),   \
                             LTC_MLIR_LINALG_SCALAR(info));                    \
  /* (LU m x n, pivots) -> P (m x m), L (m x k), U (k x n), k = min(m, n);     \
   * P is written when unpack_pivots, L and U when unpack_data. */             \
  void ltc_mlir_lu_unpack_##T(                                                 \
      int64_t batch, int64_t m, int64_t n, int64_t unpack_data,                \
      int64_t unpack_pivots, LTC_MLIR_LINALG_MAT(lu),                          \
      LTC_MLIR_LINALG_VEC(piv), LTC_MLIR_LINALG_MAT(p),                        \
      LTC_MLIR_LINALG_MAT(l), LTC_MLIR_LINALG_MAT(u));

extern "C" {
LTC_MLIR_DECLARE_LINALG_KERNELS(f32)
LTC_MLIR_DECLARE_LINALG_KERNELS(f64)
} // extern "C"

namespace ltc_mlir {
namespace runtime {

// Whether the kernels above run on LAPACK (false: the plain loops).
// LTC_MLIR_DISABLE_BLAS=1 forces the loops, as for cpu_kernels.h.
bool LinalgKernelsUseLapack();

struct CpuKernelSymbol;
// Name and address of each kernel above, for the JIT's symbol table.
const CpuKernelSymbol *GetLinalgKernelSymbols(int *count);

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_LINALG_KERNELS_H_
