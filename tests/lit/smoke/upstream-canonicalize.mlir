// RUN: ltc-mlir-opt %s -canonicalize | FileCheck %s

// The driver runs upstream passes: a constant-folded add disappears.
// CHECK-LABEL: func.func @fold
// CHECK: %[[C:.*]] = arith.constant 5 : i32
// CHECK-NEXT: return %[[C]]
func.func @fold() -> i32 {
  %a = arith.constant 2 : i32
  %b = arith.constant 3 : i32
  %c = arith.addi %a, %b : i32
  return %c : i32
}
