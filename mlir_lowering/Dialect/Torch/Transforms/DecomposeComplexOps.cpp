//===- DecomposeComplexOps.cpp - Torch-to-Torch decompositions ------------===//
//
// Rewrites composite ATen ops into core ops that already have linalg
// lowerings, where the composite form is as fast after fusion and needs no
// kernel of its own. New values get fully static vtensor types derived from
// the op's operands and result.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Dialect/Torch/Transforms/Passes.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

/// The vtensor type with static sizes and a dtype, or null.
ValueTensorType getStaticVTensorType(Value v) {
  auto type = dyn_cast<ValueTensorType>(v.getType());
  if (!type || !type.hasSizes() || !type.hasDtype() ||
      llvm::is_contained(type.getSizes(), kUnknownSize))
    return {};
  return type;
}

bool matchTorchConstantInt(Value v, int64_t &out) {
  auto op = v.getDefiningOp<ConstantIntOp>();
  if (!op)
    return false;
  out = op.getValue();
  return true;
}

/// sum(self, [dim], keepdim=True) with the matching static result type. The
/// sum of a 0-d tensor over its only "dim" is the tensor itself.
Value createSumKeepDim(PatternRewriter &rewriter, Location loc, Value self,
                       ValueTensorType selfType, int64_t dim, Value dimValue) {
  if (selfType.getSizes().empty())
    return self;
  MLIRContext *ctx = rewriter.getContext();
  SmallVector<int64_t> sizes(selfType.getSizes());
  sizes[dim] = 1;
  auto resultType =
      ValueTensorType::get(ctx, ArrayRef<int64_t>(sizes), selfType.getDtype());
  Value dims = PrimListConstructOp::create(
      rewriter, loc, ListType::get(IntType::get(ctx)), ValueRange{dimValue});
  Value keepDim = ConstantBoolOp::create(rewriter, loc, true);
  Value none = ConstantNoneOp::create(rewriter, loc);
  return AtenSumDimIntListOp::create(rewriter, loc, resultType, self, dims,
                                     keepDim, none);
}

/// Shared operand checks of the softmax backward ops: static types with the
/// same shape, a constant dim in range. Returns the normalized dim.
template <typename OpT>
FailureOr<int64_t> getSoftmaxBackwardDim(OpT op, PatternRewriter &rewriter) {
  auto gradType = getStaticVTensorType(op.getGradOutput());
  auto outType = getStaticVTensorType(op.getOutput());
  auto resultType = getStaticVTensorType(op.getResult());
  if (!gradType || !outType || !resultType ||
      gradType.getSizes() != outType.getSizes() ||
      resultType.getSizes() != outType.getSizes())
    return rewriter.notifyMatchFailure(op, "needs static, equal shapes");
  int64_t dim;
  if (!matchTorchConstantInt(op.getDim(), dim))
    return rewriter.notifyMatchFailure(op, "dim must be a constant");
  int64_t rank = outType.getSizes().size();
  int64_t extent = std::max<int64_t>(rank, 1);
  if (dim < -extent || dim >= extent)
    return rewriter.notifyMatchFailure(op, "dim out of range");
  if (dim < 0)
    dim += extent;
  return dim;
}

/// _log_softmax_backward_data(grad, out, dim, input_dtype)
///   = grad - exp(out) * sum(grad, dim, keepdim=True).
struct DecomposeLogSoftmaxBackwardData
    : OpRewritePattern<AtenLogSoftmaxBackwardDataOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AtenLogSoftmaxBackwardDataOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<int64_t> dim = getSoftmaxBackwardDim(op, rewriter);
    if (failed(dim))
      return failure();
    Location loc = op.getLoc();
    auto gradType = getStaticVTensorType(op.getGradOutput());
    auto outType = getStaticVTensorType(op.getOutput());
    Value exp = AtenExpOp::create(rewriter, loc, outType, op.getOutput());
    Value sum = createSumKeepDim(rewriter, loc, op.getGradOutput(), gradType,
                                 *dim, op.getDim());
    Value prod = AtenMulTensorOp::create(rewriter, loc, outType, exp, sum);
    Value one = ConstantIntOp::create(rewriter, loc, int64_t(1));
    rewriter.replaceOpWithNewOp<AtenSubTensorOp>(op, op.getResult().getType(),
                                                 op.getGradOutput(), prod, one);
    return success();
  }
};

/// _softmax_backward_data(grad, out, dim, input_dtype)
///   = out * (grad - sum(grad * out, dim, keepdim=True)).
struct DecomposeSoftmaxBackwardData
    : OpRewritePattern<AtenSoftmaxBackwardDataOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AtenSoftmaxBackwardDataOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<int64_t> dim = getSoftmaxBackwardDim(op, rewriter);
    if (failed(dim))
      return failure();
    Location loc = op.getLoc();
    auto gradType = getStaticVTensorType(op.getGradOutput());
    Value prod = AtenMulTensorOp::create(rewriter, loc, gradType,
                                         op.getGradOutput(), op.getOutput());
    Value sum =
        createSumKeepDim(rewriter, loc, prod, gradType, *dim, op.getDim());
    Value one = ConstantIntOp::create(rewriter, loc, int64_t(1));
    Value diff = AtenSubTensorOp::create(rewriter, loc, gradType,
                                         op.getGradOutput(), sum, one);
    rewriter.replaceOpWithNewOp<AtenMulTensorOp>(op, op.getResult().getType(),
                                                 op.getOutput(), diff);
    return success();
  }
};

struct DecomposeComplexOpsPass
    : PassWrapper<DecomposeComplexOpsPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DecomposeComplexOpsPass)

  StringRef getArgument() const final { return "torch-decompose-complex-ops"; }
  StringRef getDescription() const final {
    return "Decompose composite Torch ops into core Torch ops";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<TorchDialect>();
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<DecomposeLogSoftmaxBackwardData, DecomposeSoftmaxBackwardData>(
        ctx);
    // Only the decompositions; leave folding to canonicalize.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> mlir::torch::createDecomposeComplexOpsPass() {
  return std::make_unique<DecomposeComplexOpsPass>();
}

void mlir::torch::registerTorchTransformsPasses() {
  PassRegistration<DecomposeComplexOpsPass>();
}
