//===- TorchCompiler.h - Torch dialect to host object code ------*- C++ -*-===//
//
// The whole compiler in one call: a Torch-dialect module with
// `func.func @graph` is decomposed, converted to linalg-on-tensors and handed
// to the CPU pipeline, which returns relocatable object code.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_COMPILER_TORCHCOMPILER_H
#define LTC_MLIR_COMPILER_TORCHCOMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::ltc {

struct TorchCompileOptions {
  std::string entrySymbol = "ltc_graph_entry";
  int optLevel = 2;
  /// Keep the IR of each stage (for LTC_MLIR_DUMP_DIR).
  bool keepIR = false;
  /// See CpuCompileOptions::codegenThreads.
  int codegenThreads = 0;
};

struct TorchCompileResult {
  std::string objectCode;
  std::string entrySymbol;
  std::string linalgIR;      // after Torch -> linalg (keepIR only)
  std::string llvmDialectIR; // after lowering to the LLVM dialect (keepIR only)
  std::string llvmIR;        // optimized LLVM IR, parts in turn (keepIR only)
  /// Byte size of each input and output buffer, in argument order.
  std::vector<uint64_t> inputBytes, outputBytes;
  double torchToLinalgMs = 0, loweringMs = 0, llvmMs = 0, codegenMs = 0;
  /// Parts compiled on separate threads (see CpuCompileOptions).
  unsigned codegenParts = 1;
};

/// Compiles `module` in place. On failure, returns failure with the
/// diagnostics (naming the op that could not be converted) in `error`.
FailureOr<TorchCompileResult>
compileTorchModuleToObject(ModuleOp module, const TorchCompileOptions &options,
                           std::string &error);

} // namespace mlir::ltc

#endif // LTC_MLIR_COMPILER_TORCHCOMPILER_H
