"""Graphs run on LTC's I/O thread while Python traces the next step
(LTC_MLIR_ASYNC, on unless set to 0). Results must be the same as when each
step waits: reading a result, or tracing a graph over one, waits for it."""
import os
import subprocess
import sys

import torch
import torch._lazy
import torch.nn as nn
import torch.nn.functional as F

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")


def train(device, steps, wait_each_step):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x, y = torch.randn(8, 16).to(device), torch.randint(0, 4, (8,)).to(device)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
        if device == LAZY:
            torch._lazy.mark_step()
            if wait_each_step:
                torch._lazy.wait_device_ops()
    return [l.cpu() for l in losses], [p.detach().cpu() for p in model.parameters()]


def test_async_execution_is_on_by_default():
    assert ltc_mlir.async_execution()
    code = "import ltc_mlir; ltc_mlir.init(); print(ltc_mlir.async_execution())"
    env = dict(os.environ, LTC_MLIR_ASYNC="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()[-1]
    assert out == "False"


def test_back_to_back_steps_match_eager():
    eager_losses, eager_params = train(torch.device("cpu"), 12, False)
    lazy_losses, lazy_params = train(LAZY, 12, False)
    for e, l in zip(eager_losses + eager_params, lazy_losses + lazy_params):
        torch.testing.assert_close(l, e, rtol=1e-4, atol=1e-5)


def test_waiting_each_step_gives_the_same_values():
    a_losses, a_params = train(LAZY, 6, False)
    b_losses, b_params = train(LAZY, 6, True)
    for a, b in zip(a_losses + a_params, b_losses + b_params):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_in_place_chain_over_pending_results():
    x = torch.zeros(1000, device=LAZY)
    for i in range(40):
        x.add_(1.0).mul_(1.0)
        torch._lazy.mark_step()
        if i == 20:
            # Read while later steps may still be queued.
            assert x.cpu()[0].item() == 21.0
    assert torch.equal(x.cpu(), torch.full((1000,), 40.0))


def test_overlapped_steps_reuse_the_io_threads():
    # Each graph is scheduled while the previous one may still be finishing.
    # With a single I/O worker LTC then starts a fresh thread for the graph;
    # the backend gives LTC a second worker so that one is idle instead.
    code = """
import torch, torch._lazy, torch._lazy.metrics as metrics, ltc_mlir
ltc_mlir.init()
torch.set_num_threads(2)
x = torch.randn(256, 1024).to("lazy")
torch._lazy.mark_step(); torch._lazy.wait_device_ops()
for _ in range(200):
    y = torch.tanh(torch.nn.functional.gelu(x * 1.5))
    torch._lazy.mark_step()
torch._lazy.wait_device_ops()
print(metrics.counter_value("MlirExecutionThreads"))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()[-1]
    # Measured: 1-2 on a quiet machine, 4 under the parallel test suite; 36-39
    # with LTC's single worker.
    assert 1 <= int(out) <= 12
