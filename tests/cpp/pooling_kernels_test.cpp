// The max-pooling kernels (runtime/pooling_kernels.h): the fast 2x2 paths
// (AVX-512 forward where the CPU has it, the direct backward) against the
// portable ones, bit for bit, on rows shorter and longer than a vector, odd
// sizes, ties, NaN, -inf and -0.0; and a plain loop nest for the values.
#include "runtime/pooling_kernels.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace {

using ltc_mlir::runtime::SetPortablePoolingForTesting;

int64_t Ptr(const void *p) {
  return static_cast<int64_t>(reinterpret_cast<intptr_t>(p));
}

struct Pooled {
  std::vector<float> out;
  std::vector<int64_t> idx;
};

// A dense [N, C, H, W] input pooled 2x2 with stride 2.
Pooled Pool(const std::vector<float> &in, int64_t N, int64_t C, int64_t H,
            int64_t W) {
  int64_t OH = H / 2, OW = W / 2;
  Pooled p{std::vector<float>(N * C * OH * OW),
           std::vector<int64_t>(N * C * OH * OW)};
  ltc_mlir_max_pool2d_with_indices_f32(
      N, C, H, W, OH, OW, 2, 2, 2, 2, 0, 0, 1, 1, Ptr(in.data()), 0, C * H * W,
      H * W, W, 1, Ptr(p.out.data()), 0, C * OH * OW, OH * OW, OW, 1,
      Ptr(p.idx.data()), 0, C * OH * OW, OH * OW, OW, 1);
  return p;
}

std::vector<float> Backward(const std::vector<float> &go,
                            const std::vector<int64_t> &idx, int64_t N,
                            int64_t C, int64_t H, int64_t W) {
  int64_t OH = H / 2, OW = W / 2;
  std::vector<float> gi(N * C * H * W, 7.0f); // every element overwritten
  ltc_mlir_max_pool2d_with_indices_backward_f32(
      N, C, H, W, OH, OW, Ptr(go.data()), 0, C * OH * OW, OH * OW, OW, 1,
      Ptr(idx.data()), 0, C * OH * OW, OH * OW, OW, 1, Ptr(gi.data()), 0,
      C * H * W, H * W, W, 1);
  return gi;
}

bool SameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

class PoolingKernels : public ::testing::TestWithParam<std::vector<int64_t>> {
protected:
  void TearDown() override { SetPortablePoolingForTesting(false); }
};

TEST_P(PoolingKernels, FastPathsMatchThePortableOnesBitForBit) {
  int64_t N = GetParam()[0], C = GetParam()[1], H = GetParam()[2],
          W = GetParam()[3];
  int64_t OH = H / 2, OW = W / 2;
  std::mt19937 gen(static_cast<unsigned>(H * 131 + W));
  // Few distinct values, so windows hold ties.
  std::uniform_int_distribution<int> level(-3, 3);
  std::vector<float> in(N * C * H * W);
  for (float &v : in)
    v = static_cast<float>(level(gen));
  in[1] = std::numeric_limits<float>::quiet_NaN();
  in[W + 3] = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 0; i < H * W; ++i) // the last plane all -inf
    in[in.size() - 1 - i] = -std::numeric_limits<float>::infinity();

  SetPortablePoolingForTesting(true);
  Pooled portable = Pool(in, N, C, H, W);
  SetPortablePoolingForTesting(false);
  Pooled fast = Pool(in, N, C, H, W);
  EXPECT_TRUE(SameBits(fast.out, portable.out));
  EXPECT_EQ(fast.idx, portable.idx);

  // The values and indices themselves, from a loop nest: NaN wins, else
  // the first maximum in (kh, kw) order.
  for (int64_t p = 0; p < N * C; ++p)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        float best = 0;
        int64_t at = -1;
        for (int64_t kh = 0; kh < 2; ++kh)
          for (int64_t kw = 0; kw < 2; ++kw) {
            int64_t flat = (2 * oh + kh) * W + 2 * ow + kw;
            float v = in[p * H * W + flat];
            if (at < 0 || v > best || std::isnan(v)) {
              best = v;
              at = flat;
            }
          }
        int64_t o = (p * OH + oh) * OW + ow;
        ASSERT_EQ(fast.idx[o], at) << p << " " << oh << " " << ow;
        if (!std::isnan(best))
          ASSERT_EQ(fast.out[o], best);
      }

  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> go(portable.out.size());
  for (float &g : go)
    g = dist(gen);
  go[0] = -0.0f;
  SetPortablePoolingForTesting(true);
  std::vector<float> expected = Backward(go, portable.idx, N, C, H, W);
  SetPortablePoolingForTesting(false);
  EXPECT_TRUE(SameBits(Backward(go, portable.idx, N, C, H, W), expected));
  EXPECT_FALSE(std::signbit(expected[portable.idx[0]])); // 0 + -0.0

  // Indices outside their own window (as an overlapping pool makes) or out
  // of range take the scatter, with its sums.
  std::vector<int64_t> moved = portable.idx;
  moved[1] = moved[0];
  moved.back() = H * W;
  SetPortablePoolingForTesting(true);
  expected = Backward(go, moved, N, C, H, W);
  SetPortablePoolingForTesting(false);
  std::vector<float> got = Backward(go, moved, N, C, H, W);
  EXPECT_TRUE(SameBits(got, expected));
  if (OW >= 2) // outputs 0 and 1 are in one plane: both gradients sum
    EXPECT_EQ(got[moved[0]], (0.0f + go[0]) + go[1]);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, PoolingKernels,
    ::testing::Values(std::vector<int64_t>{2, 3, 28, 28},  // 14 per row
                      std::vector<int64_t>{1, 2, 15, 15},  // 7, odd sizes
                      std::vector<int64_t>{1, 2, 6, 66},   // 33: 16 + 16 + 1
                      std::vector<int64_t>{3, 1, 2, 2},    // one window
                      std::vector<int64_t>{1, 1, 9, 17})); // 8, odd

} // namespace
