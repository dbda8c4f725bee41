//===- GeneralizeNamedOps.cpp - named linalg ops to linalg.generic --------===//
//
// Like upstream linalg-generalize-named-ops, so that elementwise fusion sees
// every op as a linalg.generic, except the f32 NCHW convolutions, which stay
// named: ltc-linalg-to-kernel-calls turns them into calls to the runtime's
// im2col + GEMM kernel, and fusion has nothing to fuse into them anyway.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

/// Whether `op` is an f32 convolution left for the kernel call.
bool isKernelConvolution(linalg::LinalgOp op) {
  if (!isa<linalg::Conv2DNchwFchwOp>(op))
    return false;
  for (Value operand : op->getOperands())
    if (!getElementTypeOrSelf(operand.getType()).isF32())
      return false;
  return true;
}

struct GeneralizeNamedOpsPass
    : public PassWrapper<GeneralizeNamedOpsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(GeneralizeNamedOpsPass)

  StringRef getArgument() const final { return "ltc-generalize-named-ops"; }
  StringRef getDescription() const final {
    return "Generalize named linalg ops, except f32 NCHW convolutions";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> named;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::GenericOp>(op) && !isKernelConvolution(op))
        named.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      // Ops without a generic form stay as they are.
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
  }
};

} // namespace

std::unique_ptr<Pass> mlir::ltc::createGeneralizeNamedOpsPass() {
  return std::make_unique<GeneralizeNamedOpsPass>();
}
