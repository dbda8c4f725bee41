//===- CollapseContiguousDims.cpp - One loop over contiguous dimensions ---===//
//
// An elementwise op over N x C x H x W lowers to four loops, and LLVM
// vectorizes the innermost one, over W. On small planes (ResNet-18's 7x7 to
// 56x56, the CNN's 14x14 and 28x28) that loop is short: LLVM vectorizes it
// narrowly or not at all, with a scalar remainder and its runtime alias
// checks repeated for every row.
//
// When loops are adjacent and their dimensions are contiguous in memory in
// every operand (H and W of dense NCHW buffers, also with a per-channel
// operand that omits them), one loop over H*W does the same work with unit
// strides. This pass merges such runs of loops of all-parallel
// linalg.generic ops on memrefs whose innermost loop is short, viewing each
// operand through memref.collapse_shape (only where the operand's strides
// guarantee the merged view), and merges identical views, so that an op run
// in place still reads and writes through one. It runs after
// ltc-linalg-to-kernel-calls, whose convolution padding fold and zero-fill
// matching see the ops as bufferization left them, and before
// ltc-parallelize-loops.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"

using namespace mlir;

namespace {

/// Innermost loops at least this long vectorize well on their own: ops
/// with them are left alone.
constexpr int64_t kShortInnerLoop = 256;

/// Whether merging the loops `run` views every operand of `op` through a
/// guaranteed memref.collapse_shape.
bool isCollapsible(linalg::GenericOp op, ArrayRef<AffineMap> maps,
                   const ReassociationIndices &run) {
  if (!linalg::areDimSequencesPreserved(maps, {run}))
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = cast<MemRefType>(operand.get().getType());
    AffineMap map = maps[operand.getOperandNumber()];
    // The operand's reassociation: the results that are the run's loops
    // (consecutive, checked above) as one group, every other alone.
    SmallVector<ReassociationIndices> reassociation;
    for (unsigned r = 0; r < map.getNumResults(); ++r) {
      auto dim = dyn_cast<AffineDimExpr>(map.getResult(r));
      bool inRun = dim && llvm::is_contained(run, dim.getPosition());
      bool continues =
          inRun && !reassociation.empty() && r > 0 &&
          isa<AffineDimExpr>(map.getResult(r - 1)) &&
          llvm::is_contained(
              run, cast<AffineDimExpr>(map.getResult(r - 1)).getPosition());
      if (continues)
        reassociation.back().push_back(r);
      else
        reassociation.push_back({static_cast<int64_t>(r)});
    }
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(type, reassociation))
      return false;
  }
  return true;
}

/// Whether `op` is an elementwise op this pass may rewrite: all loops
/// parallel, static memrefs, a short innermost loop. Fills (no inputs) stay
/// as they are for the kernel calls' zero-fill matching; linalg.index would
/// need its position rebuilt per element.
bool isCandidate(linalg::GenericOp op) {
  unsigned numLoops = op.getNumLoops();
  if (!op.hasPureBufferSemantics() || numLoops < 2 ||
      op.getNumParallelLoops() != numLoops || op.getNumDpsInputs() == 0 ||
      !op.getBody()->getOps<linalg::IndexOp>().empty())
    return false;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || !type.hasStaticShape())
      return false;
  }
  return op.getStaticLoopRanges().back() < kShortInnerLoop;
}

bool hasPermutationMaps(linalg::GenericOp op) {
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation();
  });
}

/// The runs of adjacent loops of `op` to merge; empty to leave it alone.
/// Its maps must be projected permutations: upstream's collapsing takes a
/// constant index (a broadcast unit dimension) for an absent dimension.
SmallVector<ReassociationIndices> runsToMerge(linalg::GenericOp op) {
  unsigned numLoops = op.getNumLoops();
  if (numLoops < 2 || !hasPermutationMaps(op))
    return {};
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<ReassociationIndices> runs;
  ReassociationIndices run = {0};
  for (unsigned d = 1; d < numLoops; ++d) {
    ReassociationIndices longer = run;
    longer.push_back(d);
    if (isCollapsible(op, maps, longer)) {
      run = std::move(longer);
      continue;
    }
    if (run.size() > 1)
      runs.push_back(run);
    run = {static_cast<int64_t>(d)};
  }
  if (run.size() > 1)
    runs.push_back(run);
  // Only worth it when the innermost loop grows.
  if (runs.empty() || runs.back().back() != numLoops - 1)
    return {};
  return runs;
}

struct CollapseContiguousDimsPass
    : public PassWrapper<CollapseContiguousDimsPass,
                         OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CollapseContiguousDimsPass)

  StringRef getArgument() const final { return "ltc-collapse-contiguous-dims"; }
  StringRef getDescription() const final {
    return "Merge adjacent loops of elementwise linalg ops on memrefs whose "
           "dimensions are contiguous in every operand";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, memref::MemRefDialect>();
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    bool changed = false;
    for (linalg::GenericOp op : ops) {
      if (!isCandidate(op))
        continue;
      rewriter.setInsertionPoint(op);
      // Per-channel operands come broadcast as 1 x C x 1 x 1 buffers read at
      // (0, c, 0, 0): viewed as C-element buffers read at (c) first.
      if (!hasPermutationMaps(op)) {
        FailureOr<linalg::DropUnitDimsResult> dropped =
            linalg::dropUnitDims(rewriter, op, linalg::ControlDropUnitDims());
        if (failed(dropped))
          continue;
        rewriter.replaceOp(op, dropped->replacements);
        op = dyn_cast<linalg::GenericOp>(dropped->resultOp.getOperation());
        if (!op)
          continue;
      }
      SmallVector<ReassociationIndices> runs = runsToMerge(op);
      if (runs.empty())
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, runs, rewriter);
      if (failed(collapsed))
        continue;
      rewriter.replaceOp(op, collapsed->results);
      changed = true;
    }
    // Each operand got a view of its own: an op bufferization ran in place
    // would read and write one buffer through two views, which LLVM cannot
    // prove equal, so it would guard the vector loop with a runtime alias
    // check that equal pointers fail and run the scalar loop. Identical
    // views become one.
    if (changed) {
      DominanceInfo dominance(getOperation());
      eliminateCommonSubExpressions(rewriter, dominance, getOperation());
    }
  }
};

} // namespace

std::unique_ptr<Pass> mlir::ltc::createCollapseContiguousDimsPass() {
  return std::make_unique<CollapseContiguousDimsPass>();
}
