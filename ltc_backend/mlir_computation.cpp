#include "ltc_backend/mlir_computation.h"

namespace ltc_mlir {

MlirComputation::MlirComputation(
    std::string torch_mlir, std::string lowering_error,
    std::vector<torch::lazy::Shape> parameter_shapes,
    std::vector<torch::lazy::Shape> result_shapes, std::vector<size_t> result_map,
    std::vector<const torch::lazy::Node*> post_order, std::vector<torch::lazy::Output> results,
    std::unordered_map<const void*, size_t> parameter_index)
    : torch_mlir_(std::move(torch_mlir)),
      lowering_error_(std::move(lowering_error)),
      parameter_shapes_(std::move(parameter_shapes)),
      result_shapes_(std::move(result_shapes)),
      result_map_(std::move(result_map)),
      post_order_(std::move(post_order)),
      results_(std::move(results)),
      parameter_index_(std::move(parameter_index)) {
  for (size_t i = 0; i < parameter_shapes_.size(); ++i)
    parameter_names_.push_back("arg" + std::to_string(i));
}

const torch::lazy::Shape& MlirComputation::result_shape() const {
  // LTC core asks for one shape; a graph returns a tuple of its results.
  return result_shapes_.size() == 1 ? result_shapes_.front() : tuple_shape_;
}

} // namespace ltc_mlir
