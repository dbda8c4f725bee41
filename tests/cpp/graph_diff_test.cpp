// The graph comparison behind LTC_MLIR_DEBUG's recompile reasons: summaries
// of Torch-dialect text, and what separates two graphs.
#include "ltc_backend/graph_diff.h"

#include <string>

#include "gtest/gtest.h"

namespace ltc_mlir {
namespace {

// x[:, k] * s, with the parameters in either order.
std::string SelectGraph(int k, int rows, bool swap_args) {
  std::string x = swap_args ? "%arg1" : "%arg0";
  std::string s = swap_args ? "%arg0" : "%arg1";
  std::string xt = "!torch.vtensor<[" + std::to_string(rows) + ",3],f32>";
  std::string st = "!torch.vtensor<[],f64>";
  std::string sig = swap_args ? "%arg0: " + st + ", %arg1: " + xt
                              : "%arg0: " + xt + ", %arg1: " + st;
  return "module {\n"
         "  func.func @graph(" +
         sig + ") -> !torch.vtensor<[" + std::to_string(rows) +
         "],f32> {\n"
         "    %int1 = torch.constant.int 1\n"
         "    %int" +
         std::to_string(k) + "_0 = torch.constant.int " + std::to_string(k) +
         "\n"
         "    %0 = torch.aten.select_copy.int " +
         x + ", %int1, %int" + std::to_string(k) + "_0 : " + xt +
         ", !torch.int, !torch.int -> !torch.vtensor<[" + std::to_string(rows) +
         "],f32>\n"
         "    %1 = torch.aten.mul.Tensor %0, " +
         s + " : !torch.vtensor<[" + std::to_string(rows) + "],f32>, " + st +
         " -> !torch.vtensor<[" + std::to_string(rows) +
         "],f32>\n"
         "    return %1 : !torch.vtensor<[" +
         std::to_string(rows) +
         "],f32>\n"
         "  }\n"
         "}\n";
}

TEST(GraphDiffTest, SummaryReadsSignatureOpsAndConstants) {
  GraphSummary g = SummarizeGraph(SelectGraph(2, 4, false));
  ASSERT_EQ(g.inputs.size(), 2u);
  EXPECT_EQ(g.inputs[0], "f32[4,3]");
  EXPECT_EQ(g.inputs[1], "f64[]");
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.outputs[0], "f32[4]");
  ASSERT_EQ(g.ops.size(), 2u);
  EXPECT_EQ(g.ops[0].name, "torch.aten.select_copy.int");
  EXPECT_EQ(g.ops[0].operands,
            (std::vector<std::string>{"arg 0", "int 1", "int 2"}));
  EXPECT_EQ(g.ops[1].operands, (std::vector<std::string>{"op 0", "arg 1"}));
  EXPECT_EQ(g.histogram["torch.constant.int"], 2);
}

TEST(GraphDiffTest, IdenticalUpToParameterOrder) {
  GraphDiff diff = DiffGraphs(SummarizeGraph(SelectGraph(1, 4, false)),
                              SummarizeGraph(SelectGraph(1, 4, true)));
  EXPECT_TRUE(diff.identical) << diff.Describe();
  EXPECT_EQ(diff.Describe(), "identical ops, shapes and constants");
}

TEST(GraphDiffTest, ConstantChange) {
  GraphSummary a = SummarizeGraph(SelectGraph(0, 4, false));
  GraphSummary b = SummarizeGraph(SelectGraph(1, 4, true));
  GraphDiff diff = DiffGraphs(a, b);
  EXPECT_TRUE(diff.same_ops);
  EXPECT_FALSE(diff.shapes_changed());
  EXPECT_EQ(diff.Describe(),
            "same ops; constant changed: op 0 torch.aten.select_copy.int "
            "operand 2: int 0 -> int 1");
  EXPECT_LT(GraphDistance(a, b), 1000);
}

TEST(GraphDiffTest, ShapeChange) {
  GraphDiff diff = DiffGraphs(SummarizeGraph(SelectGraph(1, 4, false)),
                              SummarizeGraph(SelectGraph(1, 5, false)));
  EXPECT_TRUE(diff.same_ops);
  EXPECT_EQ(diff.input_changes,
            (std::vector<std::string>{"input 0: f32[4,3] -> f32[5,3]"}));
  EXPECT_EQ(diff.output_changes,
            (std::vector<std::string>{"output 0: f32[4] -> f32[5]"}));
  EXPECT_TRUE(diff.constant_changes.empty());
}

TEST(GraphDiffTest, OpsAddedAndRemoved) {
  std::string a = SelectGraph(1, 4, false);
  std::string b = a;
  b.replace(b.find("torch.aten.mul.Tensor"),
            std::string("torch.aten.mul.Tensor").size(),
            "torch.aten.add.Tensor");
  GraphSummary sa = SummarizeGraph(a);
  GraphSummary sb = SummarizeGraph(b);
  GraphDiff diff = DiffGraphs(sa, sb);
  EXPECT_FALSE(diff.same_ops);
  EXPECT_EQ(diff.first_differing_op, 1);
  EXPECT_EQ(diff.op_changes,
            (std::vector<std::string>{"+1 torch.aten.add.Tensor",
                                      "-1 torch.aten.mul.Tensor"}));
  EXPECT_GE(GraphDistance(sa, sb), 1000);
}

TEST(GraphDiffTest, MultiResultOpsAndLiterals) {
  GraphSummary g = SummarizeGraph(
      "func.func @graph(%arg0: !torch.vtensor<[2,3],f32>) -> "
      "!torch.vtensor<[2],si64> {\n"
      "  %0 = torch.vtensor.literal(dense<1.0> : tensor<3xf32>) : "
      "!torch.vtensor<[3],f32>\n"
      "  %1 = torch.aten.add.Tensor %arg0, %0 : !torch.vtensor<[2,3],f32>, "
      "!torch.vtensor<[3],f32> -> !torch.vtensor<[2,3],f32>\n"
      "  %2:2 = torch.aten.max.dim %1 : !torch.vtensor<[2,3],f32> -> "
      "(!torch.vtensor<[2],f32>, !torch.vtensor<[2],si64>)\n"
      "  %3 = torch.aten.neg %2#1 : !torch.vtensor<[2],si64> -> "
      "!torch.vtensor<[2],si64>\n"
      "  return %3 : !torch.vtensor<[2],si64>\n"
      "}\n");
  ASSERT_EQ(g.ops.size(), 3u);
  EXPECT_EQ(g.ops[0].operands[1], "literal dense<1.0> : tensor<3xf32>");
  EXPECT_EQ(g.ops[2].operands, (std::vector<std::string>{"op 1#1"}));
  EXPECT_EQ(g.outputs, (std::vector<std::string>{"si64[2]"}));
}

TEST(GraphDiffTest, GarbageDoesNotFail) {
  GraphSummary g =
      SummarizeGraph("%% = = : ->\nfunc.func @graph(\nreturn : \n%x = \n");
  GraphDiff diff = DiffGraphs(g, SummarizeGraph(""));
  (void)diff.Describe();
  EXPECT_TRUE(SummarizeGraph("").ops.empty());
}

} // namespace
} // namespace ltc_mlir
