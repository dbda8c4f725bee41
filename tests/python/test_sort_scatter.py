"""Sorting, selection, scans, scatters, searching and advanced indexing on the
lazy device (ltc_backend/indexing_functions.cpp): values and gradients match
eager CPU, the op's lazy:: counter moves, and no aten:: fallback counter nor
EagerGraphFallback does. Inputs cover ties, NaN, negative dims, int64
indices, non-contiguous inputs and 0-d tensors.
"""
import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")
NAN = float("nan")
torch.manual_seed(0)


def counters():
    return {n: metrics.counter_value(n) for n in metrics.counter_names()}


def to_lazy(x, grad):
    if not isinstance(x, torch.Tensor):
        return x
    y = x.detach().clone().to(LAZY)
    if grad and y.is_floating_point():
        y.requires_grad_()
    return y


def run(fn, inputs, device, grad):
    args = []
    for x in inputs:
        if isinstance(x, torch.Tensor):
            x = x.detach().clone().to(device)
            if grad and x.is_floating_point():
                x.requires_grad_()
        args.append(x)
    out = fn(*args)
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    if grad:
        diff = [o.sum() for o in outs if isinstance(o, torch.Tensor) and o.requires_grad]
        assert diff
        sum(diff).backward()
    if device.type == "lazy":
        torch._lazy.mark_step()
    vals = [o.detach().cpu() if isinstance(o, torch.Tensor) else o for o in outs]
    grads = [a.grad.cpu() for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
    return vals, grads


def check(fn, *inputs, counter, grad=True):
    """fn on CPU and lazy agree; lazy::<counter> moved; no aten:: moved."""
    want, want_grads = run(fn, inputs, torch.device("cpu"), grad)
    before = counters()
    got, got_grads = run(fn, inputs, LAZY, grad)
    after = counters()
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if isinstance(w, torch.Tensor):
            torch.testing.assert_close(g, w, equal_nan=True)
        else:
            assert g == w
    for g, w in zip(got_grads, want_grads):
        torch.testing.assert_close(g, w, equal_nan=True)
    moved = {n for n in after if n.startswith("aten::") and after[n] != before.get(n, 0)}
    assert not moved, f"fell back: {sorted(moved)}"
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)
    assert after.get(counter, 0) > before.get(counter, 0), f"{counter} did not move"


TIES = torch.tensor([[3.0, 1.0, 2.0, 1.0, 3.0], [0.5, 0.5, -1.0, 2.0, 0.5]])
WITH_NAN = torch.tensor([[1.0, NAN, 0.0, 1.0, NAN, -2.0], [4.0, 3.0, 2.0, 1.0, 0.0, -1.0]])


# --- sorting and selection ---------------------------------------------------
@pytest.mark.parametrize("descending", [False, True])
def test_sort_ties_and_nan_stable(descending):
    for x in (TIES, WITH_NAN):
        check(lambda t: torch.sort(t, dim=-1, descending=descending, stable=True), x,
              counter="lazy::sort", grad=False)


def test_sort_grad_negative_dim_non_contiguous():
    x = torch.randn(4, 6)
    # Without gradients: the gradient of a view of a tensor that a backward
    # formula mutated in place (zeros().scatter_()) reads back with the
    # view's shape, a functionalization bug outside these kernels.
    check(lambda t: torch.sort(t.t(), dim=-2), x, counter="lazy::sort", grad=False)
    check(lambda t: torch.sort(t, dim=0, descending=True), torch.randn(5, 3, 2),
          counter="lazy::sort")


def test_argsort_msort():
    check(lambda t: torch.argsort(t, dim=1), TIES, counter="lazy::sort", grad=False)
    check(torch.msort, torch.randn(6, 3), counter="lazy::sort")


def test_sort_int64_and_0d():
    check(lambda t: torch.sort(t, descending=True), torch.randint(-3, 3, (3, 7)),
          counter="lazy::sort", grad=False)
    check(torch.sort, torch.tensor(2.5), counter="lazy::sort")


@pytest.mark.parametrize("largest", [True, False])
def test_topk(largest):
    check(lambda t: torch.topk(t, 3, dim=-1, largest=largest), torch.randn(4, 7),
          counter="lazy::topk")
    check(lambda t: torch.topk(t, 2, dim=0, largest=largest), WITH_NAN,
          counter="lazy::topk", grad=False)


def test_kthvalue():
    check(lambda t: torch.kthvalue(t, 2, dim=1), torch.randn(3, 5), counter="lazy::kthvalue")
    check(lambda t: torch.kthvalue(t, 3, dim=0, keepdim=True), torch.randn(4, 2),
          counter="lazy::kthvalue")


def test_median_and_nanmedian():
    check(lambda t: torch.median(t, dim=1), WITH_NAN, counter="lazy::median", grad=False)
    check(lambda t: torch.median(t, dim=-1, keepdim=True), torch.randn(3, 6),
          counter="lazy::median")
    check(torch.median, torch.randn(4, 5), counter="lazy::median")
    check(lambda t: torch.nanmedian(t, dim=1), WITH_NAN, counter="lazy::nanmedian", grad=False)
    check(torch.nanmedian, torch.tensor([[NAN, 1.0], [3.0, NAN]]), counter="lazy::nanmedian",
          grad=False)
    check(lambda t: torch.nanmedian(t, 0), torch.full((3, 2), NAN), counter="lazy::nanmedian",
          grad=False)


def test_mode():
    x = torch.tensor([[1.0, 2.0, 1.0, 2.0, 3.0], [2.0, 1.0, 2.0, 1.0, 0.0]])
    check(lambda t: torch.mode(t, dim=1), x, counter="lazy::mode")
    check(lambda t: torch.mode(t, dim=0, keepdim=True), torch.randint(0, 3, (6, 3)).float(),
          counter="lazy::mode")


# --- scans -----------------------------------------------------------------
@pytest.mark.parametrize("op,name", [(torch.cummax, "cummax"), (torch.cummin, "cummin")])
def test_cummax_cummin(op, name):
    check(lambda t: op(t, dim=1), torch.tensor([[1.0, 3.0, NAN, 2.0, NAN], [2.0, 2.0, 1.0, 3.0, 3.0]]),
          counter="lazy::" + name, grad=False)
    check(lambda t: op(t, dim=-2), torch.randn(5, 3), counter="lazy::" + name)


def test_cumprod():
    check(lambda t: torch.cumprod(t, dim=1), torch.randn(3, 6), counter="lazy::cumprod")
    check(lambda t: torch.cumprod(t, dim=0), torch.randint(-3, 4, (5, 2)), counter="lazy::cumprod",
          grad=False)


def test_logcumsumexp():
    check(lambda t: torch.logcumsumexp(t, dim=1), torch.randn(3, 6) * 10,
          counter="lazy::_logcumsumexp")
    check(lambda t: torch.logcumsumexp(t, dim=0),
          torch.tensor([float("-inf"), 1.0, float("-inf"), 2.0]), counter="lazy::_logcumsumexp",
          grad=False)


# --- scatters ----------------------------------------------------------------
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    self_ = torch.randn(4, 5)
    index = torch.tensor([[0, 1, 0, 3], [2, 2, 2, 0], [3, 3, 1, 1]])
    src = torch.randn(3, 4)
    check(lambda s, i, v: torch.scatter_reduce(s, 0, i, v, reduce, include_self=include_self),
          self_, index, src, counter="lazy::scatter_reduce", grad=False)
    check(lambda s, i, v: torch.scatter_reduce(s, -1, i, v, reduce, include_self=include_self),
          self_, index, src, counter="lazy::scatter_reduce", grad=reduce in ("sum", "mean"))


def test_scatter_0d_and_max_dim_grad():
    check(lambda t: torch.max(t, dim=0), torch.tensor(1.5), counter="lazy::scatter")
    check(lambda t: torch.min(t, dim=1), torch.randn(3, 4), counter="lazy::scatter")


def test_max_no_dim_grad():
    check(torch.max, torch.tensor([[1.0, 3.0], [3.0, 0.0]]), counter="lazy::masked_fill")


def test_put_take_index_fill():
    x = torch.randn(3, 4)
    idx = torch.tensor([0, -1, 5, 5])
    src = torch.randn(4)
    check(lambda t, i, s: torch.put(t, i, s, accumulate=True), x, idx, src, counter="lazy::put")
    check(lambda t, i, s: torch.put(t, i, s[:3]), x, torch.tensor([1, 7, -2]), src,
          counter="lazy::put")
    check(lambda t, i: torch.take(t, i), x, torch.tensor([[0, 11], [-1, 3]]), counter="lazy::put")
    check(lambda t, i: t.index_fill(1, i, -2.0), x, torch.tensor([0, -1]),
          counter="lazy::index_fill")
    # No gradients: the value's formula calls aten::_unique (data-dependent).
    check(lambda t, i, v: t.index_fill(0, i, v), x, torch.tensor(1), torch.tensor(7.0),
          counter="lazy::index_fill", grad=False)


@pytest.mark.parametrize("op,name", [
    (lambda s, i, v: s.index_add(0, i, v, alpha=2), "index_add"),
    (lambda s, i, v: s.index_copy(0, i, v), "index_copy"),
    (lambda s, i, v: s.index_reduce(0, i, v, "amax"), "index_reduce"),
    (lambda s, i, v: s.index_reduce(0, i, v, "mean", include_self=False), "index_reduce"),
])
def test_index_add_copy_reduce(op, name):
    check(op, torch.randn(5, 3), torch.tensor([4, 0, 2]), torch.randn(3, 3), counter="lazy::" + name,
          grad=name != "index_reduce")
    check(op, torch.tensor(1.5), torch.tensor([0]), torch.tensor(-2.0), counter="lazy::" + name,
          grad=name != "index_reduce")


# --- searching -------------------------------------------------------------
@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_bucketize(right):
    seq = torch.tensor([-1.0, 0.0, 0.0, 2.0, 5.0])
    vals = torch.tensor([[-3.0, 0.0, 1.0], [2.0, 5.0, 9.0]])
    check(lambda s, v: torch.searchsorted(s, v, right=right), seq, vals,
          counter="lazy::searchsorted", grad=False)
    check(lambda s, v: torch.searchsorted(s, v, right=right, out_int32=True),
          torch.sort(torch.randn(2, 6), dim=1)[0], torch.randn(2, 3),
          counter="lazy::searchsorted", grad=False)
    check(lambda s, v, o: torch.searchsorted(s, v, side="right" if right else "left", sorter=o),
          torch.tensor([2.0, -1.0, 5.0, 0.0, 0.0]), vals, torch.tensor([1, 3, 4, 0, 2]),
          counter="lazy::searchsorted", grad=False)
    check(lambda v, b: torch.bucketize(v, b, right=right), vals, seq, counter="lazy::bucketize",
          grad=False)
    # Empty values or sequence: all-zero (or empty) counts, no fallback.
    check(lambda s, v: torch.searchsorted(s, v, right=right), torch.zeros(0), torch.randn(3),
          counter="lazy::searchsorted", grad=False)
    check(lambda s, v: torch.searchsorted(s, v, right=right), seq, torch.zeros(0, 2),
          counter="lazy::searchsorted", grad=False)


def test_isin_histc():
    e = torch.randint(0, 6, (3, 4))
    check(lambda a, b: torch.isin(a, b), e, torch.tensor([1, 4, 9]), counter="lazy::isin",
          grad=False)
    check(lambda a, b: torch.isin(a, b, invert=True), e.float(), torch.tensor([[2.0], [5.0]]),
          counter="lazy::isin", grad=False)
    check(lambda a: torch.histc(a, bins=7, min=-2, max=2), torch.randn(50), counter="lazy::histc",
          grad=False)
    check(lambda a: torch.histc(a, bins=5), torch.randn(4, 6), counter="lazy::histc", grad=False)
    check(lambda a: torch.histc(a, bins=4), torch.full((5,), 3.0), counter="lazy::histc",
          grad=False)


def test_equal_allclose_read_through_compiled_graphs():
    a = torch.randn(3, 4)
    b = a.clone()
    b[1, 2] += 1.0
    check(lambda x, y: (torch.equal(x, x * 1), torch.equal(x, y)), a, b, counter="lazy::equal",
          grad=False)
    check(lambda x, y: (torch.allclose(x, y), torch.allclose(x, x + 1e-9)), a, b,
          counter="lazy::_local_scalar_dense", grad=False)


# --- advanced indexing -------------------------------------------------------
def test_getitem_advanced():
    x = torch.randn(4, 5, 6)
    i = torch.tensor([0, -1, 2])
    j = torch.tensor([[1], [3]])
    check(lambda t: t[i], x, counter="lazy::index")
    check(lambda t: t[:, i, j], x, counter="lazy::index")   # adjacent: stays in place
    check(lambda t: t[i, :, torch.tensor([5, 0, 1])], x, counter="lazy::index")  # moves to front
    check(lambda t: t[t[:, 0, 0] > 0], torch.randn(6, 2, 3), counter="lazy::index")


def test_index_put_accumulate():
    x = torch.randn(4, 5)
    rows = torch.tensor([0, 2, 0, -1])
    vals = torch.randn(4, 5)

    def accumulate(t, v):
        return torch.index_put(t, (rows,), v, accumulate=True)

    check(accumulate, x, vals, counter="lazy::index_put")

    def assign(t, v):
        t = t * 1
        t[torch.tensor([1, 3]), torch.tensor([4, 0])] = v[0, :2]
        return t

    check(assign, x, vals, counter="lazy::index_put")


def test_nonzero_masked_select():
    x = torch.tensor([[0.0, 1.0, 0.0], [2.0, 0.0, -1.0]])
    check(torch.nonzero, x, counter="lazy::nonzero", grad=False)
    check(lambda t: torch.masked_select(t, t > 0), torch.randn(3, 4), counter="lazy::masked_select")
