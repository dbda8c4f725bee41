// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Signatures, calls and returns convert; constants and lists that only fed
// converted ops disappear, and no Torch op or cast is left.
// CHECK-LABEL: func.func private @callee(tensor<2x3xf32>, i64) -> tensor<2x3xf32>
// CHECK-LABEL: func.func @caller(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK:         %[[C:.*]] = arith.constant 4 : i64
// CHECK:         %[[R:.*]] = call @callee(%[[A]], %[[C]]) : (tensor<2x3xf32>, i64) -> tensor<2x3xf32>
// CHECK:         %[[T:.*]] = linalg.transpose ins(%[[R]] : tensor<2x3xf32>)
// CHECK:         return %[[T]] : tensor<3x2xf32>
// CHECK-NOT:     torch
// CHECK-NOT:     unrealized_conversion_cast
func.func private @callee(!torch.vtensor<[2,3],f32>, !torch.int) -> !torch.vtensor<[2,3],f32>
func.func @caller(%a: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[3,2],f32> {
  %int4 = torch.constant.int 4
  %0 = call @callee(%a, %int4) : (!torch.vtensor<[2,3],f32>, !torch.int) -> !torch.vtensor<[2,3],f32>
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %dims = torch.prim.ListConstruct %int1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %none = torch.constant.none
  %str = torch.constant.str "unused"
  %1 = torch.aten.permute_copy %0, %dims : !torch.vtensor<[2,3],f32>, !torch.list<int> -> !torch.vtensor<[3,2],f32>
  return %1 : !torch.vtensor<[3,2],f32>
}

// -----

// An op no pattern converts is named; the constants it uses are not.
func.func @non_constant_dim(%a: !torch.vtensor<[2,3],f32>, %d: !torch.int) -> !torch.vtensor<[3,2],f32> {
  %int1 = torch.constant.int 1
  // expected-error @+1 {{op 'torch.aten.transpose_copy.int' is not supported by convert-torch-to-linalg}}
  %0 = torch.aten.transpose_copy.int %a, %d, %int1 : !torch.vtensor<[2,3],f32>, !torch.int, !torch.int -> !torch.vtensor<[3,2],f32>
  return %0 : !torch.vtensor<[3,2],f32>
}

// -----

// Every unconverted op is reported, even when its users were converted.
func.func @two_unsupported(%a: !torch.vtensor<[2,3],f32>, %s: !torch.int) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %int0 = torch.constant.int 0
  // expected-error @+1 {{op 'torch.aten.transpose_copy.int' is not supported by convert-torch-to-linalg}}
  %0 = torch.aten.transpose_copy.int %a, %s, %int1 : !torch.vtensor<[2,3],f32>, !torch.int, !torch.int -> !torch.vtensor<[3,2],f32>
  // expected-error @+1 {{op 'torch.aten.transpose_copy.int' is not supported by convert-torch-to-linalg}}
  %1 = torch.aten.transpose_copy.int %0, %int0, %s : !torch.vtensor<[3,2],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.relu %1 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  return %2 : !torch.vtensor<[2,3],f32>
}
