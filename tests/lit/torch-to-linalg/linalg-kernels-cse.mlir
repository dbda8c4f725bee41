// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -cse | FileCheck %s

// Two kernel calls reading one tensor keep a to_buffer each, right before
// their calls: one-shot bufferization sees the tensor read at the to_buffer,
// so a merged one would let the zero fill between the calls write into the
// buffer the second call still reads (test_linalg.py::test_gradients).
// CHECK-LABEL: func.func @shared_operand(
// CHECK:         %[[T:.*]] = linalg.transpose
// CHECK:         bufferization.to_buffer %[[T]] read_only {ltc.kernel_operand = 0 : i64}
// CHECK:         call @ltc_mlir_solve_triangular_f32.memrefs(
// CHECK:         linalg.fill
// CHECK:         %[[B1:.*]] = bufferization.to_buffer %[[T]] read_only {ltc.kernel_operand = 1 : i64}
// CHECK:         %[[C1:.*]] = memref.cast %[[B1]]
// CHECK:         call @ltc_mlir_solve_triangular_f32.memrefs(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C1]],
func.func @shared_operand(%a: !torch.vtensor<[2,3,3],f32>, %b: !torch.vtensor<[2,3,3],f32>) -> (!torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3,3],f32>) {
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %int-2 = torch.constant.int -2
  %int-1 = torch.constant.int -1
  %t0 = torch.aten.transpose_copy.int %a, %int-2, %int-1 : !torch.vtensor<[2,3,3],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,3,3],f32>
  %0 = torch.aten.linalg_solve_triangular %t0, %b, %true, %true, %false : !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3,3],f32>, !torch.bool, !torch.bool, !torch.bool -> !torch.vtensor<[2,3,3],f32>
  %1 = torch.aten.bmm %0, %0 : !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3,3],f32> -> !torch.vtensor<[2,3,3],f32>
  %t1 = torch.aten.transpose_copy.int %a, %int-2, %int-1 : !torch.vtensor<[2,3,3],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,3,3],f32>
  %2 = torch.aten.linalg_solve_triangular %t1, %1, %false, %true, %false : !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3,3],f32>, !torch.bool, !torch.bool, !torch.bool -> !torch.vtensor<[2,3,3],f32>
  return %1, %2 : !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3,3],f32>
}
