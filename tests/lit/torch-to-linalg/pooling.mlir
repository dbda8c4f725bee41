// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file -verify-diagnostics | FileCheck %s
// RUN: ltc-mlir-opt %s -convert-torch-to-linalg="pooling-kernels=false" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=LINALG

// Element types without a runtime kernel (here f16): one generic computes the max and its flat index h * W + w (W = 9) over a
// -inf padded input; a window position is taken if inside the input and
// first, greater, or NaN.
// CHECK-DAG:   #[[$IN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG:   #[[$WIN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG:   #[[$OUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @max_pool2d_with_indices(
// CHECK-SAME:      %[[X:.*]]: tensor<1x2x7x9xf16>) -> (tensor<1x2x4x5xf16>, tensor<1x2x4x5xi64>)
// CHECK:         %[[NEGINF:.*]] = arith.constant 0xFC00 : f16
// CHECK:         %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:           tensor.yield %[[NEGINF]] : f16
// CHECK:         %[[WINDOW:.*]] = tensor.empty() : tensor<3x3xf16>
// CHECK:         %[[VINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f16) outs(%{{.*}} : tensor<1x2x4x5xf16>)
// CHECK:         %[[MINUS1:.*]] = arith.constant -1 : i64
// CHECK:         %[[IINIT:.*]] = linalg.fill ins(%[[MINUS1]] : i64) outs(%{{.*}} : tensor<1x2x4x5xi64>)
// CHECK:         %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[$IN]], #[[$WIN]], #[[$OUT]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PAD]], %[[WINDOW]] : tensor<1x2x9x11xf16>, tensor<3x3xf16>) outs(%[[VINIT]], %[[IINIT]] : tensor<1x2x4x5xf16>, tensor<1x2x4x5xi64>)
// CHECK-NEXT:    ^bb0(%[[V:.*]]: f16, %{{.*}}: f16, %[[MAX:.*]]: f16, %[[IDX:.*]]: i64):
// CHECK:           %[[ROWOFF:.*]] = arith.muli %{{.*}}, %{{c9_i64[_0-9]*}} : i64
// CHECK:           %[[FLAT:.*]] = arith.addi %[[ROWOFF]], %{{.*}} : i64
// CHECK:           %[[FIRST:.*]] = arith.cmpi slt, %[[IDX]], %{{.*}} : i64
// CHECK:           %[[GT:.*]] = arith.cmpf ogt, %[[V]], %[[MAX]] : f16
// CHECK:           %[[NAN:.*]] = arith.cmpf uno, %[[V]], %[[V]] : f16
// CHECK:           %[[BETTER:.*]] = arith.ori %[[GT]], %[[NAN]] : i1
// CHECK:           %[[WANT:.*]] = arith.ori %[[FIRST]], %[[BETTER]] : i1
// CHECK:           %[[TAKE:.*]] = arith.andi %{{.*}}, %[[WANT]] : i1
// CHECK:           %[[NV:.*]] = arith.select %[[TAKE]], %[[V]], %[[MAX]] : f16
// CHECK:           %[[NI:.*]] = arith.select %[[TAKE]], %[[FLAT]], %[[IDX]] : i64
// CHECK:           linalg.yield %[[NV]], %[[NI]] : f16, i64
// CHECK:         return %[[R]]#0, %[[R]]#1
func.func @max_pool2d_with_indices(%x: !torch.vtensor<[1,2,7,9],f16>) -> (!torch.vtensor<[1,2,4,5],f16>, !torch.vtensor<[1,2,4,5],si64>) {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int3, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0:2 = torch.aten.max_pool2d_with_indices %x, %k, %s, %p, %d, %false : !torch.vtensor<[1,2,7,9],f16>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,2,4,5],f16>, !torch.vtensor<[1,2,4,5],si64>
  return %0#0, %0#1 : !torch.vtensor<[1,2,4,5],f16>, !torch.vtensor<[1,2,4,5],si64>
}

// -----

// Indices nobody reads (inference): a plain maximumf over the -inf padded
// input, no index arithmetic, no second output.
// CHECK-LABEL: func.func @max_pool2d_values_only(
// CHECK:         tensor.pad
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x4x5xf32>)
// CHECK-NEXT:    ^bb0(%[[V:.*]]: f32, %{{.*}}: f32, %[[MAX:.*]]: f32):
// CHECK-NEXT:      %[[M:.*]] = arith.maximumf %[[V]], %[[MAX]] : f32
// CHECK-NEXT:      linalg.yield %[[M]] : f32
// CHECK-NOT:     arith.cmpi
// CHECK:         return %[[R]]
func.func @max_pool2d_values_only(%x: !torch.vtensor<[1,2,7,9],f32>) -> !torch.vtensor<[1,2,4,5],f32> {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int3, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0:2 = torch.aten.max_pool2d_with_indices %x, %k, %s, %p, %d, %false : !torch.vtensor<[1,2,7,9],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,2,4,5],f32>, !torch.vtensor<[1,2,4,5],si64>
  return %0#0 : !torch.vtensor<[1,2,4,5],f32>
}

// -----

// f16 again. Without padding there is no pad and no bounds check; an empty stride
// defaults to the kernel size; a 3-d input has one batch dim.
// CHECK-DAG:   #[[$IN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 * 2 + d3, d2 * 2 + d4)>
// CHECK-LABEL: func.func @max_pool2d_unbatched(
// CHECK-NOT:     tensor.pad
// CHECK:         linalg.generic {indexing_maps = [#[[$IN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-NOT:       arith.cmpi sge
// CHECK:           linalg.yield
func.func @max_pool2d_unbatched(%x: !torch.vtensor<[3,8,8],f16>) -> (!torch.vtensor<[3,4,4],f16>, !torch.vtensor<[3,4,4],si64>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct : () -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0:2 = torch.aten.max_pool2d_with_indices %x, %k, %s, %p, %d, %false : !torch.vtensor<[3,8,8],f16>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[3,4,4],f16>, !torch.vtensor<[3,4,4],si64>
  return %0#0, %0#1 : !torch.vtensor<[3,4,4],f16>, !torch.vtensor<[3,4,4],si64>
}

// -----

// f16: the backward iterates over input positions and kernel offsets, finds the
// covering window (oh * 2 = h + 1 - kh, exact and in range) and adds its
// gradient if its argmax is this position.
// CHECK-DAG:   #[[$WIN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG:   #[[$OUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @max_pool2d_with_indices_backward(
// CHECK-SAME:      %[[GO:.*]]: tensor<1x2x4x5xf16>, %{{.*}}: tensor<1x2x7x9xf16>, %[[IDX:.*]]: tensor<1x2x4x5xi64>)
// CHECK:         linalg.generic {indexing_maps = [#[[$WIN]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<3x3xf16>) outs(%{{.*}} : tensor<1x2x7x9xf16>)
// CHECK:           arith.divui
// CHECK:           arith.remui
// CHECK:           %[[ARGMAX:.*]] = tensor.extract %[[IDX]][
// CHECK:           %[[G:.*]] = tensor.extract %[[GO]][
// CHECK:           %[[HERE:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK:           %[[SAME:.*]] = arith.cmpi eq, %[[ARGMAX]], %[[HERE]] : i64
// CHECK:           %[[HIT:.*]] = arith.andi %{{.*}}, %[[SAME]] : i1
// CHECK:           %[[C:.*]] = arith.select %[[HIT]], %[[G]], %{{.*}} : f16
// CHECK:           %[[SUM:.*]] = arith.addf %{{.*}}, %[[C]] : f16
// CHECK:           linalg.yield %[[SUM]]
func.func @max_pool2d_with_indices_backward(%go: !torch.vtensor<[1,2,4,5],f16>, %x: !torch.vtensor<[1,2,7,9],f16>, %idx: !torch.vtensor<[1,2,4,5],si64>) -> !torch.vtensor<[1,2,7,9],f16> {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int3, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.max_pool2d_with_indices_backward %go, %x, %k, %s, %p, %d, %false, %idx : !torch.vtensor<[1,2,4,5],f16>, !torch.vtensor<[1,2,7,9],f16>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.vtensor<[1,2,4,5],si64> -> !torch.vtensor<[1,2,7,9],f16>
  return %0 : !torch.vtensor<[1,2,7,9],f16>
}

// -----

// f32 with the indices read: a call of the runtime's kernel on the unpadded
// input, with N, C, H, W, OH, OW, KH, KW, stride, padding and dilation as
// constants; values and indices are new buffers the kernel writes.
// CHECK-LABEL: func.func private @ltc_mlir_max_pool2d_with_indices_f32.memrefs(
// CHECK-SAME:      attributes {ltc.kernel_call = "ltc_mlir_max_pool2d_with_indices_f32"}
// Without kernels (modules for mlir-runner) the same op is the generic above.
// LINALG-LABEL: func.func @max_pool2d_kernel(
// LINALG-NOT:     call
// LINALG:         linalg.generic
// LINALG-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-LABEL: func.func @max_pool2d_kernel(
// CHECK-SAME:      %[[X:.*]]: tensor<1x2x7x9xf32>)
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[C7:.*]] = arith.constant 7 : i64
// CHECK-DAG:     %[[C9:.*]] = arith.constant 9 : i64
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : i64
// CHECK-DAG:     %[[C5:.*]] = arith.constant 5 : i64
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : i64
// CHECK-NOT:     tensor.pad
// CHECK:         %[[IN:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK:         %[[VAL:.*]] = memref.alloc() {{.*}} : memref<1x2x4x5xf32>
// CHECK:         %[[IDX:.*]] = memref.alloc() {{.*}} : memref<1x2x4x5xi64>
// CHECK:         call @ltc_mlir_max_pool2d_with_indices_f32.memrefs(%[[C1]], %[[C2]], %[[C7]], %[[C9]], %[[C4]], %[[C5]], %[[C3]], %{{.*}}, %[[C2]]{{.*}}, %[[C2]]{{.*}}, %[[C1]]{{.*}}, %[[C1]]{{.*}}, %[[C1]]{{.*}}, %[[C1]]{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT:     linalg.generic
// CHECK:         %[[V:.*]] = bufferization.to_tensor %[[VAL]] restrict writable
// CHECK:         %[[I:.*]] = bufferization.to_tensor %[[IDX]] restrict writable
// CHECK:         return %[[V]], %[[I]]
func.func @max_pool2d_kernel(%x: !torch.vtensor<[1,2,7,9],f32>) -> (!torch.vtensor<[1,2,4,5],f32>, !torch.vtensor<[1,2,4,5],si64>) {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int3, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0:2 = torch.aten.max_pool2d_with_indices %x, %k, %s, %p, %d, %false : !torch.vtensor<[1,2,7,9],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,2,4,5],f32>, !torch.vtensor<[1,2,4,5],si64>
  return %0#0, %0#1 : !torch.vtensor<[1,2,4,5],f32>, !torch.vtensor<[1,2,4,5],si64>
}

// -----

// A 3-d f64 input is the plane set of one image: expanded to 4-d for the
// kernel, the results collapsed back.
// CHECK-LABEL: func.func @max_pool2d_kernel_unbatched(
// CHECK:         %[[E:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] output_shape [1, 3, 8, 8]
// CHECK:         bufferization.to_buffer %[[E]] read_only
// CHECK:         call @ltc_mlir_max_pool2d_with_indices_f64.memrefs(
// CHECK:         tensor.collapse_shape {{.*}} : tensor<1x3x4x4xf64> into tensor<3x4x4xf64>
// CHECK:         tensor.collapse_shape {{.*}} : tensor<1x3x4x4xi64> into tensor<3x4x4xi64>
func.func @max_pool2d_kernel_unbatched(%x: !torch.vtensor<[3,8,8],f64>) -> (!torch.vtensor<[3,4,4],f64>, !torch.vtensor<[3,4,4],si64>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct : () -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0:2 = torch.aten.max_pool2d_with_indices %x, %k, %s, %p, %d, %false : !torch.vtensor<[3,8,8],f64>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[3,4,4],f64>, !torch.vtensor<[3,4,4],si64>
  return %0#0, %0#1 : !torch.vtensor<[3,4,4],f64>, !torch.vtensor<[3,4,4],si64>
}

// -----

// The f32 backward: the kernel takes the output gradient and the indices and
// writes the whole input gradient (N, C, H, W, OH, OW as constants).
// LINALG-LABEL: func.func @max_pool2d_backward_kernel(
// LINALG-NOT:     call
// LINALG:         linalg.generic
// CHECK-LABEL: func.func @max_pool2d_backward_kernel(
// CHECK-SAME:      %[[GO:.*]]: tensor<1x2x4x5xf32>, %{{.*}}: tensor<1x2x7x9xf32>, %[[IDX:.*]]: tensor<1x2x4x5xi64>)
// CHECK:         bufferization.to_buffer %[[GO]] read_only
// CHECK:         bufferization.to_buffer %[[IDX]] read_only
// CHECK:         %[[GI:.*]] = memref.alloc() {{.*}} : memref<1x2x7x9xf32>
// CHECK:         call @ltc_mlir_max_pool2d_with_indices_backward_f32.memrefs(
// CHECK-NOT:     linalg.generic
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[GI]] restrict writable
// CHECK:         return %[[R]]
func.func @max_pool2d_backward_kernel(%go: !torch.vtensor<[1,2,4,5],f32>, %x: !torch.vtensor<[1,2,7,9],f32>, %idx: !torch.vtensor<[1,2,4,5],si64>) -> !torch.vtensor<[1,2,7,9],f32> {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int3, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.max_pool2d_with_indices_backward %go, %x, %k, %s, %p, %d, %false, %idx : !torch.vtensor<[1,2,4,5],f32>, !torch.vtensor<[1,2,7,9],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.vtensor<[1,2,4,5],si64> -> !torch.vtensor<[1,2,7,9],f32>
  return %0 : !torch.vtensor<[1,2,7,9],f32>
}

// -----

// ceil_mode with count_include_pad=false: per-window divisors become a
// constant tensor; the ceil-mode overhang is padded only on the high side
// when needed (here the windows end inside low+input).
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[$HW:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func.func @avg_pool2d(
// CHECK:         %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[PAD]], %{{.*}} : tensor<1x1x6x6xf32>, tensor<2x2xf32>)
// CHECK:           arith.addf
// CHECK:         %[[DIV:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 2.000000e+00], [2.000000e+00, 4.000000e+00, 4.000000e+00], [2.000000e+00, 4.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK:         %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$HW]], #[[$ID]]], {{.*}} ins(%[[SUM]], %[[DIV]] : tensor<1x1x3x3xf32>, tensor<3x3xf32>)
// CHECK:           arith.divf
// CHECK:         return %[[OUT]]
func.func @avg_pool2d(%x: !torch.vtensor<[1,1,5,5],f32>) -> !torch.vtensor<[1,1,3,3],f32> {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %none = torch.constant.none
  %k = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.avg_pool2d %x, %k, %k, %p, %true, %false, %none : !torch.vtensor<[1,1,5,5],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[1,1,3,3],f32>
  return %0 : !torch.vtensor<[1,1,3,3],f32>
}

// -----

// A uniform divisor is a scalar constant.
// CHECK-LABEL: func.func @avg_pool2d_uniform(
// CHECK:         %[[FOUR:.*]] = arith.constant 4.000000e+00 : f32
// CHECK:         linalg.generic
// CHECK:           arith.divf %{{.*}}, %[[FOUR]] : f32
func.func @avg_pool2d_uniform(%x: !torch.vtensor<[2,3,8,8],f32>) -> !torch.vtensor<[2,3,4,4],f32> {
  %int0 = torch.constant.int 0
  %int2 = torch.constant.int 2
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %none = torch.constant.none
  %k = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.avg_pool2d %x, %k, %k, %p, %false, %true, %none : !torch.vtensor<[2,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[2,3,4,4],f32>
  return %0 : !torch.vtensor<[2,3,4,4],f32>
}

// -----

// The backward pre-divides the gradient, then gathers it per input position;
// the 2x2 stride-2 windows do not overlap, so each position has one window
// and the gather needs no reduction loops.
// CHECK-LABEL: func.func @avg_pool2d_backward(
// CHECK-SAME:      %[[GO:.*]]: tensor<2x3x4x4xf32>,
// CHECK:         %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[GO]] : tensor<2x3x4x4xf32>)
// CHECK:           arith.divf
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<2x3x8x8xf32>)
// CHECK:           %[[G:.*]] = tensor.extract %[[SCALED]][
// CHECK:           arith.select %{{.*}}, %[[G]], %{{.*}} : f32
func.func @avg_pool2d_backward(%go: !torch.vtensor<[2,3,4,4],f32>, %x: !torch.vtensor<[2,3,8,8],f32>) -> !torch.vtensor<[2,3,8,8],f32> {
  %int0 = torch.constant.int 0
  %int2 = torch.constant.int 2
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %none = torch.constant.none
  %k = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.avg_pool2d_backward %go, %x, %k, %k, %p, %false, %true, %none : !torch.vtensor<[2,3,4,4],f32>, !torch.vtensor<[2,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[2,3,8,8],f32>
  return %0 : !torch.vtensor<[2,3,8,8],f32>
}

// -----

// A result shape that disagrees with the pooling parameters is rejected.
func.func @max_pool2d_bad_shape(%x: !torch.vtensor<[1,1,8,8],f32>) -> !torch.vtensor<[1,1,3,3],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  // expected-error @+1 {{not supported by convert-torch-to-linalg}}
  %0:2 = torch.aten.max_pool2d_with_indices %x, %k, %k, %p, %d, %false : !torch.vtensor<[1,1,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,1,3,3],f32>, !torch.vtensor<[1,1,3,3],si64>
  return %0#0 : !torch.vtensor<[1,1,3,3],f32>
}
