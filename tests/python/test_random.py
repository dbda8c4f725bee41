"""Random ops on the lazy device: compiled (no eager fallback), reproducible
under torch.manual_seed, correctly distributed, and no recompiles from the
seed. Their streams differ from CPU's by design (docs/RANDOM.md)."""
import math
import os
import subprocess
import sys

import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics

import ltc_mlir

ltc_mlir.init()

N = 200_000


def counter(name):
    return metrics.counter_value(name) or 0


def fallback_counters():
    names = [n for n in metrics.counter_names() if n.startswith("aten::")]
    names.append("EagerGraphFallback")
    return {n: counter(n) for n in names}


def run_compiled(fn, lazy_counters):
    """Runs fn() (which returns lazy tensors), syncs, and checks that each
    lazy::<op> counter moved and no eager fallback did."""
    before = {n: counter(n) for n in lazy_counters}
    fallbacks = fallback_counters()
    out = fn()
    outs = out if isinstance(out, (tuple, list)) else (out,)
    torch._lazy.mark_step()
    results = [t.cpu() for t in outs]
    for n in lazy_counters:
        assert counter(n) > before[n], f"{n} did not move"
    moved = {n: counter(n) - v for n, v in fallback_counters().items() if counter(n) != v}
    assert not moved, f"fell back to eager: {moved}"
    return results if isinstance(out, (tuple, list)) else results[0]


def ks_statistic(sample, cdf):
    """Kolmogorov-Smirnov distance between a sample and a CDF (a tensor fn)."""
    x, _ = torch.sort(sample.double().flatten())
    n = x.numel()
    f = cdf(x)
    hi = torch.arange(1, n + 1, dtype=torch.float64) / n
    lo = torch.arange(0, n, dtype=torch.float64) / n
    return max((hi - f).max().item(), (f - lo).max().item())


def normal_cdf(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


# --- Counters: every op runs compiled -----------------------------------------

@pytest.mark.parametrize(
    "name,fn,counters",
    [
        ("uniform_", lambda: torch.empty(64, device="lazy").uniform_(-2, 3), ["lazy::uniform_"]),
        ("normal_", lambda: torch.empty(64, device="lazy").normal_(1, 2), ["lazy::normal_"]),
        # Functionalization turns bernoulli_(p) into bernoulli(self, p).
        ("bernoulli_", lambda: torch.empty(64, device="lazy").bernoulli_(0.3), ["lazy::bernoulli"]),
        ("bernoulli.p", lambda: torch.bernoulli(torch.zeros(64, device="lazy"), 0.3), ["lazy::bernoulli"]),
        ("rand", lambda: torch.rand(4, 16, device="lazy"), ["lazy::uniform_"]),
        ("randn", lambda: torch.randn(4, 16, device="lazy"), ["lazy::normal_"]),
        ("rand_like", lambda: torch.rand_like(torch.zeros(8, device="lazy")), ["lazy::uniform_"]),
        ("randn_like", lambda: torch.randn_like(torch.zeros(8, device="lazy")), ["lazy::normal_"]),
        ("dropout", lambda: torch.nn.functional.dropout(torch.ones(64, device="lazy"), 0.5, True),
         ["lazy::native_dropout"]),
    ],
)
def test_runs_compiled(name, fn, counters):
    out = run_compiled(fn, counters)
    assert torch.isfinite(out.float()).all()


def test_dropout_backward_runs_compiled():
    def fn():
        x = torch.ones(8, 32, device="lazy", requires_grad=True)
        y = torch.nn.Dropout(0.25)(x)
        y.sum().backward()
        return y, x.grad

    y, grad = run_compiled(fn, ["lazy::native_dropout", "lazy::native_dropout_backward"])
    # The gradient is the mask times 1/(1-p), the same mask as the forward.
    torch.testing.assert_close(grad, y)
    scale = torch.tensor(1 / 0.75, dtype=torch.float32).item()
    assert set(torch.unique(grad).tolist()) == {0.0, scale}


def test_float64_and_bool():
    def fn():
        return (torch.empty(1000, dtype=torch.float64, device="lazy").uniform_(),
                torch.empty(1000, dtype=torch.bool, device="lazy").bernoulli_(0.5))

    # Functionalization turns bernoulli_(p) into bernoulli(self, p).
    u, b = run_compiled(fn, ["lazy::uniform_", "lazy::bernoulli"])
    assert u.dtype == torch.float64 and b.dtype == torch.bool
    assert 0 <= u.min() and u.max() < 1
    assert 300 < b.sum() < 700


# --- Reproducibility ----------------------------------------------------------

def sample(seed):
    torch.manual_seed(seed)
    a = torch.rand(1000, device="lazy")
    b = torch.randn(7, 9, device="lazy")
    c = torch.nn.functional.dropout(torch.ones(500, device="lazy"), 0.4, True)
    torch._lazy.mark_step()
    return [a.cpu(), b.cpu(), c.cpu()]


def test_same_seed_same_values():
    first, second = sample(1234), sample(1234)
    for x, y in zip(first, second):
        assert torch.equal(x, y)


def test_different_seed_different_values():
    for x, y in zip(sample(1), sample(2)):
        assert not torch.equal(x, y)


def test_same_seed_in_another_process(tmp_path):
    values = sample(99)
    path = tmp_path / "values.pt"
    script = (
        "import torch, torch._lazy, ltc_mlir\n"
        "ltc_mlir.init()\n"
        "import test_random\n"
        f"torch.save(test_random.sample(99), {str(path)!r})\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(__file__)] + sys.path))
    subprocess.run([sys.executable, "-c", script], check=True, env=env)
    for x, y in zip(values, torch.load(path)):
        assert torch.equal(x, y)


def test_calls_in_one_graph_are_independent():
    torch.manual_seed(0)
    a = torch.rand(N, device="lazy")
    b = torch.rand(N, device="lazy")
    torch._lazy.mark_step()
    a, b = a.cpu(), b.cpu()
    assert not torch.equal(a, b)
    corr = torch.corrcoef(torch.stack([a, b]))[0, 1].item()
    assert abs(corr) < 0.01


def test_stream_advances_across_steps():
    torch.manual_seed(0)
    a = torch.rand(100, device="lazy")
    torch._lazy.mark_step()
    b = torch.rand(100, device="lazy")
    torch._lazy.mark_step()
    assert not torch.equal(a.cpu(), b.cpu())


# --- Distributions --------------------------------------------------------------

def test_uniform_distribution():
    torch.manual_seed(7)
    u = torch.empty(N, device="lazy").uniform_(-1, 3)
    torch._lazy.mark_step()
    u = u.cpu()
    assert -1 <= u.min() and u.max() < 3
    assert abs(u.mean().item() - 1.0) < 0.02          # std of mean ~0.0026
    assert abs(u.var().item() - 16 / 12) < 0.02       # std of var ~0.0027
    assert ks_statistic(u, lambda x: ((x + 1) / 4).clamp(0, 1)) < 0.01


def test_normal_distribution():
    torch.manual_seed(7)
    z = torch.randn(N, device="lazy")
    w = torch.empty(N, device="lazy").normal_(2.0, 0.5)
    torch._lazy.mark_step()
    z, w = z.cpu(), w.cpu()
    assert abs(z.mean().item()) < 0.01                # std of mean ~0.0022
    assert abs(z.var().item() - 1) < 0.02             # std of var ~0.0032
    assert ks_statistic(z, normal_cdf) < 0.01
    assert abs(w.mean().item() - 2.0) < 0.005
    assert abs(w.std().item() - 0.5) < 0.005
    assert torch.isfinite(z).all()


def test_bernoulli_rate():
    torch.manual_seed(7)
    b = torch.empty(N, device="lazy").bernoulli_(0.3)
    c = torch.bernoulli(torch.zeros(N, device="lazy"), 0.8)
    torch._lazy.mark_step()
    b, c = b.cpu(), c.cpu()
    assert set(torch.unique(b).tolist()) <= {0.0, 1.0}
    assert abs(b.mean().item() - 0.3) < 0.01          # std ~0.001
    assert abs(c.mean().item() - 0.8) < 0.01


def test_dropout_keep_rate_and_scale():
    torch.manual_seed(7)
    p = 0.3
    y = torch.nn.functional.dropout(torch.ones(N, device="lazy"), p, True)
    torch._lazy.mark_step()
    y = y.cpu()
    kept = y != 0
    assert abs(kept.float().mean().item() - (1 - p)) < 0.01
    torch.testing.assert_close(y[kept], torch.full_like(y[kept], 1 / (1 - p)))
    # Eval mode is the identity.
    x = torch.randn(10)
    assert torch.equal(torch.nn.functional.dropout(x.to("lazy"), p, False).cpu(), x)


# --- No recompiles from the seed ----------------------------------------------------

def test_training_with_dropout_does_not_recompile():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Dropout(0.5),
        torch.nn.Linear(32, 4)).to("lazy")
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(8, 16).to("lazy")
    target = torch.randint(0, 4, (8,)).to("lazy")
    compiles = []
    losses = []
    for _ in range(6):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), target)
        loss.backward()
        opt.step()
        torch._lazy.mark_step()
        losses.append(loss.item())
        compiles.append(counter("UncachedCompile"))
    # Steps 3.. reuse step 2's graph: the seed is data, not a constant.
    assert compiles[2:] == [compiles[2]] * 4, compiles
    assert all(math.isfinite(l) for l in losses)
