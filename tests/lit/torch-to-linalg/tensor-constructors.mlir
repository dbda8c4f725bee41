// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @literals() -> (tensor<2xf32>, tensor<3xi64>, tensor<2xi1>)
// CHECK-DAG:     %[[F:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[I:.*]] = arith.constant dense<[1, -2, 3]> : tensor<3xi64>
// CHECK-DAG:     %[[B:.*]] = arith.constant dense<[true, false]> : tensor<2xi1>
// CHECK:         return %[[F]], %[[I]], %[[B]]
func.func @literals() -> (!torch.vtensor<[2],f32>, !torch.vtensor<[3],si64>, !torch.vtensor<[2],i1>) {
  %0 = torch.vtensor.literal(dense<[1.0, 2.0]> : tensor<2xf32>) : !torch.vtensor<[2],f32>
  %1 = torch.vtensor.literal(dense<[1, -2, 3]> : tensor<3xsi64>) : !torch.vtensor<[3],si64>
  %2 = torch.vtensor.literal(dense<[true, false]> : tensor<2xi1>) : !torch.vtensor<[2],i1>
  return %0, %1, %2 : !torch.vtensor<[2],f32>, !torch.vtensor<[3],si64>, !torch.vtensor<[2],i1>
}

// -----

// fill.Scalar casts the value to the result dtype; zero fills with 0.
// CHECK-LABEL: func.func @fill_and_zero(
// CHECK-SAME:      %{{.*}}: tensor<2x3xf32>, %[[V:.*]]: i64) -> (tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK:         %[[VF:.*]] = arith.sitofp %[[V]] : i64 to f32
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK:         %[[FILL:.*]] = linalg.fill ins(%[[VF]] : f32) outs(%[[E]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[E2:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK:         %[[ZERO:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E2]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK:         return %[[FILL]], %[[ZERO]]
func.func @fill_and_zero(%a: !torch.vtensor<[2,3],f32>, %v: !torch.int) -> (!torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>) {
  %0 = torch.aten.fill.Scalar %a, %v : !torch.vtensor<[2,3],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.zero %a : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  return %0, %1 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>
}

// -----

// _to_copy converts the dtype elementwise; to the same dtype (and clone) it
// forwards the input.
// CHECK-LABEL: func.func @to_copy_and_clone(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>, %[[U:.*]]: tensor<4xi8>)
// CHECK:         %[[I:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[A]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xi32>)
// CHECK:           arith.fptosi %{{.*}} : f32 to i32
// CHECK:         %[[F:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[U]] : tensor<4xi8>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:           arith.uitofp %{{.*}} : i8 to f32
// CHECK:         return %[[I]], %[[A]], %[[A]], %[[F]]
func.func @to_copy_and_clone(%a: !torch.vtensor<[2,3],f32>, %u: !torch.vtensor<[4],ui8>) -> (!torch.vtensor<[2,3],si32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[4],f32>) {
  %none = torch.constant.none
  %false = torch.constant.bool false
  %int3 = torch.constant.int 3
  %int6 = torch.constant.int 6
  %0 = torch.aten._to_copy %a, %int3, %none, %none, %none, %false, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none, !torch.none, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[2,3],si32>
  %1 = torch.aten._to_copy %a, %int6, %none, %none, %none, %false, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none, !torch.none, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.clone %a, %none : !torch.vtensor<[2,3],f32>, !torch.none -> !torch.vtensor<[2,3],f32>
  %3 = torch.aten._to_copy %u, %int6, %none, %none, %none, %false, %none : !torch.vtensor<[4],ui8>, !torch.int, !torch.none, !torch.none, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[4],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[2,3],si32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[4],f32>
}

// -----

// Float to a narrow or unsigned integer goes through i32 and wraps, as
// ATen's casts do (-1.0 becomes 255).
// CHECK-LABEL: func.func @to_copy_uint8(
// CHECK:         ^bb0(%[[X:.*]]: f32, %{{.*}}: i8):
// CHECK-NEXT:      %[[W:.*]] = arith.fptosi %[[X]] : f32 to i32
// CHECK-NEXT:      %[[N:.*]] = arith.trunci %[[W]] : i32 to i8
// CHECK-NEXT:      linalg.yield %[[N]] : i8
func.func @to_copy_uint8(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],ui8> {
  %none = torch.constant.none
  %false = torch.constant.bool false
  %int0 = torch.constant.int 0
  %0 = torch.aten._to_copy %a, %int0, %none, %none, %none, %false, %none : !torch.vtensor<[4],f32>, !torch.int, !torch.none, !torch.none, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[4],ui8>
  return %0 : !torch.vtensor<[4],ui8>
}
