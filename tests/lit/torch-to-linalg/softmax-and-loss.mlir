// RUN: ltc-mlir-opt %s -convert-torch-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Max reduction, sum of exp(x - max), then x - max - log(sum).
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$ROW:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @log_softmax(
// CHECK-SAME:      %[[X:.*]]: tensor<4x7xf32>) -> tensor<4x7xf32>
// CHECK:         %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK:         %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x7xf32>) outs(%[[MAXINIT]] : tensor<4xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MAX]] : tensor<4x7xf32>, tensor<4xf32>)
// CHECK:           %[[SHIFT:.*]] = arith.subf
// CHECK:           %[[E:.*]] = math.exp %[[SHIFT]]
// CHECK:           arith.addf %[[E]]
// CHECK:         %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ROW]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]], %[[SUM]] :
// CHECK:           %[[S:.*]] = arith.subf
// CHECK:           %[[L:.*]] = math.log
// CHECK:           %[[R:.*]] = arith.subf %[[S]], %[[L]]
// CHECK:           linalg.yield %[[R]]
// CHECK:         return %[[OUT]]
func.func @log_softmax(%x: !torch.vtensor<[4,7],f32>) -> !torch.vtensor<[4,7],f32> {
  %int1 = torch.constant.int 1
  %false = torch.constant.bool false
  %0 = torch.aten._log_softmax %x, %int1, %false : !torch.vtensor<[4,7],f32>, !torch.int, !torch.bool -> !torch.vtensor<[4,7],f32>
  return %0 : !torch.vtensor<[4,7],f32>
}

// -----

// A negative dim reduces the middle dim; softmax divides exp by the sum.
// CHECK-DAG:   #[[$RED:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @softmax(
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]{{.*}} outs(%{{.*}} : tensor<2x5xf32>)
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]{{.*}} outs(%{{.*}} : tensor<2x5xf32>)
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[$RED]], #[[$RED]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK:           %[[E:.*]] = math.exp
// CHECK:           %[[D:.*]] = arith.divf %[[E]]
// CHECK:           linalg.yield %[[D]]
func.func @softmax(%x: !torch.vtensor<[2,3,5],f32>) -> !torch.vtensor<[2,3,5],f32> {
  %int-2 = torch.constant.int -2
  %false = torch.constant.bool false
  %0 = torch.aten._softmax %x, %int-2, %false : !torch.vtensor<[2,3,5],f32>, !torch.int, !torch.bool -> !torch.vtensor<[2,3,5],f32>
  return %0 : !torch.vtensor<[2,3,5],f32>
}

// -----

// mean: ignored targets are read at index 0 (any target is clamped into
// range) and contribute nothing; the loss sum is divided by the weight sum.
// CHECK-DAG:   #[[$N:map[0-9]*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG:   #[[$S:map[0-9]*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @nll_loss_mean(
// CHECK-SAME:      %[[X:.*]]: tensor<4x7xf32>, %[[T:.*]]: tensor<4xi64>, %[[W:.*]]: tensor<7xf32>)
// CHECK:         %[[IGN:.*]] = arith.constant -100 : i64
// CHECK:         %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[$N]], #[[$S]], #[[$S]]], iterator_types = ["reduction"]} ins(%[[T]] : tensor<4xi64>) outs(%{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>)
// CHECK-NEXT:    ^bb0(%[[TV:.*]]: i64, %[[LACC:.*]]: f32, %[[WACC:.*]]: f32):
// CHECK-NEXT:      %[[ISIGN:.*]] = arith.cmpi eq, %[[TV]], %[[IGN]] : i64
// CHECK-NEXT:      %[[SAFE:.*]] = arith.select %[[ISIGN]], %{{.*}}, %[[TV]] : i64
// CHECK-NEXT:      %[[LO:.*]] = arith.maxsi %[[SAFE]], %{{.*}} : i64
// CHECK-NEXT:      %[[HI:.*]] = arith.minsi %[[LO]], %{{.*}} : i64
// CHECK-NEXT:      %[[TI:.*]] = arith.index_cast %[[HI]] : i64 to index
// CHECK-NEXT:      %[[NI:.*]] = linalg.index 0 : index
// CHECK-NEXT:      %[[XV:.*]] = tensor.extract %[[X]][%[[NI]], %[[TI]]] : tensor<4x7xf32>
// CHECK-NEXT:      %[[WV:.*]] = tensor.extract %[[W]][%[[TI]]] : tensor<7xf32>
// CHECK-NEXT:      %[[XW:.*]] = arith.mulf %[[XV]], %[[WV]] : f32
// CHECK-NEXT:      %[[NEG:.*]] = arith.negf %[[XW]] : f32
// CHECK-NEXT:      %[[LOSS:.*]] = arith.select %[[ISIGN]], %{{.*}}, %[[NEG]] : f32
// CHECK-NEXT:      %[[WEFF:.*]] = arith.select %[[ISIGN]], %{{.*}}, %[[WV]] : f32
// CHECK-NEXT:      %[[L2:.*]] = arith.addf %[[LACC]], %[[LOSS]] : f32
// CHECK-NEXT:      %[[W2:.*]] = arith.addf %[[WACC]], %[[WEFF]] : f32
// CHECK-NEXT:      linalg.yield %[[L2]], %[[W2]] : f32, f32
// CHECK:         %[[LS:.*]] = tensor.extract %[[R]]#0[] : tensor<f32>
// CHECK:         %[[WS:.*]] = tensor.extract %[[R]]#1[] : tensor<f32>
// CHECK:         %[[MEAN:.*]] = arith.divf %[[LS]], %[[WS]] : f32
// CHECK:         %[[OUT:.*]] = tensor.from_elements %[[MEAN]] : tensor<f32>
// CHECK:         return %[[OUT]], %[[R]]#1
func.func @nll_loss_mean(%x: !torch.vtensor<[4,7],f32>, %t: !torch.vtensor<[4],si64>, %w: !torch.vtensor<[7],f32>) -> (!torch.vtensor<[],f32>, !torch.vtensor<[],f32>) {
  %int1 = torch.constant.int 1
  %int-100 = torch.constant.int -100
  %0:2 = torch.aten.nll_loss_forward %x, %t, %w, %int1, %int-100 : !torch.vtensor<[4,7],f32>, !torch.vtensor<[4],si64>, !torch.vtensor<[7],f32>, !torch.int, !torch.int -> !torch.vtensor<[],f32>, !torch.vtensor<[],f32>
  return %0#0, %0#1 : !torch.vtensor<[],f32>, !torch.vtensor<[],f32>
}

// -----

// reduction='none' on a 2-d input: per-sample losses, total_weight is 0.
// CHECK-LABEL: func.func @nll_loss_none(
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[L:.*]] = linalg.generic {{.*}}iterator_types = ["parallel"]{{.*}} outs(%{{.*}} : tensor<4xf32>)
// CHECK-NOT:       arith.mulf
// CHECK:         %[[TW:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<f32>)
// CHECK:         return %[[L]], %[[TW]]
func.func @nll_loss_none(%x: !torch.vtensor<[4,7],f32>, %t: !torch.vtensor<[4],si64>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[],f32>) {
  %int0 = torch.constant.int 0
  %int-100 = torch.constant.int -100
  %none = torch.constant.none
  %0:2 = torch.aten.nll_loss_forward %x, %t, %none, %int0, %int-100 : !torch.vtensor<[4,7],f32>, !torch.vtensor<[4],si64>, !torch.none, !torch.int, !torch.int -> !torch.vtensor<[4],f32>, !torch.vtensor<[],f32>
  return %0#0, %0#1 : !torch.vtensor<[4],f32>, !torch.vtensor<[],f32>
}

// -----

// The gradient is -grad / total_weight at the (non-ignored) target, else 0.
// CHECK-DAG:   #[[$T:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[$S:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @nll_loss_backward_mean(
// CHECK-SAME:      %[[G:.*]]: tensor<f32>, %{{.*}}: tensor<4x7xf32>, %[[TGT:.*]]: tensor<4xi64>, %[[TW:.*]]: tensor<f32>)
// CHECK:         linalg.generic {indexing_maps = [#[[$T]], #[[$S]], #[[$S]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[TGT]], %[[G]], %[[TW]] : tensor<4xi64>, tensor<f32>, tensor<f32>)
// CHECK-NEXT:    ^bb0(%[[TV:.*]]: i64, %[[GV:.*]]: f32, %[[TWV:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[C:.*]] = linalg.index 1 : index
// CHECK-NEXT:      %[[CI:.*]] = arith.index_cast %[[C]] : index to i64
// CHECK-NEXT:      %[[IST:.*]] = arith.cmpi eq, %[[TV]], %[[CI]] : i64
// CHECK-NEXT:      %[[NOTIGN:.*]] = arith.cmpi ne, %[[TV]], %{{.*}} : i64
// CHECK-NEXT:      %[[HIT:.*]] = arith.andi %[[IST]], %[[NOTIGN]] : i1
// CHECK-NEXT:      %[[DIV:.*]] = arith.divf %[[GV]], %[[TWV]] : f32
// CHECK-NEXT:      %[[NEG:.*]] = arith.negf %[[DIV]] : f32
// CHECK-NEXT:      %[[SEL:.*]] = arith.select %[[HIT]], %[[NEG]], %{{.*}} : f32
// CHECK-NEXT:      linalg.yield %[[SEL]] : f32
func.func @nll_loss_backward_mean(%g: !torch.vtensor<[],f32>, %x: !torch.vtensor<[4,7],f32>, %t: !torch.vtensor<[4],si64>, %tw: !torch.vtensor<[],f32>) -> !torch.vtensor<[4,7],f32> {
  %int1 = torch.constant.int 1
  %int-100 = torch.constant.int -100
  %none = torch.constant.none
  %0 = torch.aten.nll_loss_backward %g, %x, %t, %none, %int1, %int-100, %tw : !torch.vtensor<[],f32>, !torch.vtensor<[4,7],f32>, !torch.vtensor<[4],si64>, !torch.none, !torch.int, !torch.int, !torch.vtensor<[],f32> -> !torch.vtensor<[4,7],f32>
  return %0 : !torch.vtensor<[4,7],f32>
}

// -----

// reduction='none': the gradient is read per sample.
// CHECK-DAG:   #[[$T:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @nll_loss_backward_none(
// CHECK:         linalg.generic {indexing_maps = [#[[$T]], #[[$T]], #{{.*}}, #{{.*}}]
// CHECK-NOT:       arith.divf
// CHECK:           %[[W:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<7xf32>
// CHECK:           arith.mulf %[[W]], %{{.*}} : f32
func.func @nll_loss_backward_none(%g: !torch.vtensor<[4],f32>, %x: !torch.vtensor<[4,7],f32>, %t: !torch.vtensor<[4],si64>, %w: !torch.vtensor<[7],f32>, %tw: !torch.vtensor<[],f32>) -> !torch.vtensor<[4,7],f32> {
  %int0 = torch.constant.int 0
  %int-100 = torch.constant.int -100
  %0 = torch.aten.nll_loss_backward %g, %x, %t, %w, %int0, %int-100, %tw : !torch.vtensor<[4],f32>, !torch.vtensor<[4,7],f32>, !torch.vtensor<[4],si64>, !torch.vtensor<[7],f32>, !torch.int, !torch.int, !torch.vtensor<[],f32> -> !torch.vtensor<[4,7],f32>
  return %0 : !torch.vtensor<[4,7],f32>
}

// -----

// A non-constant reduction cannot be lowered.
func.func @nll_loss_runtime_reduction(%x: !torch.vtensor<[4,7],f32>, %t: !torch.vtensor<[4],si64>, %r: !torch.int) -> !torch.vtensor<[],f32> {
  %int-100 = torch.constant.int -100
  %none = torch.constant.none
  // expected-error @+1 {{not supported by convert-torch-to-linalg}}
  %0:2 = torch.aten.nll_loss_forward %x, %t, %none, %r, %int-100 : !torch.vtensor<[4,7],f32>, !torch.vtensor<[4],si64>, !torch.none, !torch.int, !torch.int -> !torch.vtensor<[],f32>, !torch.vtensor<[],f32>
  return %0#0 : !torch.vtensor<[],f32>
}
