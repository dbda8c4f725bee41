//===- LinalgToKernelCalls.cpp - contractions and convs to runtime calls --===//
//
// After bufferization, f32 matrix products (any linalg op whose body is a
// multiply-accumulate, e.g. a generalized matmul with transposes and
// reshapes fused into its indexing maps, whose batch, m, n and k loops each
// collapse into one strided dimension) become calls to the runtime's
// `ltc_mlir_sgemm`, and f32 linalg.conv_2d_nchw_fchw ops calls to
// `ltc_mlir_conv2d_nchw` (im2col + GEMM). Both kernels take base pointers,
// offsets and element strides read from the memref descriptors, so views and
// transposed operands need no copies; the kernels run on OpenBLAS when the
// process can load it.
//
//===----------------------------------------------------------------------===//

#include "KernelAbi.h"
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using mlir::ltc::constI64;
using mlir::ltc::getMemRefArgs;
using mlir::ltc::MemRefArgs;

namespace {

constexpr StringLiteral kSgemm = "ltc_mlir_sgemm";
constexpr StringLiteral kConv2d = "ltc_mlir_conv2d_nchw";
constexpr unsigned kSgemmArgs = 20;
constexpr unsigned kConv2dArgs = 31;

bool isF32MemRef(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getElementType().isF32();
}

/// Declares `void name(i64 x numArgs)` in `module` unless it is there.
LogicalResult declareKernel(ModuleOp module, StringRef name, unsigned numArgs) {
  MLIRContext *ctx = module.getContext();
  auto type = FunctionType::get(
      ctx, SmallVector<Type>(numArgs, IntegerType::get(ctx, 64)), {});
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return success(existing.getFunctionType() == type);
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto func = func::FuncOp::create(b, module.getLoc(), name, type);
  func.setPrivate();
  return success();
}

/// The zero fill of `output` just before `op`, if any (only allocations and
/// side-effect-free ops in between), so that the kernel can overwrite
/// instead of accumulate.
Operation *findZeroFill(Operation *op, Value output) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto generic = dyn_cast<linalg::GenericOp>(prev)) {
      std::optional<Value> value = linalg::isaFillOpInterface(generic);
      if (value && generic.getDpsInitOperand(0)->get() == output &&
          matchPattern(*value, m_AnyZeroFloat()))
        return prev;
    }
    if (auto fill = dyn_cast<linalg::FillOp>(prev)) {
      if (fill.getDpsInitOperand(0)->get() == output &&
          matchPattern(fill.value(), m_AnyZeroFloat()))
        return prev;
    }
    if (isa<memref::AllocOp, memref::AllocaOp>(prev) ||
        isMemoryEffectFree(prev))
      continue;
    return nullptr;
  }
  return nullptr;
}

/// Where an operand's element stride along a GEMM dimension comes from.
struct StrideSource {
  enum Kind { Zero, Descriptor, Constant } kind = Zero;
  int64_t value = 0; // the descriptor's stride position, or the stride
};

/// One dimension of the strided GEMM (batch, m, n or k), made of one or more
/// loop dimensions of the linalg op: its extent and, per operand (lhs, rhs,
/// out), the element stride along it.
struct GemmDim {
  int64_t size = 1;
  SmallVector<StrideSource, 3> strides;
};

/// Collapses the loop dimensions `group` into one GEMM dimension. Unit loops
/// are dropped. One remaining loop takes its strides from the descriptors
/// (any layout); several must be nested contiguously in every operand that
/// indexes them (outer stride = inner stride * inner extent, read from the
/// static layouts), so that one stride walks them all in the same order.
/// A weight gradient over [batch, seq] rows is such a group: two k loops.
FailureOr<GemmDim> collapseGroup(linalg::LinalgOp op, ArrayRef<unsigned> group,
                                 ArrayRef<int64_t> ranges,
                                 ArrayRef<OpOperand *> operands) {
  GemmDim result;
  SmallVector<unsigned> loops;
  for (unsigned dim : group)
    if (ranges[dim] != 1) {
      loops.push_back(dim);
      result.size *= ranges[dim];
    }
  SmallVector<unsigned> order; // indices into `loops`, outermost first
  for (OpOperand *operand : operands) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    SmallVector<unsigned> positions;
    for (unsigned dim : loops)
      if (std::optional<unsigned> pos =
              map.getResultPosition(getAffineDimExpr(dim, op.getContext())))
        positions.push_back(*pos);
    if (positions.empty()) {
      result.strides.push_back({StrideSource::Zero, 0});
      continue;
    }
    if (positions.size() != loops.size())
      return failure();
    if (loops.size() == 1) {
      result.strides.push_back({StrideSource::Descriptor, positions[0]});
      continue;
    }
    auto type = cast<MemRefType>(operand->get().getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)))
      return failure();
    SmallVector<int64_t> along;
    for (unsigned pos : positions) {
      if (ShapedType::isDynamic(strides[pos]))
        return failure();
      along.push_back(strides[pos]);
    }
    // The first operand that indexes the loops fixes their order.
    if (order.empty()) {
      order = llvm::to_vector(llvm::seq<unsigned>(0, loops.size()));
      llvm::stable_sort(
          order, [&](unsigned x, unsigned y) { return along[x] > along[y]; });
    }
    for (auto [outer, inner] :
         llvm::zip(ArrayRef(order).drop_back(), ArrayRef(order).drop_front()))
      if (along[outer] != along[inner] * ranges[loops[inner]])
        return failure();
    result.strides.push_back({StrideSource::Constant, along[order.back()]});
  }
  return result;
}

/// Rewrites a batched f32 matrix product into a call to ltc_mlir_sgemm.
LogicalResult rewriteContraction(RewriterBase &rewriter, linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op->getNumResults() != 0)
    return failure();
  for (Value operand : op->getOperands())
    if (!isF32MemRef(operand))
      return failure();
  if (!linalg::isaContractionOpInterface(op))
    return failure();
  // isaContractionOpInterface accepts a mul-add in either order but also
  // other element ops (e.g. integer); the f32 check above leaves mulf/addf.
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims))
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  if (dims->batch.size() + dims->m.size() + dims->n.size() + dims->k.size() !=
      op.getNumLoops())
    return failure();
  // The body must be exactly out + a * b (a fused elementwise op would add
  // more).
  Block *body = op.getBlock();
  if (body->getOperations().size() != 3)
    return failure();

  SmallVector<OpOperand *> operands = {op.getDpsInputOperand(0),
                                       op.getDpsInputOperand(1),
                                       op.getDpsInitOperand(0)};
  auto collapse = [&](ArrayRef<unsigned> group) {
    return collapseGroup(op, group, ranges, operands);
  };
  FailureOr<GemmDim> m = collapse(dims->m), n = collapse(dims->n),
                     k = collapse(dims->k), batch = collapse(dims->batch);
  // Two m (or n) loops that do not collapse, e.g. a broadcast operand's batch
  // loop counted as a second m loop, still run as a strided batch when there
  // is no other: the outer one (in the output) becomes the batch.
  if (succeeded(batch) && batch->size == 1) {
    AffineMap outMap = op.getMatchingIndexingMap(operands[2]);
    for (auto [group, gemm] :
         {std::pair(&dims->m, &m), std::pair(&dims->n, &n)}) {
      if (succeeded(*gemm) || group->size() != 2)
        continue;
      std::optional<unsigned> first = outMap.getResultPosition(
          getAffineDimExpr((*group)[0], op.getContext()));
      std::optional<unsigned> second = outMap.getResultPosition(
          getAffineDimExpr((*group)[1], op.getContext()));
      if (!first || !second)
        break;
      unsigned outer = *first < *second ? 0 : 1;
      batch = collapse({(*group)[outer]});
      *gemm = collapse({(*group)[1 - outer]});
      break;
    }
  }
  if (failed(m) || failed(n) || failed(k) || failed(batch))
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<MemRefArgs> args;
  for (OpOperand *operand : operands)
    args.push_back(getMemRefArgs(rewriter, loc, operand->get()));
  auto stride = [&](const GemmDim &dim, unsigned operand) -> Value {
    const StrideSource &source = dim.strides[operand];
    if (source.kind == StrideSource::Descriptor)
      return args[operand].strides[source.value];
    return constI64(rewriter, loc, source.value);
  };
  Operation *fill = findZeroFill(op, operands[2]->get());
  SmallVector<Value> callArgs = {constI64(rewriter, loc, batch->size),
                                 constI64(rewriter, loc, m->size),
                                 constI64(rewriter, loc, n->size),
                                 constI64(rewriter, loc, k->size),
                                 args[0].pointer,
                                 args[0].offset,
                                 stride(*batch, 0),
                                 stride(*m, 0),
                                 stride(*k, 0),
                                 args[1].pointer,
                                 args[1].offset,
                                 stride(*batch, 1),
                                 stride(*k, 1),
                                 stride(*n, 1),
                                 args[2].pointer,
                                 args[2].offset,
                                 stride(*batch, 2),
                                 stride(*m, 2),
                                 stride(*n, 2),
                                 constI64(rewriter, loc, fill ? 0 : 1)};
  func::CallOp::create(rewriter, loc, kSgemm, TypeRange{}, callArgs);
  rewriter.eraseOp(op);
  if (fill)
    rewriter.eraseOp(fill);
  return success();
}

/// Rewrites an f32 linalg.conv_2d_nchw_fchw into a call to
/// ltc_mlir_conv2d_nchw.
LogicalResult rewriteConvolution(RewriterBase &rewriter,
                                 linalg::Conv2DNchwFchwOp op) {
  if (!op.hasPureBufferSemantics() || op->getNumResults() != 0)
    return failure();
  Value input = op.getDpsInputOperand(0)->get();
  Value filter = op.getDpsInputOperand(1)->get();
  Value output = op.getDpsInitOperand(0)->get();
  for (Value v : {input, filter, output})
    if (!isF32MemRef(v) || !cast<MemRefType>(v.getType()).hasStaticShape())
      return failure();
  auto inShape = cast<MemRefType>(input.getType()).getShape();
  auto wShape = cast<MemRefType>(filter.getType()).getShape();
  auto outShape = cast<MemRefType>(output.getType()).getShape();
  if (inShape[0] != outShape[0] || wShape[0] != outShape[1] ||
      wShape[1] != inShape[1])
    return failure();
  SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
  if (strides.size() != 2 || dilations.size() != 2)
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto cst = [&](int64_t v) { return constI64(rewriter, loc, v); };
  SmallVector<Value> args = {
      cst(inShape[0]),  cst(inShape[1]), cst(inShape[2]), cst(inShape[3]),
      cst(wShape[0]),   cst(wShape[2]),  cst(wShape[3]),  cst(outShape[2]),
      cst(outShape[3]), cst(strides[0]), cst(strides[1]), cst(dilations[0]),
      cst(dilations[1])};
  for (Value v : {input, filter, output})
    getMemRefArgs(rewriter, loc, v).appendTo(args);
  func::CallOp::create(rewriter, loc, kConv2d, TypeRange{}, args);
  rewriter.eraseOp(op);
  return success();
}

struct LinalgToKernelCallsPass
    : public PassWrapper<LinalgToKernelCallsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LinalgToKernelCallsPass)

  StringRef getArgument() const final { return "ltc-linalg-to-kernel-calls"; }
  StringRef getDescription() const final {
    return "Turn f32 matrix products and NCHW convolutions on memrefs into "
           "calls to the runtime's GEMM/convolution kernels";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, func::FuncDialect,
                    memref::MemRefDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> candidates;
    module.walk([&](linalg::LinalgOp op) { candidates.push_back(op); });
    IRRewriter rewriter(&getContext());
    bool usedSgemm = false, usedConv = false;
    for (linalg::LinalgOp op : candidates) {
      if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation())) {
        usedConv |= succeeded(rewriteConvolution(rewriter, conv));
        continue;
      }
      usedSgemm |= succeeded(rewriteContraction(rewriter, op));
    }
    if ((usedSgemm && failed(declareKernel(module, kSgemm, kSgemmArgs))) ||
        (usedConv && failed(declareKernel(module, kConv2d, kConv2dArgs)))) {
      module.emitError("a function named like a runtime kernel has another "
                       "signature");
      signalPassFailure();
    }
  }
};

} // namespace

std::unique_ptr<Pass> mlir::ltc::createLinalgToKernelCallsPass() {
  return std::make_unique<LinalgToKernelCallsPass>();
}
