// A perf map for JIT-compiled graphs: with LTC_MLIR_PERF_MAP=1, every function
// the JIT links is appended to /tmp/perf-<pid>.map (start, size, name), the
// file `perf report` reads to name samples in anonymous executable memory.
// Without it, compiled graphs show up as "[JIT] tid N" addresses,
// indistinguishable from oneDNN's generated kernels.
#ifndef LTC_MLIR_RUNTIME_PERF_MAP_H_
#define LTC_MLIR_RUNTIME_PERF_MAP_H_

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace ltc_mlir {
namespace runtime {

// Registers the map writer with `jit`'s linking layer when LTC_MLIR_PERF_MAP
// is set to a non-empty value other than 0. Returns whether it did.
bool MaybeAddPerfMap(llvm::orc::LLJIT &jit);

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_PERF_MAP_H_
