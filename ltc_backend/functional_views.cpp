#include "ltc_backend/functional_views.h"
#include "ltc_backend/functional_updates.h"

#include <ATen/FunctionalTensorWrapper.h>
#include <ATen/Operators.h>
#include <ATen/core/LegacyTypeDispatch.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/VariableTypeUtils.h>
#include <torch/library.h>

namespace ltc_mlir {
namespace {

at::Tensor DetachCopyBelowFunctionalize(const at::Tensor &t) {
  c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::Functionalize);
  return at::_ops::detach_copy::call(t);
}

// detach() as a view of its input: the new wrapper keeps the input's view
// metadata and appends an identity step, so regenerating it from the base
// after an in-place update yields the view, not the base.
at::Tensor FunctionalDetach(const at::Tensor &self) {
  if (!at::functionalization::impl::isFunctionalTensor(self)) {
    c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::Functionalize);
    return at::_ops::detach::call(self);
  }
  at::functionalization::impl::sync(self);
  at::Tensor value = DetachCopyBelowFunctionalize(
      at::functionalization::impl::from_functional_tensor(self));
  at::functionalization::ViewMeta meta(
      [](const at::Tensor &base, int64_t) {
        return DetachCopyBelowFunctionalize(base);
      },
      // Writing through a detached alias writes the same elements of its
      // input: the inverse is the identity.
      [](const at::Tensor &, const at::Tensor &mutated_view, int64_t) {
        return mutated_view;
      });
  at::Tensor out = at::detail::make_tensor<at::FunctionalTensorWrapper>(
      value, at::functionalization::impl::unsafeGetFunctionalWrapper(self),
      std::move(meta));
  // The constructor copies sizes but leaves numel() and contiguity unset,
  // as PyTorch's own view kernels fix up afterwards.
  out.unsafeGetTensorImpl()->set_sizes_and_strides(value.sizes(),
                                                   value.strides());
  return out;
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
    auto *autograd_library = new torch::Library(
        torch::Library::IMPL, "aten", c10::DispatchKey::ADInplaceOrView,
        __FILE__, __LINE__);
    autograd_library->impl("detach", TORCH_FN(ADInplaceOrViewDetach));
    return 2;
  }();
  return replaced;
}

} // namespace ltc_mlir
