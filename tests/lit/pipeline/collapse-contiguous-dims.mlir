// RUN: ltc-mlir-opt %s -split-input-file -ltc-collapse-contiguous-dims | FileCheck %s

// Batch norm and ReLU over 7x7 planes: H and W are contiguous in the input
// and the output and absent from the per-channel operands, so the op runs
// one loop over the 49 positions of each plane.
// CHECK-LABEL: func.func @per_channel_affine
// CHECK-DAG: %[[X:.*]] = memref.collapse_shape %arg0 {{\[\[}}0], [1], [2, 3]] : memref<2x4x7x7xf32> into memref<2x4x49xf32>
// CHECK-DAG: %[[Y:.*]] = memref.collapse_shape %arg2 {{\[\[}}0], [1], [2, 3]] : memref<2x4x7x7xf32> into memref<2x4x49xf32>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %arg1 : memref<2x4x49xf32>, memref<4xf32>)
// CHECK-SAME: outs(%[[Y]] : memref<2x4x49xf32>)
func.func @per_channel_affine(%x: memref<2x4x7x7xf32>, %scale: memref<4xf32>,
                              %y: memref<2x4x7x7xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {
      indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>,
                       affine_map<(n, c, h, w) -> (c)>,
                       affine_map<(n, c, h, w) -> (n, c, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %scale : memref<2x4x7x7xf32>, memref<4xf32>)
      outs(%y : memref<2x4x7x7xf32>) {
  ^bb0(%a: f32, %s: f32, %out: f32):
    %m = arith.mulf %a, %s : f32
    %r = arith.maximumf %m, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Every dimension contiguous everywhere: one loop.
// CHECK-LABEL: func.func @dense_add
// CHECK: memref.collapse_shape %arg0 {{\[\[}}0, 1, 2]] : memref<3x5x6xf32> into memref<90xf32>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel"]
func.func @dense_add(%a: memref<3x5x6xf32>, %b: memref<3x5x6xf32>,
                     %c: memref<3x5x6xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>,
                       affine_map<(i, j, k) -> (i, j, k)>,
                       affine_map<(i, j, k) -> (i, j, k)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a, %b : memref<3x5x6xf32>, memref<3x5x6xf32>)
      outs(%c : memref<3x5x6xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The output is a view whose rows are not adjacent (the interior of a
// padded buffer): its H and W cannot merge, and the op stays as it is.
// CHECK-LABEL: func.func @strided_output
// CHECK-NOT: memref.collapse_shape
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
func.func @strided_output(%x: memref<1x2x7x7xf32>,
                          %padded: memref<1x2x9x9xf32>) {
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 2, 7, 7] [1, 1, 1, 1]
      : memref<1x2x9x9xf32> to memref<1x2x7x7xf32, strided<[162, 81, 9, 1], offset: 10>>
  linalg.generic {
      indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>,
                       affine_map<(n, c, h, w) -> (n, c, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x2x7x7xf32>)
      outs(%interior : memref<1x2x7x7xf32, strided<[162, 81, 9, 1], offset: 10>>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  }
  return
}

// -----

// A transposed operand: W of the input is H of the output, so no run of
// loops ending innermost is contiguous in both; left alone.
// CHECK-LABEL: func.func @transposed
// CHECK-NOT: memref.collapse_shape
func.func @transposed(%x: memref<2x3x8x8xf32>, %y: memref<2x3x8x8xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(n, c, h, w) -> (n, c, w, h)>,
                       affine_map<(n, c, h, w) -> (n, c, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<2x3x8x8xf32>) outs(%y : memref<2x3x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  }
  return
}

// -----

// Left alone: rows long enough to vectorize on their own, and a fill (no
// inputs), which the kernel calls match as it is.
// CHECK-LABEL: func.func @long_rows_and_fill
// CHECK-NOT: memref.collapse_shape
func.func @long_rows_and_fill(%x: memref<4x256xf32>, %y: memref<4x256xf32>,
                              %z: memref<2x7x7xf32>) {
  linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>,
                       affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x256xf32>) outs(%y : memref<4x256xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.generic {
      indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%z : memref<2x7x7xf32>) {
  ^bb0(%out: f32):
    linalg.yield %zero : f32
  }
  return
}

// -----

// ReLU run in place: input and output are one buffer, and stay one view,
// so that the loop loads and stores through one pointer.
// CHECK-LABEL: func.func @in_place
// CHECK: %[[V:.*]] = memref.collapse_shape %arg0 {{\[\[}}0, 1, 2, 3]] : memref<2x4x7x7xf32> into memref<392xf32>
// CHECK-NOT: memref.collapse_shape
// CHECK: ins(%[[V]] : memref<392xf32>) outs(%[[V]] : memref<392xf32>)
func.func @in_place(%x: memref<2x4x7x7xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {
      indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>,
                       affine_map<(n, c, h, w) -> (n, c, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<2x4x7x7xf32>) outs(%x : memref<2x4x7x7xf32>) {
  ^bb0(%a: f32, %out: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  }
  return
}
