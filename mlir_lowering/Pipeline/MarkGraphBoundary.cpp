//===- MarkGraphBoundary.cpp - Protect graph inputs from bufferization ----===//
//
// One-shot bufferization treats function arguments as writable unless told
// otherwise, and would then update a caller's input buffer in place. Graph
// inputs belong to the caller (they are live lazy tensors), so they are marked
// read-only here.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace {
struct MarkGraphBoundaryPass
    : public PassWrapper<MarkGraphBoundaryPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MarkGraphBoundaryPass)

  StringRef getArgument() const final { return "ltc-mark-graph-boundary"; }
  StringRef getDescription() const final {
    return "Mark the tensor arguments of public functions read-only for "
           "bufferization";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<bufferization::BufferizationDialect>();
  }

  void runOnOperation() override {
    Builder b(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic())
        continue;
      for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
        if (!isa<TensorType>(type))
          continue;
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        b.getBoolAttr(false));
      }
    }
  }
};
} // namespace

std::unique_ptr<Pass> mlir::ltc::createMarkGraphBoundaryPass() {
  return std::make_unique<MarkGraphBoundaryPass>();
}
