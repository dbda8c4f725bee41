//===- Passes.h - Passes of the CPU pipeline --------------------*- C++ -*-===//
//
// The small passes that ltc-mlir adds to the upstream linalg-on-tensors to
// LLVM pipeline. Each is registered for ltc-mlir-opt by
// registerCpuPipelines() (CpuPipeline.h).
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_PIPELINE_PASSES_H
#define LTC_MLIR_PIPELINE_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>
#include <string>

namespace mlir {
namespace ltc {

/// `ltc-mark-graph-boundary`: on every public func.func with a body, marks the
/// tensor arguments `bufferization.writable = false`: bufferization must never
/// write into a caller's input buffer.
std::unique_ptr<Pass> createMarkGraphBoundaryPass();

/// `ltc-linalg-loop-order`: interchanges the loops of a linalg.generic whose
/// innermost loop is a reduction so that the output's contiguous dimension
/// becomes innermost when every operand is then read contiguously or not at
/// all (e.g. matmul i,j,k -> i,k,j), so LLVM can vectorize the inner loop.
std::unique_ptr<Pass> createLinalgLoopOrderPass();

/// `ltc-reduction-fastmath`: allows reassociation and contraction of the
/// floating-point arithmetic (not the casts) inside linalg ops with reduction
/// loops, so that LLVM may vectorize the reductions.
std::unique_ptr<Pass> createReductionFastMathPass();

/// `ltc-reduction-loops`: lowers linalg.generic ops with reduction loops on
/// memrefs to scf loops that carry the output elements as iter_args (a strip
/// of up to 16 of them when the innermost loop is parallel), so that LLVM can
/// keep them in registers and vectorize; other ops are left to
/// convert-linalg-to-loops.
std::unique_ptr<Pass> createReductionLoopsPass();

/// `ltc-drop-cast-fastmath`: removes the fast-math flags of arith float casts
/// (extf, truncf), which arith-to-llvm would otherwise copy onto
/// llvm.fpext/fptrunc as an attribute they do not have.
std::unique_ptr<Pass> createDropCastFastMathPass();

/// `ltc-math-approximation`: rewrites f32 math.exp/log/tanh/erf/... into
/// vectorizable polynomial approximations and computes f16/bf16 math in f32.
std::unique_ptr<Pass> createMathApproximationPass();

/// `ltc-interleave-long-loops`: on every innermost scf.for whose body holds a
/// long floating-point chain (an approximated erf, say), sets the
/// `loop_annotation` that asks LLVM to interleave 4 vector iterations.
std::unique_ptr<Pass> createInterleaveLongLoopsPass();

/// `ltc-lower-strided-copies`: turns memref.copy ops between memrefs with a
/// non-identity layout into linalg.copy, so that they become loops rather than
/// calls into mlir_c_runner_utils' memrefCopy.
std::unique_ptr<Pass> createLowerStridedCopiesPass();

/// `ltc-copy-repeated-results`: after bufferization, replaces every memref
/// that a func.return already returns by a fresh copy (memref.alloc +
/// memref.copy), so that buffer-results-to-out-params can give each result
/// its own out-parameter.
std::unique_ptr<Pass> createCopyRepeatedResultsPass();

/// `ltc-emit-entry-wrapper`: in a module already lowered to the LLVM dialect
/// with bare-pointer memrefs, adds `void <entrySymbol>(void **buffers)` that
/// loads each buffer pointer and calls the graph function, which becomes
/// internal. The graph's pointer arguments are marked noalias and 64-byte
/// aligned, which the runtime guarantees. The graph function is
/// `graphFunction`, or, if that is empty or absent, the only public function
/// with a body.
std::unique_ptr<Pass>
createEmitEntryWrapperPass(const std::string &entrySymbol = "ltc_graph_entry",
                           const std::string &graphFunction = "graph");

/// `ltc-generalize-named-ops`: linalg-generalize-named-ops, except for f32
/// linalg.conv_2d_nchw_fchw, which ltc-linalg-to-kernel-calls handles.
std::unique_ptr<Pass> createGeneralizeNamedOpsPass();

/// `ltc-fold-product-transpose`: a contraction (linalg.generic with reduction
/// loops, on tensors) whose only use is a transposing copy, and whose init is
/// a fill, writes the transposed layout itself (its output map composed with
/// the transpose, into a fill of the transposed shape).
std::unique_ptr<Pass> createFoldProductTransposePass();

/// `ltc-linalg-to-kernel-calls`: on memrefs, replaces f32 linalg ops that are
/// (batched) matrix products, named or generic with any operand layout, by
/// calls to `ltc_mlir_sgemm`, and f32 linalg.conv_2d_nchw_fchw by calls to
/// `ltc_mlir_conv2d_nchw` (runtime/cpu_kernels.h); a zero fill of the output
/// just before the op is folded into the call, and so is a convolution
/// input's zero padding (a zero-filled buffer written through a subview and
/// only read by convolutions): the kernel reads the interior alone.
std::unique_ptr<Pass> createLinalgToKernelCallsPass();

/// `ltc-collapse-contiguous-dims`: merges adjacent loops of all-parallel
/// linalg.generic ops on memrefs with a short innermost loop when those
/// dimensions are contiguous in every operand (one loop over H*W instead of
/// H loops over W), viewing operands through memref.collapse_shape (one view
/// per distinct buffer, so in-place ops keep one pointer).
std::unique_ptr<Pass> createCollapseContiguousDimsPass();

/// `ltc-expand-kernel-calls`: after deallocation, rewrites every func.call of
/// a private declaration marked `ltc.kernel_call = "<kernel>"` (the runtime
/// kernel calls of the linear-algebra lowering, which take memrefs so that
/// deallocation keeps their buffers alive) into a call of `<kernel>` whose
/// memref operands are expanded into i64 (aligned pointer, offset, strides...)
/// values, and erases the marked declarations.
std::unique_ptr<Pass> createExpandKernelCallsPass();

/// ltc-parallelize-loops' default `minWork`: below it, handing out tiles costs
/// more than it saves, and a small step's loops would keep the second core
/// from Python's tracing.
constexpr int64_t kParallelizeMinWork = int64_t{1} << 17;

/// `ltc-parallelize-loops`: on memrefs, tiles each linalg op directly in a
/// function whose work (iterations x body ops) reaches `minWork` along its
/// first parallel loop that indexes every output (at most `maxTiles` tiles),
/// outlines the loop over the tiles into an internal
/// `void(ptr ctx, i64 begin, i64 end)` function and calls
/// `ltc_mlir_parallel_for(body, ctx, tiles)` (runtime/parallel_for.h), which
/// runs the tiles on the runtime's threads.
std::unique_ptr<Pass>
createParallelizeLoopsPass(int64_t minWork = kParallelizeMinWork,
                           int64_t maxTiles = 64);

/// Registers the passes above for ltc-mlir-opt.
void registerCpuPipelinePasses();

} // namespace ltc
} // namespace mlir

#endif // LTC_MLIR_PIPELINE_PASSES_H
