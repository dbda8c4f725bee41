"""Why graphs were compiled, and the cache CLI's diff/dot/export, with real
processes and a real cache directory:

- each entry's metadata names the user's source line and the kind of sync;
- LTC_MLIR_DEBUG=1 prints, per compile, the reason, the frame, the hash and
  how the graph differs from the nearest earlier one (a baked-in constant, a
  shape), and warns about a recompile storm; without it nothing is printed;
- `diff`, `dot` and `export` describe cached graphs, and the exported module
  runs under mlir-runner with the lazy device's results for the same inputs.
"""
import json
import os
import re
import subprocess
import sys

import pytest

TOOLS = os.path.join(os.getcwd(), "tools")
sys.path.insert(0, TOOLS)
import ltc_mlir_cache  # noqa: E402
import ltc_mlir_cache_graph as graphs  # noqa: E402

# The child program. Markers name the lines the tests expect in provenance.
SCRIPT = r'''
import json, os
import torch, torch._lazy, torch._lazy.metrics as metrics
import ltc_mlir
ltc_mlir.init()

x = torch.arange(12.0).reshape(4, 3).to("lazy")
torch._lazy.mark_step()  # WARMUP
for k in range(4):
    y = x[:, k % 3] * 2.0
    torch._lazy.mark_step()  # SELECT
for n in (2, 3):
    z = torch.ones(n, 3).to("lazy") + x[:n]
    total = z.sum().item()  # ITEM

w = torch.ones(8, 4).to("lazy").requires_grad_()
loss = torch.relu(torch.ones(16, 8).to("lazy") @ w).mean()
loss.backward()
with torch.no_grad():
    w -= 0.1 * w.grad
torch._lazy.mark_step()  # STEP

def f(a, b, c, s, alpha):
    return torch.add(torch.tanh(a @ b) * s, c, alpha=alpha)

given = json.loads(os.environ.get("INPUTS", "null"))
if given:
    a, b, c = (torch.tensor(given[name]["values"]).reshape(given[name]["shape"])
               for name in ("a", "b", "c"))
    s, alpha = given["s"]["values"][0], given["alpha"]["values"][0]
else:
    torch.manual_seed(0)
    a, b, c, s, alpha = torch.randn(4, 8), torch.randn(8, 8), torch.randn(8), 3, 2
out = f(a.to("lazy"), b.to("lazy"), c.to("lazy"), s, alpha)
values = out.cpu()  # EXPORT
print("RESULT " + json.dumps({
    "lazy": values.flatten().tolist(),
    "eager": f(a, b, c, s, alpha).flatten().tolist(),
    "counters": {n: metrics.counter_value(n) for n in metrics.counter_names()}}))
'''


def marker_line(name):
    for number, line in enumerate(SCRIPT.splitlines(), 1):
        if line.endswith("# " + name):
            return number
    raise AssertionError(name)


def run_child(script, cache_dir, debug, inputs=None):
    env = dict(os.environ, LTC_MLIR_CACHE_DIR=str(cache_dir))
    env.pop("LTC_MLIR_DUMP_DIR", None)
    env.pop("LTC_MLIR_DEBUG", None)
    if debug:
        env["LTC_MLIR_DEBUG"] = "1"
    if inputs is not None:
        env["INPUTS"] = json.dumps(inputs)
    proc = subprocess.run([sys.executable, str(script)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    line = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):]), proc.stderr


def cli(cache_dir, *args):
    proc = subprocess.run([sys.executable, os.path.join(TOOLS, "ltc_mlir_cache.py"),
                           "--dir", str(cache_dir), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One debug run of SCRIPT filling a fresh cache."""
    root = tmp_path_factory.mktemp("cli")
    script = root / "workload.py"
    script.write_text(SCRIPT)
    cache_dir = root / "cache"
    result, stderr = run_child(script, cache_dir, debug=True)
    entries = [e for e in ltc_mlir_cache.scan(str(cache_dir))]
    assert entries and all(e.valid for e in entries)
    return {"root": root, "script": str(script), "cache": cache_dir, "result": result,
            "stderr": stderr, "entries": entries}


def entries_from(session, marker):
    line = marker_line(marker)
    found = [e for e in session["entries"] if e.meta.get("provenance", {}).get("line") == line]
    return sorted(found, key=lambda e: e.key)


def test_provenance_names_the_users_line_and_sync_kind(session):
    expected = {"SELECT": ("mark_step", 3), "ITEM": (".item()", 2), "EXPORT": (".cpu()", 1)}
    for marker, (kind, count) in expected.items():
        found = entries_from(session, marker)
        assert len(found) == count, (marker, [e.meta.get("provenance") for e in session["entries"]])
        for e in found:
            where = e.meta["provenance"]
            assert where["file"] == session["script"]
            assert where["kind"] == kind
            assert where["function"] == "<module>"
            assert where["code"] and "#" in where["code"]
    listing = cli(session["cache"], "list")
    assert listing.count(f"workload.py:{marker_line('SELECT')} mark_step ") == 3, listing
    assert listing.count(f"workload.py:{marker_line('ITEM')} .item() ") == 2, listing
    show = cli(session["cache"], "show", entries_from(session, "ITEM")[0].key[:12])
    assert f"compiled by:  .item() at {session['script']}:{marker_line('ITEM')}" in show


def test_debug_output_explains_each_compile(session):
    err = session["stderr"]
    script = session["script"]
    blocks = re.findall(r"\[ltc-mlir\] compile \d+: graph ([0-9a-f]{32}) .*", err)
    assert len(blocks) == len(session["entries"]), err
    keys = {e.key.split("-")[0] for e in session["entries"]}
    assert set(blocks) == keys
    select = marker_line("SELECT")
    assert f"why:  mark_step at {script}:{select} in <module>" in err
    # k = 0 -> 1 -> 2: a Python int baked into the graph as a constant.
    assert re.search(r"diff: vs graph [0-9a-f]{16} \(same line\): same ops; constant changed: "
                     r"op \d+ torch\.aten\.select_copy\.int operand 2: int [01] -> int [12]", err), err
    assert (f"WARNING recompile storm: {script}:{select} compiled 3 graphs with the same ops "
            "that differ only in constants") in err
    assert "pass it as a tensor" in err
    # n = 2 -> 3: an input shape changed.
    assert f"why:  .item() at {script}:{marker_line('ITEM')} in <module>" in err
    assert re.search(r"same ops; shape changed: input \d: f32\[2,3\] -> f32\[3,3\]", err), err
    assert f"why:  .cpu() at {script}:{marker_line('EXPORT')}" in err
    assert "diff: the first graph of this process" in err


def test_cli_diff_and_dot(session):
    first, second = entries_from(session, "ITEM")
    out = cli(session["cache"], "diff", first.key[:16], second.key[:16])
    assert "summary: same ops; shape changed:" in out
    assert re.search(r"f32\[[23],3\]\s+f32\[[23],3\]\s+changed", out), out
    assert "constants that differ:\n  op 0 torch.aten.slice_copy.Tensor operand 3:" in out
    assert "first differing line (2):" in out

    # The CLI's comparison (Python) and the backend's (C++) agree.
    checked = 0
    for block in session["stderr"].split("[ltc-mlir] compile ")[1:]:
        graph = re.match(r"\d+: graph ([0-9a-f]{32})", block).group(1)
        vs = re.search(r"diff: vs graph ([0-9a-f]{16})(?: \(same line\))?: (.*)", block)
        if vs:
            out = cli(session["cache"], "diff", vs.group(1), graph)
            assert f"summary: {vs.group(2)}\n" in out, (block, out)
            checked += 1
    assert checked >= 4

    selects = entries_from(session, "SELECT")
    out = cli(session["cache"], "diff", selects[0].key[:16], selects[1].key[:16])
    assert "summary: same ops; constant changed: " in out
    assert "ops: same histogram" in out or "torch.constant.int" in out

    export = entries_from(session, "EXPORT")[0]
    out = cli(session["cache"], "diff", selects[0].key[:16], export.key[:16])
    assert "summary: ops changed (first at op 0)" in out
    assert re.search(r"\n +0 -> 1 +torch\.aten\.tanh\n", out), out

    dot_file = session["root"] / "g.dot"
    cli(session["cache"], "dot", export.key[:16], "-o", str(dot_file))
    dot = dot_file.read_text()
    assert dot.startswith('digraph "graph_')
    # a, b, c, s and add's alpha (Python scalars other than 0 and 1 are device data).
    assert dot.count("shape=invhouse") == 5 and dot.count("shape=house") == 1
    assert re.search(r'op\d+ \[label="aten\.tanh', dot)
    assert re.search(r"op\d+ -> out0;", dot)
    assert re.search(r"in\d -> op\d+;", dot)
    assert cli(session["cache"], "dot", export.key[:16]) == dot


def test_export_runs_under_mlir_runner_with_the_lazy_results(session):
    entry = entries_from(session, "EXPORT")[0]
    module = session["root"] / "graph.mlir"
    out = cli(session["cache"], "export", entry.key[:16], str(module), "--run")
    assert "func.func" not in module.read_text() or "llvm.func @main" in module.read_text()
    assert "llvm.func @main()" in module.read_text()
    printed = [l for l in out.splitlines() if l.startswith("( ")]
    assert len(printed) == 1, out
    exported = [float(v) for v in printed[0].strip("() ").split(",")]

    # The same inputs on the lazy device: which parameter is which follows
    # from the op (and operand) that uses it.
    graph = graphs.Graph(entry.text("source"))
    roles = {("torch.aten.mm", 0): "a", ("torch.aten.mm", 1): "b",
             ("torch.aten.mul.Tensor", 1): "s", ("torch.aten.Int.Tensor", 0): "alpha",
             ("torch.aten.add.Tensor", 1): "c"}
    inputs = {}
    for op in graph.ops:
        for k, operand in enumerate(op.operands):
            if operand.startswith("arg ") and (op.name, k) in roles:
                index = graph.use_order[int(operand[4:])]
                dtype, shape = graphs.parse_type(graph.inputs[index])
                inputs[roles[op.name, k]] = {
                    "shape": shape, "values": graphs.generated_values(shape, dtype, index)}
    assert sorted(inputs) == ["a", "alpha", "b", "c", "s"], graph.text
    result, stderr = run_child(session["script"], session["cache"], debug=False, inputs=inputs)
    # Without LTC_MLIR_DEBUG nothing is printed; every graph came from the cache.
    assert "[ltc-mlir]" not in stderr
    assert result["counters"].get("MlirCompile", 0) == 0
    assert result["counters"].get("CacheDiskHit", 0) == len(session["entries"])
    assert result["counters"].get("CacheMemoryMiss", 0) == len(session["entries"])
    assert result["counters"].get("CacheDiskMiss", 0) == 0
    # .item() reads its scalar through the eager _local_scalar_dense.
    assert not [n for n in result["counters"]
                if n.startswith("aten::") and n != "aten::_local_scalar_dense"]
    assert len(exported) == len(result["lazy"]) == 32
    for got, lazy, eager in zip(exported, result["lazy"], result["eager"]):
        assert got == pytest.approx(lazy, rel=1e-5, abs=1e-5)
        assert got == pytest.approx(eager, rel=1e-4, abs=1e-4)


def test_export_linalg_level_is_readable(session):
    entry = entries_from(session, "EXPORT")[0]
    module = session["root"] / "graph.linalg.mlir"
    cli(session["cache"], "export", entry.key[:16], str(module), "--level", "linalg")
    text = module.read_text()
    assert "func.func @main()" in text and "call @graph(" in text
    assert "linalg.matmul" in text or "linalg.generic" in text
    assert "call @printF32" in text


def test_every_cached_graph_exports_and_runs(session):
    """Including a training step that returns its inputs and several
    results (buffers @main allocates must satisfy the graph's code)."""
    assert entries_from(session, "STEP")
    for entry in session["entries"]:
        graph = graphs.Graph(entry.text("source"))
        module = session["root"] / f"all_{entry.key[:8]}.mlir"
        out = cli(session["cache"], "export", entry.key[:16], str(module), "--run")
        printed = [l for l in out.splitlines() if l.startswith("( ")]
        assert len(printed) == len(graph.outputs), (entry.key, out)
        for line, output in zip(printed, graph.outputs):
            dtype, shape = graphs.parse_type(output)
            count = 1
            for d in shape:
                count *= d
            assert len(line.strip("() ").split(",")) == count, (entry.key, line)
