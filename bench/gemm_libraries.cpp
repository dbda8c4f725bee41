// Times the runtime's GEMM kernel (ltc_mlir_sgemm) on OpenBLAS against oneDNN
// for the products of the benchmark's encoder-layer step, calls alternating
// between the two libraries so that the machine's slow phases hit both alike.
// Prints each library's median time and the median of the paired ratios.
//
//   bazel run //bench:gemm_libraries -- [threads] [pairs]
//
// Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE first (bench.py does) for
// OpenBLAS's best kernels on this machine.
#include "runtime/cpu_kernels.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

using ltc_mlir::runtime::GemmKernel;

struct Product {
  bool trans_a, trans_b;
  int64_t batch, M, N, K;
};

// The encoder layer's training step (d_model 256, ff 1024, 8 x 64 tokens,
// 4 heads): its linear layers forward and backward, and the attention's
// batched products.
constexpr Product kProducts[] = {
    {false, true, 1, 512, 768, 256},   {false, true, 1, 512, 256, 256},
    {false, true, 1, 512, 1024, 256},  {false, true, 1, 512, 256, 1024},
    {false, false, 1, 512, 256, 256},  {false, false, 1, 512, 256, 1024},
    {false, false, 1, 512, 1024, 256}, {true, false, 1, 768, 256, 512},
    {true, false, 1, 256, 256, 512},   {true, false, 1, 256, 1024, 512},
    {true, false, 1, 1024, 256, 512},  {false, true, 32, 64, 64, 64},
    {false, false, 32, 64, 64, 64},    {true, false, 32, 64, 64, 64},
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int64_t Ptr(const float *p) {
  return static_cast<int64_t>(reinterpret_cast<intptr_t>(p));
}

// One call of `p` on `kernel`, in seconds.
double Run(const Product &p, GemmKernel kernel, const std::vector<float> &a,
           const std::vector<float> &b, std::vector<float> &c) {
  ltc_mlir::runtime::SetGemmKernel(kernel);
  // A stored [K, M] when transposed, B [N, K]; C row-major.
  const int64_t sam = p.trans_a ? 1 : p.K, sak = p.trans_a ? p.M : 1;
  const int64_t sbk = p.trans_b ? 1 : p.N, sbn = p.trans_b ? p.K : 1;
  auto start = std::chrono::steady_clock::now();
  ltc_mlir_sgemm(p.batch, p.M, p.N, p.K, Ptr(a.data()), 0, p.M * p.K, sam, sak,
                 Ptr(b.data()), 0, p.K * p.N, sbk, sbn, Ptr(c.data()), 0,
                 p.M * p.N, p.N, 1, /*accumulate=*/0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

int main(int argc, char **argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int pairs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 60;
  ltc_mlir::runtime::SetCpuKernelThreads(threads);
  if (!ltc_mlir::runtime::CpuKernelsUseBlas()) {
    std::fprintf(stderr, "OpenBLAS could not be loaded\n");
    return 1;
  }
  std::printf("%d thread(s), %d alternating pairs per product\n", threads,
              pairs);
  std::printf("%-3s %5s %5s %5s %5s %12s %12s %16s\n", "op", "batch", "M", "N",
              "K", "openblas ms", "onednn ms", "openblas/onednn");
  double total[2] = {0, 0};
  for (const Product &p : kProducts) {
    std::vector<float> a(p.batch * p.M * p.K, 0.5f);
    std::vector<float> b(p.batch * p.K * p.N, 0.25f);
    std::vector<float> c(p.batch * p.M * p.N);
    std::vector<double> blas, dnn, ratio;
    for (int i = 0; i <= pairs; ++i) {
      // Alternate which library goes first; the first pair warms up.
      GemmKernel first = i % 2 ? GemmKernel::kOneDnn : GemmKernel::kOpenBlas;
      GemmKernel second = i % 2 ? GemmKernel::kOpenBlas : GemmKernel::kOneDnn;
      double t1 = Run(p, first, a, b, c), t2 = Run(p, second, a, b, c);
      if (i == 0)
        continue;
      double tb = first == GemmKernel::kOpenBlas ? t1 : t2;
      double td = first == GemmKernel::kOpenBlas ? t2 : t1;
      blas.push_back(tb);
      dnn.push_back(td);
      ratio.push_back(tb / td);
    }
    total[0] += Median(blas);
    total[1] += Median(dnn);
    std::printf("%c%c  %5lld %5lld %5lld %5lld %12.3f %12.3f %16.2f\n",
                p.trans_a ? 'T' : 'N', p.trans_b ? 'T' : 'N',
                (long long)p.batch, (long long)p.M, (long long)p.N,
                (long long)p.K, Median(blas) * 1e3, Median(dnn) * 1e3,
                Median(ratio));
  }
  std::printf("sum of medians: openblas %.2f ms, onednn %.2f ms\n",
              total[0] * 1e3, total[1] * 1e3);
  ltc_mlir::runtime::SetGemmKernel(GemmKernel::kAuto);
  return 0;
}
