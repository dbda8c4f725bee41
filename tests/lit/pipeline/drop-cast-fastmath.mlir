// RUN: ltc-mlir-opt %s -ltc-drop-cast-fastmath | FileCheck %s

// Float casts lose their flags; other arithmetic keeps them.
// CHECK-LABEL: func.func @casts
// CHECK: %[[W:.*]] = arith.extf %{{[a-z0-9_]+}} : f16 to f32
// CHECK: %[[M:.*]] = arith.mulf %[[W]], %[[W]] fastmath<fast> : f32
// CHECK: arith.truncf %[[M]] : f32 to f16
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<contract> : f16
func.func @casts(%x: f16) -> f16 {
  %w = arith.extf %x fastmath<contract> : f16 to f32
  %m = arith.mulf %w, %w fastmath<fast> : f32
  %t = arith.truncf %m fastmath<fast> : f32 to f16
  %a = arith.addf %t, %x fastmath<contract> : f16
  return %a : f16
}
