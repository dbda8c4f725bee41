//===- TorchCompiler.cpp - Torch dialect to host object code --------------===//

#include "mlir_lowering/Compiler/TorchCompiler.h"

#include "mlir_lowering/Conversion/TorchToLinalg/Passes.h"
#include "mlir_lowering/Dialect/Torch/Transforms/Passes.h"
#include "mlir_lowering/Pipeline/CpuPipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

FailureOr<ltc::TorchCompileResult> ltc::compileTorchModuleToObject(
    ModuleOp module, const TorchCompileOptions &options, std::string &error) {
  TorchCompileResult result;
  std::string diagnostics;
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
    llvm::raw_string_ostream os(diagnostics);
    os << d.getLocation() << ": " << d << "\n";
    return success();
  });

  auto start = std::chrono::steady_clock::now();
  PassManager pm(module.getContext());
  pm.addNestedPass<func::FuncOp>(torch::createDecomposeComplexOpsPass());
  pm.addPass(torch::createConvertTorchToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(module))) {
    error = "Torch to linalg conversion failed: " + diagnostics;
    return failure();
  }
  result.torchToLinalgMs = std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - start)
                               .count();
  if (options.keepIR) {
    llvm::raw_string_ostream os(result.linalgIR);
    module.print(os);
  }

  CpuCompileOptions cpuOptions;
  cpuOptions.entrySymbol = options.entrySymbol;
  cpuOptions.optLevel = options.optLevel;
  cpuOptions.keepLLVMDialectIR = options.keepIR;
  cpuOptions.dumpIR = options.keepIR;
  cpuOptions.codegenThreads = options.codegenThreads;
  FailureOr<CpuCompileResult> cpu =
      compileLinalgModuleToObject(module, cpuOptions, error);
  if (failed(cpu)) {
    if (!diagnostics.empty())
      error += "\n" + diagnostics;
    return failure();
  }
  result.objectCode = std::move(cpu->objectCode);
  result.entrySymbol = std::move(cpu->entrySymbol);
  result.llvmDialectIR = std::move(cpu->llvmDialectIR);
  result.llvmIR = std::move(cpu->llvmIR);
  result.inputBytes = std::move(cpu->inputBytes);
  result.outputBytes = std::move(cpu->outputBytes);
  result.loweringMs = cpu->loweringMs;
  result.llvmMs = cpu->llvmMs;
  result.codegenMs = cpu->codegenMs;
  result.codegenParts = cpu->codegenParts;
  return result;
}
