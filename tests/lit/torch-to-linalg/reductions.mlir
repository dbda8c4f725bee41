// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// A full sum reduces every dim into a 0-d tensor.
// CHECK: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK: #[[$NONE:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @sum(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>) -> tensor<f32>
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<f32>
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<f32>) -> tensor<f32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$NONE]]], iterator_types = ["reduction", "reduction"]} ins(%[[A]] : tensor<2x3xf32>) outs(%[[F]] : tensor<f32>)
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[X]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         return %[[R]]
func.func @sum(%a: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[],f32> {
  %none = torch.constant.none
  %0 = torch.aten.sum %a, %none : !torch.vtensor<[2,3],f32>, !torch.none -> !torch.vtensor<[],f32>
  return %0 : !torch.vtensor<[],f32>
}

// -----

// sum of an int32 tensor accumulates in the int64 result dtype.
// CHECK-LABEL: func.func @sum_int(
// CHECK:         ^bb0(%[[X:.*]]: i32, %[[ACC:.*]]: i64):
// CHECK-NEXT:      %[[W:.*]] = arith.extsi %[[X]] : i32 to i64
// CHECK-NEXT:      arith.addi %[[ACC]], %[[W]] : i64
func.func @sum_int(%a: !torch.vtensor<[2,3],si32>) -> !torch.vtensor<[],si64> {
  %none = torch.constant.none
  %0 = torch.aten.sum %a, %none : !torch.vtensor<[2,3],si32>, !torch.none -> !torch.vtensor<[],si64>
  return %0 : !torch.vtensor<[],si64>
}

// -----

// keepdim reduces into the kept dims, then expands.
// CHECK: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK: #[[$KEPT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @sum_dim_keepdim(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$KEPT]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[A]] : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[R]] {{\[}}[0], [1, 2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
// CHECK:         return %[[E]]
func.func @sum_dim_keepdim(%a: !torch.vtensor<[2,3,4],f32>) -> !torch.vtensor<[2,1,4],f32> {
  %none = torch.constant.none
  %true = torch.constant.bool true
  %int-2 = torch.constant.int -2
  %dims = torch.prim.ListConstruct %int-2 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.sum.dim_IntList %a, %dims, %true, %none : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[2,1,4],f32>
  return %0 : !torch.vtensor<[2,1,4],f32>
}

// -----

// f16 sums accumulate in f32; mean divides by the reduced element count.
// CHECK-LABEL: func.func @mean_dim_f16(
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<3x4xf16>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<4xf16>)
// CHECK:           %[[N:.*]] = arith.constant 3.000000e+00 : f32
// CHECK:           %[[D:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK:           arith.truncf %[[D]] : f32 to f16
func.func @mean_dim_f16(%a: !torch.vtensor<[3,4],f16>) -> !torch.vtensor<[4],f16> {
  %none = torch.constant.none
  %false = torch.constant.bool false
  %int0 = torch.constant.int 0
  %dims = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.mean.dim %a, %dims, %false, %none : !torch.vtensor<[3,4],f16>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[4],f16>
  return %0 : !torch.vtensor<[4],f16>
}

// -----

// CHECK-LABEL: func.func @mean(
// CHECK:         arith.addf
// CHECK:         %[[N:.*]] = arith.constant 6.000000e+00 : f32
// CHECK:         arith.divf %{{.*}}, %[[N]] : f32
func.func @mean(%a: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[],f32> {
  %none = torch.constant.none
  %0 = torch.aten.mean %a, %none : !torch.vtensor<[2,3],f32>, !torch.none -> !torch.vtensor<[],f32>
  return %0 : !torch.vtensor<[],f32>
}

// -----

// amax/amin start from -inf/+inf (or the integer extremes) and propagate NaN.
// CHECK-LABEL: func.func @amax_amin_max_min(
// CHECK:         arith.constant 0xFF800000 : f32
// CHECK:         arith.maximumf
// CHECK:         arith.constant 0x7F800000 : f32
// CHECK:         arith.minimumf
// CHECK:         arith.constant -9223372036854775808 : i64
// CHECK:         arith.maxsi
// CHECK:         arith.constant 9223372036854775807 : i64
// CHECK:         arith.minsi
func.func @amax_amin_max_min(%a: !torch.vtensor<[2,3],f32>, %i: !torch.vtensor<[2,3],si64>) -> (!torch.vtensor<[2],f32>, !torch.vtensor<[1,3],f32>, !torch.vtensor<[],si64>, !torch.vtensor<[],si64>) {
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %d1 = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %d0 = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.amax %a, %d1, %false : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[2],f32>
  %1 = torch.aten.amin %a, %d0, %true : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,3],f32>
  %2 = torch.aten.max %i : !torch.vtensor<[2,3],si64> -> !torch.vtensor<[],si64>
  %3 = torch.aten.min %i : !torch.vtensor<[2,3],si64> -> !torch.vtensor<[],si64>
  return %0, %1, %2, %3 : !torch.vtensor<[2],f32>, !torch.vtensor<[1,3],f32>, !torch.vtensor<[],si64>, !torch.vtensor<[],si64>
}

// -----

// argmax keeps the first maximum; a NaN wins over numbers.
// CHECK-LABEL: func.func @argmax(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>) -> tensor<2xi64>
// CHECK:         %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[A]] : tensor<2x3xf32>) outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[V:.*]]: f32, %[[I:.*]]: i64):
// CHECK:           %[[IDX:.*]] = linalg.index 1 : index
// CHECK:           %[[IDX64:.*]] = arith.index_cast %[[IDX]] : index to i64
// CHECK:           %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[V]] : f32
// CHECK:           %[[TAKE:.*]] = arith.ori %[[GT]], %{{.*}} : i1
// CHECK:           %[[NV:.*]] = arith.select %[[TAKE]], %[[X]], %[[V]] : f32
// CHECK:           %[[NI:.*]] = arith.select %[[TAKE]], %[[IDX64]], %[[I]] : i64
// CHECK:           linalg.yield %[[NV]], %[[NI]] : f32, i64
// CHECK:         return %[[R]]#1
func.func @argmax(%a: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2],si64> {
  %int1 = torch.constant.int 1
  %false = torch.constant.bool false
  %0 = torch.aten.argmax %a, %int1, %false : !torch.vtensor<[2,3],f32>, !torch.int, !torch.bool -> !torch.vtensor<[2],si64>
  return %0 : !torch.vtensor<[2],si64>
}

// -----

// Without a dim, argmin works on the flattened input.
// CHECK-LABEL: func.func @argmin_flat(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xi32>) -> tensor<1x1xi64>
// CHECK:         %[[FLAT:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1]] : tensor<2x3xi32> into tensor<6xi32>
// CHECK:         %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[FLAT]] : tensor<6xi32>) outs(%{{.*}}, %{{.*}} : tensor<i32>, tensor<i64>)
// CHECK:           arith.cmpi slt
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[R]]#1 [] output_shape [1, 1] : tensor<i64> into tensor<1x1xi64>
// CHECK:         return %[[E]]
func.func @argmin_flat(%a: !torch.vtensor<[2,3],si32>) -> !torch.vtensor<[1,1],si64> {
  %none = torch.constant.none
  %true = torch.constant.bool true
  %0 = torch.aten.argmin %a, %none, %true : !torch.vtensor<[2,3],si32>, !torch.none, !torch.bool -> !torch.vtensor<[1,1],si64>
  return %0 : !torch.vtensor<[1,1],si64>
}

// -----

// any over a dim ORs truth values into an i1 initialised to false.
// CHECK-LABEL: func.func @any_dim(
// CHECK:         %[[F:.*]] = arith.constant false
// CHECK:         linalg.fill ins(%[[F]] : i1)
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.ori
func.func @any_dim(%a: !torch.vtensor<[3,4],i1>) -> !torch.vtensor<[3],i1> {
  %int1 = torch.constant.int 1
  %false = torch.constant.bool false
  %0 = torch.aten.any.dim %a, %int1, %false : !torch.vtensor<[3,4],i1>, !torch.int, !torch.bool -> !torch.vtensor<[3],i1>
  return %0 : !torch.vtensor<[3],i1>
}

// -----

// prod multiplies into an accumulator initialised to one.
// CHECK-LABEL: func.func @prod(
// CHECK:         %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:         linalg.fill ins(%[[ONE]] : f32)
// CHECK:           arith.mulf
func.func @prod(%a: !torch.vtensor<[3,4],f32>) -> !torch.vtensor<[],f32> {
  %none = torch.constant.none
  %0 = torch.aten.prod %a, %none : !torch.vtensor<[3,4],f32>, !torch.none -> !torch.vtensor<[],f32>
  return %0 : !torch.vtensor<[],f32>
}
