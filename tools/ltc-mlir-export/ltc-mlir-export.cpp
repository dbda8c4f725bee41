//===- ltc-mlir-export.cpp - A cached graph as an mlir-runner program -----===//
//
// Reads a Torch-dialect module holding `func.func @graph` (the `source` of an
// executable-cache entry), lowers it to linalg-on-tensors and adds
//
//   func.func @main()
//
// which builds deterministic inputs of the graph's argument types, calls
// @graph and prints every result on its own line as `( v0, v1, ... )`
// (row-major, through libmlir_c_runner_utils' print functions). With
// --level=llvm (the default) the module is lowered by ltc-mlir's CPU pipeline
// to the LLVM dialect, ready for
//
//   mlir-runner -e main -entry-point-result=void
//       -shared-libs=libmlir_c_runner_utils.so out.mlir
//
// Argument k (0-based), element at row-major index n, holds
//   v = (7 * n + 3 * k + 1) mod 23 - 11
// as an integer (i1: v > 0) or v / 8 as a float; tools/ltc_mlir_cache_graph.py
// computes the same values.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Passes.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"
#include "mlir_lowering/Dialect/Torch/Transforms/Passes.h"
#include "mlir_lowering/Pipeline/CpuPipeline.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                     llvm::cl::desc("<torch-dialect module>"),
                                     llvm::cl::init("-"));
llvm::cl::opt<std::string> outputFile("o", llvm::cl::desc("Output file"),
                                      llvm::cl::value_desc("file"),
                                      llvm::cl::init("-"));
llvm::cl::opt<std::string>
    level("level",
          llvm::cl::desc("Stop at `linalg` (tensors, readable) or `llvm` "
                         "(runnable by mlir-runner)"),
          llvm::cl::init("llvm"));

/// Declares `name(argType)` (or `name()` when argType is null) as an external
/// function of libmlir_c_runner_utils.
func::FuncOp declarePrint(OpBuilder &b, ModuleOp module, StringRef name,
                          Type argType) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> inputs;
  if (argType)
    inputs.push_back(argType);
  auto func = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(inputs, {}));
  func.setPrivate();
  return func;
}

void callPrint(OpBuilder &b, Location loc, ModuleOp module, StringRef name,
               Value arg = {}) {
  func::FuncOp callee =
      declarePrint(b, module, name, arg ? arg.getType() : Type());
  func::CallOp::create(b, loc, callee, arg ? ValueRange{arg} : ValueRange{});
}

/// A tensor of `type` filled with the generated values of argument `k`.
FailureOr<Value> buildInput(OpBuilder &b, Location loc, RankedTensorType type,
                            int64_t k) {
  Type element = type.getElementType();
  if (!element.isIntOrFloat())
    return failure();
  int64_t rank = type.getRank();
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), element);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{}, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        auto constIndex = [&](int64_t v) {
          return arith::ConstantIndexOp::create(nb, nloc, v).getResult();
        };
        // Row-major linear index.
        Value linear = constIndex(0);
        for (int64_t d = 0; d < rank; ++d) {
          Value size = constIndex(type.getDimSize(d));
          Value index = linalg::IndexOp::create(nb, nloc, d);
          linear = arith::AddIOp::create(
              nb, nloc, arith::MulIOp::create(nb, nloc, linear, size), index);
        }
        Value v = arith::AddIOp::create(
            nb, nloc, arith::MulIOp::create(nb, nloc, linear, constIndex(7)),
            constIndex(3 * k + 1));
        v = arith::RemUIOp::create(nb, nloc, v, constIndex(23));
        Value i64 = arith::IndexCastOp::create(nb, nloc, nb.getI64Type(), v);
        i64 = arith::SubIOp::create(
            nb, nloc, i64,
            arith::ConstantIntOp::create(nb, nloc, nb.getI64Type(), 11));
        Value result;
        if (element.isInteger(1)) {
          Value zero =
              arith::ConstantIntOp::create(nb, nloc, nb.getI64Type(), 0);
          result = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::sgt,
                                         i64, zero);
        } else if (auto intType = dyn_cast<IntegerType>(element)) {
          result =
              intType.getWidth() == 64
                  ? i64
                  : arith::TruncIOp::create(nb, nloc, intType, i64).getResult();
        } else {
          auto floatType = cast<FloatType>(element);
          Value f = arith::SIToFPOp::create(nb, nloc, floatType, i64);
          Value eight = arith::ConstantOp::create(
              nb, nloc, floatType, nb.getFloatAttr(floatType, 8.0));
          result = arith::DivFOp::create(nb, nloc, f, eight);
        }
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

/// Prints one scalar with the runner-utils function for its type.
LogicalResult printScalar(OpBuilder &b, Location loc, ModuleOp module,
                          Value value) {
  Type type = value.getType();
  if (type.isF32())
    callPrint(b, loc, module, "printF32", value);
  else if (type.isF64())
    callPrint(b, loc, module, "printF64", value);
  else if (type.isF16() || type.isBF16())
    callPrint(b, loc, module, "printF32",
              arith::ExtFOp::create(b, loc, b.getF32Type(), value));
  else if (type.isInteger(64))
    callPrint(b, loc, module, "printI64", value);
  else if (type.isInteger(1))
    callPrint(b, loc, module, "printI64",
              arith::ExtUIOp::create(b, loc, b.getI64Type(), value));
  else if (type.isInteger())
    callPrint(b, loc, module, "printI64",
              arith::ExtSIOp::create(b, loc, b.getI64Type(), value));
  else
    return failure();
  return success();
}

/// Prints `( v0, v1, ... )` and a newline for a statically shaped tensor.
LogicalResult printTensor(OpBuilder &b, Location loc, ModuleOp module,
                          Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  callPrint(b, loc, module, "printOpen");
  int64_t count = type.getNumElements();
  if (type.getRank() == 0) {
    if (failed(printScalar(b, loc, module,
                           tensor::ExtractOp::create(b, loc, tensor))))
      return failure();
  } else if (count > 0) {
    Value flat = tensor;
    if (type.getRank() > 1) {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        all[0].push_back(d);
      flat = tensor::CollapseShapeOp::create(b, loc, tensor, all);
    }
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    if (failed(printScalar(b, loc, module,
                           tensor::ExtractOp::create(b, loc, flat, zero))))
      return failure();
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value end = arith::ConstantIndexOp::create(b, loc, count);
    auto loop = scf::ForOp::create(b, loc, one, end, one);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    callPrint(b, loc, module, "printComma");
    Value element =
        tensor::ExtractOp::create(b, loc, flat, loop.getInductionVar());
    if (failed(printScalar(b, loc, module, element)))
      return failure();
  }
  callPrint(b, loc, module, "printClose");
  callPrint(b, loc, module, "printNewline");
  return success();
}

LogicalResult addMain(ModuleOp module) {
  auto graph = module.lookupSymbol<func::FuncOp>("graph");
  if (!graph || graph.isExternal())
    return module.emitError("no func.func @graph with a body");
  if (module.lookupSymbol("main"))
    return module.emitError("the module already defines @main");
  Location loc = graph.getLoc();
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  auto main = func::FuncOp::create(b, loc, "main", b.getFunctionType({}, {}));
  b.setInsertionPointToStart(main.addEntryBlock());
  SmallVector<Value> inputs;
  for (auto [k, argType] : llvm::enumerate(graph.getArgumentTypes())) {
    auto type = dyn_cast<RankedTensorType>(argType);
    if (!type || !type.hasStaticShape())
      return graph.emitError("argument ")
             << k << " is not a statically shaped tensor: " << argType;
    FailureOr<Value> input = buildInput(b, loc, type, k);
    if (failed(input))
      return graph.emitError("argument ")
             << k << " has an element type export cannot generate: " << argType;
    inputs.push_back(*input);
  }
  auto call = func::CallOp::create(b, loc, graph, inputs);
  for (auto [k, result] : llvm::enumerate(call.getResults())) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type || !type.hasStaticShape() ||
        failed(printTensor(b, loc, module, result)))
      return graph.emitError("result ")
             << k << " cannot be printed: " << result.getType();
  }
  func::ReturnOp::create(b, loc);
  return success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "ltc-mlir-export: a Torch-dialect graph as an mlir-runner program\n");
  if (level != "llvm" && level != "linalg") {
    llvm::errs() << "--level must be `linalg` or `llvm`\n";
    return 1;
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  torch::registerTorchDialect(registry);
  ltc::registerCpuPipelineDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  // The same Torch -> linalg stage as the backend's compiler.
  PassManager toLinalg(&context);
  toLinalg.addNestedPass<func::FuncOp>(torch::createDecomposeComplexOpsPass());
  // mlir-runner links none of our runtime's kernels.
  toLinalg.addPass(
      torch::createConvertTorchToLinalgPass(/*poolingKernels=*/false));
  toLinalg.addPass(createCanonicalizerPass());
  if (failed(toLinalg.run(*module)) || failed(addMain(*module)))
    return 1;
  // Folds the index arithmetic of the generated inputs.
  PassManager tidy(&context);
  tidy.addPass(createCanonicalizerPass());
  if (failed(tidy.run(*module)))
    return 1;

  if (level == "llvm") {
    PassManager toLLVM(&context);
    // mlir-runner has none of our runtime's GEMM/convolution kernels.
    ltc::buildLinalgToLLVMPipeline(toLLVM, "ltc_graph_entry", "graph",
                                   /*kernelCalls=*/false);
    if (failed(toLLVM.run(*module)))
      return 1;
    // The runtime's buffers are 64-byte aligned and the pipeline tells LLVM
    // so; @main's result buffers come from plain malloc (bufferization's
    // out-parameters), so that promise must go or vector code may fault.
    if (auto graph = module->lookupSymbol<LLVM::LLVMFuncOp>("graph"))
      for (unsigned i = 0, e = graph.getNumArguments(); i < e; ++i)
        graph.removeArgAttr(i, LLVM::LLVMDialect::getAlignAttrName());
  }

  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  module->print(output->os());
  output->os() << "\n";
  output->keep();
  return 0;
}
