#include "ltc_backend/mlir_node.h"

#include <c10/util/Exception.h>

namespace ltc_mlir {

using torch::lazy::hash_t;

MlirNode::MlirNode(
    torch::lazy::OpKind op,
    torch::lazy::OpList operands,
    std::vector<torch::lazy::Shape>&& shapes,
    size_t num_outputs,
    hash_t hash_seed)
    : Node(op, operands, std::move(shapes), num_outputs) {
  ComputeHashes(operands, hash_seed);
}

MlirNode::MlirNode(
    torch::lazy::OpKind op,
    torch::lazy::OpList operands,
    const std::function<torch::lazy::Shape()>& shape_fn,
    size_t num_outputs,
    hash_t hash_seed)
    : Node(op, operands, shape_fn, num_outputs) {
  ComputeHashes(operands, hash_seed);
}

MlirNode::MlirNode(
    torch::lazy::OpKind op,
    torch::lazy::Shape shape,
    size_t num_outputs,
    hash_t hash_seed)
    : Node(op, shape, num_outputs) {
  // Leaves hash their op, seed and shape only: a device-data node's hash never
  // depends on the data, so graphs over new data reuse the compiled code.
  hash_t seed = torch::lazy::HashCombine(op.hash(), hash_seed);
  shape_hash_ = torch::lazy::HashCombine(seed, shape.hash(/*bakeInSizes=*/true));
  dag_hash_ = enableDynamicShape()
      ? torch::lazy::HashCombine(seed, shape.hash(/*bakeInSizes=*/false))
      : shape_hash_;
}

namespace {
// Combines each operand's hash (shape-aware or not) and output index into the
// seed. (LTC core has the same helper but does not export it.)
hash_t HashOperands(
    const torch::lazy::OpList& operands,
    hash_t seed,
    bool bake_in_sizes) {
  hash_t hash = seed;
  for (const torch::lazy::Value& operand : operands) {
    if (!operand) {
      hash = torch::lazy::HashCombine(hash, static_cast<uint64_t>(0x9e3779b9));
      continue;
    }
    hash = torch::lazy::HashCombine(
        hash, bake_in_sizes ? operand.shapeHash() : operand.hash());
  }
  return hash;
}
} // namespace

void MlirNode::ComputeHashes(
    const torch::lazy::OpList& operands,
    hash_t hash_seed) {
  hash_t seed = torch::lazy::HashCombine(op().hash(), hash_seed);
  shape_hash_ = HashOperands(operands, seed, /*bake_in_sizes=*/true);
  dag_hash_ = enableDynamicShape()
      ? HashOperands(operands, seed, /*bake_in_sizes=*/false)
      : shape_hash_;
}

MlirValueList MlirNode::Lower(MlirLoweringContext* /*loctx*/) const {
  TORCH_CHECK(false, "ltc-mlir: no lowering for lazy IR node ", ToString());
}

} // namespace ltc_mlir
