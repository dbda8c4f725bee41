//===- DropCastFastMath.cpp - No fast-math flags on float casts -----------===//
//
// arith-to-llvm copies the fastmath attribute of arith.extf/truncf verbatim
// onto llvm.fpext/fptrunc, which have no flags: the result holds an
// `#arith.fastmath` attribute that LLVM IR translation of the printed module
// (mlir-translate on a dump) rejects. Casts get flags from
// arith-emulate-unsupported-floats (`contract`, so that canonicalization can
// fold extf/truncf round trips) or from the input; no flag changes what a
// cast computes, so they are dropped once canonicalization is done.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/CastInterfaces.h"

using namespace mlir;

namespace {
struct DropCastFastMathPass
    : public PassWrapper<DropCastFastMathPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DropCastFastMathPass)

  StringRef getArgument() const final { return "ltc-drop-cast-fastmath"; }
  StringRef getDescription() const final {
    return "Remove fast-math flags from arith float casts before lowering to "
           "the LLVM dialect";
  }

  void runOnOperation() override {
    getOperation().walk([](arith::ArithFastMathInterface op) {
      if (isa<CastOpInterface>(op.getOperation()) && op.getFastMathFlagsAttr())
        op->removeAttr(op.getFastMathAttrName());
    });
  }
};
} // namespace

std::unique_ptr<Pass> mlir::ltc::createDropCastFastMathPass() {
  return std::make_unique<DropCastFastMathPass>();
}
