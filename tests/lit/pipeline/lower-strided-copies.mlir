// RUN: ltc-mlir-opt %s -ltc-lower-strided-copies | FileCheck %s

// CHECK-LABEL: func.func @strided
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32, strided<[8, 2], offset: 10>>) outs(%{{.*}} : memref<2x3xf32>)
// CHECK-NOT: memref.copy
func.func @strided(%a: memref<4x8xf32>, %out: memref<2x3xf32>) {
  %s = memref.subview %a[1, 2] [2, 3] [1, 2] : memref<4x8xf32> to memref<2x3xf32, strided<[8, 2], offset: 10>>
  memref.copy %s, %out : memref<2x3xf32, strided<[8, 2], offset: 10>> to memref<2x3xf32>
  return
}

// Identity layouts lower to llvm.memcpy later: unchanged.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
func.func @contiguous(%a: memref<4x8xf32>, %out: memref<4x8xf32>) {
  memref.copy %a, %out : memref<4x8xf32> to memref<4x8xf32>
  return
}
