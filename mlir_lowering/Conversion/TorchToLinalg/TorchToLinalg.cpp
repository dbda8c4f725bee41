//===- TorchToLinalg.cpp - The convert-torch-to-linalg pass ---------------===//
//
// Converts function signatures and every Torch op to linalg, tensor, arith,
// math and scf ops on builtin tensors, using the pattern families declared in
// Patterns.h. Torch ops no pattern handles are reported by name.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Passes.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Torch ops that carry no computation: left over once their users are
/// converted, and erased when dead.
bool isErasableTorchOp(Operation *op) {
  StringRef name = op->getName().getStringRef();
  return name.starts_with("torch.constant.") ||
         name == "torch.prim.ListConstruct";
}

bool isTorchOp(Operation *op) {
  return op->getName().getDialectNamespace() == "torch";
}

class ConvertTorchToLinalgPass
    : public PassWrapper<ConvertTorchToLinalgPass, OperationPass<ModuleOp>> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ConvertTorchToLinalgPass)

  ConvertTorchToLinalgPass() = default;
  ConvertTorchToLinalgPass(const ConvertTorchToLinalgPass &other)
      : PassWrapper(other) {}
  explicit ConvertTorchToLinalgPass(bool kernels) { poolingKernels = kernels; }

  StringRef getArgument() const override { return "convert-torch-to-linalg"; }
  StringRef getDescription() const override {
    return "Convert Torch dialect ops to linalg-on-tensors (with tensor, "
           "arith, math and scf)";
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    registry
        .insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                math::MathDialect, scf::SCFDialect, tensor::TensorDialect>();
    // Runtime kernel calls (LinalgKernels.cpp) pass buffers.
    registry
        .insert<bufferization::BufferizationDialect, memref::MemRefDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();

    TypeConverter typeConverter;
    setupTorchToBuiltinTypeConversion(typeConverter);

    RewritePatternSet patterns(context);
    populateScalarPatterns(typeConverter, patterns);
    populateElementwisePatterns(typeConverter, patterns);
    populateTensorConstructorPatterns(typeConverter, patterns);
    populateShapePatterns(typeConverter, patterns);
    populateReductionPatterns(typeConverter, patterns);
    populateLinearAlgebraPatterns(typeConverter, patterns);
    populateSoftmaxAndLossPatterns(typeConverter, patterns);
    populateConvolutionPatterns(typeConverter, patterns);
    populatePoolingPatterns(typeConverter, patterns, poolingKernels);
    populateNormalizationPatterns(typeConverter, patterns);
    populateIndexingPatterns(typeConverter, patterns);
    populateRandomPatterns(typeConverter, patterns);
    populateSpecialFunctionPatterns(typeConverter, patterns);
    populateLinalgKernelPatterns(typeConverter, patterns);
    populateViewPatterns(typeConverter, patterns);
    populateZeroSizePatterns(typeConverter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(
        patterns, typeConverter);
    populateCallOpTypeConversionPattern(patterns, typeConverter);
    populateReturnOpTypeConversionPattern(patterns, typeConverter);

    ConversionTarget target(*context);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect>();
    target.addLegalDialect<bufferization::BufferizationDialect,
                           memref::MemRefDialect>();
    target.addLegalOp<ModuleOp, UnrealizedConversionCastOp>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return typeConverter.isSignatureLegal(op.getFunctionType()) &&
             typeConverter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return typeConverter.isLegal(op); });
    // Torch ops are neither legal nor illegal: the driver converts what it
    // can, and the check below names what is left.

    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();

    eraseDeadTorchOpsAndCasts(module);

    // Name the ops that were not converted. Constants and lists still in use
    // only feed those ops, so they are named only if nothing else is left.
    SmallVector<Operation *> leftovers, leftoverConstants;
    module.walk([&](Operation *op) {
      if (isTorchOp(op))
        (isErasableTorchOp(op) ? leftoverConstants : leftovers).push_back(op);
    });
    if (leftovers.empty())
      leftovers = std::move(leftoverConstants);
    for (Operation *op : leftovers)
      op->emitError() << "op '" << op->getName()
                      << "' is not supported by convert-torch-to-linalg";
    if (!leftovers.empty())
      signalPassFailure();
  }

private:
  /// Removes constants and lists whose users were all converted, and the
  /// casts that bridged them.
  void eraseDeadTorchOpsAndCasts(ModuleOp module) {
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<Operation *> dead;
      module.walk([&](Operation *op) {
        // Scalar constants converted from torch.constant.* may be dead too.
        if (op->use_empty() &&
            (isErasableTorchOp(op) ||
             isa<UnrealizedConversionCastOp, arith::ConstantOp>(op)))
          dead.push_back(op);
      });
      for (Operation *op : dead)
        op->erase();
      changed = !dead.empty();
    }
    SmallVector<UnrealizedConversionCastOp> casts;
    module.walk([&](UnrealizedConversionCastOp op) { casts.push_back(op); });
    reconcileUnrealizedCasts(casts);
  }

  // Modules for mlir-runner (tools/ltc-mlir-export) have no runtime to call.
  Option<bool> poolingKernels{
      *this, "pooling-kernels",
      llvm::cl::desc("Lower f32/f64 max pooling with indices and its "
                     "backward to runtime kernel calls"),
      llvm::cl::init(true)};
};

} // namespace

std::unique_ptr<Pass>
mlir::torch::createConvertTorchToLinalgPass(bool poolingKernels) {
  return std::make_unique<ConvertTorchToLinalgPass>(poolingKernels);
}

void mlir::torch::registerTorchConversionPasses() {
  PassRegistration<ConvertTorchToLinalgPass>();
}
