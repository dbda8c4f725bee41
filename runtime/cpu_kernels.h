// Hand-written f32 kernels that compiled code calls instead of generated loops
// (the CPU pipeline's ltc-linalg-to-kernel-calls pass emits the calls): a
// batched GEMM on arbitrarily strided operands and an NCHW 2-d convolution
// (oneDNN, Winograd or im2col + GEMM, chosen per shape). The GEMMs run on
// OpenBLAS's cblas_sgemm when the library can be loaded, and on a plain loop
// nest otherwise, so a missing library costs speed, never correctness.
//
// Pointers arrive as int64 (the generated code extracts them from memref
// descriptors as integers); offsets and strides count elements.
#ifndef LTC_MLIR_RUNTIME_CPU_KERNELS_H_
#define LTC_MLIR_RUNTIME_CPU_KERNELS_H_

#include <cstdint>

extern "C" {

// For b < batch, m < M, n < N:
//   C[b,m,n] = (accumulate ? C[b,m,n] : 0) + sum_{k<K} A[b,m,k] * B[b,k,n]
// where X[b,i,j] = X_ptr[X_off + b*sXb + i*sXi + j*sXj].
void ltc_mlir_sgemm(int64_t batch, int64_t M, int64_t N, int64_t K,
                    int64_t a_ptr, int64_t a_off, int64_t sab, int64_t sam,
                    int64_t sak, int64_t b_ptr, int64_t b_off, int64_t sbb,
                    int64_t sbk, int64_t sbn, int64_t c_ptr, int64_t c_off,
                    int64_t scb, int64_t scm, int64_t scn, int64_t accumulate);

// linalg.conv_2d_nchw_fchw, optionally over a zero-padded view of the input:
//   out[n,f,oh,ow] = (accumulate ? out[n,f,oh,ow] : 0) + sum_{c,kh,kw}
//       in[n, c, oh*sh + kh*dh - ph, ow*sw + kw*dw - pw] * w[f, c, kh, kw]
// where input positions outside [0, H) x [0, W) read as zeros, so that a
// padding copy need not be made (ph, pw: the padding before the first row
// and column; the padding after them is implied by OH and OW). Each tensor
// is (ptr, offset, 4 strides); sizes: N, C, H, W of the (unpadded) input,
// F, KH, KW of the filter, OH, OW of the output. Without `accumulate` the
// output's old contents are never read (the compiler drops the zero fill
// before such a call).
void ltc_mlir_conv2d_nchw(int64_t N, int64_t C, int64_t H, int64_t W, int64_t F,
                          int64_t KH, int64_t KW, int64_t OH, int64_t OW,
                          int64_t sh, int64_t sw, int64_t dh, int64_t dw,
                          int64_t ph, int64_t pw, int64_t in_ptr,
                          int64_t in_off, int64_t in_s0, int64_t in_s1,
                          int64_t in_s2, int64_t in_s3, int64_t w_ptr,
                          int64_t w_off, int64_t w_s0, int64_t w_s1,
                          int64_t w_s2, int64_t w_s3, int64_t out_ptr,
                          int64_t out_off, int64_t out_s0, int64_t out_s1,
                          int64_t out_s2, int64_t out_s3, int64_t accumulate);

} // extern "C"

namespace ltc_mlir {
namespace runtime {

// Whether the kernels above run on OpenBLAS (false: the plain loops).
bool CpuKernelsUseBlas();

// Threads the kernels above and the generated loops may use (the runtime's
// pool, parallel_for.h); 0 (the default) means all hardware threads. The lazy
// backend passes torch.get_num_threads() here so that both agree. OpenBLAS
// itself runs single-threaded while a kernel runs (cpu_kernels.cpp says why).
void SetCpuKernelThreads(int threads);

// The kernel that runs ltc_mlir_conv2d_nchw's convolutions: oneDNN's direct
// one (onednn_conv.h), our Winograd F(2x2, 3x3) (winograd_conv.h; 3x3
// stride-1 windows over enough channels), im2col + GEMM (any convolution),
// or oneDNN's Winograd F(4x4, 3x3) (3x3 stride-1 windows, on AVX-512
// machines). Under kAuto, the default, the first calls of each problem shape
// and thread count run each kernel that applies kConvTuningRounds times in
// turn (the first round untimed), and later calls run the fastest. Forcing a
// kernel that does not apply to a convolution runs im2col.
// LTC_MLIR_CONV=auto|onednn|winograd|im2col|onednn_winograd sets it at first
// use; setting it again starts the tuning afresh.
enum class ConvKernel {
  kAuto = 0,
  kOneDnn = 1,
  kWinograd = 2,
  kIm2col = 3,
  kOneDnnWinograd = 4
};
constexpr int kConvTuningRounds = 3;
void SetConvKernel(ConvKernel kernel);

// The library that runs ltc_mlir_sgemm's products: OpenBLAS or oneDNN
// (onednn_gemm.h). Measured on an Intel Xeon (AVX-512, one thread, calls
// alternated): oneDNN ran most of the encoder layer's 512-row products
// 1.1-1.36x faster than OpenBLAS, two of them at about the same speed, and
// OpenBLAS the attention's 64x64x64 ones 1.1-1.5x faster; the CNN's im2col
// products ran slower on oneDNN at two threads. Under kAuto, the default,
// products of kTunedGemmMacs multiply-adds or more are tuned per shape
// (transposes, sizes, leading dimensions, accumulation) as convolutions are
// (kernel_tuner.h), kGemmTuningRounds runs of each library, and smaller ones
// run on OpenBLAS. LTC_MLIR_GEMM=auto|openblas|onednn sets it at first use.
enum class GemmKernel { kAuto = 0, kOpenBlas = 1, kOneDnn = 2 };
constexpr int kGemmTuningRounds = 4;
constexpr int64_t kTunedGemmMacs = int64_t{1} << 20;
void SetGemmKernel(GemmKernel kernel);

// Name and address of each kernel, for the JIT's symbol table.
struct CpuKernelSymbol {
  const char *name;
  void *address;
};
const CpuKernelSymbol *GetCpuKernelSymbols(int *count);

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_CPU_KERNELS_H_
