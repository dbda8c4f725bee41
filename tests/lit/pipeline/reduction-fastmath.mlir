// RUN: ltc-mlir-opt %s -ltc-reduction-fastmath | FileCheck %s

// CHECK-LABEL: func.func @reduction
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc,contract> : f32
func.func @reduction(%a: tensor<8x16xf32>, %c: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<8x16xf32>) outs(%c : tensor<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// Elementwise arithmetic keeps strict semantics.
// CHECK-LABEL: func.func @elementwise
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NOT: fastmath
func.func @elementwise(%a: tensor<8xf32>, %c: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%a : tensor<8xf32>) outs(%c : tensor<8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %x : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// A reduction that widens its input: the accumulation gets the flags, the
// casts do not (llvm.fpext/fptrunc cannot carry them).
// CHECK-LABEL: func.func @widening_reduction
// CHECK: %[[W:.*]] = arith.extf %{{[a-z0-9_]+}} : f32 to f64
// CHECK: arith.addf %{{.*}}, %[[W]] fastmath<reassoc,contract> : f64
// CHECK: arith.truncf %{{[a-z0-9_]+}} : f64 to f32
func.func @widening_reduction(%a: tensor<8x16xf32>, %c: tensor<8xf64>) -> tensor<8xf64> {
  %0 = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<8x16xf32>) outs(%c : tensor<8xf64>) {
  ^bb0(%x: f32, %acc: f64):
    %w = arith.extf %x : f32 to f64
    %s = arith.addf %acc, %w : f64
    %n = arith.truncf %s : f64 to f32
    %m = arith.extf %n : f32 to f64
    linalg.yield %m : f64
  } -> tensor<8xf64>
  return %0 : tensor<8xf64>
}
