// RUN: ltc-mlir-opt %s -torch-decompose-complex-ops -split-input-file | FileCheck %s

// grad - exp(out) * sum(grad, dim, keepdim=True)
// CHECK-LABEL: func.func @log_softmax_backward(
// CHECK-SAME:      %[[G:.*]]: !torch.vtensor<[4,7],f32>, %[[OUT:.*]]: !torch.vtensor<[4,7],f32>)
// CHECK-DAG:     %[[NONE:.*]] = torch.constant.none
// CHECK-DAG:     %[[TRUE:.*]] = torch.constant.bool true
// CHECK-DAG:     %[[INT1:.*]] = torch.constant.int 1
// CHECK:         %[[EXP:.*]] = torch.aten.exp %[[OUT]] : !torch.vtensor<[4,7],f32> -> !torch.vtensor<[4,7],f32>
// CHECK:         %[[DIMS:.*]] = torch.prim.ListConstruct %[[INT1]] : (!torch.int) -> !torch.list<int>
// CHECK:         %[[SUM:.*]] = torch.aten.sum.dim_IntList %[[G]], %[[DIMS]], %[[TRUE]], %[[NONE]] : !torch.vtensor<[4,7],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[4,1],f32>
// CHECK:         %[[MUL:.*]] = torch.aten.mul.Tensor %[[EXP]], %[[SUM]] : !torch.vtensor<[4,7],f32>, !torch.vtensor<[4,1],f32> -> !torch.vtensor<[4,7],f32>
// CHECK:         %[[SUB:.*]] = torch.aten.sub.Tensor %[[G]], %[[MUL]], %[[INT1]] : !torch.vtensor<[4,7],f32>, !torch.vtensor<[4,7],f32>, !torch.int -> !torch.vtensor<[4,7],f32>
// CHECK:         return %[[SUB]]
func.func @log_softmax_backward(%g: !torch.vtensor<[4,7],f32>, %out: !torch.vtensor<[4,7],f32>) -> !torch.vtensor<[4,7],f32> {
  %int1 = torch.constant.int 1
  %int6 = torch.constant.int 6
  %0 = torch.aten._log_softmax_backward_data %g, %out, %int1, %int6 : !torch.vtensor<[4,7],f32>, !torch.vtensor<[4,7],f32>, !torch.int, !torch.int -> !torch.vtensor<[4,7],f32>
  return %0 : !torch.vtensor<[4,7],f32>
}

// -----

// out * (grad - sum(grad * out, dim, keepdim=True)); a negative dim is kept
// as written in the list and normalized only for the result type.
// CHECK-LABEL: func.func @softmax_backward(
// CHECK-SAME:      %[[G:.*]]: !torch.vtensor<[2,3,5],f32>, %[[OUT:.*]]: !torch.vtensor<[2,3,5],f32>)
// CHECK:         %[[GY:.*]] = torch.aten.mul.Tensor %[[G]], %[[OUT]] : !torch.vtensor<[2,3,5],f32>, !torch.vtensor<[2,3,5],f32> -> !torch.vtensor<[2,3,5],f32>
// CHECK:         %[[DIMS:.*]] = torch.prim.ListConstruct %{{.*}} : (!torch.int) -> !torch.list<int>
// CHECK:         %[[SUM:.*]] = torch.aten.sum.dim_IntList %[[GY]], %[[DIMS]], %{{.*}}, %{{.*}} : {{.*}} -> !torch.vtensor<[2,1,5],f32>
// CHECK:         %[[DIFF:.*]] = torch.aten.sub.Tensor %[[G]], %[[SUM]], %{{.*}} : !torch.vtensor<[2,3,5],f32>, !torch.vtensor<[2,1,5],f32>, !torch.int -> !torch.vtensor<[2,3,5],f32>
// CHECK:         %[[RES:.*]] = torch.aten.mul.Tensor %[[OUT]], %[[DIFF]] : {{.*}} -> !torch.vtensor<[2,3,5],f32>
// CHECK:         return %[[RES]]
func.func @softmax_backward(%g: !torch.vtensor<[2,3,5],f32>, %out: !torch.vtensor<[2,3,5],f32>) -> !torch.vtensor<[2,3,5],f32> {
  %int-2 = torch.constant.int -2
  %int6 = torch.constant.int 6
  %0 = torch.aten._softmax_backward_data %g, %out, %int-2, %int6 : !torch.vtensor<[2,3,5],f32>, !torch.vtensor<[2,3,5],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,3,5],f32>
  return %0 : !torch.vtensor<[2,3,5],f32>
}

// -----

// A runtime dim is left alone.
// CHECK-LABEL: func.func @runtime_dim(
// CHECK:         torch.aten._log_softmax_backward_data
func.func @runtime_dim(%g: !torch.vtensor<[4,7],f32>, %out: !torch.vtensor<[4,7],f32>, %dim: !torch.int) -> !torch.vtensor<[4,7],f32> {
  %int6 = torch.constant.int 6
  %0 = torch.aten._log_softmax_backward_data %g, %out, %dim, %int6 : !torch.vtensor<[4,7],f32>, !torch.vtensor<[4,7],f32>, !torch.int, !torch.int -> !torch.vtensor<[4,7],f32>
  return %0 : !torch.vtensor<[4,7],f32>
}

// -----

// Unknown sizes are left alone: every decomposed value must be static.
// CHECK-LABEL: func.func @dynamic(
// CHECK:         torch.aten._softmax_backward_data
func.func @dynamic(%g: !torch.vtensor<[?,7],f32>, %out: !torch.vtensor<[?,7],f32>) -> !torch.vtensor<[?,7],f32> {
  %int1 = torch.constant.int 1
  %int6 = torch.constant.int 6
  %0 = torch.aten._softmax_backward_data %g, %out, %int1, %int6 : !torch.vtensor<[?,7],f32>, !torch.vtensor<[?,7],f32>, !torch.int, !torch.int -> !torch.vtensor<[?,7],f32>
  return %0 : !torch.vtensor<[?,7],f32>
}

// -----

// A 0-d tensor sums to itself: no reduction is emitted.
// CHECK-LABEL: func.func @log_softmax_backward_0d(
// CHECK-SAME:      %[[G:.*]]: !torch.vtensor<[],f32>, %[[OUT:.*]]: !torch.vtensor<[],f32>)
// CHECK-NOT:     torch.aten.sum.dim_IntList
// CHECK:         %[[EXP:.*]] = torch.aten.exp %[[OUT]]
// CHECK:         %[[MUL:.*]] = torch.aten.mul.Tensor %[[EXP]], %[[G]]
// CHECK:         torch.aten.sub.Tensor %[[G]], %[[MUL]]
func.func @log_softmax_backward_0d(%g: !torch.vtensor<[],f32>, %out: !torch.vtensor<[],f32>) -> !torch.vtensor<[],f32> {
  %int0 = torch.constant.int 0
  %int6 = torch.constant.int 6
  %0 = torch.aten._log_softmax_backward_data %g, %out, %int0, %int6 : !torch.vtensor<[],f32>, !torch.vtensor<[],f32>, !torch.int, !torch.int -> !torch.vtensor<[],f32>
  return %0 : !torch.vtensor<[],f32>
}
