//===- ReductionFastMath.cpp - Allow reassociation in reductions ----------===//
//
// LLVM vectorizes a floating-point reduction only when it may reassociate the
// accumulation. The flags are set on the arithmetic of reduction bodies only,
// not on elementwise code, whose results must match eager PyTorch closely.
//
// Float casts (arith.extf/truncf) get no flags: `contract` would let
// canonicalization fold an extf/truncf round trip away (a rounding the program
// asked for), and llvm.fpext/fptrunc cannot carry flags (see
// DropCastFastMath.cpp).
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Interfaces/CastInterfaces.h"

using namespace mlir;

namespace {
struct ReductionFastMathPass
    : public PassWrapper<ReductionFastMathPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ReductionFastMathPass)

  StringRef getArgument() const final { return "ltc-reduction-fastmath"; }
  StringRef getDescription() const final {
    return "Allow reassociation and contraction in linalg reduction bodies";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect>();
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    getOperation().walk([&](linalg::LinalgOp linalgOp) {
      if (linalgOp.getNumReductionLoops() == 0)
        return;
      linalgOp->walk([&](arith::ArithFastMathInterface op) {
        if (isa<CastOpInterface>(op.getOperation()))
          return;
        arith::FastMathFlags flags =
            arith::FastMathFlags::reassoc | arith::FastMathFlags::contract;
        if (arith::FastMathFlagsAttr old = op.getFastMathFlagsAttr())
          flags = flags | old.getValue();
        op->setAttr(op.getFastMathAttrName(),
                    arith::FastMathFlagsAttr::get(ctx, flags));
      });
    });
  }
};
} // namespace

std::unique_ptr<Pass> mlir::ltc::createReductionFastMathPass() {
  return std::make_unique<ReductionFastMathPass>();
}
