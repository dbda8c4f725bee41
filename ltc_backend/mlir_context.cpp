#include "ltc_backend/mlir_context.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

namespace ltc_mlir {

mlir::MLIRContext* GetMlirContext() {
  // Created once and never destroyed: compiled graphs outlive any scope, and
  // tearing MLIR down during interpreter exit gains nothing.
  static mlir::MLIRContext* context = [] {
    mlir::DialectRegistry registry;
    mlir::registerAllDialects(registry);
    mlir::registerAllExtensions(registry);
    mlir::torch::registerTorchDialect(registry);
    mlir::registerBuiltinDialectTranslation(registry);
    mlir::registerLLVMDialectTranslation(registry);
    auto* ctx = new mlir::MLIRContext(registry, mlir::MLIRContext::Threading::DISABLED);
    ctx->loadDialect<mlir::torch::TorchDialect>();
    ctx->loadAllAvailableDialects();
    return ctx;
  }();
  return context;
}

} // namespace ltc_mlir
