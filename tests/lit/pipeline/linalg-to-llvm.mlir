// RUN: ltc-mlir-opt %s -ltc-linalg-to-llvm | FileCheck %s
// RUN: ltc-mlir-opt %s -ltc-linalg-to-llvm="entry-symbol=my_entry" | FileCheck %s --check-prefix=NAMED

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
