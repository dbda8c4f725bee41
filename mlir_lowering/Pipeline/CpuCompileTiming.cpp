//===- CpuCompileTiming.cpp - Time compileLinalgModuleToObject per stage --===//
//
// Usage: cpu-compile-timing <linalg.mlir>... [--repeat=N] [--opt=N]
//                           [--llvm-ir=<file>] [--object=<file>]
//
// Compiles each linalg-on-tensors file (e.g. a `*.linalg.mlir` graph dump of
// LTC_MLIR_DUMP_DIR) N times in one context, as the lazy backend does, and
// prints the minimum time of each stage. The context holds every upstream
// dialect, like the lazy backend's. The first compile is reported apart:
// it pays for one-time initialization.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Pipeline/CpuPipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Sample {
  double parse, lowering, llvm, codegen, total;
};

// The minimum: the machine may be shared, and noise only adds time.
double minimum(const std::vector<double> &values) {
  return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
}

void print(llvm::StringRef label, const std::vector<Sample> &samples) {
  auto column = [&](double Sample::*field) {
    std::vector<double> values;
    for (const Sample &s : samples)
      values.push_back(s.*field);
    return minimum(values);
  };
  llvm::outs() << llvm::format(
      "  %-8s parse %7.1f  lowering %7.1f  llvm %7.1f"
      "  codegen %7.1f  total %7.1f ms\n",
      label.str().c_str(), column(&Sample::parse), column(&Sample::lowering),
      column(&Sample::llvm), column(&Sample::codegen), column(&Sample::total));
}

} // namespace

int main(int argc, char **argv) {
  int repeat = 5;
  mlir::ltc::CpuCompileOptions options;
  // As the lazy backend compiles when it does not dump.
  options.keepLLVMDialectIR = false;
  std::vector<std::string> files;
  std::string llvmIRFile, objectFile;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    if (arg.consume_front("--repeat="))
      repeat = std::max(1, std::atoi(arg.str().c_str()));
    else if (arg.consume_front("--opt="))
      options.optLevel = std::atoi(arg.str().c_str());
    else if (arg.consume_front("--llvm-ir="))
      llvmIRFile = arg.str();
    else if (arg.consume_front("--object="))
      objectFile = arg.str();
    else
      files.push_back(arg.str());
  }
  if (files.empty()) {
    llvm::errs() << "usage: " << argv[0]
                 << " <linalg.mlir>... [--repeat=N] [--opt=N] "
                    "[--llvm-ir=<file>] [--object=<file>]\n";
    return 2;
  }

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::ltc::registerCpuPipelineDialects(registry);
  // Like the lazy backend's context.
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();

  using Clock = std::chrono::steady_clock;
  auto msSince = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start)
        .count();
  };
  for (const std::string &file : files) {
    auto buffer = llvm::MemoryBuffer::getFile(file);
    if (!buffer) {
      llvm::errs() << file << ": cannot read\n";
      return 1;
    }
    std::string source = (*buffer)->getBuffer().str();
    std::vector<Sample> first, rest;
    for (int r = 0; r < repeat + 1; ++r) {
      Clock::time_point start = Clock::now();
      mlir::OwningOpRef<mlir::ModuleOp> module =
          mlir::parseSourceString<mlir::ModuleOp>(source, &context);
      if (!module) {
        llvm::errs() << file << ": parse error\n";
        return 1;
      }
      double parseMs = msSince(start);
      std::string error;
      auto result =
          mlir::ltc::compileLinalgModuleToObject(*module, options, error);
      if (mlir::failed(result)) {
        llvm::errs() << file << ": " << error << "\n";
        return 1;
      }
      Sample s{parseMs, result->loweringMs, result->llvmMs, result->codegenMs,
               msSince(start)};
      (r == 0 ? first : rest).push_back(s);
      // The object code of the last file given.
      if (!objectFile.empty() && r == 0) {
        std::error_code ec;
        llvm::raw_fd_ostream os(objectFile, ec);
        if (!ec)
          os << result->objectCode;
      }
      if (!llvmIRFile.empty() && r == 0) {
        // The optimized LLVM IR (of the last file given), from a separate
        // compile so that printing it is not timed.
        mlir::OwningOpRef<mlir::ModuleOp> again =
            mlir::parseSourceString<mlir::ModuleOp>(source, &context);
        mlir::ltc::CpuCompileOptions dumpOptions = options;
        dumpOptions.dumpIR = true;
        auto dumped =
            mlir::ltc::compileLinalgModuleToObject(*again, dumpOptions, error);
        std::error_code ec;
        llvm::raw_fd_ostream os(llvmIRFile, ec);
        if (mlir::succeeded(dumped) && !ec)
          os << dumped->llvmIR;
      }
    }
    llvm::outs() << file << " (minimum of " << repeat << ")\n";
    print("first", first);
    print("repeat", rest);
  }
  return 0;
}
