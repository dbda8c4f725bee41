"""PyTorch's OpInfo database on the lazy device: every float32 OpInfo, its
first samples run on eager CPU and on ltc-mlir, forward and (where the OpInfo
supports autograd) backward of a sum of its float outputs.

Each op gets a state, best first:
  pass      matches eager and ran compiled (no aten:: counter moved, no
            EagerGraphFallback)
  fallback  matches eager, but some of it ran through the eager fallback
  mismatch  ran, but a value, dtype or shape differs from eager
  error     raised a Python exception (eager did not)
  timeout   took longer than PER_OP_TIMEOUT seconds
  crash     killed the worker process
tests/python/opinfo_expectations.yaml lists every op whose state is not
`pass`, with a reason. The test fails when an op's state differs from that
file, worse (a regression) or better (a stale entry). To rewrite the file
from a run:

  LTC_MLIR_OPINFO_UPDATE=1 PYTHONPATH=bazel-bin/python:tests/python/support \
      /usr/bin/python3 -m pytest -q tests/python/test_opinfo.py

Samples run in a worker subprocess, so that a sample that kills the process
is recorded as `crash` (a bug to fix) instead of ending the run.
Environment: LTC_MLIR_OPINFO_OPS (comma-separated op keys, run only those),
LTC_MLIR_OPINFO_SAMPLES (samples per op, default 4), LTC_MLIR_OPINFO_SUMMARY
(where to write the JSON summary; default: Bazel's undeclared outputs dir).
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTATIONS = os.path.join(HERE, "opinfo_expectations.yaml")
STATES = ["pass", "fallback", "mismatch", "error", "timeout", "crash"]
RANK = {s: i for i, s in enumerate(STATES)}
PER_OP_TIMEOUT = 180
MAX_SAMPLES = int(os.environ.get("LTC_MLIR_OPINFO_SAMPLES", "4"))
FWD_TOL = dict(rtol=1e-4, atol=1e-4)
BWD_TOL = dict(rtol=1e-3, atol=1e-3)

# Ops not scored, each with its reason. Keys are OpInfo names (with the
# variant as ".variant"); a trailing "*" matches a prefix.
SKIP = {
    # Random or uninitialised by definition: no value to compare.
    "empty": "uninitialised memory",
    "empty_like": "uninitialised memory",
    "new_empty": "uninitialised memory",
    "new_empty_strided": "uninitialised memory",
    "randn": "random",
    "randn_like": "random",
    "rand_like": "random",
    "randint_like": "random",
    "uniform": "random sampling",
    "normal": "random sampling",
    "normal.number_mean": "random sampling",
    "bernoulli": "random sampling",
    "multinomial": "random sampling",
    "nn.functional.dropout*": "random",
    "nn.functional.feature_alpha_dropout.with_train": "random",
    # Samples with dropout_p > 0 draw random numbers, whose lazy stream
    # differs from CPU's by design (docs/RANDOM.md).
    "nn.functional._scaled_dot_product_attention": "random (dropout samples)",
    "nn.functional.rrelu": "random (training mode samples slopes)",
    "nn.functional.fractional_max_pool2d": "random pooling regions",
    "nn.functional.fractional_max_pool3d": "random pooling regions",
    "svd_lowrank": "randomised algorithm",
    "pca_lowrank": "randomised algorithm",
    "resize_": "leaves new elements uninitialised",
    "resize_as_": "leaves new elements uninitialised",
    # Sparse layouts: the lazy device holds dense tensors only.
    "to_sparse": "sparse layout",
    "sparse.sampled_addmm": "sparse layout",
    # CUDA only.
    "jiterator_*": "CUDA-only (jiterator)",
    # Complex dtypes only: their float32 samples build complex tensors,
    # which the lazy device does not hold.
    "view_as_complex": "makes a complex tensor",
    "complex": "makes a complex tensor",
    "polar": "makes a complex tensor",
    "chalf": "complex32 dtype",
}


# Scored, but their state is not compared with the expectations file:
# known bugs whose result varies from run to run. They count as listed there.
UNSTABLE = {
    "as_strided_scatter": "its backward builds zeros_like(src) through the "
                          "aten::new_empty_strided fallback and the zeroing "
                          "is lost, so the gradient reads uninitialised memory "
                          "(mismatch or, by chance, a match)",
}


def skip_reason(key):
    for pattern, reason in SKIP.items():
        if pattern.endswith("*") and key.startswith(pattern[:-1]):
            return reason
        if key == pattern:
            return reason
    return None


def op_key(op):
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


def scored_opinfos():
    """(key -> OpInfo) for float32 OpInfos, and (key -> reason) for skipped ones."""
    import torch
    from torch.testing._internal.common_methods_invocations import op_db
    scored, skipped = {}, {}
    for op in op_db:
        key = op_key(op)
        if torch.float32 not in op.supported_dtypes("cpu"):
            skipped[key] = "no float32 support on CPU"
            continue
        reason = skip_reason(key)
        if reason:
            skipped[key] = reason
            continue
        scored[key] = op
    return scored, skipped


# --- the worker: runs ops one by one, one JSON line per op -----------------

def worker():
    import torch
    import torch._lazy
    import torch._lazy.metrics as metrics
    import ltc_mlir

    ltc_mlir.init()
    lazy = torch.device("lazy")
    scored, _ = scored_opinfos()

    def copy_to(x, device, leaves):
        # A fresh leaf per tensor; those that required grad are collected in
        # traversal order so both runs differentiate the same inputs.
        if isinstance(x, torch.Tensor):
            t = x.detach().clone().to(device)
            if x.requires_grad:
                t.requires_grad_()
                leaves.append(t)
            return t
        if isinstance(x, (list, tuple)):
            return type(x)(copy_to(y, device, leaves) for y in x)
        if isinstance(x, dict):
            return {k: copy_to(v, device, leaves) for k, v in x.items()}
        return x

    def flat(x):
        if isinstance(x, torch.Tensor):
            return [x]
        if isinstance(x, (list, tuple)):
            return [t for y in x for t in flat(y)]
        return []

    def run(op, sample, device, backward):
        leaves = []
        inp = copy_to(sample.input, device, leaves)
        args = copy_to(sample.args, device, leaves)
        kwargs = copy_to(sample.kwargs, device, leaves)
        out = op(inp, *args, **kwargs)
        grads = []
        if backward and leaves:
            diff = [t for t in flat(sample.output_process_fn_grad(out))
                    if t.requires_grad and t.is_floating_point()]
            if diff:
                total = sum(t.sum() for t in diff)
                grads = torch.autograd.grad(total, leaves, allow_unused=True)
        if device.type == "lazy":
            torch._lazy.mark_step()
        return out, grads

    def to_cpu(x):
        if isinstance(x, torch.Tensor):
            return x.detach().cpu()
        if isinstance(x, (list, tuple)):
            return [to_cpu(y) for y in x]
        return x

    def compare(got, want, tol, what):
        if isinstance(want, torch.Tensor):
            if not isinstance(got, torch.Tensor):
                raise AssertionError(f"{what}: got {type(got).__name__}, want a tensor")
            torch.testing.assert_close(got, want, equal_nan=True, **tol, msg=lambda m: f"{what}: {m}")
        elif isinstance(want, (list, tuple)):
            if not isinstance(got, (list, tuple)) or len(got) != len(want):
                raise AssertionError(f"{what}: structure differs")
            for i, (g, w) in enumerate(zip(got, want)):
                compare(g, w, tol, f"{what}[{i}]")
        elif want is None:
            if got is not None:
                raise AssertionError(f"{what}: got a value, want None")
        elif got != want:
            raise AssertionError(f"{what}: {got!r} != {want!r}")

    def run_op(op):
        backward = op.supports_autograd and torch.float32 in op.supported_backward_dtypes("cpu")
        # Seeded here, so an op sees the same samples whichever ops ran before.
        torch.manual_seed(0)
        samples = op.sample_inputs("cpu", torch.float32, requires_grad=backward)
        metrics.reset()
        ran = 0
        for i, sample in enumerate(samples):
            if i >= MAX_SAMPLES:
                break
            torch.manual_seed(0)
            try:
                want, want_grads = run(op, sample, torch.device("cpu"), backward)
            except Exception:
                continue  # eager rejects it too: nothing to compare
            ran += 1
            try:
                got, got_grads = run(op, sample, lazy, backward)
                got, got_grads = to_cpu(got), to_cpu(list(got_grads))
            except Exception as e:
                msg = str(e).strip().splitlines()
                return "error", f"sample {i}: {type(e).__name__}: {msg[0][:200] if msg else ''}"
            try:
                compare(got, to_cpu(want), FWD_TOL, "output")
                compare(got_grads, to_cpu(list(want_grads)), BWD_TOL, "grad")
            except AssertionError as e:
                msg = " ".join(str(e).split())
                return "mismatch", f"sample {i}: {msg[:200]}"
        if ran == 0:
            return "error", "no sample runs on eager CPU"
        names = metrics.counter_names()
        fallbacks = sorted(n for n in names if n.startswith("aten::") and metrics.counter_value(n))
        if "EagerGraphFallback" in names and metrics.counter_value("EagerGraphFallback"):
            fallbacks.append("EagerGraphFallback")
        if fallbacks:
            return "fallback", " ".join(fallbacks)
        return "pass", ""

    for line in sys.stdin:
        key = line.strip()
        if not key:
            continue
        print(json.dumps({"op": key, "started": True}), flush=True)
        try:
            state, reason = run_op(scored[key])
        except Exception as e:  # sample generation itself failed
            state, reason = "error", f"{type(e).__name__}: {str(e)[:200]}"
        print(json.dumps({"op": key, "state": state, "reason": reason}), flush=True)


# --- the driver: feeds the worker, restarts it after a crash ---------------

def run_all(keys, log=print):
    """key -> (state, reason) for every key, each op run in a worker process."""
    results, pending = {}, list(keys)
    while pending:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, bufsize=1)
        current = None
        try:
            for key in pending:
                proc.stdin.write(key + "\n")
            proc.stdin.close()
            import selectors
            sel = selectors.DefaultSelector()
            sel.register(proc.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + PER_OP_TIMEOUT + 120  # + import time
            while True:
                if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    results[current or pending[0]] = ("timeout", f"> {PER_OP_TIMEOUT} s")
                    proc.kill()
                    break
                line = proc.stdout.readline()
                if not line:
                    break
                msg = json.loads(line)
                if msg.get("started"):
                    current = msg["op"]
                    deadline = time.monotonic() + PER_OP_TIMEOUT
                    continue
                results[msg["op"]] = (msg["state"], msg["reason"])
                log(f"{msg['op']}: {msg['state']} {msg['reason']}")
                current = None
        finally:
            proc.kill()
            code = proc.wait()
        if current is not None and current not in results:
            results[current] = ("crash", f"worker died (exit {code})")
            log(f"{current}: crash (exit {code})")
        done = [k for k in pending if k in results]
        if not done and pending:  # the worker could not even start
            for k in pending:
                results[k] = ("crash", f"worker failed to start (exit {code})")
        pending = [k for k in pending if k not in results]
    return results


def load_expectations():
    import yaml
    if not os.path.exists(EXPECTATIONS):
        return {}
    with open(EXPECTATIONS) as f:
        data = yaml.safe_load(f) or {}
    return {k: (v["state"], v.get("reason", "")) for k, v in data.items()}


def write_expectations(results):
    import yaml
    body = {k: {"state": s, "reason": r} for k, (s, r) in sorted(results.items())
            if s != "pass"}
    with open(EXPECTATIONS, "w") as f:
        f.write("# Known states of the float32 OpInfos on the lazy device (see\n"
                "# tests/python/test_opinfo.py). Ops not listed pass and run compiled.\n"
                "# Rewrite from a run with LTC_MLIR_OPINFO_UPDATE=1.\n")
        yaml.safe_dump(body, f, sort_keys=True, width=1000)


def summarize(results, skipped):
    n = len(results)
    counts = {s: sum(1 for v in results.values() if v[0] == s) for s in STATES}
    matching = counts["pass"] + counts["fallback"]
    return {
        "scored": n,
        "skipped": len(skipped),
        "counts": counts,
        "matching_pct": round(100.0 * matching / n, 1) if n else 0.0,
        "compiled_pct": round(100.0 * counts["pass"] / n, 1) if n else 0.0,
    }


def test_opinfo():
    scored, skipped = scored_opinfos()
    only = os.environ.get("LTC_MLIR_OPINFO_OPS")
    keys = sorted(scored)
    if only:
        keys = [k for k in only.split(",") if k in scored]
    results = run_all(keys)
    summary = summarize(results, skipped)
    print("\nOpInfo summary: " + json.dumps(summary))
    out_dir = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
    path = os.environ.get("LTC_MLIR_OPINFO_SUMMARY") or (
        out_dir and os.path.join(out_dir, "opinfo_summary.json"))
    if path:
        with open(path, "w") as f:
            json.dump({"summary": summary, "skipped": skipped,
                       "results": {k: {"state": s, "reason": r}
                                   for k, (s, r) in sorted(results.items())}},
                      f, indent=1, sort_keys=True)
    if os.environ.get("LTC_MLIR_OPINFO_UPDATE"):
        if only:
            expected = load_expectations()
            expected.update(results)
            results = {k: v for k, v in expected.items() if k in scored}
        write_expectations(results)
        return
    expected = load_expectations()
    worse, better = [], []
    for k in keys:
        if k in UNSTABLE:
            continue
        want = expected.get(k, ("pass", ""))
        got = results[k]
        if got[0] == want[0]:
            continue
        line = f"{k}: expected {want[0]}, got {got[0]} {got[1]}"
        (worse if RANK[got[0]] > RANK[want[0]] else better).append(line)
    msg = []
    if worse:
        msg.append("regressions:\n  " + "\n  ".join(worse))
    if better:
        msg.append("better than tests/python/opinfo_expectations.yaml says (update it "
                   "with LTC_MLIR_OPINFO_UPDATE=1):\n  " + "\n  ".join(better))
    assert not msg, "\n".join(msg)


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        worker()
