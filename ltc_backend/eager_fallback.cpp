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

// at::native::cpu_fallback moves Tensor and Tensor[] arguments to the CPU,
// but not the tensors inside a Tensor?[] (the indices of index/index_put):
// move those here, or the CPU kernel sees lazy indices.
void MoveOptionalTensorListsToCpu(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
  const auto& arguments = op.schema().arguments();
  size_t first = stack->size() - arguments.size();
  for (size_t i = 0; i < arguments.size(); ++i) {
    c10::IValue& value = (*stack)[first + i];
    if (!value.isList() || value.isTensorList())
      continue;
    c10::List<c10::IValue> list = value.toList();
    bool moved = false;
    c10::List<c10::optional<at::Tensor>> cpu_list;
    for (const c10::IValue& element : list) {
      if (element.isTensor()) {
        at::Tensor t = element.toTensor();
        if (t.defined() && t.device().type() == c10::kLazy) {
          t = t.to(c10::kCPU);
          moved = true;
        }
        cpu_list.push_back(t);
      } else if (element.isNone()) {
        cpu_list.push_back(c10::nullopt);
      } else {
        moved = false;
        break;
      }
    }
    if (moved)
      value = c10::IValue(cpu_list);
  }
}

} // namespace

void EagerFallback(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
  // The counter name is the qualified op name, e.g. "aten::_local_scalar_dense".
  FallbackCounter(op.schema().operator_name().name)->AddValue(1);
  MoveOptionalTensorListsToCpu(op, stack);
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
