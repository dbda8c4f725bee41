// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// A gather over the result: the row index is loaded, clamped, and the weight
// read with tensor.extract.
// CHECK-DAG:   #[[$IDX:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @embedding(
// CHECK-SAME:      %[[W:.*]]: tensor<10x4xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IDX]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<2x3xi64>) outs(%{{.*}} : tensor<2x3x4xf32>)
// CHECK-NEXT:    ^bb0(%[[IV:.*]]: i64, %{{.*}}: f32):
// CHECK:           %[[LO:.*]] = arith.maxsi %[[IV]], %{{.*}} : i64
// CHECK:           %[[HI:.*]] = arith.minsi %[[LO]], %{{.*}} : i64
// CHECK:           %[[ROW:.*]] = arith.index_cast %[[HI]] : i64 to index
// CHECK:           %[[COL:.*]] = linalg.index 2 : index
// CHECK:           %[[V:.*]] = tensor.extract %[[W]][%[[ROW]], %[[COL]]] : tensor<10x4xf32>
// CHECK:           linalg.yield %[[V]] : f32
// CHECK:         return %[[R]]
func.func @embedding(%w: !torch.vtensor<[10,4],f32>, %i: !torch.vtensor<[2,3],si64>) -> !torch.vtensor<[2,3,4],f32> {
  %int-1 = torch.constant.int -1
  %false = torch.constant.bool false
  %0 = torch.aten.embedding %w, %i, %int-1, %false, %false : !torch.vtensor<[10,4],f32>, !torch.vtensor<[2,3],si64>, !torch.int, !torch.bool, !torch.bool -> !torch.vtensor<[2,3,4],f32>
  return %0 : !torch.vtensor<[2,3,4],f32>
}

// -----

// A scatter-add loop over the flattened indices; padding_idx and
// out-of-range rows are skipped.
// CHECK-LABEL: func.func @embedding_dense_backward(
// CHECK-SAME:      %[[G:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK:         %[[PADIDX:.*]] = arith.constant 0 : i64
// CHECK:         %[[FI:.*]] = tensor.collapse_shape %[[I]] {{\[}}[0, 1]] : tensor<2x3xi64> into tensor<6xi64>
// CHECK:         %[[FG:.*]] = tensor.collapse_shape %[[G]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<10x4xf32>)
// CHECK:         %[[R:.*]] = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (tensor<10x4xf32>)
// CHECK:           %[[IDX:.*]] = tensor.extract %[[FI]][%[[K]]] : tensor<6xi64>
// CHECK:           %[[ROW:.*]] = arith.index_cast %[[IDX]] : i64 to index
// CHECK:           %[[OOR:.*]] = arith.cmpi uge, %[[IDX]], %{{.*}} : i64
// CHECK:           %[[ISPAD:.*]] = arith.cmpi eq, %[[IDX]], %[[PADIDX]] : i64
// CHECK:           %[[SKIP:.*]] = arith.ori %[[ISPAD]], %[[OOR]] : i1
// CHECK:           %[[NEXT:.*]] = scf.if %[[SKIP]] -> (tensor<10x4xf32>) {
// CHECK:             scf.yield %[[ACC]]
// CHECK:           } else {
// CHECK:             %[[GROW:.*]] = tensor.extract_slice %[[FG]][%[[K]], 0] [1, 4] [1, 1] : tensor<6x4xf32> to tensor<1x4xf32>
// CHECK:             %[[AROW:.*]] = tensor.extract_slice %[[ACC]][%[[ROW]], 0] [1, 4] [1, 1] : tensor<10x4xf32> to tensor<1x4xf32>
// CHECK:             %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[GROW]] : tensor<1x4xf32>) outs(%[[AROW]] : tensor<1x4xf32>)
// CHECK:             %[[UPD:.*]] = tensor.insert_slice %[[SUM]] into %[[ACC]][%[[ROW]], 0] [1, 4] [1, 1]
// CHECK:             scf.yield %[[UPD]]
// CHECK:           scf.yield %[[NEXT]]
// CHECK:         return %[[R]]
func.func @embedding_dense_backward(%g: !torch.vtensor<[2,3,4],f32>, %i: !torch.vtensor<[2,3],si64>) -> !torch.vtensor<[10,4],f32> {
  %int10 = torch.constant.int 10
  %int0 = torch.constant.int 0
  %false = torch.constant.bool false
  %0 = torch.aten.embedding_dense_backward %g, %i, %int10, %int0, %false : !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3],si64>, !torch.int, !torch.int, !torch.bool -> !torch.vtensor<[10,4],f32>
  return %0 : !torch.vtensor<[10,4],f32>
}

// -----

// scale_grad_by_freq counts occurrences first and scales each added row.
// CHECK-LABEL: func.func @embedding_dense_backward_freq(
// CHECK:         %[[COUNTS:.*]] = scf.for
// CHECK:           tensor.insert %{{.*}} into %{{.*}}[%{{.*}}] : tensor<10xi64>
// CHECK:         scf.for
// CHECK:           tensor.extract %[[COUNTS]][%{{.*}}] : tensor<10xi64>
// CHECK:           arith.sitofp
// CHECK:           %[[SCALE:.*]] = arith.divf
// CHECK:           linalg.generic
// CHECK:             arith.mulf %{{.*}}, %[[SCALE]] : f32
func.func @embedding_dense_backward_freq(%g: !torch.vtensor<[5,4],f32>, %i: !torch.vtensor<[5],si64>) -> !torch.vtensor<[10,4],f32> {
  %int10 = torch.constant.int 10
  %int-1 = torch.constant.int -1
  %true = torch.constant.bool true
  %0 = torch.aten.embedding_dense_backward %g, %i, %int10, %int-1, %true : !torch.vtensor<[5,4],f32>, !torch.vtensor<[5],si64>, !torch.int, !torch.int, !torch.bool -> !torch.vtensor<[10,4],f32>
  return %0 : !torch.vtensor<[10,4],f32>
}

// -----

// index_select reads the index along `dim` (negative dims count from the end).
// CHECK-DAG:   #[[$IDX:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @index_select(
// CHECK-SAME:      %[[X:.*]]: tensor<3x5x2xf32>, %[[I:.*]]: tensor<4xi64>)
// CHECK:         linalg.generic {indexing_maps = [#[[$IDX]], #{{.*}}], {{.*}} ins(%[[I]] : tensor<4xi64>) outs(%{{.*}} : tensor<3x4x2xf32>)
// CHECK:           %[[D0:.*]] = linalg.index 0 : index
// CHECK:           %[[D1:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK:           %[[D2:.*]] = linalg.index 2 : index
// CHECK:           tensor.extract %[[X]][%[[D0]], %[[D1]], %[[D2]]] : tensor<3x5x2xf32>
func.func @index_select(%x: !torch.vtensor<[3,5,2],f32>, %i: !torch.vtensor<[4],si64>) -> !torch.vtensor<[3,4,2],f32> {
  %int-2 = torch.constant.int -2
  %0 = torch.aten.index_select %x, %int-2, %i : !torch.vtensor<[3,5,2],f32>, !torch.int, !torch.vtensor<[4],si64> -> !torch.vtensor<[3,4,2],f32>
  return %0 : !torch.vtensor<[3,4,2],f32>
}

// -----

// gather iterates over the index's shape.
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @gather(
// CHECK-SAME:      %[[X:.*]]: tensor<4x5xf32>, %[[I:.*]]: tensor<4x3xi64>)
// CHECK:         linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], {{.*}} ins(%[[I]] : tensor<4x3xi64>) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK:           %[[D0:.*]] = linalg.index 0 : index
// CHECK:           %[[D1:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK:           tensor.extract %[[X]][%[[D0]], %[[D1]]] : tensor<4x5xf32>
func.func @gather(%x: !torch.vtensor<[4,5],f32>, %i: !torch.vtensor<[4,3],si64>) -> !torch.vtensor<[4,3],f32> {
  %int1 = torch.constant.int 1
  %false = torch.constant.bool false
  %0 = torch.aten.gather %x, %int1, %i, %false : !torch.vtensor<[4,5],f32>, !torch.int, !torch.vtensor<[4,3],si64>, !torch.bool -> !torch.vtensor<[4,3],f32>
  return %0 : !torch.vtensor<[4,3],f32>
}

// -----

// A 0-d self is one element: the result is filled with it.
// CHECK-LABEL: func.func @gather_0d(
// CHECK-SAME:      %[[X:.*]]: tensor<f32>, %[[I:.*]]: tensor<1xi64>)
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<1xf32>)
// CHECK:           tensor.extract %[[X]][] : tensor<f32>
func.func @gather_0d(%x: !torch.vtensor<[],f32>, %i: !torch.vtensor<[1],si64>) -> !torch.vtensor<[1],f32> {
  %int0 = torch.constant.int 0
  %false = torch.constant.bool false
  %0 = torch.aten.gather %x, %int0, %i, %false : !torch.vtensor<[],f32>, !torch.int, !torch.vtensor<[1],si64>, !torch.bool -> !torch.vtensor<[1],f32>
  return %0 : !torch.vtensor<[1],f32>
}

// -----

// The mask broadcasts to self; the value is converted to the element type.
// CHECK-DAG:   #[[$MASK:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func.func @masked_fill(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4xf32>, %[[M:.*]]: tensor<3x1xi1>)
// CHECK:         %[[V:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[$MASK]], #{{.*}}], {{.*}} ins(%[[X]], %[[M]] : tensor<2x3x4xf32>, tensor<3x1xi1>)
// CHECK-NEXT:    ^bb0(%[[XV:.*]]: f32, %[[MV:.*]]: i1, %{{.*}}: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.select %[[MV]], %[[V]], %[[XV]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
func.func @masked_fill(%x: !torch.vtensor<[2,3,4],f32>, %m: !torch.vtensor<[3,1],i1>) -> !torch.vtensor<[2,3,4],f32> {
  %v = torch.constant.float -1.000000e+09
  %0 = torch.aten.masked_fill.Scalar %x, %m, %v : !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[3,1],i1>, !torch.float -> !torch.vtensor<[2,3,4],f32>
  return %0 : !torch.vtensor<[2,3,4],f32>
}

// -----

// Negative pads crop with extract_slice, positive ones pad with the value.
// CHECK-LABEL: func.func @constant_pad_nd(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4xf32>)
// CHECK:         %[[CROP:.*]] = tensor.extract_slice %[[X]][0, 0, 0] [2, 3, 3] [1, 1, 1] : tensor<2x3x4xf32> to tensor<2x3x3xf32>
// CHECK:         %[[V:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:         %[[PAD:.*]] = tensor.pad %[[CROP]] low[0, 0, 1] high[0, 2, 0]
// CHECK:           tensor.yield %[[V]] : f32
// CHECK:         } : tensor<2x3x3xf32> to tensor<2x5x4xf32>
// CHECK:         return %[[PAD]]
func.func @constant_pad_nd(%x: !torch.vtensor<[2,3,4],f32>) -> !torch.vtensor<[2,5,4],f32> {
  %int1 = torch.constant.int 1
  %int-1 = torch.constant.int -1
  %int0 = torch.constant.int 0
  %int2 = torch.constant.int 2
  %v = torch.constant.float 5.000000e-01
  %p = torch.prim.ListConstruct %int1, %int-1, %int0, %int2 : (!torch.int, !torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.constant_pad_nd %x, %p, %v : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.float -> !torch.vtensor<[2,5,4],f32>
  return %0 : !torch.vtensor<[2,5,4],f32>
}

// -----

// A runtime dim cannot be lowered.
func.func @index_select_runtime_dim(%x: !torch.vtensor<[3,5],f32>, %i: !torch.vtensor<[2],si64>, %d: !torch.int) -> !torch.vtensor<[3,2],f32> {
  // expected-error @+1 {{not supported by convert-torch-to-linalg}}
  %0 = torch.aten.index_select %x, %d, %i : !torch.vtensor<[3,5],f32>, !torch.int, !torch.vtensor<[2],si64> -> !torch.vtensor<[3,2],f32>
  return %0 : !torch.vtensor<[3,2],f32>
}
