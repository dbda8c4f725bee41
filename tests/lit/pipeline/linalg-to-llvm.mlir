// RUN: ltc-mlir-opt %s -split-input-file -ltc-linalg-to-llvm | FileCheck %s
// RUN: ltc-mlir-opt %s -split-input-file -ltc-linalg-to-llvm="entry-symbol=my_entry" | FileCheck %s --check-prefix=NAMED
// Every output translates to LLVM IR.
// RUN: ltc-mlir-opt %s -split-input-file -ltc-linalg-to-llvm | mlir-translate -split-input-file --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// The graph becomes an internal function on bare, noalias, aligned pointers
// (inputs, then outputs); the entry loads each pointer from its array.
// CHECK-LABEL: llvm.func internal @graph(
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.noalias}
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.noalias}
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.noalias}
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.noalias})
// CHECK-NOT: tensor<
// CHECK-NOT: memref<
// CHECK-NOT: linalg.
// CHECK-NOT: math.exp
// The returned input is copied into its output buffer.
// CHECK: "llvm.intr.memcpy"
// CHECK-LABEL: llvm.func @ltc_graph_entry(%{{.*}}: !llvm.ptr)
// CHECK-COUNT-4: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @graph(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT: llvm.return
// CHECK-NOT: memrefCopy

// NAMED: llvm.func @my_entry(

// LLVMIR: define internal void @graph(
// LLVMIR: define void @ltc_graph_entry(ptr

#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @graph(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.exp %x : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %1, %a : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A reduction that widens its input, then f16 arithmetic (computed in f32):
// casts carry no fast-math flags (the LLVM dialect's fpext/fptrunc have
// none), the accumulation does.
// CHECK-LABEL: llvm.func internal @graph(
// CHECK: llvm.fpext %{{[0-9]+}} : f16 to f32
// CHECK: llvm.fadd %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<contract, reassoc>} : f32
// CHECK: llvm.fptrunc %{{[0-9]+}} : f32 to f16
// CHECK-NOT: arith.fastmath
// CHECK-LABEL: llvm.func @ltc_graph_entry(
// LLVMIR: define internal void @graph(
// LLVMIR: fpext half %{{.*}} to float
// LLVMIR: fadd reassoc contract float
func.func @graph(%a: tensor<8x16xf16>) -> tensor<8xf16> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<8x16xf16>) outs(%f : tensor<8xf32>) {
  ^bb0(%x: f16, %acc: f32):
    %w = arith.extf %x : f16 to f32
    %s = arith.addf %acc, %w : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %eh = tensor.empty() : tensor<8xf16>
  %1 = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%0 : tensor<8xf32>) outs(%eh : tensor<8xf16>) {
  ^bb0(%x: f32, %o: f16):
    %t = arith.truncf %x : f32 to f16
    %d = arith.addf %t, %t : f16
    linalg.yield %d : f16
  } -> tensor<8xf16>
  return %1 : tensor<8xf16>
}

// -----

// Integer powers with run-time exponents become outlined loops, not calls
// into libraries.
// CHECK-LABEL: llvm.func internal @graph(
// CHECK: llvm.call @__mlir_math_ipowi_i64(
// CHECK: llvm.call @__mlir_math_fpowi_f32_i32(
// CHECK-NOT: math.
// CHECK-DAG: llvm.func linkonce_odr @__mlir_math_ipowi_i64(
// CHECK-DAG: llvm.func linkonce_odr @__mlir_math_fpowi_f32_i32(
// LLVMIR: define internal void @graph(
// LLVMIR: define linkonce_odr i64 @__mlir_math_ipowi_i64(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%a: tensor<8xi64>, %b: tensor<8xi64>, %x: tensor<8xf32>, %n: tensor<8xi32>) -> (tensor<8xi64>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<8xi64>
  %ef = tensor.empty() : tensor<8xf32>
  %0:2 = linalg.generic {indexing_maps = [#map, #map, #map, #map, #map, #map], iterator_types = ["parallel"]}
      ins(%a, %b, %x, %n : tensor<8xi64>, tensor<8xi64>, tensor<8xf32>, tensor<8xi32>) outs(%e, %ef : tensor<8xi64>, tensor<8xf32>) {
  ^bb0(%p: i64, %q: i64, %y: f32, %k: i32, %o: i64, %of: f32):
    %r = math.ipowi %p, %q : i64
    %f = math.fpowi %y, %k : f32, i32
    linalg.yield %r, %f : i64, f32
  } -> (tensor<8xi64>, tensor<8xf32>)
  return %0#0, %0#1 : tensor<8xi64>, tensor<8xf32>
}

// -----

// A computed value and an input, each returned twice: four output buffers,
// the first computed in place, the other three copied.
// CHECK-LABEL: llvm.func internal @graph(
// CHECK-SAME: %[[IN:[a-z0-9]+]]: !llvm.ptr
// CHECK-SAME: %[[OUT0:[a-z0-9]+]]: !llvm.ptr
// CHECK-SAME: %[[OUT1:[a-z0-9]+]]: !llvm.ptr
// CHECK-SAME: %[[OUT2:[a-z0-9]+]]: !llvm.ptr
// CHECK-SAME: %[[OUT3:[a-z0-9]+]]: !llvm.ptr
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK-DAG: "llvm.intr.memcpy"(%[[OUT2]], %[[OUT0]],
// CHECK-DAG: "llvm.intr.memcpy"(%[[OUT1]], %[[IN]],
// CHECK-DAG: "llvm.intr.memcpy"(%[[OUT3]], %[[IN]],
// CHECK-LABEL: llvm.func @ltc_graph_entry(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%a: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %e = tensor.empty() : tensor<5xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%a : tensor<5xf32>) outs(%e : tensor<5xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %x : f32
    linalg.yield %s : f32
  } -> tensor<5xf32>
  return %0, %a, %0, %a : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}
