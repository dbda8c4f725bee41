// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// LU: the batched input goes to the kernel as a read-only buffer (its
// to_buffer tagged with the call's id, so that CSE cannot merge it with
// another call's); LU, pivots and info are new buffers the kernel writes,
// returned as restrict/writable tensors. The call passes memrefs to a marked
// declaration, which ltc-expand-kernel-calls turns into the i64 ABI later.
// CHECK-LABEL: func.func private @ltc_mlir_lu_factor_f32.memrefs(i64, i64, i64, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?xi32, strided<[?, ?], offset: ?>>, memref<?xi32, strided<[?], offset: ?>>) attributes {ltc.kernel_call = "ltc_mlir_lu_factor_f32"}
// CHECK-LABEL: func.func @lu_factor(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3x3xf32>)
// CHECK:         %[[BUF:.*]] = bufferization.to_buffer %[[A]] read_only {ltc.kernel_operand = 0 : i64} : tensor<2x3x3xf32> to memref<2x3x3xf32, strided<[?, ?, ?], offset: ?>>
// CHECK:         %[[IN:.*]] = memref.cast %[[BUF]] : memref<2x3x3xf32, strided<[?, ?, ?], offset: ?>> to memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
// CHECK:         %[[LU:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x3x3xf32>
// CHECK:         %[[LUC:.*]] = memref.cast %[[LU]]
// CHECK:         %[[PIV:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x3xi32>
// CHECK:         %[[PIVC:.*]] = memref.cast %[[PIV]]
// CHECK:         %[[INFO:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2xi32>
// CHECK:         %[[INFOC:.*]] = memref.cast %[[INFO]]
// CHECK:         call @ltc_mlir_lu_factor_f32.memrefs(%{{.*}}, %{{.*}}, %{{.*}}, %[[IN]], %[[LUC]], %[[PIVC]], %[[INFOC]])
// CHECK:         %[[T0:.*]] = bufferization.to_tensor %[[LU]] restrict writable : memref<2x3x3xf32> to tensor<2x3x3xf32>
// CHECK:         %[[T1:.*]] = bufferization.to_tensor %[[PIV]] restrict writable
// CHECK:         %[[T2:.*]] = bufferization.to_tensor %[[INFO]] restrict writable
// CHECK:         return %[[T0]], %[[T1]], %[[T2]]
func.func @lu_factor(%a: !torch.vtensor<[2,3,3],f32>) -> (!torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3],si32>, !torch.vtensor<[2],si32>) {
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %0:3 = torch.aten.linalg_lu_factor_ex %a, %true, %false : !torch.vtensor<[2,3,3],f32>, !torch.bool, !torch.bool -> !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3],si32>, !torch.vtensor<[2],si32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3],si32>, !torch.vtensor<[2],si32>
}

// -----

// A triangular solve broadcasts A's batch to B's and passes the flags as
// constants (batch 2, m 3, n 4, upper, left, not unit).
// CHECK-LABEL: func.func @solve_triangular(
// CHECK:         linalg.generic
// CHECK:         %[[C2:.*]] = arith.constant 2 : i64
// CHECK:         %[[C3:.*]] = arith.constant 3 : i64
// CHECK:         %[[C4:.*]] = arith.constant 4 : i64
// CHECK:         %[[C1:.*]] = arith.constant 1 : i64
// CHECK:         %[[C1B:.*]] = arith.constant 1 : i64
// CHECK:         %[[C0:.*]] = arith.constant 0 : i64
// CHECK:         call @ltc_mlir_solve_triangular_f64.memrefs(%[[C2]], %[[C3]], %[[C4]], %[[C1]], %[[C1B]], %[[C0]],
func.func @solve_triangular(%a: !torch.vtensor<[3,3],f64>, %b: !torch.vtensor<[2,3,4],f64>) -> !torch.vtensor<[2,3,4],f64> {
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %0 = torch.aten.linalg_solve_triangular %a, %b, %true, %true, %false : !torch.vtensor<[3,3],f64>, !torch.vtensor<[2,3,4],f64>, !torch.bool, !torch.bool, !torch.bool -> !torch.vtensor<[2,3,4],f64>
  return %0 : !torch.vtensor<[2,3,4],f64>
}

// -----

// The inverse is an LU followed by an LU solve against a batched identity.
// CHECK-LABEL: func.func @inv_ex(
// Each call's to_buffers carry their own id.
// CHECK:         bufferization.to_buffer %{{.*}} read_only {ltc.kernel_operand = 0 : i64}
// CHECK:         call @ltc_mlir_lu_factor_f32.memrefs(
// CHECK:         linalg.index 1
// CHECK:         linalg.index 2
// CHECK:         arith.cmpi eq
// CHECK:         bufferization.to_buffer %{{.*}} read_only {ltc.kernel_operand = 1 : i64}
// CHECK:         call @ltc_mlir_lu_solve_f32.memrefs(
func.func @inv_ex(%a: !torch.vtensor<[3,3],f32>) -> (!torch.vtensor<[3,3],f32>, !torch.vtensor<[],si32>) {
  %false = torch.constant.bool false
  %0:2 = torch.aten.linalg_inv_ex %a, %false : !torch.vtensor<[3,3],f32>, !torch.bool -> !torch.vtensor<[3,3],f32>, !torch.vtensor<[],si32>
  return %0#0, %0#1 : !torch.vtensor<[3,3],f32>, !torch.vtensor<[],si32>
}

// -----

// Half inputs are not lowered (the kernels take f32/f64): the graph falls
// back instead.
func.func @cholesky_f16(%a: !torch.vtensor<[3,3],f16>) -> !torch.vtensor<[3,3],f16> {
  %false = torch.constant.bool false
  // expected-error @+1 {{op 'torch.aten.cholesky' is not supported by convert-torch-to-linalg}}
  %0 = torch.aten.cholesky %a, %false : !torch.vtensor<[3,3],f16>, !torch.bool -> !torch.vtensor<[3,3],f16>
  return %0 : !torch.vtensor<[3,3],f16>
}
