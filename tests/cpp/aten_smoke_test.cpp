// LibTorch links and runs: an ATen op with a checked result.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

TEST(AtenSmoke, MatmulAndSum) {
  at::Tensor a = at::arange(6, at::kFloat).reshape({2, 3});
  at::Tensor b = at::ones({3, 2}, at::kFloat);
  at::Tensor c = at::matmul(a, b);
  EXPECT_EQ(c.sizes(), (at::IntArrayRef{2, 2}));
  // Rows of a sum to 3 and 12.
  EXPECT_FLOAT_EQ(c[0][0].item<float>(), 3.0f);
  EXPECT_FLOAT_EQ(c[1][1].item<float>(), 12.0f);
}
