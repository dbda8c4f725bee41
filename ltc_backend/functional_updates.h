// Works around PyTorch 1.13's functionalization keeping every value an
// in-place op ever gave a tensor alive (see functional_updates.cpp).
#pragma once

namespace ltc_mlir {

// Wraps the Functionalize kernel of every op that mutates a tensor argument
// so that the storage's queued updates are applied right after the op.
// Idempotent; returns the number of ops wrapped.
int RegisterFunctionalUpdateFlush();

} // namespace ltc_mlir
