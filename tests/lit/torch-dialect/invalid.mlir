// RUN: ltc-mlir-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{unsupported tensor dtype 'i64'}}
func.func private @signless_dtype(!torch.vtensor<[2],i64>)

// -----

// expected-error @+1 {{unsupported tensor dtype 'ui32'}}
func.func private @unsupported_unsigned(!torch.vtensor<[2],ui32>)

// -----

// expected-error @+1 {{unsupported tensor dtype 'index'}}
func.func private @index_dtype(!torch.vtensor<[2],index>)

// -----

// expected-error @+1 {{tensor sizes must be >= 0 or '?'}}
func.func private @negative_size(!torch.vtensor<[-2],f32>)

// -----

// expected-error @+1 {{expected ','}}
func.func private @missing_dtype(!torch.vtensor<[2]>)

// -----

// expected-error @+1 {{expected '['}}
func.func private @bad_sizes(!torch.vtensor<2,f32>)

// -----

// expected-error @+1 {{unknown  type `tensor` in dialect `torch`}}
func.func private @unknown_type(!torch.tensor)

// -----

// expected-error @+1 {{expected '<'}}
func.func private @list_without_element(!torch.list)

// -----

// expected-error @+1 {{expected non-function type}}
func.func private @list_bad_element(!torch.list<foo>)

// -----

func.func @list_element_mismatch(%a: !torch.int, %b: !torch.float) {
  // expected-error @+1 {{element #1 has type '!torch.float', which does not fit the list element type '!torch.int'}}
  %0 = torch.prim.ListConstruct %a, %b : (!torch.int, !torch.float) -> !torch.list<int>
  return
}

// -----

func.func @list_tensor_mismatch(%a: !torch.vtensor<[2],f32>) {
  // expected-error @+1 {{element #0 has type '!torch.vtensor<[2],f32>', which does not fit the list element type '!torch.vtensor<[3],f32>'}}
  %0 = torch.prim.ListConstruct %a : (!torch.vtensor<[2],f32>) -> !torch.list<vtensor<[3],f32>>
  return
}

// -----

func.func @literal_shape_mismatch() {
  // expected-error @+1 {{attribute shape does not match the result sizes}}
  %0 = torch.vtensor.literal(dense<1.0> : tensor<2xf32>) : !torch.vtensor<[3],f32>
  return
}

// -----

func.func @literal_dtype_mismatch() {
  // expected-error @+1 {{attribute element type does not match the result dtype}}
  %0 = torch.vtensor.literal(dense<1.0> : tensor<2xf32>) : !torch.vtensor<[2],f64>
  return
}

// -----

func.func @literal_unknown_sizes() {
  // expected-error @+1 {{result type must have known sizes and dtype}}
  %0 = torch.vtensor.literal(dense<1.0> : tensor<2xf32>) : !torch.vtensor<*,f32>
  return
}

// -----

func.func @float_of_big_tensor(%a: !torch.vtensor<[2,3],f32>) {
  // expected-error @+1 {{expects a tensor with one element}}
  %0 = torch.aten.Float.Tensor %a : !torch.vtensor<[2,3],f32> -> !torch.float
  return
}

// -----

func.func @bool_constant() {
  // expected-error @+1 {{expected 'true' or 'false'}}
  %0 = torch.constant.bool 1
  return
}

// -----

func.func @operand_type(%a: !torch.int, %b: !torch.vtensor<[2],f32>) {
  // expected-error @+1 {{operand #0 must be Torch value tensor, but got '!torch.int'}}
  %0 = torch.aten.mul.Tensor %a, %b : !torch.int, !torch.vtensor<[2],f32> -> !torch.vtensor<[2],f32>
  return
}

// -----

func.func @optional_operand_type(%a: !torch.vtensor<[2],f32>, %b: !torch.float) {
  // expected-error @+1 {{operand #1 must be optional list of int}}
  %0 = torch.aten.sum.dim_IntList %a, %b, %b, %b : !torch.vtensor<[2],f32>, !torch.float, !torch.float, !torch.float -> !torch.vtensor<[],f32>
  return
}

// -----

func.func @scalar_operand_type(%a: !torch.vtensor<[2],f32>, %s: !torch.str) {
  // expected-error @+1 {{operand #1 must be Torch scalar (int, float or bool)}}
  %0 = torch.aten.mul.Scalar %a, %s : !torch.vtensor<[2],f32>, !torch.str -> !torch.vtensor<[2],f32>
  return
}

// -----

func.func @operand_count(%a: !torch.vtensor<[2],f32>) {
  // expected-error @+1 {{expected ','}}
  %0 = torch.aten.add.Tensor %a, %a : !torch.vtensor<[2],f32>, !torch.vtensor<[2],f32> -> !torch.vtensor<[2],f32>
  return
}
