// RUN: ltc-mlir-opt %s | ltc-mlir-opt | FileCheck %s

// Constants print and name their results the torch-mlir way.
// CHECK-LABEL: func.func @constants()
// CHECK: %int1 = torch.constant.int 1
// CHECK: %int-100 = torch.constant.int -100
// CHECK: %float1.0 = torch.constant.float 1.000000e+00
// CHECK: %float-2.5 = torch.constant.float -2.500000e+00
// CHECK: %float1e-05 = torch.constant.float 1.000000e-05
// CHECK: %true = torch.constant.bool true
// CHECK: %false = torch.constant.bool false
// CHECK: %none = torch.constant.none
// CHECK: %str = torch.constant.str "mean"
func.func @constants() -> (!torch.int, !torch.int, !torch.float, !torch.float,
                           !torch.float, !torch.bool, !torch.bool, !torch.none,
                           !torch.str) {
  %int1 = torch.constant.int 1
  %int-100 = torch.constant.int -100
  %float1.0 = torch.constant.float 1.000000e+00
  %0 = torch.constant.float -2.5
  %1 = torch.constant.float 1.0e-5
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %none = torch.constant.none
  %str = torch.constant.str "mean"
  return %int1, %int-100, %float1.0, %0, %1, %true, %false, %none, %str
      : !torch.int, !torch.int, !torch.float, !torch.float, !torch.float,
        !torch.bool, !torch.bool, !torch.none, !torch.str
}

// CHECK-LABEL: func.func @lists_and_literals(
// CHECK: torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
// CHECK: torch.prim.ListConstruct  : () -> !torch.list<int>
// CHECK: torch.prim.ListConstruct %arg0, %arg1 : (!torch.vtensor<[2,3],f32>, !torch.vtensor<[4,3],f32>) -> !torch.list<vtensor>
// CHECK: torch.prim.ListConstruct %none, %arg0 : (!torch.none, !torch.vtensor<[2,3],f32>) -> !torch.list<optional<vtensor>>
// CHECK: torch.vtensor.literal(dense<1.000000e+00> : tensor<f32>) : !torch.vtensor<[],f32>
// CHECK: torch.vtensor.literal(dense<[1, 2, 3]> : tensor<3xsi64>) : !torch.vtensor<[3],si64>
// CHECK: torch.vtensor.literal(dense<[1, 2]> : tensor<2xi64>) : !torch.vtensor<[2],si64>
// CHECK: torch.vtensor.literal(dense<true> : tensor<2x2xi1>) : !torch.vtensor<[2,2],i1>
func.func @lists_and_literals(%a: !torch.vtensor<[2,3],f32>,
                              %b: !torch.vtensor<[4,3],f32>) {
  %int1 = torch.constant.int 1
  %none = torch.constant.none
  %0 = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %1 = torch.prim.ListConstruct : () -> !torch.list<int>
  %2 = torch.prim.ListConstruct %a, %b : (!torch.vtensor<[2,3],f32>, !torch.vtensor<[4,3],f32>) -> !torch.list<vtensor>
  %3 = torch.prim.ListConstruct %none, %a : (!torch.none, !torch.vtensor<[2,3],f32>) -> !torch.list<optional<vtensor>>
  %4 = torch.vtensor.literal(dense<1.0> : tensor<f32>) : !torch.vtensor<[],f32>
  %5 = torch.vtensor.literal(dense<[1, 2, 3]> : tensor<3xsi64>) : !torch.vtensor<[3],si64>
  %6 = torch.vtensor.literal(dense<[1, 2]> : tensor<2xi64>) : !torch.vtensor<[2],si64>
  %7 = torch.vtensor.literal(dense<true> : tensor<2x2xi1>) : !torch.vtensor<[2,2],i1>
  return
}

// CHECK-LABEL: func.func @scalar_extraction(
// CHECK: torch.aten.Float.Tensor %arg0 : !torch.vtensor<[],f64> -> !torch.float
// CHECK: torch.aten.Int.Tensor %arg1 : !torch.vtensor<[],si64> -> !torch.int
// CHECK: torch.aten.Bool.Tensor %arg2 : !torch.vtensor<[],i1> -> !torch.bool
func.func @scalar_extraction(%f: !torch.vtensor<[],f64>,
                             %i: !torch.vtensor<[],si64>,
                             %b: !torch.vtensor<[],i1>) {
  %0 = torch.aten.Float.Tensor %f : !torch.vtensor<[],f64> -> !torch.float
  %1 = torch.aten.Int.Tensor %i : !torch.vtensor<[],si64> -> !torch.int
  %2 = torch.aten.Bool.Tensor %b : !torch.vtensor<[],i1> -> !torch.bool
  return
}

// A sample of the generated ATen ops.
// CHECK-LABEL: func.func @aten(
// CHECK: torch.aten.add.Tensor %arg0, %arg1, %int1 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
// CHECK: torch.aten.add.Scalar %arg0, %float1.0, %int1 : !torch.vtensor<[2,3],f32>, !torch.float, !torch.int -> !torch.vtensor<[2,3],f32>
// CHECK: torch.aten.mm %arg0, %arg4 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32> -> !torch.vtensor<[2,4],f32>
// CHECK: torch.aten.view_copy %arg0, %{{.*}} : !torch.vtensor<[2,3],f32>, !torch.list<int> -> !torch.vtensor<[6],f32>
// CHECK: torch.aten.transpose_copy.int %arg0, %int0, %int1 : !torch.vtensor<[2,3],f32>, !torch.int, !torch.int -> !torch.vtensor<[3,2],f32>
// CHECK: torch.aten.sum.dim_IntList %arg0, %{{.*}}, %false, %none : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[3],f32>
// CHECK: torch.aten.sum.dim_IntList %arg0, %none, %false, %int6 : !torch.vtensor<[2,3],f32>, !torch.none, !torch.bool, !torch.int -> !torch.vtensor<[],f32>
// CHECK: torch.aten._log_softmax %arg2, %int1, %false : !torch.vtensor<[4,10],f32>, !torch.int, !torch.bool -> !torch.vtensor<[4,10],f32>
// CHECK: %result0, %result1 = torch.aten.nll_loss_forward %arg2, %arg3, %none, %int1, %int-100 : !torch.vtensor<[4,10],f32>, !torch.vtensor<[4],si64>, !torch.none, !torch.int, !torch.int -> !torch.vtensor<[],f32>, !torch.vtensor<[],f32>
// CHECK: torch.aten.nll_loss_backward %{{.*}}, %arg2, %arg3, %none, %int1, %int-100, %result1 : !torch.vtensor<[],f32>, !torch.vtensor<[4,10],f32>, !torch.vtensor<[4],si64>, !torch.none, !torch.int, !torch.int, !torch.vtensor<[],f32> -> !torch.vtensor<[4,10],f32>
// CHECK: torch.aten._to_copy %arg0, %int6, %none, %none, %none, %false, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none, !torch.none, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[2,3],f32>
// CHECK: torch.aten.clamp %arg0, %none, %float1.0 : !torch.vtensor<[2,3],f32>, !torch.none, !torch.float -> !torch.vtensor<[2,3],f32>
// CHECK: torch.aten.gelu %arg0, %str : !torch.vtensor<[2,3],f32>, !torch.str -> !torch.vtensor<[2,3],f32>
// CHECK: torch.aten.cat %{{.*}}, %int0 : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[4,3],f32>
// CHECK: torch.aten.where.self %{{.*}}, %arg0, %arg0 : !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
// CHECK: torch.aten.zero %arg0 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
// CHECK: torch.aten.embedding %arg0, %arg3, %int-1, %false, %false : !torch.vtensor<[2,3],f32>, !torch.vtensor<[4],si64>, !torch.int, !torch.bool, !torch.bool -> !torch.vtensor<[4,3],f32>
func.func @aten(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3],f32>,
                %x: !torch.vtensor<[4,10],f32>, %t: !torch.vtensor<[4],si64>,
                %m: !torch.vtensor<[3,4],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int6 = torch.constant.int 6
  %int-1 = torch.constant.int -1
  %int-100 = torch.constant.int -100
  %float1.0 = torch.constant.float 1.0
  %false = torch.constant.bool false
  %none = torch.constant.none
  %str = torch.constant.str "tanh"
  %0 = torch.aten.add.Tensor %a, %b, %int1 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.add.Scalar %a, %float1.0, %int1 : !torch.vtensor<[2,3],f32>, !torch.float, !torch.int -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.mm %a, %m : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32> -> !torch.vtensor<[2,4],f32>
  %size = torch.prim.ListConstruct %int6 : (!torch.int) -> !torch.list<int>
  %3 = torch.aten.view_copy %a, %size : !torch.vtensor<[2,3],f32>, !torch.list<int> -> !torch.vtensor<[6],f32>
  %4 = torch.aten.transpose_copy.int %a, %int0, %int1 : !torch.vtensor<[2,3],f32>, !torch.int, !torch.int -> !torch.vtensor<[3,2],f32>
  %dims = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %5 = torch.aten.sum.dim_IntList %a, %dims, %false, %none : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[3],f32>
  %6 = torch.aten.sum.dim_IntList %a, %none, %false, %int6 : !torch.vtensor<[2,3],f32>, !torch.none, !torch.bool, !torch.int -> !torch.vtensor<[],f32>
  %7 = torch.aten._log_softmax %x, %int1, %false : !torch.vtensor<[4,10],f32>, !torch.int, !torch.bool -> !torch.vtensor<[4,10],f32>
  %8:2 = torch.aten.nll_loss_forward %x, %t, %none, %int1, %int-100 : !torch.vtensor<[4,10],f32>, !torch.vtensor<[4],si64>, !torch.none, !torch.int, !torch.int -> !torch.vtensor<[],f32>, !torch.vtensor<[],f32>
  %9 = torch.aten.nll_loss_backward %8#0, %x, %t, %none, %int1, %int-100, %8#1 : !torch.vtensor<[],f32>, !torch.vtensor<[4,10],f32>, !torch.vtensor<[4],si64>, !torch.none, !torch.int, !torch.int, !torch.vtensor<[],f32> -> !torch.vtensor<[4,10],f32>
  %10 = torch.aten._to_copy %a, %int6, %none, %none, %none, %false, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none, !torch.none, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[2,3],f32>
  %11 = torch.aten.clamp %a, %none, %float1.0 : !torch.vtensor<[2,3],f32>, !torch.none, !torch.float -> !torch.vtensor<[2,3],f32>
  %12 = torch.aten.gelu %a, %str : !torch.vtensor<[2,3],f32>, !torch.str -> !torch.vtensor<[2,3],f32>
  %list = torch.prim.ListConstruct %a, %a : (!torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>) -> !torch.list<vtensor>
  %13 = torch.aten.cat %list, %int0 : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[4,3],f32>
  %cond = torch.aten.gt.Scalar %a, %int0 : !torch.vtensor<[2,3],f32>, !torch.int -> !torch.vtensor<[2,3],i1>
  %14 = torch.aten.where.self %cond, %a, %a : !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %15 = torch.aten.zero %a : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %16 = torch.aten.embedding %a, %t, %int-1, %false, %false : !torch.vtensor<[2,3],f32>, !torch.vtensor<[4],si64>, !torch.int, !torch.bool, !torch.bool -> !torch.vtensor<[4,3],f32>
  return
}

// Ops with three results, and lists of bools/ints from `bool[3]`/`int[2]`.
// CHECK-LABEL: func.func @multi_result(
// CHECK: %result0, %result1, %result2 = torch.aten.convolution_backward %arg0, %arg1, %arg2, %none, %{{.*}}, %{{.*}}, %{{.*}}, %false, %{{.*}}, %int1, %{{.*}} : !torch.vtensor<[1,4,6,6],f32>, !torch.vtensor<[1,3,8,8],f32>, !torch.vtensor<[4,3,3,3],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int, !torch.list<bool> -> !torch.vtensor<[1,3,8,8],f32>, !torch.vtensor<[4,3,3,3],f32>, !torch.vtensor<[4],f32>
// CHECK: %{{.*}}, %{{.*}} = torch.aten.max_pool2d_with_indices %arg1, %{{.*}} : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,3,4,4],f32>, !torch.vtensor<[1,3,4,4],si64>
// CHECK: torch.aten.native_layer_norm %arg1, %{{.*}}, %none, %none, %float1e-05 : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.none, !torch.none, !torch.float -> !torch.vtensor<[1,3,8,8],f32>, !torch.vtensor<[1,1,1,1],f32>, !torch.vtensor<[1,1,1,1],f32>
func.func @multi_result(%g: !torch.vtensor<[1,4,6,6],f32>,
                        %x: !torch.vtensor<[1,3,8,8],f32>,
                        %w: !torch.vtensor<[4,3,3,3],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %none = torch.constant.none
  %eps = torch.constant.float 1.0e-5
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %twos = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %mask = torch.prim.ListConstruct %true, %true, %false : (!torch.bool, !torch.bool, !torch.bool) -> !torch.list<bool>
  %0:3 = torch.aten.convolution_backward %g, %x, %w, %none, %ones, %zeros, %ones, %false, %zeros, %int1, %mask : !torch.vtensor<[1,4,6,6],f32>, !torch.vtensor<[1,3,8,8],f32>, !torch.vtensor<[4,3,3,3],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int, !torch.list<bool> -> !torch.vtensor<[1,3,8,8],f32>, !torch.vtensor<[4,3,3,3],f32>, !torch.vtensor<[4],f32>
  %1:2 = torch.aten.max_pool2d_with_indices %x, %twos, %twos, %zeros, %ones, %false : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,3,4,4],f32>, !torch.vtensor<[1,3,4,4],si64>
  %shape = torch.prim.ListConstruct %int2 : (!torch.int) -> !torch.list<int>
  %2:3 = torch.aten.native_layer_norm %x, %shape, %none, %none, %eps : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.none, !torch.none, !torch.float -> !torch.vtensor<[1,3,8,8],f32>, !torch.vtensor<[1,1,1,1],f32>, !torch.vtensor<[1,1,1,1],f32>
  return
}
