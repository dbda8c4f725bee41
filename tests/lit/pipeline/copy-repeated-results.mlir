// RUN: ltc-mlir-opt %s -split-input-file -ltc-copy-repeated-results | FileCheck %s

// An allocation and an argument, each returned twice: the second return of
// each is a fresh copy.
// CHECK-LABEL: func.func @repeats(
// CHECK-SAME: %[[ARG:.*]]: memref<4x8xf32>)
// CHECK: %[[ALLOC:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK: %[[COPY0:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
// CHECK: memref.copy %[[ALLOC]], %[[COPY0]]
// CHECK: %[[COPY1:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
// CHECK: memref.copy %[[ARG]], %[[COPY1]]
// CHECK: return %[[ALLOC]], %[[ARG]], %[[COPY0]], %[[COPY1]]
func.func @repeats(%a: memref<4x8xf32>) -> (memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>) {
  %0 = memref.alloc() : memref<4x8xf32>
  return %0, %a, %0, %a : memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>
}

// -----

// Three returns of one value: two copies.
// CHECK-LABEL: func.func @thrice(
// CHECK-COUNT-2: memref.copy %{{.*}}, %{{.*}} : memref<f64> to memref<f64>
// CHECK-NOT: memref.copy
// CHECK: return
func.func @thrice(%a: memref<f64>) -> (memref<f64>, memref<f64>, memref<f64>) {
  return %a, %a, %a : memref<f64>, memref<f64>, memref<f64>
}

// -----

// Dynamic sizes are taken from the source.
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: %[[ARG:.*]]: memref<?x3xi64>)
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[DIM:.*]] = memref.dim %[[ARG]], %[[C0]]
// CHECK: %[[COPY:.*]] = memref.alloc(%[[DIM]]) {alignment = 64 : i64} : memref<?x3xi64>
// CHECK: memref.copy %[[ARG]], %[[COPY]]
// CHECK: return %[[ARG]], %[[COPY]]
func.func @dynamic(%a: memref<?x3xi64>) -> (memref<?x3xi64>, memref<?x3xi64>) {
  return %a, %a : memref<?x3xi64>, memref<?x3xi64>
}

// -----

// Distinct values, scalars, tensors and strided views are left alone.
// CHECK-LABEL: func.func @untouched(
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: return
func.func @untouched(%a: memref<4xf32>, %b: memref<4xf32>, %s: f32, %t: tensor<4xf32>,
                     %v: memref<2xf32, strided<[2]>>)
    -> (memref<4xf32>, memref<4xf32>, f32, f32, tensor<4xf32>, tensor<4xf32>,
        memref<2xf32, strided<[2]>>, memref<2xf32, strided<[2]>>) {
  return %a, %b, %s, %s, %t, %t, %v, %v : memref<4xf32>, memref<4xf32>, f32, f32, tensor<4xf32>, tensor<4xf32>,
         memref<2xf32, strided<[2]>>, memref<2xf32, strided<[2]>>
}
