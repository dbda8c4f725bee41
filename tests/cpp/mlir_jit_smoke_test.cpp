// MLIR links and runs: a module is parsed, lowered to the LLVM dialect and
// JIT-compiled through the ExecutionEngine, and its result is checked.
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"
#include <gtest/gtest.h>

namespace {
constexpr const char *kModule = R"mlir(
func.func @axpy(%a: f32, %x: f32, %y: f32) -> f32 attributes {llvm.emit_c_interface} {
  %0 = arith.mulf %a, %x : f32
  %1 = arith.addf %0, %y : f32
  return %1 : f32
}
)mlir";
} // namespace

TEST(MlirJitSmoke, ParseLowerRun) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  ASSERT_TRUE(module);

  mlir::PassManager pm(&context);
  pm.addPass(mlir::createConvertToLLVMPass());
  ASSERT_TRUE(mlir::succeeded(pm.run(*module)));

  mlir::ExecutionEngineOptions options;
  options.transformer = mlir::makeOptimizingTransformer(2, 0, nullptr);
  auto engine = mlir::ExecutionEngine::create(*module, options);
  ASSERT_TRUE(static_cast<bool>(engine)) << llvm::toString(engine.takeError());

  float result = 0;
  llvm::Error err = (*engine)->invoke(
      "axpy", 2.0f, 3.0f, 0.5f, mlir::ExecutionEngine::result(result));
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  EXPECT_FLOAT_EQ(result, 6.5f);
}
