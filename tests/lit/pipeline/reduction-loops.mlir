// RUN: ltc-mlir-opt %s -ltc-reduction-loops | FileCheck %s

// The annotation that keeps LLVM's loop vectorizer off a strip's loop.
// CHECK-DAG: #{{.*}} = #llvm.loop_vectorize<disable = true>
// CHECK-DAG: #{{.*}} = #llvm.loop_unroll<disable = true>

// A row reduction with two outputs: the reduction loop carries both
// accumulators; each output element is loaded once and stored once.
// CHECK-DAG: #[[NOVEC:.*]] = #llvm.loop_annotation<vectorize = #{{.*}}>
// CHECK-DAG: #[[ROLLED:.*]] = #llvm.loop_annotation<unroll = #{{.*}}>
// CHECK-LABEL: func.func @row_sums
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-DAG: %[[A0:.*]] = memref.load %arg1[%[[I]]]
// CHECK-DAG: %[[B0:.*]] = memref.load %arg2[%[[I]]]
// CHECK: %[[R:.*]]:2 = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[A:.*]] = %[[A0]], %[[B:.*]] = %[[B0]]) -> (f32, f32) {
// CHECK: %[[X:.*]] = memref.load %arg0[%[[I]], %[[K]]]
// CHECK: %[[M:.*]] = arith.mulf %[[X]], %[[X]]
// CHECK: %[[S:.*]] = arith.addf %[[A]], %[[M]]
// CHECK: %[[T:.*]] = arith.addf %[[B]], %[[X]]
// CHECK: scf.yield %[[S]], %[[T]] : f32, f32
// CHECK-NOT: loop_annotation
// CHECK: memref.store %[[R]]#0, %arg1[%[[I]]]
// CHECK: memref.store %[[R]]#1, %arg2[%[[I]]]
// CHECK-NOT: linalg.generic
func.func @row_sums(%x: memref<8x32xf32>, %sq: memref<8xf32>, %sum: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x32xf32>) outs(%sq, %sum : memref<8xf32>, memref<8xf32>) {
  ^bb0(%a: f32, %acc0: f32, %acc1: f32):
    %m = arith.mulf %a, %a : f32
    %s = arith.addf %acc0, %m : f32
    %t = arith.addf %acc1, %a : f32
    linalg.yield %s, %t : f32, f32
  }
  return
}

// A column sum (innermost loop parallel): strips of 16 columns, the row loop
// carrying 16 accumulators with LLVM's loop vectorizer off (the lanes are the
// vector). linalg.index follows the lanes.
// CHECK-LABEL: func.func @column_sums
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[C64:.*]] step %[[C16:.*]] {
// CHECK-COUNT-16: memref.load %arg1
// CHECK: scf.for %[[I:.*]] = {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK: memref.load %arg0[%[[I]], %[[J]]]
// CHECK: %[[J1:.*]] = arith.addi %[[J]], %{{.*}} : index
// CHECK: memref.load %arg0[%[[I]], %[[J1]]]
// CHECK: arith.index_cast %[[J1]]
// CHECK: } {loop_annotation = #[[NOVEC]]}
// CHECK-COUNT-16: memref.store
// CHECK-NOT: linalg.generic
func.func @column_sums(%x: memref<32x64xf32>, %out: memref<64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<32x64xf32>) outs(%out : memref<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i64
    %jf = arith.sitofp %ji : i64 to f32
    %m = arith.mulf %a, %jf : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// A parallel loop whose extent has no divisor between 4 and 16 is left to
// convert-linalg-to-loops.
// CHECK-LABEL: func.func @odd_columns
// CHECK: linalg.generic
func.func @odd_columns(%x: memref<32x37xf32>, %out: memref<37xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<32x37xf32>) outs(%out : memref<37xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  return
}

// An output that is a view of an input's buffer: left alone.
// CHECK-LABEL: func.func @aliased
// CHECK: linalg.generic
func.func @aliased(%x: memref<8x32xf32>) {
  %row = memref.subview %x[0, 0] [1, 8] [1, 1] : memref<8x32xf32> to memref<8xf32, strided<[1]>>
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x32xf32>) outs(%row : memref<8xf32, strided<[1]>>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  return
}

// Elementwise ops are not reductions: left alone.
// CHECK-LABEL: func.func @elementwise
// CHECK: linalg.generic
func.func @elementwise(%x: memref<8xf32>, %y: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]}
      ins(%x : memref<8xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  }
  return
}

// Two reduction loops (a bias gradient over rows of 28): the inner one stays
// a loop (LLVM would otherwise unroll it fully and vectorize the outer one
// with gathers).
// CHECK-LABEL: func.func @plane_sums
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.for {{.*}} iter_args
// CHECK: memref.load %arg0
// CHECK: scf.yield
// CHECK-NEXT: } {loop_annotation = #[[ROLLED]]}
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: memref.store
func.func @plane_sums(%x: memref<8x28x28xf32>, %out: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(c, h, w) -> (c, h, w)>, affine_map<(c, h, w) -> (c)>],
                  iterator_types = ["parallel", "reduction", "reduction"]}
      ins(%x : memref<8x28x28xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  return
}
