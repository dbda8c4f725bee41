// Scalar special functions (digamma, Bessel functions, incomplete gamma,
// orthogonal polynomials, ...) that compiled code calls once per element.
// convert-torch-to-linalg lowers each such ATen op to a linalg.generic whose
// body calls `ltc_mlir_special_<name>_f32` or `_f64` (f16/bf16 go through
// f32); the JIT resolves the names through GetSpecialFunctionSymbols().
//
// Each function is computed in double; the f32 entry rounds the result. The
// semantics at the edges (poles, negative or infinite arguments, NaN) follow
// ATen's CPU kernels.
#ifndef LTC_MLIR_RUNTIME_SPECIAL_FUNCTIONS_H_
#define LTC_MLIR_RUNTIME_SPECIAL_FUNCTIONS_H_

#include "runtime/cpu_kernels.h"

namespace ltc_mlir {
namespace runtime {

// Name and address of every `ltc_mlir_special_*` function, for the JIT's
// symbol table.
const CpuKernelSymbol *GetSpecialFunctionSymbols(int *count);

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_SPECIAL_FUNCTIONS_H_
