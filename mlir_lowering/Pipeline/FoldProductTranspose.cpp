//===- FoldProductTranspose.cpp - products that write their transpose -----===//
//
// A linear layer's weight gradient comes out of the decompositions as
// transpose(matmul(transpose(x), dy)): the product is computed as
// [in, out] and then copied into the weight's [out, in] layout. After
// fusion the copy reads the product with a transposed map, one strided
// load per element. The product can write the transposed layout itself: its
// output map composed with the transpose, into a zero-filled tensor of the
// transposed shape. The GEMM kernel then computes C^T = B^T A^T directly.
//
// Only a contraction (a linalg.generic with reduction loops) whose one use
// is a transposing copy, and whose init is a fill, is rewritten.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

/// Whether `op` copies its one input with permuted indices into its output.
bool isTransposingCopy(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 || !op.hasPureTensorSemantics())
    return false;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getValues().front() != body.getArgument(0))
    return false;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  return maps[0].isPermutation() && !maps[0].isIdentity() &&
         maps[1].isIdentity();
}

/// Whether `op` sets its whole output to one scalar: linalg.fill, or a
/// linalg.generic that does (a broadcast scalar, or a yielded constant).
bool isFill(Operation *op) {
  if (isa<linalg::FillOp>(op))
    return true;
  auto generic = dyn_cast<linalg::GenericOp>(op);
  return generic && linalg::isaFillOpInterface(generic).has_value();
}

/// Rewrites `copy` (a transpose of a contraction's result) into the
/// contraction writing the transposed layout. Returns failure if it does not
/// apply.
LogicalResult foldTranspose(RewriterBase &rewriter, linalg::GenericOp copy) {
  if (!isTransposingCopy(copy))
    return failure();
  Value source = copy.getDpsInputs().front();
  auto product = source.getDefiningOp<linalg::GenericOp>();
  if (!product || product->getNumResults() != 1 || !source.hasOneUse() ||
      product.getNumReductionLoops() == 0 || !product.hasPureTensorSemantics())
    return failure();
  Operation *fill = product.getDpsInits().front().getDefiningOp();
  auto empty = copy.getDpsInits().front().getDefiningOp<tensor::EmptyOp>();
  if (!fill || !isFill(fill) || !empty)
    return failure();

  // copy[t] = product[readMap(t)]; the product writes product[outMap(p)], so
  // it can write copy[inverse(readMap)(outMap(p))].
  AffineMap readMap = copy.getIndexingMapsArray()[0];
  SmallVector<AffineMap> maps = product.getIndexingMapsArray();
  maps.back() = inversePermutation(readMap).compose(maps.back());

  rewriter.setInsertionPoint(copy);
  IRMapping fillMapping;
  fillMapping.map(cast<DestinationStyleOpInterface>(fill).getDpsInits().front(),
                  empty.getResult());
  Operation *newFill = rewriter.clone(*fill, fillMapping);
  newFill->getResult(0).setType(empty.getType());
  auto transposed = linalg::GenericOp::create(
      rewriter, product.getLoc(), TypeRange{empty.getType()},
      product.getDpsInputs(), ValueRange{newFill->getResult(0)}, maps,
      product.getIteratorTypesArray());
  rewriter.inlineRegionBefore(product.getRegion(), transposed.getRegion(),
                              transposed.getRegion().end());
  rewriter.replaceOp(copy, transposed->getResults());
  rewriter.eraseOp(product);
  return success();
}

struct FoldProductTransposePass
    : public PassWrapper<FoldProductTransposePass,
                         OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FoldProductTransposePass)

  StringRef getArgument() const final { return "ltc-fold-product-transpose"; }
  StringRef getDescription() const final {
    return "Let a contraction whose result is only transposed write the "
           "transposed layout itself";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, tensor::TensorDialect>();
  }

  void runOnOperation() override {
    // Only products are erased, and a product is never a copy.
    SmallVector<linalg::GenericOp> copies;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isTransposingCopy(op))
        copies.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp copy : copies)
      (void)foldTranspose(rewriter, copy);
  }
};

} // namespace

std::unique_ptr<Pass> mlir::ltc::createFoldProductTransposePass() {
  return std::make_unique<FoldProductTransposePass>();
}
