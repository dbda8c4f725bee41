//===- KernelCall.cpp - Calls of the runtime's kernels from conversions ---===//
//
// See KernelCall.h.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/KernelCall.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::torch;

namespace {
/// Marks a to_buffer with the id of its call.
constexpr StringLiteral kOperandAttr = "ltc.kernel_operand";
} // namespace

StringRef mlir::torch::kernelSuffix(Type elemType) {
  if (elemType.isF32())
    return "_f32";
  if (elemType.isF64())
    return "_f64";
  return "";
}

void KernelCall::addInt(int64_t v) {
  args.push_back(arith::ConstantIntOp::create(b, loc, v, 64));
}

void KernelCall::addInput(Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType(),
                                    dynamicLayout(type.getRank()));
  auto buffer = bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                                  /*read_only=*/true);
  // to_buffer is pure: CSE would merge the to_buffers of two calls reading
  // one tensor, and one-shot bufferization, which sees the tensor read at
  // the to_buffer, could then let an op between the calls write into its
  // buffer before the second call reads it. A per-call id keeps them apart.
  buffer->setAttr(kOperandAttr, b.getI64IntegerAttr(callId()));
  addMemRef(buffer);
}

Value KernelCall::addOutput(ArrayRef<int64_t> sizes, Type elemType) {
  auto type = MemRefType::get(sizes, elemType);
  Value alloc = memref::AllocOp::create(b, loc, type, b.getI64IntegerAttr(64));
  addMemRef(alloc);
  return alloc;
}

Value KernelCall::result(Value buffer) {
  auto memrefType = cast<MemRefType>(buffer.getType());
  auto tensorType =
      RankedTensorType::get(memrefType.getShape(), memrefType.getElementType());
  return bufferization::ToTensorOp::create(b, loc, tensorType, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

LogicalResult KernelCall::emit(StringRef name) {
  auto module =
      b.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
  auto fnType =
      FunctionType::get(b.getContext(), ValueRange(args).getTypes(), {});
  std::string declName = (name + ".memrefs").str();
  if (auto existing = module.lookupSymbol<func::FuncOp>(declName)) {
    if (existing.getFunctionType() != fnType)
      return failure();
  } else {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto fn = func::FuncOp::create(b, loc, declName, fnType);
    fn.setPrivate();
    fn->setAttr("ltc.kernel_call", b.getStringAttr(name));
  }
  func::CallOp::create(b, loc, declName, TypeRange{}, args);
  return success();
}

int64_t KernelCall::callId() {
  if (id < 0) {
    id = 0;
    b.getInsertionBlock()->getParentOp()->walk(
        [&](bufferization::ToBufferOp op) {
          if (auto attr = op->getAttrOfType<IntegerAttr>(kOperandAttr))
            id = std::max(id, attr.getInt() + 1);
        });
  }
  return id;
}

StridedLayoutAttr KernelCall::dynamicLayout(int64_t rank) {
  return StridedLayoutAttr::get(
      b.getContext(), ShapedType::kDynamic,
      SmallVector<int64_t>(rank, ShapedType::kDynamic));
}

void KernelCall::addMemRef(Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  auto dynamicType = MemRefType::get(
      SmallVector<int64_t>(type.getRank(), ShapedType::kDynamic),
      type.getElementType(), dynamicLayout(type.getRank()));
  args.push_back(memref::CastOp::create(b, loc, dynamicType, memref));
}
