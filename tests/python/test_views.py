"""Views and in-place ops through functionalization on the lazy device.

A mutation made through one view must be seen through the base and through
every other view of it, after one mark_step and after several; outputs that
alias inputs (parameters updated in place, views of them) stay correct.
Every case runs the same code on eager CPU and compares, and checks that the
lazy path ran compiled: the lazy:: counters of the view ops moved and no
aten:: fallback counter (nor EagerGraphFallback) did.
"""
import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics
import torch.nn as nn

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")


def counters():
    return {n: metrics.counter_value(n) for n in metrics.counter_names()}


def moved(before, after):
    return {n: v - before.get(n, 0) for n, v in after.items() if v != before.get(n, 0)}


class Counted:
    """Records which counters moved inside the block."""

    def __enter__(self):
        self.before = counters()
        return self

    def __exit__(self, *exc):
        self.moved = moved(self.before, counters())

    def fallbacks(self):
        return sorted(n for n in self.moved if n.startswith("aten::") or n == "EagerGraphFallback")

    def check(self, *lazy_ops):
        assert not self.fallbacks(), f"fell back: {self.fallbacks()}"
        for op in lazy_ops:
            assert self.moved.get(f"lazy::{op}", 0) > 0, f"lazy::{op} did not move: {sorted(self.moved)}"


def close(lazy, eager):
    torch.testing.assert_close(lazy.cpu(), eager, rtol=1e-5, atol=1e-5)


def test_mutation_seen_through_every_view():
    def build(device):
        x = torch.zeros(3, 4, device=device)
        r = x[1]
        c = x[:, 2]
        v = x.t()
        r.add_(1)
        c.mul_(2)
        v[0].fill_(5)
        return x, r, c, v

    want = build("cpu")
    with Counted() as counted:
        got = build(LAZY)
        torch._lazy.mark_step()
        for g, w in zip(got, want):
            close(g, w)
    counted.check("select_scatter", "slice_scatter")
    # Keep mutating across steps: each step sees the previous one's writes.
    x, r, c, v = got
    ex, er, ec, ev = want
    for step in range(3):
        with Counted() as counted:
            r.add_(step)
            c.mul_(3)
            v[1].sub_(1)
            torch._lazy.mark_step()
        counted.check()
        er.add_(step)
        ec.mul_(3)
        ev[1].sub_(1)
        for g, w in zip((x, r, c, v), (ex, er, ec, ev)):
            close(g, w)


def test_diagonal_add_inplace():
    base = torch.randn(4, 5)
    x = base.to(LAZY)
    with Counted() as counted:
        d = x.diagonal()
        d.add_(1)
        off = x.diagonal(offset=-1)
        off.mul_(2)
        torch._lazy.mark_step()
    want = base.clone()
    want.diagonal().add_(1)
    want.diagonal(offset=-1).mul_(2)
    close(x, want)
    close(d, want.diagonal())
    close(off, want.diagonal(offset=-1))
    counted.check("diagonal_copy", "diagonal_scatter")


def test_as_strided_copy_into():
    base = torch.randn(3, 4)
    y = torch.randn(2, 2)
    x = base.to(LAZY)
    with Counted() as counted:
        v = x.as_strided((2, 2), (1, 2))
        v.copy_(y.to(LAZY))
        torch._lazy.mark_step()
    want = base.clone()
    want.as_strided((2, 2), (1, 2)).copy_(y)
    close(x, want)
    close(v, y)
    counted.check("as_strided_copy", "as_strided_scatter")


@pytest.mark.parametrize(
    "name,fn",
    [
        ("diagonal", lambda t: t.diagonal(offset=1, dim1=-1, dim2=0)),
        ("diagonal_3d", lambda t: t.diagonal(offset=-1, dim1=2, dim2=1)),
        ("as_strided_gather", lambda t: t.as_strided((3, 3), (2, 5), 1)),
        ("as_strided_box", lambda t: t.as_strided((2, 3), (12, 4), 1)),
        ("unfold", lambda t: t.unfold(2, 3, 2)),
        ("diag_embed", lambda t: torch.diag_embed(t, offset=1, dim1=0, dim2=2)),
    ],
)
def test_view_values_and_grads(name, fn):
    base = torch.randn(2, 3, 4)
    want_in = base.clone().requires_grad_()
    want = fn(want_in)
    (want * torch.arange(want.numel()).view(want.shape)).sum().backward()
    got_in = base.to(LAZY).requires_grad_()
    with Counted() as counted:
        got = fn(got_in)
        (got * torch.arange(got.numel()).view(got.shape).to(LAZY)).sum().backward()
        torch._lazy.mark_step()
    close(got, want.detach())
    if not name.startswith("as_strided"):  # see test_detach_of_a_view_keeps_its_shape
        close(got_in.grad, want_in.grad)
    counted.check()


@pytest.mark.parametrize(
    "name,fn",
    [
        ("select_scatter", lambda a, b: torch.select_scatter(a, b[:, 0], 1, -2)),
        ("slice_scatter", lambda a, b: torch.slice_scatter(a, b[:, :2], 1, 1, None, 2)),
        ("diagonal_scatter", lambda a, b: torch.diagonal_scatter(a, b[1], 0, 0, 1)),
        ("as_strided_scatter", lambda a, b: torch.as_strided_scatter(a, b[0], (4,), (6,), 1)),
    ],
)
def test_scatter_values_and_grads(name, fn):
    a, b = torch.randn(4, 5), torch.randn(4, 4)
    if name == "as_strided_scatter":
        # Its backward builds zeros_like(src) through aten::new_empty_strided
        # (an eager fallback whose zeroing is lost); values only.
        with Counted() as counted:
            got = fn(a.to(LAZY), b.to(LAZY))
            torch._lazy.mark_step()
        close(got, fn(a, b))
        counted.check(name)
        return
    wa, wb = a.clone().requires_grad_(), b.clone().requires_grad_()
    want = fn(wa, wb)
    (want * torch.arange(20.0).view(4, 5)).sum().backward()
    ga, gb = a.to(LAZY).requires_grad_(), b.to(LAZY).requires_grad_()
    with Counted() as counted:
        got = fn(ga, gb)
        (got * torch.arange(20.0).view(4, 5).to(LAZY)).sum().backward()
        torch._lazy.mark_step()
    close(got, want.detach())
    if name != "as_strided_scatter":  # its backward views grad through as_strided
        close(ga.grad, wa.grad)
        close(gb.grad, wb.grad)
    counted.check(name)


def test_split_unbind_stack_compiled():
    base = torch.randn(6, 5)
    x = base.to(LAZY)
    with Counted() as counted:
        parts = list(x.split(4)) + list(x.split([1, 2, 3])) + list(x.unbind(1)) + list(x.chunk(3, 1))
        stacked = torch.stack([x, x * 2], dim=1)
        torch._lazy.mark_step()
    want = list(base.split(4)) + list(base.split([1, 2, 3])) + list(base.unbind(1)) + list(base.chunk(3, 1))
    for g, w in zip(parts, want):
        close(g, w)
    close(stacked, torch.stack([base, base * 2], dim=1))
    counted.check("split_copy", "split_with_sizes_copy", "unbind_copy", "stack")


def test_inplace_on_parameter_views_and_aliasing_outputs():
    torch.manual_seed(0)
    eager = nn.Linear(4, 3)
    lazy = nn.Linear(4, 3).to(LAZY)
    lazy.load_state_dict({k: v.to(LAZY) for k, v in eager.state_dict().items()})
    outs = {}
    for device, model in (("cpu", eager), (LAZY, lazy)):
        flat = []
        for step in range(3):
            with torch.no_grad():
                model.weight[0].add_(1.0)  # in place through a view of a graph input
                model.weight.diagonal().mul_(0.5)
                model.bias.add_(model.weight.sum(1))
            alias = model.weight.view(-1)  # an output that aliases a parameter
            if device == LAZY:
                with Counted() as counted:
                    torch._lazy.mark_step()
                counted.check()
            # Not alias.detach(): see test_detach_of_a_view_keeps_its_shape.
            flat.append(alias.cpu().clone())
        outs[str(device)] = (flat, model.weight.detach().cpu(), model.bias.detach().cpu())
    for g, w in zip(outs["lazy"][0], outs["cpu"][0]):
        close(g, w)
    close(outs["lazy"][1], outs["cpu"][1])
    close(outs["lazy"][2], outs["cpu"][2])


def test_view_of_parameter_updated_in_place_stays_current():
    p = torch.randn(2, 3)
    lp = p.to(LAZY)
    v = lp.view(-1)
    for step in range(3):
        lp.mul_(2)
        torch._lazy.mark_step()
        p.mul_(2)
        close(v, p.view(-1))
        close(lp, p)


def test_transformer_encoder_step_has_no_split_fallback():
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, dropout=0.0)
    layer = layer.to(LAZY)
    opt = torch.optim.SGD(layer.parameters(), lr=0.01)
    src = torch.randn(5, 2, 16).to(LAZY)
    for step in range(2):
        with Counted() as counted:
            loss = layer(src).pow(2).mean()
            loss.backward()
            opt.step()
            opt.zero_grad()
            torch._lazy.mark_step()
        assert not any(n in counted.moved for n in ("aten::split_copy", "aten::split_with_sizes_copy",
                                                     "aten::unbind_copy")), counted.fallbacks()
        assert counted.moved.get("lazy::split_with_sizes_copy", 0) + counted.moved.get("lazy::split_copy", 0) + \
            counted.moved.get("lazy::unbind_copy", 0) > 0, sorted(counted.moved)


def test_out_of_bounds_view_errors_cleanly():
    x = torch.zeros(4, device=LAZY)
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.as_strided((3,), (2,), 0)


def test_detach_of_a_view_keeps_its_shape():
    w = torch.randn(3, 4).to(LAZY)
    w[0].add_(1)
    alias = w.view(-1)
    torch._lazy.mark_step()
    assert alias.detach().cpu().shape == (12,)


def test_detach_of_a_view_keeps_its_values():
    # PyTorch 1.13's functionalization dropped the view metadata on detach();
    # ltc_backend/functional_views.cpp replaces both detach kernels.
    base = torch.arange(12.).reshape(3, 4)
    w = base.clone().to(LAZY)
    w.add_(1)
    base.add_(1)
    row, col_t = w[1].detach(), w.t()[2].detach()
    assert (row.numel(), col_t.numel(), w.detach().numel()) == (4, 3, 12)
    assert row.is_contiguous() and w.detach().is_contiguous()
    assert row.cpu().tolist() == base[1].tolist()
    assert col_t.cpu().tolist() == base.t()[2].tolist()
    torch._lazy.mark_step()
    w.mul_(2)
    base.mul_(2)
    assert w[2].detach().cpu().tolist() == base[2].tolist()
    # The detached alias keeps the version counter of its base, as in eager.
    d = w.detach()
    v0 = d._version
    w.add_(1)
    assert d._version == v0 + 1


def test_gradient_of_an_input_used_through_a_transpose():
    y_cpu = torch.randn(3, 4, requires_grad=True)
    y = y_cpu.detach().to(LAZY).requires_grad_()
    idx = torch.tensor([[0, 2, 1]])
    torch.gather(y_cpu.t(), 0, idx).sum().backward()
    torch.gather(y.t(), 0, idx.to(LAZY)).sum().backward()
    torch._lazy.mark_step()
    assert y.grad.cpu().shape == y_cpu.grad.shape
    torch.testing.assert_close(y.grad.cpu(), y_cpu.grad)


def test_stolen_gradient_is_a_plain_tensor():
    # A Linear weight's gradient comes out of backward as t(t(mm)) and a
    # bias's as a view of a sum. AccumulateGrad steals that temporary as
    # .grad; ltc_backend/functional_views.cpp detaches it out of the dead
    # view chain, so zero_() and the optimizer touch .grad with one op each
    # instead of writing back through inverse views.
    def train(device, steps):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = torch.randn(6, 5).to(device)
        for _ in range(steps):
            opt.zero_grad()
            model(x).square().sum().backward()
            opt.step()
            if device == LAZY:
                torch._lazy.mark_step()
        return model, opt

    model, opt = train(LAZY, 3)
    with Counted() as zeroing:
        opt.zero_grad()
        torch._lazy.mark_step()
    zeroing.check("zero")
    assert zeroing.moved.get("lazy::zero") == 4
    views = [n for n in zeroing.moved if n.endswith(("t_copy", "view_copy", "detach_copy"))]
    assert not views, zeroing.moved
    model, _ = train(LAZY, 3)
    want, _ = train(torch.device("cpu"), 3)
    for got, ref in zip(model.parameters(), want.parameters()):
        close(got, ref.detach())
        close(got.grad, ref.grad)


def test_gradient_aliasing_a_user_tensor_stays_an_alias():
    # Eager .grad may alias the gradient the user passed in: the detach above
    # applies only when nothing else can see the stolen tensor's storage.
    grads = {}
    for device in ("cpu", LAZY):
        x = torch.zeros(4, device=device, requires_grad=True)
        g = torch.ones(2, 2, device=device)
        x.view(2, 2).backward(g)
        g.add_(1)
        grads[str(device)] = x.grad.cpu()
    assert grads["cpu"].tolist() == [2.0] * 4
    assert grads["lazy"].tolist() == grads["cpu"].tolist()


def compare_views(build, op, offsets):
    """build(device) -> (base, views), run on both devices and compared."""
    with Counted() as c:
        lazy_x, lazy_views = build(LAZY)
        eager_x, eager_views = build(torch.device("cpu"))
        for lv, ev in zip(lazy_views, eager_views):
            assert lv.shape == ev.shape
            if offsets:
                assert lv.storage_offset() == ev.storage_offset()
            close(lv, ev)
        close(lazy_x, eager_x)
    c.check(op)


def test_transpose_metadata_and_writes_match_eager():
    # t() has its own Functionalize kernel (functional_views.cpp): sizes and
    # offset come from the input, not from a meta-tensor run. (Strides are
    # not compared: a 1.13 FunctionalTensorWrapper reports its lazy value's,
    # which are always contiguous.)
    def build(device):
        x = torch.arange(12.0).view(3, 4).to(device)
        s = x[1:]
        views = [x.t(), s.t(), x[0].t(), x[0, 0].t(), s.t().t()]
        s.t().mul_(10)  # writes through a transpose of a slice
        x.t()[0].add_(1)  # and through a view of a transpose
        return x, views

    compare_views(build, "t_copy", offsets=True)
    with pytest.raises(RuntimeError, match="expects a tensor with <= 2 dimensions"):
        torch.zeros(2, 2, 2, device=LAZY).t()


def test_view_sizes_and_writes_match_eager():
    # view() has its own Functionalize kernel too (functional_views.cpp).
    def build(device):
        x = torch.arange(24.0).to(device)
        views = [x.view(2, -1, 3), x.view(-1), x[6:].view(3, 6), x.view(4, 6)[1:].view(-1)]
        x[6:].view(3, 6).mul_(10)  # a write through a view of a slice
        views[0][1].add_(1)  # and through a view's view
        return x, views

    compare_views(build, "view_copy", offsets=False)
    with pytest.raises(RuntimeError, match=r"shape '\[4, -1\]' is invalid for input of size 6"):
        torch.zeros(6, device=LAZY).view(4, -1)
