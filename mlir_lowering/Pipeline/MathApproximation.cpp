//===- MathApproximation.cpp - Polynomial approximations of math ops ------===//
//
// libm calls block vectorization; MLIR's polynomial approximations are plain
// arithmetic that LLVM vectorizes. Only functions whose approximation is
// accurate over the whole f32 range are rewritten (sin/cos, whose argument
// reduction loses precision for large inputs, stay with libm). f16/bf16 math
// is computed in f32.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace {
struct MathApproximationPass
    : public PassWrapper<MathApproximationPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MathApproximationPass)

  StringRef getArgument() const final { return "ltc-math-approximation"; }
  StringRef getDescription() const final {
    return "Rewrite f32 transcendental math ops into polynomial "
           "approximations";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, math::MathDialect,
                    vector::VectorDialect>();
  }

  void runOnOperation() override {
    static const llvm::StringSet<> approximated = {
        "math.exp",   "math.exp2", "math.log", "math.log2",
        "math.log1p", "math.tanh", "math.erf", "math.erfc"};
    RewritePatternSet patterns(&getContext());
    populateMathF32ExpansionPatterns(patterns, [](StringRef) { return true; });
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return approximated.contains(name); });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

std::unique_ptr<Pass> mlir::ltc::createMathApproximationPass() {
  return std::make_unique<MathApproximationPass>();
}
