//===- CopyRepeatedResults.cpp - One buffer per returned memref -----------===//
//
// A graph may return one value twice (an output that is also an alias of
// another output, or an input returned as two outputs). Every result gets its
// own caller-provided buffer, but buffer-results-to-out-params cannot give
// one memref two out-parameters (it crashes when the memref is an allocation
// it hoists). So each repeated return operand is replaced by a fresh copy,
// which that pass then turns into the second out-parameter.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace {
struct CopyRepeatedReturnOperands : public OpRewritePattern<func::ReturnOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(func::ReturnOp op,
                                PatternRewriter &rewriter) const override {
    llvm::SmallPtrSet<Value, 8> seen;
    SmallVector<OpOperand *> repeats;
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = dyn_cast<MemRefType>(operand.get().getType());
      // A copy of another layout would not match the result type.
      if (!type || !type.getLayout().isIdentity())
        continue;
      if (!seen.insert(operand.get()).second)
        repeats.push_back(&operand);
    }
    if (repeats.empty())
      return rewriter.notifyMatchFailure(op, "no repeated memref operand");

    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    SmallVector<Value> copies;
    for (OpOperand *operand : repeats) {
      Value source = operand->get();
      auto type = cast<MemRefType>(source.getType());
      SmallVector<Value> dynamicSizes;
      for (int64_t dim = 0, rank = type.getRank(); dim < rank; ++dim)
        if (type.isDynamicDim(dim))
          dynamicSizes.push_back(
              memref::DimOp::create(rewriter, loc, source, dim));
      // As aligned as the buffers one-shot bufferization allocates.
      Value copy = memref::AllocOp::create(rewriter, loc, type, dynamicSizes,
                                           rewriter.getI64IntegerAttr(64));
      memref::CopyOp::create(rewriter, loc, source, copy);
      copies.push_back(copy);
    }
    rewriter.modifyOpInPlace(op, [&] {
      for (auto [operand, copy] : llvm::zip_equal(repeats, copies))
        operand->set(copy);
    });
    return success();
  }
};

struct CopyRepeatedResultsPass
    : public PassWrapper<CopyRepeatedResultsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CopyRepeatedResultsPass)

  StringRef getArgument() const final { return "ltc-copy-repeated-results"; }
  StringRef getDescription() const final {
    return "Return a fresh copy for every memref that func.return already "
           "returns";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<memref::MemRefDialect>();
  }

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<CopyRepeatedReturnOperands>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace

std::unique_ptr<Pass> mlir::ltc::createCopyRepeatedResultsPass() {
  return std::make_unique<CopyRepeatedResultsPass>();
}
