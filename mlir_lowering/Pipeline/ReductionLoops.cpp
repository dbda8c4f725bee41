//===- ReductionLoops.cpp - Reductions to loops with register accumulators ===//
//
// convert-linalg-to-loops lowers a reduction as a load and a store of the
// output element on every iteration. LLVM cannot keep that element in a
// register, let alone vectorize the loop, unless it can prove that no input
// load reads it, and the memref descriptors give it no such proof. So
// reductions stayed scalar, with a store per multiply-add.
//
// This pass lowers linalg.generic ops with reduction loops itself, carrying
// the output elements through the reduction loops as scf.for iter_args:
//
//  - innermost loop a reduction (row sums, dot products): the trailing
//    reduction loops carry one scalar per output; LLVM vectorizes them as
//    reductions (their arithmetic is reassociable, see
//    ltc-reduction-fastmath);
//  - innermost loop parallel, reductions outside it (column sums, bias
//    gradients, matmul-like ops with the output's row innermost): that loop
//    is strip-mined by up to 16 and the parallel loops move outside the
//    reductions, so each strip of outputs is carried through all reduction
//    iterations as 16 independent scalars, which LLVM's SLP vectorizer turns
//    into vector registers.
//
// Both orders keep each output element's reduction order. They assume that
// no output aliases an input, which bufferization guarantees for ops with
// reduction loops (they do not access elementwise); an op whose output and
// input share a root buffer is left alone anyway.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace {

/// Widest strip of a parallel innermost loop carried through the reductions.
constexpr int64_t kMaxStrip = 16;
/// Smallest strip worth it when the loop's extent has no larger divisor.
constexpr int64_t kMinStrip = 4;
/// Largest body (ops, times the strip) cloned into the loops.
constexpr int64_t kMaxClonedOps = 512;
/// Shortest innermost reduction loop kept rolled for the vectorizer.
constexpr int64_t kMinRolledLoop = 16;

/// The buffer `value` is a view of (through subviews, reshapes and casts).
Value rootBuffer(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    value = view.getViewSource();
  }
  return value;
}

/// How `op` is lowered: which loops carry the accumulators.
struct Plan {
  /// Loops run outside the accumulating nest, outermost first.
  SmallVector<unsigned> outer;
  /// Loops carrying the accumulators, outermost first.
  SmallVector<unsigned> carried;
  /// The strip-mined parallel loop (case 2) and its strip width; -1 and 1
  /// when the innermost loop is a reduction.
  int64_t stripDim = -1;
  int64_t strip = 1;
};

FailureOr<Plan> planLowering(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumReductionLoops() == 0 ||
      op.getNumDpsInits() == 0 || op->getNumRegions() != 1 ||
      !op.getRegion().hasOneBlock())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  // Pure scalar bodies only: they are cloned, maybe several times.
  int64_t bodyOps = 0;
  for (Operation &bodyOp : op.getRegion().front().without_terminator()) {
    if (bodyOp.getNumRegions() != 0 || !isMemoryEffectFree(&bodyOp))
      return failure();
    ++bodyOps;
  }
  // No output may share a buffer with another operand.
  for (OpOperand &init : op.getDpsInitsMutable()) {
    Value root = rootBuffer(init.get());
    for (OpOperand &other : op->getOpOperands())
      if (&other != &init && rootBuffer(other.get()) == root)
        return failure();
  }

  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned numLoops = op.getNumLoops();
  SmallVector<AffineMap> outMaps;
  for (OpOperand &init : op.getDpsInitsMutable())
    outMaps.push_back(op.getMatchingIndexingMap(&init));
  // Outputs are indexed by parallel loops only, each by itself: their
  // elements are loaded before the reduction loops exist.
  for (AffineMap map : outMaps) {
    if (!map.isProjectedPermutation())
      return failure();
    for (unsigned d = 0; d < numLoops; ++d)
      if (linalg::isReductionIterator(iterators[d]) && map.isFunctionOfDim(d))
        return failure();
  }

  Plan plan;
  unsigned inner = numLoops - 1;
  if (linalg::isReductionIterator(iterators[inner])) {
    // The trailing run of reduction loops carries the accumulators.
    unsigned first = inner;
    while (first > 0 && linalg::isReductionIterator(iterators[first - 1]))
      --first;
    for (unsigned d = 0; d < numLoops; ++d)
      (d < first ? plan.outer : plan.carried).push_back(d);
    return plan;
  }

  // The innermost loop is parallel: strip-mine it if every output walks it.
  if (!llvm::all_of(outMaps,
                    [&](AffineMap m) { return m.isFunctionOfDim(inner); }))
    return failure();
  int64_t strip = 1;
  for (int64_t width = std::min(kMaxStrip, ranges[inner]); width >= 1; --width)
    if (ranges[inner] % width == 0) {
      strip = width;
      break;
    }
  if (strip < kMinStrip && strip != ranges[inner])
    return failure();
  if (strip * bodyOps > kMaxClonedOps)
    return failure();
  for (unsigned d = 0; d < numLoops; ++d)
    if (linalg::isParallelIterator(iterators[d]))
      plan.outer.push_back(d); // the strip loop `inner` comes last
    else
      plan.carried.push_back(d);
  plan.stripDim = inner;
  plan.strip = strip;
  return plan;
}

/// The memref indices of `map` at the loop indices `ivs`.
SmallVector<Value> indicesOf(OpBuilder &b, Location loc, AffineMap map,
                             ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      indices.push_back(ivs[dim.getPosition()]);
      continue;
    }
    if (auto cst = dyn_cast<AffineConstantExpr>(expr)) {
      indices.push_back(
          arith::ConstantIndexOp::create(b, loc, cst.getValue()).getResult());
      continue;
    }
    AffineMap single = AffineMap::get(map.getNumDims(), 0, expr);
    indices.push_back(
        affine::AffineApplyOp::create(b, loc, single, ivs).getResult());
  }
  return indices;
}

/// Loop metadata for the accumulating loops. A strip's lanes are the
/// vector: LLVM's loop vectorizer would vectorize the reduction loop instead,
/// gathering along it, so it is switched off there. Without a strip, a short
/// innermost reduction loop under another one would be fully unrolled before
/// vectorization, which then vectorizes the outer loop with gathers (a conv
/// bias gradient's rows of 28); it is kept a loop, and vectorized.
void annotateCarriedLoops(OpBuilder &b, ArrayRef<scf::ForOp> loops,
                          const Plan &plan, ArrayRef<int64_t> ranges) {
  MLIRContext *ctx = b.getContext();
  auto annotation = [&](LLVM::LoopVectorizeAttr vectorize,
                        LLVM::LoopUnrollAttr unroll) {
    return LLVM::LoopAnnotationAttr::get(ctx, {}, vectorize, {}, unroll, {}, {},
                                         {}, {}, {}, {}, {}, {}, {}, {}, {});
  };
  if (plan.strip > 1) {
    auto novec =
        annotation(LLVM::LoopVectorizeAttr::get(ctx, b.getBoolAttr(true), {},
                                                {}, {}, {}, {}, {}),
                   {});
    for (scf::ForOp loop : loops)
      loop->setAttr("loop_annotation", novec); // llvm.br's own attribute
    return;
  }
  if (loops.size() >= 2 && ranges[plan.carried.back()] >= kMinRolledLoop) {
    auto rolled =
        annotation({}, LLVM::LoopUnrollAttr::get(ctx, b.getBoolAttr(true), {},
                                                 {}, {}, {}, {}, {}));
    loops.back()->setAttr("loop_annotation", rolled);
  }
}

/// Lowers `op` by `plan`; erases it.
void lowerReduction(RewriterBase &rewriter, linalg::GenericOp op,
                    const Plan &plan) {
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned numLoops = op.getNumLoops();
  Block &body = op.getRegion().front();
  unsigned numInputs = op.getNumDpsInputs();
  unsigned numOutputs = op.getNumDpsInits();
  SmallVector<Value> outputs(op.getDpsInits());

  auto bounds = [&](OpBuilder &b, ArrayRef<unsigned> dims, bool stripped,
                    SmallVector<Value> &lbs, SmallVector<Value> &ubs,
                    SmallVector<Value> &steps) {
    for (unsigned d : dims) {
      lbs.push_back(arith::ConstantIndexOp::create(b, loc, 0));
      ubs.push_back(arith::ConstantIndexOp::create(b, loc, ranges[d]));
      int64_t step =
          stripped && static_cast<int64_t>(d) == plan.stripDim ? plan.strip : 1;
      steps.push_back(arith::ConstantIndexOp::create(b, loc, step));
    }
  };

  // The loop indices of strip lane `lane`: the strip loop's index plus lane.
  auto laneIvs = [&](OpBuilder &b, ArrayRef<Value> ivs, int64_t lane) {
    SmallVector<Value> result(ivs);
    if (plan.stripDim >= 0 && lane > 0) {
      Value offset = arith::ConstantIndexOp::create(b, loc, lane);
      result[plan.stripDim] =
          arith::AddIOp::create(b, loc, ivs[plan.stripDim], offset);
    }
    return result;
  };

  rewriter.setInsertionPoint(op);
  SmallVector<Value> lbs, ubs, steps;
  bounds(rewriter, plan.outer, /*stripped=*/true, lbs, ubs, steps);
  auto outerBody = [&](OpBuilder &b, Location, ValueRange outerIvs) {
    SmallVector<Value> ivs(numLoops);
    for (auto [d, iv] : llvm::zip(plan.outer, outerIvs))
      ivs[d] = iv;
    // Load the accumulators: per strip lane, per output.
    SmallVector<SmallVector<Value>> lanes;
    SmallVector<Value> inits;
    for (int64_t lane = 0; lane < plan.strip; ++lane) {
      lanes.push_back(laneIvs(b, ivs, lane));
      for (unsigned o = 0; o < numOutputs; ++o) {
        AffineMap map = op.getIndexingMapsArray()[numInputs + o];
        inits.push_back(memref::LoadOp::create(
            b, loc, outputs[o], indicesOf(b, loc, map, lanes.back())));
      }
    }
    SmallVector<Value> innerLbs, innerUbs, innerSteps;
    bounds(b, plan.carried, /*stripped=*/false, innerLbs, innerUbs, innerSteps);
    auto innerBody = [&](OpBuilder &ib, Location, ValueRange innerIvs,
                         ValueRange accs) -> scf::ValueVector {
      SmallVector<Value> all(ivs);
      for (auto [d, iv] : llvm::zip(plan.carried, innerIvs))
        all[d] = iv;
      scf::ValueVector results;
      for (int64_t lane = 0; lane < plan.strip; ++lane) {
        SmallVector<Value> laneAll = laneIvs(ib, all, lane);
        IRMapping mapping;
        for (unsigned i = 0; i < numInputs; ++i) {
          AffineMap map = op.getIndexingMapsArray()[i];
          Value input = op.getDpsInputs()[i];
          Value loaded;
          if (isa<MemRefType>(input.getType()))
            loaded = memref::LoadOp::create(ib, loc, input,
                                            indicesOf(ib, loc, map, laneAll));
          else
            loaded = input; // a scalar operand
          mapping.map(body.getArgument(i), loaded);
        }
        for (unsigned o = 0; o < numOutputs; ++o)
          mapping.map(body.getArgument(numInputs + o),
                      accs[lane * numOutputs + o]);
        for (Operation &bodyOp : body.without_terminator()) {
          if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
            mapping.map(index.getResult(), laneAll[index.getDim()]);
            continue;
          }
          ib.clone(bodyOp, mapping);
        }
        for (Value yielded : body.getTerminator()->getOperands())
          results.push_back(mapping.lookupOrDefault(yielded));
      }
      return results;
    };
    scf::ValueVector finals;
    if (plan.carried.empty()) {
      finals = innerBody(b, loc, ValueRange(), inits);
    } else {
      scf::LoopNest nest = scf::buildLoopNest(b, loc, innerLbs, innerUbs,
                                              innerSteps, inits, innerBody);
      finals.assign(nest.results.begin(), nest.results.end());
      annotateCarriedLoops(b, nest.loops, plan, ranges);
    }
    for (int64_t lane = 0; lane < plan.strip; ++lane)
      for (unsigned o = 0; o < numOutputs; ++o) {
        AffineMap map = op.getIndexingMapsArray()[numInputs + o];
        memref::StoreOp::create(b, loc, finals[lane * numOutputs + o],
                                outputs[o],
                                indicesOf(b, loc, map, lanes[lane]));
      }
  };
  if (plan.outer.empty())
    outerBody(rewriter, loc, ValueRange());
  else
    scf::buildLoopNest(rewriter, loc, lbs, ubs, steps, outerBody);
  rewriter.eraseOp(op);
}

struct ReductionLoopsPass
    : public PassWrapper<ReductionLoopsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ReductionLoopsPass)

  StringRef getArgument() const final { return "ltc-reduction-loops"; }
  StringRef getDescription() const final {
    return "Lower linalg.generic reductions on memrefs to scf loops that "
           "carry the output elements in registers";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry
        .insert<affine::AffineDialect, arith::ArithDialect, LLVM::LLVMDialect,
                memref::MemRefDialect, scf::SCFDialect>();
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk(
        [&](linalg::GenericOp op) { candidates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      FailureOr<Plan> plan = planLowering(op);
      // Ops left here lower through convert-linalg-to-loops as before.
      if (succeeded(plan))
        lowerReduction(rewriter, op, *plan);
    }
  }
};
} // namespace

std::unique_ptr<Pass> mlir::ltc::createReductionLoopsPass() {
  return std::make_unique<ReductionLoopsPass>();
}
