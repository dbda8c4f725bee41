// The base class of every lazy IR node ltc-mlir creates.
//
// A node lowers itself by emitting Torch-dialect ops through an
// MlirLoweringContext. Values cross this interface as opaque handles so that
// node headers (including torchgen's LazyIr.h) need no MLIR includes.
#pragma once

#include <torch/csrc/lazy/core/ir.h>

#include <vector>

namespace ltc_mlir {

class MlirLoweringContext;

// torchgen's generated nodes live in this namespace and name these unqualified.
using torch::lazy::NodePtr;
using torch::lazy::OpKind;
using torch::lazy::OpList;
using torch::lazy::Output;
using torch::lazy::Shape;
using torch::lazy::Value;

// A value of the graph being emitted: mlir::Value's opaque pointer when
// compiling, a slot index when the graph is interpreted eagerly.
using MlirValue = const void*;
using MlirValueList = std::vector<MlirValue>;

class MlirNode : public torch::lazy::Node {
 public:
  MlirNode(
      torch::lazy::OpKind op,
      torch::lazy::OpList operands,
      std::vector<torch::lazy::Shape>&& shapes,
      size_t num_outputs,
      torch::lazy::hash_t hash_seed = torch::lazy::kHashSeed);

  // A leaf (no operands) with one known shape.
  MlirNode(
      torch::lazy::OpKind op,
      torch::lazy::Shape shape,
      size_t num_outputs,
      torch::lazy::hash_t hash_seed = torch::lazy::kHashSeed);

  ~MlirNode() override = default;

  torch::lazy::hash_t hash() const override {
    return dag_hash_;
  }
  torch::lazy::hash_t shapeHash() const override {
    return shape_hash_;
  }

  // Emits this node's ops and returns one value per output. The default
  // throws: a node without a lowering makes the graph fall back to eager.
  virtual MlirValueList Lower(MlirLoweringContext* loctx) const;

 private:
  void SetOperands(const torch::lazy::OpList& operands);
  void ComputeHashes(
      const torch::lazy::OpList& operands,
      torch::lazy::hash_t hash_seed);

  torch::lazy::hash_t shape_hash_ = 0;
  torch::lazy::hash_t dag_hash_ = 0;
};

} // namespace ltc_mlir
