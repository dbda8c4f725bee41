// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -ltc-linalg-to-llvm | FileCheck %s

// The kernel calls that convert-torch-to-linalg emits on buffers go through
// one-shot bufferization, the out-parameter rewrite and deallocation down to
// LLVM: the results are written straight into the caller's buffers, no
// bufferization op is left, and after deallocation the memref call of the
// marked declaration has become a call of the runtime kernel with i64
// (pointer, offset, strides) arguments.
// CHECK-NOT:   ltc_mlir_lu_factor_f32.memrefs
// CHECK-NOT:   ltc.kernel_call
// CHECK-LABEL: llvm.func @ltc_mlir_lu_factor_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: llvm.func internal @lu_factor(
// CHECK:         llvm.call @ltc_mlir_lu_factor_f32(
// CHECK-NOT:     ltc_mlir_lu_factor_f32.memrefs
// CHECK-NOT:     bufferization.
// CHECK-NOT:     llvm.call @free
// CHECK-NOT:     llvm.call @_mlir_memref_to_llvm_free
func.func @lu_factor(%a: !torch.vtensor<[2,3,3],f32>) -> (!torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3],si32>, !torch.vtensor<[2],si32>) {
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %0:3 = torch.aten.linalg_lu_factor_ex %a, %true, %false : !torch.vtensor<[2,3,3],f32>, !torch.bool, !torch.bool -> !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3],si32>, !torch.vtensor<[2],si32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3],si32>, !torch.vtensor<[2],si32>
}
