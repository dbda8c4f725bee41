//===- TorchTypes.cpp - Torch dialect types -------------------------------===//

#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::torch;

#define GET_TYPEDEF_CLASSES
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.cpp.inc"

void TorchDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Containers: list<T>, optional<T>
//===----------------------------------------------------------------------===//

// Inside a container, Torch types drop their `!torch.` prefix
// (`!torch.list<int>`); other types are written in full.
static Type parseContainedType(AsmParser &parser) {
  MLIRContext *ctx = parser.getContext();
  StringRef mnemonic;
  if (succeeded(parser.parseOptionalKeyword(
          &mnemonic,
          {torch::IntType::getMnemonic(), torch::FloatType::getMnemonic(),
           torch::BoolType::getMnemonic(), torch::NoneType::getMnemonic(),
           torch::StringType::getMnemonic(), torch::DeviceType::getMnemonic(),
           torch::GeneratorType::getMnemonic(), torch::ListType::getMnemonic(),
           torch::OptionalType::getMnemonic(),
           torch::ValueTensorType::getMnemonic()}))) {
    if (mnemonic == torch::ListType::getMnemonic())
      return torch::ListType::parse(parser);
    if (mnemonic == torch::OptionalType::getMnemonic())
      return torch::OptionalType::parse(parser);
    if (mnemonic == torch::ValueTensorType::getMnemonic())
      return torch::ValueTensorType::parse(parser);
    if (mnemonic == torch::IntType::getMnemonic())
      return torch::IntType::get(ctx);
    if (mnemonic == torch::FloatType::getMnemonic())
      return torch::FloatType::get(ctx);
    if (mnemonic == torch::BoolType::getMnemonic())
      return torch::BoolType::get(ctx);
    if (mnemonic == torch::NoneType::getMnemonic())
      return torch::NoneType::get(ctx);
    if (mnemonic == torch::StringType::getMnemonic())
      return torch::StringType::get(ctx);
    if (mnemonic == torch::DeviceType::getMnemonic())
      return torch::DeviceType::get(ctx);
    return torch::GeneratorType::get(ctx);
  }
  Type type;
  if (parser.parseType(type))
    return Type();
  return type;
}

static void printContainedType(AsmPrinter &printer, Type type) {
  if (isa<TorchDialect>(type.getDialect()) &&
      succeeded(generatedTypePrinter(type, printer)))
    return;
  printer << type;
}

Type ListType::parse(AsmParser &parser) {
  Type elem;
  if (parser.parseLess() || !(elem = parseContainedType(parser)) ||
      parser.parseGreater())
    return Type();
  return ListType::get(elem);
}

void ListType::print(AsmPrinter &printer) const {
  printer << "<";
  printContainedType(printer, getContainedType());
  printer << ">";
}

Type OptionalType::parse(AsmParser &parser) {
  Type elem;
  if (parser.parseLess() || !(elem = parseContainedType(parser)) ||
      parser.parseGreater())
    return Type();
  return OptionalType::get(elem);
}

void OptionalType::print(AsmPrinter &printer) const {
  printer << "<";
  printContainedType(printer, getContainedType());
  printer << ">";
}

//===----------------------------------------------------------------------===//
// ValueTensorType
//===----------------------------------------------------------------------===//

bool mlir::torch::isValidTorchDtype(Type dtype) {
  if (dtype.isF16() || dtype.isBF16() || dtype.isF32() || dtype.isF64())
    return true;
  auto intType = dyn_cast<IntegerType>(dtype);
  if (!intType)
    return false;
  unsigned width = intType.getWidth();
  if (intType.isSignless())
    return width == 1;
  if (intType.isUnsigned())
    return width == 8;
  return width == 8 || width == 16 || width == 32 || width == 64;
}

LogicalResult
ValueTensorType::verify(function_ref<InFlightDiagnostic()> emitError,
                        std::optional<ArrayRef<int64_t>> optionalSizes,
                        Type optionalDtype) {
  if (optionalSizes) {
    for (int64_t size : *optionalSizes)
      if (size < 0 && size != kUnknownSize)
        return emitError() << "invalid tensor size " << size;
  }
  if (optionalDtype && !isValidTorchDtype(optionalDtype))
    return emitError() << "unsupported tensor dtype " << optionalDtype
                       << "; expected f16, bf16, f32, f64, si8, si16, si32, "
                          "si64, ui8 or i1";
  return success();
}

// `vtensor`, `vtensor<[2,?,3],f32>`, `vtensor<*,f32>`, `vtensor<[2],unk>`.
Type ValueTensorType::parse(AsmParser &parser) {
  MLIRContext *ctx = parser.getContext();
  SMLoc loc = parser.getCurrentLocation();
  if (failed(parser.parseOptionalLess()))
    return ValueTensorType::get(ctx, std::nullopt, Type());

  std::optional<SmallVector<int64_t>> sizes;
  if (failed(parser.parseOptionalStar())) {
    sizes.emplace();
    auto parseSize = [&]() -> ParseResult {
      if (succeeded(parser.parseOptionalQuestion())) {
        sizes->push_back(kUnknownSize);
        return success();
      }
      SMLoc sizeLoc = parser.getCurrentLocation();
      int64_t size;
      if (parser.parseInteger(size))
        return failure();
      if (size < 0)
        return parser.emitError(sizeLoc, "tensor sizes must be >= 0 or '?'");
      sizes->push_back(size);
      return success();
    };
    if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseSize))
      return Type();
  }

  Type dtype;
  if (parser.parseComma())
    return Type();
  if (failed(parser.parseOptionalKeyword("unk")) && parser.parseType(dtype))
    return Type();
  if (parser.parseGreater())
    return Type();

  std::optional<ArrayRef<int64_t>> sizesRef;
  if (sizes)
    sizesRef = ArrayRef<int64_t>(*sizes);
  return ValueTensorType::getChecked([&] { return parser.emitError(loc); }, ctx,
                                     sizesRef, dtype);
}

void ValueTensorType::print(AsmPrinter &printer) const {
  if (!hasSizes() && !hasDtype())
    return;
  printer << "<";
  if (hasSizes()) {
    printer << "[";
    llvm::interleave(
        getSizes(), printer.getStream(),
        [&](int64_t size) {
          if (size == kUnknownSize)
            printer << "?";
          else
            printer << size;
        },
        ",");
    printer << "]";
  } else {
    printer << "*";
  }
  printer << ",";
  if (hasDtype())
    printer << getDtype();
  else
    printer << "unk";
  printer << ">";
}

RankedTensorType ValueTensorType::toBuiltinTensor() const {
  if (!hasSizes() || !hasDtype())
    return RankedTensorType();
  SmallVector<int64_t> shape;
  for (int64_t size : getSizes())
    shape.push_back(size == kUnknownSize ? ShapedType::kDynamic : size);
  Type elem = getDtype();
  if (auto intType = dyn_cast<IntegerType>(elem);
      intType && !intType.isSignless())
    elem = IntegerType::get(getContext(), intType.getWidth());
  return RankedTensorType::get(shape, elem);
}

//===----------------------------------------------------------------------===//
// Subtyping
//===----------------------------------------------------------------------===//

bool mlir::torch::isValidSubtype(Type subtype, Type type) {
  if (subtype == type)
    return true;
  if (auto optional = dyn_cast<OptionalType>(type)) {
    if (isa<torch::NoneType>(subtype))
      return true;
    if (auto subOptional = dyn_cast<OptionalType>(subtype))
      return isValidSubtype(subOptional.getContainedType(),
                            optional.getContainedType());
    return isValidSubtype(subtype, optional.getContainedType());
  }
  if (auto list = dyn_cast<ListType>(type)) {
    auto subList = dyn_cast<ListType>(subtype);
    return subList &&
           isValidSubtype(subList.getContainedType(), list.getContainedType());
  }
  auto tensor = dyn_cast<ValueTensorType>(type);
  auto subTensor = dyn_cast<ValueTensorType>(subtype);
  if (!tensor || !subTensor)
    return false;
  if (tensor.hasDtype() && subTensor.getDtype() != tensor.getDtype())
    return false;
  if (!tensor.hasSizes())
    return true;
  if (!subTensor.hasSizes() ||
      subTensor.getSizes().size() != tensor.getSizes().size())
    return false;
  for (auto [subSize, size] :
       llvm::zip_equal(subTensor.getSizes(), tensor.getSizes()))
    if (size != kUnknownSize && subSize != size)
      return false;
  return true;
}
