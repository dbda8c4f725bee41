// Max pooling kernels. See pooling_kernels.h.
#include "runtime/pooling_kernels.h"

#include "runtime/cpu_kernels.h"
#include "runtime/parallel_for.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ltc_mlir {
namespace runtime {
namespace {

// Below this many window positions a call runs on its caller alone.
constexpr int64_t kParallelWork = int64_t{1} << 16;

template <typename T> T *At(int64_t ptr, int64_t off) {
  return reinterpret_cast<T *>(static_cast<intptr_t>(ptr)) + off;
}

struct Plane4 {
  int64_t s0, s1, s2, s3;
};

// SetPortablePoolingForTesting: no AVX-512 pool, no direct 2x2 backward.
bool force_generic_pool = false;

// Runs fn(n, c) over the N * C planes, on the pool when there is enough work.
template <typename Fn>
void ForPlanes(int64_t N, int64_t C, int64_t work, const Fn &fn) {
  int64_t planes = N * C;
  int threads = work >= kParallelWork ? GetKernelThreads() : 1;
  ParallelFor(planes, threads, std::min<int64_t>(planes, 4 * threads),
              [&](int64_t begin, int64_t end) {
                for (int64_t p = begin; p < end; ++p)
                  fn(p / C, p % C);
              });
}

// best[ow], index[ow] for ow in [lo, hi) take row[w * step] (at flat index
// flat + w, w = w0 + (ow - lo) * sw) when it is greater or NaN. Selects, not
// branches: on real activations "greater than the running max" is a coin
// flip a branch predictor loses. Built for AVX2 as well (the vectorizer needs
// its gathers and blends), picked at load time when the CPU has it.
template <typename T>
inline void UpdateRowMaxImpl(const T *__restrict row, int64_t step, int64_t w0,
                             int64_t sw, int64_t flat, int64_t lo, int64_t hi,
                             T *__restrict best, int64_t *__restrict index) {
  for (int64_t ow = lo, w = w0; ow < hi; ++ow, w += sw) {
    T v = row[w * step];
    T b = best[ow];
    bool take = (v > b) | (v != v);
    best[ow] = take ? v : b;
    index[ow] = take ? flat + w : index[ow];
  }
}

__attribute__((target_clones("avx2", "default"))) void
UpdateRowMax(const float *row, int64_t step, int64_t w0, int64_t sw,
             int64_t flat, int64_t lo, int64_t hi, float *best,
             int64_t *index) {
  UpdateRowMaxImpl(row, step, w0, sw, flat, lo, hi, best, index);
}

__attribute__((target_clones("avx2", "default"))) void
UpdateRowMax(const double *row, int64_t step, int64_t w0, int64_t sw,
             int64_t flat, int64_t lo, int64_t hi, double *best,
             int64_t *index) {
  UpdateRowMaxImpl(row, step, w0, sw, flat, lo, hi, best, index);
}

// The usual 2x2 stride-2 pool without padding, windows inside the input and
// unit column strides: one pass over each pair of input rows, the four
// window positions compared in ATen's order. Starting from the first
// position gives ATen's result too (-inf or NaN there included).
template <typename T>
inline void MaxPool2x2PlaneImpl(const T *__restrict plane, int64_t in_row,
                                T *__restrict out, int64_t out_row,
                                int64_t *__restrict idx, int64_t idx_row,
                                int64_t W, int64_t OH, int64_t OW) {
  for (int64_t oh = 0; oh < OH; ++oh) {
    const T *r0 = plane + 2 * oh * in_row;
    const T *r1 = r0 + in_row;
    int64_t f0 = 2 * oh * W, f1 = f0 + W;
    T *o = out + oh * out_row;
    int64_t *x = idx + oh * idx_row;
    for (int64_t ow = 0; ow < OW; ++ow) {
      int64_t w = 2 * ow;
      T best = r0[w];
      int64_t index = f0 + w;
      T candidates[3] = {r0[w + 1], r1[w], r1[w + 1]};
      int64_t positions[3] = {f0 + w + 1, f1 + w, f1 + w + 1};
      for (int k = 0; k < 3; ++k) {
        T v = candidates[k];
        bool take = (v > best) | (v != v);
        best = take ? v : best;
        index = take ? positions[k] : index;
      }
      o[ow] = best;
      x[ow] = index;
    }
  }
}

__attribute__((target_clones("avx2", "default"))) void
MaxPool2x2PlaneGeneric(const float *plane, int64_t in_row, float *out,
                       int64_t out_row, int64_t *idx, int64_t idx_row,
                       int64_t W, int64_t OH, int64_t OW) {
  MaxPool2x2PlaneImpl(plane, in_row, out, out_row, idx, idx_row, W, OH, OW);
}

#if defined(__x86_64__)
// A block of n <= 16 windows of a row: the mask of its n outputs, and of
// their 2n input columns as two vectors of 16, the first and the rest.
struct WindowBlockMasks {
  __mmask16 outputs, first, rest;
};
inline WindowBlockMasks BlockMasks(int64_t n) {
  return {static_cast<__mmask16>((1u << n) - 1),
          static_cast<__mmask16>(n >= 8 ? 0xffff : (1u << 2 * n) - 1),
          static_cast<__mmask16>(n > 8 ? (1u << (2 * n - 16)) - 1 : 0)};
}

// best, off = v, at where v is greater than best or NaN.
__attribute__((target("avx512f"))) inline void
TakeIfGreaterOrNaN(__m512 v, __m512i at, __m512 &best, __m512i &off) {
  __mmask16 take = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) |
                   _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  best = _mm512_mask_blend_ps(take, best, v);
  off = _mm512_mask_blend_epi32(take, off, at);
}

// The same pool with AVX-512, 16 outputs per step and masks for the rest of
// a row. Pooled rows are short (14 or 7 outputs in a small CNN), so the
// vectorized loop above spends most of its time in its scalar remainder.
// Each pair of input rows is loaded as 32 floats and split into even and
// odd columns; the four candidates are compared in ATen's order.
__attribute__((target("avx512f"))) void
MaxPool2x2PlaneAvx512(const float *plane, int64_t in_row, float *out,
                      int64_t out_row, int64_t *idx, int64_t idx_row, int64_t W,
                      int64_t OH, int64_t OW) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
                                         22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21,
                                        23, 25, 27, 29, 31);
  // Offsets of the four candidates from their window's corner, and twice the
  // lane number (the corner's column in a block).
  const __m512i at_b = _mm512_set1_epi32(1);
  const __m512i at_c = _mm512_set1_epi32(static_cast<int32_t>(W));
  const __m512i at_d = _mm512_set1_epi32(static_cast<int32_t>(W + 1));
  const __m512i lane2 = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
  for (int64_t oh = 0; oh < OH; ++oh) {
    const float *r0 = plane + 2 * oh * in_row;
    const float *r1 = r0 + in_row;
    float *o = out + oh * out_row;
    int64_t *x = idx + oh * idx_row;
    for (int64_t ow = 0; ow < OW; ow += 16) {
      auto [m, lo, hi] = BlockMasks(std::min<int64_t>(16, OW - ow));
      const float *p0 = r0 + 2 * ow, *p1 = r1 + 2 * ow;
      __m512 l0 = _mm512_maskz_loadu_ps(lo, p0);
      __m512 h0 = _mm512_maskz_loadu_ps(hi, p0 + 16);
      __m512 l1 = _mm512_maskz_loadu_ps(lo, p1);
      __m512 h1 = _mm512_maskz_loadu_ps(hi, p1 + 16);
      __m512 best = _mm512_permutex2var_ps(l0, even, h0);
      __m512i off = _mm512_setzero_si512();
      TakeIfGreaterOrNaN(_mm512_permutex2var_ps(l0, odd, h0), at_b, best, off);
      TakeIfGreaterOrNaN(_mm512_permutex2var_ps(l1, even, h1), at_c, best, off);
      TakeIfGreaterOrNaN(_mm512_permutex2var_ps(l1, odd, h1), at_d, best, off);
      _mm512_mask_storeu_ps(o + ow, m, best);
      // Flat index: the corner (2 oh, 2 (ow + lane)) plus the offset.
      __m512i corner =
          _mm512_add_epi64(_mm512_set1_epi64(2 * oh * W + 2 * ow), lane2);
      __m512i first = _mm512_add_epi64(
          corner, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(off)));
      __m512i second = _mm512_add_epi64(
          _mm512_add_epi64(corner, _mm512_set1_epi64(16)),
          _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(off, 1)));
      _mm512_mask_storeu_epi64(x + ow, static_cast<__mmask8>(m & 0xff), first);
      _mm512_mask_storeu_epi64(x + ow + 8, static_cast<__mmask8>(m >> 8),
                               second);
    }
  }
}
#endif

void MaxPool2x2Plane(const float *plane, int64_t in_row, float *out,
                     int64_t out_row, int64_t *idx, int64_t idx_row, int64_t W,
                     int64_t OH, int64_t OW) {
#if defined(__x86_64__)
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  // Offsets within a window fit the 32-bit lanes.
  if (avx512 && !force_generic_pool && W < (int64_t{1} << 30)) {
    MaxPool2x2PlaneAvx512(plane, in_row, out, out_row, idx, idx_row, W, OH, OW);
    return;
  }
#endif
  MaxPool2x2PlaneGeneric(plane, in_row, out, out_row, idx, idx_row, W, OH, OW);
}

__attribute__((target_clones("avx2", "default"))) void
MaxPool2x2Plane(const double *plane, int64_t in_row, double *out,
                int64_t out_row, int64_t *idx, int64_t idx_row, int64_t W,
                int64_t OH, int64_t OW) {
  MaxPool2x2PlaneImpl(plane, in_row, out, out_row, idx, idx_row, W, OH, OW);
}

// One plane, one output row at a time: for each window position (kh, kw) a
// loop over the row's outputs updates their running max and argmax
// (UpdateRowMax). Visiting window positions in (kh, kw) order keeps ATen's
// tie-breaking: the first maximum wins, a NaN always wins.
template <typename T>
void MaxPoolPlane(const T *plane, Plane4 is, T *out, Plane4 os, int64_t *idx,
                  Plane4 xs, int64_t H, int64_t W, int64_t OH, int64_t OW,
                  int64_t KH, int64_t KW, int64_t sh, int64_t sw, int64_t ph,
                  int64_t pw, int64_t dh, int64_t dw) {
  thread_local std::vector<T> best_row;
  thread_local std::vector<int64_t> index_row;
  best_row.resize(static_cast<size_t>(OW));
  index_row.resize(static_cast<size_t>(OW));
  T *best = best_row.data();
  int64_t *index = index_row.data();
  for (int64_t oh = 0; oh < OH; ++oh) {
    // The window's first in-bounds row and its end.
    int64_t h0 = oh * sh - ph, h1 = std::min(h0 + (KH - 1) * dh + 1, H);
    while (h0 < 0)
      h0 += dh;
    for (int64_t ow = 0; ow < OW; ++ow) {
      int64_t w0 = ow * sw - pw;
      while (w0 < 0)
        w0 += dw;
      best[ow] = -std::numeric_limits<T>::infinity();
      index[ow] = h0 * W + w0; // ATen's index for an all -inf window
    }
    for (int64_t h = h0; h < h1; h += dh) {
      const T *row = plane + h * is.s2;
      for (int64_t kw = 0; kw < KW; ++kw) {
        // Outputs whose window column kw lies inside the input:
        // 0 <= ow * sw - pw + kw * dw < W.
        int64_t shift = kw * dw - pw;
        int64_t lo = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
        int64_t hi = W - 1 - shift < 0 ? 0 : (W - 1 - shift) / sw + 1;
        hi = std::min(hi, OW);
        UpdateRowMax(row, is.s3, lo * sw + shift, sw, h * W, lo, hi, best,
                     index);
      }
    }
    for (int64_t ow = 0; ow < OW; ++ow) {
      out[oh * os.s2 + ow * os.s3] = best[ow];
      idx[oh * xs.s2 + ow * xs.s3] = index[ow];
    }
  }
}

template <typename T>
void MaxPoolForward(int64_t N, int64_t C, int64_t H, int64_t W, int64_t OH,
                    int64_t OW, int64_t KH, int64_t KW, int64_t sh, int64_t sw,
                    int64_t ph, int64_t pw, int64_t dh, int64_t dw, const T *in,
                    Plane4 is, T *out, Plane4 os, int64_t *idx, Plane4 xs) {
  if (N <= 0 || C <= 0 || OH <= 0 || OW <= 0 || KH <= 0 || KW <= 0 || sh <= 0 ||
      sw <= 0 || dh <= 0 || dw <= 0)
    return;
  bool two_by_two = KH == 2 && KW == 2 && sh == 2 && sw == 2 && ph == 0 &&
                    pw == 0 && dh == 1 && dw == 1 && 2 * OH <= H &&
                    2 * OW <= W && is.s3 == 1 && os.s3 == 1 && xs.s3 == 1;
  ForPlanes(N, C, N * C * OH * OW * KH * KW, [=](int64_t n, int64_t c) {
    if (two_by_two) {
      MaxPool2x2Plane(in + n * is.s0 + c * is.s1, is.s2,
                      out + n * os.s0 + c * os.s1, os.s2,
                      idx + n * xs.s0 + c * xs.s1, xs.s2, W, OH, OW);
      return;
    }
    MaxPoolPlane(in + n * is.s0 + c * is.s1, is, out + n * os.s0 + c * os.s1,
                 os, idx + n * xs.s0 + c * xs.s1, xs, H, W, OH, OW, KH, KW, sh,
                 sw, ph, pw, dh, dw);
  });
}

#if defined(__x86_64__)
// The backward of a pool whose every index lies in its own 2x2 window at
// (2 oh, 2 ow), as the 2x2 stride-2 pool's do, for dense planes and unit
// column strides: each input position receives at most one gradient, so
// the plane is written once, the gradient or zero, 16 windows per step,
// instead of zeroed and then scattered into. Returns false, having written
// part of the plane, at the first block with an index elsewhere: the kernel
// does not know the pool's window, so a 3x3 pool's backward comes here too
// and leaves after one block. `0 + g` is the scatter's sum: -0.0 becomes
// +0.0 as in ATen.
__attribute__((target("avx512f"))) bool
MaxPool2x2BackwardPlaneAvx512(const float *go, int64_t go_row,
                              const int64_t *idx, int64_t idx_row, float *plane,
                              int64_t H, int64_t W, int64_t OH, int64_t OW) {
  // Output lane i's two columns, 2i and 2i + 1, in a block of 32.
  const __m512i low =
      _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i high = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28,
                                         13, 29, 14, 30, 15, 31);
  const __m512i lane2 = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
  const __m512i at_b = _mm512_set1_epi32(1);
  const __m512i at_c = _mm512_set1_epi32(static_cast<int32_t>(W));
  const __m512i at_d = _mm512_set1_epi32(static_cast<int32_t>(W + 1));
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t oh = 0; oh < OH; ++oh) {
    float *r0 = plane + 2 * oh * W;
    float *r1 = r0 + W;
    const float *g_row = go + oh * go_row;
    const int64_t *x_row = idx + oh * idx_row;
    for (int64_t ow = 0; ow < OW; ow += 16) {
      auto [m, lo, hi] = BlockMasks(std::min<int64_t>(16, OW - ow));
      // Each index less its window's corner, as 32-bit lanes: an index far
      // outside may alias a valid offset after truncation, so the range is
      // checked in 64 bits first.
      __m512i corner =
          _mm512_add_epi64(_mm512_set1_epi64(2 * oh * W + 2 * ow), lane2);
      __m512i first = _mm512_sub_epi64(
          _mm512_maskz_loadu_epi64(static_cast<__mmask8>(m & 0xff), x_row + ow),
          corner);
      __m512i second =
          _mm512_sub_epi64(_mm512_maskz_loadu_epi64(
                               static_cast<__mmask8>(m >> 8), x_row + ow + 8),
                           _mm512_add_epi64(corner, _mm512_set1_epi64(16)));
      const __m512i limit = _mm512_set1_epi64(W + 1);
      __mmask16 in_range = static_cast<__mmask16>(
          _mm512_cmp_epu64_mask(first, limit, _MM_CMPINT_LE) |
          (_mm512_cmp_epu64_mask(second, limit, _MM_CMPINT_LE) << 8));
      __m512i at = _mm512_inserti64x4(
          _mm512_castsi256_si512(_mm512_cvtepi64_epi32(first)),
          _mm512_cvtepi64_epi32(second), 1);
      __mmask16 is_a = _mm512_cmpeq_epi32_mask(at, _mm512_setzero_si512());
      __mmask16 is_b = _mm512_cmpeq_epi32_mask(at, at_b);
      __mmask16 is_c = _mm512_cmpeq_epi32_mask(at, at_c);
      __mmask16 is_d = _mm512_cmpeq_epi32_mask(at, at_d);
      if (m & ~(in_range & (is_a | is_b | is_c | is_d)))
        return false;
      __m512 g = _mm512_add_ps(zero, _mm512_maskz_loadu_ps(m, g_row + ow));
      __m512 a = _mm512_maskz_mov_ps(is_a, g), b = _mm512_maskz_mov_ps(is_b, g);
      __m512 c = _mm512_maskz_mov_ps(is_c, g), d = _mm512_maskz_mov_ps(is_d, g);
      _mm512_mask_storeu_ps(r0 + 2 * ow, lo, _mm512_permutex2var_ps(a, low, b));
      _mm512_mask_storeu_ps(r0 + 2 * ow + 16, hi,
                            _mm512_permutex2var_ps(a, high, b));
      _mm512_mask_storeu_ps(r1 + 2 * ow, lo, _mm512_permutex2var_ps(c, low, d));
      _mm512_mask_storeu_ps(r1 + 2 * ow + 16, hi,
                            _mm512_permutex2var_ps(c, high, d));
    }
    std::fill(r0 + 2 * OW, r0 + W, 0.0f);
    std::fill(r1 + 2 * OW, r1 + W, 0.0f);
  }
  std::fill(plane + 2 * OH * W, plane + H * W, 0.0f);
  return true;
}
#endif

// Runs the 2x2 backward above where it applies; false: it did not, or found
// an index outside its window.
template <typename T>
bool MaxPool2x2BackwardPlane(const T *, Plane4, const int64_t *, Plane4, T *,
                             int64_t, int64_t, int64_t, int64_t) {
  return false;
}

template <>
bool MaxPool2x2BackwardPlane(const float *go, Plane4 gs, const int64_t *idx,
                             Plane4 xs, float *plane, int64_t H, int64_t W,
                             int64_t OH, int64_t OW) {
#if defined(__x86_64__)
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  if (avx512 && !force_generic_pool && gs.s3 == 1 && xs.s3 == 1 && OH > 0 &&
      OW > 0 && 2 * OH <= H && 2 * OW <= W && W < (int64_t{1} << 30))
    return MaxPool2x2BackwardPlaneAvx512(go, gs.s2, idx, xs.s2, plane, H, W, OH,
                                         OW);
#endif
  return false;
}

template <typename T>
void MaxPoolBackward(int64_t N, int64_t C, int64_t H, int64_t W, int64_t OH,
                     int64_t OW, const T *go, Plane4 gs, const int64_t *idx,
                     Plane4 xs, T *gi, Plane4 is) {
  if (N <= 0 || C <= 0 || H <= 0 || W <= 0)
    return;
  ForPlanes(N, C, N * C * (H * W + OH * OW), [=](int64_t n, int64_t c) {
    T *plane = gi + n * is.s0 + c * is.s1;
    // A dense plane (the usual fresh buffer) is indexed by the flat index
    // directly; others need a division per gradient.
    bool dense = is.s3 == 1 && is.s2 == W;
    if (dense && MaxPool2x2BackwardPlane(go + n * gs.s0 + c * gs.s1, gs,
                                         idx + n * xs.s0 + c * xs.s1, xs, plane,
                                         H, W, OH, OW))
      return;
    if (dense) {
      std::fill(plane, plane + H * W, T(0));
    } else {
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          plane[h * is.s2 + w * is.s3] = T(0);
    }
    if (OH <= 0 || OW <= 0)
      return;
    const T *go_plane = go + n * gs.s0 + c * gs.s1;
    const int64_t *idx_plane = idx + n * xs.s0 + c * xs.s1;
    int64_t size = H * W;
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t index = idx_plane[oh * xs.s2 + ow * xs.s3];
        if (index < 0 || index >= size)
          continue;
        T g = go_plane[oh * gs.s2 + ow * gs.s3];
        if (dense)
          plane[index] += g;
        else
          plane[(index / W) * is.s2 + (index % W) * is.s3] += g;
      }
  });
}

} // namespace
} // namespace runtime
} // namespace ltc_mlir

using ltc_mlir::runtime::At;
using ltc_mlir::runtime::MaxPoolBackward;
using ltc_mlir::runtime::MaxPoolForward;
using ltc_mlir::runtime::Plane4;

#define LTC_MLIR_DEFINE_POOLING_KERNELS(T, CT)                                 \
  void ltc_mlir_max_pool2d_with_indices_##T(LTC_MLIR_MAX_POOL2D_PARAMS) {      \
    MaxPoolForward<CT>(                                                        \
        N, C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw,                    \
        At<const CT>(in_ptr, in_off), Plane4{in_s0, in_s1, in_s2, in_s3},      \
        At<CT>(out_ptr, out_off), Plane4{out_s0, out_s1, out_s2, out_s3},      \
        At<int64_t>(idx_ptr, idx_off),                                         \
        Plane4{idx_s0, idx_s1, idx_s2, idx_s3});                               \
  }                                                                            \
  void ltc_mlir_max_pool2d_with_indices_backward_##T(                          \
      LTC_MLIR_MAX_POOL2D_BACKWARD_PARAMS) {                                   \
    MaxPoolBackward<CT>(N, C, H, W, OH, OW, At<const CT>(go_ptr, go_off),      \
                        Plane4{go_s0, go_s1, go_s2, go_s3},                    \
                        At<const int64_t>(idx_ptr, idx_off),                   \
                        Plane4{idx_s0, idx_s1, idx_s2, idx_s3},                \
                        At<CT>(gi_ptr, gi_off),                                \
                        Plane4{gi_s0, gi_s1, gi_s2, gi_s3});                   \
  }

extern "C" {
LTC_MLIR_DEFINE_POOLING_KERNELS(f32, float)
LTC_MLIR_DEFINE_POOLING_KERNELS(f64, double)
} // extern "C"

namespace ltc_mlir {
namespace runtime {

void SetPortablePoolingForTesting(bool portable) {
  force_generic_pool = portable;
}

const CpuKernelSymbol *GetPoolingKernelSymbols(int *count) {
#define LTC_MLIR_POOLING_SYMBOLS(T)                                            \
  {"ltc_mlir_max_pool2d_with_indices_" #T,                                     \
   reinterpret_cast<void *>(&ltc_mlir_max_pool2d_with_indices_##T)},           \
  {                                                                            \
    "ltc_mlir_max_pool2d_with_indices_backward_" #T,                           \
        reinterpret_cast<void *>(                                              \
            &ltc_mlir_max_pool2d_with_indices_backward_##T)                    \
  }
  static const CpuKernelSymbol symbols[] = {LTC_MLIR_POOLING_SYMBOLS(f32),
                                            LTC_MLIR_POOLING_SYMBOLS(f64)};
#undef LTC_MLIR_POOLING_SYMBOLS
  *count = static_cast<int>(sizeof(symbols) / sizeof(symbols[0]));
  return symbols;
}

} // namespace runtime
} // namespace ltc_mlir
