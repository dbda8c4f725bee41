// RUN: ltc-mlir-opt %s | ltc-mlir-opt | FileCheck %s

// Every Torch type round-trips in the torch-mlir spelling.

// CHECK-LABEL: func.func @scalars(
// CHECK-SAME: !torch.int, %{{.*}}: !torch.float, %{{.*}}: !torch.bool,
// CHECK-SAME: !torch.none, %{{.*}}: !torch.str, %{{.*}}: !torch.Device,
// CHECK-SAME: !torch.Generator)
func.func @scalars(%a: !torch.int, %b: !torch.float, %c: !torch.bool,
                   %d: !torch.none, %e: !torch.str, %f: !torch.Device,
                   %g: !torch.Generator) {
  return
}

// CHECK-LABEL: func.func @vtensors(
// CHECK-SAME: !torch.vtensor<[2,?,3],f32>
// CHECK-SAME: !torch.vtensor<[],f64>
// CHECK-SAME: !torch.vtensor<[4],bf16>
// CHECK-SAME: !torch.vtensor<[4],f16>
// CHECK-SAME: !torch.vtensor<[?],si64>
// CHECK-SAME: !torch.vtensor<[1],si32>
// CHECK-SAME: !torch.vtensor<[1],si16>
// CHECK-SAME: !torch.vtensor<[1],si8>
// CHECK-SAME: !torch.vtensor<[1],ui8>
// CHECK-SAME: !torch.vtensor<[0,5],i1>
// CHECK-SAME: !torch.vtensor,
// CHECK-SAME: !torch.vtensor<*,f32>
// CHECK-SAME: !torch.vtensor<[2,3],unk>
func.func @vtensors(%a: !torch.vtensor<[2,?,3],f32>, %b: !torch.vtensor<[],f64>,
                    %c: !torch.vtensor<[4],bf16>, %d: !torch.vtensor<[4],f16>,
                    %e: !torch.vtensor<[?],si64>, %f: !torch.vtensor<[1],si32>,
                    %g: !torch.vtensor<[1],si16>, %h: !torch.vtensor<[1],si8>,
                    %i: !torch.vtensor<[1],ui8>, %j: !torch.vtensor<[0,5],i1>,
                    %k: !torch.vtensor, %l: !torch.vtensor<*,f32>,
                    %m: !torch.vtensor<[2,3],unk>) {
  return
}

// Inside containers Torch types drop their `!torch.` prefix; the long form is
// accepted too.
// CHECK-LABEL: func.func @containers(
// CHECK-SAME: !torch.list<int>, %{{.*}}: !torch.list<int>,
// CHECK-SAME: !torch.list<vtensor>,
// CHECK-SAME: !torch.list<vtensor<[2,3],f32>>,
// CHECK-SAME: !torch.list<optional<vtensor>>,
// CHECK-SAME: !torch.optional<int>,
// CHECK-SAME: !torch.optional<list<bool>>,
// CHECK-SAME: !torch.list<list<float>>,
// CHECK-SAME: !torch.list<f32>)
func.func @containers(%a: !torch.list<int>, %b: !torch.list<!torch.int>,
                      %c: !torch.list<vtensor>,
                      %d: !torch.list<vtensor<[2,3],f32>>,
                      %e: !torch.list<optional<vtensor>>,
                      %f: !torch.optional<int>,
                      %g: !torch.optional<list<bool>>,
                      %h: !torch.list<list<float>>, %i: !torch.list<f32>) {
  return
}
