// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Row sum, row sum of squared deviations, per-row mean/rstd, then
// y = (x * rstd - rstd * mean) * w + b; mean/rstd get their unit dims back.
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$ROW:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[$ROW2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$COL:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @native_layer_norm(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x5xf32>, %[[W:.*]]: tensor<5xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK:         %[[EPS:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:         %[[N:.*]] = arith.constant 5.000000e+00 : f32
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<2x3x5xf32>)
// CHECK:         %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[SUM]] : tensor<2x3x5xf32>, tensor<2x3xf32>)
// CHECK:           %[[M:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK:           %[[D:.*]] = arith.subf %{{.*}}, %[[M]] : f32
// CHECK:           arith.mulf %[[D]], %[[D]] : f32
// CHECK:         %[[STATS:.*]]:2 = linalg.generic {indexing_maps = [#[[$ROW2]], #[[$ROW2]], #[[$ROW2]], #[[$ROW2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SUM]], %[[SQ]] :
// CHECK:           %[[MEAN:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK:           %[[VAR:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK:           %[[VARP:.*]] = arith.maximumf %[[VAR]], %{{.*}} : f32
// CHECK:           %[[VE:.*]] = arith.addf %[[VARP]], %[[EPS]] : f32
// CHECK:           %[[STD:.*]] = math.sqrt %[[VE]] : f32
// CHECK:           %[[RSTD:.*]] = arith.divf %{{.*}}, %[[STD]] : f32
// CHECK:           linalg.yield %[[MEAN]], %[[RSTD]] : f32, f32
// CHECK:         %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ROW]], #[[$COL]], #[[$COL]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[STATS]]#0, %[[STATS]]#1, %[[W]], %[[B]] :
// CHECK-NEXT:    ^bb0(%[[XV:.*]]: f32, %[[MV:.*]]: f32, %[[RV:.*]]: f32, %[[WV:.*]]: f32, %[[BV:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[XS:.*]] = arith.mulf %[[XV]], %[[RV]] : f32
// CHECK-NEXT:      %[[RM:.*]] = arith.mulf %[[RV]], %[[MV]] : f32
// CHECK-NEXT:      %[[NRM:.*]] = arith.negf %[[RM]] : f32
// CHECK-NEXT:      %[[Y0:.*]] = arith.addf %[[XS]], %[[NRM]] : f32
// CHECK-NEXT:      %[[Y1:.*]] = arith.mulf %[[Y0]], %[[WV]] : f32
// CHECK-NEXT:      %[[Y2:.*]] = arith.addf %[[Y1]], %[[BV]] : f32
// CHECK-NEXT:      linalg.yield %[[Y2]] : f32
// CHECK:         %[[MEANR:.*]] = tensor.expand_shape %[[STATS]]#0 {{\[}}[0], [1, 2]] output_shape [2, 3, 1]
// CHECK:         %[[RSTDR:.*]] = tensor.expand_shape %[[STATS]]#1 {{\[}}[0], [1, 2]] output_shape [2, 3, 1]
// CHECK:         return %[[OUT]], %[[MEANR]], %[[RSTDR]]
func.func @native_layer_norm(%x: !torch.vtensor<[2,3,5],f32>, %w: !torch.vtensor<[5],f32>, %b: !torch.vtensor<[5],f32>) -> (!torch.vtensor<[2,3,5],f32>, !torch.vtensor<[2,3,1],f32>, !torch.vtensor<[2,3,1],f32>) {
  %int5 = torch.constant.int 5
  %eps = torch.constant.float 1.000000e-05
  %shape = torch.prim.ListConstruct %int5 : (!torch.int) -> !torch.list<int>
  %0:3 = torch.aten.native_layer_norm %x, %shape, %w, %b, %eps : !torch.vtensor<[2,3,5],f32>, !torch.list<int>, !torch.vtensor<[5],f32>, !torch.vtensor<[5],f32>, !torch.float -> !torch.vtensor<[2,3,5],f32>, !torch.vtensor<[2,3,1],f32>, !torch.vtensor<[2,3,1],f32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[2,3,5],f32>, !torch.vtensor<[2,3,1],f32>, !torch.vtensor<[2,3,1],f32>
}

// -----

// No weight/bias: the epilogue stops at x * rstd - rstd * mean. Normalizing
// over two dims reduces both.
// CHECK-LABEL: func.func @native_layer_norm_no_affine(
// CHECK:         arith.constant 2.000000e+01 : f32
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "reduction"]
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:           %[[Y:.*]] = arith.addf
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @native_layer_norm_no_affine(%x: !torch.vtensor<[3,4,5],f32>) -> (!torch.vtensor<[3,4,5],f32>, !torch.vtensor<[3,1,1],f32>, !torch.vtensor<[3,1,1],f32>) {
  %int4 = torch.constant.int 4
  %int5 = torch.constant.int 5
  %none = torch.constant.none
  %eps = torch.constant.float 1.000000e-05
  %shape = torch.prim.ListConstruct %int4, %int5 : (!torch.int, !torch.int) -> !torch.list<int>
  %0:3 = torch.aten.native_layer_norm %x, %shape, %none, %none, %eps : !torch.vtensor<[3,4,5],f32>, !torch.list<int>, !torch.none, !torch.none, !torch.float -> !torch.vtensor<[3,4,5],f32>, !torch.vtensor<[3,1,1],f32>, !torch.vtensor<[3,1,1],f32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[3,4,5],f32>, !torch.vtensor<[3,1,1],f32>, !torch.vtensor<[3,1,1],f32>
}

// -----

// Backward: row sums ds = sum(dy*w*x), db = sum(dy*w); dx from ATen's
// formula; column sums for grad_weight and grad_bias.
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$COL:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[$ROW:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @native_layer_norm_backward(
// CHECK-SAME:      %[[GO:.*]]: tensor<4x6xf32>, %[[X:.*]]: tensor<4x6xf32>, %[[MEAN:.*]]: tensor<4x1xf32>, %[[RSTD:.*]]: tensor<4x1xf32>, %[[W:.*]]: tensor<6xf32>, %{{.*}}: tensor<6xf32>)
// CHECK:         %[[M:.*]] = tensor.collapse_shape %[[MEAN]] {{\[}}[0, 1]] : tensor<4x1xf32> into tensor<4xf32>
// CHECK:         %[[R:.*]] = tensor.collapse_shape %[[RSTD]] {{\[}}[0, 1]] : tensor<4x1xf32> into tensor<4xf32>
// CHECK:         %[[SUMS:.*]]:2 = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$COL]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[GO]], %[[X]], %[[W]] :
// CHECK:         %[[GI:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ROW]], #[[$ROW]], #[[$ROW]], #[[$ROW]], #[[$COL]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[GO]], %[[X]], %[[M]], %[[R]], %[[SUMS]]#0, %[[SUMS]]#1, %[[W]] :
// CHECK:         %[[GW:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ROW]], #[[$ROW]], #[[$COL]]], iterator_types = ["reduction", "parallel"]} ins(%[[GO]], %[[X]], %[[M]], %[[R]] :
// CHECK:         %[[GB:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$COL]]], iterator_types = ["reduction", "parallel"]} ins(%[[GO]] :
// CHECK:         return %[[GI]], %[[GW]], %[[GB]]
func.func @native_layer_norm_backward(%go: !torch.vtensor<[4,6],f32>, %x: !torch.vtensor<[4,6],f32>, %mean: !torch.vtensor<[4,1],f32>, %rstd: !torch.vtensor<[4,1],f32>, %w: !torch.vtensor<[6],f32>, %b: !torch.vtensor<[6],f32>) -> (!torch.vtensor<[4,6],f32>, !torch.vtensor<[6],f32>, !torch.vtensor<[6],f32>) {
  %int6 = torch.constant.int 6
  %true = torch.constant.bool true
  %shape = torch.prim.ListConstruct %int6 : (!torch.int) -> !torch.list<int>
  %mask = torch.prim.ListConstruct %true, %true, %true : (!torch.bool, !torch.bool, !torch.bool) -> !torch.list<bool>
  %0:3 = torch.aten.native_layer_norm_backward %go, %x, %shape, %mean, %rstd, %w, %b, %mask : !torch.vtensor<[4,6],f32>, !torch.vtensor<[4,6],f32>, !torch.list<int>, !torch.vtensor<[4,1],f32>, !torch.vtensor<[4,1],f32>, !torch.vtensor<[6],f32>, !torch.vtensor<[6],f32>, !torch.list<bool> -> !torch.vtensor<[4,6],f32>, !torch.vtensor<[6],f32>, !torch.vtensor<[6],f32>
  return %0#0, %0#1, %0#2 : !torch.vtensor<[4,6],f32>, !torch.vtensor<[6],f32>, !torch.vtensor<[6],f32>
}

// -----

// A normalized_shape that is not the trailing shape is rejected.
func.func @native_layer_norm_bad_shape(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int2 = torch.constant.int 2
  %none = torch.constant.none
  %eps = torch.constant.float 1.000000e-05
  %shape = torch.prim.ListConstruct %int2 : (!torch.int) -> !torch.list<int>
  // expected-error @+1 {{not supported by convert-torch-to-linalg}}
  %0:3 = torch.aten.native_layer_norm %x, %shape, %none, %none, %eps : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.none, !torch.none, !torch.float -> !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,1],f32>, !torch.vtensor<[2,1],f32>
  return %0#0 : !torch.vtensor<[2,3],f32>
}
