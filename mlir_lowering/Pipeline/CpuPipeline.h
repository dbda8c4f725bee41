//===- CpuPipeline.h - linalg-on-tensors to host object code ----*- C++ -*-===//
//
// Compiles a module of statically shaped linalg-on-tensors functions to a
// relocatable object for the host CPU (a large module: an ar archive of
// objects compiled on several threads, which link together). It defines
//
//   extern "C" void <entrySymbol>(void **buffers);
//
// where `buffers` holds the data pointers of the graph's inputs, then of its
// outputs, in function argument/result order. Every buffer is dense,
// row-major, 64-byte aligned and allocated by the caller; outputs must not
// alias each other nor any input. The code writes every result into its
// output buffer, including results that are inputs or views of inputs, and
// never writes into an input. Only libc/libm symbols stay undefined.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_PIPELINE_CPUPIPELINE_H
#define LTC_MLIR_PIPELINE_CPUPIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;

namespace ltc {

struct CpuCompileOptions {
  std::string entrySymbol = "ltc_graph_entry";
  /// LLVM optimization level, 0-3. Code generation runs at level 1 for
  /// levels 1 and 2 (see createHostTargetMachine), at 3 for 3.
  int optLevel = 2;
  /// Also return the LLVM IR text in CpuCompileResult::llvmIR.
  bool dumpIR = false;
  /// Return the LLVM-dialect module text in CpuCompileResult::llvmDialectIR
  /// (printing a large graph takes a few milliseconds).
  bool keepLLVMDialectIR = true;
  /// The function to compile: this one if it exists, otherwise the only
  /// public function with a body.
  std::string graphFunction = "graph";
  /// Threads that optimize and compile a large module's LLVM IR, split by
  /// function; 0: the host's cores, at most 4. The object code is then an
  /// ar archive of one relocatable object per part.
  int codegenThreads = 0;
};

struct CpuCompileResult {
  /// A relocatable ELF object, or an ar archive of several (one per part
  /// of a module compiled on several threads) that link together.
  std::string objectCode;
  unsigned codegenParts = 1; // objects in objectCode
  std::string entrySymbol;
  std::string llvmDialectIR; // LLVM-dialect MLIR (keepLLVMDialectIR only)
  std::string llvmIR;        // LLVM IR text (only when options.dumpIR)
  double loweringMs = 0, llvmMs = 0, codegenMs = 0; // time per stage
  /// Byte size of each input and output buffer, in `buffers` order.
  std::vector<uint64_t> inputBytes, outputBytes;
};

/// Options of the `ltc-linalg-to-llvm` pipeline.
struct LinalgToLLVMPipelineOptions
    : public PassPipelineOptions<LinalgToLLVMPipelineOptions> {
  Option<std::string> entrySymbol{*this, "entry-symbol",
                                  llvm::cl::desc("Name of the entry function"),
                                  llvm::cl::init("ltc_graph_entry")};
  Option<std::string> graphFunction{
      *this, "graph-function", llvm::cl::desc("Name of the graph function"),
      llvm::cl::init("graph")};
  Option<bool> kernelCalls{
      *this, "kernel-calls",
      llvm::cl::desc("Call the runtime's GEMM/convolution kernels and "
                     "allocator (off: plain loops and malloc, for code run "
                     "outside our runtime, e.g. by mlir-runner)"),
      llvm::cl::init(true)};
};

/// Adds the linalg-on-tensors -> LLVM dialect pipeline to a module-anchored
/// pass manager. Without `kernelCalls`, matrix products and convolutions
/// stay generated loops and allocations call malloc/free, so the code needs
/// no symbol from our runtime.
void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const std::string &entrySymbol,
                               const std::string &graphFunction,
                               bool kernelCalls = true);

/// Adds the dialects, interface implementations and LLVM IR translations the
/// pipeline needs. compileLinalgModuleToObject appends them to the module's
/// context itself when the context lacks any; call this when building a
/// context for parsing.
void registerCpuPipelineDialects(DialectRegistry &registry);

/// Runs the linalg-on-tensors -> LLVM pipeline on `module` in place, then
/// translates and emits the object. Errors come back as a failure with a
/// message in `error` -- never an abort.
FailureOr<CpuCompileResult>
compileLinalgModuleToObject(ModuleOp module, const CpuCompileOptions &options,
                            std::string &error);

/// Registers the pipeline as `ltc-linalg-to-llvm` and its passes for
/// ltc-mlir-opt and lit tests.
void registerCpuPipelines();

} // namespace ltc
} // namespace mlir

#endif // LTC_MLIR_PIPELINE_CPUPIPELINE_H
