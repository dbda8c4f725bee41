// The inputs of the graph running on this thread. See graph_inputs.h.
#include "runtime/graph_inputs.h"

#include <cstdint>

namespace ltc_mlir {
namespace runtime {
namespace {

thread_local absl::Span<const GraphInput> current_inputs;

} // namespace

ScopedGraphInputs::ScopedGraphInputs(absl::Span<const GraphInput> inputs)
    : saved_(current_inputs) {
  current_inputs = inputs;
}

ScopedGraphInputs::~ScopedGraphInputs() { current_inputs = saved_; }

uint64_t GraphInputContentsId(const void *p, size_t bytes, size_t *offset) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(p);
  // Graphs have tens to a few hundred inputs: a scan costs less than the
  // reorder it may save.
  for (const GraphInput &input : current_inputs) {
    const uintptr_t start = reinterpret_cast<uintptr_t>(input.data);
    if (begin >= start && bytes <= input.bytes &&
        begin - start <= input.bytes - bytes) {
      *offset = begin - start;
      return input.contents_id;
    }
  }
  return 0;
}

} // namespace runtime
} // namespace ltc_mlir
