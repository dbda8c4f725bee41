// RUN: ltc-mlir-opt %s -ltc-mark-graph-boundary | FileCheck %s

// Tensor inputs of public functions are read-only for bufferization.
// CHECK-LABEL: func.func @graph(
// CHECK-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false},
// CHECK-SAME: %{{.*}}: f32)
func.func @graph(%a: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// Private helpers are left to the bufferization analysis.
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: bufferization.writable
func.func private @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
