// Compares two lowered graphs (their Torch-dialect MLIR text) to say why the
// second needed its own compile: a shape changed, a constant baked into the
// graph changed, or ops were added or removed. Used by LTC_MLIR_DEBUG's
// recompile diagnostics; tools/ltc_mlir_cache_graph.py implements the same
// comparison for the cache CLI's `diff`.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ltc_mlir {

// What the comparison needs of one graph, read from its text.
struct GraphSummary {
  struct Op {
    std::string name; // e.g. torch.aten.mul.Tensor
    // One per operand: "arg N", "op N[#i]" (the N-th non-constant op) or the
    // value of a constant operand ("int 3", "float 5.0e-01", "none", ...).
    std::vector<std::string> operands;
    std::string result_types;
  };
  std::vector<std::string> inputs; // e.g. "f32[4,3]", in signature order
  // Signature indices in order of first use by an op (unused ones last): LTC
  // may order the parameters of two similar graphs differently, so operands
  // name arguments by this rank ("arg 0" is the first argument used).
  std::vector<int> use_order;
  std::vector<std::string> outputs;
  std::vector<Op> ops; // every op but constants and the return, in order
  std::map<std::string, int> histogram; // op name -> count (constants included)
};

// Reads the summary from a module holding `func.func @graph`. Lines it does not
// understand are skipped; it never fails.
GraphSummary SummarizeGraph(const std::string& torch_mlir);

struct GraphDiff {
  bool identical = false;
  bool same_ops = false; // the same op sequence (constants and shapes aside)
  std::vector<std::string> input_changes; // "input 0: f32[4,3] -> f32[5,3]"
  std::vector<std::string> output_changes;
  // "op 3 torch.aten.select_copy.int operand 2: int 1 -> int 2"
  std::vector<std::string> constant_changes;
  std::vector<std::string> op_changes; // "+1 torch.aten.relu", "-2 torch.aten.mul.Tensor"
  int first_differing_op = -1; // index into ops, when the sequences differ
  size_t inputs_before = 0, inputs_after = 0, outputs_before = 0, outputs_after = 0;

  bool shapes_changed() const {
    return !input_changes.empty() || !output_changes.empty();
  }
  // One line, at most `max_items` changes of each kind.
  std::string Describe(size_t max_items = 3) const;
};

GraphDiff DiffGraphs(const GraphSummary& from, const GraphSummary& to);

// A small number for graphs that differ little; used to pick the nearest
// earlier graph. Same op sequence < different ops; fewer changes < more.
int GraphDistance(const GraphSummary& a, const GraphSummary& b);

// "!torch.vtensor<[4,3],f32>" -> "f32[4,3]"; other types unchanged.
std::string ShortType(const std::string& type);

} // namespace ltc_mlir
