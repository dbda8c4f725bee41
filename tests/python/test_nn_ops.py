"""nn ops decomposed in ltc_backend/nn_functions.cpp (padding, interpolation,
adaptive pooling, losses): values and input gradients match eager CPU, the
lazy::<op> counter moves and no aten:: fallback counter nor EagerGraphFallback
does. Also: complex tensors, which the Torch dialect cannot type, still give
eager's results (through the eager fallback), never an error.
"""
import warnings

import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics
import torch.nn.functional as F

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")
aten = torch.ops.aten


def counters():
    return {n: metrics.counter_value(n) for n in metrics.counter_names()}


def moved(before, after, prefix):
    return {n: after[n] - before.get(n, 0) for n in after
            if n.startswith(prefix) and after[n] != before.get(n, 0)}


def rand(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) * 4 - 2


def run_on(device, fn, inputs, grad):
    args = []
    for x in inputs:
        x = x.detach().clone().to(device)
        if grad and x.is_floating_point():
            x.requires_grad_()
        args.append(x)
    out = fn(*args)
    grads = []
    if grad:
        out.sum().backward()
        grads = [a.grad for a in args if a.requires_grad and a.grad is not None]
    if device.type == "lazy":
        torch._lazy.mark_step()
    return out.detach().cpu(), [g.cpu() for g in grads]


def check_compiled(counter, fn, *inputs, grad=True, tol=None):
    """fn on eager CPU vs lazy: same values and gradients, run compiled."""
    tol = tol or {}
    want, want_grads = run_on(torch.device("cpu"), fn, inputs, grad)
    before = counters()
    got, got_grads = run_on(LAZY, fn, inputs, grad)
    after = counters()
    torch.testing.assert_close(got, want, **tol)
    assert len(got_grads) == len(want_grads)
    for g, w in zip(got_grads, want_grads):
        torch.testing.assert_close(g, w, **tol)
    assert after.get(counter, 0) > before.get(counter, 0), f"{counter} did not move"
    assert moved(before, after, "aten::") == {}
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)


# (counter, fn, inputs)
CASES = {
    "reflection_pad1d": ("lazy::reflection_pad1d",
                         lambda x: F.pad(x, (2, 3), mode="reflect"), [rand(2, 3, 5)]),
    "reflection_pad1d_batchless": ("lazy::reflection_pad1d",
                                   lambda x: F.pad(x, (4, 0), mode="reflect"), [rand(3, 5)]),
    "reflection_pad2d": ("lazy::reflection_pad2d",
                         lambda x: F.pad(x, (1, 2, 2, 1), mode="reflect"), [rand(2, 2, 4, 5)]),
    "reflection_pad3d": ("lazy::reflection_pad3d",
                         lambda x: F.pad(x, (1, 1, 0, 2, 1, 0), mode="reflect"),
                         [rand(1, 2, 3, 4, 3)]),
    "replication_pad1d": ("lazy::replication_pad1d",
                          lambda x: F.pad(x, (3, 1), mode="replicate"), [rand(2, 3, 4)]),
    "replication_pad1d_crop": ("lazy::replication_pad1d",
                               lambda x: F.pad(x, (-1, 2), mode="replicate"), [rand(2, 3, 4)]),
    "replication_pad2d": ("lazy::replication_pad2d",
                          lambda x: F.pad(x, (1, 2, 3, 0), mode="replicate"), [rand(2, 2, 3, 3)]),
    "replication_pad3d": ("lazy::replication_pad3d",
                          lambda x: F.pad(x, (1, 0, 2, 1, 0, 1), mode="replicate"),
                          [rand(1, 2, 2, 3, 2)]),
    "linear1d": ("lazy::upsample_linear1d",
                 lambda x: F.interpolate(x, size=7, mode="linear", align_corners=False),
                 [rand(2, 3, 4)]),
    "linear1d_align": ("lazy::upsample_linear1d",
                       lambda x: F.interpolate(x, scale_factor=1.7, mode="linear",
                                               align_corners=True), [rand(2, 3, 5)]),
    "linear1d_down": ("lazy::upsample_linear1d",
                      lambda x: F.interpolate(x, size=3, mode="linear"), [rand(1, 2, 8)]),
    "trilinear3d": ("lazy::upsample_trilinear3d",
                    lambda x: F.interpolate(x, size=(3, 4, 5), mode="trilinear"),
                    [rand(1, 2, 2, 3, 2)]),
    "trilinear3d_align": ("lazy::upsample_trilinear3d",
                          lambda x: F.interpolate(x, scale_factor=2, mode="trilinear",
                                                  align_corners=True), [rand(1, 1, 2, 2, 3)]),
    "bicubic2d": ("lazy::upsample_bicubic2d",
                  lambda x: F.interpolate(x, size=(5, 7), mode="bicubic"), [rand(2, 2, 3, 4)]),
    "bicubic2d_align": ("lazy::upsample_bicubic2d",
                        lambda x: F.interpolate(x, scale_factor=1.5, mode="bicubic",
                                                align_corners=True), [rand(1, 2, 4, 4)]),
    "bicubic2d_down": ("lazy::upsample_bicubic2d",
                       lambda x: F.interpolate(x, size=(2, 3), mode="bicubic"),
                       [rand(1, 1, 5, 6)]),
    "adaptive_avg_pool3d": ("lazy::_adaptive_avg_pool3d",
                            lambda x: F.adaptive_avg_pool3d(x, (2, 3, 2)),
                            [rand(2, 2, 5, 4, 3)]),
    "adaptive_avg_pool3d_batchless": ("lazy::_adaptive_avg_pool3d",
                                      lambda x: F.adaptive_avg_pool3d(x, 2), [rand(3, 3, 5, 4)]),
    "soft_margin_loss": ("lazy::soft_margin_loss",
                         lambda x, y: F.soft_margin_loss(x, y.detach()), [rand(3, 4), rand(3, 4).sign()]),
    "soft_margin_loss_none": ("lazy::soft_margin_loss",
                              lambda x, y: F.soft_margin_loss(x, y.detach(), reduction="none"),
                              [rand(5), rand(5, seed=1).sign()]),
    "soft_margin_loss_sum": ("lazy::soft_margin_loss",
                             lambda x, y: F.soft_margin_loss(x, y.detach(), reduction="sum"),
                             [rand(2, 3), rand(2, 3, seed=1)]),
    "renorm": ("lazy::renorm", lambda x: torch.renorm(x, 2, 0, 1.5), [rand(3, 4, seed=2)]),
    "renorm_p1_dim1": ("lazy::renorm", lambda x: torch.renorm(x, 1, 1, 2.0), [rand(3, 4, 2)]),
    "group_norm": ("lazy::native_group_norm",
                   lambda x, w, b: F.group_norm(x, 2, w, b),
                   [rand(2, 4, 3, 3), rand(4, seed=1), rand(4, seed=2)]),
    "group_norm_no_affine": ("lazy::native_group_norm", lambda x: F.group_norm(x, 3),
                             [rand(2, 6, 5)]),
    "bilinear": ("lazy::_trilinear", lambda a, b, w, c: F.bilinear(a, b, w, c),
                 [rand(3, 4), rand(3, 5, seed=1), rand(2, 4, 5, seed=2), rand(2, seed=3)]),
    "unfold": ("lazy::im2col",
               lambda x: F.unfold(x, (2, 3), padding=1, stride=(2, 1)), [rand(2, 3, 5, 6)]),
    "unfold_dilated": ("lazy::im2col", lambda x: F.unfold(x, 2, dilation=2), [rand(1, 2, 5, 5)]),
    "fold": ("lazy::col2im",
             lambda c: F.fold(c, (4, 5), (2, 2), padding=(1, 0), stride=(1, 2)),
             [rand(2, 12, 10)]),
    "pdist": ("lazy::_pdist_forward", lambda x: F.pdist(x), [rand(5, 3)]),
    "pdist_p1": ("lazy::_pdist_forward", lambda x: F.pdist(x, p=1), [rand(4, 3)]),
    "pdist_p3": ("lazy::_pdist_forward", lambda x: F.pdist(x, p=3), [rand(4, 2)]),
    "cdist": ("lazy::_cdist_forward", lambda a, b: torch.cdist(a, b),
              [rand(2, 4, 3), rand(2, 5, 3, seed=1)]),
    "cdist_p1": ("lazy::_cdist_forward", lambda a, b: torch.cdist(a, b, p=1),
                 [rand(4, 3), rand(3, 3, seed=1)]),
    "cdist_inf": ("lazy::_cdist_forward", lambda a, b: torch.cdist(a, b, p=float("inf")),
                  [rand(3, 2), rand(4, 2, seed=1)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_decomposed(name):
    counter, fn, inputs = CASES[name]
    check_compiled(counter, fn, *inputs)


def target(*shape, classes, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, classes, shape, generator=g)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_2d(reduction):
    # nll_loss2d as nll_loss over [N*H*W, C] rows; the target is not differentiable.
    x, t, w = rand(2, 3, 4, 5), target(2, 4, 5, classes=3), torch.tensor([0.5, 1.0, 2.0])
    t[0, 0, 0] = -100  # ignore_index
    fn = lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction=reduction)
    want, want_grads = run_on(torch.device("cpu"), lambda x: fn(x, t, w), [x], True)
    before = counters()
    got, got_grads = run_on(LAZY, lambda x: fn(x, t.to(LAZY), w.to(LAZY)), [x], True)
    after = counters()
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(got_grads[0], want_grads[0])
    assert after.get("lazy::nll_loss2d_forward", 0) > before.get("lazy::nll_loss2d_forward", 0)
    assert after.get("lazy::nll_loss2d_backward", 0) > before.get("lazy::nll_loss2d_backward", 0)
    assert moved(before, after, "aten::") == {}
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)


def test_reflection_pad_too_large_is_a_python_error():
    x = rand(1, 2, 3).to(LAZY)
    with pytest.raises(RuntimeError, match="padding size should be less"):
        F.pad(x, (3, 0), mode="reflect")


def test_complex_falls_back_cleanly():
    # Complex data cannot enter a compiled graph; the graph runs eagerly and
    # gives eager's values, with no error.
    x = torch.randn(8)
    want = torch.fft.irfft(torch.fft.rfft(x) * 2)
    want_abs = torch.fft.fft(x).abs()
    before = counters()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xl = x.to(LAZY)
        spec = torch.fft.rfft(xl)
        got = torch.fft.irfft(spec * 2)
        got_abs = torch.fft.fft(xl).abs()
        torch._lazy.mark_step()
        got, got_abs = got.cpu(), got_abs.cpu()
    after = counters()
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(got_abs, want_abs)
    assert moved(before, after, "aten::_fft_")


def test_complex_tensor_round_trip():
    z = torch.randn(3, 2, dtype=torch.complex64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zl = z.to(LAZY)
        got = (zl * 2 + 1).cpu()
    torch.testing.assert_close(got, z * 2 + 1)
