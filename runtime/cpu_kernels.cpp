// Kernels called from compiled code. See cpu_kernels.h.
#include "runtime/cpu_kernels.h"
#include "runtime/graph_allocator.h"
#include "runtime/int64_array_hash.h"
#include "runtime/kernel_tuner.h"

#include "runtime/linalg_kernels.h"
#include "runtime/onednn_conv.h"
#include "runtime/onednn_gemm.h"
#include "runtime/parallel_for.h"
#include "runtime/pooling_kernels.h"
#include "runtime/winograd_conv.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ltc_mlir {
namespace runtime {
namespace {

// CBLAS constants (cblas.h).
constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

using SgemmFn = void (*)(int order, int trans_a, int trans_b, int m, int n,
                         int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c,
                         int ldc);
using SetThreadsFn = void (*)(int);
using GetThreadsFn = int (*)();

struct Blas {
  SgemmFn sgemm = nullptr;
  SetThreadsFn set_threads = nullptr;
  GetThreadsFn get_threads = nullptr;
};

// Loaded once. OpenBLAS first: it has the thread control; the generic CBLAS
// names are fallbacks. LTC_MLIR_DISABLE_BLAS=1 forces the plain loops.
const Blas &GetBlas() {
  static const Blas blas = [] {
    Blas b;
    const char *disable = std::getenv("LTC_MLIR_DISABLE_BLAS");
    if (disable != nullptr && disable[0] != '\0' && disable[0] != '0')
      return b;
    for (const char *name : {"libopenblas.so.0", "libopenblas.so",
                             "libcblas.so.3", "libblas.so.3"}) {
      void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr)
        continue;
      auto sgemm = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
      if (sgemm == nullptr) {
        dlclose(handle);
        continue;
      }
      b.sgemm = sgemm;
      b.set_threads = reinterpret_cast<SetThreadsFn>(
          dlsym(handle, "openblas_set_num_threads"));
      b.get_threads = reinterpret_cast<GetThreadsFn>(
          dlsym(handle, "openblas_get_num_threads"));
      if (b.set_threads == nullptr || b.get_threads == nullptr)
        b.set_threads = nullptr, b.get_threads = nullptr;
      break; // The handle stays open for the life of the process.
    }
    return b;
  }();
  return blas;
}

// While any kernel runs, OpenBLAS runs on its caller only: the kernels split
// their work over our pool themselves. OpenBLAS's own workers poll (with
// sched_yield) for about 0.1 s after every threaded call; on a small machine
// that polling took a core from the Python thread tracing the next step and
// from our pool. The setting is process-wide, so the first kernel to enter
// saves it and the last to leave restores it for eager PyTorch's calls.
class SerialBlasScope {
public:
  explicit SerialBlasScope(const Blas &blas) : blas_(blas) {
    if (blas_.set_threads == nullptr)
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (depth_++ == 0) {
      saved_ = blas_.get_threads();
      if (saved_ != 1)
        blas_.set_threads(1);
    }
  }
  ~SerialBlasScope() {
    if (blas_.set_threads == nullptr)
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (--depth_ == 0 && saved_ != 1)
      blas_.set_threads(saved_);
  }
  SerialBlasScope(const SerialBlasScope &) = delete;
  SerialBlasScope &operator=(const SerialBlasScope &) = delete;

private:
  const Blas &blas_;
  static std::mutex mutex_;
  static int depth_;
  static int saved_;
};
std::mutex SerialBlasScope::mutex_;
int SerialBlasScope::depth_ = 0;
int SerialBlasScope::saved_ = 1;

// Below this many multiply-adds a GEMM skips BLAS (measured: the encoder
// step made 2048 sgemm calls of 1 x 1 x 64).
constexpr int64_t kTinyMacs = 4096;

// Below this many multiply-adds a kernel runs on its caller alone: handing
// out shares (a wake-up, cache misses on another core) would cost about as
// much as the work, and a small step's GEMMs usually overlap Python's
// tracing of the next step, which needs the other core.
constexpr double kParallelMacs = double(int64_t{1} << 23);

// C[m,n] (+)= sum_k A[m,k] * B[k,n], all by strides.
void NaiveGemm(int64_t M, int64_t N, int64_t K, const float *a, int64_t sam,
               int64_t sak, const float *b, int64_t sbk, int64_t sbn, float *c,
               int64_t scm, int64_t scn, bool accumulate) {
  for (int64_t m = 0; m < M; ++m) {
    float *crow = c + m * scm;
    if (!accumulate)
      for (int64_t n = 0; n < N; ++n)
        crow[n * scn] = 0.0f;
    for (int64_t k = 0; k < K; ++k) {
      float av = a[m * sam + k * sak];
      const float *brow = b + k * sbk;
      for (int64_t n = 0; n < N; ++n)
        crow[n * scn] += av * brow[n * sbn];
    }
  }
}

bool FitsInt(int64_t v) { return v >= 0 && v <= INT_MAX; }

// How CBLAS can read a rows x cols matrix with element strides (si, sj)
// without a copy: row-major as is (NoTrans) or as the transpose of a
// row-major matrix (Trans).
bool BlasLayout(int64_t rows, int64_t cols, int64_t si, int64_t sj, int *trans,
                int64_t *ld) {
  int64_t min_row_ld = std::max<int64_t>(1, cols);
  if ((sj == 1 || cols == 1) && (rows == 1 || si >= min_row_ld)) {
    *trans = kNoTrans;
    *ld = rows == 1 ? min_row_ld : si;
    return FitsInt(*ld);
  }
  int64_t min_col_ld = std::max<int64_t>(1, rows);
  if ((si == 1 || rows == 1) && (cols == 1 || sj >= min_col_ld)) {
    *trans = kTrans;
    *ld = cols == 1 ? min_col_ld : sj;
    return FitsInt(*ld);
  }
  return false;
}

// Copies a strided rows x cols matrix into `packed`, row-major.
const float *Pack(const float *x, int64_t rows, int64_t cols, int64_t si,
                  int64_t sj, std::vector<float> &packed) {
  packed.resize(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      packed[i * cols + j] = x[i * si + j * sj];
  return packed.data();
}

// Which library runs each product (GemmKernel, cpu_kernels.h).
using GemmKey = std::array<int64_t, 9>;
using GemmTuner = KernelTuner<GemmKey, Int64ArrayHash, 3>;

std::string DescribeGemm(const GemmKey &k) {
  char text[160];
  std::snprintf(text, sizeof(text),
                "sgemm %c%c M=%lld N=%lld K=%lld lda %lld ldb %lld ldc %lld "
                "accumulate %lld",
                k[0] == kTrans ? 'T' : 'N', k[1] == kTrans ? 'T' : 'N',
                (long long)k[2], (long long)k[3], (long long)k[4],
                (long long)k[5], (long long)k[6], (long long)k[7],
                (long long)k[8]);
  return text;
}

bool DebugEnabled() {
  const char *env = std::getenv("LTC_MLIR_DEBUG");
  return env != nullptr && env[0] != '\0' && std::string(env) != "0";
}

GemmTuner &Gemms() {
  static const char *const kNames[] = {"auto", "openblas", "onednn"};
  static GemmTuner *tuner = [] { // outlives every caller
    const char *env = std::getenv("LTC_MLIR_GEMM");
    std::string name = env == nullptr ? "" : env;
    GemmKernel forced = name == "openblas" ? GemmKernel::kOpenBlas
                        : name == "onednn" ? GemmKernel::kOneDnn
                                           : GemmKernel::kAuto;
    return new GemmTuner(kGemmTuningRounds, int(GemmKernel::kOpenBlas), kNames,
                         DescribeGemm, int(forced), DebugEnabled());
  }();
  return *tuner;
}

// C = op(A) op(B) + beta C, all row-major, on this thread, by the library
// GemmKernel picks.
void RowMajorSgemm(const Blas &blas, int trans_a, int trans_b, int64_t M,
                   int64_t N, int64_t K, const float *a, int64_t lda,
                   const float *b, int64_t ldb, float beta, float *c,
                   int64_t ldc) {
  GemmTuner &tuner = Gemms();
  auto kernel = GemmKernel(tuner.forced());
  bool timed = false;
  GemmKey key; // of a tuned product
  if (kernel == GemmKernel::kAuto) {
    if (double(M) * double(N) * double(K) < double(kTunedGemmMacs)) {
      kernel = GemmKernel::kOpenBlas;
    } else {
      key = {trans_a, trans_b, M, N, K, lda, ldb, ldc, beta != 0.0f};
      kernel = GemmKernel(tuner.Pick(key,
                                     1u << int(GemmKernel::kOpenBlas) |
                                         1u << int(GemmKernel::kOneDnn),
                                     &timed));
    }
  }
  std::chrono::steady_clock::time_point start;
  if (timed)
    start = std::chrono::steady_clock::now();
  bool ran = kernel == GemmKernel::kOneDnn &&
             OneDnnSgemm(trans_a == kTrans, trans_b == kTrans, M, N, K, a, lda,
                         b, ldb, beta, c, ldc);
  if (!ran)
    blas.sgemm(kRowMajor, trans_a, trans_b, int(M), int(N), int(K), 1.0f, a,
               int(lda), b, int(ldb), beta, c, int(ldc));
  if (timed)
    tuner.Record(
        key, int(kernel), ran || kernel == GemmKernel::kOpenBlas,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
}

void StridedGemm(int64_t M, int64_t N, int64_t K, const float *a, int64_t sam,
                 int64_t sak, const float *b, int64_t sbk, int64_t sbn,
                 float *c, int64_t scm, int64_t scn, bool accumulate) {
  if (M <= 0 || N <= 0)
    return;
  if (K <= 0) {
    if (!accumulate)
      NaiveGemm(M, N, 0, a, sam, sak, b, sbk, sbn, c, scm, scn, false);
    return;
  }
  const Blas &blas = GetBlas();
  // Tiny products (a batch of dot products, say) cost less as plain loops
  // than a BLAS call's setup and packing.
  if (blas.sgemm == nullptr || double(M) * double(N) * double(K) < kTinyMacs ||
      !FitsInt(M) || !FitsInt(N) || !FitsInt(K) || !FitsInt(M * K) ||
      !FitsInt(K * N) || !FitsInt(M * N)) {
    NaiveGemm(M, N, K, a, sam, sak, b, sbk, sbn, c, scm, scn, accumulate);
    return;
  }
  thread_local std::vector<float> pack_a, pack_b, temp_c;
  int trans_a, trans_b;
  int64_t lda, ldb;
  if (!BlasLayout(M, K, sam, sak, &trans_a, &lda)) {
    a = Pack(a, M, K, sam, sak, pack_a);
    trans_a = kNoTrans;
    lda = K;
  }
  if (!BlasLayout(K, N, sbk, sbn, &trans_b, &ldb)) {
    b = Pack(b, K, N, sbk, sbn, pack_b);
    trans_b = kNoTrans;
    ldb = N;
  }
  int c_trans;
  int64_t ldc;
  if (BlasLayout(M, N, scm, scn, &c_trans, &ldc)) {
    float beta = accumulate ? 1.0f : 0.0f;
    if (c_trans == kNoTrans) {
      RowMajorSgemm(blas, trans_a, trans_b, M, N, K, a, lda, b, ldb, beta, c,
                    ldc);
      return;
    }
    // C stored by columns (a product writing its transpose): compute
    // C^T = op(B)^T op(A)^T, row-major N x M.
    auto flip = [](int trans) { return trans == kNoTrans ? kTrans : kNoTrans; };
    RowMajorSgemm(blas, flip(trans_b), flip(trans_a), N, M, K, b, ldb, a, lda,
                  beta, c, ldc);
    return;
  }
  // A result CBLAS cannot write in place: compute, then add it in.
  temp_c.resize(static_cast<size_t>(M * N));
  RowMajorSgemm(blas, trans_a, trans_b, M, N, K, a, lda, b, ldb, 0.0f,
                temp_c.data(), N);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      float &out = c[m * scm + n * scn];
      out = (accumulate ? out : 0.0f) + temp_c[m * N + n];
    }
}

// StridedGemm on up to `threads` threads: C's columns (or its rows, when it
// has more of them) in one contiguous block per thread, each block a
// single-threaded BLAS call. Blocks of columns start on multiples of 16, a
// whole number of OpenBLAS's micro-kernel width.
void SplitGemm(int threads, int64_t M, int64_t N, int64_t K, const float *a,
               int64_t sam, int64_t sak, const float *b, int64_t sbk,
               int64_t sbn, float *c, int64_t scm, int64_t scn,
               bool accumulate) {
  if (threads < 2 || double(M) * double(N) * double(K) < kParallelMacs) {
    StridedGemm(M, N, K, a, sam, sak, b, sbk, sbn, c, scm, scn, accumulate);
    return;
  }
  if (N >= M) {
    constexpr int64_t kUnit = 16;
    ParallelFor((N + kUnit - 1) / kUnit, threads, threads,
                [&](int64_t begin, int64_t end) {
                  int64_t n0 = begin * kUnit, n1 = std::min(N, end * kUnit);
                  StridedGemm(M, n1 - n0, K, a, sam, sak, b + n0 * sbn, sbk,
                              sbn, c + n0 * scn, scm, scn, accumulate);
                });
  } else {
    ParallelFor(M, threads, threads, [&](int64_t m0, int64_t m1) {
      StridedGemm(m1 - m0, N, K, a + m0 * sam, sam, sak, b, sbk, sbn,
                  c + m0 * scm, scm, scn, accumulate);
    });
  }
}

// WinogradConv3x3's GEMM: dense row-major operands.
void DenseGemm(int64_t M, int64_t N, int64_t K, const float *a, int64_t lda,
               const float *b, int64_t ldb, float *c, int64_t ldc) {
  StridedGemm(M, N, K, a, lda, 1, b, ldb, 1, c, ldc, 1, /*accumulate=*/false);
}

// im2col of one image: row k = (c, kh, kw) of the K x P matrix holds the
// input under that filter tap at each output position; rows start
// `row_stride` apart in `dst`.
void Im2colRows(const float *image, int64_t C, int64_t KH, int64_t KW,
                int64_t OH, int64_t OW, int64_t sh, int64_t sw, int64_t dh,
                int64_t dw, int64_t in_s1, int64_t in_s2, int64_t in_s3,
                float *dst, int64_t row_stride) {
  int64_t k = 0;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw, ++k) {
        float *row = dst + k * row_stride;
        for (int64_t oh = 0; oh < OH; ++oh, row += OW) {
          const float *src =
              image + c * in_s1 + (oh * sh + kh * dh) * in_s2 + kw * dw * in_s3;
          if (sw == 1 && in_s3 == 1) {
            std::memcpy(row, src, static_cast<size_t>(OW) * sizeof(float));
          } else {
            for (int64_t ow = 0; ow < OW; ++ow)
              row[ow] = src[ow * sw * in_s3];
          }
        }
      }
}

// One image as the convolution reads it: C x Hp x Wp, the input shifted by
// (ph, pw) with zeros around it. Without `copy` (no padding, windows inside
// the input) it is the input itself; otherwise a dense copy in this
// thread's scratch, valid until the thread's next call: one image's copy
// stays in cache, where a padded copy of the whole batch (what the compiled
// graph used to make) went through memory twice.
struct ImageView {
  const float *data;
  int64_t s1, s2, s3;
};

ImageView PadImage(bool copy, const float *image, int64_t C, int64_t H,
                   int64_t W, int64_t Hp, int64_t Wp, int64_t ph, int64_t pw,
                   int64_t in_s1, int64_t in_s2, int64_t in_s3) {
  if (!copy)
    return {image, in_s1, in_s2, in_s3};
  thread_local std::vector<float> scratch;
  scratch.assign(static_cast<size_t>(C * Hp * Wp), 0.0f);
  int64_t lo = std::min(pw, Wp), n = std::clamp<int64_t>(W, 0, Wp - lo);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t h = 0; h < Hp; ++h) {
      int64_t ih = h - ph;
      if (ih < 0 || ih >= H)
        continue;
      const float *src = image + c * in_s1 + ih * in_s2;
      float *dst = scratch.data() + (c * Hp + h) * Wp + lo;
      if (in_s3 == 1) {
        std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      } else {
        for (int64_t w = 0; w < n; ++w)
          dst[w] = src[w * in_s3];
      }
    }
  return {scratch.data(), Hp * Wp, Wp, 1};
}

// A batch of convolutions runs as one GEMM when its images have fewer output
// positions than this, its filter matrix at least this many columns (so
// that packing it per image would cost), and its im2col matrix at most this
// many elements. Measured: small filters (the CNN's, K = 9 or 144) ran
// slower batched, the result's extra pass costing more than the packing.
constexpr int64_t kBatchedConvMaxPositions = 256;
constexpr int64_t kBatchedConvMinK = 256;
constexpr int64_t kBatchedConvMaxElements = int64_t{8} << 20;

// Which kernel runs each convolution (ConvKernel, cpu_kernels.h). The
// fastest depends on the machine as much as on the shape. Measured on
// ResNet-18's 3x3 convolutions: on an AMD EPYC, Winograd beat eager
// PyTorch's oneDNN; on an Intel Xeon with AVX-512, oneDNN's direct kernels
// beat both Winograd and im2col by 1.3-1.7x, and oneDNN's Winograd beat its
// direct kernels by 1.5x on 56x56 and 28x28 images but lost on 7x7. So under
// kAuto a KernelTuner (kernel_tuner.h) picks per shape. LTC_MLIR_DEBUG=1
// prints each choice to stderr.
using ConvTuner = KernelTuner<Conv2dKey, Conv2dKeyHash, 5>;

std::string DescribeConv(const Conv2dKey &k) {
  char text[200];
  std::snprintf(text, sizeof(text),
                "conv2d N=%lld C=%lld %lldx%lld F=%lld window %lldx%lld "
                "stride %lld accumulate %lld threads %lld",
                (long long)k[0], (long long)k[1], (long long)k[2],
                (long long)k[3], (long long)k[4], (long long)k[5],
                (long long)k[6], (long long)k[9], (long long)k[27],
                (long long)k[28]);
  return text;
}

ConvTuner &Convs() {
  static const char *const kNames[] = {"auto", "onednn", "winograd", "im2col",
                                       "onednn_winograd"};
  static ConvTuner *tuner = [] { // outlives every caller
    const char *env = std::getenv("LTC_MLIR_CONV");
    std::string name = env == nullptr ? "" : env;
    ConvKernel forced = name == "onednn"     ? ConvKernel::kOneDnn
                        : name == "winograd" ? ConvKernel::kWinograd
                        : name == "im2col"   ? ConvKernel::kIm2col
                        : name == "onednn_winograd"
                            ? ConvKernel::kOneDnnWinograd
                            : ConvKernel::kAuto;
    return new ConvTuner(kConvTuningRounds, int(ConvKernel::kIm2col), kNames,
                         DescribeConv, int(forced), DebugEnabled());
  }();
  return *tuner;
}

// The filter as an F x K matrix: the filter itself when its rows are
// dense, else a copy packed as [F, C, KH, KW] in this thread's scratch
// (valid until the thread's next call). *row_stride receives the matrix's
// row stride.
const float *FilterMatrix(const Conv2dProblem &p, int64_t *row_stride) {
  thread_local std::vector<float> packed;
  const int64_t K = p.C * p.KH * p.KW;
  const int64_t *ws = p.w_s;
  if ((ws[3] == 1 || p.KW == 1) && ws[2] == p.KW * ws[3] &&
      ws[1] == p.KH * ws[2]) {
    *row_stride = ws[0];
    return p.w;
  }
  packed.resize(static_cast<size_t>(p.F * K));
  for (int64_t f = 0; f < p.F; ++f)
    for (int64_t c = 0; c < p.C; ++c)
      for (int64_t kh = 0; kh < p.KH; ++kh)
        for (int64_t kw = 0; kw < p.KW; ++kw)
          packed[((f * p.C + c) * p.KH + kh) * p.KW + kw] =
              p.w[f * ws[0] + c * ws[1] + kh * ws[2] + kw * ws[3]];
  *row_stride = K;
  return packed.data();
}

// im2col + GEMM, with its variants: pointwise convolutions of dense images
// skip the im2col; the weight gradient's shape builds it transposed; small
// images in a batch share one GEMM.
void Im2colConv(int threads, const Conv2dProblem &p) {
  const int64_t N = p.N, C = p.C, H = p.H, W = p.W, F = p.F, KH = p.KH,
                KW = p.KW, OH = p.OH, OW = p.OW, sh = p.sh, sw = p.sw,
                dh = p.dh, dw = p.dw, ph = p.ph, pw = p.pw;
  const int64_t in_s0 = p.in_s[0], in_s1 = p.in_s[1], in_s2 = p.in_s[2],
                in_s3 = p.in_s[3];
  const int64_t out_s0 = p.out_s[0], out_s1 = p.out_s[1], out_s2 = p.out_s[2],
                out_s3 = p.out_s[3];
  const float *in = p.in;
  float *out = p.out;
  const int64_t K = C * KH * KW, P = OH * OW;
  int64_t swf = 0;
  const float *wm = FilterMatrix(p, &swf);

  // The extent of the (padded) input the windows read, and whether each
  // image needs a padded copy (PadImage) for them.
  const int64_t Hp = (OH - 1) * sh + (KH - 1) * dh + 1;
  const int64_t Wp = (OW - 1) * sw + (KW - 1) * dw + 1;
  const bool pad_copy = ph != 0 || pw != 0 || Hp > H || Wp > W;

  // A pointwise convolution of a dense image needs no im2col: the image is
  // the K x P matrix already.
  bool direct = KH == 1 && KW == 1 && sh == 1 && sw == 1 && ph == 0 &&
                pw == 0 && (in_s3 == 1 || OW == 1) && in_s2 == OW * in_s3 &&
                OH == H && OW == W;
  // The weight gradient arrives as a convolution whose "filter" is the
  // output gradient: a large window and a tiny output. Its im2col matrix is
  // built transposed, so that the copies run along the window's rows.
  // (Its copies need unit-stride rows: the input's, or the padded copy's.)
  bool transposed_col = KW > OW && dw == 1 && (in_s3 == 1 || pad_copy);

  // Small images in a batch: one GEMM over all of them, W times
  // [col_0 | col_1 | ...], then each image's block added into its output.
  // A GEMM per image would pack the whole filter for a few columns (ResNet's
  // last stage: 512 x 4608 filters, 49 output positions per image).
  if (!direct && !transposed_col && N > 1 && P < kBatchedConvMaxPositions &&
      K >= kBatchedConvMinK && K * N * P <= kBatchedConvMaxElements) {
    const int64_t NP = N * P;
    ScratchFloats col_buffer(static_cast<size_t>(K * NP));
    ScratchFloats result_buffer(static_cast<size_t>(F * NP));
    float *col = col_buffer.data();
    const float *result = result_buffer.data();
    // Without memory for them, the per-image path below.
    if (col != nullptr && result != nullptr) {
      ParallelFor(N, threads, std::min<int64_t>(N, 4 * threads),
                  [&](int64_t n_begin, int64_t n_end) {
                    for (int64_t n = n_begin; n < n_end; ++n) {
                      ImageView image =
                          PadImage(pad_copy, in + n * in_s0, C, H, W, Hp, Wp,
                                   ph, pw, in_s1, in_s2, in_s3);
                      Im2colRows(image.data, C, KH, KW, OH, OW, sh, sw, dh, dw,
                                 image.s1, image.s2, image.s3, col + n * P, NP);
                    }
                  });
      SplitGemm(threads, F, NP, K, wm, swf, 1, col, NP, 1, result_buffer.data(),
                NP, 1, /*accumulate=*/false);
      ParallelFor(N, threads, std::min<int64_t>(N, 4 * threads),
                  [&](int64_t n_begin, int64_t n_end) {
                    for (int64_t n = n_begin; n < n_end; ++n)
                      for (int64_t f = 0; f < F; ++f) {
                        const float *src = result + f * NP + n * P;
                        float *dst = out + n * out_s0 + f * out_s1;
                        for (int64_t oh = 0; oh < OH; ++oh)
                          for (int64_t ow = 0; ow < OW; ++ow)
                            dst[oh * out_s2 + ow * out_s3] =
                                (p.accumulate ? dst[oh * out_s2 + ow * out_s3]
                                              : 0.0f) +
                                src[oh * OW + ow];
                      }
                  });
      return;
    }
  }

  // One image per share (its own im2col buffer); a batch smaller than the
  // thread count splits each image's GEMM instead.
  int gemm_threads = N >= threads ? 1 : threads;
  auto images = [&](int64_t n_begin, int64_t n_end) {
    thread_local std::vector<float> col;
    for (int64_t n = n_begin; n < n_end; ++n) {
      const float *bm = in + n * in_s0;
      int64_t sbk = in_s1, sbp = 1;
      if (!direct) {
        ImageView image = PadImage(pad_copy, in + n * in_s0, C, H, W, Hp, Wp,
                                   ph, pw, in_s1, in_s2, in_s3);
        col.resize(static_cast<size_t>(K * P));
        if (transposed_col) {
          // colT[p, k]: one row per output position, so that each copy is a
          // run of KW input elements rather than OW.
          float *dst = col.data();
          for (int64_t oh = 0; oh < OH; ++oh)
            for (int64_t ow = 0; ow < OW; ++ow)
              for (int64_t c = 0; c < C; ++c)
                for (int64_t kh = 0; kh < KH; ++kh) {
                  std::memcpy(dst,
                              image.data + c * image.s1 +
                                  (oh * sh + kh * dh) * image.s2 + ow * sw,
                              static_cast<size_t>(KW) * sizeof(float));
                  dst += KW;
                }
          sbk = 1;
          sbp = K;
        } else {
          Im2colRows(image.data, C, KH, KW, OH, OW, sh, sw, dh, dw, image.s1,
                     image.s2, image.s3, col.data(), P);
          sbk = P;
        }
        bm = col.data();
      }
      // out[n] as F x P: contiguous over (oh, ow) when rows are dense.
      float *image_out = out + n * out_s0;
      if ((out_s3 == 1 || OW == 1) && out_s2 == OW * out_s3) {
        SplitGemm(gemm_threads, F, P, K, wm, swf, 1, bm, sbk, sbp, image_out,
                  out_s1, 1, p.accumulate);
      } else {
        for (int64_t oh = 0; oh < OH; ++oh)
          SplitGemm(gemm_threads, F, OW, K, wm, swf, 1, bm + oh * OW * sbp, sbk,
                    sbp, image_out + oh * out_s2, out_s1, out_s3, p.accumulate);
      }
    }
  };
  if (gemm_threads == 1 && threads >= 2)
    ParallelFor(N, threads, std::min<int64_t>(N, 4 * threads), images);
  else
    images(0, N);
}

// Runs `kernel` on the problem; false if it could not (out untouched).
// *one_time (when given) says whether the call also did work that later
// calls will not repeat.
bool RunConv(ConvKernel kernel, int threads, const Conv2dProblem &p,
             bool *one_time = nullptr) {
  switch (kernel) {
  case ConvKernel::kOneDnn:
    return OneDnnConv2d(threads, p, OneDnnConvAlgorithm::kDirect);
  case ConvKernel::kOneDnnWinograd:
    return OneDnnConv2d(threads, p, OneDnnConvAlgorithm::kWinograd, one_time);
  case ConvKernel::kWinograd: {
    int64_t swf = 0;
    const float *wm = FilterMatrix(p, &swf);
    return WinogradConv3x3(threads, &DenseGemm, p.N, p.C, p.H, p.W, p.F, p.OH,
                           p.OW, p.ph, p.pw, p.in, p.in_s[0], p.in_s[1],
                           p.in_s[2], wm, swf, p.out, p.out_s[0], p.out_s[1],
                           p.out_s[2], p.out_s[3], p.accumulate);
  }
  case ConvKernel::kAuto:
  case ConvKernel::kIm2col:
    Im2colConv(threads, p);
    return true;
  }
  return false;
}

float *Ptr(int64_t ptr, int64_t off) {
  return reinterpret_cast<float *>(static_cast<intptr_t>(ptr)) + off;
}

} // namespace

bool CpuKernelsUseBlas() { return GetBlas().sgemm != nullptr; }

void SetCpuKernelThreads(int threads) {
  SetParallelForThreads(threads < 0 ? 0 : threads);
}

void SetConvKernel(ConvKernel kernel) { Convs().Force(int(kernel)); }

void SetGemmKernel(GemmKernel kernel) { Gemms().Force(int(kernel)); }

const CpuKernelSymbol *GetCpuKernelSymbols(int *count) {
  static const std::vector<CpuKernelSymbol> symbols = [] {
    std::vector<CpuKernelSymbol> all = {
        {"ltc_mlir_sgemm", reinterpret_cast<void *>(&ltc_mlir_sgemm)},
        {"ltc_mlir_conv2d_nchw",
         reinterpret_cast<void *>(&ltc_mlir_conv2d_nchw)},
        {"ltc_mlir_parallel_for",
         reinterpret_cast<void *>(&ltc_mlir_parallel_for)},
    };
    // Linear algebra (linalg_kernels.h).
    int linalg_count = 0;
    const CpuKernelSymbol *linalg = GetLinalgKernelSymbols(&linalg_count);
    all.insert(all.end(), linalg, linalg + linalg_count);
    // Max pooling with indices (pooling_kernels.h).
    int pooling_count = 0;
    const CpuKernelSymbol *pooling = GetPoolingKernelSymbols(&pooling_count);
    all.insert(all.end(), pooling, pooling + pooling_count);
    // The allocation functions of compiled graphs (graph_allocator.h).
    int allocator_count = 0;
    const CpuKernelSymbol *allocator =
        GetGraphAllocatorSymbols(&allocator_count);
    all.insert(all.end(), allocator, allocator + allocator_count);
    return all;
  }();
  *count = static_cast<int>(symbols.size());
  return symbols.data();
}

} // namespace runtime
} // namespace ltc_mlir

using ltc_mlir::runtime::Ptr;

extern "C" void ltc_mlir_sgemm(int64_t batch, int64_t M, int64_t N, int64_t K,
                               int64_t a_ptr, int64_t a_off, int64_t sab,
                               int64_t sam, int64_t sak, int64_t b_ptr,
                               int64_t b_off, int64_t sbb, int64_t sbk,
                               int64_t sbn, int64_t c_ptr, int64_t c_off,
                               int64_t scb, int64_t scm, int64_t scn,
                               int64_t accumulate) {
  using namespace ltc_mlir::runtime;
  const float *a = Ptr(a_ptr, a_off);
  const float *b = Ptr(b_ptr, b_off);
  float *c = Ptr(c_ptr, c_off);
  if (batch <= 0)
    return;
  SerialBlasScope serial(GetBlas());
  int threads = GetKernelThreads();
  bool parallel =
      threads >= 2 &&
      double(batch) * double(M) * double(N) * double(K) >= kParallelMacs;
  // Whole GEMMs per thread when there are enough of them; else each GEMM is
  // split.
  if (parallel && batch >= threads) {
    ParallelFor(batch, threads, std::min<int64_t>(batch, 4 * threads),
                [&](int64_t begin, int64_t end) {
                  for (int64_t i = begin; i < end; ++i)
                    StridedGemm(M, N, K, a + i * sab, sam, sak, b + i * sbb,
                                sbk, sbn, c + i * scb, scm, scn,
                                accumulate != 0);
                });
    return;
  }
  for (int64_t i = 0; i < batch; ++i)
    SplitGemm(parallel ? threads : 1, M, N, K, a + i * sab, sam, sak,
              b + i * sbb, sbk, sbn, c + i * scb, scm, scn, accumulate != 0);
}

extern "C" void ltc_mlir_conv2d_nchw(
    int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t KH,
    int64_t KW, int64_t OH, int64_t OW, int64_t sh, int64_t sw, int64_t dh,
    int64_t dw, int64_t ph, int64_t pw, int64_t in_ptr, int64_t in_off,
    int64_t in_s0, int64_t in_s1, int64_t in_s2, int64_t in_s3, int64_t w_ptr,
    int64_t w_off, int64_t w_s0, int64_t w_s1, int64_t w_s2, int64_t w_s3,
    int64_t out_ptr, int64_t out_off, int64_t out_s0, int64_t out_s1,
    int64_t out_s2, int64_t out_s3, int64_t accumulate) {
  if (N <= 0 || F <= 0 || OH <= 0 || OW <= 0)
    return;
  // Every path below reads only inside the H x W input (the rest is
  // padding), whatever the window sizes; nonsense sizes do nothing.
  if (C <= 0 || H <= 0 || W <= 0 || KH <= 0 || KW <= 0 || sh < 1 || sw < 1 ||
      dh < 1 || dw < 1 || ph < 0 || pw < 0)
    return;
  using namespace ltc_mlir::runtime;
  const Conv2dProblem p{N,
                        C,
                        H,
                        W,
                        F,
                        KH,
                        KW,
                        OH,
                        OW,
                        sh,
                        sw,
                        dh,
                        dw,
                        ph,
                        pw,
                        Ptr(in_ptr, in_off),
                        {in_s0, in_s1, in_s2, in_s3},
                        Ptr(w_ptr, w_off),
                        {w_s0, w_s1, w_s2, w_s3},
                        Ptr(out_ptr, out_off),
                        {out_s0, out_s1, out_s2, out_s3},
                        accumulate != 0};
  SerialBlasScope serial(GetBlas());

  // Small convolutions run on their caller alone (kParallelMacs).
  int threads = GetKernelThreads();
  if (double(N) * double(F) * double(OH * OW) * double(C * KH * KW) <
      kParallelMacs)
    threads = 1;

  // 3x3 stride-1 windows over enough channels and tiles: Winograd's
  // F(2x2, 3x3) does 16 multiplies per 2x2 outputs where im2col does 36
  // (oneDNN's F(4x4, 3x3): 36 per 4x4).
  const bool window3x3 =
      KH == 3 && KW == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1;
  unsigned candidates =
      1u << int(ConvKernel::kIm2col) | 1u << int(ConvKernel::kOneDnn);
  if (window3x3 && in_s3 == 1 && UseWinogradConv3x3(N, C, F, OH, OW))
    candidates |= 1u << int(ConvKernel::kWinograd);
  if (window3x3 && OH >= 4 && OW >= 4)
    candidates |= 1u << int(ConvKernel::kOneDnnWinograd);
  const Conv2dKey key = KeyOf(p, threads);
  bool timed = false;
  auto kernel = ConvKernel(Convs().Pick(key, candidates, &timed));
  auto start = std::chrono::steady_clock::now();
  bool one_time = false;
  bool ran = RunConv(kernel, threads, p, &one_time);
  if (timed)
    Convs().Record(
        key, int(kernel), ran,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        one_time);
  if (!ran)
    RunConv(ConvKernel::kIm2col, threads, p);
}
