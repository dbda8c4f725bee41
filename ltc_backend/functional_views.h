#pragma once

namespace ltc_mlir {

// Replaces PyTorch 1.13's Functionalize kernel for aten::detach. Its wrapper
// for the detached tensor shares the base's storage but drops the view
// metadata, so once the base has been updated in place, `view.detach()`
// regenerates as the whole base (x[1].detach() read back as x). Autograd
// detaches every tensor it saves, so this also corrupted gradients of inputs
// used through views. Also replaces the Functionalize kernels of aten::t and
// aten::view with ones that skip their meta-tensor reference run. Idempotent; returns the
// number of kernels replaced.
int RegisterFunctionalDetach();

} // namespace ltc_mlir
