//===- SpecialFunctions.cpp - Special functions to runtime calls ----------===//
//
// Elementwise special functions (digamma, Bessel functions, incomplete gamma,
// orthogonal polynomials, ...) have no math-dialect op and no short closed
// form. Each becomes a parallel linalg.generic whose body calls a scalar
// function of the runtime, `ltc_mlir_special_<name>_f32` or `_f64`, declared
// as a private func.func in the module:
//
//   %r = linalg.generic ... ins(%x) outs(%init) {
//   ^bb0(%in: f32, %out: f32):
//     %v = func.call @ltc_mlir_special_digamma_f32(%in) : (f32) -> f32
//     linalg.yield %v : f32
//   }
//
// Tensor operands are broadcast the PyTorch way and converted to the compute
// type: f64 for f64 results, f32 otherwise (f16/bf16 results round the f32
// value, as ATen's CPU kernels do). Integer scalar operands (polygamma's
// order) pass as i64. The CPU runtime resolves the names when it loads the
// object; a pipeline without the runtime (mlir-runner) cannot link them.
//
//===----------------------------------------------------------------------===//

#include "mlir_lowering/Conversion/TorchToLinalg/Patterns.h"
#include "mlir_lowering/Conversion/TorchToLinalg/Utils.h"

#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::torch;

namespace {

/// Declares `func.func private @name(argTypes) -> resultType` in `module`
/// unless it is there; fails if a function of that name has another type.
FailureOr<func::FuncOp> declareRuntimeFunction(OpBuilder &b, ModuleOp module,
                                               StringRef name,
                                               TypeRange argTypes,
                                               Type resultType) {
  auto type = b.getFunctionType(argTypes, resultType);
  if (auto existing = module.lookupSymbol<func::FuncOp>(name)) {
    if (existing.getFunctionType() != type)
      return failure();
    return existing;
  }
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto func = func::FuncOp::create(b, module.getLoc(), name, type);
  func.setPrivate();
  return func;
}

class ConvertSpecialFunctionOp : public ConversionPattern {
public:
  ConvertSpecialFunctionOp(const TypeConverter &typeConverter,
                           MLIRContext *context, StringRef opName,
                           StringRef function)
      : ConversionPattern(typeConverter, opName, /*benefit=*/1, context),
        function(function.str()) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "expected one result");
    RankedTensorType resultType =
        getConvertedStaticTensorType(*getTypeConverter(), op->getResult(0));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not a static tensor");
    Type resultElemType = resultType.getElementType();
    if (!isa<mlir::FloatType>(resultElemType))
      return rewriter.notifyMatchFailure(op, "result is not a float tensor");
    auto module = op->getParentOfType<ModuleOp>();
    if (!module)
      return rewriter.notifyMatchFailure(op, "not inside a module");

    Type computeType = resultElemType.isF64() ? Type(rewriter.getF64Type())
                                              : Type(rewriter.getF32Type());
    SmallVector<Value> tensorInputs;
    SmallVector<int> tensorIndex(operands.size(), -1);
    SmallVector<Type> argTypes;
    for (auto [i, operand] : llvm::enumerate(operands)) {
      if (auto tensorType = dyn_cast<RankedTensorType>(operand.getType())) {
        if (!isBroadcastableTo(tensorType.getShape(), resultType.getShape()))
          return rewriter.notifyMatchFailure(op, "operand does not broadcast");
        tensorIndex[i] = tensorInputs.size();
        tensorInputs.push_back(operand);
        argTypes.push_back(computeType);
      } else if (operand.getType().isInteger(64)) {
        argTypes.push_back(operand.getType());
      } else {
        return rewriter.notifyMatchFailure(op, "unsupported operand");
      }
    }

    std::string name =
        function + (computeType.isF64() ? std::string("_f64") : "_f32");
    FailureOr<func::FuncOp> callee =
        declareRuntimeFunction(rewriter, module, name, argTypes, computeType);
    if (failed(callee))
      return rewriter.notifyMatchFailure(
          op, "a function of the runtime's name has another type");

    Type resultTorchDtype = getTorchDtype(op->getResult(0));
    FailureOr<Value> result = createElementwiseGeneric(
        rewriter, op->getLoc(), tensorInputs, resultType,
        [&](OpBuilder &b, Location loc, ValueRange blockArgs) {
          SmallVector<Value> args;
          for (auto [i, operand] : llvm::enumerate(operands)) {
            if (tensorIndex[i] < 0) {
              args.push_back(operand);
              continue;
            }
            args.push_back(convertScalarToDtype(
                b, loc, blockArgs[tensorIndex[i]], computeType,
                getTorchDtype(op->getOperand(i))));
          }
          Value value =
              func::CallOp::create(b, loc, *callee, args).getResult(0);
          return convertScalarToDtype(b, loc, value, resultElemType, Type(),
                                      resultTorchDtype);
        });
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "operand does not broadcast");
    rewriter.replaceOp(op, *result);
    return success();
  }

private:
  std::string function;
};

} // namespace

void mlir::torch::populateSpecialFunctionPatterns(TypeConverter &typeConverter,
                                                  RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  // Torch op -> runtime function (runtime/special_functions.h), without the
  // `_f32`/`_f64` suffix.
  static const std::pair<const char *, const char *> kFunctions[] = {
      {"torch.aten.digamma", "digamma"},
      {"torch.aten.lgamma", "lgamma"},
      {"torch.aten.polygamma", "polygamma"},
      {"torch.aten.erfinv", "erfinv"},
      {"torch.aten.sinc", "sinc"},
      {"torch.aten.i0", "i0"},
      {"torch.aten.igamma", "igamma"},
      {"torch.aten.igammac", "igammac"},
      {"torch.aten.nextafter", "nextafter"},
      {"torch.aten.special_i0e", "i0e"},
      {"torch.aten.special_i1", "i1"},
      {"torch.aten.special_i1e", "i1e"},
      {"torch.aten.special_entr", "entr"},
      {"torch.aten.special_erfcx", "erfcx"},
      {"torch.aten.special_log_ndtr", "log_ndtr"},
      {"torch.aten.special_ndtri", "ndtri"},
      {"torch.aten.special_xlog1py", "xlog1py"},
      {"torch.aten.special_zeta", "zeta"},
      {"torch.aten.special_airy_ai", "airy_ai"},
      {"torch.aten.special_bessel_j0", "bessel_j0"},
      {"torch.aten.special_bessel_j1", "bessel_j1"},
      {"torch.aten.special_bessel_y0", "bessel_y0"},
      {"torch.aten.special_bessel_y1", "bessel_y1"},
      {"torch.aten.special_modified_bessel_i0", "i0"},
      {"torch.aten.special_modified_bessel_i1", "i1"},
      {"torch.aten.special_modified_bessel_k0", "modified_bessel_k0"},
      {"torch.aten.special_modified_bessel_k1", "modified_bessel_k1"},
      {"torch.aten.special_scaled_modified_bessel_k0",
       "scaled_modified_bessel_k0"},
      {"torch.aten.special_scaled_modified_bessel_k1",
       "scaled_modified_bessel_k1"},
      {"torch.aten.special_spherical_bessel_j0", "spherical_bessel_j0"},
      {"torch.aten.special_chebyshev_polynomial_t", "chebyshev_polynomial_t"},
      {"torch.aten.special_chebyshev_polynomial_u", "chebyshev_polynomial_u"},
      {"torch.aten.special_chebyshev_polynomial_v", "chebyshev_polynomial_v"},
      {"torch.aten.special_chebyshev_polynomial_w", "chebyshev_polynomial_w"},
      {"torch.aten.special_shifted_chebyshev_polynomial_t",
       "shifted_chebyshev_polynomial_t"},
      {"torch.aten.special_shifted_chebyshev_polynomial_u",
       "shifted_chebyshev_polynomial_u"},
      {"torch.aten.special_shifted_chebyshev_polynomial_v",
       "shifted_chebyshev_polynomial_v"},
      {"torch.aten.special_shifted_chebyshev_polynomial_w",
       "shifted_chebyshev_polynomial_w"},
      {"torch.aten.special_hermite_polynomial_h", "hermite_polynomial_h"},
      {"torch.aten.special_hermite_polynomial_he", "hermite_polynomial_he"},
      {"torch.aten.special_laguerre_polynomial_l", "laguerre_polynomial_l"},
      {"torch.aten.special_legendre_polynomial_p", "legendre_polynomial_p"},
  };
  for (auto [opName, function] : kFunctions)
    patterns.add<ConvertSpecialFunctionOp>(
        typeConverter, context, opName,
        (std::string("ltc_mlir_special_") + function));
}
