// Dense linear algebra kernels. See linalg_kernels.h.
//
// Each kernel copies one matrix at a time into a column-major work buffer
// (whatever the operand's strides), runs LAPACK or our own loops on it, and
// copies the result out, so views need no special cases.
#include "runtime/linalg_kernels.h"

#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "runtime/cpu_kernels.h"

namespace ltc_mlir {
namespace runtime {
namespace {

// Fortran LAPACK/BLAS entry points (OpenBLAS exports them with a trailing
// underscore; character arguments are single chars, lengths not needed).
template <typename T> struct LapackFns {
  using Getrf = void (*)(const int *, const int *, T *, const int *, int *,
                         int *);
  using Getrs = void (*)(const char *, const int *, const int *, const T *,
                         const int *, const int *, T *, const int *, int *);
  using Trsm = void (*)(const char *, const char *, const char *, const char *,
                        const int *, const int *, const T *, const T *,
                        const int *, T *, const int *);
  using Potrf = void (*)(const char *, const int *, T *, const int *, int *);
  Getrf getrf = nullptr;
  Getrs getrs = nullptr;
  Trsm trsm = nullptr;
  Potrf potrf = nullptr;
  bool complete() const { return getrf && getrs && trsm && potrf; }
};

struct Lapack {
  LapackFns<float> s;
  LapackFns<double> d;
};

template <typename F> F Sym(void *handle, const char *name) {
  return reinterpret_cast<F>(dlsym(handle, name));
}

const Lapack &GetLapack() {
  static const Lapack lapack = [] {
    Lapack l;
    const char *disable = std::getenv("LTC_MLIR_DISABLE_BLAS");
    if (disable != nullptr && disable[0] != '\0' && disable[0] != '0')
      return l;
    for (const char *name :
         {"libopenblas.so.0", "libopenblas.so", "liblapack.so.3"}) {
      void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (h == nullptr)
        continue;
      Lapack c;
      c.s.getrf = Sym<LapackFns<float>::Getrf>(h, "sgetrf_");
      c.s.getrs = Sym<LapackFns<float>::Getrs>(h, "sgetrs_");
      c.s.trsm = Sym<LapackFns<float>::Trsm>(h, "strsm_");
      c.s.potrf = Sym<LapackFns<float>::Potrf>(h, "spotrf_");
      c.d.getrf = Sym<LapackFns<double>::Getrf>(h, "dgetrf_");
      c.d.getrs = Sym<LapackFns<double>::Getrs>(h, "dgetrs_");
      c.d.trsm = Sym<LapackFns<double>::Trsm>(h, "dtrsm_");
      c.d.potrf = Sym<LapackFns<double>::Potrf>(h, "dpotrf_");
      if (c.s.complete() && c.d.complete())
        return c; // The handle stays open for the life of the process.
      dlclose(h);
    }
    return l;
  }();
  return lapack;
}

template <typename T> const LapackFns<T> &Fns();
template <> const LapackFns<float> &Fns<float>() { return GetLapack().s; }
template <> const LapackFns<double> &Fns<double>() { return GetLapack().d; }

bool FitsInt(int64_t v) { return v >= 0 && v <= INT_MAX; }

// A strided matrix operand of the current batch element.
template <typename T> struct Mat {
  T *p;
  int64_t sr, sc;
  T &at(int64_t i, int64_t j) const { return p[i * sr + j * sc]; }
};

template <typename T>
Mat<T> MatAt(int64_t ptr, int64_t off, int64_t sb, int64_t sr, int64_t sc,
             int64_t b) {
  return {reinterpret_cast<T *>(static_cast<intptr_t>(ptr)) + off + b * sb, sr,
          sc};
}

template <typename T>
T *ElemAt(int64_t ptr, int64_t off, int64_t sb, int64_t b) {
  return reinterpret_cast<T *>(static_cast<intptr_t>(ptr)) + off + b * sb;
}

// Column-major rows x cols work matrix, leading dimension `rows`.
template <typename T> struct Work {
  std::vector<T> data;
  int64_t rows = 0, cols = 0;
  void reset(int64_t r, int64_t c) {
    rows = r;
    cols = c;
    data.assign(static_cast<size_t>(std::max<int64_t>(1, r * c)), T(0));
  }
  T &operator()(int64_t i, int64_t j) { return data[i + j * rows]; }
  int ld() const { return static_cast<int>(std::max<int64_t>(1, rows)); }
  // transpose: load src^T (src is cols x rows).
  void load(const Mat<T> &src, bool transpose = false) {
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t i = 0; i < rows; ++i)
        (*this)(i, j) = transpose ? src.at(j, i) : src.at(i, j);
  }
  void store(const Mat<T> &dst, bool transpose = false) {
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t i = 0; i < rows; ++i)
        (transpose ? dst.at(j, i) : dst.at(i, j)) = (*this)(i, j);
  }
};

// ---- Plain loops (LAPACK semantics) --------------------------------------

// Partial pivoting on the first largest |a(i, j)|, like Xgetf2; a zero pivot
// records info and leaves its column unscaled.
template <typename T>
void NaiveGetrf(Work<T> &a, std::vector<int> &ipiv, int *info) {
  int64_t m = a.rows, n = a.cols, k = std::min(m, n);
  *info = 0;
  for (int64_t j = 0; j < k; ++j) {
    int64_t p = j;
    T best = std::abs(a(j, j));
    for (int64_t i = j + 1; i < m; ++i)
      if (std::abs(a(i, j)) > best) {
        best = std::abs(a(i, j));
        p = i;
      }
    ipiv[j] = static_cast<int>(p + 1);
    if (a(p, j) != T(0)) {
      if (p != j)
        for (int64_t c = 0; c < n; ++c)
          std::swap(a(j, c), a(p, c));
      T inv = T(1) / a(j, j);
      for (int64_t i = j + 1; i < m; ++i)
        a(i, j) *= inv;
    } else if (*info == 0) {
      *info = static_cast<int>(j + 1);
    }
    for (int64_t c = j + 1; c < n; ++c) {
      T f = a(j, c);
      if (f == T(0))
        continue;
      for (int64_t i = j + 1; i < m; ++i)
        a(i, c) -= a(i, j) * f;
    }
  }
}

// Solves op(A) X = B in place in b, A triangular n x n (b is n x nrhs).
template <typename T>
void NaiveTrsmLeft(Work<T> &a, Work<T> &b, bool upper, bool trans, bool unit) {
  int64_t n = a.rows, nrhs = b.cols;
  // op(A) is upper when exactly one of upper/trans holds... read A(i, j) of
  // op(A) as trans ? a(j, i) : a(i, j).
  bool opUpper = upper != trans;
  auto A = [&](int64_t i, int64_t j) { return trans ? a(j, i) : a(i, j); };
  for (int64_t c = 0; c < nrhs; ++c) {
    if (opUpper) {
      for (int64_t i = n - 1; i >= 0; --i) {
        T s = b(i, c);
        for (int64_t j = i + 1; j < n; ++j)
          s -= A(i, j) * b(j, c);
        b(i, c) = unit ? s : s / A(i, i);
      }
    } else {
      for (int64_t i = 0; i < n; ++i) {
        T s = b(i, c);
        for (int64_t j = 0; j < i; ++j)
          s -= A(i, j) * b(j, c);
        b(i, c) = unit ? s : s / A(i, i);
      }
    }
  }
}

// Lower Cholesky of the lower triangle of a, in place; info as Xpotrf.
template <typename T> void NaivePotrfLower(Work<T> &a, int *info) {
  int64_t n = a.rows;
  *info = 0;
  for (int64_t j = 0; j < n; ++j) {
    T d = a(j, j);
    for (int64_t k = 0; k < j; ++k)
      d -= a(j, k) * a(j, k);
    if (!(d > T(0))) {
      a(j, j) = d;
      *info = static_cast<int>(j + 1);
      return;
    }
    d = std::sqrt(d);
    a(j, j) = d;
    for (int64_t i = j + 1; i < n; ++i) {
      T s = a(i, j);
      for (int64_t k = 0; k < j; ++k)
        s -= a(i, k) * a(j, k);
      a(i, j) = s / d;
    }
  }
}

// ---- Dispatch ------------------------------------------------------------

template <typename T>
void Getrf(Work<T> &a, std::vector<int> &ipiv, int *info) {
  const LapackFns<T> &f = Fns<T>();
  int64_t k = std::min(a.rows, a.cols);
  ipiv.assign(static_cast<size_t>(std::max<int64_t>(1, k)), 0);
  if (f.getrf && FitsInt(a.rows) && FitsInt(a.cols) && a.rows > 0 &&
      a.cols > 0) {
    int m = static_cast<int>(a.rows), n = static_cast<int>(a.cols), ld = a.ld();
    f.getrf(&m, &n, a.data.data(), &ld, ipiv.data(), info);
    return;
  }
  NaiveGetrf(a, ipiv, info);
}

template <typename T>
void TrsmLeft(Work<T> &a, Work<T> &b, bool upper, bool trans, bool unit) {
  const LapackFns<T> &f = Fns<T>();
  if (a.rows == 0 || b.cols == 0)
    return;
  if (f.trsm && FitsInt(a.rows) && FitsInt(b.cols)) {
    char side = 'L', uplo = upper ? 'U' : 'L', ta = trans ? 'T' : 'N',
         diag = unit ? 'U' : 'N';
    int m = static_cast<int>(b.rows), n = static_cast<int>(b.cols),
        lda = a.ld(), ldb = b.ld();
    T one(1);
    f.trsm(&side, &uplo, &ta, &diag, &m, &n, &one, a.data.data(), &lda,
           b.data.data(), &ldb);
    return;
  }
  NaiveTrsmLeft(a, b, upper, trans, unit);
}

// Applies the row interchanges of ipiv to b, forward or in reverse.
template <typename T>
void ApplyPivots(Work<T> &b, const std::vector<int> &ipiv, int64_t k,
                 bool reverse) {
  for (int64_t t = 0; t < k; ++t) {
    int64_t i = reverse ? k - 1 - t : t;
    int64_t p = ipiv[i] - 1;
    if (p != i)
      for (int64_t c = 0; c < b.cols; ++c)
        std::swap(b(i, c), b(p, c));
  }
}

// A X = B (trans: A^T X = B) with A = P L U in lu; solution in b.
template <typename T>
void Getrs(Work<T> &lu, const std::vector<int> &ipiv, Work<T> &b, bool trans) {
  int64_t n = lu.rows;
  if (n == 0 || b.cols == 0)
    return;
  const LapackFns<T> &f = Fns<T>();
  if (f.getrs && FitsInt(n) && FitsInt(b.cols)) {
    char t = trans ? 'T' : 'N';
    int nn = static_cast<int>(n), nrhs = static_cast<int>(b.cols),
        lda = lu.ld(), ldb = b.ld(), info = 0;
    f.getrs(&t, &nn, &nrhs, lu.data.data(), &lda, ipiv.data(), b.data.data(),
            &ldb, &info);
    return;
  }
  if (!trans) {
    ApplyPivots(b, ipiv, n, /*reverse=*/false);
    NaiveTrsmLeft(lu, b, /*upper=*/false, false, /*unit=*/true);
    NaiveTrsmLeft(lu, b, /*upper=*/true, false, /*unit=*/false);
  } else {
    NaiveTrsmLeft(lu, b, /*upper=*/true, true, /*unit=*/false);
    NaiveTrsmLeft(lu, b, /*upper=*/false, true, /*unit=*/true);
    ApplyPivots(b, ipiv, n, /*reverse=*/true);
  }
}

template <typename T> void PotrfLower(Work<T> &a, int *info) {
  const LapackFns<T> &f = Fns<T>();
  if (f.potrf && FitsInt(a.rows) && a.rows > 0) {
    char uplo = 'L';
    int n = static_cast<int>(a.rows), ld = a.ld();
    f.potrf(&uplo, &n, a.data.data(), &ld, info);
    return;
  }
  NaivePotrfLower(a, info);
}

// ---- Kernels -------------------------------------------------------------

template <typename T>
void LuFactor(int64_t batch, int64_t m, int64_t n, int64_t a_ptr, int64_t a_off,
              int64_t a_sb, int64_t a_sr, int64_t a_sc, int64_t lu_ptr,
              int64_t lu_off, int64_t lu_sb, int64_t lu_sr, int64_t lu_sc,
              int64_t piv_ptr, int64_t piv_off, int64_t piv_sb, int64_t piv_s,
              int64_t info_ptr, int64_t info_off, int64_t info_sb) {
  thread_local Work<T> w;
  thread_local std::vector<int> ipiv;
  int64_t k = std::min(m, n);
  for (int64_t b = 0; b < batch; ++b) {
    w.reset(m, n);
    w.load(MatAt<T>(a_ptr, a_off, a_sb, a_sr, a_sc, b));
    int info = 0;
    Getrf(w, ipiv, &info);
    w.store(MatAt<T>(lu_ptr, lu_off, lu_sb, lu_sr, lu_sc, b));
    int32_t *piv = ElemAt<int32_t>(piv_ptr, piv_off, piv_sb, b);
    for (int64_t i = 0; i < k; ++i)
      piv[i * piv_s] = ipiv[i];
    *ElemAt<int32_t>(info_ptr, info_off, info_sb, b) = info;
  }
}

template <typename T>
void LuSolve(int64_t batch, int64_t n, int64_t k, int64_t left, int64_t adjoint,
             int64_t lu_ptr, int64_t lu_off, int64_t lu_sb, int64_t lu_sr,
             int64_t lu_sc, int64_t piv_ptr, int64_t piv_off, int64_t piv_sb,
             int64_t piv_s, int64_t b_ptr, int64_t b_off, int64_t b_sb,
             int64_t b_sr, int64_t b_sc, int64_t x_ptr, int64_t x_off,
             int64_t x_sb, int64_t x_sr, int64_t x_sc) {
  thread_local Work<T> lu, rhs;
  thread_local std::vector<int> ipiv;
  // X A = B is A^T X^T = B^T: flip the transpose and read B, X transposed.
  bool trans = left ? adjoint != 0 : adjoint == 0;
  bool transposeB = left == 0;
  for (int64_t b = 0; b < batch; ++b) {
    lu.reset(n, n);
    lu.load(MatAt<T>(lu_ptr, lu_off, lu_sb, lu_sr, lu_sc, b));
    const int32_t *piv = ElemAt<int32_t>(piv_ptr, piv_off, piv_sb, b);
    ipiv.assign(static_cast<size_t>(std::max<int64_t>(1, n)), 0);
    for (int64_t i = 0; i < n; ++i) {
      int p = piv[i * piv_s];
      // Out-of-range pivots (not from an LU) would index out of bounds.
      ipiv[i] = (p >= 1 && p <= n) ? p : static_cast<int>(i + 1);
    }
    rhs.reset(n, k);
    rhs.load(MatAt<T>(b_ptr, b_off, b_sb, b_sr, b_sc, b), transposeB);
    Getrs(lu, ipiv, rhs, trans);
    rhs.store(MatAt<T>(x_ptr, x_off, x_sb, x_sr, x_sc, b), transposeB);
  }
}

template <typename T>
void SolveTriangular(int64_t batch, int64_t m, int64_t n, int64_t upper,
                     int64_t left, int64_t unit, int64_t a_ptr, int64_t a_off,
                     int64_t a_sb, int64_t a_sr, int64_t a_sc, int64_t b_ptr,
                     int64_t b_off, int64_t b_sb, int64_t b_sr, int64_t b_sc,
                     int64_t x_ptr, int64_t x_off, int64_t x_sb, int64_t x_sr,
                     int64_t x_sc) {
  thread_local Work<T> a, rhs;
  // X A = B is A^T X^T = B^T.
  int64_t order = left ? m : n, cols = left ? n : m;
  for (int64_t b = 0; b < batch; ++b) {
    a.reset(order, order);
    a.load(MatAt<T>(a_ptr, a_off, a_sb, a_sr, a_sc, b));
    rhs.reset(order, cols);
    rhs.load(MatAt<T>(b_ptr, b_off, b_sb, b_sr, b_sc, b), left == 0);
    TrsmLeft(a, rhs, upper != 0, /*trans=*/left == 0, unit != 0);
    rhs.store(MatAt<T>(x_ptr, x_off, x_sb, x_sr, x_sc, b), left == 0);
  }
}

template <typename T>
void Cholesky(int64_t batch, int64_t n, int64_t upper, int64_t a_ptr,
              int64_t a_off, int64_t a_sb, int64_t a_sr, int64_t a_sc,
              int64_t l_ptr, int64_t l_off, int64_t l_sb, int64_t l_sr,
              int64_t l_sc, int64_t info_ptr, int64_t info_off,
              int64_t info_sb) {
  thread_local Work<T> w;
  for (int64_t b = 0; b < batch; ++b) {
    // The upper factor of A is the transpose of the lower factor of A^T.
    w.reset(n, n);
    w.load(MatAt<T>(a_ptr, a_off, a_sb, a_sr, a_sc, b), upper != 0);
    int info = 0;
    PotrfLower(w, &info);
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < j; ++i)
        w(i, j) = T(0);
    w.store(MatAt<T>(l_ptr, l_off, l_sb, l_sr, l_sc, b), upper != 0);
    *ElemAt<int32_t>(info_ptr, info_off, info_sb, b) = info;
  }
}

template <typename T>
void LuUnpack(int64_t batch, int64_t m, int64_t n, int64_t unpack_data,
              int64_t unpack_pivots, int64_t lu_ptr, int64_t lu_off,
              int64_t lu_sb, int64_t lu_sr, int64_t lu_sc, int64_t piv_ptr,
              int64_t piv_off, int64_t piv_sb, int64_t piv_s, int64_t p_ptr,
              int64_t p_off, int64_t p_sb, int64_t p_sr, int64_t p_sc,
              int64_t l_ptr, int64_t l_off, int64_t l_sb, int64_t l_sr,
              int64_t l_sc, int64_t u_ptr, int64_t u_off, int64_t u_sb,
              int64_t u_sr, int64_t u_sc) {
  int64_t k = std::min(m, n);
  thread_local std::vector<int64_t> perm;
  for (int64_t b = 0; b < batch; ++b) {
    Mat<T> lu = MatAt<T>(lu_ptr, lu_off, lu_sb, lu_sr, lu_sc, b);
    if (unpack_data) {
      Mat<T> l = MatAt<T>(l_ptr, l_off, l_sb, l_sr, l_sc, b);
      Mat<T> u = MatAt<T>(u_ptr, u_off, u_sb, u_sr, u_sc, b);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < k; ++j)
          l.at(i, j) = i > j ? lu.at(i, j) : (i == j ? T(1) : T(0));
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j)
          u.at(i, j) = j >= i ? lu.at(i, j) : T(0);
    }
    if (unpack_pivots) {
      // Row i of P^T A is row perm[i] of A, so A = P (P^T A) has
      // P[perm[i], i] = 1.
      const int32_t *piv = ElemAt<int32_t>(piv_ptr, piv_off, piv_sb, b);
      perm.resize(static_cast<size_t>(m));
      for (int64_t i = 0; i < m; ++i)
        perm[i] = i;
      for (int64_t i = 0; i < k; ++i) {
        int64_t p = piv[i * piv_s] - 1;
        if (p >= 0 && p < m)
          std::swap(perm[i], perm[p]);
      }
      Mat<T> pm = MatAt<T>(p_ptr, p_off, p_sb, p_sr, p_sc, b);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < m; ++j)
          pm.at(i, j) = T(0);
      for (int64_t i = 0; i < m; ++i)
        pm.at(perm[i], i) = T(1);
    }
  }
}

} // namespace

bool LinalgKernelsUseLapack() { return GetLapack().s.getrf != nullptr; }

const CpuKernelSymbol *GetLinalgKernelSymbols(int *count) {
#define LTC_MLIR_LINALG_SYMBOLS(T)                                             \
  {"ltc_mlir_lu_factor_" #T,                                                   \
   reinterpret_cast<void *>(&ltc_mlir_lu_factor_##T)},                         \
      {"ltc_mlir_lu_solve_" #T,                                                \
       reinterpret_cast<void *>(&ltc_mlir_lu_solve_##T)},                      \
      {"ltc_mlir_solve_triangular_" #T,                                        \
       reinterpret_cast<void *>(&ltc_mlir_solve_triangular_##T)},              \
      {"ltc_mlir_cholesky_" #T,                                                \
       reinterpret_cast<void *>(&ltc_mlir_cholesky_##T)},                      \
      {"ltc_mlir_lu_unpack_" #T,                                               \
       reinterpret_cast<void *>(&ltc_mlir_lu_unpack_##T)},
  static const CpuKernelSymbol symbols[] = {LTC_MLIR_LINALG_SYMBOLS(f32)
                                                LTC_MLIR_LINALG_SYMBOLS(f64)};
#undef LTC_MLIR_LINALG_SYMBOLS
  *count = sizeof(symbols) / sizeof(symbols[0]);
  return symbols;
}

} // namespace runtime
} // namespace ltc_mlir

#define LTC_MLIR_DEFINE_LINALG_KERNELS(T, CT)                                  \
  void ltc_mlir_lu_factor_##T(int64_t batch, int64_t m, int64_t n,             \
                              LTC_MLIR_LINALG_MAT(a), LTC_MLIR_LINALG_MAT(lu), \
                              LTC_MLIR_LINALG_VEC(piv),                        \
                              LTC_MLIR_LINALG_SCALAR(info)) {                  \
    ltc_mlir::runtime::LuFactor<CT>(batch, m, n, a_ptr, a_off, a_sb, a_sr,     \
                                    a_sc, lu_ptr, lu_off, lu_sb, lu_sr, lu_sc, \
                                    piv_ptr, piv_off, piv_sb, piv_s, info_ptr, \
                                    info_off, info_sb);                        \
  }                                                                            \
  void ltc_mlir_lu_solve_##T(                                                  \
      int64_t batch, int64_t n, int64_t k, int64_t left, int64_t adjoint,      \
      LTC_MLIR_LINALG_MAT(lu), LTC_MLIR_LINALG_VEC(piv),                       \
      LTC_MLIR_LINALG_MAT(b), LTC_MLIR_LINALG_MAT(x)) {                        \
    ltc_mlir::runtime::LuSolve<CT>(batch, n, k, left, adjoint, lu_ptr, lu_off, \
                                   lu_sb, lu_sr, lu_sc, piv_ptr, piv_off,      \
                                   piv_sb, piv_s, b_ptr, b_off, b_sb, b_sr,    \
                                   b_sc, x_ptr, x_off, x_sb, x_sr, x_sc);      \
  }                                                                            \
  void ltc_mlir_solve_triangular_##T(                                          \
      int64_t batch, int64_t m, int64_t n, int64_t upper, int64_t left,        \
      int64_t unit, LTC_MLIR_LINALG_MAT(a), LTC_MLIR_LINALG_MAT(b),            \
      LTC_MLIR_LINALG_MAT(x)) {                                                \
    ltc_mlir::runtime::SolveTriangular<CT>(                                    \
        batch, m, n, upper, left, unit, a_ptr, a_off, a_sb, a_sr, a_sc, b_ptr, \
        b_off, b_sb, b_sr, b_sc, x_ptr, x_off, x_sb, x_sr, x_sc);              \
  }                                                                            \
  void ltc_mlir_cholesky_##T(int64_t batch, int64_t n, int64_t upper,          \
                             LTC_MLIR_LINALG_MAT(a), LTC_MLIR_LINALG_MAT(l),   \
                             LTC_MLIR_LINALG_SCALAR(info)) {                   \
    ltc_mlir::runtime::Cholesky<CT>(batch, n, upper, a_ptr, a_off, a_sb, a_sr, \
                                    a_sc, l_ptr, l_off, l_sb, l_sr, l_sc,      \
                                    info_ptr, info_off, info_sb);              \
  }                                                                            \
  void ltc_mlir_lu_unpack_##T(                                                 \
      int64_t batch, int64_t m, int64_t n, int64_t unpack_data,                \
      int64_t unpack_pivots, LTC_MLIR_LINALG_MAT(lu),                          \
      LTC_MLIR_LINALG_VEC(piv), LTC_MLIR_LINALG_MAT(p),                        \
      LTC_MLIR_LINALG_MAT(l), LTC_MLIR_LINALG_MAT(u)) {                        \
    ltc_mlir::runtime::LuUnpack<CT>(                                           \
        batch, m, n, unpack_data, unpack_pivots, lu_ptr, lu_off, lu_sb, lu_sr, \
        lu_sc, piv_ptr, piv_off, piv_sb, piv_s, p_ptr, p_off, p_sb, p_sr,      \
        p_sc, l_ptr, l_off, l_sb, l_sr, l_sc, u_ptr, u_off, u_sb, u_sr, u_sc); \
  }

extern "C" {
LTC_MLIR_DEFINE_LINALG_KERNELS(f32, float)
LTC_MLIR_DEFINE_LINALG_KERNELS(f64, double)
} // extern "C"
