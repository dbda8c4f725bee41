// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// Scalar arguments and results convert to i64 / f64 / i1.
// CHECK-LABEL: func.func @scalar_signature(
// CHECK-SAME:      %[[I:.*]]: i64, %[[F:.*]]: f64, %[[B:.*]]: i1) -> (i64, f64, i1)
// CHECK:         return %[[I]], %[[F]], %[[B]] : i64, f64, i1
func.func @scalar_signature(%i: !torch.int, %f: !torch.float, %b: !torch.bool) -> (!torch.int, !torch.float, !torch.bool) {
  return %i, %f, %b : !torch.int, !torch.float, !torch.bool
}

// -----

// Constants become arith.constant of the converted type.
// CHECK-LABEL: func.func @constants() -> (i64, f64, i1)
// CHECK-DAG:     %[[I:.*]] = arith.constant -7 : i64
// CHECK-DAG:     %[[F:.*]] = arith.constant 2.500000e-01 : f64
// CHECK-DAG:     %[[B:.*]] = arith.constant true
// CHECK:         return %[[I]], %[[F]], %[[B]] : i64, f64, i1
func.func @constants() -> (!torch.int, !torch.float, !torch.bool) {
  %int = torch.constant.int -7
  %float = torch.constant.float 2.500000e-01
  %true = torch.constant.bool true
  return %int, %float, %true : !torch.int, !torch.float, !torch.bool
}

// -----

// Float/Int/Bool.Tensor read the element and cast it with PyTorch semantics.
// CHECK-LABEL: func.func @tensor_to_scalar(
// CHECK-SAME:      %[[F:.*]]: tensor<f32>, %[[I:.*]]: tensor<1xi64>, %[[D:.*]]: tensor<f64>) -> (f64, i64, i1, i64)
// CHECK:         %[[E0:.*]] = tensor.extract %[[F]][] : tensor<f32>
// CHECK:         %[[R0:.*]] = arith.extf %[[E0]] : f32 to f64
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[E1:.*]] = tensor.extract %[[I]][%[[C0]]] : tensor<1xi64>
// CHECK:         %[[E2:.*]] = tensor.extract %[[F]][] : tensor<f32>
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[R2:.*]] = arith.cmpf une, %[[E2]], %[[Z]] : f32
// CHECK:         %[[E3:.*]] = tensor.extract %[[D]][] : tensor<f64>
// CHECK:         %[[R3:.*]] = arith.fptosi %[[E3]] : f64 to i64
// CHECK:         return %[[R0]], %[[E1]], %[[R2]], %[[R3]] : f64, i64, i1, i64
func.func @tensor_to_scalar(%f: !torch.vtensor<[],f32>, %i: !torch.vtensor<[1],si64>, %d: !torch.vtensor<[],f64>) -> (!torch.float, !torch.int, !torch.bool, !torch.int) {
  %0 = torch.aten.Float.Tensor %f : !torch.vtensor<[],f32> -> !torch.float
  %1 = torch.aten.Int.Tensor %i : !torch.vtensor<[1],si64> -> !torch.int
  %2 = torch.aten.Bool.Tensor %f : !torch.vtensor<[],f32> -> !torch.bool
  %3 = torch.aten.Int.Tensor %d : !torch.vtensor<[],f64> -> !torch.int
  return %0, %1, %2, %3 : !torch.float, !torch.int, !torch.bool, !torch.int
}
