// 2-d convolutions through oneDNN, the library LibTorch's own CPU
// convolutions call (it ships with LibTorch's Debian package). Its JIT
// kernels work on channel-blocked layouts; the NCHW tensors of compiled
// graphs are reordered into them and the result back, as eager PyTorch
// does. A filter that is an input of the running graph is reordered once
// per contents and kept. ltc_mlir_conv2d_nchw (cpu_kernels.h) measures this
// path against its own kernels per problem shape and keeps the faster.
#ifndef LTC_MLIR_RUNTIME_ONEDNN_CONV_H_
#define LTC_MLIR_RUNTIME_ONEDNN_CONV_H_

#include "runtime/conv2d_problem.h"

#include <cstddef>
#include <cstdint>

namespace ltc_mlir {
namespace runtime {

// oneDNN's direct convolution, or its Winograd F(4x4, 3x3) (3x3 stride-1
// windows; oneDNN 2.6 has it for AVX-512 machines only, and refuses it
// elsewhere).
enum class OneDnnConvAlgorithm { kDirect = 0, kWinograd = 1 };

// out (+)= conv(in, w) on up to `threads` threads. Returns false, with `out`
// untouched, when oneDNN cannot run the problem (it refuses the shape or the
// algorithm, or memory for the reordered copies is short). Primitives are
// built once per shape, stride pattern, thread count and algorithm, and
// kept.
//
// A Winograd call on a filter that is a graph input it has read before runs
// oneDNN's inference kernels, on a filter transformed once per contents and
// kept; *transformed_filter (when given) says whether this call made that
// one-time transform, so that a tuner may leave its time out.
bool OneDnnConv2d(int threads, const Conv2dProblem &problem,
                  OneDnnConvAlgorithm algorithm = OneDnnConvAlgorithm::kDirect,
                  bool *transformed_filter = nullptr);

// Convolutions run by OneDnnConv2d so far, direct and Winograd (for tests).
int64_t OneDnnConvCount();
int64_t OneDnnWinogradConvCount();

// Filters reordered into oneDNN's layout so far, and the bytes of those kept
// because they were graph inputs (graph_inputs.h; kept until the input's
// contents id is released). For tests.
int64_t OneDnnFilterReorderCount();
size_t OneDnnKeptFilterBytes();

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_ONEDNN_CONV_H_
