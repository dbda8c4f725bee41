// A 3x3, stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3):
// each 2x2 block of outputs costs 16 multiplies per (input, output) channel
// pair instead of 36. The filter and 4x4 input tiles are transformed so that
// the channel sums become 16 independent GEMMs (F x C times C x tiles), and
// the 16 products are transformed back into 2x2 output blocks.
//
// Internal to the runtime: cpu_kernels.cpp calls it for
// ltc_mlir_conv2d_nchw's eligible shapes and passes its own GEMM.
#ifndef LTC_MLIR_RUNTIME_WINOGRAD_CONV_H_
#define LTC_MLIR_RUNTIME_WINOGRAD_CONV_H_

#include <cstdint>

namespace ltc_mlir {
namespace runtime {

// C[m, n] = sum_k A[m, k] * B[k, n] over dense row-major matrices with leading
// dimensions lda, ldb, ldc; single-threaded.
using DenseGemmFn = void (*)(int64_t M, int64_t N, int64_t K, const float *a,
                             int64_t lda, const float *b, int64_t ldb, float *c,
                             int64_t ldc);

// Whether WinogradConv3x3 is worth using for this shape (and allowed:
// LTC_MLIR_WINOGRAD=0 turns it off).
bool UseWinogradConv3x3(int64_t N, int64_t C, int64_t F, int64_t OH,
                        int64_t OW);

// out[n, f, oh, ow] = (accumulate ? out[n, f, oh, ow] : 0) +
//     sum_{c, kh, kw} in[n, c, oh + kh - ph, ow + kw - pw] *
//                     w[f, c * 9 + kh * 3 + kw]
// for an input of N x C x H x W whose rows are dense (in_s3 == 1), positions
// outside it reading as zeros (padding), and a filter given as an F x 9C
// matrix with row stride w_sf. `threads` bounds the runtime pool threads
// used.
// Returns false, having written nothing, when its work buffers cannot be
// allocated (or the sizes do not fit).
bool WinogradConv3x3(int threads, DenseGemmFn gemm, int64_t N, int64_t C,
                     int64_t H, int64_t W, int64_t F, int64_t OH, int64_t OW,
                     int64_t ph, int64_t pw, const float *in, int64_t in_s0,
                     int64_t in_s1, int64_t in_s2, const float *w, int64_t w_sf,
                     float *out, int64_t out_s0, int64_t out_s1, int64_t out_s2,
                     int64_t out_s3, bool accumulate);

// How many convolutions WinogradConv3x3 has run in this process (for tests).
int64_t WinogradConvCount();

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_WINOGRAD_CONV_H_
