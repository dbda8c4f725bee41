#include "ltc_backend/eager_fallback.h"

#include <ATen/native/CPUFallback.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/library.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace ltc_mlir {

namespace {

torch::lazy::Counter *FallbackCounter(const std::string &name) {
  static std::mutex mutex;
  static auto *counters =
      new std::unordered_map<std::string, torch::lazy::Counter *>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = counters->find(name);
  if (it == counters->end())
    it = counters->emplace(name, new torch::lazy::Counter(name)).first;
  return it->second;
}

// at::native::cpu_fallback moves Tensor and Tensor[] arguments to the CPU,
// but not the tensors inside a Tensor?[] (the indices of index/index_put):
// move those here, or the CPU kernel sees lazy indices.
void MoveOptionalTensorListsToCpu(const c10::OperatorHandle &op,
                                  torch::jit::Stack *stack) {
  const auto &arguments = op.schema().arguments();
  size_t first = stack->size() - arguments.size();
  for (size_t i = 0; i < arguments.size(); ++i) {
    c10::IValue &value = (*stack)[first + i];
    if (!value.isList() || value.isTensorList())
      continue;
    c10::List<c10::IValue> list = value.toList();
    bool moved = false;
    c10::List<c10::optional<at::Tensor>> cpu_list;
    for (const c10::IValue &element : list) {
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

// at::native::cpu_fallback moves Tensor results back to the lazy device but
// leaves the elements of a Tensor[] result (split, unbind, chunk...) on the
// CPU, where the next lazy kernel would reject them: move them too.
void MoveTensorListResultsToDevice(const c10::OperatorHandle &op,
                                   torch::jit::Stack *stack,
                                   const c10::optional<c10::Device> &device) {
  if (!device)
    return;
  const auto &returns = op.schema().returns();
  if (stack->size() < returns.size())
    return;
  size_t first = stack->size() - returns.size();
  for (size_t i = 0; i < returns.size(); ++i) {
    c10::IValue &value = (*stack)[first + i];
    if (!value.isTensorList())
      continue;
    c10::List<at::Tensor> list = value.toTensorList();
    for (size_t j = 0; j < list.size(); ++j) {
      at::Tensor t = list.get(j);
      if (t.defined() && t.device() != *device)
        list.set(j, t.to(*device));
    }
    value = c10::IValue(list);
  }
}

// The lazy device of the first lazy tensor argument, if any.
c10::optional<c10::Device> LazyArgumentDevice(const c10::OperatorHandle &op,
                                              const torch::jit::Stack &stack) {
  size_t count = op.schema().arguments().size();
  if (stack.size() < count)
    return c10::nullopt;
  for (size_t i = stack.size() - count; i < stack.size(); ++i) {
    const c10::IValue &value = stack[i];
    if (value.isTensor()) {
      const at::Tensor &t = value.toTensor();
      if (t.defined() && t.device().type() == c10::kLazy)
        return t.device();
    } else if (value.isTensorList()) {
      for (const at::Tensor &t : value.toTensorList().vec())
        if (t.defined() && t.device().type() == c10::kLazy)
          return t.device();
    }
  }
  return c10::nullopt;
}

} // namespace

void EagerFallback(const c10::OperatorHandle &op, torch::jit::Stack *stack) {
  // The counter name is the qualified op name, e.g.
  // "aten::_local_scalar_dense".
  FallbackCounter(op.schema().operator_name().name)->AddValue(1);
  c10::optional<c10::Device> device = LazyArgumentDevice(op, *stack);
  MoveOptionalTensorListsToCpu(op, stack);
  at::native::cpu_fallback(op, stack);
  MoveTensorListResultsToDevice(op, stack, device);
}

void RegisterEagerFallback() {
  static auto *library = [] {
    auto *lib = new torch::Library(torch::Library::IMPL, "_",
                                   c10::DispatchKey::Lazy, __FILE__, __LINE__);
    lib->fallback(torch::CppFunction::makeFromBoxedFunction<&EagerFallback>());
    return lib;
  }();
  (void)library;
}

} // namespace ltc_mlir
