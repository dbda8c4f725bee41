#include "KernelAbi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

static Value toI64(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

void ltc::MemRefArgs::appendTo(SmallVectorImpl<Value> &args) const {
  args.push_back(pointer);
  args.push_back(offset);
  args.append(strides.begin(), strides.end());
}

ltc::MemRefArgs ltc::getMemRefArgs(OpBuilder &b, Location loc, Value memref) {
  MemRefArgs args;
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  args.pointer = toI64(
      b, loc, memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref));
  args.offset = toI64(b, loc, metadata.getOffset());
  for (Value stride : metadata.getStrides())
    args.strides.push_back(toI64(b, loc, stride));
  return args;
}

Value ltc::constI64(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIntOp::create(b, loc, value, 64);
}
