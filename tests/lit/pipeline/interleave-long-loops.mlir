// RUN: ltc-mlir-opt %s -ltc-math-approximation -ltc-interleave-long-loops | FileCheck %s
// RUN: ltc-mlir-opt %s -ltc-math-approximation -ltc-interleave-long-loops \
// RUN:   -convert-scf-to-cf -convert-cf-to-llvm | FileCheck %s --check-prefix=LATCH

// CHECK-DAG: #[[INTERLEAVE:.*]] = #llvm.loop_interleave<count = 4 : i32>
// CHECK-DAG: #[[ANNOTATION:.*]] = #llvm.loop_annotation<interleave = #[[INTERLEAVE]]>

// An erf and a tanh, approximated, make a long chain per element.
// CHECK-LABEL: func.func @gelu_tanh
// CHECK: scf.for
// CHECK: } {loop_annotation = #[[ANNOTATION]]}
// The latch branch carries it as its own loop annotation.
// LATCH-LABEL: func.func @gelu_tanh
// LATCH: llvm.br ^{{.*}} {loop_annotation = #{{.*}}}
func.func @gelu_tanh(%a: memref<1024xf32>, %out: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c1024 step %c1 {
    %x = memref.load %a[%i] : memref<1024xf32>
    %e = math.erf %x : f32
    %p = arith.addf %e, %one : f32
    %h = arith.mulf %x, %half : f32
    %g = arith.mulf %h, %p : f32
    %t = math.tanh %g : f32
    memref.store %t, %out[%i] : memref<1024xf32>
  }
  return
}

// A short body is left to LLVM's own choice.
// CHECK-LABEL: func.func @add
// CHECK-NOT: loop_annotation
// CHECK: return
func.func @add(%a: memref<1024xf32>, %b: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  scf.for %i = %c0 to %c1024 step %c1 {
    %x = memref.load %a[%i] : memref<1024xf32>
    %y = memref.load %b[%i] : memref<1024xf32>
    %s = arith.addf %x, %y : f32
    memref.store %s, %b[%i] : memref<1024xf32>
  }
  return
}

// Only the innermost loop of a nest, however long its body.
// CHECK-LABEL: func.func @nest
// CHECK: scf.for
// CHECK: scf.for
// CHECK: } {loop_annotation = #[[ANNOTATION]]}
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @nest(%a: memref<4x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c1024 = arith.constant 1024 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c1024 step %c1 {
      %x = memref.load %a[%i, %j] : memref<4x1024xf32>
      %e = math.erf %x : f32
      memref.store %e, %a[%i, %j] : memref<4x1024xf32>
    }
  }
  return
}
