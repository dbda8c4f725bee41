"""End-to-end: ops and a training step on the lazy device, compiled by MLIR."""
import os
import subprocess
import sys
import re

import torch
import torch._lazy
import torch._lazy.metrics as metrics
import torch.nn as nn
import torch.nn.functional as F

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")


def counters():
    return {n: metrics.counter_value(n) for n in metrics.counter_names()}


def test_mm_relu_add_compiles_and_matches_eager():
    a, b = torch.randn(4, 5), torch.randn(5, 3)
    before = counters()
    z = torch.relu(a.to(LAZY) @ b.to(LAZY)) + 1
    text = ltc_mlir.get_mlir([z])
    assert "torch.aten.mm" in text and "torch.aten.relu" in text
    torch._lazy.mark_step()
    torch.testing.assert_close(z.cpu(), torch.relu(a @ b) + 1)
    after = counters()
    assert after.get("lazy::mm", 0) > before.get("lazy::mm", 0)
    assert after.get("lazy::relu", 0) > before.get("lazy::relu", 0)
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)
    moved = [n for n in after if n.startswith("aten::") and after[n] != before.get(n, 0)]
    assert moved == []


def train(device, steps=3):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch.manual_seed(1)
    x, y = torch.randn(16, 64), torch.randint(0, 10, (16,))
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x.to(device)), y.to(device))
        loss.backward()
        opt.step()
        if device.type == "lazy":
            torch._lazy.mark_step()
        losses.append(loss.detach().to("cpu"))
    return torch.stack(losses)


def test_mlp_training_matches_eager_without_graph_fallback():
    before = counters()
    lazy = train(LAZY)
    after = counters()
    torch.testing.assert_close(lazy, train(torch.device("cpu")), rtol=1e-4, atol=1e-5)
    for op in ("addmm", "mm", "_log_softmax", "nll_loss_forward", "nll_loss_backward",
               "threshold_backward"):
        assert after.get(f"lazy::{op}", 0) > before.get(f"lazy::{op}", 0), op
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)


def test_unsupported_op_falls_back_and_is_counted():
    x = torch.randn(3, 4)
    before = counters()
    # A data-dependent output shape: falls back to eager by design.
    y = torch.unique(x.to(LAZY))
    torch.testing.assert_close(y.cpu(), torch.unique(x))
    after = counters()
    assert after.get("aten::_unique2", 0) > before.get("aten::_unique2", 0)


def test_metrics_report_has_compile_and_execute_time():
    z = torch.randn(2, 2).to(LAZY) * 2
    torch._lazy.mark_step()
    z.cpu()
    report = ltc_mlir.metrics_report()
    assert "CompileTime" in report and "ExecuteTime" in report


def test_perf_map_names_compiled_graphs():
    """LTC_MLIR_PERF_MAP=1 writes /tmp/perf-<pid>.map lines (hex start, hex
    size, name) for the functions of every graph the JIT links, the internal
    bodies of its parallel loops included."""
    script = (
        "import os, torch, ltc_mlir, torch._lazy\n"
        "ltc_mlir.init()\n"
        "x = torch.randn(512, 512).to(torch.device('lazy'))\n"
        "y = (x * 2).tanh().sum(dim=1)\n"
        "torch._lazy.mark_step()\n"
        "print(y.cpu().shape, os.getpid())\n")
    env = dict(os.environ, LTC_MLIR_PERF_MAP="1", LTC_MLIR_CACHE_DIR="")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    pid = out.stdout.split()[-1]
    path = f"/tmp/perf-{pid}.map"
    try:
        lines = open(path).read().splitlines()
    finally:
        os.remove(path)
    entries = [line.split() for line in lines]
    assert any(name.endswith(":ltc_graph_entry") for _, _, name in entries), lines
    assert any("_parallel_" in name for _, _, name in entries), lines
    for start, size, _ in entries:
        assert int(start, 16) > 0 and int(size, 16) > 0


def test_dump_dir_has_every_stage(tmp_path, monkeypatch):
    monkeypatch.setenv("LTC_MLIR_DUMP_DIR", str(tmp_path))
    # A graph shape no other test compiles, so it is compiled here.
    z = torch.tanh(torch.randn(3, 7).to(LAZY)).sum(dim=0)
    torch._lazy.mark_step()
    z.cpu()
    names = sorted(os.listdir(tmp_path))
    stems = {n.split(".")[0] for n in names}
    assert stems, names
    for stem in stems:
        for stage in ("torch", "linalg", "llvm"):
            assert f"{stem}.{stage}.mlir" in names, names
        assert f"{stem}.ll" in names, names
    text = (tmp_path / f"{sorted(stems)[0]}.torch.mlir").read_text()
    assert "func.func @graph" in text and "torch.aten.tanh" in text
    assert "llvm.func" in (tmp_path / f"{sorted(stems)[0]}.llvm.mlir").read_text()
    # The optimized LLVM IR that codegen saw.
    assert "define void @ltc_graph_entry" in (tmp_path / f"{sorted(stems)[0]}.ll").read_text()


def test_two_hidden_layer_mlp_step_compiles():
    # Regression: identical zero-filled momentum buffers CSE to one value that
    # the graph returned twice, which crashed MLIR's buffer-results-to-out-params.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10)).to(LAZY)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 64).to(LAZY), torch.randint(0, 10, (64,)).to(LAZY)
    before = counters()
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        torch._lazy.mark_step()
    assert counters().get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)
    assert torch.isfinite(model[0].weight.cpu()).all()


def test_graphs_that_differ_only_in_wiring_do_not_share_code():
    # Both graphs have the same ops and shapes, and a and b are also outputs,
    # which fixes the argument order; only which input feeds which side of the
    # subtraction differs. Input nodes used to hash by shape alone, so the
    # second graph ran the first one's code and returned a - b.
    a_cpu, b_cpu = torch.tensor([1., 2.]), torch.tensor([10., 20.])
    for swap in (False, True):
        a, b = a_cpu.to(LAZY), b_cpu.to(LAZY)
        prod = a * b
        diff = (b - a) if swap else (a - b)
        torch._lazy.mark_step()
        want = (b_cpu - a_cpu) if swap else (a_cpu - b_cpu)
        assert diff.cpu().tolist() == want.tolist()
        assert prod.cpu().tolist() == (a_cpu * b_cpu).tolist()


def test_zero_and_one_scalars_are_graph_constants():
    # ltc_backend/backend_impl.cpp turns on LTC's special scalars: an add's
    # alpha of 1 is baked into the graph, not uploaded as device data; other
    # numbers stay device data, so a changing learning rate never recompiles.
    x, y = torch.ones(3).to(LAZY), torch.ones(3).to(LAZY)
    text = torch._C._lazy._get_tensors_text([x.add(y), x.add(y, alpha=2)])
    torch._lazy.mark_step()
    assert "prim::Constant(), value=1" in text, text
    assert text.count("[Long[]] lazy_tensors::device_data") == 1, text


def test_a_python_number_is_one_graph_input_per_value():
    # Every use of 0.9 in a graph shares one input (ltc_backend/lazy_tensor.cpp).
    x = torch.randn(4, 4).to(LAZY)
    torch._lazy.mark_step()
    y = x * 0.9 + x.mul(0.9) - torch.add(x, x, alpha=0.9) + x * 2.5
    arguments = re.search(r"func\.func @graph\((.*)\) ->", ltc_mlir.get_mlir([y])).group(1)
    assert arguments.count("!torch.vtensor<[],f64>") == 2, arguments
    torch._lazy.mark_step()
    xc = x.cpu()
    torch.testing.assert_close(y.cpu(), xc * 0.9 + xc * 0.9 - (xc + 0.9 * xc) + xc * 2.5)


def test_a_learning_rate_schedule_does_not_recompile():
    torch.manual_seed(0)
    models = {d: nn.Linear(8, 4).to(d) for d in ("cpu", "lazy")}
    models["lazy"].load_state_dict(models["cpu"].state_dict())
    opts = {d: torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9) for d, m in models.items()}
    scheds = {d: torch.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.7) for d, o in opts.items()}
    x, y = torch.randn(16, 8), torch.randn(16, 4)
    compiles = []
    for step in range(6):
        for d in ("cpu", "lazy"):
            opts[d].zero_grad()
            F.mse_loss(models[d](x.to(d)), y.to(d)).backward()
            opts[d].step()
            scheds[d].step()
        torch._lazy.mark_step()
        compiles.append(metrics.counter_value("UncachedCompile") or 0)
    # Step 0 has no momentum buffers yet and step 1 is the first with them;
    # later steps only change the learning rate's value.
    assert compiles[2:] == [compiles[2]] * 4, compiles
    for pc, pl in zip(models["cpu"].parameters(), models["lazy"].parameters()):
        torch.testing.assert_close(pl.cpu(), pc, rtol=1e-5, atol=1e-6)


def test_complex_scalar_operands_keep_working():
    # Complex scalars take LTC core's path (ScalarOperand keys real values);
    # complex graphs run through the eager interpreter, with correct values.
    import warnings
    a, b = torch.randn(3, dtype=torch.complex64), torch.randn(3, dtype=torch.complex64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = torch.add(a.to(LAZY), b.to(LAZY), alpha=2 + 1j).cpu()
        scaled = (a.to(LAZY) * (0.5 + 2j)).cpu()
    torch.testing.assert_close(got, torch.add(a, b, alpha=2 + 1j))
    torch.testing.assert_close(scaled, a * (0.5 + 2j))
