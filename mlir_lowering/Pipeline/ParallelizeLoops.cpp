//===- ParallelizeLoops.cpp - linalg ops on memrefs to parallel_for calls -===//
//
// After bufferization, a linalg op with enough work is tiled along its first
// parallel loop that indexes every output, and the loop over the tiles is
// outlined into `void body(void *ctx, i64 begin, i64 end)`, which runs tiles
// [begin, end). In its place the graph calls the runtime's
// `ltc_mlir_parallel_for(body, ctx, numTiles)`, which splits the tiles among
// its threads (runtime/parallel_for.h); ctx points to a stack struct holding
// the LLVM forms (descriptors for memrefs) of the values the loop uses. The
// outlined body stays ordinary func/scf/linalg code, so the rest of the
// pipeline lowers and vectorizes it like any other loop nest; the casts
// between the memref and descriptor forms fold away once everything is LLVM.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace {

constexpr StringLiteral kParallelFor = "ltc_mlir_parallel_for";
/// Smallest tile of an op's innermost loop, in elements.
constexpr int64_t kMinInnerTile = 16;

/// The first parallel loop of `op` that every output indexes by itself (so
/// that distinct tiles write distinct elements) and that has at least two
/// iterations; -1 if none.
int64_t findParallelDim(linalg::LinalgOp op, ArrayRef<int64_t> ranges) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (auto [dim, iterator] : llvm::enumerate(iterators)) {
    if (iterator != utils::IteratorType::parallel || ranges[dim] < 2)
      continue;
    bool inEveryOutput =
        llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
          AffineMap map = op.getMatchingIndexingMap(&init);
          return llvm::any_of(map.getResults(), [&](AffineExpr expr) {
            auto d = dyn_cast<AffineDimExpr>(expr);
            return d && d.getPosition() == dim;
          });
        });
    if (inEveryOutput)
      return dim;
  }
  return -1;
}

/// Iterations times the scalar ops per iteration: a rough cost, to keep
/// small ops serial.
int64_t estimateWork(linalg::LinalgOp op, ArrayRef<int64_t> ranges) {
  int64_t iterations = 1;
  for (int64_t range : ranges)
    iterations *= range;
  int64_t bodyOps = 0;
  if (op->getNumRegions() == 1 && !op->getRegion(0).empty())
    bodyOps = std::distance(op->getRegion(0).front().begin(),
                            op->getRegion(0).front().end()) -
              1;
  return iterations * std::max<int64_t>(1, bodyOps);
}

/// Declares `void ltc_mlir_parallel_for(body, ptr, i64)` unless it is there.
LogicalResult declareParallelFor(ModuleOp module, FunctionType bodyType) {
  MLIRContext *ctx = module.getContext();
  auto type = FunctionType::get(
      ctx,
      {bodyType, LLVM::LLVMPointerType::get(ctx), IntegerType::get(ctx, 64)},
      {});
  if (auto existing = module.lookupSymbol<func::FuncOp>(kParallelFor))
    return success(existing.getFunctionType() == type);
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto func = func::FuncOp::create(b, module.getLoc(), kParallelFor, type);
  func.setPrivate();
  return success();
}

struct ParallelizeLoopsPass
    : public PassWrapper<ParallelizeLoopsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ParallelizeLoopsPass)

  ParallelizeLoopsPass() = default;
  ParallelizeLoopsPass(const ParallelizeLoopsPass &other)
      : PassWrapper(other) {}
  ParallelizeLoopsPass(int64_t minWork, int64_t maxTiles) {
    this->minWork = minWork;
    this->maxTiles = maxTiles;
  }

  StringRef getArgument() const final { return "ltc-parallelize-loops"; }
  StringRef getDescription() const final {
    return "Outline large linalg ops on memrefs into tile loops run by the "
           "runtime's ltc_mlir_parallel_for";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, func::FuncDialect, LLVM::LLVMDialect,
                    linalg::LinalgDialect, memref::MemRefDialect,
                    scf::SCFDialect>();
  }

  Option<int64_t> minWork{
      *this, "min-work",
      llvm::cl::desc("Smallest work (iterations x body ops) to parallelize"),
      llvm::cl::init(ltc::kParallelizeMinWork)};
  Option<int64_t> maxTiles{*this, "max-tiles",
                           llvm::cl::desc("Most tiles one op is split into"),
                           llvm::cl::init(64)};

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<func::FuncOp, linalg::LinalgOp>> candidates;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      // Only ops directly in the function: nothing nests parallel regions.
      for (Block &block : func.getBody())
        for (Operation &op : block)
          if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
            candidates.push_back({func, linalgOp});
    }
    LLVMTypeConverter converter(&getContext());
    unsigned counter = 0;
    for (auto [func, op] : candidates)
      if (failed(parallelize(func, op, converter, counter)))
        return signalPassFailure();
  }

  LogicalResult parallelize(func::FuncOp func, linalg::LinalgOp op,
                            const LLVMTypeConverter &converter,
                            unsigned &counter);
};

LogicalResult
ParallelizeLoopsPass::parallelize(func::FuncOp func, linalg::LinalgOp op,
                                  const LLVMTypeConverter &converter,
                                  unsigned &counter) {
  if (!op.hasPureBufferSemantics() || op->getNumResults() != 0)
    return success();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty() || llvm::any_of(ranges, ShapedType::isDynamic))
    return success();
  int64_t dim = findParallelDim(op, ranges);
  if (dim < 0 || estimateWork(op, ranges) < minWork)
    return success();
  // Every value the op uses must have an LLVM form to travel through ctx.
  for (Value operand : op->getOperands())
    if (!converter.convertType(operand.getType()))
      return success();

  int64_t extent = ranges[dim];
  int64_t tiles = std::min<int64_t>(extent, std::max<int64_t>(2, maxTiles));
  int64_t tileSize = llvm::divideCeil(extent, tiles);
  // Tiles of the innermost (contiguous) loop span whole vectors and cache
  // lines: 4-column tiles of a column sum read 16 bytes of each row.
  if (dim + 1 == static_cast<int64_t>(ranges.size()))
    tileSize =
        std::min<int64_t>(extent, llvm::alignTo(tileSize, kMinInnerTile));
  tiles = llvm::divideCeil(extent, tileSize);

  IRRewriter rewriter(op->getContext());
  rewriter.setInsertionPoint(op);
  SmallVector<int64_t> tileSizes(dim + 1, 0);
  tileSizes[dim] = tileSize;
  linalg::LinalgTilingOptions options;
  options.setTileSizes(tileSizes);
  FailureOr<linalg::TiledLinalgOp> tiled =
      linalg::tileLinalgOp(rewriter, op, options);
  if (failed(tiled) || tiled->loops.size() != 1)
    return op->emitError("cannot tile for parallel execution");
  MLIRContext *ctx = op->getContext();
  // `op` is gone after this; nothing below may touch it.
  rewriter.eraseOp(op);
  auto loop = cast<scf::ForOp>(tiled->loops.front());

  Location loc = loop.getLoc();
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(loop.getRegion(), captured);
  SmallVector<Value> passed;
  SmallVector<Operation *> constants;
  SmallVector<Type> fields;
  for (Value value : captured) {
    Operation *def = value.getDefiningOp();
    if (def && def->hasTrait<OpTrait::ConstantLike>() &&
        def->getNumOperands() == 0 && def->getNumRegions() == 0) {
      constants.push_back(def);
      continue;
    }
    Type field = converter.convertType(value.getType());
    if (!field)
      return loop.emitError("cannot pass a value of type ")
             << value.getType() << " to a parallel body";
    passed.push_back(value);
    fields.push_back(field);
  }

  // The outlined body: void(ptr ctx, i64 begin, i64 end), internal.
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  auto bodyType = FunctionType::get(ctx, {ptrType, i64, i64}, {});
  ModuleOp module = func->getParentOfType<ModuleOp>();
  std::string name;
  do {
    name = (func.getSymName() + "_parallel_" + Twine(counter++)).str();
  } while (module.lookupSymbol(name));
  OpBuilder moduleBuilder(func);
  moduleBuilder.setInsertionPointAfter(func);
  auto body = func::FuncOp::create(moduleBuilder, loc, name, bodyType);
  body.setPrivate();
  body->setAttr("llvm.linkage",
                LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
  Block *entry = body.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  auto structType = LLVM::LLVMStructType::getLiteral(ctx, fields);
  if (!passed.empty()) {
    Value record =
        LLVM::LoadOp::create(b, loc, structType, entry->getArgument(0));
    for (auto [i, value] : llvm::enumerate(passed)) {
      Value field = LLVM::ExtractValueOp::create(b, loc, record, i);
      mapping.map(value, UnrealizedConversionCastOp::create(
                             b, loc, value.getType(), field)
                             .getResult(0));
    }
  }
  for (Operation *constant : constants)
    b.clone(*constant, mapping);
  // Tiles [begin, end) are iterations [begin * size, min(end * size, extent)).
  Value size = arith::ConstantIndexOp::create(b, loc, tileSize);
  Value begin =
      arith::MulIOp::create(b, loc,
                            arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                                       entry->getArgument(1)),
                            size);
  Value end = arith::MinSIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc,
                            arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                                       entry->getArgument(2)),
                            size),
      arith::ConstantIndexOp::create(b, loc, extent));
  auto clone = cast<scf::ForOp>(b.clone(*loop, mapping));
  clone.getLowerBoundMutable().assign(begin);
  clone.getUpperBoundMutable().assign(end);
  clone.getStepMutable().assign(size);
  func::ReturnOp::create(b, loc);

  // The call, with ctx on the caller's stack.
  if (failed(declareParallelFor(module, bodyType)))
    return module.emitError("@") << kParallelFor << " has another signature";
  Value context;
  if (passed.empty()) {
    b.setInsertionPoint(loop);
    context = LLVM::ZeroOp::create(b, loc, ptrType);
  } else {
    // The slot lives in the entry block, where LLVM expects static allocas.
    b.setInsertionPointToStart(&func.getBody().front());
    Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
    context = LLVM::AllocaOp::create(b, loc, ptrType, structType, one);
    b.setInsertionPoint(loop);
    Value record = LLVM::UndefOp::create(b, loc, structType);
    for (auto [i, value] : llvm::enumerate(passed)) {
      Value field = UnrealizedConversionCastOp::create(b, loc, fields[i], value)
                        .getResult(0);
      record = LLVM::InsertValueOp::create(b, loc, record, field, i);
    }
    LLVM::StoreOp::create(b, loc, record, context);
  }
  Value fn =
      func::ConstantOp::create(b, loc, bodyType, SymbolRefAttr::get(body));
  Value count = arith::ConstantIntOp::create(b, loc, tiles, 64);
  func::CallOp::create(b, loc, kParallelFor, TypeRange{},
                       ValueRange{fn, context, count});
  rewriter.eraseOp(loop);
  return success();
}

} // namespace

std::unique_ptr<Pass> mlir::ltc::createParallelizeLoopsPass(int64_t minWork,
                                                            int64_t maxTiles) {
  return std::make_unique<ParallelizeLoopsPass>(minWork, maxTiles);
}
