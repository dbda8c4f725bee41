//===- LinalgLoopOrder.cpp - Loop order for vectorizable linalg loops -----===//
//
// linalg lowers to loops in iteration-domain order. For matmul-like ops that
// order puts the reduction innermost, where the right-hand operand is read
// with a large stride and LLVM's loop vectorizer gives up. Moving the output's
// contiguous dimension innermost makes every access unit-stride or invariant.
// Window reductions (pooling: a few kernel positions innermost) move it too
// when the input walks it with a small constant stride (the pooling stride),
// which LLVM vectorizes as interleaved loads.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

/// The elements `expr` advances per step of loop `dim` when it is `dim`,
/// `dim * c` or either plus terms free of `dim`; nullopt otherwise.
static std::optional<int64_t> strideIn(AffineExpr expr, unsigned dim) {
  if (auto dimExpr = dyn_cast<AffineDimExpr>(expr))
    return dimExpr.getPosition() == dim ? std::optional<int64_t>(1)
                                        : std::nullopt;
  auto bin = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!bin)
    return std::nullopt;
  if (bin.getKind() == AffineExprKind::Mul) {
    auto lhs = dyn_cast<AffineDimExpr>(bin.getLHS());
    auto rhs = dyn_cast<AffineConstantExpr>(bin.getRHS());
    if (lhs && rhs && lhs.getPosition() == dim && rhs.getValue() > 0)
      return rhs.getValue();
    return std::nullopt;
  }
  if (bin.getKind() != AffineExprKind::Add)
    return std::nullopt;
  if (!bin.getLHS().isFunctionOfDim(dim))
    return strideIn(bin.getRHS(), dim);
  if (!bin.getRHS().isFunctionOfDim(dim))
    return strideIn(bin.getLHS(), dim);
  return std::nullopt;
}

/// Largest stride accepted for a window reduction's input, and most window
/// positions (product of the reduction extents) for it to count as one.
constexpr int64_t kMaxWindowStride = 4;
constexpr int64_t kMaxWindowSize = 64;

/// Returns the loop to move innermost, if moving it helps.
static std::optional<unsigned> findLoopToSink(linalg::GenericOp op) {
  unsigned numLoops = op.getNumLoops();
  if (numLoops < 2 || op.getNumDpsInits() == 0)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (!linalg::isReductionIterator(iterators.back()))
    return std::nullopt;

  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0)
    return std::nullopt;
  auto outDim = dyn_cast<AffineDimExpr>(outMap.getResults().back());
  if (!outDim)
    return std::nullopt;
  unsigned dim = outDim.getPosition();
  if (!linalg::isParallelIterator(iterators[dim]))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges[dim] == 1)
    return std::nullopt;

  // A window reduction: every reduction loop has a small static extent.
  int64_t window = 1;
  for (auto [iterator, range] : llvm::zip(iterators, ranges))
    if (linalg::isReductionIterator(iterator))
      window =
          ShapedType::isDynamic(range) ? kMaxWindowSize + 1 : window * range;
  int64_t maxStride = window <= kMaxWindowSize ? kMaxWindowStride : 1;

  // Every operand must be invariant in `dim` or walk it in its last
  // (contiguous) dimension only, with unit stride (or a small one, in a
  // window reduction).
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isFunctionOfDim(dim))
      continue;
    ArrayRef<AffineExpr> results = map.getResults();
    for (AffineExpr expr : results.drop_back())
      if (expr.isFunctionOfDim(dim))
        return std::nullopt;
    std::optional<int64_t> stride = strideIn(results.back(), dim);
    if (!stride || *stride > maxStride)
      return std::nullopt;
  }
  return dim;
}

struct LinalgLoopOrderPass
    : public PassWrapper<LinalgLoopOrderPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LinalgLoopOrderPass)

  StringRef getArgument() const final { return "ltc-linalg-loop-order"; }
  StringRef getDescription() const final {
    return "Interchange linalg.generic loops so the output's contiguous "
           "dimension is innermost";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk(
        [&](linalg::GenericOp op) { candidates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      std::optional<unsigned> dim = findLoopToSink(op);
      if (!dim)
        continue;
      SmallVector<unsigned> order;
      for (unsigned i = 0, e = op.getNumLoops(); i < e; ++i)
        if (i != *dim)
          order.push_back(i);
      order.push_back(*dim);
      rewriter.setInsertionPoint(op);
      // A failure leaves the op as it was, which is still correct.
      (void)linalg::interchangeGenericOp(rewriter, op, order);
    }
  }
};
} // namespace

std::unique_ptr<Pass> mlir::ltc::createLinalgLoopOrderPass() {
  return std::make_unique<LinalgLoopOrderPass>();
}
