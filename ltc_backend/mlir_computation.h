// A lowered graph: the Torch-dialect module and, once compiled, the
// executable that runs it (or, if it could not be compiled, the nodes an
// eager interpreter walks instead).
#pragma once

#include "ltc_backend/eager_interpreter.h"
#include "runtime/device.h"

#include <torch/csrc/lazy/backend/backend_data.h>
#include <torch/csrc/lazy/core/ir.h>
#include <torch/csrc/lazy/core/lazy_graph_executor.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ltc_mlir {

class MlirComputation : public torch::lazy::Computation {
 public:
  MlirComputation(
      std::string torch_mlir,
      std::string lowering_error,
      std::vector<torch::lazy::Shape> parameter_shapes,
      std::vector<torch::lazy::Shape> result_shapes,
      std::vector<size_t> result_map,
      std::vector<const torch::lazy::Node*> post_order,
      std::vector<torch::lazy::Output> results,
      std::unordered_map<const void*, size_t> parameter_index);

  int parameters_size() const override {
    return static_cast<int>(parameter_shapes_.size());
  }
  const std::vector<torch::lazy::Shape>& parameter_shapes() const override {
    return parameter_shapes_;
  }
  const std::vector<std::string>& parameter_names() const override {
    return parameter_names_;
  }
  const torch::lazy::Shape& result_shape() const override;
  const std::string to_string() const override {
    return torch_mlir_;
  }

  const std::string& torch_mlir() const { return torch_mlir_; }
  // Shapes of the compiled function's distinct results.
  const std::vector<torch::lazy::Shape>& result_shapes() const { return result_shapes_; }
  // For each result LTC asked for, which distinct result holds it.
  const std::vector<size_t>& result_map() const { return result_map_; }
  // The lowered nodes, in post order. Valid only until Compile() returns:
  // the graph's tensors keep them alive until then.
  const std::vector<const torch::lazy::Node*>& post_order() const { return post_order_; }
  void ReleaseNodes() { post_order_.clear(); results_.clear(); }
  const std::vector<torch::lazy::Output>& results() const { return results_; }
  // Which argument a device-data buffer (by BackendData address) was bound to.
  const std::unordered_map<const void*, size_t>& parameter_index() const {
    return parameter_index_;
  }

  // Empty when the graph lowered to Torch-dialect MLIR.
  const std::string& lowering_error() const { return lowering_error_; }

  // Set by Compile(): the loaded executable, or why there is none.
  std::shared_ptr<runtime::Executable> executable;
  std::shared_ptr<EagerProgram> eager_program;
  std::string compile_error;
  std::string dump_path;

 private:
  std::string torch_mlir_;
  std::string lowering_error_;
  std::vector<torch::lazy::Shape> parameter_shapes_;
  std::vector<std::string> parameter_names_;
  std::vector<torch::lazy::Shape> result_shapes_;
  std::vector<size_t> result_map_;
  std::vector<const torch::lazy::Node*> post_order_;
  std::vector<torch::lazy::Output> results_;
  std::unordered_map<const void*, size_t> parameter_index_;
  torch::lazy::Shape tuple_shape_;
};

} // namespace ltc_mlir
