// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// A view that is a box of the base (row 1 of a 4x5 tensor, every other
// column): tensor.extract_slice, then a reshape to the view's rank.
// CHECK-LABEL: func.func @as_strided_copy_box(
// CHECK-SAME:      %[[A:.*]]: tensor<4x5xf32>)
// CHECK:         %[[S:.*]] = tensor.extract_slice %[[A]][1, 0] [1, 3] [1, 2] : tensor<4x5xf32> to tensor<1x3xf32>
// CHECK:         %[[R:.*]] = tensor.collapse_shape %[[S]] {{\[}}[0, 1]] : tensor<1x3xf32> into tensor<3xf32>
// CHECK:         return %[[R]]
func.func @as_strided_copy_box(%a: !torch.vtensor<[4,5],f32>) -> !torch.vtensor<[3],f32> {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %int5 = torch.constant.int 5
  %size = torch.prim.ListConstruct %int3 : (!torch.int) -> !torch.list<int>
  %stride = torch.prim.ListConstruct %int2 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.as_strided_copy %a, %size, %stride, %int5 : !torch.vtensor<[4,5],f32>, !torch.list<int>, !torch.list<int>, !torch.int -> !torch.vtensor<[3],f32>
  return %0 : !torch.vtensor<[3],f32>
}

// -----

// The diagonal (offset 1) of a 4x5 tensor is no box: a gather through the
// affine map 1 + 6 * d0 of the flattened base.
// CHECK: #[[MAP:.*]] = affine_map<(d0) -> (d0 * 6 + 1)>
// CHECK-LABEL: func.func @as_strided_copy_gather(
// CHECK-SAME:      %[[A:.*]]: tensor<4x5xf32>)
// CHECK:         %[[F:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1]] : tensor<4x5xf32> into tensor<20xf32>
// CHECK:         %[[G:.*]] = linalg.generic {indexing_maps = [#[[MAP]], {{.*}}], iterator_types = ["parallel"]} ins(%[[F]] : tensor<20xf32>)
// CHECK:         return %[[G]]
func.func @as_strided_copy_gather(%a: !torch.vtensor<[4,5],f32>) -> !torch.vtensor<[4],f32> {
  %int1 = torch.constant.int 1
  %int4 = torch.constant.int 4
  %int6 = torch.constant.int 6
  %size = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %stride = torch.prim.ListConstruct %int6 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.as_strided_copy %a, %size, %stride, %int1 : !torch.vtensor<[4,5],f32>, !torch.list<int>, !torch.list<int>, !torch.int -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// Writing column 2 of a 3x4 tensor (select_scatter's view): a box, so
// tensor.insert_slice of the reshaped source.
// CHECK-LABEL: func.func @as_strided_scatter_box(
// CHECK-SAME:      %[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[B]] {{\[}}[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK:         %[[I:.*]] = tensor.insert_slice %[[E]] into %[[A]][0, 2] [3, 1] [1, 1] : tensor<3x1xf32> into tensor<3x4xf32>
// CHECK:         return %[[I]]
func.func @as_strided_scatter_box(%a: !torch.vtensor<[3,4],f32>, %b: !torch.vtensor<[3],f32>) -> !torch.vtensor<[3,4],f32> {
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %int4 = torch.constant.int 4
  %size = torch.prim.ListConstruct %int3 : (!torch.int) -> !torch.list<int>
  %stride = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.as_strided_scatter %a, %b, %size, %stride, %int2 : !torch.vtensor<[3,4],f32>, !torch.vtensor<[3],f32>, !torch.list<int>, !torch.list<int>, !torch.int -> !torch.vtensor<[3,4],f32>
  return %0 : !torch.vtensor<[3,4],f32>
}

// -----

// Writing the diagonals of a batch of 2x3x3 matrices (strides 9 and 4): each
// position of the flattened base finds its source index by division, and
// keeps its old value when there is none.
// CHECK-LABEL: func.func @as_strided_scatter_diagonal(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3x3xf32>, %[[B:.*]]: tensor<2x3xf32>)
// CHECK:         %[[F:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1, 2]] : tensor<2x3x3xf32> into tensor<18xf32>
// CHECK:         %[[G:.*]] = linalg.generic {{.*}} ins(%[[F]] : tensor<18xf32>)
// CHECK:           linalg.index 0
// CHECK:           arith.divui
// CHECK:           arith.divui
// CHECK:           %[[V:.*]] = tensor.extract %[[B]]
// CHECK:           %[[R:.*]] = arith.select %{{.*}}, %[[V]], %{{.*}} : f32
// CHECK:           linalg.yield %[[R]]
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[G]] {{\[}}[0, 1, 2]] output_shape [2, 3, 3] : tensor<18xf32> into tensor<2x3x3xf32>
// CHECK:         return %[[E]]
func.func @as_strided_scatter_diagonal(%a: !torch.vtensor<[2,3,3],f32>, %b: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3,3],f32> {
  %int0 = torch.constant.int 0
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %int4 = torch.constant.int 4
  %int9 = torch.constant.int 9
  %size = torch.prim.ListConstruct %int2, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %stride = torch.prim.ListConstruct %int9, %int4 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.as_strided_scatter %a, %b, %size, %stride, %int0 : !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.list<int>, !torch.int -> !torch.vtensor<[2,3,3],f32>
  return %0 : !torch.vtensor<[2,3,3],f32>
}
