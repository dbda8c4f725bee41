// RUN: ltc-mlir-opt %s -split-input-file -ltc-parallelize-loops="min-work=1024 max-tiles=8" | FileCheck %s
// RUN: ltc-mlir-opt %s -split-input-file -ltc-parallelize-loops="min-work=1024 max-tiles=8" -ltc-linalg-to-llvm | FileCheck %s --check-prefix=LLVM

// An elementwise op over 64x32: tiled by 8 rows along d0 into 8 tiles; the
// memrefs travel as descriptors in a stack struct, the scalar constant is
// cloned into the body, which runs tiles [begin, end).
// CHECK: func.func private @ltc_mlir_parallel_for((!llvm.ptr, i64, i64) -> (), !llvm.ptr, i64)
// CHECK-LABEL: func.func @add_scalar(
// CHECK-SAME: %[[A:.*]]: memref<64x32xf32>, %[[B:.*]]: memref<64x32xf32>)
// CHECK: %[[SLOT:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK-NOT: linalg.generic
// CHECK: builtin.unrealized_conversion_cast %[[A]] : memref<64x32xf32> to !llvm.struct
// CHECK: builtin.unrealized_conversion_cast %[[B]] : memref<64x32xf32> to !llvm.struct
// CHECK: llvm.store %{{.*}}, %[[SLOT]]
// CHECK: %[[FN:.*]] = constant @add_scalar_parallel_0 : (!llvm.ptr, i64, i64) -> ()
// CHECK: %[[N:.*]] = arith.constant 8 : i64
// CHECK: call @ltc_mlir_parallel_for(%[[FN]], %[[SLOT]], %[[N]])
// CHECK-NOT: linalg.generic
// CHECK: return
// CHECK: func.func private @add_scalar_parallel_0(%[[CTX:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64) attributes {llvm.linkage = #llvm.linkage<internal>}
// CHECK: llvm.load %[[CTX]]
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<64x32xf32>
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK: %[[SIZE:.*]] = arith.constant 8 : index
// CHECK: %[[LO:.*]] = arith.muli %{{.*}}, %[[SIZE]] : index
// CHECK: %[[HI:.*]] = arith.minsi
// CHECK: scf.for %{{.*}} = %[[LO]] to %[[HI]] step %[[SIZE]]
// CHECK: memref.subview {{.*}} to memref<8x32xf32, strided<[32, 1], offset: ?>>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : memref<8x32xf32, strided<[32, 1], offset: ?>>)

// After the whole pipeline: the body is an internal LLVM function whose
// address is the first argument of the call.
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.func internal @add_scalar(
// LLVM: %[[FN:.*]] = llvm.mlir.addressof @add_scalar_parallel_0 : !llvm.ptr
// LLVM: llvm.call @ltc_mlir_parallel_for(%[[FN]],
// LLVM: llvm.func internal @add_scalar_parallel_0(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.func @ltc_graph_entry(
func.func @add_scalar(%a: memref<64x32xf32>, %b: memref<64x32xf32>) {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<64x32xf32>) outs(%b : memref<64x32xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %two : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Too little work stays a serial op.
// CHECK-LABEL: func.func @small(
// CHECK-NOT: ltc_mlir_parallel_for
// CHECK: linalg.generic
func.func @small(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A column reduction with the reduction loop outermost: the tiles split the
// parallel d1 (the only loop every output indexes), 48 columns into tiles of
// 16 (8 tiles of 6 would be asked for, but tiles of the innermost loop span
// at least 16 elements): 3 tiles.
// CHECK-LABEL: func.func @column_sum(
// CHECK: %[[TILES:.*]] = arith.constant 3 : i64
// CHECK: call @ltc_mlir_parallel_for(%{{.*}}, %{{.*}}, %[[TILES]])
// CHECK: func.func private @column_sum_parallel_0(
// CHECK: %[[SIZE:.*]] = arith.constant 16 : index
// CHECK: scf.for %[[IV:.*]] = %{{.*}} to %{{.*}} step %[[SIZE]]
// CHECK: memref.subview %{{.*}}[0, %[[IV]]] [64, 16] [1, 1]
// CHECK: memref.subview %{{.*}}[%[[IV]]] [16] [1]
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
func.func @column_sum(%a: memref<64x48xf32>, %b: memref<48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(k, j) -> (k, j)>, affine_map<(k, j) -> (j)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%a : memref<64x48xf32>) outs(%b : memref<48xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// An op inside a loop is left alone: parallel regions do not nest.
// CHECK-LABEL: func.func @nested(
// CHECK-NOT: ltc_mlir_parallel_for
// CHECK: scf.for
// CHECK: linalg.generic
func.func @nested(%a: memref<64x32xf32>, %b: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                    iterator_types = ["parallel", "parallel"]}
        ins(%a : memref<64x32xf32>) outs(%b : memref<64x32xf32>) {
    ^bb0(%x: f32, %y: f32):
      %s = math.exp %x : f32
      linalg.yield %s : f32
    }
  }
  return
}
