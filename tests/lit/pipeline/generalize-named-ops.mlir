// RUN: ltc-mlir-opt %s -ltc-generalize-named-ops | FileCheck %s

// Named ops become generics, except the f32 NCHW convolution.
// CHECK-LABEL: func.func @ops(
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @ops(%a: tensor<3x5xf32>, %b: tensor<5x7xf32>, %c: tensor<3x7xf32>,
               %in: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %o: tensor<1x3x3x3xf32>,
               %ii: tensor<1x2x5x5xi32>, %wi: tensor<3x2x3x3xi32>, %oi: tensor<1x3x3x3xi32>)
    -> (tensor<3x7xf32>, tensor<1x3x3x3xf32>, tensor<1x3x3x3xi32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<3x5xf32>, tensor<5x7xf32>) outs(%c : tensor<3x7xf32>) -> tensor<3x7xf32>
  %1 = linalg.conv_2d_nchw_fchw ins(%in, %w : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) outs(%o : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %2 = linalg.conv_2d_nchw_fchw ins(%ii, %wi : tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>) outs(%oi : tensor<1x3x3x3xi32>) -> tensor<1x3x3x3xi32>
  return %0, %1, %2 : tensor<3x7xf32>, tensor<1x3x3x3xf32>, tensor<1x3x3x3xi32>
}
