//===- ModuleSplitting.h - LLVM modules in parts for codegen ---*- C++ -*-===//
//
// A large graph's LLVM module is optimized and compiled in parts on separate
// threads: the caller of a cold compile waits for its code, and the host's
// other cores are idle meanwhile. The parts are split by function (the
// outlined loop bodies of ltc-parallelize-loops make up most of a large
// graph's code) and linked back together when the runtime loads them.
//
//===----------------------------------------------------------------------===//

#ifndef LTC_MLIR_PIPELINE_MODULESPLITTING_H
#define LTC_MLIR_PIPELINE_MODULESPLITTING_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir {
namespace ltc {

/// Splits `module` by function into at most `parts` parts of about equal
/// instruction count. The functions named in `together` (the entry wrapper
/// and the graph function it inlines) stay in part 0 with every global
/// variable. What one part defines and another references becomes an
/// external symbol of the same name. `module` is reduced to part 0; the
/// result holds the bitcode of each other part, to be parsed into a context
/// of its own. Nothing changes, and the result is empty, when the module has
/// fewer than `minInstructions` instructions or nothing to move.
std::vector<llvm::SmallString<0>>
splitModuleByFunction(llvm::Module &module, unsigned parts,
                      llvm::ArrayRef<llvm::StringRef> together,
                      unsigned minInstructions);

} // namespace ltc
} // namespace mlir

#endif // LTC_MLIR_PIPELINE_MODULESPLITTING_H
