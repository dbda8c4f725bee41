// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// A unary special function calls the runtime's f32 entry in the body, and
// the callee is declared once, privately, in the module.
// CHECK-LABEL: module {
// CHECK:         func.func private @ltc_mlir_special_digamma_f32(f32) -> f32
// CHECK-LABEL: func.func @digamma(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<2x3xf32>)
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[V:.*]] = func.call @ltc_mlir_special_digamma_f32(%[[IN]]) : (f32) -> f32
// CHECK-NEXT:      linalg.yield %[[V]] : f32
// CHECK:         %[[R2:.*]] = linalg.generic
// CHECK:           func.call @ltc_mlir_special_digamma_f32
// CHECK:         return %[[R2]]
// CHECK-NOT:     torch.
func.func @digamma(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %0 = torch.aten.digamma %x : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.digamma %0 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  return %1 : !torch.vtensor<[2,3],f32>
}

// -----

// An f64 result calls the f64 entry; an integer operand is converted first.
// CHECK:         func.func private @ltc_mlir_special_i0e_f64(f64) -> f64
// CHECK-LABEL: func.func @i0e_f64
// CHECK:         ^bb0(%[[IN:.*]]: i64, %{{.*}}: f64):
// CHECK-NEXT:      %[[F:.*]] = arith.sitofp %[[IN]] : i64 to f64
// CHECK-NEXT:      %[[V:.*]] = func.call @ltc_mlir_special_i0e_f64(%[[F]]) : (f64) -> f64
// CHECK-NEXT:      linalg.yield %[[V]] : f64
func.func @i0e_f64(%x: !torch.vtensor<[4],si64>) -> !torch.vtensor<[4],f64> {
  %0 = torch.aten.special_i0e %x : !torch.vtensor<[4],si64> -> !torch.vtensor<[4],f64>
  return %0 : !torch.vtensor<[4],f64>
}

// -----

// polygamma's order is an i64 scalar argument of the call.
// CHECK:         func.func private @ltc_mlir_special_polygamma_f32(i64, f32) -> f32
// CHECK-LABEL: func.func @polygamma
// CHECK:         %[[N:.*]] = arith.constant 2 : i64
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      func.call @ltc_mlir_special_polygamma_f32(%[[N]], %[[IN]]) : (i64, f32) -> f32
func.func @polygamma(%x: !torch.vtensor<[3],f32>) -> !torch.vtensor<[3],f32> {
  %int2 = torch.constant.int 2
  %0 = torch.aten.polygamma %int2, %x : !torch.int, !torch.vtensor<[3],f32> -> !torch.vtensor<[3],f32>
  return %0 : !torch.vtensor<[3],f32>
}

// -----

// Binary functions broadcast both tensor operands.
// CHECK:         func.func private @ltc_mlir_special_chebyshev_polynomial_t_f32(f32, f32) -> f32
// CHECK-LABEL: func.func @chebyshev_t
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32>)
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[N:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      func.call @ltc_mlir_special_chebyshev_polynomial_t_f32(%[[X]], %[[N]]) : (f32, f32) -> f32
func.func @chebyshev_t(%x: !torch.vtensor<[2,3],f32>, %n: !torch.vtensor<[3],f32>) -> !torch.vtensor<[2,3],f32> {
  %0 = torch.aten.special_chebyshev_polynomial_t %x, %n : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}

// -----

// f16 computes in f32 and rounds the result.
// CHECK-LABEL: func.func @igamma_f16
// CHECK:         ^bb0(%[[A:.*]]: f16, %[[X:.*]]: f16, %{{.*}}: f16):
// CHECK-DAG:       %[[AE:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-DAG:       %[[XE:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK:           %[[V:.*]] = func.call @ltc_mlir_special_igamma_f32(%[[AE]], %[[XE]]) : (f32, f32) -> f32
// CHECK-NEXT:      arith.truncf %[[V]] : f32 to f16
func.func @igamma_f16(%a: !torch.vtensor<[3],f16>, %x: !torch.vtensor<[3],f16>) -> !torch.vtensor<[3],f16> {
  %0 = torch.aten.igamma %a, %x : !torch.vtensor<[3],f16>, !torch.vtensor<[3],f16> -> !torch.vtensor<[3],f16>
  return %0 : !torch.vtensor<[3],f16>
}
