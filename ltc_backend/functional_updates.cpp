#include "ltc_backend/functional_updates.h"

#include <ATen/FunctionalTensorWrapper.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/util/Exception.h>
#include <torch/csrc/lazy/core/metrics.h>

#include <memory>
#include <vector>

namespace ltc_mlir {

namespace {

// Reads OperatorHandle::operatorDef_, which has no public accessor: an
// explicit instantiation may name a private member, and the friend it defines
// hands the member pointer out.
struct OperatorDefMember {
  friend auto GetMember(OperatorDefMember);
};
template <typename Tag, auto Member>
struct ExposeMember {
  friend auto GetMember(Tag) {
    return Member;
  }
};
template struct ExposeMember<OperatorDefMember, &c10::OperatorHandle::operatorDef_>;

// The Functionalize kernel of an in-place or out= op, followed by flushing
// the pending updates of every tensor it mutated.
//
// Why: PyTorch 1.13's functionalization queues every mutation of a tensor as
// an update on its storage and marks the mutated tensor up to date, so the
// queue is only drained when some *other* alias of that storage syncs. A
// parameter, gradient or optimizer buffer that is mutated every step but
// never viewed keeps every value it ever had alive: each step leaks one lazy
// tensor (and its device buffer) per in-place op, and every mark_step walks
// all of them. Applying the updates right away drops the old values; for a
// tensor without views it just makes the newest value the storage's base.
class FlushingKernel final : public c10::OperatorKernel {
 public:
  FlushingKernel(c10::KernelFunction original, std::vector<size_t> mutable_args,
                 size_t num_args)
      : original_(std::move(original)),
        mutable_args_(std::move(mutable_args)),
        num_args_(num_args) {}

  void operator()(const c10::OperatorHandle& op, c10::DispatchKeySet keys,
                  torch::jit::Stack* stack) {
    // The mutated tensors, before the call consumes its arguments.
    c10::SmallVector<at::Tensor, 2> mutated;
    if (stack->size() >= num_args_) {
      size_t first = stack->size() - num_args_;
      for (size_t index : mutable_args_) {
        const c10::IValue& arg = (*stack)[first + index];
        if (arg.isTensor())
          mutated.push_back(arg.toTensor());
      }
    }
    original_.callBoxed(op, keys, stack);
    for (const at::Tensor& tensor : mutated) {
      if (tensor.defined() && at::functionalization::impl::isFunctionalTensor(tensor))
        at::functionalization::impl::unsafeGetFunctionalWrapper(tensor)->apply_updates();
    }
  }

 private:
  c10::KernelFunction original_;
  std::vector<size_t> mutable_args_;
  size_t num_args_;
};


} // namespace

int RegisterFunctionalUpdateFlush() {
  static int wrapped = [] {
    SilentWarnings silent;
    c10::Warning::WarningHandlerGuard guard(&silent);
    c10::Dispatcher& dispatcher = c10::Dispatcher::singleton();
    auto* handles = new std::vector<c10::RegistrationHandleRAII>();
    for (const c10::OperatorName& name : dispatcher.getAllOpNames()) {
      c10::optional<c10::OperatorHandle> op = dispatcher.findOp(name);
      if (!op || !op->hasSchema() ||
          !op->hasKernelForDispatchKey(c10::DispatchKey::Functionalize))
        continue;
      const c10::FunctionSchema& schema = op->schema();
      std::vector<size_t> mutable_args;
      for (size_t i = 0; i < schema.arguments().size(); ++i) {
        const c10::Argument& arg = schema.arguments()[i];
        if (arg.alias_info() && arg.alias_info()->isWrite() &&
            arg.type()->kind() == c10::TypeKind::TensorType)
          mutable_args.push_back(i);
      }
      if (mutable_args.empty())
        continue;
      auto* def = (*op).*GetMember(OperatorDefMember{});
      c10::KernelFunction original =
          def->op.kernelForDispatchKey(c10::DispatchKey::Functionalize);
      auto kernel = c10::KernelFunction::makeFromBoxedFunctor(
          std::make_unique<FlushingKernel>(std::move(original), std::move(mutable_args),
                                           schema.arguments().size()));
      handles->push_back(dispatcher.registerImpl(
          name, c10::DispatchKey::Functionalize, std::move(kernel), c10::nullopt,
          nullptr, "ltc_mlir: flush functionalization updates"));
    }
    return static_cast<int>(handles->size());
  }();
  return wrapped;
}

} // namespace ltc_mlir
