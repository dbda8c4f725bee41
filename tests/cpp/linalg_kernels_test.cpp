// The runtime's linear algebra kernels (runtime/linalg_kernels.h), called
// directly on batched, transposed operands in f32 and f64. Results are
// checked by reconstruction (P L U = A, L L^T = A, A X = B), so the same
// test holds on LAPACK and on the plain loops (LTC_MLIR_DISABLE_BLAS=1, the
// _no_lapack variant), which must also agree on the pivots.
#include "runtime/linalg_kernels.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace {

template <typename T> int64_t Ptr(const T *p) {
  return static_cast<int64_t>(reinterpret_cast<intptr_t>(p));
}

template <typename T> std::vector<T> Random(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> v(n);
  for (T &x : v)
    x = static_cast<T>(dist(gen));
  return v;
}

// Kernel entry points by element type.
template <typename T> struct K;
template <> struct K<float> {
  static constexpr auto lu_factor = &ltc_mlir_lu_factor_f32;
  static constexpr auto lu_solve = &ltc_mlir_lu_solve_f32;
  static constexpr auto lu_unpack = &ltc_mlir_lu_unpack_f32;
  static constexpr auto solve_triangular = &ltc_mlir_solve_triangular_f32;
  static constexpr auto cholesky = &ltc_mlir_cholesky_f32;
  static constexpr double tol = 1e-4;
};
template <> struct K<double> {
  static constexpr auto lu_factor = &ltc_mlir_lu_factor_f64;
  static constexpr auto lu_solve = &ltc_mlir_lu_solve_f64;
  static constexpr auto lu_unpack = &ltc_mlir_lu_unpack_f64;
  static constexpr auto solve_triangular = &ltc_mlir_solve_triangular_f64;
  static constexpr auto cholesky = &ltc_mlir_cholesky_f64;
  static constexpr double tol = 1e-10;
};

template <typename T> class LinalgKernelsTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(LinalgKernelsTest, Types);

TEST(LinalgKernelsBackend, MatchesEnvironment) {
  const char *disable = std::getenv("LTC_MLIR_DISABLE_BLAS");
  bool disabled = disable != nullptr && disable[0] == '1';
  if (disabled)
    EXPECT_FALSE(ltc_mlir::runtime::LinalgKernelsUseLapack());
  else
    EXPECT_TRUE(ltc_mlir::runtime::LinalgKernelsUseLapack())
        << "OpenBLAS's LAPACK should load on this machine";
}

// A batch of 2 rectangular (4 x 3 and 3 x 5) matrices stored transposed
// (column-major): P L U must give A back, pivots are 1-based.
TYPED_TEST(LinalgKernelsTest, LuFactorAndUnpackReconstruct) {
  using T = TypeParam;
  for (auto [m, n] : {std::pair<int64_t, int64_t>{4, 3}, {3, 5}, {5, 5}}) {
    int64_t batch = 2, k = std::min(m, n);
    // A[b, i, j] at b*m*n + j*m + i (each matrix column-major).
    std::vector<T> a = Random<T>(batch * m * n, 7);
    std::vector<T> lu(batch * m * n), p(batch * m * m), l(batch * m * k),
        u(batch * k * n);
    std::vector<int32_t> piv(batch * k), info(batch, -1);
    K<T>::lu_factor(batch, m, n, Ptr(a.data()), 0, m * n, 1, m, Ptr(lu.data()),
                    0, m * n, n, 1, Ptr(piv.data()), 0, k, 1, Ptr(info.data()),
                    0, 1);
    K<T>::lu_unpack(batch, m, n, 1, 1, Ptr(lu.data()), 0, m * n, n, 1,
                    Ptr(piv.data()), 0, k, 1, Ptr(p.data()), 0, m * m, m, 1,
                    Ptr(l.data()), 0, m * k, k, 1, Ptr(u.data()), 0, k * n, n,
                    1);
    for (int64_t b = 0; b < batch; ++b) {
      EXPECT_EQ(info[b], 0);
      for (int64_t i = 0; i < k; ++i) {
        EXPECT_GE(piv[b * k + i], i + 1);
        EXPECT_LE(piv[b * k + i], m);
      }
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double plu = 0;
          for (int64_t r = 0; r < m; ++r)
            for (int64_t s = 0; s < k; ++s)
              plu += double(p[b * m * m + i * m + r]) *
                     l[b * m * k + r * k + s] * u[b * k * n + s * n + j];
          EXPECT_NEAR(plu, a[b * m * n + j * m + i], 10 * K<T>::tol)
              << "b=" << b << " i=" << i << " j=" << j;
        }
    }
  }
}

// A singular matrix reports the first zero pivot in info.
TYPED_TEST(LinalgKernelsTest, LuFactorSingularInfo) {
  using T = TypeParam;
  std::vector<T> a = {1, 2, 2, 4}; // rank 1
  std::vector<T> lu(4);
  std::vector<int32_t> piv(2), info(1);
  K<T>::lu_factor(1, 2, 2, Ptr(a.data()), 0, 4, 2, 1, Ptr(lu.data()), 0, 4, 2,
                  1, Ptr(piv.data()), 0, 2, 1, Ptr(info.data()), 0, 1);
  EXPECT_EQ(info[0], 2);
  EXPECT_EQ(piv[0], 2); // |2| > |1|: rows swap
}

// lu_solve with left/right and adjoint, B read through a transposed view.
TYPED_TEST(LinalgKernelsTest, LuSolveAllForms) {
  using T = TypeParam;
  int64_t n = 4, k = 3;
  std::vector<T> a = Random<T>(n * n, 3);
  for (int64_t i = 0; i < n; ++i)
    a[i * n + i] += 3; // well conditioned
  std::vector<T> lu(n * n);
  std::vector<int32_t> piv(n), info(1);
  K<T>::lu_factor(1, n, n, Ptr(a.data()), 0, 0, n, 1, Ptr(lu.data()), 0, 0, n,
                  1, Ptr(piv.data()), 0, 0, 1, Ptr(info.data()), 0, 0);
  ASSERT_EQ(info[0], 0);
  for (int left = 0; left < 2; ++left)
    for (int adjoint = 0; adjoint < 2; ++adjoint) {
      int64_t rows = left ? n : k, cols = left ? k : n;
      // B stored transposed: B[i, j] at j * rows + i.
      std::vector<T> bm = Random<T>(rows * cols, 11), x(rows * cols);
      K<T>::lu_solve(1, n, k, left, adjoint, Ptr(lu.data()), 0, 0, n, 1,
                     Ptr(piv.data()), 0, 0, 1, Ptr(bm.data()), 0, 0, 1, rows,
                     Ptr(x.data()), 0, 0, cols, 1);
      auto A = [&](int64_t i, int64_t j) {
        return adjoint ? a[j * n + i] : a[i * n + j];
      };
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          double s = 0;
          if (left)
            for (int64_t r = 0; r < n; ++r)
              s += A(i, r) * x[r * cols + j];
          else
            for (int64_t r = 0; r < n; ++r)
              s += x[i * cols + r] * A(r, j);
          EXPECT_NEAR(s, bm[j * rows + i], 10 * K<T>::tol)
              << "left=" << left << " adjoint=" << adjoint;
        }
    }
}

// Triangular solves read only their triangle (the other one holds garbage).
TYPED_TEST(LinalgKernelsTest, SolveTriangularAllForms) {
  using T = TypeParam;
  int64_t m = 4, n = 3;
  for (int upper = 0; upper < 2; ++upper)
    for (int left = 0; left < 2; ++left)
      for (int unit = 0; unit < 2; ++unit) {
        int64_t order = left ? m : n;
        std::vector<T> a = Random<T>(order * order, 5);
        for (int64_t i = 0; i < order; ++i)
          a[i * order + i] += 2;
        auto A = [&](int64_t i, int64_t j) -> double {
          if (i == j)
            return unit ? 1.0 : a[i * order + j];
          bool in = upper ? j > i : j < i;
          return in ? a[i * order + j] : 0.0;
        };
        std::vector<T> bm = Random<T>(m * n, 9), x(m * n);
        K<T>::solve_triangular(2 - 1, m, n, upper, left, unit, Ptr(a.data()), 0,
                               0, order, 1, Ptr(bm.data()), 0, 0, n, 1,
                               Ptr(x.data()), 0, 0, n, 1);
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double s = 0;
            if (left)
              for (int64_t r = 0; r < m; ++r)
                s += A(i, r) * x[r * n + j];
            else
              for (int64_t r = 0; r < n; ++r)
                s += x[i * n + r] * A(r, j);
            EXPECT_NEAR(s, bm[i * n + j], 10 * K<T>::tol)
                << "upper=" << upper << " left=" << left << " unit=" << unit;
          }
      }
}

// Cholesky of a batch of SPD matrices, lower and upper; the other triangle
// of the factor is zero; a non-SPD matrix reports info.
TYPED_TEST(LinalgKernelsTest, Cholesky) {
  using T = TypeParam;
  int64_t n = 5, batch = 3;
  std::vector<T> a(batch * n * n);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<T> r = Random<T>(n * n, 20 + b);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = i == j ? n : 0;
        for (int64_t t = 0; t < n; ++t)
          s += double(r[i * n + t]) * r[j * n + t];
        a[b * n * n + i * n + j] = static_cast<T>(s);
      }
  }
  for (int upper = 0; upper < 2; ++upper) {
    std::vector<T> l(batch * n * n, T(7));
    std::vector<int32_t> info(batch, -1);
    K<T>::cholesky(batch, n, upper, Ptr(a.data()), 0, n * n, n, 1,
                   Ptr(l.data()), 0, n * n, n, 1, Ptr(info.data()), 0, 1);
    for (int64_t b = 0; b < batch; ++b) {
      EXPECT_EQ(info[b], 0);
      const T *f = l.data() + b * n * n;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
          if (upper ? j < i : j > i)
            EXPECT_EQ(f[i * n + j], T(0));
          double s = 0; // lower: (L L^T)[i,j]; upper: (U^T U)[i,j]
          for (int64_t t = 0; t < n; ++t)
            s += upper ? double(f[t * n + i]) * f[t * n + j]
                       : double(f[i * n + t]) * f[j * n + t];
          EXPECT_NEAR(s, a[b * n * n + i * n + j], 100 * K<T>::tol);
        }
    }
  }
  std::vector<T> bad = {1, 2, 2, 1}, l(4);
  std::vector<int32_t> info(1);
  K<T>::cholesky(1, 2, 0, Ptr(bad.data()), 0, 0, 2, 1, Ptr(l.data()), 0, 0, 2,
                 1, Ptr(info.data()), 0, 0);
  EXPECT_EQ(info[0], 2);
}

} // namespace
