// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file | FileCheck %s

// Broadcasting follows the result shape; alpha == 1 is not multiplied.
// CHECK: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_tensor_broadcast(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>) -> tensor<2x3xf32>
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         return %[[R]]
// CHECK-NOT:     torch.
func.func @add_tensor_broadcast(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %0 = torch.aten.add.Tensor %a, %b, %int1 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}

// -----

// A size-1 dim stretched against the result reads index 0.
// CHECK: #[[$COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @sub_tensor_alpha(
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[$COL]], #{{.*}}]
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[ALPHA:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK:           %[[SCALED:.*]] = arith.mulf %[[ALPHA]], %[[Y]] : f32
// CHECK:           arith.subf %[[X]], %[[SCALED]] : f32
func.func @sub_tensor_alpha(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[2,1],f32>) -> !torch.vtensor<[2,3],f32> {
  %int2 = torch.constant.int 2
  %0 = torch.aten.sub.Tensor %a, %b, %int2 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,1],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}

// -----

// Type promotion shows in the result type: an int tensor times a runtime
// float scalar computes in f32.
// CHECK-LABEL: func.func @mul_scalar_promotes(
// CHECK-SAME:      %[[A:.*]]: tensor<4xi64>, %[[S:.*]]: f64) -> tensor<4xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[A]] : tensor<4xi64>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:         ^bb0(%[[X:.*]]: i64, %{{.*}}: f32):
// CHECK-DAG:       %[[XF:.*]] = arith.sitofp %[[X]] : i64 to f32
// CHECK-DAG:       %[[SF:.*]] = arith.truncf %[[S]] : f64 to f32
// CHECK:           arith.mulf %[[XF]], %[[SF]] : f32
func.func @mul_scalar_promotes(%a: !torch.vtensor<[4],si64>, %s: !torch.float) -> !torch.vtensor<[4],f32> {
  %0 = torch.aten.mul.Scalar %a, %s : !torch.vtensor<[4],si64>, !torch.float -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// Integer arithmetic stays integer; division is always true division.
// CHECK-LABEL: func.func @int_add_and_div(
// CHECK:         arith.addi
// CHECK:         ^bb0(%[[X:.*]]: i32, %[[Y:.*]]: i32, %{{.*}}: f32):
// CHECK-DAG:       %[[XF:.*]] = arith.sitofp %[[X]] : i32 to f32
// CHECK-DAG:       %[[YF:.*]] = arith.sitofp %[[Y]] : i32 to f32
// CHECK:           arith.divf %[[XF]], %[[YF]] : f32
func.func @int_add_and_div(%a: !torch.vtensor<[4],si32>, %b: !torch.vtensor<[4],si32>) -> (!torch.vtensor<[4],si32>, !torch.vtensor<[4],f32>) {
  %int1 = torch.constant.int 1
  %0 = torch.aten.add.Tensor %a, %b, %int1 : !torch.vtensor<[4],si32>, !torch.vtensor<[4],si32>, !torch.int -> !torch.vtensor<[4],si32>
  %1 = torch.aten.div.Tensor %a, %b : !torch.vtensor<[4],si32>, !torch.vtensor<[4],si32> -> !torch.vtensor<[4],f32>
  return %0, %1 : !torch.vtensor<[4],si32>, !torch.vtensor<[4],f32>
}

// -----

// rsub(self, other, alpha) = other - alpha * self.
// CHECK-LABEL: func.func @rsub_scalar(
// CHECK:         ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[OTHER:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:           arith.subf %[[OTHER]], %[[X]] : f32
func.func @rsub_scalar(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %float1 = torch.constant.float 1.0
  %int1 = torch.constant.int 1
  %0 = torch.aten.rsub.Scalar %a, %float1, %int1 : !torch.vtensor<[4],f32>, !torch.float, !torch.int -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// CHECK-LABEL: func.func @unary_float(
// CHECK:         arith.negf
// CHECK:         math.absf
// CHECK:         math.exp
// CHECK:         math.log
// CHECK:         math.tanh
// CHECK:         math.sqrt
// CHECK:         math.rsqrt
// CHECK:         math.sin
// CHECK:         math.cos
// CHECK:         math.erf
// CHECK:         %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:         arith.divf %[[ONE]], %{{.*}} : f32
// CHECK:         arith.maximumf %{{.*}}, %{{.*}} : f32
func.func @unary_float(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %0 = torch.aten.neg %a : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %1 = torch.aten.abs %0 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %2 = torch.aten.exp %1 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %3 = torch.aten.log %2 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %4 = torch.aten.tanh %3 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %5 = torch.aten.sqrt %4 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %6 = torch.aten.rsqrt %5 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %7 = torch.aten.sin %6 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %8 = torch.aten.cos %7 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %9 = torch.aten.erf %8 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %10 = torch.aten.reciprocal %9 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %11 = torch.aten.relu %10 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  return %11 : !torch.vtensor<[4],f32>
}

// -----

// Integer neg/abs/relu stay integer.
// CHECK-LABEL: func.func @unary_int(
// CHECK:         arith.subi
// CHECK:         math.absi
// CHECK:         arith.maxsi
func.func @unary_int(%a: !torch.vtensor<[4],si64>) -> !torch.vtensor<[4],si64> {
  %0 = torch.aten.neg %a : !torch.vtensor<[4],si64> -> !torch.vtensor<[4],si64>
  %1 = torch.aten.abs %0 : !torch.vtensor<[4],si64> -> !torch.vtensor<[4],si64>
  %2 = torch.aten.relu %1 : !torch.vtensor<[4],si64> -> !torch.vtensor<[4],si64>
  return %2 : !torch.vtensor<[4],si64>
}

// -----

// f16 math runs in f32 and is rounded once at the end.
// CHECK-LABEL: func.func @sigmoid_f16(
// CHECK:         ^bb0(%[[X:.*]]: f16, %{{.*}}: f16):
// CHECK:           %[[XF:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK:           %[[NEG:.*]] = arith.negf %[[XF]] : f32
// CHECK:           %[[E:.*]] = math.exp %[[NEG]] : f32
// CHECK:           %[[D:.*]] = arith.addf %{{.*}}, %[[E]] : f32
// CHECK:           %[[Q:.*]] = arith.divf %{{.*}}, %[[D]] : f32
// CHECK:           %[[R:.*]] = arith.truncf %[[Q]] : f32 to f16
// CHECK:           linalg.yield %[[R]] : f16
func.func @sigmoid_f16(%a: !torch.vtensor<[4],f16>) -> !torch.vtensor<[4],f16> {
  %0 = torch.aten.sigmoid %a : !torch.vtensor<[4],f16> -> !torch.vtensor<[4],f16>
  return %0 : !torch.vtensor<[4],f16>
}

// -----

// A float op on an int tensor converts the input first.
// CHECK-LABEL: func.func @exp_of_int(
// CHECK:         ^bb0(%[[X:.*]]: i64, %{{.*}}: f32):
// CHECK:           %[[XF:.*]] = arith.sitofp %[[X]] : i64 to f32
// CHECK:           math.exp %[[XF]] : f32
func.func @exp_of_int(%a: !torch.vtensor<[4],si64>) -> !torch.vtensor<[4],f32> {
  %0 = torch.aten.exp %a : !torch.vtensor<[4],si64> -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// threshold_backward(grad, self, threshold) = self <= threshold ? 0 : grad.
// CHECK-LABEL: func.func @threshold_backward(
// CHECK:         ^bb0(%[[G:.*]]: f32, %[[X:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[T:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK:           %[[LE:.*]] = arith.cmpf ole, %[[X]], %[[T]] : f32
// CHECK:           %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:           arith.select %[[LE]], %[[Z]], %[[G]] : f32
func.func @threshold_backward(%g: !torch.vtensor<[4],f32>, %x: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %int0 = torch.constant.int 0
  %0 = torch.aten.threshold_backward %g, %x, %int0 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.int -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// CHECK-LABEL: func.func @gelu(
// CHECK:         math.erf
// CHECK:         math.tanh
// CHECK:         math.erf
// CHECK:         math.exp
// CHECK:         math.tanh
func.func @gelu(%a: !torch.vtensor<[4],f32>, %g: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %none = torch.constant.str "none"
  %tanh = torch.constant.str "tanh"
  %0 = torch.aten.gelu %a, %none : !torch.vtensor<[4],f32>, !torch.str -> !torch.vtensor<[4],f32>
  %1 = torch.aten.gelu %a, %tanh : !torch.vtensor<[4],f32>, !torch.str -> !torch.vtensor<[4],f32>
  %2 = torch.aten.gelu_backward %g, %a, %none : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.str -> !torch.vtensor<[4],f32>
  %3 = torch.aten.gelu_backward %g, %a, %tanh : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.str -> !torch.vtensor<[4],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// -----

// sigmoid_backward = grad * (1 - y) * y; tanh_backward = grad * (1 - y * y).
// CHECK-LABEL: func.func @activation_backward(
// CHECK:         ^bb0(%[[G:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[D:.*]] = arith.subf %{{.*}}, %[[Y]] : f32
// CHECK:           %[[M:.*]] = arith.mulf %[[G]], %[[D]] : f32
// CHECK:           arith.mulf %[[M]], %[[Y]] : f32
// CHECK:         ^bb0(%[[G2:.*]]: f32, %[[Y2:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[SQ:.*]] = arith.mulf %[[Y2]], %[[Y2]] : f32
// CHECK:           %[[D2:.*]] = arith.subf %{{.*}}, %[[SQ]] : f32
// CHECK:           arith.mulf %[[G2]], %[[D2]] : f32
func.func @activation_backward(%g: !torch.vtensor<[4],f32>, %y: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %0 = torch.aten.sigmoid_backward %g, %y : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %1 = torch.aten.tanh_backward %g, %y : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  return %0, %1 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// -----

// CHECK-LABEL: func.func @silu_leaky_hardtanh(
// CHECK:         math.exp
// CHECK:         arith.divf
// CHECK:         arith.cmpf ogt
// CHECK:         arith.select
// CHECK:         arith.maximumf
// CHECK:         arith.minimumf
func.func @silu_leaky_hardtanh(%a: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %slope = torch.constant.float 0.01
  %lo = torch.constant.float -1.0
  %hi = torch.constant.float 1.0
  %0 = torch.aten.silu %a : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %1 = torch.aten.leaky_relu %a, %slope : !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],f32>
  %2 = torch.aten.hardtanh %a, %lo, %hi : !torch.vtensor<[4],f32>, !torch.float, !torch.float -> !torch.vtensor<[4],f32>
  return %0, %1, %2 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// -----

// Constant exponents take ATen's shortcuts (square-and-multiply for
// integers); others use math.powf, or for integers a square-and-multiply
// scf.while (math.ipowi would need a runtime function).
// CHECK-LABEL: func.func @pow(
// CHECK:         ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[SQ:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK-NEXT:      linalg.yield %[[SQ]]
// CHECK:         math.powf
// CHECK:         ^bb0(%[[I:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT:      %[[I2:.*]] = arith.muli %[[I]], %[[I]] : i64
// CHECK-NEXT:      %[[I3:.*]] = arith.muli %[[I]], %[[I2]] : i64
// CHECK-NEXT:      linalg.yield %[[I3]]
// CHECK:         ^bb0(%[[B:.*]]: i64, %[[E:.*]]: i64, %{{.*}}: i64):
// CHECK:           %[[LOOP:.*]]:3 = scf.while (%[[ACC:.*]] = %{{.*}}, %[[SQ:.*]] = %[[B]], %[[EXP:.*]] = %[[E]])
// CHECK:             arith.cmpi ne, %[[EXP]]
// CHECK:             scf.condition
// CHECK:           } do {
// CHECK:             arith.andi
// CHECK:             arith.muli
// CHECK:             arith.select
// CHECK:             arith.muli
// CHECK:             arith.shrui
// CHECK:             scf.yield
// CHECK:           %[[NEG:.*]] = arith.cmpi slt, %[[E]]
// CHECK:           %[[R:.*]] = arith.select %[[NEG]], %{{.*}}, %[[LOOP]]#0 : i64
// CHECK-NEXT:      linalg.yield %[[R]]
// CHECK-NOT:     math.ipowi
func.func @pow(%a: !torch.vtensor<[4],f32>, %e: !torch.vtensor<[4],f32>, %i: !torch.vtensor<[4],si64>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],si64>, !torch.vtensor<[4],si64>) {
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %0 = torch.aten.pow.Tensor_Scalar %a, %int2 : !torch.vtensor<[4],f32>, !torch.int -> !torch.vtensor<[4],f32>
  %1 = torch.aten.pow.Tensor_Tensor %a, %e : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %2 = torch.aten.pow.Tensor_Scalar %i, %int3 : !torch.vtensor<[4],si64>, !torch.int -> !torch.vtensor<[4],si64>
  %3 = torch.aten.pow.Tensor_Tensor %i, %i : !torch.vtensor<[4],si64>, !torch.vtensor<[4],si64> -> !torch.vtensor<[4],si64>
  return %0, %1, %2, %3 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],si64>, !torch.vtensor<[4],si64>
}

// -----

// CHECK-LABEL: func.func @maximum_minimum_clamp(
// CHECK:         arith.maximumf
// CHECK:         arith.minsi
// CHECK:         ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NOT:       arith.maximumf
// CHECK:           arith.minimumf %[[X]], %{{.*}} : f32
func.func @maximum_minimum_clamp(%a: !torch.vtensor<[4],f32>, %b: !torch.vtensor<[4],f32>, %i: !torch.vtensor<[4],si64>, %j: !torch.vtensor<[4],si64>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],si64>, !torch.vtensor<[4],f32>) {
  %0 = torch.aten.maximum %a, %b : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %1 = torch.aten.minimum %i, %j : !torch.vtensor<[4],si64>, !torch.vtensor<[4],si64> -> !torch.vtensor<[4],si64>
  %none = torch.constant.none
  %float6 = torch.constant.float 6.0
  %2 = torch.aten.clamp %a, %none, %float6 : !torch.vtensor<[4],f32>, !torch.none, !torch.float -> !torch.vtensor<[4],f32>
  return %0, %1, %2 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],si64>, !torch.vtensor<[4],f32>
}

// -----

// Comparisons yield i1 and compare in the promoted dtype of their operands.
// CHECK-LABEL: func.func @comparisons(
// CHECK:         arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK:         ^bb0(%[[X:.*]]: i64, %{{.*}}: i1):
// CHECK:           %[[XF:.*]] = arith.sitofp %[[X]] : i64 to f32
// CHECK:           arith.cmpf oeq, %[[XF]], %{{.*}} : f32
// CHECK:         arith.cmpi sle, %{{.*}}, %{{.*}} : i64
// CHECK:         arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK:         arith.cmpi ult, %{{.*}}, %{{.*}} : i8
// CHECK:         arith.cmpf oge, %{{.*}}, %{{.*}} : f32
func.func @comparisons(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[2,1],f32>, %i: !torch.vtensor<[2,3],si64>, %u: !torch.vtensor<[2,3],ui8>) -> (!torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>) {
  %float = torch.constant.float 1.5
  %int3 = torch.constant.int 3
  %0 = torch.aten.gt.Tensor %a, %b : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,1],f32> -> !torch.vtensor<[2,3],i1>
  %1 = torch.aten.eq.Scalar %i, %float : !torch.vtensor<[2,3],si64>, !torch.float -> !torch.vtensor<[2,3],i1>
  %2 = torch.aten.le.Scalar %i, %int3 : !torch.vtensor<[2,3],si64>, !torch.int -> !torch.vtensor<[2,3],i1>
  %3 = torch.aten.ne.Tensor %a, %i : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],si64> -> !torch.vtensor<[2,3],i1>
  %4 = torch.aten.lt.Tensor %u, %u : !torch.vtensor<[2,3],ui8>, !torch.vtensor<[2,3],ui8> -> !torch.vtensor<[2,3],i1>
  %5 = torch.aten.ge.Scalar %a, %int3 : !torch.vtensor<[2,3],f32>, !torch.int -> !torch.vtensor<[2,3],i1>
  return %0, %1, %2, %3, %4, %5 : !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>
}

// -----

// CHECK-LABEL: func.func @logical_not_where(
// CHECK:         ^bb0(%[[X:.*]]: f32, %{{.*}}: i1):
// CHECK:           %[[NZ:.*]] = arith.cmpf une, %[[X]], %{{.*}} : f32
// CHECK:           arith.xori %[[NZ]], %{{.*}} : i1
// CHECK:         ^bb0(%[[C:.*]]: i1, %[[T:.*]]: f32, %[[F:.*]]: f32, %{{.*}}: f32):
// CHECK:           arith.select %[[C]], %[[T]], %[[F]] : f32
func.func @logical_not_where(%a: !torch.vtensor<[4],f32>, %b: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],i1>, !torch.vtensor<[4],f32>) {
  %0 = torch.aten.logical_not %a : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],i1>
  %1 = torch.aten.where.self %0, %a, %b : !torch.vtensor<[4],i1>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  return %0, %1 : !torch.vtensor<[4],i1>, !torch.vtensor<[4],f32>
}

// -----

// addcmul = self + value * t1 * t2; addcdiv = self + value * t1 / t2.
// CHECK-LABEL: func.func @addcmul_addcdiv(
// CHECK:         ^bb0(%[[S:.*]]: f32, %[[T1:.*]]: f32, %[[T2:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[V:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:           %[[M:.*]] = arith.mulf %[[V]], %[[T1]] : f32
// CHECK:           %[[M2:.*]] = arith.mulf %[[M]], %[[T2]] : f32
// CHECK:           arith.addf %[[S]], %[[M2]] : f32
// CHECK:         ^bb0(%[[S2:.*]]: f32, %[[U1:.*]]: f32, %[[U2:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[N:.*]] = arith.mulf %{{.*}}, %[[U1]] : f32
// CHECK:           %[[Q:.*]] = arith.divf %[[N]], %[[U2]] : f32
// CHECK:           arith.addf %[[S2]], %[[Q]] : f32
func.func @addcmul_addcdiv(%s: !torch.vtensor<[4],f32>, %t1: !torch.vtensor<[4],f32>, %t2: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %v = torch.constant.float 0.5
  %0 = torch.aten.addcmul %s, %t1, %t2, %v : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],f32>
  %1 = torch.aten.addcdiv %s, %t1, %t2, %v : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],f32>
  return %0, %1 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// -----

// A runtime scalar (from a 0-d tensor) feeds the body directly.
// CHECK-LABEL: func.func @runtime_scalar(
// CHECK-SAME:      %[[A:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<f32>)
// CHECK:         %[[E:.*]] = tensor.extract %[[T]][] : tensor<f32>
// CHECK:         %[[D:.*]] = arith.extf %[[E]] : f32 to f64
// CHECK:         ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[S:.*]] = arith.truncf %[[D]] : f64 to f32
// CHECK:           arith.addf %[[X]], %[[S]] : f32
func.func @runtime_scalar(%a: !torch.vtensor<[4],f32>, %t: !torch.vtensor<[],f32>) -> !torch.vtensor<[4],f32> {
  %s = torch.aten.Float.Tensor %t : !torch.vtensor<[],f32> -> !torch.float
  %int1 = torch.constant.int 1
  %0 = torch.aten.add.Scalar %a, %s, %int1 : !torch.vtensor<[4],f32>, !torch.float, !torch.int -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// The unary float functions OpInfo coverage added: one math op each.
// CHECK-LABEL: func.func @unary_math(
// CHECK:         math.tan
// CHECK:         math.asin
// CHECK:         math.acos
// CHECK:         math.atan
// CHECK:         math.sinh
// CHECK:         math.cosh
// CHECK:         math.expm1
// CHECK:         math.log1p
// CHECK:         math.log2
// CHECK:         math.log10
// CHECK:         math.exp2
// CHECK:         math.floor
// CHECK:         math.ceil
// CHECK:         math.roundeven
// CHECK:         math.trunc
// CHECK-NOT:     torch.aten
func.func @unary_math(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %0 = torch.aten.tan %a : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %1 = torch.aten.asin %0 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %2 = torch.aten.acos %1 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %3 = torch.aten.atan %2 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %4 = torch.aten.sinh %3 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %5 = torch.aten.cosh %4 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %6 = torch.aten.expm1 %5 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %7 = torch.aten.log1p %6 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %8 = torch.aten.log2 %7 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %9 = torch.aten.log10 %8 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %10 = torch.aten.exp2 %9 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %11 = torch.aten.floor %10 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %12 = torch.aten.ceil %11 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %13 = torch.aten.round %12 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %14 = torch.aten.trunc %13 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  return %14 : !torch.vtensor<[4],f32>
}

// -----

// sgn is (x > 0) - (x < 0) in the input dtype.
// CHECK-LABEL: func.func @sgn(
// CHECK:         %[[POS:.*]] = arith.cmpf ogt
// CHECK:         %[[NEG:.*]] = arith.cmpf olt
// CHECK-DAG:     %[[P:.*]] = arith.uitofp %[[POS]] : i1 to f32
// CHECK-DAG:     %[[N:.*]] = arith.uitofp %[[NEG]] : i1 to f32
// CHECK:         arith.subf %[[P]], %[[N]] : f32
func.func @sgn(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %0 = torch.aten.sgn %a : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// Logical ops read any dtype as truth values and produce i1.
// CHECK-LABEL: func.func @logical_and(
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: i64, %{{.*}}: i1):
// CHECK:           %[[XB:.*]] = arith.cmpf une, %[[X]]
// CHECK:           %[[YB:.*]] = arith.cmpi ne, %[[Y]]
// CHECK:           arith.andi %[[XB]], %[[YB]] : i1
func.func @logical_and(%a: !torch.vtensor<[4],f32>, %b: !torch.vtensor<[4],si64>) -> !torch.vtensor<[4],i1> {
  %0 = torch.aten.logical_and %a, %b : !torch.vtensor<[4],f32>, !torch.vtensor<[4],si64> -> !torch.vtensor<[4],i1>
  return %0 : !torch.vtensor<[4],i1>
}

// -----

// Python's remainder takes the divisor's sign: fmod, then a correction.
// CHECK-LABEL: func.func @remainder_scalar(
// CHECK:         %[[M:.*]] = arith.remf
// CHECK:         arith.select %{{.*}}, %{{.*}}, %[[M]] : f32
func.func @remainder_scalar(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %float = torch.constant.float 1.500000e+00
  %0 = torch.aten.remainder.Scalar %a, %float : !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// clamp_min is a NaN-propagating max against the scalar bound.
// CHECK-LABEL: func.func @clamp_min(
// CHECK:         arith.maximumf
func.func @clamp_min(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %float = torch.constant.float 2.500000e-01
  %0 = torch.aten.clamp_min %a, %float : !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

// elu selects between the scaled input and alpha * scale * expm1(x * input_scale).
// CHECK-LABEL: func.func @elu(
// CHECK:         math.expm1
// CHECK:         arith.cmpf ole
// CHECK:         arith.select
func.func @elu(%a: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %float = torch.constant.float 5.000000e-01
  %int1 = torch.constant.int 1
  %0 = torch.aten.elu %a, %float, %int1, %int1 : !torch.vtensor<[4],f32>, !torch.float, !torch.int, !torch.int -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}
