"""Graphs whose loops are large enough for ltc-parallelize-loops (tiles run on
the runtime's thread pool) give eager's values at 1 and 2 threads, forward and
backward, and run compiled: lazy::<op> counters move, no aten:: counter does.
"""
import os

# The pool follows torch.set_num_threads; a cap left in the environment must
# not make these tests serial.
os.environ.pop("LTC_MLIR_LOOP_THREADS", None)

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


def elementwise(x):
    return torch.tanh(x) * 2.0 + torch.exp(-x * x)


def softmax_rows(x):
    return torch.softmax(x, dim=-1)


def layer_norm(x):
    return F.layer_norm(x, x.shape[-1:])


def column_sum(x):
    return x.sum(dim=0)


def pool_relu(x):
    return F.max_pool2d(torch.relu(x.reshape(8, 32, 32, 32)), 2)


def batch_norm(x):
    x = x.reshape(8, 32, 32, 32)
    return F.batch_norm(x, None, None, training=True)


CASES = [elementwise, softmax_rows, layer_norm, column_sum, pool_relu, batch_norm]


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    saved = torch.get_num_threads()
    torch.set_num_threads(request.param)
    yield request.param
    torch.set_num_threads(saved)


@pytest.mark.parametrize("fn", CASES, ids=[f.__name__ for f in CASES])
def test_matches_eager(fn, threads):
    torch.manual_seed(0)
    # 262144 elements: every loop of these graphs passes the work threshold.
    x = torch.randn(256, 1024)
    x_cpu = x.clone().requires_grad_()
    expected = fn(x_cpu)
    expected.sum().backward()

    before = counters()
    x_lazy = x.to(LAZY).requires_grad_()
    out = fn(x_lazy)
    out.sum().backward()
    torch._lazy.mark_step()
    got, grad = out.cpu(), x_lazy.grad.cpu()

    after = counters()
    moved = {n: v - before.get(n, 0) for n, v in after.items() if v != before.get(n, 0)}
    assert any(n.startswith("lazy::") for n in moved), moved
    assert not [n for n in moved if n.startswith("aten::")], moved
    assert "EagerGraphFallback" not in moved, moved
    torch.testing.assert_close(got, expected.detach(), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(grad, x_cpu.grad, rtol=1e-4, atol=1e-4)
