#include "ltc_backend/ir_nodes.h"

#include "ltc_backend/mlir_lowering_context.h"

#include <ATen/InferSize.h>
#include <c10/util/Exception.h>
#include <torch/csrc/lazy/core/internal_ops/ltc_ops.h>
#include <torch/csrc/lazy/core/ir_builder.h>
#include <torch/csrc/lazy/core/permutation_util.h>

#include <functional>
#include <mutex>
#include <queue>
#include <vector>
#include <sstream>

namespace ltc_mlir {

using torch::lazy::OpKind;
using torch::lazy::Shape;

// --- DeviceDataNode ---
OpKind DeviceDataNode::ClassOpKind() {
  return *torch::lazy::ltc_device_data;
}

namespace {

// Ordinals of the live input nodes: a new node takes the smallest free one.
class DeviceDataOrdinals {
 public:
  uint64_t Acquire() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty())
      return end_++;
    uint64_t ordinal = free_.top();
    free_.pop();
    return ordinal;
  }
  void Release(uint64_t ordinal) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push(ordinal);
  }

 private:
  std::mutex mutex_;
  // Below end_ and held by no live node. A min-heap in one vector: once it
  // has grown, creating and destroying nodes while tracing allocates nothing.
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> free_;
  uint64_t end_ = 0;
};

DeviceDataOrdinals& Ordinals() {
  static auto* ordinals = new DeviceDataOrdinals();  // outlives every node
  return *ordinals;
}

}  // namespace

DeviceDataNode::DeviceDataNode(std::shared_ptr<torch::lazy::BackendData> data)
    : DeviceDataNode(std::move(data), Ordinals().Acquire()) {}

DeviceDataNode::DeviceDataNode(std::shared_ptr<torch::lazy::BackendData> data,
                               uint64_t ordinal)
    : MlirNode(
          ClassOpKind(), data->shape(), /*num_outputs=*/1,
          torch::lazy::HashCombine(torch::lazy::kHashSeed, torch::lazy::Hash(ordinal))),
      data_(std::move(data)),
      ordinal_(ordinal) {}

DeviceDataNode::~DeviceDataNode() { Ordinals().Release(ordinal_); }

std::string DeviceDataNode::ToString() const {
  std::stringstream ss;
  ss << MlirNode::ToString() << ", device=" << data_->device();
  return ss.str();
}

MlirValueList DeviceDataNode::Lower(MlirLoweringContext* loctx) const {
  return {loctx->GetParameter(data_)};
}

const DeviceDataNode* DeviceDataNode::Cast(const torch::lazy::Node* node) {
  // Every mark_step asks this of each node in the graph: compare the kind
  // (only this class uses it) instead of paying for a dynamic_cast.
  static const OpKind kind = ClassOpKind();
  return node->op() == kind ? static_cast<const DeviceDataNode*>(node) : nullptr;
}

// --- ScalarNode ---
OpKind ScalarNode::ClassOpKind() {
  return OpKind(at::prim::Constant);
}

ScalarNode::ScalarNode(const at::Scalar& value, at::ScalarType type)
    : MlirNode(ClassOpKind(), Shape(type, {}), /*num_outputs=*/1,
               torch::lazy::MHash(value)),
      value_(value) {}

std::string ScalarNode::ToString() const {
  std::stringstream ss;
  ss << MlirNode::ToString() << ", value=" << value_;
  return ss.str();
}

MlirValueList ScalarNode::Lower(MlirLoweringContext* loctx) const {
  return {loctx->TensorLiteral(value_, shape())};
}

// --- ExpandNode ---
OpKind ExpandNode::ClassOpKind() {
  return OpKind(at::aten::expand);
}

ExpandNode::ExpandNode(const torch::lazy::Value& input, std::vector<int64_t> size,
                       bool is_scalar_expand)
    : MlirNode(ClassOpKind(), {input},
               std::vector<Shape>{Shape(input.shape().scalar_type(), size)},
               /*num_outputs=*/1, torch::lazy::MHash(size, is_scalar_expand)),
      size_(std::move(size)),
      is_scalar_expand_(is_scalar_expand) {}

bool ExpandNode::CanBeReused(const torch::lazy::Value& input,
                             const std::vector<int64_t>& size,
                             bool is_scalar_expand) const {
  return operand(0) == input && size_ == size && is_scalar_expand_ == is_scalar_expand;
}

MlirValueList ExpandNode::Lower(MlirLoweringContext* loctx) const {
  return loctx->EmitOp("torch.aten.expand_copy",
                       {loctx->GetOutputOp(operand(0)), loctx->IntListConstant(size_),
                        loctx->BoolConstant(false)},
                       *this);
}

// --- CastNode ---
OpKind CastNode::ClassOpKind() {
  return *torch::lazy::ltc_cast;
}

CastNode::CastNode(const torch::lazy::Value& input, at::ScalarType dtype,
                   c10::optional<at::ScalarType> stype)
    : MlirNode(ClassOpKind(), {input},
               std::vector<Shape>{Shape(dtype, input.shape().sizes())},
               /*num_outputs=*/1, torch::lazy::MHash(static_cast<int>(dtype), stype)),
      dtype_(dtype),
      stype_(stype) {}

bool CastNode::CanBeReused(const torch::lazy::Value& input, at::ScalarType dtype,
                           c10::optional<at::ScalarType> stype) const {
  return operand(0) == input && dtype_ == dtype && stype_ == stype;
}

MlirValueList CastNode::Lower(MlirLoweringContext* loctx) const {
  MlirValue none = loctx->NoneConstant();
  return loctx->EmitOp("torch.aten._to_copy",
                       {loctx->GetOutputOp(operand(0)), loctx->Constant(dtype_), none,
                        none, none, loctx->BoolConstant(false), none},
                       *this);
}

// --- TensorListNode ---
OpKind TensorListNode::ClassOpKind() {
  return OpKind::Get("lazy_tensors::tensor_list");
}

TensorListNode::TensorListNode(torch::lazy::OpList values)
    : MlirNode(ClassOpKind(), values, std::vector<Shape>(), /*num_outputs=*/1) {}

bool TensorListNode::CanBeReused(torch::lazy::OpList values) const {
  return operands() == std::vector<torch::lazy::Output>(values.begin(), values.end());
}

MlirValueList TensorListNode::Lower(MlirLoweringContext* loctx) const {
  MlirValueList tensors;
  for (const torch::lazy::Output& operand : operands())
    tensors.push_back(loctx->GetOutputOp(operand));
  return {loctx->TensorList(tensors)};
}

// --- GenericNode ---
GenericNode::GenericNode(const OpKind& op, torch::lazy::OpList operands, Shape shape,
                         size_t num_outputs, torch::lazy::hash_t hash_seed)
    : MlirNode(op, operands, std::vector<Shape>(num_outputs, shape), num_outputs,
               hash_seed) {}

MlirValueList GenericNode::Lower(MlirLoweringContext* loctx) const {
  std::string name = op().op.toQualString();
  TORCH_CHECK(name.rfind("aten::", 0) == 0, "ltc-mlir: cannot lower generic op ", name);
  std::string torch_op = "torch.aten." + name.substr(6);
  MlirValueList operands;
  for (const torch::lazy::Output& operand : this->operands())
    operands.push_back(loctx->GetOutputOp(operand));
  return loctx->EmitOp(torch_op.c_str(), operands, *this);
}

// --- ViewLikeNode ---
ViewLikeNode::ViewLikeNode(const OpKind& op, const char* torch_op,
                           const torch::lazy::Value& input, std::vector<int64_t> ints,
                           bool single_int, Shape shape)
    : MlirNode(op, {input}, std::vector<Shape>{std::move(shape)}, /*num_outputs=*/1,
               torch::lazy::MHash(ints, single_int)),
      torch_op_(torch_op),
      ints_(std::move(ints)),
      single_int_(single_int) {}

MlirValueList ViewLikeNode::Lower(MlirLoweringContext* loctx) const {
  MlirValue arg = single_int_ ? loctx->IntConstant(ints_.at(0)) : loctx->IntListConstant(ints_);
  return loctx->EmitOp(torch_op_, {loctx->GetOutputOp(operand(0)), arg}, *this);
}

// --- The IrBuilder ---
namespace {

using torch::lazy::NodePtr;
using torch::lazy::Value;

[[noreturn]] void Unsupported(const char* what) {
  TORCH_CHECK(false, "ltc-mlir: the IR builder does not support ", what,
              " (ltc-mlir traces with functionalization, which never needs it)");
}

class MlirIrBuilder : public torch::lazy::IrBuilder {
 public:
  NodePtr MakeDeviceData(const std::shared_ptr<torch::lazy::BackendData>& data) const override {
    return std::make_shared<DeviceDataNode>(data);
  }
  NodePtr MakeScalar(const at::Scalar& value, const at::ScalarType& type) const override {
    return torch::lazy::MakeNode<ScalarNode>(value, type);
  }
  NodePtr MakeExpand(const Value& input0, const std::vector<int64_t>& size,
                     const bool& is_scalar_expand) const override {
    return torch::lazy::ReuseOrMakeNode<ExpandNode>(input0, size, is_scalar_expand);
  }
  NodePtr MakeView(const Value& input0, const std::vector<int64_t>& output_size) const override {
    auto sizes = at::infer_size(output_size, input0.shape().numel());
    return torch::lazy::MakeNode<ViewLikeNode>(
        OpKind(at::aten::view), "torch.aten.view_copy", input0, output_size, false,
        Shape(input0.shape().scalar_type(), sizes));
  }
  NodePtr MakeCast(const Value& input0, const at::ScalarType& dtype,
                   const c10::optional<at::ScalarType>& stype) const override {
    return torch::lazy::ReuseOrMakeNode<CastNode>(input0, dtype, stype);
  }
  NodePtr MakeTensorList(const torch::lazy::OpList& inputs) const override {
    return torch::lazy::ReuseOrMakeNode<TensorListNode>(inputs);
  }
  NodePtr MakeGeneric(const OpKind& op, const torch::lazy::OpList& operands,
                      const Shape& shape, const size_t& num_outputs,
                      const torch::lazy::hash_t& hash_seed) const override {
    return torch::lazy::MakeNode<GenericNode>(op, operands, shape, num_outputs, hash_seed);
  }
  NodePtr MakePermute(const Value& input0, const std::vector<int64_t>& dims) const override {
    auto sizes = torch::lazy::PermuteDimensions(dims, input0.shape().sizes().vec());
    return torch::lazy::MakeNode<ViewLikeNode>(
        OpKind(at::aten::permute), "torch.aten.permute_copy", input0, dims, false,
        Shape(input0.shape().scalar_type(), sizes));
  }
  NodePtr MakeSqueeze(const Value& input0, const int& dim) const override {
    std::vector<int64_t> sizes = input0.shape().sizes().vec();
    int64_t d = dim < 0 ? dim + static_cast<int64_t>(sizes.size()) : dim;
    if (d >= 0 && d < static_cast<int64_t>(sizes.size()) && sizes[d] == 1)
      sizes.erase(sizes.begin() + d);
    return torch::lazy::MakeNode<ViewLikeNode>(
        OpKind(at::aten::squeeze), "torch.aten.squeeze_copy.dim", input0,
        std::vector<int64_t>{dim}, true, Shape(input0.shape().scalar_type(), sizes));
  }
  NodePtr MakeUnsqueeze(const Value& input0, const int& dim) const override {
    std::vector<int64_t> sizes = input0.shape().sizes().vec();
    int64_t d = dim < 0 ? dim + static_cast<int64_t>(sizes.size()) + 1 : dim;
    sizes.insert(sizes.begin() + d, 1);
    return torch::lazy::MakeNode<ViewLikeNode>(
        OpKind(at::aten::unsqueeze), "torch.aten.unsqueeze_copy", input0,
        std::vector<int64_t>{dim}, true, Shape(input0.shape().scalar_type(), sizes));
  }

  // View updates and dynamic sizes belong to LTC's pre-functionalization view
  // tracking and to symbolic shapes; neither is used with ltc-mlir.
  NodePtr MakeAsStridedViewUpdate(const Value&, const Value&, const std::vector<int64_t>&,
                                  const std::vector<int64_t>&, const int64_t&) const override {
    Unsupported("as_strided view updates");
  }
  NodePtr MakeAsStrided(const Value&, const std::vector<int64_t>&, const std::vector<int64_t>&,
                        const int64_t&) const override {
    Unsupported("as_strided views");
  }
  NodePtr MakeDiagonalViewUpdate(const Value&, const Value&, const int64_t&, const int64_t&,
                                 const int64_t&) const override {
    Unsupported("diagonal view updates");
  }
  NodePtr MakeDiagonal(const Value&, const int64_t&, const int64_t&, const int64_t&) const override {
    Unsupported("diagonal views");
  }
  NodePtr MakeNarrowViewUpdate(const Value&, const Value&, const std::vector<int64_t>&) const override {
    Unsupported("narrow view updates");
  }
  NodePtr MakeNarrow(const Value&, const std::vector<int64_t>&, const std::vector<int64_t>&) const override {
    Unsupported("narrow views");
  }
  NodePtr MakeResize(const Value&, const std::vector<int64_t>&) const override {
    Unsupported("resize");
  }
  NodePtr MakeSelectViewUpdate(const Value&, const Value&, const int64_t&, const int64_t&,
                               const int64_t&, const int64_t&) const override {
    Unsupported("select view updates");
  }
  NodePtr MakeSelect(const Value&, const int64_t&, const int64_t&, const int64_t&,
                     const int64_t&) const override {
    Unsupported("select views");
  }
  NodePtr MakeSizeNode(const Value&, size_t) const override { Unsupported("symbolic sizes"); }
  NodePtr MakeSizeAdd(const Value&, const Value&) const override { Unsupported("symbolic sizes"); }
  NodePtr MakeSizeMul(const Value&, const Value&) const override { Unsupported("symbolic sizes"); }
  NodePtr MakeSizeDiv(const Value&, const Value&) const override { Unsupported("symbolic sizes"); }
};

} // namespace

const torch::lazy::IrBuilder* GetMlirIrBuilder() {
  static const MlirIrBuilder* builder = new MlirIrBuilder();
  return builder;
}

} // namespace ltc_mlir
