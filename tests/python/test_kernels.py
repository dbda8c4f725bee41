"""Matrix products, convolutions and pooling gradients on the lazy device,
which the CPU pipeline runs as calls into the runtime's GEMM / im2col kernels
or as gathers without reduction loops, against eager CPU."""
import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics
import torch.nn.functional as F

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")


def counters():
    return {n: metrics.counter_value(n) for n in metrics.counter_names()}


def run_both(fn, *inputs, ops):
    """fn on eager CPU and on the lazy device; returns (eager, lazy) results
    of its output and of the input gradients, and checks the counters."""
    def go(device):
        xs = [x.detach().to(device).requires_grad_(x.is_floating_point()) for x in inputs]
        out = fn(*xs)
        out.pow(2).sum().backward()
        if device == LAZY:
            torch._lazy.mark_step()
        return [out.detach().cpu()] + [x.grad.cpu() for x in xs if x.grad is not None]

    eager = go(torch.device("cpu"))
    before = counters()
    lazy = go(LAZY)
    after = counters()
    for op in ops:
        assert after.get("lazy::" + op, 0) > before.get("lazy::" + op, 0), op
    moved = [n for n in after if n.startswith("aten::") and after[n] != before.get(n, 0)]
    assert moved == []
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)
    return eager, lazy


def close(eager, lazy):
    for e, l in zip(eager, lazy):
        torch.testing.assert_close(l, e, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (37, 53, 29), (64, 256, 10)])
def test_linear_odd_sizes(m, k, n):
    torch.manual_seed(0)
    x, w, b = torch.randn(m, k), torch.randn(n, k), torch.randn(n)
    close(*run_both(lambda x, w, b: F.linear(x, w, b), x, w, b, ops=["addmm"]))


def test_mm_transposed_operands():
    torch.manual_seed(1)
    a, b = torch.randn(19, 7), torch.randn(23, 19)
    close(*run_both(lambda a, b: a.t() @ b.t(), a, b, ops=["mm"]))


def test_bmm_and_batched_linear():
    torch.manual_seed(2)
    a, b = torch.randn(3, 5, 9), torch.randn(3, 9, 4)
    close(*run_both(torch.bmm, a, b, ops=["bmm"]))
    x, w = torch.randn(2, 6, 8), torch.randn(5, 8)
    close(*run_both(lambda x, w: F.linear(x, w), x, w, ops=[]))


def test_batched_linear_gradients_are_gemm_calls(tmp_path, monkeypatch):
    """All three products of a linear layer on [batch, seq, features] input
    become GEMM calls: the weight gradient reduces over batch and seq at once
    (two k loops collapsed into one), the others carry two m loops."""
    monkeypatch.setenv("LTC_MLIR_DUMP_DIR", str(tmp_path))
    torch.manual_seed(3)
    x, w = torch.randn(3, 7, 8), torch.randn(5, 8)
    close(*run_both(lambda x, w: F.linear(x, w) * 1.5, x, w, ops=[]))
    text = "".join(p.read_text() for p in tmp_path.glob("*.llvm.mlir"))
    assert text.count("llvm.call @ltc_mlir_sgemm") == 3


@pytest.mark.parametrize("stride,padding,dilation", [(1, 1, 1), (2, 0, 1), (1, 2, 2), (3, 1, 1)])
def test_conv2d_forward_and_backward(stride, padding, dilation):
    torch.manual_seed(3)
    x, w, b = torch.randn(3, 4, 11, 10), torch.randn(5, 4, 3, 3), torch.randn(5)
    close(*run_both(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation), x, w, b,
                    ops=["convolution", "convolution_backward"]))


def test_winograd_conv2d_forward_and_backward():
    """A 3x3 stride-1 convolution over 64 channels is a shape the runtime runs
    with Winograd's F(2x2, 3x3) (tests/cpp/cpu_kernels_test.cpp checks the
    path is taken), forward and for the input gradient (itself a 3x3 stride-1
    convolution); odd sizes leave partial last tiles."""
    torch.manual_seed(6)
    x, w, b = torch.randn(2, 64, 13, 11), torch.randn(64, 64, 3, 3) * 0.05, torch.randn(64)
    close(*run_both(lambda x, w, b: F.conv2d(x, w, b, 1, 1), x, w, b,
                    ops=["convolution", "convolution_backward"]))


def test_conv2d_filters_that_change_every_step():
    """oneDNN keeps its re-laid-out copy of a filter that is a graph input
    for as long as that input's contents live (runtime/graph_inputs.h). A
    filter updated by SGD is a new input every step: each step must read its
    new values, on whichever kernel the per-shape tuning picks (its first
    steps run every kernel in turn)."""
    torch.manual_seed(7)
    x = torch.randn(2, 32, 12, 12)
    w0, b0 = torch.randn(32, 32, 3, 3) * 0.05, torch.randn(32)

    def train(device):
        w = w0.clone().to(device).requires_grad_()
        b = b0.clone().to(device).requires_grad_()
        xs = x.to(device)
        outs = []
        for _ in range(12):
            out = F.conv2d(xs, w, b, 1, 1)
            out.pow(2).mean().backward()
            with torch.no_grad():
                w -= 0.5 * w.grad
                b -= 0.5 * b.grad
            w.grad = None
            b.grad = None
            if device == LAZY:
                torch._lazy.mark_step()
            outs.append(out.detach())
        return [o.cpu() for o in outs] + [w.detach().cpu()]

    eager = train(torch.device("cpu"))
    lazy = train(LAZY)
    for e, l in zip(eager, lazy):
        torch.testing.assert_close(l, e, rtol=1e-3, atol=1e-3)
    # The filter moved: a stale copy would have shown.
    assert (eager[-1] - w0).abs().max() > 1e-2


@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil", [
    (2, 2, 0, 1, False),  # disjoint windows, the usual case
    (2, 3, 0, 1, False),  # gaps between windows
    (2, 2, 1, 1, False),  # padding
    (2, 3, 0, 2, True),   # dilation, ceil mode
    (3, 2, 1, 1, False),  # overlapping windows
])
def test_max_pool2d_backward(kernel, stride, padding, dilation, ceil):
    torch.manual_seed(4)
    x = torch.randn(2, 3, 9, 8)
    close(*run_both(lambda x: F.max_pool2d(x, kernel, stride, padding, dilation, ceil), x,
                    ops=["max_pool2d_with_indices_backward"]))


@pytest.mark.parametrize("kernel,stride,padding,ceil", [(3, 2, 1, False), (2, 2, 0, True)])
def test_max_pool2d_without_indices(kernel, stride, padding, ceil):
    """Under no_grad nothing reads the indices, so the lowering computes only
    the values; NaN still wins its window and -inf stays -inf, as in eager."""
    torch.manual_seed(5)
    x = torch.randn(2, 3, 9, 8)
    x[0, 0, 1, 1] = float("nan")
    x[1, 2] = float("-inf")
    with torch.no_grad():
        expected = F.max_pool2d(x, kernel, stride, padding, 1, ceil)
        before = counters()
        y = F.max_pool2d(x.to(LAZY), kernel, stride, padding, 1, ceil)
        torch._lazy.mark_step()
        after = counters()
    assert after.get("lazy::max_pool2d_with_indices", 0) > before.get("lazy::max_pool2d_with_indices", 0)
    assert [n for n in after if n.startswith("aten::") and after[n] != before.get(n, 0)] == []
    torch.testing.assert_close(y.cpu(), expected, equal_nan=True)


@pytest.mark.parametrize("dtype,shape,kernel,stride,padding,dilation,ceil", [
    (torch.float32, (8, 16, 32, 32), 2, 2, 0, 1, False),  # split over 2 threads
    (torch.float32, (2, 3, 9, 8), 3, 2, 1, 1, False),     # overlapping windows
    (torch.float64, (3, 9, 8), 2, 3, 1, 2, True),         # unbatched, f64
])
def test_max_pool2d_with_indices_kernels(tmp_path, monkeypatch, dtype, shape, kernel, stride,
                                         padding, dilation, ceil):
    """Training pools f32/f64 with the runtime's kernels: values and indices
    (NaN winning, all -inf windows) and the scattered gradient are exactly
    eager's, at 2 threads too."""
    monkeypatch.setenv("LTC_MLIR_DUMP_DIR", str(tmp_path))
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        torch.manual_seed(6)
        x = torch.randn(*shape, dtype=dtype)
        x.view(-1, *shape[-2:])[0, 1, 1] = float("nan")
        x.view(-1, *shape[-2:])[-1] = float("-inf")
        g = torch.randn(*F.max_pool2d(x, kernel, stride, padding, dilation, ceil).shape,
                        dtype=dtype)

        def go(device):
            xd = x.detach().to(device).requires_grad_()
            y, idx = F.max_pool2d(xd, kernel, stride, padding, dilation, ceil, return_indices=True)
            (y * g.to(device)).sum().backward()
            if device == LAZY:
                torch._lazy.mark_step()
            return y.detach().cpu(), idx.cpu(), xd.grad.cpu()

        eager = go(torch.device("cpu"))
        before = counters()
        lazy = go(LAZY)
        after = counters()
    finally:
        torch.set_num_threads(threads)
    for op in ["max_pool2d_with_indices", "max_pool2d_with_indices_backward"]:
        assert after.get("lazy::" + op, 0) > before.get("lazy::" + op, 0), op
    assert [n for n in after if n.startswith("aten::") and after[n] != before.get(n, 0)] == []
    for e, l in zip(eager, lazy):
        torch.testing.assert_close(l, e, rtol=0, atol=0, equal_nan=True)
    suffix = "f32" if dtype == torch.float32 else "f64"
    text = "".join(p.read_text() for p in tmp_path.glob("*.llvm.mlir"))
    assert f"llvm.call @ltc_mlir_max_pool2d_with_indices_{suffix}" in text
    assert f"llvm.call @ltc_mlir_max_pool2d_with_indices_backward_{suffix}" in text
