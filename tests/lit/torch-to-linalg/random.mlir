// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// uniform: the key's two halves feed one parallel generic; each element hashes
// (mixed seed, offset + row-major index) and scales 24 bits into [a, b).
// CHECK-LABEL: func.func @uniform(
// CHECK-SAME:      %[[KEY:.*]]: tensor<2xi64>) -> tensor<2x3xf32>
// CHECK:         %[[SEED:.*]] = tensor.extract %[[KEY]][%{{.*}}] : tensor<2xi64>
// CHECK:         %[[OFFSET:.*]] = tensor.extract %[[KEY]][%{{.*}}] : tensor<2xi64>
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:           %[[I0:.*]] = linalg.index 0 : index
// CHECK:           %[[I1:.*]] = linalg.index 1 : index
// CHECK:           %[[ROW:.*]] = arith.muli %[[I0]], %{{.*}} : index
// CHECK:           %[[LIN:.*]] = arith.addi %[[ROW]], %[[I1]] : index
// CHECK:           %[[LIN64:.*]] = arith.index_cast %[[LIN]] : index to i64
// CHECK:           arith.addi %[[OFFSET]], %[[LIN64]] : i64
// CHECK:           arith.shrui %{{.*}}, %c40_i64
// CHECK:           arith.uitofp %{{.*}} : i64 to f32
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           %[[V:.*]] = arith.addf
// CHECK:           linalg.yield %[[V]] : f32
func.func @uniform(%key: !torch.vtensor<[2],si64>) -> !torch.vtensor<[2,3],f32> {
  %str = torch.constant.str "uniform"
  %a = torch.constant.float -1.0
  %b = torch.constant.float 3.0
  %0 = torch.ltc.random %key, %str, %a, %b : !torch.vtensor<[2],si64>, !torch.str, !torch.float, !torch.float -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}

// -----

// normal: Box-Muller from two bit fields of one hash.
// CHECK-LABEL: func.func @normal(
// CHECK:         linalg.generic
// CHECK:           math.log
// CHECK:           math.sqrt
// CHECK:           math.cos
// CHECK:           linalg.yield %{{.*}} : f32
func.func @normal(%key: !torch.vtensor<[2],si64>) -> !torch.vtensor<[8],f32> {
  %str = torch.constant.str "normal"
  %a = torch.constant.float 0.0
  %b = torch.constant.float 1.0
  %0 = torch.ltc.random %key, %str, %a, %b : !torch.vtensor<[2],si64>, !torch.str, !torch.float, !torch.float -> !torch.vtensor<[8],f32>
  return %0 : !torch.vtensor<[8],f32>
}

// -----

// bernoulli into bool: u < p selects b (1.0) else 0, then `!= 0`.
// CHECK-LABEL: func.func @bernoulli_bool(
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi1>)
// CHECK:           %[[HIT:.*]] = arith.cmpf olt
// CHECK:           %[[SEL:.*]] = arith.select %[[HIT]]
// CHECK:           %[[B:.*]] = arith.cmpf une, %[[SEL]]
// CHECK:           linalg.yield %[[B]] : i1
func.func @bernoulli_bool(%key: !torch.vtensor<[2],si64>) -> !torch.vtensor<[4],i1> {
  %str = torch.constant.str "bernoulli"
  %p = torch.constant.float 0.25
  %one = torch.constant.float 1.0
  %0 = torch.ltc.random %key, %str, %p, %one : !torch.vtensor<[2],si64>, !torch.str, !torch.float, !torch.float -> !torch.vtensor<[4],i1>
  return %0 : !torch.vtensor<[4],i1>
}

// -----

// float64 uses 53 bits; a 0-d result uses index 0.
// CHECK-LABEL: func.func @uniform_f64_0d(
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<f64>)
// CHECK:           arith.constant 0 : index
// CHECK:           arith.shrui %{{.*}}, %c11_i64
// CHECK:           arith.uitofp %{{.*}} : i64 to f64
func.func @uniform_f64_0d(%key: !torch.vtensor<[2],si64>) -> !torch.vtensor<[],f64> {
  %str = torch.constant.str "uniform"
  %a = torch.constant.float 0.0
  %b = torch.constant.float 1.0
  %0 = torch.ltc.random %key, %str, %a, %b : !torch.vtensor<[2],si64>, !torch.str, !torch.float, !torch.float -> !torch.vtensor<[],f64>
  return %0 : !torch.vtensor<[],f64>
}

// -----

// An unknown distribution or an integer uniform is not converted.
func.func @unknown_distribution(%key: !torch.vtensor<[2],si64>) -> !torch.vtensor<[4],f32> {
  %str = torch.constant.str "poisson"
  %a = torch.constant.float 0.0
  %b = torch.constant.float 1.0
  // expected-error @+1 {{not supported by convert-torch-to-linalg}}
  %0 = torch.ltc.random %key, %str, %a, %b : !torch.vtensor<[2],si64>, !torch.str, !torch.float, !torch.float -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// -----

func.func @integer_uniform(%key: !torch.vtensor<[2],si64>) -> !torch.vtensor<[4],si64> {
  %str = torch.constant.str "uniform"
  %a = torch.constant.float 0.0
  %b = torch.constant.float 1.0
  // expected-error @+1 {{not supported by convert-torch-to-linalg}}
  %0 = torch.ltc.random %key, %str, %a, %b : !torch.vtensor<[2],si64>, !torch.str, !torch.float, !torch.float -> !torch.vtensor<[4],si64>
  return %0 : !torch.vtensor<[4],si64>
}
