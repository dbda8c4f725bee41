//===- Patterns.h - Torch to linalg pattern families ------------*- C++ -*-===//
//
// One populate function per family file. The convert-torch-to-linalg pass
// adds all of them.
//
// A new family: declare its populate function here, call it from
// TorchToLinalg.cpp, and add its file to `srcs` in BUILD.bazel.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_CONVERSION_TORCHTOLINALG_PATTERNS_H
#define LTC_MLIR_CONVERSION_TORCHTOLINALG_PATTERNS_H

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::torch {

// convert-core families.
void populateElementwisePatterns(TypeConverter &typeConverter,
                                 RewritePatternSet &patterns);
void populateScalarPatterns(TypeConverter &typeConverter,
                            RewritePatternSet &patterns);
void populateTensorConstructorPatterns(TypeConverter &typeConverter,
                                       RewritePatternSet &patterns);
void populateShapePatterns(TypeConverter &typeConverter,
                           RewritePatternSet &patterns);
void populateReductionPatterns(TypeConverter &typeConverter,
                               RewritePatternSet &patterns);

// kernels families.
void populateLinearAlgebraPatterns(TypeConverter &typeConverter,
                                   RewritePatternSet &patterns);
void populateSoftmaxAndLossPatterns(TypeConverter &typeConverter,
                                    RewritePatternSet &patterns);
void populateConvolutionPatterns(TypeConverter &typeConverter,
                                 RewritePatternSet &patterns);
/// With `useKernels`, f32/f64 max pooling with indices and its backward call
/// the runtime's kernels (runtime/pooling_kernels.h).
void populatePoolingPatterns(TypeConverter &typeConverter,
                             RewritePatternSet &patterns, bool useKernels);
void populateNormalizationPatterns(TypeConverter &typeConverter,
                                   RewritePatternSet &patterns);
void populateIndexingPatterns(TypeConverter &typeConverter,
                              RewritePatternSet &patterns);
void populateRandomPatterns(TypeConverter &typeConverter,
                            RewritePatternSet &patterns);
// Elementwise special functions as calls to runtime scalar functions.
void populateSpecialFunctionPatterns(TypeConverter &typeConverter,
                                     RewritePatternSet &patterns);
// Linear algebra: calls of the runtime's LAPACK-backed kernels.
void populateLinalgKernelPatterns(TypeConverter &typeConverter,
                                  RewritePatternSet &patterns);
// views family: as_strided_copy / as_strided_scatter (Views.cpp).
void populateViewPatterns(TypeConverter &typeConverter,
                          RewritePatternSet &patterns);
// Ops whose results have no elements become tensor.empty (ZeroSize.cpp).
void populateZeroSizePatterns(TypeConverter &typeConverter,
                              RewritePatternSet &patterns);

/// Sets up the Torch -> builtin type conversion (TypeConversion.cpp):
/// `!torch.vtensor` -> `tensor` with signless integers, `!torch.int` -> i64,
/// `!torch.float` -> f64, `!torch.bool` -> i1, others unchanged; source and
/// target materializations via `unrealized_conversion_cast`.
void setupTorchToBuiltinTypeConversion(TypeConverter &typeConverter);

} // namespace mlir::torch

#endif // LTC_MLIR_CONVERSION_TORCHTOLINALG_PATTERNS_H
