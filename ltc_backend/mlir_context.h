// The one MLIRContext all of ltc-mlir's lowering and compilation share: the
// Torch dialect and everything the pipeline needs, loaded once.
#pragma once

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace ltc_mlir {

mlir::MLIRContext* GetMlirContext();

} // namespace ltc_mlir
