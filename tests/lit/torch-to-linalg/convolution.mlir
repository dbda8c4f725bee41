// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// groups == 1: pad, broadcast the bias into the init, named NCHW conv.
// CHECK-DAG:   #[[$CH:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv2d(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x6x7xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK:         %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:         } : tensor<2x3x6x7xf32> to tensor<2x3x8x9xf32>
// CHECK:         %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$CH]], #[[$ID]]], {{.*}} ins(%[[B]] : tensor<4xf32>)
// CHECK:         %[[CONV:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[PAD]], %[[W]] : tensor<2x3x8x9xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<2x4x6x7xf32>)
// CHECK:         return %[[CONV]]
func.func @conv2d(%x: !torch.vtensor<[2,3,6,7],f32>, %w: !torch.vtensor<[4,3,3,3],f32>, %b: !torch.vtensor<[4],f32>) -> !torch.vtensor<[2,4,6,7],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %false = torch.constant.bool false
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %b, %ones, %ones, %ones, %false, %zeros, %int1 : !torch.vtensor<[2,3,6,7],f32>, !torch.vtensor<[4,3,3,3],f32>, !torch.vtensor<[4],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[2,4,6,7],f32>
  return %0 : !torch.vtensor<[2,4,6,7],f32>
}

// -----

// groups > 1: channels are split into [G, C/G] for the grouped named conv;
// no bias means a zero init; stride and dilation become attributes.
// CHECK-LABEL: func.func @conv2d_grouped(
// CHECK-SAME:      %[[X:.*]]: tensor<1x4x9x8xf32>, %[[W:.*]]: tensor<6x2x3x2xf32>)
// CHECK-NOT:     tensor.pad
// CHECK:         %[[INIT:.*]] = linalg.fill
// CHECK:         %[[XG:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 9, 8]
// CHECK:         %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 2]
// CHECK:         %[[IG:.*]] = tensor.expand_shape %[[INIT]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 3, 3, 3]
// CHECK:         %[[CONV:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>} ins(%[[XG]], %[[WG]] : {{.*}}) outs(%[[IG]] : tensor<1x2x3x3x3xf32>)
// CHECK:         %[[OUT:.*]] = tensor.collapse_shape %[[CONV]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
// CHECK:         return %[[OUT]]
func.func @conv2d_grouped(%x: !torch.vtensor<[1,4,9,8],f32>, %w: !torch.vtensor<[6,2,3,2],f32>) -> !torch.vtensor<[1,6,3,3],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %none = torch.constant.none
  %stride = torch.prim.ListConstruct %int2, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %pad = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %dil = torch.prim.ListConstruct %int2, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %none, %stride, %pad, %dil, %false, %pad, %int2 : !torch.vtensor<[1,4,9,8],f32>, !torch.vtensor<[6,2,3,2],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[1,6,3,3],f32>
  return %0 : !torch.vtensor<[1,6,3,3],f32>
}

// -----

// 1-d convolutions run as 2-d ones with a unit height.
// CHECK-LABEL: func.func @conv1d(
// CHECK:         tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3]] output_shape [2, 3, 1, 11] : tensor<2x3x11xf32> into tensor<2x3x1x11xf32>
// CHECK:         tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3]] output_shape [2, 3, 1, 3] : tensor<2x3x3xf32> into tensor<2x3x1x3xf32>
// CHECK:         tensor.pad %{{.*}} low[0, 0, 0, 1] high[0, 0, 0, 1]
// CHECK:         linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
// CHECK:         tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<2x2x1x6xf32> into tensor<2x2x6xf32>
func.func @conv1d(%x: !torch.vtensor<[2,3,11],f32>, %w: !torch.vtensor<[2,3,3],f32>, %b: !torch.vtensor<[2],f32>) -> !torch.vtensor<[2,2,6],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %stride = torch.prim.ListConstruct %int2 : (!torch.int) -> !torch.list<int>
  %one = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %zero = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %b, %stride, %one, %one, %false, %zero, %int1 : !torch.vtensor<[2,3,11],f32>, !torch.vtensor<[2,3,3],f32>, !torch.vtensor<[2],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[2,2,6],f32>
  return %0 : !torch.vtensor<[2,2,6],f32>
}

// -----

// grad_input: the gradient is stride-dilated and padded by d*(k-1)-p in one
// insert_slice, then convolved (stride 1) with the flipped, channel-swapped
// weight. grad_weight: a generic contracting over (n, oh, ow) with group
// dims exposed. grad_bias: a sum over all but the channel dim.
// CHECK-DAG:   #[[$FLIP:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> ((d0 floordiv 2) * 3 + d1, d0 mod 2, -d2 + 2, -d3 + 2)>
// CHECK-DAG:   #[[$GO:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>
// CHECK-DAG:   #[[$IN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 * 2 + d3, d7 * 2 + d4)>
// CHECK-DAG:   #[[$GW:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[$CH:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv2d_backward(
// CHECK-SAME:      %[[GO:.*]]: tensor<2x6x5x4xf32>, %[[X:.*]]: tensor<2x4x9x8xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// CHECK:         %[[BUF:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x6x11x10xf32>)
// CHECK:         %[[DIL:.*]] = tensor.insert_slice %[[GO]] into %[[BUF]][0, 0, 1, 1] [2, 6, 5, 4] [1, 1, 2, 2]
// CHECK:         %[[WT:.*]] = linalg.generic {indexing_maps = [#[[$FLIP]], #[[$ID]]], {{.*}} ins(%[[W]] : tensor<6x2x3x3xf32>) outs(%{{.*}} : tensor<4x3x3x3xf32>)
// CHECK:         linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<2x2x3x11x10xf32>, tensor<2x2x3x3x3xf32>) outs(%{{.*}} : tensor<2x2x2x9x8xf32>)
// CHECK:         %[[GI:.*]] = tensor.collapse_shape %{{.*}} : tensor<2x2x2x9x8xf32> into tensor<2x4x9x8xf32>
// CHECK:         %[[XP:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:         %[[GO5:.*]] = tensor.expand_shape %[[GO]] {{.*}} into tensor<2x2x3x5x4xf32>
// CHECK:         %[[XP5:.*]] = tensor.expand_shape %[[XP]] {{.*}} into tensor<2x2x2x11x10xf32>
// CHECK:         %[[GW5:.*]] = linalg.generic {indexing_maps = [#[[$GO]], #[[$IN]], #[[$GW]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[GO5]], %[[XP5]] : {{.*}}) outs(%{{.*}} : tensor<2x3x2x3x3xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         %[[GW:.*]] = tensor.collapse_shape %[[GW5]] {{\[}}[0, 1], [2], [3], [4]] : tensor<2x3x2x3x3xf32> into tensor<6x2x3x3xf32>
// CHECK:         %[[GB:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[GO]] : tensor<2x6x5x4xf32>)
// CHECK:         return %[[GI]], %[[GW]], %[[GB]]
func.func @conv2d_backward(%go: !torch.vtensor<[2,6,5,4],f32>, %x: !torch.vtensor<[2,4,9,8],f32>, %w: !torch.vtensor<[6,2,3,3],f32>) -> (!torch.vtensor<[2,4,9,8],f32>, !torch.vtensor<[6,2,3,3],f32>, !torch.vtensor<[6],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int6 = torch.constant.int 6
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %bs = torch.prim.ListConstruct %int6 : (!torch.int) -> !torch.list<int>
  %stride = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %mask = torch.prim.ListConstruct %true, %true, %true : (!torch.bool, !torch.bool, !torch.bool) -> !torch.list<bool>
  %0:3 = torch.aten.convolution_backward %go, %x, %w, %bs, %stride, %ones, %ones, %false, %zeros, %int2, %mask : !torch.vtensor<[2,6,5,4],f32>, !torch.vtensor<[2,4,9,8],f32>, !torch.vtensor<[6,2,3,3],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int, !torch.list<bool> -> !torch.vtensor<[2,4,9,8],f32>, !torch.vtensor<[6,2,3,3],f32>, !torch.vtensor<[6],f32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[2,4,9,8],f32>, !torch.vtensor<[6,2,3,3],f32>, !torch.vtensor<[6],f32>
}

// -----

// Padding beyond d*(k-1) drops the gradient rows that only saw padding.
// Unrequested results (output_mask false) are zeros.
// CHECK-LABEL: func.func @conv2d_backward_crop(
// CHECK-SAME:      %[[GO:.*]]: tensor<1x3x7x7xf32>,
// CHECK:         %[[SLICE:.*]] = tensor.extract_slice %[[GO]][0, 0, 1, 1] [1, 3, 5, 5] [1, 1, 1, 1]
// CHECK:         tensor.insert_slice %[[SLICE]] into %{{.*}}[0, 0, 0, 0] [1, 3, 5, 5] [1, 1, 1, 1] : tensor<1x3x5x5xf32> into tensor<1x3x5x5xf32>
// CHECK:         linalg.conv_2d_nchw_fchw
// CHECK-NOT:     linalg.generic {{.*}}reduction
// CHECK:         %[[GW:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3x2x1x1xf32>)
// CHECK:         %[[GB:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK:         return %{{.*}}, %[[GW]], %[[GB]]
func.func @conv2d_backward_crop(%go: !torch.vtensor<[1,3,7,7],f32>, %x: !torch.vtensor<[1,2,5,5],f32>, %w: !torch.vtensor<[3,2,1,1],f32>) -> (!torch.vtensor<[1,2,5,5],f32>, !torch.vtensor<[3,2,1,1],f32>, !torch.vtensor<[3],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %none = torch.constant.none
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %mask = torch.prim.ListConstruct %true, %false, %false : (!torch.bool, !torch.bool, !torch.bool) -> !torch.list<bool>
  %0:3 = torch.aten.convolution_backward %go, %x, %w, %none, %ones, %ones, %ones, %false, %zeros, %int1, %mask : !torch.vtensor<[1,3,7,7],f32>, !torch.vtensor<[1,2,5,5],f32>, !torch.vtensor<[3,2,1,1],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int, !torch.list<bool> -> !torch.vtensor<[1,2,5,5],f32>, !torch.vtensor<[3,2,1,1],f32>, !torch.vtensor<[3],f32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[1,2,5,5],f32>, !torch.vtensor<[3,2,1,1],f32>, !torch.vtensor<[3],f32>
}

// -----

// A grad_bias left out by output_mask has whatever shape LTC gave it ([0]
// when the convolution had no bias); it is an empty zero tensor.
// The weight gradient (groups 1) is a convolution of the input, channels
// first, with the gradient, filters first; stride and dilation swap.
// CHECK-LABEL: func.func @conv2d_backward_no_bias(
// CHECK:         linalg.conv_2d_nchw_fchw
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<1x3x9x9xf32>) outs(%{{.*}} : tensor<3x1x9x9xf32>) permutation = [1, 0, 2, 3]
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<1x2x4x4xf32>) outs(%{{.*}} : tensor<2x1x4x4xf32>) permutation = [1, 0, 2, 3]
// CHECK:         linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<3x1x9x9xf32>, tensor<2x1x4x4xf32>) outs(%{{.*}} : tensor<3x2x3x3xf32>)
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<3x2x3x3xf32>) outs(%{{.*}} : tensor<2x3x3x3xf32>) permutation = [1, 0, 2, 3]
// CHECK:         %[[GB:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<0xf32>)
// CHECK:         return %{{.*}}, %{{.*}}, %[[GB]]
func.func @conv2d_backward_no_bias(%go: !torch.vtensor<[1,2,4,4],f32>, %x: !torch.vtensor<[1,3,7,7],f32>, %w: !torch.vtensor<[2,3,3,3],f32>) -> (!torch.vtensor<[1,3,7,7],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.vtensor<[0],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %bs = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %stride = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %mask = torch.prim.ListConstruct %true, %true, %false : (!torch.bool, !torch.bool, !torch.bool) -> !torch.list<bool>
  %0:3 = torch.aten.convolution_backward %go, %x, %w, %bs, %stride, %ones, %ones, %false, %zeros, %int1, %mask : !torch.vtensor<[1,2,4,4],f32>, !torch.vtensor<[1,3,7,7],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int, !torch.list<bool> -> !torch.vtensor<[1,3,7,7],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.vtensor<[0],f32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[1,3,7,7],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.vtensor<[0],f32>
}

// -----

// Transposed convolution: the stride-dilated input, a stride-1 convolution
// with the flipped, channel-swapped weight.
// CHECK-LABEL: func.func @conv_transposed(
// CHECK:         tensor.insert_slice {{.*}} into {{.*}} : tensor<1x2x4x4xf32> into tensor<1x2x8x8xf32>
// CHECK:         linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x3x6x6xf32>
func.func @conv_transposed(%x: !torch.vtensor<[1,2,4,4],f32>, %w: !torch.vtensor<[2,3,3,3],f32>) -> !torch.vtensor<[1,3,6,6],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %true = torch.constant.bool true
  %none = torch.constant.none
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %none, %ones, %zeros, %ones, %true, %zeros, %int1 : !torch.vtensor<[1,2,4,4],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[1,3,6,6],f32>
  return %0 : !torch.vtensor<[1,3,6,6],f32>
}

// -----

// 1-d, stride 2, output_padding 1, 2 groups, with a bias: as 2-d with a
// unit height, grouped.
// CHECK-LABEL: func.func @conv_transposed_1d(
// CHECK:         tensor.insert_slice {{.*}} [1, 1, 1, 2] : tensor<1x2x1x5xf32> into tensor<1x2x1x14xf32>
// CHECK:         linalg.conv_2d_ngchw_gfchw
// CHECK:         tensor.collapse_shape {{.*}} into tensor<1x4x12xf32>
func.func @conv_transposed_1d(%x: !torch.vtensor<[1,2,5],f32>, %w: !torch.vtensor<[2,2,3],f32>, %b: !torch.vtensor<[4],f32>) -> !torch.vtensor<[1,4,12],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %true = torch.constant.bool true
  %s = torch.prim.ListConstruct %int2 : (!torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %op = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %b, %s, %p, %d, %true, %op, %int2 : !torch.vtensor<[1,2,5],f32>, !torch.vtensor<[2,2,3],f32>, !torch.vtensor<[4],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[1,4,12],f32>
  return %0 : !torch.vtensor<[1,4,12],f32>
}

// -----

// Backward of a transposed convolution: the input gradient is a forward
// convolution of the output gradient with the same weight.
// CHECK-LABEL: func.func @conv_transposed_backward(
// CHECK:         linalg.conv_2d_nchw_fchw {{.*}} ins({{.*}} : tensor<1x3x6x6xf32>, tensor<2x3x3x3xf32>) {{.*}} -> tensor<1x2x4x4xf32>
func.func @conv_transposed_backward(%go: !torch.vtensor<[1,3,6,6],f32>, %x: !torch.vtensor<[1,2,4,4],f32>, %w: !torch.vtensor<[2,3,3,3],f32>) -> (!torch.vtensor<[1,2,4,4],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.vtensor<[3],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int3 = torch.constant.int 3
  %true = torch.constant.bool true
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %bs = torch.prim.ListConstruct %int3 : (!torch.int) -> !torch.list<int>
  %mask = torch.prim.ListConstruct %true, %true, %true : (!torch.bool, !torch.bool, !torch.bool) -> !torch.list<bool>
  %0:3 = torch.aten.convolution_backward %go, %x, %w, %bs, %ones, %zeros, %ones, %true, %zeros, %int1, %mask : !torch.vtensor<[1,3,6,6],f32>, !torch.vtensor<[1,2,4,4],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int, !torch.list<bool> -> !torch.vtensor<[1,2,4,4],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.vtensor<[3],f32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[1,2,4,4],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.vtensor<[3],f32>
}

// -----

// A transposed result size that no output_padding explains is not lowered.
func.func @conv_transposed_bad_size(%x: !torch.vtensor<[1,2,4,4],f32>, %w: !torch.vtensor<[2,3,3,3],f32>) -> !torch.vtensor<[1,3,9,9],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %true = torch.constant.bool true
  %none = torch.constant.none
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  // expected-error @+1 {{not supported by convert-torch-to-linalg}}
  %0 = torch.aten.convolution %x, %w, %none, %ones, %zeros, %ones, %true, %zeros, %int1 : !torch.vtensor<[1,2,4,4],f32>, !torch.vtensor<[2,3,3,3],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[1,3,9,9],f32>
  return %0 : !torch.vtensor<[1,3,9,9],f32>
}
