// The thread pool that runs the loop tiles compiled code hands out (the CPU
// pipeline's ltc-parallelize-loops pass emits the calls) and the shares of
// the hand-written kernels (GEMM, convolution, pooling). The caller and
// persistent workers (at most threads - 1) claim shares until none is left;
// idle workers spin briefly after each job, then sleep, so that back-to-back
// loops of one graph do not pay a wake-up each.
#ifndef LTC_MLIR_RUNTIME_PARALLEL_FOR_H_
#define LTC_MLIR_RUNTIME_PARALLEL_FOR_H_

#include <cstdint>
#include <functional>

extern "C" {

// Calls body(ctx, begin, end) on disjoint ranges that together cover
// [0, count) (a few per thread) and returns when all are done. Runs
// body(ctx, 0, count) on the caller when one thread is allowed, count is
// below 2, another thread is dispatching, or the caller is itself running a
// share.
void ltc_mlir_parallel_for(void (*body)(void *, int64_t, int64_t), void *ctx,
                           int64_t count);

} // extern "C"

namespace ltc_mlir {
namespace runtime {

// Threads ltc_mlir_parallel_for may use, the caller included; 0 (the
// default) means all hardware threads. SetCpuKernelThreads sets it too.
void SetParallelForThreads(int threads);
// Threads the generated loops may use: the count above, capped by
// LTC_MLIR_LOOP_THREADS when that is set.
int GetParallelForThreads();
// Threads the hand-written kernels (GEMM, convolution) may use: the count
// above, uncapped.
int GetKernelThreads();

// Calls fn(begin, end) on `shares` disjoint ranges covering [0, count), on
// the pool with up to `threads` threads (the caller included); serially on
// the caller when threads or shares is below 2 or the pool is busy.
void ParallelFor(int64_t count, int threads, int64_t shares,
                 const std::function<void(int64_t, int64_t)> &fn);

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_PARALLEL_FOR_H_
