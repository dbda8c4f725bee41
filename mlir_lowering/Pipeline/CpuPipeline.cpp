//===- CpuPipeline.cpp - linalg-on-tensors to host object code ------------===//
//
// The pipeline: elementwise fusion and loop ordering on tensors, one-shot
// bufferization with results turned into caller-provided out-parameters,
// deallocation of temporaries, loops, polynomial math, LLVM dialect, the
// void(void **) entry wrapper; then LLVM IR, the LLVM O2 pipeline for the host
// CPU (whose loop and SLP vectorizers do the vectorization) and an object.
//
//===----------------------------------------------------------------------===//

#include "CpuPipeline.h"
#include "ModuleSplitting.h"
#include "Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToFuncs/MathToFuncs.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/AllInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using namespace mlir;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

/// The host's triple, CPU and features, computed once per process.
struct HostTarget {
  std::string triple;
  std::string cpu;
  std::string features;
  const llvm::Target *target = nullptr;
  std::string error;
};

const HostTarget &getHostTarget() {
  static const HostTarget host = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    HostTarget h;
    h.triple = llvm::sys::getProcessTriple();
    h.cpu = llvm::sys::getHostCPUName().str();
    std::string features;
    for (const auto &feature : llvm::sys::getHostCPUFeatures()) {
      if (!features.empty())
        features += ",";
      features += (feature.second ? "+" : "-") + feature.first().str();
    }
    h.features = std::move(features);
    h.target =
        llvm::TargetRegistry::lookupTarget(llvm::Triple(h.triple), h.error);
    return h;
  }();
  return host;
}

/// Size in bytes of one element of a buffer of `type`, or 0 if the runtime
/// cannot hold it.
uint64_t elementBytes(Type type) {
  if (type.isInteger(1))
    return 1;
  if (isa<IntegerType>(type) || isa<FloatType>(type)) {
    unsigned bits = type.getIntOrFloatBitWidth();
    if (bits == 8 || bits == 16 || bits == 32 || bits == 64)
      return bits / 8;
  }
  return 0;
}

/// Byte size of a statically shaped tensor of a supported element type.
FailureOr<uint64_t> bufferBytes(Type type, std::string &why) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor) {
    why = "is not a ranked tensor";
    return failure();
  }
  if (!tensor.hasStaticShape()) {
    why = "has a dynamic shape";
    return failure();
  }
  uint64_t bytes = elementBytes(tensor.getElementType());
  if (bytes == 0) {
    why = "has an unsupported element type";
    return failure();
  }
  return bytes * static_cast<uint64_t>(tensor.getNumElements());
}

func::FuncOp findGraphFunc(ModuleOp module, StringRef name) {
  if (!name.empty())
    if (auto func = module.lookupSymbol<func::FuncOp>(name))
      if (!func.isExternal())
        return func;
  func::FuncOp found;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    if (found)
      return {};
    found = func;
  }
  return found;
}

/// The bare-pointer calling convention of func-to-llvm gives up on memrefs
/// with a zero-size dim after the first (their strides are not canonical),
/// so boundary tensors with no elements become `tensor<0xT>`: uses of such an
/// argument read a fresh empty tensor instead, and such a result is returned
/// as an empty `tensor<0xT>`. Their buffers hold no bytes either way.
void flattenEmptyBoundaryTensors(func::FuncOp graph) {
  auto flatType = [](Type type) -> RankedTensorType {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t || !t.hasStaticShape() || t.getRank() < 2 || t.getNumElements() != 0)
      return {};
    return RankedTensorType::get({0}, t.getElementType());
  };
  Block &entry = graph.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    if (RankedTensorType flat = flatType(arg.getType())) {
      auto t = cast<RankedTensorType>(arg.getType());
      Value empty = tensor::EmptyOp::create(b, graph.getLoc(), t.getShape(),
                                            t.getElementType());
      arg.replaceAllUsesWith(empty);
      arg.setType(flat);
    }
  }
  graph.walk([&](func::ReturnOp ret) {
    OpBuilder rb(ret);
    for (OpOperand &operand : ret->getOpOperands())
      if (RankedTensorType flat = flatType(operand.get().getType()))
        operand.set(tensor::EmptyOp::create(rb, ret.getLoc(), flat.getShape(),
                                            flat.getElementType()));
  });
  SmallVector<Type> results;
  for (Type t : graph.getFunctionType().getResults())
    results.push_back(flatType(t) ? Type(flatType(t)) : t);
  graph.setFunctionType(
      FunctionType::get(graph.getContext(), entry.getArgumentTypes(), results));
}

std::unique_ptr<llvm::TargetMachine>
createHostTargetMachine(int optLevel, std::string &error) {
  const HostTarget &host = getHostTarget();
  if (!host.target) {
    error = "no LLVM target for host triple " + host.triple + ": " + host.error;
    return nullptr;
  }
  // Level 2 generates code at `Less`: what it leaves out on x86 is mainly the
  // post-RA list scheduler, built for in-order cores, which takes half of
  // codegen on our large straight-line blocks and does not make the code
  // measurably faster on out-of-order hosts.
  llvm::CodeGenOptLevel level = optLevel <= 0 ? llvm::CodeGenOptLevel::None
                                : optLevel <= 2
                                    ? llvm::CodeGenOptLevel::Less
                                    : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions targetOptions;
  // PIC: the ORC JIT may place code and data far apart.
  std::unique_ptr<llvm::TargetMachine> tm(host.target->createTargetMachine(
      llvm::Triple(host.triple), host.cpu, host.features, targetOptions,
      llvm::Reloc::PIC_, llvm::CodeModel::Small, level));
  if (!tm)
    error = "cannot create a target machine for " + host.triple;
  return tm;
}

void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                    int optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  // No loop unrolling below level 3. The loop vectorizer already widens and
  // interleaves our elementwise loops (several vectors an iteration); the
  // unroller then flattened every loop whose trip count it knew, which made
  // the MLP's training graph 8x larger (830 KB of IR), 3x slower to compile
  // and its compile peak 36 MB higher, for no graph time we could measure.
  tuning.LoopUnrolling = optLevel >= 3;
  // LLVM vectorizes for 256-bit registers on AVX-512 Intel cores unless told
  // otherwise, to spare the rest of a program the lower clock of 512-bit
  // code. A graph is all loops: at 512 bits the LayerNorm/GELU chain's
  // erf/tanh loop ran 1.45x faster here (Cascade Lake); no other graph
  // measurably slower.
  if (tm.getTargetFeatureString().contains("+avx512f"))
    for (llvm::Function &function : module)
      if (!function.isDeclaration())
        function.addFnAttr("prefer-vector-width", "512");
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel <= 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = optLevel <= 0
                                    ? pb.buildO0DefaultPipeline(level)
                                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

/// One part of a module (all of it when not split), compiled.
struct CompiledPart {
  llvm::SmallString<0> object;
  std::string llvmIR; // when options.dumpIR
  std::string error;
  double llvmMs = 0, codegenMs = 0;
};

/// Optimizes `module` for the host and emits its object code into `part`.
void compilePart(llvm::Module &module, llvm::TargetMachine &tm,
                 const ltc::CpuCompileOptions &options, CompiledPart &part) {
  Clock::time_point start = Clock::now();
  optimizeModule(module, tm, options.optLevel);
  if (options.dumpIR) {
    llvm::raw_string_ostream os(part.llvmIR);
    module.print(os, nullptr);
  }
  part.llvmMs = msSince(start);
  start = Clock::now();
  llvm::raw_svector_ostream os(part.object);
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, os, nullptr,
                             llvm::CodeGenFileType::ObjectFile)) {
    part.error = "the host target cannot emit object files";
    return;
  }
  codegen.run(module);
  part.codegenMs = msSince(start);
}

/// Below this many LLVM instructions a module compiles in one piece: a
/// split costs a bitcode round trip and a thread start (a few ms).
constexpr unsigned kMinSplitInstructions = 1000;

/// The objects of a split module as one ar archive (without a symbol
/// table: the runtime adds every member).
FailureOr<std::string> archiveObjects(llvm::ArrayRef<CompiledPart> parts,
                                      std::string &error) {
  std::vector<std::string> names;
  for (size_t i = 0; i < parts.size(); ++i)
    names.push_back("part" + std::to_string(i) + ".o");
  std::vector<llvm::NewArchiveMember> members;
  for (size_t i = 0; i < parts.size(); ++i) {
    llvm::NewArchiveMember member;
    member.Buf = llvm::MemoryBuffer::getMemBuffer(
        llvm::StringRef(parts[i].object.data(), parts[i].object.size()),
        names[i], /*RequiresNullTerminator=*/false);
    member.MemberName = names[i];
    members.push_back(std::move(member));
  }
  auto archive = llvm::writeArchiveToBuffer(
      members, llvm::SymtabWritingMode::NoSymtab, llvm::object::Archive::K_GNU,
      /*Deterministic=*/true, /*Thin=*/false);
  if (!archive) {
    error = "cannot archive the split objects: " +
            llvm::toString(archive.takeError());
    return failure();
  }
  return std::string((*archive)->getBuffer());
}

} // namespace

void mlir::ltc::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                          const std::string &entrySymbol,
                                          const std::string &graphFunction,
                                          bool kernelCalls) {
  // Tensor level: fuse elementwise chains, pick vectorizable loop orders.
  pm.addPass(ltc::createMarkGraphBoundaryPass());
  pm.addNestedPass<func::FuncOp>(ltc::createGeneralizeNamedOpsPass());
  pm.addNestedPass<func::FuncOp>(ltc::createFoldProductTransposePass());
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(ltc::createLinalgLoopOrderPass());
  pm.addNestedPass<func::FuncOp>(ltc::createReductionFastMathPass());

  // Bufferization: results are written straight into the caller's buffers.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createEmptyTensorToAllocTensorPass());
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferizeOptions.bufferAlignment = 64;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  pm.addNestedPass<func::FuncOp>(ltc::createCopyRepeatedResultsPass());
  bufferization::BufferResultsToOutParamsPassOptions outParamsOptions;
  outParamsOptions.hoistStaticAllocs = true;
  outParamsOptions.modifyPublicFunctions = true;
  pm.addPass(
      bufferization::createBufferResultsToOutParamsPass(outParamsOptions));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(ltc::createLowerStridedCopiesPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Runtime kernel calls on memrefs, whose buffers deallocation now frees
  // after the calls: the i64 (pointer, offset, strides) ABI of the kernels.
  pm.addPass(ltc::createExpandKernelCallsPass());

  // Matrix products and convolutions: calls into the runtime's kernels.
  if (kernelCalls)
    pm.addPass(ltc::createLinalgToKernelCallsPass());
  // Elementwise loops over contiguous dimensions become one long loop, which
  // LLVM vectorizes without a remainder per row.
  pm.addNestedPass<func::FuncOp>(ltc::createCollapseContiguousDimsPass());
  // The remaining large loop nests: tiles run on the runtime's threads.
  if (kernelCalls)
    pm.addPass(ltc::createParallelizeLoopsPass());
  pm.addPass(createCanonicalizerPass());

  // Loops and scalar code; LLVM vectorizes them later. Reductions first, with
  // their accumulators in registers.
  pm.addNestedPass<func::FuncOp>(ltc::createReductionLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(ltc::createMathApproximationPass());
  // Integer powers (math.ipowi, math.fpowi) become small outlined loops:
  // LLVM has no lowering for the first, and the libgcc call of the second
  // (__powisf2) is not among the symbols the runtime resolves.
  pm.addPass(createConvertMathToFuncs());
  arith::ArithEmulateUnsupportedFloatsOptions emulateOptions;
  emulateOptions.sourceTypeStrs = {"bf16", "f16"};
  emulateOptions.targetTypeStr = "f32";
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulateOptions));
  arith::ArithExpandOpsPassOptions expandOptions;
  expandOptions.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expandOptions));
  pm.addPass(createLowerAffinePass());
  // Counts the arithmetic once it is all expanded.
  pm.addNestedPass<func::FuncOp>(ltc::createInterleaveLongLoopsPass());
  pm.addPass(createSCFToControlFlowPass());
  // Folds the extf/truncf round trips of the emulated f16/bf16 arithmetic,
  // which carry `contract` for this; then the flags must go.
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(ltc::createDropCastFastMathPass());

  // LLVM dialect.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // With the runtime, allocations call MLIR's generic functions, which it
  // resolves to its graph allocator (runtime/graph_allocator.h); code for
  // elsewhere calls malloc/free.
  FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
  memrefOptions.useGenericFunctions = kernelCalls;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(ltc::createEmitEntryWrapperPass(entrySymbol, graphFunction));
  pm.addPass(createCanonicalizerPass());
}

void mlir::ltc::registerCpuPipelineDialects(DialectRegistry &registry) {
  registry
      .insert<affine::AffineDialect, arith::ArithDialect,
              bufferization::BufferizationDialect, cf::ControlFlowDialect,
              func::FuncDialect, linalg::LinalgDialect, LLVM::LLVMDialect,
              math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
              tensor::TensorDialect, ub::UBDialect, vector::VectorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferDeallocationOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  cf::registerBufferizableOpInterfaceExternalModels(registry);
  cf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  linalg::registerAllDialectInterfaceImplementations(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerSubsetOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

FailureOr<ltc::CpuCompileResult> mlir::ltc::compileLinalgModuleToObject(
    ModuleOp module, const CpuCompileOptions &options, std::string &error) {
  MLIRContext *ctx = module.getContext();
  static const DialectRegistry *const pipelineRegistry = [] {
    auto *registry = new DialectRegistry;
    registerCpuPipelineDialects(*registry);
    return registry;
  }();
  // Built once; appended only to a context that lacks part of it (the lazy
  // backend's context has it all from the start).
  if (!pipelineRegistry->isSubsetOf(ctx->getDialectRegistry()))
    ctx->appendDialectRegistry(*pipelineRegistry);

  // Collect every diagnostic so that the caller gets the reason.
  std::string diagnostics;
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag << "\n";
    for (const Diagnostic &note : diag.getNotes())
      os << "  " << note.getLocation() << ": note: " << note << "\n";
    return success();
  });
  auto fail = [&](const Twine &message) -> FailureOr<CpuCompileResult> {
    error = message.str();
    if (!diagnostics.empty())
      error += "\n" + diagnostics;
    return failure();
  };

  if (failed(verify(module)))
    return fail("input module does not verify");

  CpuCompileResult result;
  result.entrySymbol = options.entrySymbol;
  func::FuncOp graph = findGraphFunc(module, options.graphFunction);
  if (!graph)
    return fail("no graph function: expected func.func @" +
                options.graphFunction +
                " or exactly one public func.func with a body");
  std::string graphName = graph.getSymName().str();
  FunctionType graphType = graph.getFunctionType();
  std::string why;
  for (auto [i, type] : llvm::enumerate(graphType.getInputs())) {
    FailureOr<uint64_t> bytes = bufferBytes(type, why);
    if (failed(bytes))
      return fail("input " + Twine(i) + " of @" + graphName + " " + why);
    result.inputBytes.push_back(*bytes);
  }
  for (auto [i, type] : llvm::enumerate(graphType.getResults())) {
    FailureOr<uint64_t> bytes = bufferBytes(type, why);
    if (failed(bytes))
      return fail("result " + Twine(i) + " of @" + graphName + " " + why);
    result.outputBytes.push_back(*bytes);
  }

  // MLIR: linalg on tensors -> LLVM dialect.
  Clock::time_point start = Clock::now();
  flattenEmptyBoundaryTensors(graph);
  PassManager pm(ctx, ModuleOp::getOperationName());
  buildLinalgToLLVMPipeline(pm, options.entrySymbol, graphName);
  if (failed(pm.run(module)))
    return fail("lowering @" + graphName + " to the LLVM dialect failed");
  if (options.keepLLVMDialectIR) {
    llvm::raw_string_ostream os(result.llvmDialectIR);
    module.print(os);
  }
  result.loweringMs = msSince(start);

  // LLVM IR for the host. A large module is split by function
  // (ModuleSplitting.h): the caller optimizes and compiles the first part
  // while worker threads do the others, and the objects travel together as
  // an ar archive that the runtime links into one executable.
  start = Clock::now();
  std::unique_ptr<llvm::TargetMachine> tm =
      createHostTargetMachine(options.optLevel, why);
  if (!tm)
    return fail(why);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, graphName);
  if (!llvmModule)
    return fail("translation of @" + graphName + " to LLVM IR failed");
  llvmModule->setTargetTriple(tm->getTargetTriple());
  llvmModule->setDataLayout(tm->createDataLayout());
  // The runtime's allocation functions return fresh memory, as malloc does;
  // saying so lets LLVM vectorize loops over intermediates without runtime
  // alias checks.
  for (const char *name :
       {"_mlir_memref_to_llvm_alloc", "_mlir_memref_to_llvm_aligned_alloc"})
    if (llvm::Function *alloc = llvmModule->getFunction(name))
      alloc->addRetAttr(llvm::Attribute::NoAlias);
  unsigned threads =
      options.codegenThreads > 0
          ? static_cast<unsigned>(options.codegenThreads)
          : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  std::vector<llvm::SmallString<0>> otherParts = ltc::splitModuleByFunction(
      *llvmModule, threads, {options.entrySymbol, graphName},
      kMinSplitInstructions);

  // parts[0] is compiled here, the others on worker threads, each in a
  // context of its own.
  std::vector<CompiledPart> parts(1 + otherParts.size());
  std::vector<std::thread> workers;
  for (size_t i = 0; i < otherParts.size(); ++i) {
    workers.emplace_back([&, i] {
      CompiledPart &part = parts[i + 1];
      llvm::LLVMContext context;
      auto parsed = llvm::parseBitcodeFile(
          llvm::MemoryBufferRef(otherParts[i].str(), "part"), context);
      if (!parsed) {
        part.error = "cannot read back a split part: " +
                     llvm::toString(parsed.takeError());
        return;
      }
      std::unique_ptr<llvm::TargetMachine> partTm =
          createHostTargetMachine(options.optLevel, part.error);
      if (partTm)
        compilePart(**parsed, *partTm, options, part);
    });
  }
  double translateMs = msSince(start);
  compilePart(*llvmModule, *tm, options, parts[0]);
  start = Clock::now();
  for (std::thread &worker : workers)
    worker.join();
  result.llvmMs = translateMs + parts[0].llvmMs;
  result.codegenMs = parts[0].codegenMs + msSince(start);

  for (CompiledPart &part : parts) {
    if (!part.error.empty())
      return fail(part.error);
    if (options.dumpIR)
      result.llvmIR +=
          (result.llvmIR.empty() ? "" : "\n; ---- next part ----\n") +
          part.llvmIR;
  }
  if (parts.size() == 1) {
    result.objectCode.assign(parts[0].object.data(), parts[0].object.size());
  } else {
    FailureOr<std::string> archive = archiveObjects(parts, why);
    if (failed(archive))
      return fail(why);
    result.objectCode = std::move(*archive);
  }
  result.codegenParts = parts.size();
  return result;
}

void mlir::ltc::registerCpuPipelines() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerCpuPipelinePasses();
    PassPipelineRegistration<LinalgToLLVMPipelineOptions>(
        "ltc-linalg-to-llvm",
        "Lower statically shaped linalg-on-tensors functions to the LLVM "
        "dialect with a `void entry(void **buffers)` wrapper",
        [](OpPassManager &pm, const LinalgToLLVMPipelineOptions &options) {
          buildLinalgToLLVMPipeline(pm, options.entrySymbol,
                                    options.graphFunction, options.kernelCalls);
        });
  });
}

void mlir::ltc::registerCpuPipelinePasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::mlir::registerPass(createMarkGraphBoundaryPass);
    ::mlir::registerPass(createLinalgLoopOrderPass);
    ::mlir::registerPass(createReductionFastMathPass);
    ::mlir::registerPass(createReductionLoopsPass);
    ::mlir::registerPass(createMathApproximationPass);
    ::mlir::registerPass(createInterleaveLongLoopsPass);
    ::mlir::registerPass(createLowerStridedCopiesPass);
    ::mlir::registerPass(createCopyRepeatedResultsPass);
    ::mlir::registerPass(createDropCastFastMathPass);
    ::mlir::registerPass(createGeneralizeNamedOpsPass);
    ::mlir::registerPass(createFoldProductTransposePass);
    ::mlir::registerPass(createLinalgToKernelCallsPass);
    ::mlir::registerPass(createCollapseContiguousDimsPass);
    ::mlir::registerPass(createExpandKernelCallsPass);
    ::mlir::registerPass([] { return createParallelizeLoopsPass(); });
    ::mlir::registerPass([] { return createEmitEntryWrapperPass(); });
  });
}
