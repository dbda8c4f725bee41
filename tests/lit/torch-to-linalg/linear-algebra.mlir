// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @mm(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[EMPTY:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2x4xf32>)
// CHECK:         %[[MM:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK:         return %[[MM]]
func.func @mm(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3,4],f32>) -> !torch.vtensor<[2,4],f32> {
  %0 = torch.aten.mm %a, %b : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32> -> !torch.vtensor<[2,4],f32>
  return %0 : !torch.vtensor<[2,4],f32>
}

// -----

// With beta == alpha == 1 the product accumulates into the broadcast bias.
// CHECK-DAG:   #[[$BIAS:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @addmm(
// CHECK-SAME:      %[[BIASV:.*]]: tensor<4xf32>, %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK:         %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$BIAS]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[BIASV]] : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]] : f32
// CHECK:         %[[MM:.*]] = linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[MM]]
func.func @addmm(%bias: !torch.vtensor<[4],f32>, %a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3,4],f32>) -> !torch.vtensor<[2,4],f32> {
  %int1 = torch.constant.int 1
  %0 = torch.aten.addmm %bias, %a, %b, %int1, %int1 : !torch.vtensor<[4],f32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,4],f32>
  return %0 : !torch.vtensor<[2,4],f32>
}

// -----

// alpha == 1, constant beta != 1: the bias is scaled while broadcasting.
// CHECK-LABEL: func.func @addmm_beta(
// CHECK:         %[[BETA:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:         %[[INIT:.*]] = linalg.generic
// CHECK-SAME:        ins(%{{.*}} : tensor<2x1xf32>)
// CHECK:           %[[S:.*]] = arith.mulf %[[BETA]], %{{.*}} : f32
// CHECK:           linalg.yield %[[S]]
// CHECK:         linalg.matmul {{.*}} outs(%[[INIT]] : tensor<2x4xf32>)
func.func @addmm_beta(%bias: !torch.vtensor<[2,1],f32>, %a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3,4],f32>) -> !torch.vtensor<[2,4],f32> {
  %int1 = torch.constant.int 1
  %beta = torch.constant.float 5.000000e-01
  %0 = torch.aten.addmm %bias, %a, %b, %beta, %int1 : !torch.vtensor<[2,1],f32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32>, !torch.float, !torch.int -> !torch.vtensor<[2,4],f32>
  return %0 : !torch.vtensor<[2,4],f32>
}

// -----

// A runtime alpha needs an epilogue: beta * bias + alpha * (a @ b).
// CHECK-LABEL: func.func @addmm_alpha(
// CHECK-SAME:      %[[BIASV:.*]]: tensor<2x4xf32>, %{{.*}}: tensor<2x3xf32>, %{{.*}}: tensor<3x4xf32>, %[[ALPHA:.*]]: f64)
// CHECK:         %[[ALPHAF:.*]] = arith.truncf %[[ALPHA]] : f64 to f32
// CHECK:         %[[MM:.*]] = linalg.matmul
// CHECK:         linalg.generic {{.*}} ins(%[[MM]], %[[BIASV]] : tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK:           %[[SCALED:.*]] = arith.mulf %[[ALPHAF]], %{{.*}} : f32
// CHECK:           %[[SUM:.*]] = arith.addf %{{.*}}, %[[SCALED]] : f32
// CHECK:           linalg.yield %[[SUM]]
func.func @addmm_alpha(%bias: !torch.vtensor<[2,4],f32>, %a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3,4],f32>, %alpha: !torch.float) -> !torch.vtensor<[2,4],f32> {
  %int1 = torch.constant.int 1
  %0 = torch.aten.addmm %bias, %a, %b, %int1, %alpha : !torch.vtensor<[2,4],f32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32>, !torch.int, !torch.float -> !torch.vtensor<[2,4],f32>
  return %0 : !torch.vtensor<[2,4],f32>
}

// -----

// beta == 0 never reads the bias (NaN in it must not leak).
// CHECK-LABEL: func.func @addmm_beta_zero(
// CHECK-SAME:      %[[BIASV:.*]]: tensor<4xf32>,
// CHECK-NOT:     %[[BIASV]]
// CHECK:         linalg.matmul
// CHECK-NOT:     %[[BIASV]]
// CHECK:         return
func.func @addmm_beta_zero(%bias: !torch.vtensor<[4],f32>, %a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3,4],f32>) -> !torch.vtensor<[2,4],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %0 = torch.aten.addmm %bias, %a, %b, %int0, %int1 : !torch.vtensor<[4],f32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,4],f32>
  return %0 : !torch.vtensor<[2,4],f32>
}

// -----

// CHECK-LABEL: func.func @bmm(
// CHECK:         %[[INIT:.*]] = linalg.fill
// CHECK:         linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<5x2x3xf32>, tensor<5x3x4xf32>) outs(%[[INIT]] : tensor<5x2x4xf32>)
func.func @bmm(%a: !torch.vtensor<[5,2,3],f32>, %b: !torch.vtensor<[5,3,4],f32>) -> !torch.vtensor<[5,2,4],f32> {
  %0 = torch.aten.bmm %a, %b : !torch.vtensor<[5,2,3],f32>, !torch.vtensor<[5,3,4],f32> -> !torch.vtensor<[5,2,4],f32>
  return %0 : !torch.vtensor<[5,2,4],f32>
}

// -----

// Integer matmul keeps the integer element type.
// CHECK-LABEL: func.func @mm_int(
// CHECK:         linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xi64>, tensor<3x4xi64>) outs(%{{.*}} : tensor<2x4xi64>)
func.func @mm_int(%a: !torch.vtensor<[2,3],si64>, %b: !torch.vtensor<[3,4],si64>) -> !torch.vtensor<[2,4],si64> {
  %0 = torch.aten.mm %a, %b : !torch.vtensor<[2,3],si64>, !torch.vtensor<[3,4],si64> -> !torch.vtensor<[2,4],si64>
  return %0 : !torch.vtensor<[2,4],si64>
}
