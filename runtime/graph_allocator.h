// Memory for the buffers a compiled graph allocates for itself: the
// intermediates between its loop nests and kernel calls, which live for one
// run. The CPU pipeline lowers memref.alloc/dealloc to MLIR's generic
// allocation functions (_mlir_memref_to_llvm_alloc / _free), and the JIT
// resolves those to this allocator.
//
// A training step allocates the same sizes on every run. Through malloc,
// every large intermediate is a fresh mmap whose pages fault in zero-filled,
// and a munmap when freed: a fifth of the encoder step's time went to the
// kernel that way. Here freed blocks wait on per-size-class free lists and
// serve the next allocation of their class; only blocks beyond a cap on the
// cached bytes go back to the C allocator.
#ifndef LTC_MLIR_RUNTIME_GRAPH_ALLOCATOR_H_
#define LTC_MLIR_RUNTIME_GRAPH_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>

#include "runtime/cpu_kernels.h"

namespace ltc_mlir {
namespace runtime {

struct GraphAllocatorStats {
  size_t hits = 0;         // allocations served from a free list
  size_t misses = 0;       // allocations passed to the C allocator
  size_t cached_bytes = 0; // bytes on the free lists now
  size_t in_use_bytes = 0; // bytes handed out and not yet freed
};

GraphAllocatorStats GetGraphAllocatorStats();

// Most bytes the free lists keep (default 1 GiB; LTC_MLIR_GRAPH_CACHE_MB
// overrides at first use). Lowering it frees blocks beyond it.
void SetGraphAllocatorCacheLimit(size_t bytes);

// Returns every cached block to the C allocator.
void TrimGraphAllocator();

// A kernel's work buffer of `count` floats (64-byte aligned, uninitialized)
// from the same free lists: large scratch then returns to the cache that the
// graphs' intermediates use, instead of staying with each thread that ran
// the kernel.
class ScratchFloats {
public:
  explicit ScratchFloats(size_t count);
  ~ScratchFloats();
  ScratchFloats(const ScratchFloats &) = delete;
  ScratchFloats &operator=(const ScratchFloats &) = delete;
  float *data() const { return data_; }

private:
  float *data_;
};

// The allocator under the names of MLIR's generic allocation functions
// (_mlir_memref_to_llvm_alloc, _aligned_alloc, _free), for the JIT's symbol
// table. The process itself exports no such symbols.
const CpuKernelSymbol *GetGraphAllocatorSymbols(int *count);

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_GRAPH_ALLOCATOR_H_
