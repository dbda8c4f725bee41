// The input buffers of the graph that runs on this thread, as kernels see
// them. A graph only reads its inputs, and a buffer's contents id
// (device.h) changes whenever its bytes do, so a kernel may cache what it
// derives from an input's bytes (oneDNN's re-laid-out filter,
// onednn_conv.cpp) under that id and reuse it in later runs.
#ifndef LTC_MLIR_RUNTIME_GRAPH_INPUTS_H_
#define LTC_MLIR_RUNTIME_GRAPH_INPUTS_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace ltc_mlir {
namespace runtime {

struct GraphInput {
  const void *data;
  size_t bytes;
  uint64_t contents_id;
};

// Shows `inputs` to the kernels this thread calls until destroyed; scopes
// nest. `inputs` must outlive the scope.
class ScopedGraphInputs {
public:
  explicit ScopedGraphInputs(absl::Span<const GraphInput> inputs);
  ~ScopedGraphInputs();
  ScopedGraphInputs(const ScopedGraphInputs &) = delete;
  ScopedGraphInputs &operator=(const ScopedGraphInputs &) = delete;

private:
  absl::Span<const GraphInput> saved_;
};

// When the bytes [p, p + bytes) lie inside one input of the graph running
// on this thread: that input's contents id, with *offset the input's bytes
// before p. Else 0: an intermediate buffer, or a kernel running on a thread
// that runs no graph (a worker of parallel_for.h).
uint64_t GraphInputContentsId(const void *p, size_t bytes, size_t *offset);

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_GRAPH_INPUTS_H_
