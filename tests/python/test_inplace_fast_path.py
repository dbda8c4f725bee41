"""The unboxed Functionalize kernels for in-place ops (ltc_backend/
inplace_functions.cpp): same values as eager, compiled (no aten:: fallback),
the fast path really taken where it applies (InPlaceFastPath) and not where
PyTorch's full kernel must decide (errors, integer or CPU tensors)."""
import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")


def counters():
    return {n: metrics.counter_value(n) or 0 for n in metrics.counter_names()}


def moved(before, prefix):
    after = counters()
    return {n: v - before.get(n, 0) for n, v in after.items()
            if n.startswith(prefix) and v != before.get(n, 0)}


def run(device, fn, inputs):
    args = [t.clone().to(device) for t in inputs]
    out = fn(*args)
    if device == LAZY:
        torch._lazy.mark_step()
    return [t.cpu() for t in args] + [out.cpu()]


torch.manual_seed(0)
A, B, C = torch.randn(3, 4), torch.randn(4), torch.rand(3, 4) + 0.5

CASES = {
    "add_": (lambda a, b: a.add_(b), [A, B]),
    "add_alpha": (lambda a, b: a.add_(b, alpha=-0.25), [A, A]),
    "add_number": (lambda a: a.add_(3), [A]),
    "add_int_operand": (lambda a, b: a.add_(b), [A, torch.arange(4)]),
    "add_double_operand": (lambda a, b: a.add_(b), [A, B.double()]),
    "sub_": (lambda a, b: a.sub_(b, alpha=2), [A, B]),
    "mul_": (lambda a, b: a.mul_(b), [A, C]),
    "mul_number": (lambda a: a.mul_(0.9), [A]),
    "mul_scalar_overload": (lambda a: torch.ops.aten.mul_.Scalar(a, 1.5), [A]),
    "div_": (lambda a, b: a.div_(b), [A, C]),
    "zero_": (lambda a: a.zero_(), [A]),
    "addcmul_": (lambda a, b, c: a.addcmul_(b, c, value=0.5), [A, B, C]),
    "addcdiv_": (lambda a, b, c: a.addcdiv_(b, c, value=-2), [A, B, C]),
    "through_a_view": (lambda a, b: a.view(2, 6).mul_(b), [A, torch.rand(6)]),
    "on_a_transpose": (lambda a, b: a.t().add_(b.view(4, 1)), [A, B]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_eager_and_takes_the_fast_path(name):
    fn, inputs = CASES[name]
    before = counters()
    got = run(LAZY, fn, inputs)
    assert moved(before, "InPlaceFastPath"), "the fast path was not taken"
    assert not moved(before, "aten::"), moved(before, "aten::")
    for lazy, eager in zip(got, run(torch.device("cpu"), fn, inputs)):
        torch.testing.assert_close(lazy, eager)


def test_integer_tensors_take_the_full_kernel():
    fn = lambda a, b: a.add_(b)
    inputs = [torch.arange(12).view(3, 4), torch.arange(4)]
    before = counters()
    got = run(LAZY, fn, inputs)
    assert not moved(before, "InPlaceFastPath")
    for lazy, eager in zip(got, run(torch.device("cpu"), fn, inputs)):
        torch.testing.assert_close(lazy, eager)


@pytest.mark.parametrize("fn", [
    lambda a, b: a.add_(b),                      # [4] cannot grow to [3, 4]
    lambda a, b: a.mul_(b),
    lambda a, b: a.addcmul_(b, b),
], ids=["add_", "mul_", "addcmul_"])
def test_shape_errors_are_raised_as_in_eager(fn):
    a, b = torch.randn(4), torch.randn(3, 4)
    with pytest.raises(RuntimeError):
        fn(a, b)
    with pytest.raises(RuntimeError):
        fn(a.to(LAZY), b.to(LAZY))
    torch._lazy.mark_step()


def test_integer_update_by_float_is_an_error_as_in_eager():
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.arange(4).to(LAZY).mul_(torch.rand(4).to(LAZY))


def test_aliases_see_the_update_across_steps():
    # A detached alias and a view of a parameter updated in place every step
    # read its newest value after each mark_step, as in eager.
    def loop(device):
        p = torch.arange(6.).to(device)
        alias, view = p.detach(), p.view(2, 3)
        seen = []
        for step in range(3):
            p.mul_(0.5).add_(torch.ones(6, device=device), alpha=step)
            if device == LAZY:
                torch._lazy.mark_step()
            seen += [t.cpu().clone() for t in (alias, view, p)]
        return seen

    for lazy, eager in zip(loop(LAZY), loop(torch.device("cpu"))):
        torch.testing.assert_close(lazy, eager)
