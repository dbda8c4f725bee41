// RUN: ltc-mlir-opt %s -split-input-file -verify-diagnostics -ltc-emit-entry-wrapper | FileCheck %s
// RUN: ltc-mlir-opt %s -split-input-file -verify-diagnostics -ltc-emit-entry-wrapper="entry-symbol=run graph-function=" | FileCheck %s --check-prefix=NAMED

// CHECK-LABEL: llvm.func internal @graph(
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.noalias},
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.noalias})
// CHECK-LABEL: llvm.func @ltc_graph_entry(
// CHECK-SAME: %[[BUFFERS:.*]]: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[BUFFERS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[A0:.*]] = llvm.load %[[P0]] {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[BUFFERS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[A1:.*]] = llvm.load %[[P1]] {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @graph(%[[A0]], %[[A1]]) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK: llvm.return
// NAMED: llvm.func @run(
llvm.func @graph(%in: !llvm.ptr, %out: !llvm.ptr) {
  %0 = llvm.load %in : !llvm.ptr -> f32
  llvm.store %0, %out : f32, !llvm.ptr
  llvm.return
}

// -----

// expected-error @+1 {{graph function must return nothing}}
llvm.func @graph(%in: !llvm.ptr) -> f32 {
  %0 = llvm.load %in : !llvm.ptr -> f32
  llvm.return %0 : f32
}

// -----

// expected-error @+1 {{graph parameters must all be bare pointers}}
llvm.func @graph(%in: !llvm.ptr, %n: i64) {
  llvm.return
}
