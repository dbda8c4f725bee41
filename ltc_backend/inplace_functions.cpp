#include "ltc_backend/inplace_functions.h"
#include "ltc_backend/functional_updates.h"

#include <ATen/ExpandUtils.h>
#include <ATen/FunctionalTensorWrapper.h>
#include <ATen/Operators.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <c10/util/Exception.h>
#include <torch/csrc/lazy/core/metrics.h>

#include <memory>
#include <vector>

namespace ltc_mlir {

namespace {

namespace fx = at::functionalization::impl;

// OperatorHandle::operatorDef_ has no public accessor; see
// functional_updates.cpp for how this reads it.
struct OperatorDefTag {
  friend auto OperatorDefOf(OperatorDefTag);
};
template <typename Tag, auto Member> struct ExposeOperatorDef {
  friend auto OperatorDefOf(Tag) { return Member; }
};
template struct ExposeOperatorDef<OperatorDefTag,
                                  &c10::OperatorHandle::operatorDef_>;

// A lazy float tensor that functionalization tracks: the only kind the fast
// path updates.
bool IsFunctionalLazyFloat(const at::Tensor &self) {
  return self.defined() && self.device().type() == c10::kLazy &&
         fx::isFunctionalTensor(self) && at::isFloatingType(self.scalar_type());
}

// What PyTorch's Functionalize kernel checks by running the in-place op on
// meta tensors, for a float `self`: the operand broadcasts to self's shape
// and its dtype promotes to one that casts back to self's (any non-complex
// dtype does).
bool UpdatesInPlace(const at::Tensor &self, const at::Tensor &operand) {
  return operand.defined() && !at::isComplexType(operand.scalar_type()) &&
         at::is_expandable_to(operand.sizes(), self.sizes());
}

at::Tensor Unwrap(const at::Tensor &tensor) {
  if (!fx::isFunctionalTensor(tensor))
    return tensor; // a wrapped Python number
  fx::sync(tensor);
  return fx::from_functional_tensor(tensor);
}

// Makes `value` the new value of `self`, as the generated Functionalize
// kernels do, then applies the storage's queued update right away (see
// functional_updates.cpp for why).
at::Tensor &Commit(at::Tensor &self, const at::Tensor &value) {
  fx::replace_(self, value);
  fx::commit_update(self);
  fx::sync(self);
  fx::unsafeGetFunctionalWrapper(self)->apply_updates();
  TORCH_LAZY_COUNTER("InPlaceFastPath", 1);
  return self;
}

// The functional op runs below functionalization, on the lazy tensors.
struct SkipFunctionalize {
  c10::impl::ExcludeDispatchKeyGuard guard{c10::DispatchKey::Functionalize};
};

// The fast paths: each returns false, having done nothing, when the op's
// arguments need PyTorch's full Functionalize kernel (errors, complex or
// integer tensors, CPU tensors, ...).
bool AddTensor(at::Tensor &self, const at::Tensor &other,
               const at::Scalar &alpha) {
  if (!IsFunctionalLazyFloat(self) || !UpdatesInPlace(self, other) ||
      alpha.isComplex())
    return false;
  at::Tensor value;
  {
    SkipFunctionalize skip;
    value = at::_ops::add_Tensor::call(Unwrap(self), Unwrap(other), alpha);
  }
  Commit(self, value);
  return true;
}

bool SubTensor(at::Tensor &self, const at::Tensor &other,
               const at::Scalar &alpha) {
  if (!IsFunctionalLazyFloat(self) || !UpdatesInPlace(self, other) ||
      alpha.isComplex())
    return false;
  at::Tensor value;
  {
    SkipFunctionalize skip;
    value = at::_ops::sub_Tensor::call(Unwrap(self), Unwrap(other), alpha);
  }
  Commit(self, value);
  return true;
}

bool MulTensor(at::Tensor &self, const at::Tensor &other) {
  if (!IsFunctionalLazyFloat(self) || !UpdatesInPlace(self, other))
    return false;
  at::Tensor value;
  {
    SkipFunctionalize skip;
    value = at::_ops::mul_Tensor::call(Unwrap(self), Unwrap(other));
  }
  Commit(self, value);
  return true;
}

bool DivTensor(at::Tensor &self, const at::Tensor &other) {
  if (!IsFunctionalLazyFloat(self) || !UpdatesInPlace(self, other))
    return false;
  at::Tensor value;
  {
    SkipFunctionalize skip;
    value = at::_ops::div_Tensor::call(Unwrap(self), Unwrap(other));
  }
  Commit(self, value);
  return true;
}

bool MulScalar(at::Tensor &self, const at::Scalar &other) {
  if (!IsFunctionalLazyFloat(self) || other.isComplex())
    return false;
  at::Tensor value;
  {
    SkipFunctionalize skip;
    value = at::_ops::mul_Scalar::call(Unwrap(self), other);
  }
  Commit(self, value);
  return true;
}

bool Zero(at::Tensor &self) {
  if (!IsFunctionalLazyFloat(self))
    return false;
  at::Tensor value;
  {
    SkipFunctionalize skip;
    value = at::_ops::zero::call(Unwrap(self));
  }
  Commit(self, value);
  return true;
}

bool Addcmul(at::Tensor &self, const at::Tensor &tensor1,
             const at::Tensor &tensor2, const at::Scalar &value) {
  if (!IsFunctionalLazyFloat(self) || !UpdatesInPlace(self, tensor1) ||
      !UpdatesInPlace(self, tensor2) || value.isComplex())
    return false;
  at::Tensor result;
  {
    SkipFunctionalize skip;
    result = at::_ops::addcmul::call(Unwrap(self), Unwrap(tensor1),
                                     Unwrap(tensor2), value);
  }
  Commit(self, result);
  return true;
}

bool Addcdiv(at::Tensor &self, const at::Tensor &tensor1,
             const at::Tensor &tensor2, const at::Scalar &value) {
  // addcdiv rejects integer tensor1/tensor2; leave those to the full kernel.
  if (!IsFunctionalLazyFloat(self) || !UpdatesInPlace(self, tensor1) ||
      !UpdatesInPlace(self, tensor2) || value.isComplex() ||
      !at::isFloatingType(tensor1.scalar_type()) ||
      !at::isFloatingType(tensor2.scalar_type()))
    return false;
  at::Tensor result;
  {
    SkipFunctionalize skip;
    result = at::_ops::addcdiv::call(Unwrap(self), Unwrap(tensor1),
                                     Unwrap(tensor2), value);
  }
  Commit(self, result);
  return true;
}

// An unboxed Functionalize kernel for one in-place op: the fast path, or
// else the kernel registered before (PyTorch's, wrapped by the update
// flush). Unboxed, so the optimizer's in-place updates skip boxing their
// arguments as well as the meta-tensor shape check.
template <class Signature> class InPlaceKernel;

template <class... Args>
class InPlaceKernel<at::Tensor &(at::Tensor &, Args...)> final
    : public c10::OperatorKernel {
public:
  using Fast = bool (*)(at::Tensor &, Args...);
  InPlaceKernel(c10::OperatorHandle op, c10::KernelFunction previous, Fast fast)
      : op_(std::move(op)), previous_(std::move(previous)), fast_(fast) {}

  at::Tensor &operator()(c10::DispatchKeySet keys, at::Tensor &self,
                         Args... args) {
    if (fast_(self, args...))
      return self;
    return previous_.template call<at::Tensor &, at::Tensor &, Args...>(
        op_, keys, self, args...);
  }

private:
  c10::OperatorHandle op_;
  c10::KernelFunction previous_;
  Fast fast_;
};


template <class Signature>
void Replace(const char *name, const char *overload,
             typename InPlaceKernel<Signature>::Fast fast,
             std::vector<c10::RegistrationHandleRAII> *handles) {
  c10::Dispatcher &dispatcher = c10::Dispatcher::singleton();
  c10::optional<c10::OperatorHandle> op =
      dispatcher.findSchema({name, overload});
  if (!op || !op->hasKernelForDispatchKey(c10::DispatchKey::Functionalize))
    return;
  auto *def = (*op).*OperatorDefOf(OperatorDefTag{});
  c10::KernelFunction previous =
      def->op.kernelForDispatchKey(c10::DispatchKey::Functionalize);
  auto kernel =
      c10::KernelFunction::makeFromUnboxedFunctor<false,
                                                  InPlaceKernel<Signature>>(
          std::make_unique<InPlaceKernel<Signature>>(*op, std::move(previous),
                                                     fast));
  handles->push_back(dispatcher.registerImpl(
      op->operator_name(), c10::DispatchKey::Functionalize, std::move(kernel),
      c10::nullopt, nullptr, "ltc_mlir: in-place fast path"));
}

} // namespace

int RegisterInPlaceFastPaths() {
  static int replaced = [] {
    SilentWarnings silent;
    c10::Warning::WarningHandlerGuard guard(&silent);
    auto *handles = new std::vector<c10::RegistrationHandleRAII>();
    using Binary = at::Tensor &(at::Tensor &, const at::Tensor &);
    using BinaryAlpha =
        at::Tensor &(at::Tensor &, const at::Tensor &, const at::Scalar &);
    using Pointwise = at::Tensor &(at::Tensor &, const at::Tensor &,
                                   const at::Tensor &, const at::Scalar &);
    Replace<BinaryAlpha>("aten::add_", "Tensor", &AddTensor, handles);
    Replace<BinaryAlpha>("aten::sub_", "Tensor", &SubTensor, handles);
    Replace<Binary>("aten::mul_", "Tensor", &MulTensor, handles);
    Replace<Binary>("aten::div_", "Tensor", &DivTensor, handles);
    Replace<at::Tensor &(at::Tensor &, const at::Scalar &)>(
        "aten::mul_", "Scalar", &MulScalar, handles);
    Replace<at::Tensor &(at::Tensor &)>("aten::zero_", "", &Zero, handles);
    Replace<Pointwise>("aten::addcmul_", "", &Addcmul, handles);
    Replace<Pointwise>("aten::addcdiv_", "", &Addcdiv, handles);
    return static_cast<int>(handles->size());
  }();
  return replaced;
}

} // namespace ltc_mlir
