// Runs a graph on eager CPU when MLIR could not lower or compile it: the
// safety net that keeps a user's script going.
//
// While the graph's nodes are alive (at compile time), RecordEagerProgram
// replays each node's Lower() against a recording context, turning every
// emitted op into an ATen dispatcher call. The program outlives the nodes and
// runs on each execution of the cached computation with that run's arguments.
#pragma once

#include <ATen/Tensor.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/csrc/lazy/core/ir.h>

#include <memory>
#include <unordered_map>
#include <vector>

namespace ltc_mlir {

struct EagerInstruction {
  enum class Kind { kArgument, kConstant, kItem, kList, kOp };
  Kind kind;
  size_t argument = 0;               // kArgument
  c10::IValue constant;              // kConstant
  std::vector<size_t> operands;      // kItem (one), kList, kOp
  c10::optional<c10::OperatorHandle> op;  // kOp
  size_t num_outputs = 1;            // kOp
};

struct EagerProgram {
  std::vector<EagerInstruction> instructions;  // each defines the next slots
  std::vector<size_t> results;                 // slots returned
};

std::shared_ptr<EagerProgram> RecordEagerProgram(
    const std::vector<const torch::lazy::Node*>& post_order,
    const std::vector<torch::lazy::Output>& results,
    const std::unordered_map<const void*, size_t>& parameter_index);

// `arguments` are the graph's parameters as CPU tensors, in argument order.
std::vector<at::Tensor> RunEagerProgram(
    const EagerProgram& program,
    const std::vector<at::Tensor>& arguments);

} // namespace ltc_mlir
