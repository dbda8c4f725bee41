//===- TorchOps.cpp - Torch dialect ops -----------------------------------===//

#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace mlir::torch;

//===----------------------------------------------------------------------===//
// Constant materialization
//===----------------------------------------------------------------------===//

// True if `value` can be the attribute of a `torch.vtensor.literal` of type
// `type`.
static bool isCompatibleLiteral(ElementsAttr value, ValueTensorType type,
                                std::string *why) {
  if (!type.hasSizes() || !type.hasDtype()) {
    if (why)
      *why = "result type must have known sizes and dtype";
    return false;
  }
  ShapedType attrType = value.getShapedType();
  if (!attrType.hasStaticShape() || attrType.getShape() != type.getSizes()) {
    if (why)
      *why = "attribute shape does not match the result sizes";
    return false;
  }
  Type attrElem = attrType.getElementType();
  Type dtype = type.getDtype();
  if (attrElem == dtype)
    return true;
  // Builtin attributes commonly carry signless integers (dense<1> :
  // tensor<3xi64>) for si64/ui8/... tensors.
  auto dtypeInt = dyn_cast<IntegerType>(dtype);
  auto attrInt = dyn_cast<IntegerType>(attrElem);
  if (dtypeInt && attrInt && !dtypeInt.isSignless() && attrInt.isSignless() &&
      dtypeInt.getWidth() == attrInt.getWidth())
    return true;
  if (why)
    *why = "attribute element type does not match the result dtype";
  return false;
}

Operation *TorchDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  if (isa<IntType>(type)) {
    auto attr = dyn_cast<IntegerAttr>(value);
    if (!attr || isa<BoolAttr>(value))
      return nullptr;
    return ConstantIntOp::create(builder, loc, attr.getValue().getSExtValue());
  }
  if (isa<torch::FloatType>(type)) {
    auto attr = dyn_cast<FloatAttr>(value);
    if (!attr)
      return nullptr;
    return ConstantFloatOp::create(builder, loc, attr.getValueAsDouble());
  }
  if (isa<BoolType>(type)) {
    auto attr = dyn_cast<BoolAttr>(value);
    if (!attr)
      return nullptr;
    return ConstantBoolOp::create(builder, loc, attr);
  }
  if (isa<torch::NoneType>(type))
    return ConstantNoneOp::create(builder, loc);
  if (isa<StringType>(type)) {
    auto attr = dyn_cast<StringAttr>(value);
    if (!attr)
      return nullptr;
    return ConstantStrOp::create(builder, loc, attr);
  }
  if (auto tensorType = dyn_cast<ValueTensorType>(type)) {
    auto attr = dyn_cast<ElementsAttr>(value);
    if (!attr || !isCompatibleLiteral(attr, tensorType, nullptr))
      return nullptr;
    return ValueTensorLiteralOp::create(builder, loc, tensorType, attr);
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// ConstantIntOp
//===----------------------------------------------------------------------===//

ParseResult ConstantIntOp::parse(OpAsmParser &parser, OperationState &result) {
  int64_t value;
  if (parser.parseInteger(value) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  result.getOrAddProperties<Properties>().value =
      parser.getBuilder().getI64IntegerAttr(value);
  result.addTypes(parser.getBuilder().getType<IntType>());
  return success();
}

void ConstantIntOp::print(OpAsmPrinter &p) {
  p << " " << getValueAttr().getInt();
  p.printOptionalAttrDict((*this)->getAttrs(), {"value"});
}

OpFoldResult ConstantIntOp::fold(FoldAdaptor) { return getValueAttr(); }

void ConstantIntOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  std::string name = "int" + std::to_string(getValueAttr().getInt());
  setNameFn(getResult(), name);
}

//===----------------------------------------------------------------------===//
// ConstantFloatOp
//===----------------------------------------------------------------------===//

ParseResult ConstantFloatOp::parse(OpAsmParser &parser,
                                   OperationState &result) {
  FloatAttr value;
  if (parser.parseAttribute(value, parser.getBuilder().getF64Type()) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  result.getOrAddProperties<Properties>().value = value;
  result.addTypes(parser.getBuilder().getType<torch::FloatType>());
  return success();
}

void ConstantFloatOp::print(OpAsmPrinter &p) {
  p << " ";
  p.printAttributeWithoutType(getValueAttr());
  p.printOptionalAttrDict((*this)->getAttrs(), {"value"});
}

OpFoldResult ConstantFloatOp::fold(FoldAdaptor) { return getValueAttr(); }

// The shortest decimal text that reads back as `value`, Python-style:
// 1.0 -> "1.0", 0.1 -> "0.1", 1e-05 -> "1e-05".
static std::string shortestFloatText(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value)
      break;
  }
  std::string text(buf);
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

void ConstantFloatOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  // Keep to the characters an SSA name may hold ('+' of "e+20" dropped).
  std::string name = "float";
  for (char c : shortestFloatText(getValue().convertToDouble())) {
    if (llvm::isAlnum(c) || c == '.' || c == '-' || c == '_' || c == '$')
      name.push_back(c);
    else if (c != '+')
      name.push_back('_');
  }
  setNameFn(getResult(), name);
}

//===----------------------------------------------------------------------===//
// ConstantBoolOp
//===----------------------------------------------------------------------===//

ParseResult ConstantBoolOp::parse(OpAsmParser &parser, OperationState &result) {
  bool value;
  if (succeeded(parser.parseOptionalKeyword("true")))
    value = true;
  else if (succeeded(parser.parseOptionalKeyword("false")))
    value = false;
  else
    return parser.emitError(parser.getCurrentLocation(),
                            "expected 'true' or 'false'");
  if (parser.parseOptionalAttrDict(result.attributes))
    return failure();
  result.getOrAddProperties<Properties>().value =
      parser.getBuilder().getBoolAttr(value);
  result.addTypes(parser.getBuilder().getType<BoolType>());
  return success();
}

void ConstantBoolOp::print(OpAsmPrinter &p) {
  p << (getValue() ? " true" : " false");
  p.printOptionalAttrDict((*this)->getAttrs(), {"value"});
}

OpFoldResult ConstantBoolOp::fold(FoldAdaptor) { return getValueAttr(); }

void ConstantBoolOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getResult(), getValue() ? "true" : "false");
}

//===----------------------------------------------------------------------===//
// ConstantNoneOp
//===----------------------------------------------------------------------===//

ParseResult ConstantNoneOp::parse(OpAsmParser &parser, OperationState &result) {
  if (parser.parseOptionalAttrDict(result.attributes))
    return failure();
  result.addTypes(parser.getBuilder().getType<torch::NoneType>());
  return success();
}

void ConstantNoneOp::print(OpAsmPrinter &p) {
  p.printOptionalAttrDict((*this)->getAttrs());
}

// `None` has a single value; a unit attribute stands for it.
OpFoldResult ConstantNoneOp::fold(FoldAdaptor) {
  return UnitAttr::get(getContext());
}

void ConstantNoneOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getResult(), "none");
}

//===----------------------------------------------------------------------===//
// ConstantStrOp
//===----------------------------------------------------------------------===//

ParseResult ConstantStrOp::parse(OpAsmParser &parser, OperationState &result) {
  std::string value;
  if (parser.parseString(&value) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  result.getOrAddProperties<Properties>().value =
      parser.getBuilder().getStringAttr(value);
  result.addTypes(parser.getBuilder().getType<StringType>());
  return success();
}

void ConstantStrOp::print(OpAsmPrinter &p) {
  p << " ";
  p.printAttributeWithoutType(getValueAttr());
  p.printOptionalAttrDict((*this)->getAttrs(), {"value"});
}

OpFoldResult ConstantStrOp::fold(FoldAdaptor) { return getValueAttr(); }

void ConstantStrOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getResult(), "str");
}

//===----------------------------------------------------------------------===//
// PrimListConstructOp
//===----------------------------------------------------------------------===//

LogicalResult PrimListConstructOp::verify() {
  Type elemType = getResult().getType().getContainedType();
  for (auto [index, element] : llvm::enumerate(getElements())) {
    if (!isValidSubtype(element.getType(), elemType))
      return emitOpError() << "element #" << index << " has type "
                           << element.getType()
                           << ", which does not fit the list element type "
                           << elemType;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ValueTensorLiteralOp
//===----------------------------------------------------------------------===//

void ValueTensorLiteralOp::build(OpBuilder &builder, OperationState &state,
                                 ElementsAttr value) {
  ShapedType attrType = value.getShapedType();
  Type dtype = attrType.getElementType();
  // PyTorch integers are signed; i1 is bool.
  if (auto intType = dyn_cast<IntegerType>(dtype);
      intType && intType.isSignless() && intType.getWidth() != 1)
    dtype = IntegerType::get(builder.getContext(), intType.getWidth(),
                             IntegerType::Signed);
  build(builder, state,
        ValueTensorType::get(builder.getContext(), attrType.getShape(), dtype),
        value);
}

LogicalResult ValueTensorLiteralOp::verify() {
  std::string why;
  if (!isCompatibleLiteral(getValue(), getResult().getType(), &why))
    return emitOpError() << why << ": " << getValue().getShapedType() << " vs "
                         << getResult().getType();
  return success();
}

OpFoldResult ValueTensorLiteralOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Tensor-to-scalar ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyOneElementTensor(Operation *op,
                                            ValueTensorType type) {
  if (!type.hasSizes())
    return success();
  for (int64_t size : type.getSizes())
    if (size != kUnknownSize && size != 1)
      return op->emitOpError()
             << "expects a tensor with one element, got " << type;
  return success();
}

LogicalResult AtenFloatTensorOp::verify() {
  return verifyOneElementTensor(*this, getA().getType());
}

LogicalResult AtenIntTensorOp::verify() {
  return verifyOneElementTensor(*this, getA().getType());
}

LogicalResult AtenBoolTensorOp::verify() {
  return verifyOneElementTensor(*this, getA().getType());
}

#define GET_OP_CLASSES
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.cpp.inc"
