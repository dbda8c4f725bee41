//===- LinalgToKernelCalls.cpp - contractions and convs to runtime calls --===//
//
// After bufferization, f32 matrix products (any linalg op whose body is a
// multiply-accumulate over one m, one n, one k and at most one batch
// dimension, e.g. a generalized matmul with transposes fused into its
// indexing maps) become calls to the runtime's `ltc_mlir_sgemm`, and f32
// linalg.conv_2d_nchw_fchw ops calls to `ltc_mlir_conv2d_nchw` (im2col +
// GEMM). Both kernels take base pointers, offsets and element strides read
// from the memref descriptors, so views and transposed operands need no
// copies; the kernels run on OpenBLAS when the process can load it.
//
//===----------------------------------------------------------------------===//

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

/// Emits the i64 values the kernels take for one memref operand.
struct MemRefArgs {
  Value pointer;
  Value offset;
  SmallVector<Value> strides;
};

Value toI64(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

Value constI64(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 64);
}

MemRefArgs getMemRefArgs(OpBuilder &b, Location loc, Value memref) {
  MemRefArgs args;
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  args.pointer = toI64(
      b, loc, memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref));
  args.offset = toI64(b, loc, metadata.getOffset());
  for (Value stride : metadata.getStrides())
    args.strides.push_back(toI64(b, loc, stride));
  return args;
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
  // A batch dimension that one input lacks (a broadcast operand) counts as
  // a second m or n dimension; the kernel takes it as a batch with stride 0.
  if (dims->batch.empty()) {
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    for (SmallVector<unsigned, 2> *pair : {&dims->m, &dims->n}) {
      if (pair->size() != 2)
        continue;
      std::optional<unsigned> first = outMap.getResultPosition(
          getAffineDimExpr((*pair)[0], op.getContext()));
      std::optional<unsigned> second = outMap.getResultPosition(
          getAffineDimExpr((*pair)[1], op.getContext()));
      if (!first || !second)
        return failure();
      unsigned outer = *first < *second ? 0 : 1;
      dims->batch.push_back((*pair)[outer]);
      pair->erase(pair->begin() + outer);
      break;
    }
  }
  if (dims->m.size() != 1 || dims->n.size() != 1 || dims->k.size() != 1 ||
      dims->batch.size() > 1 || op.getNumLoops() != 3 + dims->batch.size())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  // The body must be exactly out + a * b (a fused elementwise op would add
  // more).
  Block *body = op.getBlock();
  if (body->getOperations().size() != 3)
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  OpOperand *lhs = op.getDpsInputOperand(0);
  OpOperand *rhs = op.getDpsInputOperand(1);
  OpOperand *out = op.getDpsInitOperand(0);
  // Element strides of an operand along the loop dimension `dim`, or 0 when
  // the operand does not vary along it.
  auto strideAlong = [&](OpOperand *operand, const MemRefArgs &args,
                         unsigned dim) -> Value {
    AffineMap map = op.getMatchingIndexingMap(operand);
    if (std::optional<unsigned> pos =
            map.getResultPosition(getAffineDimExpr(dim, op.getContext())))
      return args.strides[*pos];
    return constI64(rewriter, loc, 0);
  };
  MemRefArgs a = getMemRefArgs(rewriter, loc, lhs->get());
  MemRefArgs b = getMemRefArgs(rewriter, loc, rhs->get());
  MemRefArgs c = getMemRefArgs(rewriter, loc, out->get());
  // By inferContractionDims' definition m indexes input 0 and the output, n
  // input 1 and the output, k both inputs.
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  Value batchSize = constI64(rewriter, loc, 1);
  Value zero = constI64(rewriter, loc, 0);
  Value sab = zero, sbb = zero, scb = zero;
  if (!dims->batch.empty()) {
    unsigned batch = dims->batch[0];
    batchSize = constI64(rewriter, loc, ranges[batch]);
    sab = strideAlong(lhs, a, batch);
    sbb = strideAlong(rhs, b, batch);
    scb = strideAlong(out, c, batch);
  }
  Operation *fill = findZeroFill(op, out->get());
  SmallVector<Value> args = {batchSize,
                             constI64(rewriter, loc, ranges[m]),
                             constI64(rewriter, loc, ranges[n]),
                             constI64(rewriter, loc, ranges[k]),
                             a.pointer,
                             a.offset,
                             sab,
                             strideAlong(lhs, a, m),
                             strideAlong(lhs, a, k),
                             b.pointer,
                             b.offset,
                             sbb,
                             strideAlong(rhs, b, k),
                             strideAlong(rhs, b, n),
                             c.pointer,
                             c.offset,
                             scb,
                             strideAlong(out, c, m),
                             strideAlong(out, c, n),
                             constI64(rewriter, loc, fill ? 0 : 1)};
  func::CallOp::create(rewriter, loc, kSgemm, TypeRange{}, args);
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
  for (Value v : {input, filter, output}) {
    MemRefArgs m = getMemRefArgs(rewriter, loc, v);
    args.push_back(m.pointer);
    args.push_back(m.offset);
    args.append(m.strides);
  }
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
