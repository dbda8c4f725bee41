#include "ltc_backend/functional_views.h"
#include "ltc_backend/functional_updates.h"

#include <ATen/FunctionalTensorWrapper.h>
#include <ATen/InferSize.h>
#include <ATen/Operators.h>
#include <ATen/core/LegacyTypeDispatch.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <c10/core/SymIntArrayRef.h>
#include <c10/util/Exception.h>
#include <c10/util/strides.h>
#include <torch/csrc/autograd/VariableTypeUtils.h>
#include <torch/library.h>

#include <vector>

namespace ltc_mlir {
namespace {

bool HasPythonObject(const at::TensorBase &t) {
  c10::TensorImpl *impl = t.unsafeGetTensorImpl();
  return impl->pyobj_interpreter() != nullptr &&
         impl->_unchecked_untagged_pyobj() != nullptr;
}

// True when nothing but the caller can observe `self` or its data: the
// caller's handle is the only reference, no Python object wraps it, and no
// other wrapper shares its functional storage. Autograd's AccumulateGrad
// detaches a freshly computed gradient in exactly this state when it makes
// it the leaf's .grad (with grad mode off). That gradient is typically a view
// of a dead temporary (t(t(mm)) for a Linear weight, view(sum) for a bias);
// keeping the view relation would make every later zero_()/add_() on .grad
// write back through the inverse views and regenerate them, several traced
// ops per parameter and step.
bool IsUnobservedSoleAlias(const at::Tensor &self) {
  if (at::GradMode::is_enabled() || self.use_count() != 1 ||
      HasPythonObject(self))
    return false;
  const c10::Storage &storage = self.unsafeGetTensorImpl()->unsafe_storage();
  size_t holders = 1;
  // A view made by a backward formula also records its base for autograd;
  // that base counts only if nothing but this view keeps it.
  if (self.is_view()) {
    const at::TensorBase &base = self._base();
    if (base.unsafeGetTensorImpl()->unsafe_storage().is_alias_of(storage)) {
      if (base.use_count() != 1 || HasPythonObject(base))
        return false;
      ++holders;
    }
  }
  return storage.use_count() == holders;
}

// A view of the functional tensor `self` whose lazy value is `value`, with
// the given metadata: the wrapper PyTorch's generated view kernels build
// (its constructor copies sizes but leaves numel() and contiguity unset).
at::Tensor WrapView(const at::Tensor &self, const at::Tensor &value,
                    at::functionalization::ViewMeta meta, at::IntArrayRef sizes,
                    at::IntArrayRef strides) {
  at::Tensor out = at::detail::make_tensor<at::FunctionalTensorWrapper>(
      value, at::functionalization::impl::unsafeGetFunctionalWrapper(self),
      std::move(meta));
  c10::TensorImpl *impl = out.unsafeGetTensorImpl();
  impl->set_sizes_and_strides(sizes, strides);
  impl->set_storage_offset(self.storage_offset());
  return out;
}

// detach() as a view of its input: the new wrapper keeps the input's view
// metadata and appends an identity step, so regenerating it from the base
// after an in-place update yields the view, not the base. An input no one
// else can observe is detached into a fresh, non-view wrapper instead.
// Values below functionalization are never updated in place by their
// wrappers (an update replaces the wrapper's value), so the detached wrapper
// shares its input's value: a detach, and every regeneration of one after an
// update of its base (an SGD step on a parameter), traces no op.
at::Tensor FunctionalDetach(const at::Tensor &self) {
  if (!at::functionalization::impl::isFunctionalTensor(self)) {
    c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::Functionalize);
    return at::_ops::detach::call(self);
  }
  at::functionalization::impl::sync(self);
  at::Tensor value = at::functionalization::impl::from_functional_tensor(self);
  if (IsUnobservedSoleAlias(self))
    return at::functionalization::impl::to_functional_tensor(value);
  at::functionalization::ViewMeta meta(
      [](const at::Tensor &base, int64_t) { return base; },
      // Writing through a detached alias writes the same elements of its
      // input: the inverse is the identity.
      [](const at::Tensor &, const at::Tensor &mutated_view, int64_t) {
        return mutated_view;
      });
  return WrapView(self, value, std::move(meta), value.sizes(), value.strides());
}

// The autograd side of detach(). PyTorch's kernel makes the result a
// non-differentiable view through shallow_copy_and_detach(), which for a
// FunctionalTensorWrapper in 1.13 again drops the view metadata. The wrapper
// FunctionalDetach returns is already a fresh tensor, so it only needs what
// that copy would have given it: the input's version counter and frozen
// metadata. Every other tensor takes PyTorch's path unchanged.
at::Tensor ADInplaceOrViewDetach(c10::DispatchKeySet keys,
                                 const at::Tensor &self) {
  at::Tensor out;
  {
    at::AutoDispatchBelowADInplaceOrView guard;
    out = at::_ops::detach::redispatch(keys & c10::after_ADInplaceOrView_keyset,
                                       self);
  }
  if (at::functionalization::impl::isFunctionalTensor(out) &&
      out.unsafeGetTensorImpl() != self.unsafeGetTensorImpl()) {
    out.unsafeGetTensorImpl()->set_version_counter(
        self.unsafeGetTensorImpl()->version_counter());
    out.unsafeGetTensorImpl()->set_allow_tensor_metadata_change(false);
    return out;
  }
  return torch::autograd::as_view(self, out, /*is_bw_differentiable=*/false,
                                  /*is_fw_differentiable=*/false,
                                  /*view_func=*/nullptr,
                                  torch::autograd::CreationMeta::DEFAULT,
                                  /*allow_tensor_metadata_change=*/false);
}

// t() of a functional tensor, as PyTorch's generated Functionalize kernel
// does it but without its reference run: that kernel also calls t() on a
// meta copy of the input only to learn the view's sizes and strides, which
// for a transpose are the input's, swapped. A Linear layer calls t() three
// or four times per training step (forward, both backward matmuls, the
// weight gradient), so this halves the cost of a quarter of an MLP's ops.
at::Tensor FunctionalT(const at::Tensor &self) {
  namespace fx = at::functionalization::impl;
  if (!fx::isFunctionalTensor(self)) {
    c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::Functionalize);
    return at::_ops::t::call(self);
  }
  TORCH_CHECK(self.dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ",
              self.dim(), "D");
  bool reapply_views = fx::getFunctionalizationReapplyViewsTLS();
  at::Tensor value;
  {
    // Like every view kernel, this leaves a pending update of the base to
    // be applied when the view is first read.
    c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::Functionalize);
    at::Tensor inner = fx::from_functional_tensor(self);
    value = reapply_views ? at::_ops::t::call(inner) : at::_ops::t_copy::call(inner);
  }
  at::functionalization::ViewMeta meta(
      [reapply_views](const at::Tensor &base, int64_t) {
        return reapply_views ? at::_ops::t::call(base) : at::_ops::t_copy::call(base);
      },
      // A transpose is its own inverse.
      [reapply_views](const at::Tensor &, const at::Tensor &mutated_view, int64_t) {
        return reapply_views ? at::_ops::t::call(mutated_view)
                             : at::_ops::t_copy::call(mutated_view);
      });
  std::vector<int64_t> sizes(self.sizes().rbegin(), self.sizes().rend());
  std::vector<int64_t> strides(self.strides().rbegin(), self.strides().rend());
  return WrapView(self, value, std::move(meta), sizes, strides);
}

// view(size) of a functional tensor, likewise without the meta-tensor run:
// the view's sizes are `size` with any -1 inferred (infer_size raises eager's
// errors), its offset the input's. Attention layers and losses reshape
// several times per step.
at::Tensor FunctionalView(const at::Tensor &self, c10::SymIntArrayRef size) {
  namespace fx = at::functionalization::impl;
  if (!fx::isFunctionalTensor(self)) {
    c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::Functionalize);
    return at::_ops::view::call(self, size);
  }
  std::vector<int64_t> requested = c10::asIntArrayRefSlow(size).vec();
  at::DimVector sizes = at::infer_size_dv(requested, self.numel());
  bool reapply_views = fx::getFunctionalizationReapplyViewsTLS();
  auto apply = [reapply_views](const at::Tensor &tensor, c10::SymIntArrayRef to) {
    return reapply_views ? at::_ops::view::call(tensor, to) : at::_ops::view_copy::call(tensor, to);
  };
  at::Tensor value;
  {
    c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::Functionalize);
    value = apply(fx::from_functional_tensor(self), size);
  }
  at::functionalization::ViewMeta meta(
      [apply, requested](const at::Tensor &base, int64_t) {
        return apply(base, c10::fromIntArrayRef(requested));
      },
      // Writing through the view writes the base's elements in order.
      [apply](const at::Tensor &base, const at::Tensor &mutated_view, int64_t) {
        return apply(mutated_view, base.sym_sizes());
      });
  return WrapView(self, value, std::move(meta), sizes, c10::contiguous_strides(sizes));
}

} // namespace

int RegisterFunctionalDetach() {
  static int replaced = [] {
    SilentWarnings silent;
    c10::Warning::WarningHandlerGuard guard(&silent);
    // Kept for the life of the process, like any TORCH_LIBRARY_IMPL.
    auto *library =
        new torch::Library(torch::Library::IMPL, "aten",
                           c10::DispatchKey::Functionalize, __FILE__, __LINE__);
    library->impl("detach", TORCH_FN(FunctionalDetach));
    library->impl("t", TORCH_FN(FunctionalT));
    library->impl("view", TORCH_FN(FunctionalView));
    auto *autograd_library = new torch::Library(
        torch::Library::IMPL, "aten", c10::DispatchKey::ADInplaceOrView,
        __FILE__, __LINE__);
    autograd_library->impl("detach", TORCH_FN(ADInplaceOrViewDetach));
    return 4;
  }();
  return replaced;
}

} // namespace ltc_mlir
