// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// Every result has zero elements: the op computes nothing.
// CHECK-LABEL: func.func @empty_slice(
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<0x1xf32>
// CHECK-NOT:     tensor.extract_slice
// CHECK:         return %[[E]] : tensor<0x1xf32>
func.func @empty_slice(%x: !torch.vtensor<[0,2],f32>) -> !torch.vtensor<[0,1],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %0 = torch.aten.slice_copy.Tensor %x, %int1, %int0, %int1, %int1 : !torch.vtensor<[0,2],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[0,1],f32>
  return %0 : !torch.vtensor<[0,1],f32>
}

// -----

// Integer dtypes lose their signedness like everywhere else.
// CHECK-LABEL: func.func @empty_mul(
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<3x0xi64>
// CHECK:         return %[[E]] : tensor<3x0xi64>
func.func @empty_mul(%a: !torch.vtensor<[3,0],si64>, %b: !torch.vtensor<[3,0],si64>) -> !torch.vtensor<[3,0],si64> {
  %0 = torch.aten.mul.Tensor %a, %b : !torch.vtensor<[3,0],si64>, !torch.vtensor<[3,0],si64> -> !torch.vtensor<[3,0],si64>
  return %0 : !torch.vtensor<[3,0],si64>
}

// -----

// A result with elements goes to the op's own pattern.
// CHECK-LABEL: func.func @nonempty_slice(
// CHECK-NOT:     tensor.empty() : tensor<2x1xf32>
// CHECK:         tensor.extract_slice
func.func @nonempty_slice(%x: !torch.vtensor<[2,2],f32>) -> !torch.vtensor<[2,1],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %0 = torch.aten.slice_copy.Tensor %x, %int1, %int0, %int1, %int1 : !torch.vtensor<[2,2],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[2,1],f32>
  return %0 : !torch.vtensor<[2,1],f32>
}
