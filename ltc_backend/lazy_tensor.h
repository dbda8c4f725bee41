// The tensor class torchgen's kernels use: LTC core's LazyTensor, named in
// our backend namespace (torchgen qualifies its helpers with it).
#pragma once

#include <torch/csrc/lazy/core/tensor.h>

namespace ltc_mlir {
using torch::lazy::GetLtcTensorOrCreateForWrappedNumber;
using torch::lazy::GetTensorList;
using torch::lazy::LazyTensor;
using torch::lazy::LazyTensorPtr;
using torch::lazy::TryGetLtcTensor;
} // namespace ltc_mlir
