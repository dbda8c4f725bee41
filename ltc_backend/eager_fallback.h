// The boxed fallback for ops ltc-mlir does not trace: runs them on eager CPU
// and counts each as `aten::<op>` in LTC's metrics.
#pragma once

#include <ATen/core/dispatch/Dispatcher.h>

namespace ltc_mlir {

void EagerFallback(const c10::OperatorHandle& op, torch::jit::Stack* stack);

// Registers EagerFallback for the Lazy dispatch key (once).
void RegisterEagerFallback();

} // namespace ltc_mlir
