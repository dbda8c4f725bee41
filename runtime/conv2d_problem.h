// One NCHW 2-d convolution as ltc_mlir_conv2d_nchw (cpu_kernels.h) receives
// it, for the kernels that can run it and for the per-shape choice between
// them.
#ifndef LTC_MLIR_RUNTIME_CONV2D_PROBLEM_H_
#define LTC_MLIR_RUNTIME_CONV2D_PROBLEM_H_

#include "runtime/int64_array_hash.h"

#include <array>
#include <cstdint>

namespace ltc_mlir {
namespace runtime {

// Sizes, window strides (sh, sw), dilations (dh, dw), leading padding (ph,
// pw; the trailing padding is implied by OH, OW), each tensor as a pointer
// and four element strides, and whether the result adds into `out` (else it
// overwrites it).
struct Conv2dProblem {
  int64_t N, C, H, W, F, KH, KW, OH, OW, sh, sw, dh, dw, ph, pw;
  const float *in;
  int64_t in_s[4];
  const float *w;
  int64_t w_s[4];
  float *out;
  int64_t out_s[4];
  bool accumulate;
};

// Everything but the pointers, and a thread count: what decides how a
// kernel runs the problem.
using Conv2dKey = std::array<int64_t, 29>;

inline Conv2dKey KeyOf(const Conv2dProblem &p, int threads) {
  return {p.N,        p.C,        p.H,          p.W,        p.F,
          p.KH,       p.KW,       p.OH,         p.OW,       p.sh,
          p.sw,       p.dh,       p.dw,         p.ph,       p.pw,
          p.in_s[0],  p.in_s[1],  p.in_s[2],    p.in_s[3],  p.w_s[0],
          p.w_s[1],   p.w_s[2],   p.w_s[3],     p.out_s[0], p.out_s[1],
          p.out_s[2], p.out_s[3], p.accumulate, threads};
}

using Conv2dKeyHash = Int64ArrayHash;

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_CONV2D_PROBLEM_H_
