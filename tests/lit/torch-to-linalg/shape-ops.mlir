// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// view_copy groups dims with equal element counts: a pure collapse, a pure
// expand, or a collapse followed by an expand.
// CHECK-LABEL: func.func @view_copy(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3x4xf32>)
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[A]] {{\[}}[0], [1], [2, 3]] output_shape [2, 3, 2, 2] : tensor<2x3x4xf32> into tensor<2x3x2x2xf32>
// CHECK:         %[[F:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK:         %[[G:.*]] = tensor.expand_shape %[[F]] {{\[}}[0, 1]] output_shape [3, 8] : tensor<24xf32> into tensor<3x8xf32>
// CHECK:         return %[[C]], %[[E]], %[[G]]
func.func @view_copy(%a: !torch.vtensor<[2,3,4],f32>) -> (!torch.vtensor<[6,4],f32>, !torch.vtensor<[2,3,2,2],f32>, !torch.vtensor<[3,8],f32>) {
  %int-1 = torch.constant.int -1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %int4 = torch.constant.int 4
  %int6 = torch.constant.int 6
  %int8 = torch.constant.int 8
  %l0 = torch.prim.ListConstruct %int6, %int4 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.view_copy %a, %l0 : !torch.vtensor<[2,3,4],f32>, !torch.list<int> -> !torch.vtensor<[6,4],f32>
  %l1 = torch.prim.ListConstruct %int2, %int3, %int2, %int-1 : (!torch.int, !torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %1 = torch.aten.view_copy %a, %l1 : !torch.vtensor<[2,3,4],f32>, !torch.list<int> -> !torch.vtensor<[2,3,2,2],f32>
  %l2 = torch.prim.ListConstruct %int3, %int8 : (!torch.int, !torch.int) -> !torch.list<int>
  %2 = torch.aten.view_copy %a, %l2 : !torch.vtensor<[2,3,4],f32>, !torch.list<int> -> !torch.vtensor<[3,8],f32>
  return %0, %1, %2 : !torch.vtensor<[6,4],f32>, !torch.vtensor<[2,3,2,2],f32>, !torch.vtensor<[3,8],f32>
}

// -----

// Size-1 dims and rank 0.
// CHECK-LABEL: func.func @unsqueeze_squeeze(
// CHECK-SAME:      %[[A:.*]]: tensor<3xf32>, %[[S:.*]]: tensor<f32>)
// CHECK:         %[[U:.*]] = tensor.expand_shape %[[A]] {{\[}}[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK:         %[[Q:.*]] = tensor.collapse_shape %[[U]] {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
// CHECK:         %[[X:.*]] = tensor.expand_shape %[[S]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK:         %[[Y:.*]] = tensor.collapse_shape %[[X]] [] : tensor<1xf32> into tensor<f32>
// CHECK:         return %[[U]], %[[Q]], %[[X]], %[[Y]]
func.func @unsqueeze_squeeze(%a: !torch.vtensor<[3],f32>, %s: !torch.vtensor<[],f32>) -> (!torch.vtensor<[3,1],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[1],f32>, !torch.vtensor<[],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %0 = torch.aten.unsqueeze_copy %a, %int1 : !torch.vtensor<[3],f32>, !torch.int -> !torch.vtensor<[3,1],f32>
  %1 = torch.aten.squeeze_copy.dim %0, %int1 : !torch.vtensor<[3,1],f32>, !torch.int -> !torch.vtensor<[3],f32>
  %2 = torch.aten.unsqueeze_copy %s, %int0 : !torch.vtensor<[],f32>, !torch.int -> !torch.vtensor<[1],f32>
  %3 = torch.aten.squeeze_copy.dim %2, %int0 : !torch.vtensor<[1],f32>, !torch.int -> !torch.vtensor<[],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[3,1],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[1],f32>, !torch.vtensor<[],f32>
}

// -----

// squeeze_copy without a dim drops every size-1 dim.
// CHECK-LABEL: func.func @squeeze_all(
// CHECK-SAME:      %[[A:.*]]: tensor<1x3x1x4xf32>)
// CHECK:         %[[Q:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2, 3]] : tensor<1x3x1x4xf32> into tensor<3x4xf32>
// CHECK:         return %[[Q]]
func.func @squeeze_all(%a: !torch.vtensor<[1,3,1,4],f32>) -> !torch.vtensor<[3,4],f32> {
  %0 = torch.aten.squeeze_copy %a : !torch.vtensor<[1,3,1,4],f32> -> !torch.vtensor<[3,4],f32>
  return %0 : !torch.vtensor<[3,4],f32>
}

// -----

// detach_copy and alias_copy forward their input.
// CHECK-LABEL: func.func @detach_alias(
// CHECK-SAME:      %[[A:.*]]: tensor<3xf32>)
// CHECK-NEXT:    return %[[A]], %[[A]]
func.func @detach_alias(%a: !torch.vtensor<[3],f32>) -> (!torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>) {
  %0 = torch.aten.detach_copy %a : !torch.vtensor<[3],f32> -> !torch.vtensor<[3],f32>
  %1 = torch.aten.alias_copy %a : !torch.vtensor<[3],f32> -> !torch.vtensor<[3],f32>
  return %0, %1 : !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>
}

// -----

// CHECK-LABEL: func.func @transposes(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x3x4xf32>)
// CHECK:         %[[E0:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK:         %[[T:.*]] = linalg.transpose ins(%[[A]] : tensor<2x3xf32>) outs(%[[E0]] : tensor<3x2xf32>) permutation = [1, 0]
// CHECK:         %[[E1:.*]] = tensor.empty() : tensor<4x3x2xf32>
// CHECK:         %[[T1:.*]] = linalg.transpose ins(%[[B]] : tensor<2x3x4xf32>) outs(%[[E1]] : tensor<4x3x2xf32>) permutation = [2, 1, 0]
// CHECK:         %[[E2:.*]] = tensor.empty() : tensor<3x4x2xf32>
// CHECK:         %[[P:.*]] = linalg.transpose ins(%[[B]] : tensor<2x3x4xf32>) outs(%[[E2]] : tensor<3x4x2xf32>) permutation = [1, 2, 0]
// CHECK:         return %[[T]], %[[T1]], %[[P]]
func.func @transposes(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[2,3,4],f32>) -> (!torch.vtensor<[3,2],f32>, !torch.vtensor<[4,3,2],f32>, !torch.vtensor<[3,4,2],f32>) {
  %0 = torch.aten.t_copy %a : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[3,2],f32>
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int-1 = torch.constant.int -1
  %1 = torch.aten.transpose_copy.int %b, %int0, %int-1 : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[4,3,2],f32>
  %dims = torch.prim.ListConstruct %int1, %int-1, %int0 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %2 = torch.aten.permute_copy %b, %dims : !torch.vtensor<[2,3,4],f32>, !torch.list<int> -> !torch.vtensor<[3,4,2],f32>
  return %0, %1, %2 : !torch.vtensor<[3,2],f32>, !torch.vtensor<[4,3,2],f32>, !torch.vtensor<[3,4,2],f32>
}

// -----

// expand_copy broadcasts new leading dims and size-1 dims.
// CHECK: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @expand_copy(
// CHECK-SAME:      %[[A:.*]]: tensor<3x1xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK:         linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[A]] : tensor<3x1xf32>) outs(%[[E]] : tensor<2x3x4xf32>)
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[X]] : f32
func.func @expand_copy(%a: !torch.vtensor<[3,1],f32>) -> !torch.vtensor<[2,3,4],f32> {
  %int2 = torch.constant.int 2
  %int-1 = torch.constant.int -1
  %int4 = torch.constant.int 4
  %false = torch.constant.bool false
  %size = torch.prim.ListConstruct %int2, %int-1, %int4 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.expand_copy %a, %size, %false : !torch.vtensor<[3,1],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[2,3,4],f32>
  return %0 : !torch.vtensor<[2,3,4],f32>
}

// -----

// select_copy with a constant (negative) index, and with a runtime index.
// CHECK-LABEL: func.func @select_copy(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: i64)
// CHECK:         %[[S0:.*]] = tensor.extract_slice %[[A]][0, 2, 0] [2, 1, 4] [1, 1, 1] : tensor<2x3x4xf32> to tensor<2x4xf32>
// CHECK:         %[[NEG:.*]] = arith.cmpi slt, %[[I]], %{{.*}} : i64
// CHECK:         %[[WRAP:.*]] = arith.addi %[[I]], %{{.*}} : i64
// CHECK:         %[[SEL:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[I]] : i64
// CHECK:         %[[IDX:.*]] = arith.index_cast %[[SEL]] : i64 to index
// CHECK:         %[[S1:.*]] = tensor.extract_slice %[[A]][%[[IDX]], 0, 0] [1, 3, 4] [1, 1, 1] : tensor<2x3x4xf32> to tensor<3x4xf32>
// CHECK:         return %[[S0]], %[[S1]]
func.func @select_copy(%a: !torch.vtensor<[2,3,4],f32>, %i: !torch.int) -> (!torch.vtensor<[2,4],f32>, !torch.vtensor<[3,4],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int-1 = torch.constant.int -1
  %0 = torch.aten.select_copy.int %a, %int1, %int-1 : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,4],f32>
  %1 = torch.aten.select_copy.int %a, %int0, %i : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[3,4],f32>
  return %0, %1 : !torch.vtensor<[2,4],f32>, !torch.vtensor<[3,4],f32>
}

// -----

// slice_copy clamps out-of-range bounds and honours the step.
// CHECK-LABEL: func.func @slice_copy(
// CHECK-SAME:      %[[A:.*]]: tensor<10x4xf32>)
// CHECK:         %[[S0:.*]] = tensor.extract_slice %[[A]][1, 0] [5, 4] [2, 1] : tensor<10x4xf32> to tensor<5x4xf32>
// CHECK:         %[[S1:.*]] = tensor.extract_slice %[[A]][0, 0] [10, 3] [1, 1] : tensor<10x4xf32> to tensor<10x3xf32>
// CHECK:         %[[S2:.*]] = tensor.extract_slice %[[A]][8, 0] [2, 4] [1, 1] : tensor<10x4xf32> to tensor<2x4xf32>
// CHECK:         return %[[S0]], %[[S1]], %[[S2]]
func.func @slice_copy(%a: !torch.vtensor<[10,4],f32>) -> (!torch.vtensor<[5,4],f32>, !torch.vtensor<[10,3],f32>, !torch.vtensor<[2,4],f32>) {
  %none = torch.constant.none
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int-1 = torch.constant.int -1
  %int-2 = torch.constant.int -2
  %big = torch.constant.int 9223372036854775807
  %0 = torch.aten.slice_copy.Tensor %a, %int0, %int1, %big, %int2 : !torch.vtensor<[10,4],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[5,4],f32>
  %1 = torch.aten.slice_copy.Tensor %a, %int-1, %none, %int-1, %int1 : !torch.vtensor<[10,4],f32>, !torch.int, !torch.none, !torch.int, !torch.int -> !torch.vtensor<[10,3],f32>
  %2 = torch.aten.slice_copy.Tensor %a, %int0, %int-2, %none, %int1 : !torch.vtensor<[10,4],f32>, !torch.int, !torch.int, !torch.none, !torch.int -> !torch.vtensor<[2,4],f32>
  return %0, %1, %2 : !torch.vtensor<[5,4],f32>, !torch.vtensor<[10,3],f32>, !torch.vtensor<[2,4],f32>
}

// -----

// select_backward and slice_backward insert the gradient into zeros of
// input_sizes, with the same index wrapping and bound clamping as the
// forward ops.
// CHECK-LABEL: func.func @select_slice_backward(
// CHECK-SAME:      %[[G:.*]]: tensor<2x4xf32>, %[[H:.*]]: tensor<2x3xf32>)
// CHECK:         %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x3x4xf32>)
// CHECK:         %[[S:.*]] = tensor.insert_slice %[[G]] into %[[Z]][0, 2, 0] [2, 1, 4] [1, 1, 1] : tensor<2x4xf32> into tensor<2x3x4xf32>
// CHECK:         %[[Z2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<5x3xf32>)
// CHECK:         %[[T:.*]] = tensor.insert_slice %[[H]] into %[[Z2]][1, 0] [2, 3] [2, 1] : tensor<2x3xf32> into tensor<5x3xf32>
// CHECK:         return %[[S]], %[[T]]
func.func @select_slice_backward(%g: !torch.vtensor<[2,4],f32>, %h: !torch.vtensor<[2,3],f32>) -> (!torch.vtensor<[2,3,4],f32>, !torch.vtensor<[5,3],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %int4 = torch.constant.int 4
  %int5 = torch.constant.int 5
  %int-1 = torch.constant.int -1
  %big = torch.constant.int 9223372036854775807
  %sizes = torch.prim.ListConstruct %int2, %int3, %int4 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.select_backward %g, %sizes, %int1, %int-1 : !torch.vtensor<[2,4],f32>, !torch.list<int>, !torch.int, !torch.int -> !torch.vtensor<[2,3,4],f32>
  %sizes2 = torch.prim.ListConstruct %int5, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %1 = torch.aten.slice_backward %h, %sizes2, %int0, %int1, %big, %int2 : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[5,3],f32>
  return %0, %1 : !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[5,3],f32>
}

// -----

// cat inserts each input at its offset, converting dtypes to the result's.
// CHECK-LABEL: func.func @cat(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x1xi64>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK:         %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x4xf32>
// CHECK:         %[[BF:.*]] = linalg.generic
// CHECK:           arith.sitofp
// CHECK:         %[[I1:.*]] = tensor.insert_slice %[[BF]] into %[[I0]][0, 3] [2, 1] [1, 1] : tensor<2x1xf32> into tensor<2x4xf32>
// CHECK:         return %[[I1]]
func.func @cat(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[2,1],si64>) -> !torch.vtensor<[2,4],f32> {
  %int-1 = torch.constant.int -1
  %list = torch.prim.ListConstruct %a, %b : (!torch.vtensor<[2,3],f32>, !torch.vtensor<[2,1],si64>) -> !torch.list<vtensor>
  %0 = torch.aten.cat %list, %int-1 : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[2,4],f32>
  return %0 : !torch.vtensor<[2,4],f32>
}

// -----

// flip reads index (size - 1 - i) along each flipped dim.
// CHECK: #[[$FLIP:.*]] = affine_map<(d0, d1) -> (-d0 + 2, d1)>
// CHECK-LABEL: func.func @flip(
// CHECK:         linalg.generic {indexing_maps = [#[[$FLIP]], #{{.*}}]
func.func @flip(%a: !torch.vtensor<[3,4],f32>) -> !torch.vtensor<[3,4],f32> {
  %int0 = torch.constant.int 0
  %dims = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.flip %a, %dims : !torch.vtensor<[3,4],f32>, !torch.list<int> -> !torch.vtensor<[3,4],f32>
  return %0 : !torch.vtensor<[3,4],f32>
}
