// RUN: ltc-mlir-opt %s -canonicalize | FileCheck %s

// Constants are ConstantLike with folders: equal ones are merged and unused
// ones dropped.

// CHECK-LABEL: func.func @dedup()
// CHECK-NEXT: %int1 = torch.constant.int 1
// CHECK-NEXT: %float1.0 = torch.constant.float 1.000000e+00
// CHECK-NEXT: %none = torch.constant.none
// CHECK-NEXT: %str = torch.constant.str "sum"
// CHECK-NEXT: return %int1, %int1, %float1.0, %float1.0, %none, %none, %str
func.func @dedup() -> (!torch.int, !torch.int, !torch.float, !torch.float,
                       !torch.none, !torch.none, !torch.str) {
  %0 = torch.constant.int 1
  %1 = torch.constant.int 1
  %2 = torch.constant.float 1.0
  %3 = torch.constant.float 1.0
  %4 = torch.constant.none
  %5 = torch.constant.none
  %6 = torch.constant.str "sum"
  %unused = torch.constant.bool true
  %lit = torch.vtensor.literal(dense<1.0> : tensor<f32>) : !torch.vtensor<[],f32>
  return %0, %1, %2, %3, %4, %5, %6 : !torch.int, !torch.int, !torch.float,
      !torch.float, !torch.none, !torch.none, !torch.str
}
