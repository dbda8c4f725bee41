// A hash for keys that are arrays of integers (problem shapes).
#ifndef LTC_MLIR_RUNTIME_INT64_ARRAY_HASH_H_
#define LTC_MLIR_RUNTIME_INT64_ARRAY_HASH_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace ltc_mlir {
namespace runtime {

struct Int64ArrayHash {
  template <size_t N>
  size_t operator()(const std::array<int64_t, N> &key) const {
    size_t h = 0;
    for (int64_t v : key)
      h = h * 1000003u ^ std::hash<int64_t>()(v);
    return h;
  }
};

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_INT64_ARRAY_HASH_H_
