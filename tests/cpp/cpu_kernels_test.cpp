// The runtime's GEMM and convolution kernels (runtime/cpu_kernels.h), called
// directly on odd sizes and strided/transposed operands, and through the CPU
// pipeline, whose ltc-linalg-to-kernel-calls pass emits the calls; every
// result is compared with a plain loop nest computed here.
#include "mlir_lowering/Pipeline/CpuPipeline.h"
#include "runtime/cpu_device.h"
#include "runtime/cpu_kernels.h"
#include "runtime/graph_inputs.h"
#include "runtime/onednn_conv.h"
#include "runtime/onednn_gemm.h"
#include "runtime/winograd_conv.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using ltc_mlir::runtime::DeviceBuffer;
using ltc_mlir::runtime::GetCpuDevice;
using ltc_mlir::runtime::ObjectCode;

std::vector<float> Random(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

int64_t Ptr(const float *p) {
  return static_cast<int64_t>(reinterpret_cast<intptr_t>(p));
}

void ExpectNear(const std::vector<float> &got, const std::vector<float> &want,
                float tolerance = 1e-4f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tolerance * (1.0f + std::fabs(want[i])))
        << "at " << i;
}

struct GemmCase {
  int64_t batch, M, N, K;
  bool trans_a, trans_b, strided_c, accumulate;
  bool c_by_columns = false;
};

// C[b] (+)= op(A[b]) * op(B[b]), with A stored as [b, K, M] when transposed,
// B as [b, N, K], and C with a padded pitch when strided_c, stored by rows
// ([b, M, pitch]) or, when c_by_columns, by columns ([b, N, pitch]), as a
// product that writes its transpose does.
void RunGemmCase(const GemmCase &t) {
  int64_t M = t.M, N = t.N, K = t.K;
  std::vector<float> a = Random(t.batch * M * K, 1);
  std::vector<float> b = Random(t.batch * K * N, 2);
  int64_t lines = t.c_by_columns ? N : M;
  int64_t pitch = (t.c_by_columns ? M : N) + (t.strided_c ? 3 : 0);
  int64_t scm = t.c_by_columns ? 1 : pitch;
  int64_t scn = t.c_by_columns ? pitch : 1;
  std::vector<float> c = Random(t.batch * lines * pitch, 3);
  // An overwrite must not read C: NaN there would survive a 0 * C.
  if (!t.accumulate)
    for (int64_t i = 0; i < t.batch; ++i)
      for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n)
          c[i * lines * pitch + m * scm + n * scn] = std::nanf("");
  std::vector<float> want = c;
  int64_t sam = t.trans_a ? 1 : K, sak = t.trans_a ? M : 1;
  int64_t sbk = t.trans_b ? 1 : N, sbn = t.trans_b ? K : 1;
  for (int64_t i = 0; i < t.batch; ++i)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        float sum = 0;
        for (int64_t k = 0; k < K; ++k)
          sum += a[i * M * K + m * sam + k * sak] *
                 b[i * K * N + k * sbk + n * sbn];
        float &out = want[i * lines * pitch + m * scm + n * scn];
        out = (t.accumulate ? out : 0.0f) + sum;
      }
  ltc_mlir_sgemm(t.batch, M, N, K, Ptr(a.data()), 0, M * K, sam, sak,
                 Ptr(b.data()), 0, K * N, sbk, sbn, Ptr(c.data()), 0,
                 lines * pitch, scm, scn, t.accumulate ? 1 : 0);
  ExpectNear(c, want);
}

// The no-BLAS variant of this test really runs the fallback loops, and the
// other one really runs OpenBLAS (tools/setup.sh installs it).
TEST(CpuKernelsTest, BlasFollowsTheEnvironment) {
  const char *disable = std::getenv("LTC_MLIR_DISABLE_BLAS");
  if (disable != nullptr && disable[0] == '1') {
    EXPECT_FALSE(ltc_mlir::runtime::CpuKernelsUseBlas());
  } else {
    EXPECT_TRUE(ltc_mlir::runtime::CpuKernelsUseBlas());
  }
}

// Runs the enclosing test's products on one forced library, and back to
// per-shape tuning at the end of the scope.
class ForceGemmKernel {
public:
  explicit ForceGemmKernel(ltc_mlir::runtime::GemmKernel kernel) {
    ltc_mlir::runtime::SetGemmKernel(kernel);
  }
  ~ForceGemmKernel() {
    ltc_mlir::runtime::SetGemmKernel(ltc_mlir::runtime::GemmKernel::kAuto);
  }
};

// Every shape on each library: OpenBLAS and oneDNN give the same results.
TEST(CpuKernelsTest, SgemmOddSizesTransposesBatches) {
  using ltc_mlir::runtime::GemmKernel;
  for (GemmKernel kernel : {GemmKernel::kOpenBlas, GemmKernel::kOneDnn}) {
    ForceGemmKernel force(kernel);
    const int64_t onednn = ltc_mlir::runtime::OneDnnSgemmCount();
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (bool sc : {false, true})
          for (bool acc : {false, true}) {
            SCOPED_TRACE(testing::Message()
                         << "kernel=" << int(kernel) << " ta=" << ta
                         << " tb=" << tb << " sc=" << sc << " acc=" << acc);
            RunGemmCase({1, 37, 29, 53, ta, tb, sc, acc});
            RunGemmCase({3, 5, 1, 7, ta, tb, sc, acc});
            RunGemmCase({2, 1, 9, 1, ta, tb, sc, acc});
            // C by columns, large enough for BLAS.
            RunGemmCase({2, 37, 29, 53, ta, tb, sc, acc, true});
            RunGemmCase({1, 64, 48, 40, ta, tb, sc, acc, true});
          }
    // 16 layouts x 4 calls large enough for a library (the batch of two
    // makes two; the plain loops take the rest, and all of them without
    // BLAS).
    const int64_t want =
        kernel == GemmKernel::kOneDnn && ltc_mlir::runtime::CpuKernelsUseBlas()
            ? 16 * 4
            : 0;
    EXPECT_EQ(ltc_mlir::runtime::OneDnnSgemmCount() - onednn, want);
  }
}

// Under per-shape tuning, the first calls of a large product run each
// library kGemmTuningRounds times, and every later call the one chosen;
// small products stay on OpenBLAS. Results are right throughout.
TEST(CpuKernelsTest, GemmLibraryIsTunedPerShape) {
  using ltc_mlir::runtime::kGemmTuningRounds;
  using ltc_mlir::runtime::OneDnnSgemmCount;
  ForceGemmKernel force(ltc_mlir::runtime::GemmKernel::kAuto);
  const bool blas = ltc_mlir::runtime::CpuKernelsUseBlas();
  int64_t onednn = OneDnnSgemmCount();
  for (int i = 0; i < 2 * kGemmTuningRounds; ++i)
    RunGemmCase({1, 128, 96, 128, false, true, false, i % 2 == 1});
  // Accumulating or not are two shapes, each tuned half-way.
  EXPECT_EQ(OneDnnSgemmCount() - onednn, blas ? kGemmTuningRounds : 0);
  for (int i = 0; i < 2 * kGemmTuningRounds; ++i)
    RunGemmCase({1, 128, 96, 128, false, true, false, i % 2 == 1});
  EXPECT_EQ(OneDnnSgemmCount() - onednn, blas ? 2 * kGemmTuningRounds : 0);
  // Both shapes chosen: each later call moves the count by 0 or 1.
  onednn = OneDnnSgemmCount();
  for (int i = 0; i < 4; ++i)
    RunGemmCase({1, 128, 96, 128, false, true, false, false});
  const int64_t moved = OneDnnSgemmCount() - onednn;
  EXPECT_TRUE(moved == 0 || (blas && moved == 4)) << "oneDNN ran " << moved;
  // Below kTunedGemmMacs: never oneDNN.
  static_assert(64 * 64 * 64 < ltc_mlir::runtime::kTunedGemmMacs, "");
  onednn = OneDnnSgemmCount();
  for (int i = 0; i < 2 * kGemmTuningRounds; ++i)
    RunGemmCase({1, 64, 64, 64, i % 2 == 0, false, false, false});
  EXPECT_EQ(OneDnnSgemmCount(), onednn);
}

TEST(CpuKernelsTest, SgemmNonUnitStridesArePacked) {
  // A read with strides (2*K, 2): every other column; C column-major.
  int64_t M = 6, N = 5, K = 4;
  std::vector<float> a = Random(M * 2 * K, 4), b = Random(K * N, 5);
  std::vector<float> c(M * N, 7.0f), want(M * N);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      float sum = 0;
      for (int64_t k = 0; k < K; ++k)
        sum += a[m * 2 * K + 2 * k] * b[k * N + n];
      want[n * M + m] = sum;
    }
  ltc_mlir_sgemm(1, M, N, K, Ptr(a.data()), 0, 0, 2 * K, 2, Ptr(b.data()), 0, 0,
                 N, 1, Ptr(c.data()), 0, 0, 1, M, 0);
  ExpectNear(c, want);
}

std::vector<float> NaiveConv(const std::vector<float> &in,
                             const std::vector<float> &w,
                             std::vector<float> out, int64_t N, int64_t C,
                             int64_t H, int64_t W, int64_t F, int64_t KH,
                             int64_t KW, int64_t OH, int64_t OW, int64_t s,
                             int64_t d) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          float sum = 0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw)
                sum += in[((n * C + c) * H + oh * s + kh * d) * W + ow * s +
                          kw * d] *
                       w[((f * C + c) * KH + kh) * KW + kw];
          out[((n * F + f) * OH + oh) * OW + ow] += sum;
        }
  return out;
}

// Runs the enclosing test's convolutions on one forced kernel, and back to
// per-shape tuning at the end of the scope.
class ForceConvKernel {
public:
  explicit ForceConvKernel(ltc_mlir::runtime::ConvKernel kernel) {
    ltc_mlir::runtime::SetConvKernel(kernel);
  }
  ~ForceConvKernel() {
    ltc_mlir::runtime::SetConvKernel(ltc_mlir::runtime::ConvKernel::kAuto);
  }
};

// The kernels a convolution test runs on: im2col, oneDNN and (where their
// window applies) both Winograds.
constexpr ltc_mlir::runtime::ConvKernel kConvKernels[] = {
    ltc_mlir::runtime::ConvKernel::kIm2col,
    ltc_mlir::runtime::ConvKernel::kOneDnn,
    ltc_mlir::runtime::ConvKernel::kWinograd,
    ltc_mlir::runtime::ConvKernel::kOneDnnWinograd};

// Whether this machine's oneDNN has its Winograd kernels (AVX-512 only):
// it runs a small 3x3 convolution with them.
bool OneDnnHasWinograd() {
  static const bool has = [] {
    std::vector<float> in(16 * 8 * 8, 1.0f), w(16 * 16 * 9, 1.0f),
        out(16 * 6 * 6, 0.0f);
    ltc_mlir::runtime::Conv2dProblem p{1,
                                       16,
                                       8,
                                       8,
                                       16,
                                       3,
                                       3,
                                       6,
                                       6,
                                       1,
                                       1,
                                       1,
                                       1,
                                       0,
                                       0,
                                       in.data(),
                                       {16 * 64, 64, 8, 1},
                                       w.data(),
                                       {16 * 9, 9, 3, 1},
                                       out.data(),
                                       {16 * 36, 36, 6, 1},
                                       false};
    return ltc_mlir::runtime::OneDnnConv2d(
        1, p, ltc_mlir::runtime::OneDnnConvAlgorithm::kWinograd);
  }();
  return has;
}

// Whether a call forced onto `kernel` runs oneDNN's Winograd: the window
// applies and the machine has it.
bool RunsOneDnnWinograd(ltc_mlir::runtime::ConvKernel kernel, int64_t KH,
                        int64_t KW, int64_t s, int64_t d) {
  return kernel == ltc_mlir::runtime::ConvKernel::kOneDnnWinograd && KH == 3 &&
         KW == 3 && s == 1 && d == 1 && OneDnnHasWinograd();
}

const char *ConvKernelName(ltc_mlir::runtime::ConvKernel kernel) {
  switch (kernel) {
  case ltc_mlir::runtime::ConvKernel::kOneDnn:
    return "onednn";
  case ltc_mlir::runtime::ConvKernel::kWinograd:
    return "winograd";
  case ltc_mlir::runtime::ConvKernel::kIm2col:
    return "im2col";
  case ltc_mlir::runtime::ConvKernel::kOneDnnWinograd:
    return "onednn_winograd";
  case ltc_mlir::runtime::ConvKernel::kAuto:
    break;
  }
  return "auto";
}

// omp_get_max_threads of libgomp (loaded with oneDNN), or -1.
int OpenMpMaxThreads() {
  auto get =
      reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  return get != nullptr ? get() : -1;
}

TEST(CpuKernelsTest, Conv2dAccumulatesOrOverwritesLikeLinalg) {
  OneDnnHasWinograd(); // its probe runs a convolution: not in a count below
  // oneDNN runs these small convolutions on one OpenMP thread.
  const int omp_threads = OpenMpMaxThreads();
  ASSERT_GT(omp_threads, 0);
  struct Case {
    int64_t N, C, H, W, F, KH, KW, s, d;
  };
  for (Case t :
       {Case{2, 3, 9, 11, 5, 3, 3, 1, 1}, Case{1, 2, 10, 9, 3, 3, 2, 2, 1},
        Case{3, 4, 6, 6, 2, 1, 1, 1, 1}, Case{1, 1, 9, 9, 2, 3, 3, 1, 2},
        // Window wider than the output (a weight gradient): the im2col
        // matrix is built transposed.
        Case{2, 3, 12, 13, 4, 10, 11, 1, 1},
        // A batch of small images with a large filter matrix: one GEMM.
        Case{2, 32, 7, 8, 5, 3, 3, 1, 1}, Case{3, 16, 9, 9, 4, 4, 4, 2, 1},
        Case{1, 2, 15, 15, 3, 9, 9, 2, 1}})
    for (ltc_mlir::runtime::ConvKernel kernel : kConvKernels)
      for (int64_t accumulate : {1, 0}) {
        SCOPED_TRACE(testing::Message()
                     << ConvKernelName(kernel) << " accumulate=" << accumulate
                     << " N=" << t.N << " C=" << t.C << " KH=" << t.KH);
        ForceConvKernel force(kernel);
        int64_t onednn_runs = ltc_mlir::runtime::OneDnnConvCount();
        int64_t winograd_runs = ltc_mlir::runtime::OneDnnWinogradConvCount();
        int64_t OH = (t.H - t.d * (t.KH - 1) - 1) / t.s + 1;
        int64_t OW = (t.W - t.d * (t.KW - 1) - 1) / t.s + 1;
        std::vector<float> in = Random(t.N * t.C * t.H * t.W, 6);
        std::vector<float> w = Random(t.F * t.C * t.KH * t.KW, 7);
        std::vector<float> out = Random(t.N * t.F * OH * OW, 8);
        // Overwriting: the old contents (NaN here) are never read.
        std::vector<float> want = NaiveConv(
            in, w, accumulate ? out : std::vector<float>(out.size(), 0.0f), t.N,
            t.C, t.H, t.W, t.F, t.KH, t.KW, OH, OW, t.s, t.d);
        if (!accumulate)
          std::fill(out.begin(), out.end(), std::nanf(""));
        ltc_mlir_conv2d_nchw(
            t.N, t.C, t.H, t.W, t.F, t.KH, t.KW, OH, OW, t.s, t.s, t.d, t.d, 0,
            0, Ptr(in.data()), 0, t.C * t.H * t.W, t.H * t.W, t.W, 1,
            Ptr(w.data()), 0, t.C * t.KH * t.KW, t.KH * t.KW, t.KW, 1,
            Ptr(out.data()), 0, t.F * OH * OW, OH * OW, OW, 1, accumulate);
        ExpectNear(out, want);
        // The calling thread's OpenMP width (eager PyTorch's thread count
        // on Python's thread) is as it was.
        EXPECT_EQ(OpenMpMaxThreads(), omp_threads);
        // oneDNN takes every one of these shapes.
        if (kernel == ltc_mlir::runtime::ConvKernel::kOneDnn)
          EXPECT_EQ(ltc_mlir::runtime::OneDnnConvCount(), onednn_runs + 1);
        if (RunsOneDnnWinograd(kernel, t.KH, t.KW, t.s, t.d))
          EXPECT_EQ(ltc_mlir::runtime::OneDnnWinogradConvCount(),
                    winograd_runs + 1);
      }
}

// `in` (N x C x H x W) inside zeros: ph, pw rows/columns before, qh, qw
// after.
std::vector<float> PadImage(const std::vector<float> &in, int64_t N, int64_t C,
                            int64_t H, int64_t W, int64_t ph, int64_t pw,
                            int64_t qh, int64_t qw) {
  int64_t Hp = H + ph + qh, Wp = W + pw + qw;
  std::vector<float> out(N * C * Hp * Wp, 0.0f);
  for (int64_t i = 0; i < N * C; ++i)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        out[(i * Hp + h + ph) * Wp + w + pw] = in[(i * H + h) * W + w];
  return out;
}

// Padding read as zeros around the unpadded input equals the convolution of
// the padded copy, on every kernel and path: im2col (strided and dilated
// windows, padding wider than the window reach), the transposed im2col of a
// weight gradient, the batched GEMM, Winograd and oneDNN.
TEST(CpuKernelsTest, Conv2dReadsPaddingAsZeros) {
  OneDnnHasWinograd();
  struct Case {
    int64_t N, C, H, W, F, KH, KW, s, d, ph, pw;
  };
  for (Case t : {Case{2, 3, 9, 11, 5, 3, 3, 1, 1, 1, 1},
                 Case{1, 2, 10, 9, 3, 3, 2, 2, 1, 2, 1},
                 Case{1, 1, 9, 9, 2, 3, 3, 1, 2, 2, 2},
                 Case{1, 2, 4, 5, 3, 3, 3, 1, 1, 3, 4},
                 Case{2, 3, 12, 13, 4, 12, 13, 1, 1, 1, 1},
                 Case{2, 32, 7, 8, 5, 3, 3, 1, 1, 1, 1},
                 Case{2, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1},
                 Case{1, 64, 15, 17, 64, 3, 3, 1, 1, 1, 2}})
    for (ltc_mlir::runtime::ConvKernel kernel : kConvKernels) {
      ForceConvKernel force(kernel);
      int64_t onednn_runs = ltc_mlir::runtime::OneDnnConvCount();
      int64_t winograd_runs = ltc_mlir::runtime::OneDnnWinogradConvCount();
      SCOPED_TRACE(testing::Message()
                   << ConvKernelName(kernel) << " N=" << t.N << " C=" << t.C
                   << " H=" << t.H << " KH=" << t.KH << " ph=" << t.ph
                   << " pw=" << t.pw);
      // Symmetric padding, as torch's convolutions have.
      int64_t Hp = t.H + 2 * t.ph, Wp = t.W + 2 * t.pw;
      int64_t OH = (Hp - t.d * (t.KH - 1) - 1) / t.s + 1;
      int64_t OW = (Wp - t.d * (t.KW - 1) - 1) / t.s + 1;
      std::vector<float> in = Random(t.N * t.C * t.H * t.W, 17);
      std::vector<float> w = Random(t.F * t.C * t.KH * t.KW, 18);
      std::vector<float> out = Random(t.N * t.F * OH * OW, 19);
      std::vector<float> padded =
          PadImage(in, t.N, t.C, t.H, t.W, t.ph, t.pw, t.ph, t.pw);
      std::vector<float> want = NaiveConv(padded, w, out, t.N, t.C, Hp, Wp, t.F,
                                          t.KH, t.KW, OH, OW, t.s, t.d);
      ltc_mlir_conv2d_nchw(
          t.N, t.C, t.H, t.W, t.F, t.KH, t.KW, OH, OW, t.s, t.s, t.d, t.d, t.ph,
          t.pw, Ptr(in.data()), 0, t.C * t.H * t.W, t.H * t.W, t.W, 1,
          Ptr(w.data()), 0, t.C * t.KH * t.KW, t.KH * t.KW, t.KW, 1,
          Ptr(out.data()), 0, t.F * OH * OW, OH * OW, OW, 1, 1);
      ExpectNear(out, want, 1e-3f);
      if (kernel == ltc_mlir::runtime::ConvKernel::kOneDnn)
        EXPECT_EQ(ltc_mlir::runtime::OneDnnConvCount(), onednn_runs + 1);
      // It refuses padding other than one row and column on each side.
      if (RunsOneDnnWinograd(kernel, t.KH, t.KW, t.s, t.d) && t.ph == 1 &&
          t.pw == 1)
        EXPECT_EQ(ltc_mlir::runtime::OneDnnWinogradConvCount(),
                  winograd_runs + 1);
    }
}

// Under per-shape tuning, the first calls of a shape run each kernel that
// applies kConvTuningRounds times, and every later call the one chosen;
// results are right throughout.
TEST(CpuKernelsTest, ConvolutionKernelIsTunedPerShape) {
  ForceConvKernel force(ltc_mlir::runtime::ConvKernel::kAuto);
  using ltc_mlir::runtime::kConvTuningRounds;
  const int64_t N = 2, C = 64, H = 20, W = 20, F = 64, OH = 18, OW = 18;
  std::vector<float> in = Random(N * C * H * W, 31);
  std::vector<float> w = Random(F * C * 9, 32);
  auto run = [&]() {
    std::vector<float> out = Random(N * F * OH * OW, 33);
    std::vector<float> want =
        NaiveConv(in, w, out, N, C, H, W, F, 3, 3, OH, OW, 1, 1);
    ltc_mlir_conv2d_nchw(N, C, H, W, F, 3, 3, OH, OW, 1, 1, 1, 1, 0, 0,
                         Ptr(in.data()), 0, C * H * W, H * W, W, 1,
                         Ptr(w.data()), 0, C * 9, 9, 3, 1, Ptr(out.data()), 0,
                         F * OH * OW, OH * OW, OW, 1, 1);
    ExpectNear(out, want, 1e-3f);
  };
  const bool onednn_winograd = OneDnnHasWinograd();
  int64_t onednn = ltc_mlir::runtime::OneDnnConvCount();
  int64_t winograd = ltc_mlir::runtime::WinogradConvCount();
  int64_t onednn_wino = ltc_mlir::runtime::OneDnnWinogradConvCount();
  // Three kernels apply: im2col, oneDNN and Winograd; four where oneDNN
  // has its Winograd.
  for (int i = 0; i < (onednn_winograd ? 4 : 3) * kConvTuningRounds; ++i)
    run();
  EXPECT_EQ(ltc_mlir::runtime::OneDnnConvCount() - onednn, kConvTuningRounds);
  EXPECT_EQ(ltc_mlir::runtime::WinogradConvCount() - winograd,
            kConvTuningRounds);
  EXPECT_EQ(ltc_mlir::runtime::OneDnnWinogradConvCount() - onednn_wino,
            onednn_winograd ? kConvTuningRounds : 0);
  // From here on one kernel: at most one of the two counters moves, by
  // every call.
  onednn = ltc_mlir::runtime::OneDnnConvCount();
  winograd = ltc_mlir::runtime::WinogradConvCount();
  onednn_wino = ltc_mlir::runtime::OneDnnWinogradConvCount();
  for (int i = 0; i < 3; ++i)
    run();
  int64_t moved[] = {ltc_mlir::runtime::OneDnnConvCount() - onednn,
                     ltc_mlir::runtime::WinogradConvCount() - winograd,
                     ltc_mlir::runtime::OneDnnWinogradConvCount() -
                         onednn_wino};
  int64_t total = moved[0] + moved[1] + moved[2];
  EXPECT_TRUE(total == 0 ||
              (total == 3 && (moved[0] == 3 || moved[1] == 3 || moved[2] == 3)))
      << "oneDNN ran " << moved[0] << " times, Winograd " << moved[1]
      << ", oneDNN's Winograd " << moved[2];
}

// oneDNN reorders a filter that is a graph input once per contents: later
// calls reuse the kept copy until the buffer is rewritten (a new contents
// id) or dropped, and a filter that is no graph input is reordered on every
// call. Results are right throughout, also after the filter changes.
TEST(CpuKernelsTest, OneDnnKeepsTheFiltersOfGraphInputs) {
  using namespace ltc_mlir::runtime;
  ForceConvKernel force(ConvKernel::kOneDnn);
  const int64_t N = 2, C = 32, H = 10, W = 10, F = 32, OH = 8, OW = 8;
  std::vector<float> in = Random(N * C * H * W, 41);
  std::vector<float> w1 = Random(F * C * 9, 42), w2 = Random(F * C * 9, 43);
  Device &device = GetCpuDevice();
  auto allocated = device.Allocate(w1.size() * sizeof(float));
  ASSERT_TRUE(allocated.ok());
  std::shared_ptr<DeviceBuffer> filter = std::move(*allocated);
  auto conv = [&](const float *w, const std::vector<float> &want_w) {
    std::vector<float> out(N * F * OH * OW, std::nanf(""));
    ltc_mlir_conv2d_nchw(N, C, H, W, F, 3, 3, OH, OW, 1, 1, 1, 1, 0, 0,
                         Ptr(in.data()), 0, C * H * W, H * W, W, 1, Ptr(w), 0,
                         C * 9, 9, 3, 1, Ptr(out.data()), 0, F * OH * OW,
                         OH * OW, OW, 1, 0);
    ExpectNear(out,
               NaiveConv(in, want_w, std::vector<float>(out.size(), 0.0f), N, C,
                         H, W, F, 3, 3, OH, OW, 1, 1),
               1e-3f);
  };
  auto as_input = [&]() {
    return GraphInput{filter->data(), filter->size_bytes(),
                      filter->contents_id()};
  };
  const size_t kept_before = OneDnnKeptFilterBytes();
  ASSERT_TRUE(
      device.CopyToDevice(w1.data(), w1.size() * sizeof(float), *filter).ok());
  const float *w = static_cast<const float *>(filter->data());
  {
    GraphInput input = as_input();
    ScopedGraphInputs scope(absl::MakeConstSpan(&input, 1));
    const int64_t reorders = OneDnnFilterReorderCount();
    conv(w, w1);
    // oneDNN wants this filter channel-blocked: one reorder, kept.
    EXPECT_EQ(OneDnnFilterReorderCount(), reorders + 1);
    EXPECT_GT(OneDnnKeptFilterBytes(), kept_before);
    conv(w, w1);
    conv(w, w1);
    EXPECT_EQ(OneDnnFilterReorderCount(), reorders + 1);
  }
  // Rewriting the buffer renews its id and drops the kept copy; the new
  // bytes are reordered again, not read from the old copy.
  ASSERT_TRUE(
      device.CopyToDevice(w2.data(), w2.size() * sizeof(float), *filter).ok());
  EXPECT_EQ(OneDnnKeptFilterBytes(), kept_before);
  {
    GraphInput input = as_input();
    ScopedGraphInputs scope(absl::MakeConstSpan(&input, 1));
    const int64_t reorders = OneDnnFilterReorderCount();
    conv(w, w2);
    conv(w, w2);
    EXPECT_EQ(OneDnnFilterReorderCount(), reorders + 1);
  }
  // Outside a graph's inputs: reordered on every call, nothing kept.
  {
    const int64_t reorders = OneDnnFilterReorderCount();
    const size_t kept = OneDnnKeptFilterBytes();
    std::vector<float> intermediate = w1;
    conv(intermediate.data(), w1);
    conv(intermediate.data(), w1);
    EXPECT_EQ(OneDnnFilterReorderCount(), reorders + 2);
    EXPECT_EQ(OneDnnKeptFilterBytes(), kept);
  }
  // Dropping the buffer frees its kept copy.
  filter.reset();
  EXPECT_EQ(OneDnnKeptFilterBytes(), kept_before);
}

// oneDNN's Winograd reads a filter that is a graph input channel-blocked on
// first sight; seen again, it transforms the filter once for its inference
// kernels, keeps it and says so (a one-time cost the tuner leaves out).
TEST(CpuKernelsTest, OneDnnWinogradTransformsAFilterSeenTwice) {
  using namespace ltc_mlir::runtime;
  if (!OneDnnHasWinograd())
    GTEST_SKIP() << "this machine's oneDNN has no Winograd kernels";
  const int64_t N = 2, C = 32, H = 12, W = 12, F = 32, OH = 12, OW = 12;
  std::vector<float> in = Random(N * C * H * W, 51);
  std::vector<float> w = Random(F * C * 9, 52);
  auto allocated = GetCpuDevice().Allocate(w.size() * sizeof(float));
  ASSERT_TRUE(allocated.ok());
  std::shared_ptr<DeviceBuffer> filter = std::move(*allocated);
  ASSERT_TRUE(GetCpuDevice()
                  .CopyToDevice(w.data(), w.size() * sizeof(float), *filter)
                  .ok());
  const std::vector<float> want =
      NaiveConv(PadImage(in, N, C, H, W, 1, 1, 1, 1), w,
                std::vector<float>(N * F * OH * OW, 0.0f), N, C, H + 2, W + 2,
                F, 3, 3, OH, OW, 1, 1);
  GraphInput input{filter->data(), filter->size_bytes(), filter->contents_id()};
  ScopedGraphInputs scope(absl::MakeConstSpan(&input, 1));
  const size_t kept_before = OneDnnKeptFilterBytes();
  auto conv = [&]() {
    std::vector<float> out(N * F * OH * OW, std::nanf(""));
    Conv2dProblem p{N,
                    C,
                    H,
                    W,
                    F,
                    3,
                    3,
                    OH,
                    OW,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    in.data(),
                    {C * H * W, H * W, W, 1},
                    static_cast<const float *>(filter->data()),
                    {C * 9, 9, 3, 1},
                    out.data(),
                    {F * OH * OW, OH * OW, OW, 1},
                    false};
    bool transformed = true;
    EXPECT_TRUE(
        OneDnnConv2d(1, p, OneDnnConvAlgorithm::kWinograd, &transformed));
    ExpectNear(out, want, 1e-3f);
    return transformed;
  };
  int64_t reorders = OneDnnFilterReorderCount();
  EXPECT_FALSE(conv()); // first sight: blocked, kept
  EXPECT_EQ(OneDnnFilterReorderCount(), reorders + 1);
  const size_t blocked = OneDnnKeptFilterBytes() - kept_before;
  EXPECT_GT(blocked, 0u);
  EXPECT_TRUE(conv()); // seen before: transformed, kept
  EXPECT_EQ(OneDnnFilterReorderCount(), reorders + 2);
  EXPECT_GT(OneDnnKeptFilterBytes(), kept_before + blocked);
  EXPECT_FALSE(conv()); // from then on, nothing to transform
  EXPECT_FALSE(conv());
  EXPECT_EQ(OneDnnFilterReorderCount(), reorders + 2);
}

// OpenBLAS's thread setting, when the library is there.
int OpenBlasThreads(int set = 0) {
  void *handle = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr)
    return -1;
  auto get =
      reinterpret_cast<int (*)()>(dlsym(handle, "openblas_get_num_threads"));
  auto put = reinterpret_cast<void (*)(int)>(
      dlsym(handle, "openblas_set_num_threads"));
  if (set > 0 && put != nullptr)
    put(set);
  return get != nullptr ? get() : -1;
}

// Above the size threshold, kernels split their work over two threads: by
// columns, by rows, by batch, by image and within one image. Each split must
// give the serial result, and OpenBLAS's own setting (which the kernels turn
// to one thread while they run) must come back unchanged for eager PyTorch.
TEST(CpuKernelsTest, LargeKernelsSplitOverThreads) {
  ltc_mlir::runtime::SetCpuKernelThreads(2);
  int blas_threads = OpenBlasThreads(/*set=*/2);
  for (bool ta : {false, true})
    for (bool acc : {false, true}) {
      SCOPED_TRACE(testing::Message() << "ta=" << ta << " acc=" << acc);
      RunGemmCase({1, 96, 301, 200, ta, !ta, false, acc});  // by columns
      RunGemmCase({1, 301, 40, 400, ta, false, true, acc}); // by rows
      RunGemmCase({3, 64, 100, 300, ta, ta, false, acc});   // by batch
    }
  struct Case {
    int64_t N, C, H, W, F;
  };
  // By image, within one image, and a batch of small images as one GEMM.
  for (Case t : {Case{4, 8, 34, 34, 32}, Case{1, 16, 34, 34, 64},
                 Case{8, 32, 14, 14, 64}}) {
    int64_t OH = t.H - 2, OW = t.W - 2;
    std::vector<float> in = Random(t.N * t.C * t.H * t.W, 9);
    std::vector<float> w = Random(t.F * t.C * 9, 10);
    std::vector<float> out = Random(t.N * t.F * OH * OW, 11);
    std::vector<float> want =
        NaiveConv(in, w, out, t.N, t.C, t.H, t.W, t.F, 3, 3, OH, OW, 1, 1);
    ltc_mlir_conv2d_nchw(t.N, t.C, t.H, t.W, t.F, 3, 3, OH, OW, 1, 1, 1, 1, 0,
                         0, Ptr(in.data()), 0, t.C * t.H * t.W, t.H * t.W, t.W,
                         1, Ptr(w.data()), 0, t.C * 9, 9, 3, 1, Ptr(out.data()),
                         0, t.F * OH * OW, OH * OW, OW, 1, 1);
    ExpectNear(out, want, 1e-3f);
  }
  EXPECT_EQ(OpenBlasThreads(), blas_threads);
  ltc_mlir::runtime::SetCpuKernelThreads(0);
}

// Through the pipeline: linear-style matmul with a transposed weight (a
// linalg.transpose that fusion folds into the product), a batched matmul and
// a padded convolution.
constexpr const char *kProducts = R"mlir(
func.func @graph(%x: tensor<33x17xf32>, %w: tensor<9x17xf32>,
                 %p: tensor<3x5x7xf32>, %q: tensor<3x7x4xf32>,
                 %img: tensor<2x3x8x8xf32>, %f: tensor<4x3x3x3xf32>)
    -> (tensor<33x9xf32>, tensor<3x5x4xf32>, tensor<2x4x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<17x9xf32>
  %wt = linalg.transpose ins(%w : tensor<9x17xf32>) outs(%e0 : tensor<17x9xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<33x9xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<33x9xf32>) -> tensor<33x9xf32>
  %0 = linalg.matmul ins(%x, %wt : tensor<33x17xf32>, tensor<17x9xf32>) outs(%z1 : tensor<33x9xf32>) -> tensor<33x9xf32>
  %e2 = tensor.empty() : tensor<3x5x4xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x5x4xf32>) -> tensor<3x5x4xf32>
  %1 = linalg.batch_matmul ins(%p, %q : tensor<3x5x7xf32>, tensor<3x7x4xf32>) outs(%z2 : tensor<3x5x4xf32>) -> tensor<3x5x4xf32>
  %padded = tensor.pad %img low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x3x8x8xf32> to tensor<2x3x10x10xf32>
  %e3 = tensor.empty() : tensor<2x4x8x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %f : tensor<2x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%z3 : tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return %0, %1, %2 : tensor<33x9xf32>, tensor<3x5x4xf32>, tensor<2x4x8x8xf32>
}
)mlir";

std::shared_ptr<DeviceBuffer> Upload(const std::vector<float> &v) {
  auto buffer = GetCpuDevice().Allocate(v.size() * sizeof(float));
  EXPECT_TRUE(buffer.ok());
  std::memcpy((*buffer)->data(), v.data(), v.size() * sizeof(float));
  return *buffer;
}

std::vector<float> Download(const DeviceBuffer &buffer) {
  std::vector<float> v(buffer.size_bytes() / sizeof(float));
  std::memcpy(v.data(), buffer.data(), buffer.size_bytes());
  return v;
}

TEST(CpuKernelsTest, PipelineEmitsKernelCalls) {
  mlir::DialectRegistry registry;
  mlir::ltc::registerCpuPipelineDialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(kProducts, &context);
  ASSERT_TRUE(module);
  std::string error;
  auto compiled = mlir::ltc::compileLinalgModuleToObject(*module, {}, error);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  // All three products became calls.
  const std::string &ir = compiled->llvmDialectIR;
  EXPECT_NE(ir.find("llvm.call @ltc_mlir_sgemm"), std::string::npos);
  EXPECT_NE(ir.find("llvm.call @ltc_mlir_conv2d_nchw"), std::string::npos);
  size_t calls = 0;
  for (size_t at = ir.find("llvm.call @ltc_mlir_sgemm");
       at != std::string::npos;
       at = ir.find("llvm.call @ltc_mlir_sgemm", at + 1))
    ++calls;
  EXPECT_EQ(calls, 2u);

  ObjectCode object{compiled->objectCode, compiled->entrySymbol,
                    compiled->inputBytes, compiled->outputBytes};
  auto executable = GetCpuDevice().Load(object);
  ASSERT_TRUE(executable.ok()) << executable.status();

  std::vector<float> x = Random(33 * 17, 11), w = Random(9 * 17, 12);
  std::vector<float> p = Random(3 * 5 * 7, 13), q = Random(3 * 7 * 4, 14);
  std::vector<float> img = Random(2 * 3 * 8 * 8, 15), f = Random(4 * 27, 16);
  std::vector<std::shared_ptr<DeviceBuffer>> inputs = {
      Upload(x), Upload(p), Upload(q), Upload(img), Upload(f)};
  inputs.insert(inputs.begin() + 1, Upload(w));
  std::vector<std::shared_ptr<DeviceBuffer>> outputs = {
      Upload(std::vector<float>(33 * 9, NAN)),
      Upload(std::vector<float>(3 * 5 * 4, NAN)),
      Upload(std::vector<float>(2 * 4 * 8 * 8, NAN))};
  std::vector<DeviceBuffer *> in_ptrs, out_ptrs;
  for (auto &b : inputs)
    in_ptrs.push_back(b.get());
  for (auto &b : outputs)
    out_ptrs.push_back(b.get());
  ASSERT_TRUE((*executable)->Execute(in_ptrs, out_ptrs).ok());

  std::vector<float> want0(33 * 9, 0.0f);
  for (int m = 0; m < 33; ++m)
    for (int n = 0; n < 9; ++n)
      for (int k = 0; k < 17; ++k)
        want0[m * 9 + n] += x[m * 17 + k] * w[n * 17 + k];
  ExpectNear(Download(*outputs[0]), want0);

  std::vector<float> want1(3 * 5 * 4, 0.0f);
  for (int b = 0; b < 3; ++b)
    for (int m = 0; m < 5; ++m)
      for (int n = 0; n < 4; ++n)
        for (int k = 0; k < 7; ++k)
          want1[(b * 5 + m) * 4 + n] +=
              p[(b * 5 + m) * 7 + k] * q[(b * 7 + k) * 4 + n];
  ExpectNear(Download(*outputs[1]), want1);

  std::vector<float> padded(2 * 3 * 10 * 10, 0.0f);
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 8; ++h)
        for (int v = 0; v < 8; ++v)
          padded[((n * 3 + c) * 10 + h + 1) * 10 + v + 1] =
              img[((n * 3 + c) * 8 + h) * 8 + v];
  std::vector<float> want2 =
      NaiveConv(padded, f, std::vector<float>(2 * 4 * 64, 0.0f), 2, 3, 10, 10,
                4, 3, 3, 8, 8, 1, 1);
  ExpectNear(Download(*outputs[2]), want2);
}

} // namespace

// 3x3 stride-1 convolutions with enough channels and tiles take Winograd's
// F(2x2, 3x3) path: odd and even output sizes (a last tile that reaches past
// the input), a taller input than the window needs, a strided output, and
// batches transformed in several chunks of tile rows, on one thread and
// split over two.
TEST(CpuKernelsTest, WinogradConvolutionMatchesTheDirectSum) {
  ForceConvKernel force(ltc_mlir::runtime::ConvKernel::kWinograd);
  struct Case {
    int64_t N, C, H, W, F;
    bool strided_out;
  };
  for (int threads : {1, 2})
    for (Case t :
         {Case{2, 64, 18, 18, 64, false}, Case{1, 64, 17, 19, 96, false},
          Case{3, 96, 12, 11, 64, true}, Case{8, 64, 34, 34, 64, false},
          // Chunks of tile rows that straddle two images.
          Case{2, 64, 36, 36, 64, false}}) {
      SCOPED_TRACE(testing::Message()
                   << "threads=" << threads << " N=" << t.N << " H=" << t.H
                   << " W=" << t.W << " F=" << t.F);
      ltc_mlir::runtime::SetCpuKernelThreads(threads);
      int64_t OH = t.H - 2, OW = t.W - 2;
      int64_t runs = ltc_mlir::runtime::WinogradConvCount();
      std::vector<float> in = Random(t.N * t.C * t.H * t.W, 12);
      std::vector<float> w = Random(t.F * t.C * 9, 13);
      std::vector<float> out = Random(t.N * t.F * OH * OW, 14);
      std::vector<float> want =
          NaiveConv(in, w, out, t.N, t.C, t.H, t.W, t.F, 3, 3, OH, OW, 1, 1);
      if (!t.strided_out) {
        ltc_mlir_conv2d_nchw(t.N, t.C, t.H, t.W, t.F, 3, 3, OH, OW, 1, 1, 1, 1,
                             0, 0, Ptr(in.data()), 0, t.C * t.H * t.W,
                             t.H * t.W, t.W, 1, Ptr(w.data()), 0, t.C * 9, 9, 3,
                             1, Ptr(out.data()), 0, t.F * OH * OW, OH * OW, OW,
                             1, /*accumulate=*/1);
        EXPECT_EQ(ltc_mlir::runtime::WinogradConvCount(), runs + 1);
        ExpectNear(out, want, 1e-3f);
        continue;
      }
      // The output as the NHWC-ordered view of an N x OH x OW x F buffer,
      // overwritten: its old contents (NaN) are never read.
      want = NaiveConv(in, w, std::vector<float>(out.size(), 0.0f), t.N, t.C,
                       t.H, t.W, t.F, 3, 3, OH, OW, 1, 1);
      std::vector<float> nhwc(out.size(), std::nanf(""));
      ltc_mlir_conv2d_nchw(t.N, t.C, t.H, t.W, t.F, 3, 3, OH, OW, 1, 1, 1, 1, 0,
                           0, Ptr(in.data()), 0, t.C * t.H * t.W, t.H * t.W,
                           t.W, 1, Ptr(w.data()), 0, t.C * 9, 9, 3, 1,
                           Ptr(nhwc.data()), 0, OH * OW * t.F, 1, OW * t.F, t.F,
                           /*accumulate=*/0);
      for (int64_t n = 0; n < t.N; ++n)
        for (int64_t f = 0; f < t.F; ++f)
          for (int64_t i = 0; i < OH * OW; ++i)
            out[(n * t.F + f) * OH * OW + i] =
                nhwc[(n * OH * OW + i) * t.F + f];
      EXPECT_EQ(ltc_mlir::runtime::WinogradConvCount(), runs + 1);
      ExpectNear(out, want, 1e-3f);
    }
  ltc_mlir::runtime::SetCpuKernelThreads(0);
}
