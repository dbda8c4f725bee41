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
// A convolution's zero padding, bufferized as a zero-filled buffer whose
// interior the producers write through a subview, folds into the call: the
// producers write a compact buffer instead, and the kernel reads positions
// outside it as zeros. The padded copy (a fill and a full write of the
// activations per convolution) disappears.
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
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using mlir::ltc::constI64;
using mlir::ltc::getMemRefArgs;
using mlir::ltc::MemRefArgs;

namespace {

constexpr StringLiteral kSgemm = "ltc_mlir_sgemm";
constexpr StringLiteral kConv2d = "ltc_mlir_conv2d_nchw";
constexpr unsigned kSgemmArgs = 20;
constexpr unsigned kConv2dArgs = 34;

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

bool isZeroFillOf(Operation *op, Value buffer);

/// Whether `buffer` holds zeros when `reader` reads it: before `reader` (in
/// its block), the buffer's only writer is a zero fill, and its other users
/// copy from it; what comes after `reader` does not matter. Bufferization
/// makes such a buffer when one zero tensor initializes several ops: one
/// fill, a copy into each op's own output, and the last op writing the
/// buffer itself.
bool isZeroBufferAt(Value buffer, Operation *reader) {
  Block *block = reader->getBlock();
  Operation *fill = nullptr;
  for (Operation *user : buffer.getUsers()) {
    Operation *at = block->findAncestorOpInBlock(*user);
    if (!at)
      return false;
    if (at == reader || reader->isBeforeInBlock(at))
      continue;
    if (auto copy = dyn_cast<memref::CopyOp>(user))
      if (copy.getSource() == buffer && copy.getTarget() != buffer)
        continue;
    if (fill || user != at || !isZeroFillOf(user, buffer))
      return false;
    fill = user;
  }
  return fill != nullptr;
}

/// The zero fill of `output` just before `op`, if any (only allocations and
/// side-effect-free ops in between), so that the kernel can overwrite
/// instead of accumulate. A copy into `output` from a buffer of zeros counts
/// as a fill.
Operation *findZeroFill(Operation *op, Value output) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto copy = dyn_cast<memref::CopyOp>(prev)) {
      if (copy.getTarget() == output && isZeroBufferAt(copy.getSource(), copy))
        return prev;
      return nullptr;
    }
    if (isZeroFillOf(prev, output))
      return prev;
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

/// The sizes and window parameters of a convolution the kernel can run.
struct ConvShape {
  ArrayRef<int64_t> in, filter, out;
  SmallVector<int64_t> strides, dilations;
};

FailureOr<ConvShape> getConvShape(linalg::Conv2DNchwFchwOp op) {
  if (!op.hasPureBufferSemantics() || op->getNumResults() != 0)
    return failure();
  Value input = op.getDpsInputOperand(0)->get();
  Value filter = op.getDpsInputOperand(1)->get();
  Value output = op.getDpsInitOperand(0)->get();
  for (Value v : {input, filter, output})
    if (!isF32MemRef(v) || !cast<MemRefType>(v.getType()).hasStaticShape())
      return failure();
  ConvShape shape;
  shape.in = cast<MemRefType>(input.getType()).getShape();
  shape.filter = cast<MemRefType>(filter.getType()).getShape();
  shape.out = cast<MemRefType>(output.getType()).getShape();
  if (shape.in[0] != shape.out[0] || shape.filter[0] != shape.out[1] ||
      shape.filter[1] != shape.in[1])
    return failure();
  shape.strides = llvm::to_vector(op.getStrides().getValues<int64_t>());
  shape.dilations = llvm::to_vector(op.getDilations().getValues<int64_t>());
  if (shape.strides.size() != 2 || shape.dilations.size() != 2)
    return failure();
  return shape;
}

/// Whether `op` sets all of `buffer` to +0.0 (linalg.fill, or a
/// linalg.generic/linalg.map without inputs yielding a zero constant).
bool isZeroFillOf(Operation *op, Value buffer) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getDpsInitOperand(0)->get() == buffer &&
           matchPattern(fill.value(), m_PosZeroFloat());
  if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    if (generic.getNumDpsInits() != 1 ||
        generic.getDpsInitOperand(0)->get() != buffer)
      return false;
    // A scalar broadcast, or a constant yielded without inputs.
    std::optional<Value> value = linalg::isaFillOpInterface(generic);
    return value && matchPattern(*value, m_PosZeroFloat());
  }
  if (auto map = dyn_cast<linalg::MapOp>(op)) {
    if (!map.getInputs().empty() || map.getInit() != buffer)
      return false;
    auto yield = dyn_cast<linalg::YieldOp>(map.getMapper().front().back());
    return yield && yield.getNumOperands() == 1 &&
           matchPattern(yield.getOperand(0), m_PosZeroFloat());
  }
  return false;
}

/// A convolution input that is a padded copy: `alloc` (N x C x Hp x Wp),
/// zero-filled by `fill`, its interior [0, 0, padH, padW] + [N, C, H, W]
/// written through the subview `interior`; otherwise only read by
/// convolutions (as their input) and freed.
struct PaddedInput {
  memref::AllocOp alloc;
  Operation *fill = nullptr;
  memref::SubViewOp interior;
  int64_t padH = 0, padW = 0;
};

/// Whether a use of the interior view can take a compact buffer of the same
/// shape instead (its type changes to the identity layout).
bool acceptsCompactBuffer(OpOperand &use, MemRefType compact) {
  Operation *user = use.getOwner();
  if (isa<linalg::LinalgOp, memref::CopyOp, memref::ExtractStridedMetadataOp,
          memref::ExtractAlignedPointerAsIndexOp>(user))
    return true;
  if (auto cast = dyn_cast<memref::CastOp>(user))
    return memref::CastOp::areCastCompatible(compact, cast.getType());
  return false;
}

FailureOr<PaddedInput> matchPaddedInput(Value input) {
  PaddedInput padded;
  padded.alloc = input.getDefiningOp<memref::AllocOp>();
  if (!padded.alloc || !padded.alloc.getType().getLayout().isIdentity() ||
      padded.alloc.getType().getRank() != 4 ||
      !padded.alloc.getDynamicSizes().empty())
    return failure();
  Block *block = padded.alloc->getBlock();
  SmallVector<Operation *> convs;
  for (OpOperand &use : padded.alloc->getUses()) {
    Operation *user = use.getOwner();
    if (user->getBlock() != block)
      return failure();
    if (isa<memref::DeallocOp>(user))
      continue;
    if (auto view = dyn_cast<memref::SubViewOp>(user)) {
      if (padded.interior)
        return failure();
      padded.interior = view;
      continue;
    }
    if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(user)) {
      // Every reader must become a kernel call, which alone can read the
      // compact buffer.
      if (&use != conv.getDpsInputOperand(0) || failed(getConvShape(conv)))
        return failure();
      convs.push_back(conv);
      continue;
    }
    if (!padded.fill && isZeroFillOf(user, padded.alloc)) {
      padded.fill = user;
      continue;
    }
    return failure();
  }
  if (!padded.fill || !padded.interior ||
      !padded.fill->isBeforeInBlock(padded.interior))
    return failure();
  for (Operation *conv : convs)
    if (!padded.interior->isBeforeInBlock(conv))
      return failure();

  // The interior: whole batch and channels, unit strides, non-negative
  // spatial offsets.
  memref::SubViewOp view = padded.interior;
  ArrayRef<int64_t> full = padded.alloc.getType().getShape();
  ArrayRef<int64_t> offsets = view.getStaticOffsets();
  ArrayRef<int64_t> sizes = view.getStaticSizes();
  ArrayRef<int64_t> strides = view.getStaticStrides();
  if (view.getType().getRank() != 4 || offsets.size() != 4 ||
      llvm::any_of(strides, [](int64_t s) { return s != 1; }) ||
      offsets[0] != 0 || offsets[1] != 0 || sizes[0] != full[0] ||
      sizes[1] != full[1] || ShapedType::isDynamic(offsets[2]) ||
      ShapedType::isDynamic(offsets[3]) ||
      llvm::any_of(sizes, ShapedType::isDynamic))
    return failure();
  padded.padH = offsets[2];
  padded.padW = offsets[3];
  auto compact = MemRefType::get(sizes, view.getType().getElementType());
  for (OpOperand &use : view->getUses())
    if (use.getOwner()->getBlock() != block ||
        !acceptsCompactBuffer(use, compact))
      return failure();
  return padded;
}

/// The unpadded buffer a convolution reads and its padding.
struct ConvInput {
  Value buffer;
  int64_t padH = 0, padW = 0;
};

/// Gives the interior of `padded` a buffer of its own (the ops writing and
/// reading the interior use it instead) and drops the fill; the padded
/// buffer is left to its convolutions, which are about to read the compact
/// one instead.
ConvInput foldPadding(RewriterBase &rewriter, PaddedInput padded) {
  memref::SubViewOp view = padded.interior;
  auto type = MemRefType::get(view.getType().getShape(),
                              view.getType().getElementType());
  rewriter.setInsertionPoint(view);
  auto compact = memref::AllocOp::create(rewriter, view.getLoc(), type,
                                         padded.alloc.getAlignmentAttr());
  rewriter.replaceAllUsesWith(view.getResult(), compact.getResult());
  for (Operation *user : llvm::to_vector(padded.alloc->getUsers()))
    if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
      rewriter.setInsertionPoint(dealloc);
      memref::DeallocOp::create(rewriter, dealloc.getLoc(), compact);
      rewriter.eraseOp(dealloc);
    }
  rewriter.eraseOp(view);
  rewriter.eraseOp(padded.fill);
  return {compact, padded.padH, padded.padW};
}

/// Rewrites an f32 linalg.conv_2d_nchw_fchw into a call to
/// ltc_mlir_conv2d_nchw reading `input` (the op's input or, for a padded
/// copy, the compact buffer and its padding). A zero fill of the output
/// just before goes: the kernel overwrites instead, which spares a pass over
/// the output and, for oneDNN, reading it back into the sum.
void rewriteConvolution(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp op,
                        const ConvShape &shape, const ConvInput &input) {
  Value filter = op.getDpsInputOperand(1)->get();
  Value output = op.getDpsInitOperand(0)->get();
  Operation *zeroFill = findZeroFill(op, output);
  auto inShape = cast<MemRefType>(input.buffer.getType()).getShape();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto cst = [&](int64_t v) { return constI64(rewriter, loc, v); };
  SmallVector<Value> args = {
      cst(inShape[0]),         cst(inShape[1]),       cst(inShape[2]),
      cst(inShape[3]),         cst(shape.filter[0]),  cst(shape.filter[2]),
      cst(shape.filter[3]),    cst(shape.out[2]),     cst(shape.out[3]),
      cst(shape.strides[0]),   cst(shape.strides[1]), cst(shape.dilations[0]),
      cst(shape.dilations[1]), cst(input.padH),       cst(input.padW)};
  for (Value v : {input.buffer, filter, output})
    getMemRefArgs(rewriter, loc, v).appendTo(args);
  args.push_back(cst(zeroFill ? 0 : 1));
  func::CallOp::create(rewriter, loc, kConv2d, TypeRange{}, args);
  rewriter.eraseOp(op);
  if (zeroFill)
    rewriter.eraseOp(zeroFill);
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
    // Padded copies folded so far, by padded buffer (several convolutions
    // may read one).
    llvm::DenseMap<Value, ConvInput> folded;
    SmallVector<memref::AllocOp> paddedBuffers;
    for (linalg::LinalgOp op : candidates) {
      if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation())) {
        FailureOr<ConvShape> shape = getConvShape(conv);
        if (failed(shape))
          continue;
        Value in = conv.getDpsInputOperand(0)->get();
        ConvInput input{in};
        if (auto it = folded.find(in); it != folded.end()) {
          input = it->second;
        } else if (FailureOr<PaddedInput> padded = matchPaddedInput(in);
                   succeeded(padded)) {
          input = foldPadding(rewriter, *padded);
          folded[in] = input;
          paddedBuffers.push_back(padded->alloc);
        }
        rewriteConvolution(rewriter, conv, *shape, input);
        usedConv = true;
        continue;
      }
      usedSgemm |= succeeded(rewriteContraction(rewriter, op));
    }
    // The padded buffers' convolutions all read the compact ones now.
    for (memref::AllocOp alloc : paddedBuffers)
      if (alloc->use_empty())
        rewriter.eraseOp(alloc);
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
