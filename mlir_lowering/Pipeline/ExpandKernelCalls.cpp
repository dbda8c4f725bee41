//===- ExpandKernelCalls.cpp - memref kernel calls to the i64 runtime ABI -===//
//
// The linear-algebra lowering (TorchToLinalg/LinalgKernels.cpp) calls private
// declarations marked `ltc.kernel_call = "<kernel>"` with i64 scalars and
// memref operands, so that bufferization and deallocation see which buffers
// each call reads and writes and keep them alive until it returns. Once
// deallocation is in place, this pass rewrites every such call into a call of
// the runtime's `<kernel>`, which takes each memref as i64 (aligned pointer,
// offset, strides...) values (runtime/linalg_kernels.h), and removes the
// marked declarations.
//
//===----------------------------------------------------------------------===//

#include "KernelAbi.h"
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace {

constexpr StringLiteral kKernelCallAttr = "ltc.kernel_call";

struct ExpandKernelCallsPass
    : public PassWrapper<ExpandKernelCallsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ExpandKernelCallsPass)

  StringRef getArgument() const final { return "ltc-expand-kernel-calls"; }
  StringRef getDescription() const final {
    return "Expand the memref operands of calls marked ltc.kernel_call into "
           "the (pointer, offset, strides) i64 arguments of the runtime "
           "kernels";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, func::FuncDialect,
                    memref::MemRefDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      if (callee && callee->hasAttr(kKernelCallAttr))
        calls.push_back(call);
    });

    for (func::CallOp call : calls) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      auto kernel = callee->getAttrOfType<StringAttr>(kKernelCallAttr);
      if (!kernel || call.getNumResults() != 0) {
        call.emitOpError("kernel call must have no results and a string `")
            << kKernelCallAttr << "` on its callee";
        return signalPassFailure();
      }
      OpBuilder b(call);
      Location loc = call.getLoc();
      SmallVector<Value> args;
      for (Value operand : call.getOperands()) {
        if (!isa<MemRefType>(operand.getType())) {
          if (!operand.getType().isInteger(64)) {
            call.emitOpError("kernel call operand is neither a memref nor i64");
            return signalPassFailure();
          }
          args.push_back(operand);
          continue;
        }
        ltc::getMemRefArgs(b, loc, operand).appendTo(args);
      }

      auto type =
          FunctionType::get(&getContext(), ValueRange(args).getTypes(), {});
      if (auto existing = symbols.lookup<func::FuncOp>(kernel.getValue())) {
        if (existing.getFunctionType() != type) {
          call.emitOpError("runtime kernel @")
              << kernel.getValue() << " is already declared as "
              << existing.getFunctionType() << ", not " << type;
          return signalPassFailure();
        }
      } else {
        OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
        auto decl =
            func::FuncOp::create(mb, callee.getLoc(), kernel.getValue(), type);
        decl.setPrivate();
        symbols.insert(decl);
      }
      func::CallOp::create(b, loc, kernel.getValue(), TypeRange{}, args);
      call.erase();
    }

    // The marked declarations have no calls left.
    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (func->hasAttr(kKernelCallAttr) && func.isExternal() &&
          SymbolTable::symbolKnownUseEmpty(func, module))
        func.erase();
  }
};

} // namespace

std::unique_ptr<Pass> mlir::ltc::createExpandKernelCallsPass() {
  return std::make_unique<ExpandKernelCallsPass>();
}
