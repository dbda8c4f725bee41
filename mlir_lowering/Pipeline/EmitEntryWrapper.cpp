//===- EmitEntryWrapper.cpp - The void(void **) entry of a graph ----------===//
//
// The runtime calls every compiled graph the same way: one array of buffer
// pointers, inputs first, then outputs. This pass adds that entry point to a
// module already in the LLVM dialect (bare-pointer memref convention) and
// makes the graph internal, so LLVM inlines it into the entry.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace {

/// The graph function: `name` if given and defined, else the only public
/// llvm.func with a body.
static LLVM::LLVMFuncOp findGraphFunction(ModuleOp module, StringRef name) {
  if (!name.empty())
    if (auto func = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
      if (!func.isExternal())
        return func;
  LLVM::LLVMFuncOp found;
  for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
    if (func.isExternal() || func.getLinkage() != LLVM::Linkage::External)
      continue;
    if (found)
      return {};
    found = func;
  }
  return found;
}

struct EmitEntryWrapperPass
    : public PassWrapper<EmitEntryWrapperPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(EmitEntryWrapperPass)

  EmitEntryWrapperPass() = default;
  EmitEntryWrapperPass(const EmitEntryWrapperPass &other)
      : PassWrapper(other) {}
  EmitEntryWrapperPass(const std::string &entry, const std::string &graph) {
    entrySymbol = entry;
    graphFunction = graph;
  }

  StringRef getArgument() const final { return "ltc-emit-entry-wrapper"; }
  StringRef getDescription() const final {
    return "Add the `void entry(void **buffers)` wrapper around the graph "
           "function of an LLVM-dialect module";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect>();
  }

  Option<std::string> entrySymbol{*this, "entry-symbol",
                                  llvm::cl::desc("Name of the entry function"),
                                  llvm::cl::init("ltc_graph_entry")};
  Option<std::string> graphFunction{
      *this, "graph-function", llvm::cl::desc("Name of the graph function"),
      llvm::cl::init("graph")};

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    LLVM::LLVMFuncOp graph = findGraphFunction(module, graphFunction);
    if (!graph) {
      module.emitError() << "no graph function: expected a defined llvm.func @"
                         << graphFunction
                         << " or exactly one public llvm.func with a body";
      return signalPassFailure();
    }
    if (entrySymbol.empty() || module.lookupSymbol(entrySymbol)) {
      module.emitError() << "entry symbol '" << entrySymbol
                         << "' is empty or already defined";
      return signalPassFailure();
    }
    LLVM::LLVMFunctionType graphType = graph.getFunctionType();
    if (graphType.isVarArg() ||
        !isa<LLVM::LLVMVoidType>(graphType.getReturnType())) {
      graph.emitError() << "graph function must return nothing (all results "
                           "as out-parameters, which needs static shapes); "
                           "got "
                        << graphType;
      return signalPassFailure();
    }
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    for (Type param : graphType.getParams()) {
      if (param != ptrType) {
        graph.emitError() << "graph parameters must all be bare pointers "
                             "(statically shaped memrefs); got "
                          << param;
        return signalPassFailure();
      }
    }

    Location loc = graph.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto entryType =
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptrType});
    auto entry = LLVM::LLVMFuncOp::create(b, loc, entrySymbol, entryType);
    Block *block = entry.addEntryBlock(b);
    b.setInsertionPointToStart(block);
    SmallVector<Value> buffers;
    for (unsigned i = 0, e = graphType.getNumParams(); i < e; ++i) {
      Value slot =
          LLVM::GEPOp::create(b, loc, ptrType, ptrType, block->getArgument(0),
                              ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      buffers.push_back(LLVM::LoadOp::create(b, loc, ptrType, slot,
                                             /*alignment=*/8));
    }
    LLVM::CallOp::create(b, loc, graph, buffers);
    LLVM::ReturnOp::create(b, loc, ValueRange{});

    // The runtime hands out distinct, 64-byte aligned buffers (inputs are
    // only read, so repeated inputs do not break noalias).
    for (unsigned i = 0, e = graphType.getNumParams(); i < e; ++i) {
      graph.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(),
                       UnitAttr::get(ctx));
      graph.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                       b.getI64IntegerAttr(64));
    }
    graph.setLinkage(LLVM::Linkage::Internal);
  }
};
} // namespace

std::unique_ptr<Pass>
mlir::ltc::createEmitEntryWrapperPass(const std::string &entrySymbol,
                                      const std::string &graphFunction) {
  return std::make_unique<EmitEntryWrapperPass>(entrySymbol, graphFunction);
}
