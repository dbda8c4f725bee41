// Lowers a lazy IR graph to one `func.func @graph` in the Torch dialect.
//
// Device data become function arguments (in the order LTC core passes their
// buffers), the graph's roots become results. Nodes call the emission API
// below from their Lower(); it is virtual so that the same Lower() code can
// also drive the eager interpreter that runs a graph MLIR could not compile.
#pragma once

#include "ltc_backend/mlir_node.h"

#include <ATen/core/ivalue.h>
#include <c10/core/Device.h>
#include <c10/core/Layout.h>
#include <c10/core/MemoryFormat.h>
#include <c10/core/Scalar.h>
#include <c10/core/ScalarType.h>
#include <c10/util/Optional.h>
#include <torch/csrc/lazy/backend/lowering_context.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ltc_mlir {

class MlirLoweringContext : public torch::lazy::LoweringContext {
 public:
  MlirLoweringContext(const std::string& name, torch::lazy::BackendDevice device);
  MlirLoweringContext(
      const std::string& name,
      torch::lazy::BackendDevice device,
      c10::ArrayRef<torch::lazy::Node*> post_order,
      torch::lazy::Util::EmissionMap emit_status);
  ~MlirLoweringContext() override;

  // LoweringContext
  size_t AddResult(const torch::lazy::Output& output) override;
  void AddParameter(
      const torch::lazy::Output& output,
      size_t index,
      const torch::lazy::Shape& shape,
      const std::string& name) override;
  torch::lazy::ComputationPtr Build() override;

  // --- Emission API used by nodes' Lower() ---
  // The value of a node output; lowers the node (and its operands) on demand.
  MlirValue GetOutputOp(const torch::lazy::Output& output);
  // The function argument bound to a device-data buffer.
  virtual MlirValue GetParameter(const torch::lazy::BackendDataPtr& data);
  // A 0-d tensor operand used where the schema takes a Scalar.
  virtual MlirValue ScalarFromTensor(const torch::lazy::Output& output);
  // A tensor constant holding `value` with the shape and dtype given.
  virtual MlirValue TensorLiteral(const at::Scalar& value, const torch::lazy::Shape& shape);
  virtual MlirValue TensorList(const MlirValueList& tensors);
  virtual MlirValue NoneConstant();
  virtual MlirValue IntConstant(int64_t value);
  virtual MlirValue FloatConstant(double value);
  virtual MlirValue BoolConstant(bool value);
  virtual MlirValue StringConstant(const std::string& value);
  virtual MlirValue IntListConstant(c10::ArrayRef<int64_t> values);
  virtual MlirValue BoolListConstant(const std::vector<bool>& values);
  virtual MlirValue FloatListConstant(c10::ArrayRef<double> values);
  // One `torch.aten.*` op; result types come from the node's shapes.
  virtual MlirValueList EmitOp(
      const char* op_name,
      const MlirValueList& operands,
      const torch::lazy::Node& node);

  // Overloads that torchgen's generated Lower() calls for non-tensor arguments.
  MlirValue Constant(int64_t v) { return IntConstant(v); }
  MlirValue Constant(double v) { return FloatConstant(v); }
  MlirValue Constant(bool v) { return BoolConstant(v); }
  MlirValue Constant(const std::string& v) { return StringConstant(v); }
  MlirValue Constant(const std::vector<int64_t>& v) { return IntListConstant(v); }
  MlirValue Constant(const std::vector<bool>& v) { return BoolListConstant(v); }
  MlirValue Constant(const std::vector<double>& v) { return FloatListConstant(v); }
  MlirValue Constant(at::ScalarType v) { return IntConstant(static_cast<int64_t>(v)); }
  MlirValue Constant(c10::Layout v) { return IntConstant(static_cast<int64_t>(v)); }
  MlirValue Constant(c10::MemoryFormat v) { return IntConstant(static_cast<int64_t>(v)); }
  MlirValue Constant(const c10::Device& v);
  MlirValue Constant(const at::Scalar& v);
  template <typename T>
  MlirValue Constant(const c10::optional<T>& v) {
    return v.has_value() ? Constant(*v) : NoneConstant();
  }

 protected:
  // For the eager interpreter, which replaces every emission method.
  struct NoMlirTag {};
  MlirLoweringContext(
      const std::string& name,
      torch::lazy::BackendDevice device,
      NoMlirTag);

  void LowerNode(const torch::lazy::Node* node);
  void LowerPostOrder(c10::ArrayRef<torch::lazy::Node*> post_order);

  std::unordered_map<torch::lazy::Output, MlirValue, torch::lazy::Output::Hasher>
      emitted_outputs_;
  std::vector<torch::lazy::Output> results_;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace ltc_mlir
