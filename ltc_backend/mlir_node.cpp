#include "ltc_backend/mlir_node.h"

#include <c10/util/Exception.h>

#include <atomic>
#include <mutex>

namespace ltc_mlir {

using torch::lazy::hash_t;

namespace {

// OpKind::hash() hashes the op's qualified name on every call; every traced
// node needs it, so each op's hash is computed once. Entries are published
// with release stores and never change; symbols past the table (custom ops
// interned late) are hashed each time.
hash_t OpHash(const torch::lazy::OpKind& op) {
  constexpr size_t kMaxSymbols = 1 << 14;
  static std::atomic<const hash_t*> table[kMaxSymbols];
  static std::mutex mutex;
  auto symbol = static_cast<c10::unique_t>(op.op);
  if (symbol >= kMaxSymbols)
    return op.hash();
  if (const hash_t* hash = table[symbol].load(std::memory_order_acquire))
    return *hash;
  std::lock_guard<std::mutex> lock(mutex);
  if (const hash_t* hash = table[symbol].load(std::memory_order_relaxed))
    return *hash;
  const hash_t* hash = new hash_t(op.hash()); // kept for the process's life
  table[symbol].store(hash, std::memory_order_release);
  return *hash;
}

// Combines each operand's node hash (shape-aware or not) and output index
// into the seed. Adding the index to the node's hash keeps the outputs of one
// node apart at the cost of one combine per operand; a collision needs two
// 128-bit node hashes that differ by a small integer, as unlikely as any.
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
    hash_t node_hash =
        bake_in_sizes ? operand.node->shapeHash() : operand.node->hash();
    hash = torch::lazy::HashCombine(
        hash, node_hash + static_cast<uint64_t>(operand.index));
  }
  return hash;
}

} // namespace

// Delegates to Node's operand-less constructor and fills the operand and
// shape vectors itself: Node's own constructor copies the shapes into a new
// vector and grows both operand vectors one push at a time, five allocations
// for a binary op where two suffice.
MlirNode::MlirNode(
    torch::lazy::OpKind op,
    torch::lazy::OpList operands,
    std::vector<torch::lazy::Shape>&& shapes,
    size_t num_outputs,
    hash_t hash_seed)
    : Node(op, num_outputs) {
  shapes_ = std::move(shapes);
  SetOperands(operands);
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
  hash_t seed = torch::lazy::HashCombine(OpHash(op), hash_seed);
  shape_hash_ = torch::lazy::HashCombine(seed, shape.hash(/*bakeInSizes=*/true));
  dag_hash_ = enableDynamicShape()
      ? torch::lazy::HashCombine(seed, shape.hash(/*bakeInSizes=*/false))
      : shape_hash_;
}

void MlirNode::SetOperands(const torch::lazy::OpList& operands) {
  operands_.reserve(operands.size());
  operands_as_outputs_.reserve(operands.size());
  for (const torch::lazy::Value& operand : operands) {
    if (!operand)
      continue; // an absent optional operand, as Node skips it
    TORCH_CHECK(
        operand.index < operand.node->num_outputs(),
        "ltc-mlir: operand output ", operand.index, " of a node with ",
        operand.node->num_outputs(), " outputs");
    operands_.push_back(operand.node);
    operands_as_outputs_.emplace_back(operand.node.get(), operand.index);
  }
}

void MlirNode::ComputeHashes(
    const torch::lazy::OpList& operands,
    hash_t hash_seed) {
  hash_t seed = torch::lazy::HashCombine(OpHash(op()), hash_seed);
  shape_hash_ = HashOperands(operands, seed, /*bake_in_sizes=*/true);
  dag_hash_ = enableDynamicShape()
      ? HashOperands(operands, seed, /*bake_in_sizes=*/false)
      : shape_hash_;
}

MlirValueList MlirNode::Lower(MlirLoweringContext* /*loctx*/) const {
  TORCH_CHECK(false, "ltc-mlir: no lowering for lazy IR node ", ToString());
}

} // namespace ltc_mlir
