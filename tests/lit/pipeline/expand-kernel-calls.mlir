// RUN: ltc-mlir-opt %s -ltc-expand-kernel-calls -split-input-file -verify-diagnostics | FileCheck %s

// A call of a declaration marked `ltc.kernel_call` becomes a call of the
// runtime kernel: i64 operands stay, each memref becomes its aligned pointer,
// offset and strides as i64. The marked declaration is gone; the runtime's is
// declared once for both calls.
// CHECK-NOT:   ltc_mlir_k_f32.memrefs
// CHECK-LABEL: func.func private @ltc_mlir_k_f32(i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-NOT:   ltc_mlir_k_f32.memrefs
// CHECK-LABEL: func.func @expand(
// CHECK-SAME:      %[[A:.*]]: memref<2x3xf32>, %[[B:.*]]: memref<4xi32>)
// CHECK:         %[[N:.*]] = arith.constant 7 : i64
// CHECK:         %[[CA:.*]] = memref.cast %[[A]]
// CHECK:         %[[CB:.*]] = memref.cast %[[B]]
// CHECK:         %[[BASE:.*]], %[[OFF:.*]], %[[SIZES:.*]]:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[CA]]
// CHECK:         %[[PA:.*]] = memref.extract_aligned_pointer_as_index %[[CA]]
// CHECK:         %[[PA64:.*]] = arith.index_cast %[[PA]] : index to i64
// CHECK:         %[[OFF64:.*]] = arith.index_cast %[[OFF]] : index to i64
// CHECK:         %[[S0:.*]] = arith.index_cast %[[STRIDES]]#0 : index to i64
// CHECK:         %[[S1:.*]] = arith.index_cast %[[STRIDES]]#1 : index to i64
// CHECK:         %[[BASEB:.*]], %[[OFFB:.*]], %[[SIZEB:.*]], %[[STRIDEB:.*]] = memref.extract_strided_metadata %[[CB]]
// CHECK:         %[[PB:.*]] = memref.extract_aligned_pointer_as_index %[[CB]]
// CHECK:         %[[PB64:.*]] = arith.index_cast %[[PB]] : index to i64
// CHECK:         %[[OFFB64:.*]] = arith.index_cast %[[OFFB]] : index to i64
// CHECK:         %[[SB:.*]] = arith.index_cast %[[STRIDEB]] : index to i64
// CHECK:         call @ltc_mlir_k_f32(%[[N]], %[[PA64]], %[[OFF64]], %[[S0]], %[[S1]], %[[PB64]], %[[OFFB64]], %[[SB]]) : (i64, i64, i64, i64, i64, i64, i64, i64) -> ()
// CHECK:         memref.dealloc
// CHECK:         call @ltc_mlir_k_f32(
// CHECK-NOT:     call @ltc_mlir_k_f32.memrefs
// CHECK:         return
func.func private @ltc_mlir_k_f32.memrefs(i64, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xi32, strided<[?], offset: ?>>) attributes {ltc.kernel_call = "ltc_mlir_k_f32"}
func.func @expand(%a: memref<2x3xf32>, %b: memref<4xi32>) {
  %n = arith.constant 7 : i64
  %ca = memref.cast %a : memref<2x3xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %cb = memref.cast %b : memref<4xi32> to memref<?xi32, strided<[?], offset: ?>>
  call @ltc_mlir_k_f32.memrefs(%n, %ca, %cb) : (i64, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xi32, strided<[?], offset: ?>>) -> ()
  %tmp = memref.alloc() : memref<2x3xf32>
  %ct = memref.cast %tmp : memref<2x3xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  memref.dealloc %tmp : memref<2x3xf32>
  call @ltc_mlir_k_f32.memrefs(%n, %ca, %cb) : (i64, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xi32, strided<[?], offset: ?>>) -> ()
  return
}

// -----

// Other calls are left alone.
// CHECK-LABEL: func.func private @other(memref<2xf32>)
// CHECK-LABEL: func.func @unmarked(
// CHECK:         call @other(%{{.*}}) : (memref<2xf32>) -> ()
func.func private @other(memref<2xf32>)
func.func @unmarked(%a: memref<2xf32>) {
  call @other(%a) : (memref<2xf32>) -> ()
  return
}

// -----

// A runtime declaration of another signature is an error.
func.func private @ltc_mlir_k_f32(i64)
func.func private @ltc_mlir_k_f32.memrefs(memref<?xf32, strided<[?], offset: ?>>) attributes {ltc.kernel_call = "ltc_mlir_k_f32"}
func.func @mismatch(%a: memref<?xf32, strided<[?], offset: ?>>) {
  // expected-error @+1 {{runtime kernel @ltc_mlir_k_f32 is already declared as '(i64) -> ()', not '(i64, i64, i64) -> ()'}}
  call @ltc_mlir_k_f32.memrefs(%a) : (memref<?xf32, strided<[?], offset: ?>>) -> ()
  return
}
