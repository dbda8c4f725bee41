// The lazy IR nodes LTC core creates through the IrBuilder (device data,
// scalars, expand, cast, tensor lists, views), as ltc-mlir nodes.
#pragma once

#include "ltc_backend/mlir_node.h"

#include <torch/csrc/lazy/backend/backend_data.h>
#include <torch/csrc/lazy/core/ir_builder.h>

namespace ltc_mlir {

// A tensor that lives on the device: becomes an argument of the graph. Its
// hash includes an ordinal that no other live input node shares: LTC core
// hashes a graph from its roots' DAG hashes, so inputs that hashed by shape
// alone were interchangeable, and `a - b` reused the code compiled for
// `b - a` when both were also graph outputs (the outputs fix which argument
// is which). A new node takes the smallest ordinal no live node holds:
// parameters keep theirs across steps, and a step's other inputs get the
// same ordinals each time it runs, so it hashes the same.
class DeviceDataNode : public MlirNode {
 public:
  static torch::lazy::OpKind ClassOpKind();
  explicit DeviceDataNode(std::shared_ptr<torch::lazy::BackendData> data);
  ~DeviceDataNode() override;
  std::string ToString() const override;
  MlirValueList Lower(MlirLoweringContext* loctx) const override;
  const std::shared_ptr<torch::lazy::BackendData>& data() const { return data_; }
  // LTC core swaps in new data when it reuses a node.
  void SetData(std::shared_ptr<torch::lazy::BackendData> data) { data_ = std::move(data); }
  static const DeviceDataNode* Cast(const torch::lazy::Node* node);

 private:
  DeviceDataNode(std::shared_ptr<torch::lazy::BackendData> data, uint64_t ordinal);

  std::shared_ptr<torch::lazy::BackendData> data_;
  uint64_t ordinal_;
};

// A scalar known while tracing (0, 1, ...): becomes a constant in the graph.
class ScalarNode : public MlirNode {
 public:
  static torch::lazy::OpKind ClassOpKind();
  ScalarNode(const at::Scalar& value, at::ScalarType type);
  std::string ToString() const override;
  MlirValueList Lower(MlirLoweringContext* loctx) const override;
  const at::Scalar& value() const { return value_; }

 private:
  at::Scalar value_;
};

// Views and helpers that LTC core builds itself; each lowers to one op.
class ExpandNode : public MlirNode {
 public:
  static torch::lazy::OpKind ClassOpKind();
  ExpandNode(const torch::lazy::Value& input, std::vector<int64_t> size, bool is_scalar_expand);
  bool CanBeReused(const torch::lazy::Value& input, const std::vector<int64_t>& size, bool is_scalar_expand) const;
  MlirValueList Lower(MlirLoweringContext* loctx) const override;

 private:
  std::vector<int64_t> size_;
  bool is_scalar_expand_;
};

class CastNode : public MlirNode {
 public:
  static torch::lazy::OpKind ClassOpKind();
  CastNode(const torch::lazy::Value& input, at::ScalarType dtype, c10::optional<at::ScalarType> stype);
  bool CanBeReused(const torch::lazy::Value& input, at::ScalarType dtype, c10::optional<at::ScalarType> stype) const;
  MlirValueList Lower(MlirLoweringContext* loctx) const override;

 private:
  at::ScalarType dtype_;
  c10::optional<at::ScalarType> stype_;
};

class TensorListNode : public MlirNode {
 public:
  static torch::lazy::OpKind ClassOpKind();
  explicit TensorListNode(torch::lazy::OpList values);
  bool CanBeReused(torch::lazy::OpList values) const;
  MlirValueList Lower(MlirLoweringContext* loctx) const override;
};

// An aten op over tensor operands only, named by its OpKind.
class GenericNode : public MlirNode {
 public:
  GenericNode(const torch::lazy::OpKind& op, torch::lazy::OpList operands,
              torch::lazy::Shape shape, size_t num_outputs, torch::lazy::hash_t hash_seed);
  MlirValueList Lower(MlirLoweringContext* loctx) const override;
};

// `torch.aten.<op>` of one tensor and one int list (view, permute) or one int
// (squeeze/unsqueeze dim).
class ViewLikeNode : public MlirNode {
 public:
  ViewLikeNode(const torch::lazy::OpKind& op, const char* torch_op,
               const torch::lazy::Value& input, std::vector<int64_t> ints,
               bool single_int, torch::lazy::Shape shape);
  MlirValueList Lower(MlirLoweringContext* loctx) const override;

 private:
  const char* torch_op_;
  std::vector<int64_t> ints_;
  bool single_int_;
};

const torch::lazy::IrBuilder* GetMlirIrBuilder();

} // namespace ltc_mlir
