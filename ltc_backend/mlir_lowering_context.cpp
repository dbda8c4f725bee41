#include "ltc_backend/mlir_lowering_context.h"

#include "ltc_backend/ir_nodes.h"
#include "ltc_backend/mlir_computation.h"
#include "ltc_backend/mlir_context.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <c10/util/Exception.h>
#include <algorithm>
#include <torch/csrc/lazy/core/ir_util.h>

namespace ltc_mlir {

namespace {

mlir::Value Unwrap(MlirValue v) {
  return mlir::Value::getFromOpaquePointer(v);
}
MlirValue Wrap(mlir::Value v) {
  return v.getAsOpaquePointer();
}

} // namespace

mlir::Type DtypeToMlir(mlir::MLIRContext* ctx, at::ScalarType type) {
  using Sign = mlir::IntegerType::SignednessSemantics;
  switch (type) {
    case at::kFloat:
      return mlir::Float32Type::get(ctx);
    case at::kDouble:
      return mlir::Float64Type::get(ctx);
    case at::kHalf:
      return mlir::Float16Type::get(ctx);
    case at::kBFloat16:
      return mlir::BFloat16Type::get(ctx);
    case at::kLong:
      return mlir::IntegerType::get(ctx, 64, Sign::Signed);
    case at::kInt:
      return mlir::IntegerType::get(ctx, 32, Sign::Signed);
    case at::kShort:
      return mlir::IntegerType::get(ctx, 16, Sign::Signed);
    case at::kChar:
      return mlir::IntegerType::get(ctx, 8, Sign::Signed);
    case at::kByte:
      return mlir::IntegerType::get(ctx, 8, Sign::Unsigned);
    case at::kBool:
      return mlir::IntegerType::get(ctx, 1);
    default:
      TORCH_CHECK(false, "ltc-mlir: dtype ", type, " has no Torch-dialect type");
  }
}

bool HasMlirDtype(at::ScalarType type) {
  switch (type) {
    case at::kFloat:
    case at::kDouble:
    case at::kHalf:
    case at::kBFloat16:
    case at::kLong:
    case at::kInt:
    case at::kShort:
    case at::kChar:
    case at::kByte:
    case at::kBool:
      return true;
    default:
      return false;
  }
}

mlir::Type ShapeToMlir(mlir::MLIRContext* ctx, const torch::lazy::Shape& shape) {
  return mlir::torch::ValueTensorType::get(
      ctx, llvm::ArrayRef<int64_t>(shape.sizes().data(), shape.sizes().size()),
      DtypeToMlir(ctx, shape.scalar_type()));
}

struct MlirLoweringContext::Impl {
  explicit Impl(const std::string& name)
      : ctx(GetMlirContext()), builder(ctx) {
    loc = mlir::NameLoc::get(mlir::StringAttr::get(ctx, name));
    module = mlir::ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    func = builder.create<mlir::func::FuncOp>(
        loc, "graph", builder.getFunctionType({}, {}));
    entry = func.addEntryBlock();
    builder.setInsertionPointToEnd(entry);
  }

  mlir::Value Create(
      llvm::StringRef name,
      mlir::ValueRange operands,
      mlir::TypeRange types,
      llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::OperationName op_name(name, ctx);
    TORCH_CHECK(
        op_name.isRegistered(),
        "ltc-mlir: op '", name.str(), "' is not in the Torch dialect");
    mlir::OperationState state(loc, op_name);
    state.addOperands(operands);
    state.addTypes(types);
    state.addAttributes(attrs);
    mlir::Operation* op = builder.create(state);
    return op->getNumResults() ? op->getResult(0) : mlir::Value();
  }

  mlir::Value Constant(llvm::StringRef name, mlir::Attribute value, mlir::Type type) {
    auto key = std::make_pair(value, type);
    auto it = constants.find(key);
    if (it != constants.end())
      return it->second;
    mlir::Value v = value ? Create(name, {}, type, {builder.getNamedAttr("value", value)})
                          : Create(name, {}, type);
    constants[key] = v;
    return v;
  }

  mlir::MLIRContext* ctx;
  mlir::OpBuilder builder;
  mlir::Location loc = mlir::UnknownLoc::get(ctx);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  mlir::Block* entry = nullptr;
  llvm::DenseMap<std::pair<mlir::Attribute, mlir::Type>, mlir::Value> constants;
  // Device data buffers (by BackendData address) -> argument number.
  std::unordered_map<const void*, size_t> parameter_index;
  std::vector<torch::lazy::Shape> parameter_shapes;
  // Every node lowered, in order, for the eager interpreter.
  std::vector<const torch::lazy::Node*> nodes;
  std::string error;
};

MlirLoweringContext::MlirLoweringContext(
    const std::string& name,
    torch::lazy::BackendDevice device)
    : LoweringContext(name, std::move(device)), impl_(std::make_unique<Impl>(name)) {}

MlirLoweringContext::MlirLoweringContext(
    const std::string& name,
    torch::lazy::BackendDevice device,
    c10::ArrayRef<torch::lazy::Node*> post_order,
    torch::lazy::Util::EmissionMap emit_status)
    : LoweringContext(name, std::move(device), post_order, std::move(emit_status)),
      impl_(std::make_unique<Impl>(name)) {
  LowerPostOrder(post_order);
}

MlirLoweringContext::MlirLoweringContext(
    const std::string& name,
    torch::lazy::BackendDevice device,
    NoMlirTag)
    : LoweringContext(name, std::move(device)) {}

MlirLoweringContext::~MlirLoweringContext() = default;

void MlirLoweringContext::LowerPostOrder(c10::ArrayRef<torch::lazy::Node*> post_order) {
  // A node that cannot be lowered must not end the program: remember why, and
  // the graph will run through the eager interpreter instead.
  size_t i = 0;
  try {
    for (; i < post_order.size(); ++i)
      LowerNode(post_order[i]);
  } catch (const std::exception& e) {
    if (impl_ && impl_->error.empty())
      impl_->error = e.what();
    // Still bind every device-data node, so that the eager interpreter finds
    // each buffer LTC passes to this graph.
    for (; i < post_order.size(); ++i) {
      if (DeviceDataNode::Cast(post_order[i])) {
        try {
          LowerNode(post_order[i]);
        } catch (const std::exception&) {
        }
      }
    }
  }
}

void MlirLoweringContext::LowerNode(const torch::lazy::Node* node) {
  if (emitted_outputs_.count(torch::lazy::Output(node, 0)))
    return;
  const auto* mlir_node = dynamic_cast<const MlirNode*>(node);
  TORCH_CHECK(mlir_node, "ltc-mlir: foreign lazy IR node ", node->ToString());
  if (impl_)
    impl_->nodes.push_back(node);
  MlirValueList outputs = mlir_node->Lower(this);
  TORCH_CHECK(
      outputs.size() == node->num_outputs(), "ltc-mlir: ", node->ToString(),
      " lowered to ", outputs.size(), " values, expected ", node->num_outputs());
  for (size_t i = 0; i < outputs.size(); ++i)
    emitted_outputs_[torch::lazy::Output(node, i)] = outputs[i];
}

MlirValue MlirLoweringContext::GetOutputOp(const torch::lazy::Output& output) {
  auto it = emitted_outputs_.find(output);
  if (it == emitted_outputs_.end()) {
    for (torch::lazy::Node* node :
         torch::lazy::Util::ComputePostOrder(output.node, &emit_status_))
      LowerNode(node);
    it = emitted_outputs_.find(output);
    TORCH_CHECK(it != emitted_outputs_.end(), "ltc-mlir: output not lowered: ",
                output.node->ToString());
  }
  return it->second;
}

size_t MlirLoweringContext::AddResult(const torch::lazy::Output& output) {
  try {
    GetOutputOp(output);
  } catch (const std::exception& e) {
    if (impl_ && impl_->error.empty())
      impl_->error = e.what();
  }
  results_.push_back(output);
  return results_.size() - 1;
}

void MlirLoweringContext::AddParameter(
    const torch::lazy::Output& /*output*/,
    size_t /*index*/,
    const torch::lazy::Shape& /*shape*/,
    const std::string& /*name*/) {
  TORCH_CHECK(false, "ltc-mlir: parameters come from device data nodes");
}

MlirValue MlirLoweringContext::GetParameter(const torch::lazy::BackendDataPtr& data) {
  const void* key = data.get();
  auto it = impl_->parameter_index.find(key);
  if (it == impl_->parameter_index.end()) {
    // Every buffer LTC passes must get an argument number, even one whose
    // dtype (complex, say) the Torch dialect cannot type: the eager
    // interpreter binds arguments by that number. Such a graph runs eagerly.
    mlir::Type type;
    if (HasMlirDtype(data->shape().scalar_type())) {
      type = ShapeToMlir(impl_->ctx, data->shape());
    } else {
      type = mlir::torch::ValueTensorType::get(impl_->ctx, std::nullopt, mlir::Type());
      if (impl_->error.empty())
        impl_->error = std::string("ltc-mlir: graph input of dtype ") +
            c10::toString(data->shape().scalar_type()) + " has no Torch-dialect type";
    }
    impl_->entry->addArgument(type, impl_->loc);
    it = impl_->parameter_index.emplace(key, parameters_.size()).first;
    parameters_.push_back(data);
    impl_->parameter_shapes.push_back(data->shape());
  }
  parameter_sequence_.push_back(it->second);
  return Wrap(impl_->entry->getArgument(it->second));
}

MlirValue MlirLoweringContext::ScalarFromTensor(const torch::lazy::Output& output) {
  // A scalar known at trace time becomes a constant; one that lives in device
  // data (a learning rate, say) is read from its 0-d tensor at run time, so
  // changing it does not recompile.
  if (const auto* scalar = dynamic_cast<const ScalarNode*>(output.node))
    return Constant(scalar->value());
  at::ScalarType type = output.shape().scalar_type();
  mlir::Type result;
  llvm::StringRef name;
  if (at::isFloatingType(type)) {
    result = mlir::torch::FloatType::get(impl_->ctx);
    name = "torch.aten.Float.Tensor";
  } else if (type == at::kBool) {
    result = mlir::torch::BoolType::get(impl_->ctx);
    name = "torch.aten.Bool.Tensor";
  } else {
    result = mlir::torch::IntType::get(impl_->ctx);
    name = "torch.aten.Int.Tensor";
  }
  return Wrap(impl_->Create(name, Unwrap(GetOutputOp(output)), result));
}

MlirValue MlirLoweringContext::TensorLiteral(
    const at::Scalar& value,
    const torch::lazy::Shape& shape) {
  mlir::MLIRContext* ctx = impl_->ctx;
  mlir::Type dtype = DtypeToMlir(ctx, shape.scalar_type());
  auto tensor_type = mlir::RankedTensorType::get(
      llvm::ArrayRef<int64_t>(shape.sizes().data(), shape.sizes().size()), dtype);
  mlir::DenseElementsAttr attr;
  if (auto float_type = llvm::dyn_cast<mlir::FloatType>(dtype)) {
    llvm::APFloat v(value.toDouble());
    bool lost = false;
    v.convert(float_type.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven, &lost);
    attr = mlir::DenseElementsAttr::get(tensor_type, v);
  } else {
    unsigned width = dtype.getIntOrFloatBitWidth();
    int64_t v = value.isBoolean() ? value.toBool() : value.toLong();
    attr = mlir::DenseElementsAttr::get(
        tensor_type, llvm::APInt(width, static_cast<uint64_t>(v), /*isSigned=*/true,
                                 /*implicitTrunc=*/true));
  }
  return Wrap(impl_->Create(
      "torch.vtensor.literal", {}, ShapeToMlir(ctx, shape),
      {impl_->builder.getNamedAttr("value", attr)}));
}

MlirValue MlirLoweringContext::TensorList(const MlirValueList& tensors) {
  llvm::SmallVector<mlir::Value> values;
  for (MlirValue v : tensors)
    values.push_back(Unwrap(v));
  // `!torch.list<vtensor>`: the elements may differ in shape and dtype (cat).
  mlir::Type elem =
      mlir::torch::ValueTensorType::get(impl_->ctx, std::nullopt, mlir::Type());
  return Wrap(impl_->Create(
      "torch.prim.ListConstruct", values, mlir::torch::ListType::get(elem)));
}

MlirValue MlirLoweringContext::NoneConstant() {
  return Wrap(impl_->Constant(
      "torch.constant.none", mlir::Attribute(), mlir::torch::NoneType::get(impl_->ctx)));
}

MlirValue MlirLoweringContext::IntConstant(int64_t value) {
  return Wrap(impl_->Constant(
      "torch.constant.int", impl_->builder.getI64IntegerAttr(value),
      mlir::torch::IntType::get(impl_->ctx)));
}

MlirValue MlirLoweringContext::FloatConstant(double value) {
  return Wrap(impl_->Constant(
      "torch.constant.float", impl_->builder.getF64FloatAttr(value),
      mlir::torch::FloatType::get(impl_->ctx)));
}

MlirValue MlirLoweringContext::BoolConstant(bool value) {
  return Wrap(impl_->Constant(
      "torch.constant.bool", impl_->builder.getBoolAttr(value),
      mlir::torch::BoolType::get(impl_->ctx)));
}

MlirValue MlirLoweringContext::StringConstant(const std::string& value) {
  return Wrap(impl_->Constant(
      "torch.constant.str", impl_->builder.getStringAttr(value),
      mlir::torch::StringType::get(impl_->ctx)));
}

MlirValue MlirLoweringContext::IntListConstant(c10::ArrayRef<int64_t> values) {
  llvm::SmallVector<mlir::Value> elems;
  for (int64_t v : values)
    elems.push_back(Unwrap(IntConstant(v)));
  return Wrap(impl_->Create(
      "torch.prim.ListConstruct", elems,
      mlir::torch::ListType::get(mlir::torch::IntType::get(impl_->ctx))));
}

MlirValue MlirLoweringContext::BoolListConstant(const std::vector<bool>& values) {
  llvm::SmallVector<mlir::Value> elems;
  for (bool v : values)
    elems.push_back(Unwrap(BoolConstant(v)));
  return Wrap(impl_->Create(
      "torch.prim.ListConstruct", elems,
      mlir::torch::ListType::get(mlir::torch::BoolType::get(impl_->ctx))));
}

MlirValue MlirLoweringContext::FloatListConstant(c10::ArrayRef<double> values) {
  llvm::SmallVector<mlir::Value> elems;
  for (double v : values)
    elems.push_back(Unwrap(FloatConstant(v)));
  return Wrap(impl_->Create(
      "torch.prim.ListConstruct", elems,
      mlir::torch::ListType::get(mlir::torch::FloatType::get(impl_->ctx))));
}

MlirValue MlirLoweringContext::Constant(const c10::Device& /*device*/) {
  // Graphs run on one device; ops inside a graph never move data.
  return NoneConstant();
}

MlirValue MlirLoweringContext::Constant(const at::Scalar& value) {
  if (value.isFloatingPoint())
    return FloatConstant(value.toDouble());
  if (value.isBoolean())
    return BoolConstant(value.toBool());
  return IntConstant(value.toLong());
}

MlirValueList MlirLoweringContext::EmitOp(
    const char* op_name,
    const MlirValueList& operands,
    const torch::lazy::Node& node) {
  llvm::SmallVector<mlir::Value> values;
  for (MlirValue v : operands)
    values.push_back(Unwrap(v));
  llvm::SmallVector<mlir::Type> types;
  // LTC's shape functions give a result that is not computed (output_mask
  // false in a backward op) an undefined dtype: type it like the op's first
  // defined result; the lowering only fills it with zeros.
  at::ScalarType fallback_dtype = at::kFloat;
  for (const torch::lazy::Shape& shape : node.shapes()) {
    if (shape.scalar_type() != at::ScalarType::Undefined) {
      fallback_dtype = shape.scalar_type();
      break;
    }
  }
  for (const torch::lazy::Shape& shape : node.shapes()) {
    if (shape.scalar_type() == at::ScalarType::Undefined)
      types.push_back(ShapeToMlir(impl_->ctx, torch::lazy::Shape(fallback_dtype, shape.sizes())));
    else
      types.push_back(ShapeToMlir(impl_->ctx, shape));
  }
  mlir::OperationName name(op_name, impl_->ctx);
  TORCH_CHECK(
      name.isRegistered(), "ltc-mlir: op '", op_name, "' is not in the Torch dialect");
  mlir::OperationState state(impl_->loc, name);
  state.addOperands(values);
  state.addTypes(types);
  mlir::Operation* op = impl_->builder.create(state);
  MlirValueList results;
  for (mlir::Value r : op->getResults())
    results.push_back(Wrap(r));
  return results;
}

torch::lazy::ComputationPtr MlirLoweringContext::Build() {
  std::string error = impl_->error;
  // The function returns each distinct value once; LTC's results map onto
  // them (a graph often returns one value for several tensors).
  llvm::SmallVector<mlir::Value> results;
  std::vector<torch::lazy::Shape> result_shapes;
  std::vector<size_t> result_map;
  for (const torch::lazy::Output& output : results_) {
    auto it = emitted_outputs_.find(output);
    if (it == emitted_outputs_.end())
      continue;
    mlir::Value value = Unwrap(it->second);
    auto pos = std::find(results.begin(), results.end(), value);
    result_map.push_back(pos - results.begin());
    if (pos == results.end()) {
      results.push_back(value);
      result_shapes.push_back(output.shape());
    }
  }
  std::string text;
  if (error.empty()) {
    impl_->builder.setInsertionPointToEnd(impl_->entry);
    impl_->builder.create<mlir::func::ReturnOp>(impl_->loc, results);
    llvm::SmallVector<mlir::Type> arg_types(impl_->entry->getArgumentTypes());
    llvm::SmallVector<mlir::Type> result_types;
    for (mlir::Value v : results)
      result_types.push_back(v.getType());
    impl_->func.setFunctionType(
        impl_->builder.getFunctionType(arg_types, result_types));
    // Verification failures (a bad operand list, say) are reported, not fatal.
    std::string diagnostics;
    {
      mlir::ScopedDiagnosticHandler handler(impl_->ctx, [&](mlir::Diagnostic& d) {
        llvm::raw_string_ostream os(diagnostics);
        os << d << "\n";
        return mlir::success();
      });
      if (mlir::failed(mlir::verify(*impl_->module)))
        error = "Torch-dialect verification failed: " + diagnostics;
    }
  }
  llvm::raw_string_ostream os(text);
  impl_->module->print(os);
  return std::make_shared<MlirComputation>(
      std::move(text), std::move(error), impl_->parameter_shapes,
      std::move(result_shapes), std::move(result_map), std::move(impl_->nodes), results_,
      std::move(impl_->parameter_index));
}

} // namespace ltc_mlir
