#include "ltc_backend/eager_fallback.h"

#include <ATen/native/CPUFallback.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/library.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace ltc_mlir {

namespace {

torch::lazy::Counter* FallbackCounter(const std::string& name) {
  static std::mutex mutex;
  static auto* counters = new std::unordered_map<std::string, torch::lazy::Counter*>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = counters->find(name);
  if (it == counters->end())
    it = counters->emplace(name, new torch::lazy::Counter(name)).first;
  return it->second;
}

} // namespace

void EagerFallback(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
  // The counter name is the qualified op name, e.g. "aten::_local_scalar_dense".
  FallbackCounter(op.schema().operator_name().name)->AddValue(1);
  at::native::cpu_fallback(op, stack);
}

void RegisterEagerFallback() {
  static auto* library = [] {
    auto* lib = new torch::Library(torch::Library::IMPL, "_", c10::DispatchKey::Lazy,
                                   __FILE__, __LINE__);
    lib->fallback(torch::CppFunction::makeFromBoxedFunction<&EagerFallback>());
    return lib;
  }();
  (void)library;
}

} // namespace ltc_mlir
