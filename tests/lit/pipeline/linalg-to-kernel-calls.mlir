// RUN: ltc-mlir-opt %s -split-input-file -ltc-linalg-to-kernel-calls | FileCheck %s

// A matmul whose output was just zero-filled: one sgemm call that overwrites
// (last argument 0), the fill gone; strides come from the descriptors.
// CHECK: func.func private @ltc_mlir_sgemm(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @matmul_fill(
// CHECK-NOT: linalg.fill
// CHECK: memref.extract_strided_metadata
// CHECK: call @ltc_mlir_sgemm(%c1_i64, %c3_i64, %c7_i64, %c5_i64, {{.*}}, %c0_i64{{[_0-9]*}}) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
// CHECK-NOT: linalg.matmul
func.func @matmul_fill(%a: memref<3x5xf32>, %b: memref<5x7xf32>, %c: memref<3x7xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<3x7xf32>)
  linalg.matmul ins(%a, %b : memref<3x5xf32>, memref<5x7xf32>) outs(%c : memref<3x7xf32>)
  return
}

// -----

// A generic with a transposed right operand and a batch dimension that the
// left operand lacks (broadcast): accumulates (last argument 1), batch 4.
// CHECK-LABEL: func.func @batch_generic(
// CHECK: call @ltc_mlir_sgemm(%c4_i64, %c6_i64, %c5_i64, %c8_i64, {{.*}}, %c1_i64{{[_0-9]*}}) :
// CHECK-NOT: linalg.generic
#a = affine_map<(b, m, n, k) -> (m, k)>
#b = affine_map<(b, m, n, k) -> (b, n, k)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @batch_generic(%a: memref<6x8xf32>, %b: memref<4x5x8xf32>, %c: memref<4x6x5xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<6x8xf32>, memref<4x5x8xf32>) outs(%c : memref<4x6x5xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A weight gradient over [batch, seq] rows: two k loops, contiguous in both
// inputs, collapse into one k of 6 (stride 4 in the left operand, 5 in the
// right).
// CHECK-LABEL: func.func @two_k_loops(
// CHECK: call @ltc_mlir_sgemm(%c1_i64, %c4_i64, %c5_i64, %c6_i64, %{{[0-9]+}}, %{{[0-9]+}}, %c0_i64, %{{[0-9]+}}, %c4_i64_{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %c0_i64_{{[0-9]+}}, %c5_i64_{{[0-9]+}},
// CHECK-NOT: linalg.generic
#a = affine_map<(i, j, b, s) -> (b, s, i)>
#b = affine_map<(i, j, b, s) -> (b, s, j)>
#c = affine_map<(i, j, b, s) -> (i, j)>
func.func @two_k_loops(%a: memref<2x3x4xf32>, %b: memref<2x3x5xf32>, %c: memref<4x5xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<2x3x4xf32>, memref<2x3x5xf32>) outs(%c : memref<4x5xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Attention scores with [batch, heads] in front: the two batch loops
// collapse into one batch of 6.
// CHECK-LABEL: func.func @two_batch_loops(
// CHECK: call @ltc_mlir_sgemm(%c6_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c5_i64{{[_0-9]*}},
// CHECK-NOT: linalg.generic
#a = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#b = affine_map<(b, h, m, n, k) -> (b, h, n, k)>
#c = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
func.func @two_batch_loops(%a: memref<2x3x4x5xf32>, %b: memref<2x3x4x5xf32>, %c: memref<2x3x4x4xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x3x4x5xf32>, memref<2x3x4x5xf32>) outs(%c : memref<2x3x4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Two k loops that are not nested contiguously in the left operand (a
// column slice of a wider buffer): no single stride walks them, untouched.
// CHECK-LABEL: func.func @k_loops_not_contiguous(
// CHECK: linalg.generic
// CHECK-NOT: call
#a = affine_map<(i, j, b, s) -> (b, s, i)>
#b = affine_map<(i, j, b, s) -> (b, s, j)>
#c = affine_map<(i, j, b, s) -> (i, j)>
func.func @k_loops_not_contiguous(%a: memref<2x3x4xf32, strided<[32, 8, 1]>>, %b: memref<2x3x5xf32>, %c: memref<4x5xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<2x3x4xf32, strided<[32, 8, 1]>>, memref<2x3x5xf32>) outs(%c : memref<4x5xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not a plain product (an extra op in the body) and not f32: untouched.
// CHECK-LABEL: func.func @not_kernels(
// CHECK: linalg.generic
// CHECK: linalg.matmul
// CHECK-NOT: call
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @not_kernels(%a: memref<3x5xf32>, %b: memref<5x7xf32>, %c: memref<3x7xf32>,
                       %ia: memref<3x5xi32>, %ib: memref<5x7xi32>, %ic: memref<3x7xi32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x5xf32>, memref<5x7xf32>) outs(%c : memref<3x7xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %e = math.exp %x : f32
    %p = arith.mulf %e, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.matmul ins(%ia, %ib : memref<3x5xi32>, memref<5x7xi32>) outs(%ic : memref<3x7xi32>)
  return
}

// -----

// A strided convolution: one call with the sizes, strides, dilations and no
// padding.
// CHECK: func.func private @ltc_mlir_conv2d_nchw(
// CHECK-LABEL: func.func @conv(
// CHECK: call @ltc_mlir_conv2d_nchw(%c2_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c9_i64{{[_0-9]*}}, %c9_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %{{[0-9]+}},
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv(%in: memref<2x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %out: memref<2x4x4x4xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%out : memref<2x4x4x4xf32>)
  return
}

// -----

// A zero fill of the output just before the convolution goes: the call
// overwrites (its last argument, accumulate, is 0). Without the fill it
// accumulates (1).
// CHECK-LABEL: func.func @conv_into_zeros(
// CHECK-NOT: linalg.fill
// CHECK: call @ltc_mlir_conv2d_nchw({{(%[a-z0-9_]+, )+}}%c0_i64{{[_0-9]*}})
// CHECK: call @ltc_mlir_conv2d_nchw({{(%[a-z0-9_]+, )+}}%c1_i64{{[_0-9]*}})
func.func @conv_into_zeros(%in: memref<2x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %out: memref<2x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<2x4x4x4xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%out : memref<2x4x4x4xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%out : memref<2x4x4x4xf32>)
  return
}

// -----

// One zero buffer initializing several convolutions (bufferization: a fill,
// a copy into each output, the last convolution writing the buffer itself).
// The copies go and both calls overwrite; the fill stays for the last one,
// which accumulates into it as before.
// CHECK-LABEL: func.func @conv_into_copied_zeros(
// CHECK: linalg.generic
// CHECK-NOT: memref.copy
// CHECK: call @ltc_mlir_conv2d_nchw({{(%[a-z0-9_]+, )+}}%c0_i64{{[_0-9]*}})
// CHECK-NOT: memref.copy
// CHECK: call @ltc_mlir_conv2d_nchw({{(%[a-z0-9_]+, )+}}%c0_i64{{[_0-9]*}})
// CHECK: call @ltc_mlir_conv2d_nchw({{(%[a-z0-9_]+, )+}}%c1_i64{{[_0-9]*}})
func.func @conv_into_copied_zeros(%in: memref<2x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %a: memref<2x4x4x4xf32>, %b: memref<2x4x4x4xf32>) -> memref<2x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %zeros = memref.alloc() : memref<2x4x4x4xf32>
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%zeros : memref<2x4x4x4xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  }
  memref.copy %zeros, %a : memref<2x4x4x4xf32> to memref<2x4x4x4xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%a : memref<2x4x4x4xf32>)
  memref.copy %zeros, %b : memref<2x4x4x4xf32> to memref<2x4x4x4xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%b : memref<2x4x4x4xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%zeros : memref<2x4x4x4xf32>)
  return %zeros : memref<2x4x4x4xf32>
}

// -----

// The zero buffer is written before the copy: the copy stays, and the
// convolution accumulates.
// CHECK-LABEL: func.func @conv_into_copied_nonzeros(
// CHECK: memref.copy
// CHECK: call @ltc_mlir_conv2d_nchw({{(%[a-z0-9_]+, )+}}%c1_i64{{[_0-9]*}})
func.func @conv_into_copied_nonzeros(%in: memref<2x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %a: memref<2x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %zeros = memref.alloc() : memref<2x4x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%zeros : memref<2x4x4x4xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%zeros : memref<2x4x4x4xf32>)
  memref.copy %zeros, %a : memref<2x4x4x4xf32> to memref<2x4x4x4xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%a : memref<2x4x4x4xf32>)
  memref.dealloc %zeros : memref<2x4x4x4xf32>
  return
}

// -----

// A padded copy read only by convolutions: its interior gets a compact
// buffer that the copy writes, the zero fill and the padded buffer go, and
// both calls read the compact buffer (8x8) with padding 1, 1.
// CHECK-LABEL: func.func @padded_input(
// CHECK-NOT: linalg.map
// CHECK: %[[COMPACT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x3x8x8xf32>
// CHECK-NOT: memref.subview
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3x8x8xf32>) outs(%[[COMPACT]] : memref<2x3x8x8xf32>)
// CHECK: memref.extract_aligned_pointer_as_index %[[COMPACT]]
// CHECK: call @ltc_mlir_conv2d_nchw(%c2_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}},
// CHECK: memref.extract_aligned_pointer_as_index %[[COMPACT]]
// CHECK: call @ltc_mlir_conv2d_nchw(%c2_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}},
// CHECK: memref.dealloc %[[COMPACT]]
// CHECK-NOT: memref.alloc
func.func @padded_input(%x: memref<2x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %out: memref<2x4x8x8xf32>, %out2: memref<2x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %pad = memref.alloc() {alignment = 64 : i64} : memref<2x3x10x10xf32>
  linalg.map outs(%pad : memref<2x3x10x10xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %pad[0, 0, 1, 1] [2, 3, 8, 8] [1, 1, 1, 1] : memref<2x3x10x10xf32> to memref<2x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  linalg.copy ins(%x : memref<2x3x8x8xf32>) outs(%interior : memref<2x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%pad, %w : memref<2x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%out : memref<2x4x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%pad, %w : memref<2x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%out2 : memref<2x4x4x4xf32>)
  memref.dealloc %pad : memref<2x3x10x10xf32>
  return
}

// -----

// A padded copy that another op also reads keeps its padding: the call
// reads the 10x10 buffer with padding 0, 0.
// CHECK-LABEL: func.func @padded_input_read_elsewhere(
// CHECK: linalg.map
// CHECK: memref.subview
// CHECK: call @ltc_mlir_conv2d_nchw(%c2_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c10_i64{{[_0-9]*}}, %c10_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %{{[0-9]+}},
func.func @padded_input_read_elsewhere(%x: memref<2x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %out: memref<2x4x8x8xf32>, %copy: memref<2x3x10x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %pad = memref.alloc() {alignment = 64 : i64} : memref<2x3x10x10xf32>
  linalg.map outs(%pad : memref<2x3x10x10xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %pad[0, 0, 1, 1] [2, 3, 8, 8] [1, 1, 1, 1] : memref<2x3x10x10xf32> to memref<2x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  linalg.copy ins(%x : memref<2x3x8x8xf32>) outs(%interior : memref<2x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%pad, %w : memref<2x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%out : memref<2x4x8x8xf32>)
  linalg.copy ins(%pad : memref<2x3x10x10xf32>) outs(%copy : memref<2x3x10x10xf32>)
  memref.dealloc %pad : memref<2x3x10x10xf32>
  return
}

// -----

// Padding with another value (here -inf) is not zero padding: kept.
// CHECK-LABEL: func.func @padded_with_minus_inf(
// CHECK: linalg.fill
// CHECK: call @ltc_mlir_conv2d_nchw(%c2_i64, %c3_i64, %c10_i64, %c10_i64
func.func @padded_with_minus_inf(%x: memref<2x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %out: memref<2x4x8x8xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %pad = memref.alloc() {alignment = 64 : i64} : memref<2x3x10x10xf32>
  linalg.fill ins(%ninf : f32) outs(%pad : memref<2x3x10x10xf32>)
  %interior = memref.subview %pad[0, 0, 1, 1] [2, 3, 8, 8] [1, 1, 1, 1] : memref<2x3x10x10xf32> to memref<2x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  linalg.copy ins(%x : memref<2x3x8x8xf32>) outs(%interior : memref<2x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%pad, %w : memref<2x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%out : memref<2x4x8x8xf32>)
  memref.dealloc %pad : memref<2x3x10x10xf32>
  return
}
