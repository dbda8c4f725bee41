#!/usr/bin/env python3
"""Paired benchmark: ltc-mlir's lazy device and PyTorch's TorchScript LTC
backend, each against eager CPU, on real training and inference steps.

Each (backend, workload, threads) runs in its own subprocess: the two lazy
backends cannot share a process, and a backend that dies on a workload must
not end the run. Inside a subprocess the workload is built twice from one
seed, once eager and once lazy, and blocks of back-to-back steps alternate
between them, so machine noise hits both sides alike (a lazy block waits for
the device once, at its end, so graphs may run while later steps trace).
Reported: each side's median step time, the median of
the paired ratios (eager time / lazy time: >1 means lazy is faster), cold
first-step time with the number of graphs it compiled (ltc-mlir's on-disk
cache is off unless --warm-cache, so this is a cold compile), tracing cost
per traced op, steady-state recompiles, peak RSS of the paired process, and
peak RSS of eager alone and of the lazy device alone (each in its own
process, for the training-loop memory ratio). The report starts with an
environment statement (CPU, versions, thread settings, load average).

    bazel build //python:ltc_mlir
    PYTHONPATH=bazel-bin/python /usr/bin/python3 bench/bench.py [--steps 30] [--write docs/PERFORMANCE.md]

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the subprocesses'
environment so that eager CPU runs OpenBLAS's best kernels for this CPU.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# The unpaired ("alone") step timing: blocks until this long, at most this many.
ALONE_MIN_SECONDS = 2.0
ALONE_MAX_BLOCKS = 200

WORKLOADS = ["mlp_train", "ln_gelu_chain", "encoder_train", "cnn_train", "resnet18_infer"]
BACKENDS = ["ltc_mlir", "torchscript"]


# ----------------------------------------------------------------------------
# Worker: runs in a subprocess.

def build(name, torch, nn, F, device):
    """Returns step(), a function running one step on `device`."""
    torch.manual_seed(0)
    if name == "mlp_train":
        model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                              nn.Linear(256, 10)).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = torch.randn(64, 64).to(device), torch.randint(0, 10, (64,)).to(device)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return step
    if name == "ln_gelu_chain":
        ln = nn.LayerNorm(1024).to(device)
        x = torch.randn(256, 1024).to(device)
        out = {}

        def step():
            with torch.no_grad():
                out["y"] = torch.tanh(F.gelu(ln(x)))
        return step
    if name == "encoder_train":
        model = nn.TransformerEncoderLayer(256, 4, 1024, batch_first=True, dropout=0.0).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x = torch.randn(8, 64, 256).to(device)

        def step():
            opt.zero_grad()
            model(x).sum().backward()
            opt.step()
        return step
    if name == "cnn_train":
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(32 * 7 * 7, 10)).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = torch.randn(32, 1, 28, 28).to(device), torch.randint(0, 10, (32,)).to(device)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return step
    if name == "resnet18_infer":
        import torchvision
        model = torchvision.models.resnet18().eval().to(device)
        x = torch.randn(2, 3, 224, 224).to(device)
        out = {}

        def step():
            with torch.no_grad():
                out["y"] = model(x)
        return step
    raise ValueError(name)


def init_backend(backend, threads):
    """Sets the thread count and registers one lazy backend in this process."""
    import torch

    torch.set_num_threads(threads)
    if backend == "ltc_mlir":
        import ltc_mlir
        ltc_mlir.init()
    else:
        import torch._lazy.ts_backend
        torch._lazy.ts_backend.init()


# Single ops, each called from Python on 64x256 float tensors: what tracing
# one op costs, without the Python, autograd and optimizer code around the
# ops of a step (which eager pays too). Eager's time includes the compute.
SINGLE_OPS = {
    "add": lambda t: t["a"] + t["b"],
    "mul (Python number)": lambda t: t["a"] * 0.9,
    "add_ (alpha)": lambda t: t["c"].add_(t["b"], alpha=-0.01),
    "relu": lambda t: t["a"].relu(),
    "tanh": lambda t: t["a"].tanh(),
    "mm": lambda t: t["a"] @ t["w"],
    "addmm": lambda t: torch_addmm(t),
    "t": lambda t: t["a"].t(),
    "view": lambda t: t["a"].view(256, 64),
    "sum (dim)": lambda t: t["a"].sum(1),
    "softmax": lambda t: t["a"].softmax(-1),
    "zero_": lambda t: t["c"].zero_(),
}


def torch_addmm(t):
    import torch
    return torch.addmm(t["bias"], t["a"], t["w"])


def ops_worker(backend, threads, calls=200, reps=9):
    """Median µs per call of each single op, lazy (traced, not run) and eager."""
    import torch
    import torch._lazy
    init_backend(backend, threads)
    out = {}
    for name, op in SINGLE_OPS.items():
        times = {}
        for device in ("lazy", "cpu"):
            torch.manual_seed(0)
            t = {k: torch.randn(*shape).to(device) for k, shape in
                 [("a", (64, 256)), ("b", (64, 256)), ("c", (64, 256)), ("w", (256, 64)),
                  ("bias", (64,))]}
            samples = []
            for _ in range(reps):
                t0 = time.perf_counter()
                for _ in range(calls):
                    op(t)
                samples.append((time.perf_counter() - t0) / calls * 1e6)
                if device == "lazy":
                    # Keep the pending graph small; not timed.
                    torch._lazy.mark_step()
                    torch._lazy.wait_device_ops()
            times[device] = statistics.median(samples[1:])
        out[name] = times
    return out


def ops_table(results):
    lines = ["\n### Tracing one op (1 thread)\n",
             "Median µs per call from Python, on 64×256 float tensors (`SINGLE_OPS` in "
             "bench.py). Lazy: the op is traced, not run; eager: it runs.\n",
             "| op | " + " | ".join(f"{b} lazy µs | eager µs" for b in results) + " |",
             "|---|" + "---|---|" * len(results)]
    for name in SINGLE_OPS:
        cells = []
        for backend, r in results.items():
            if "error" in r:
                cells.append("— | —")
            else:
                cells.append(f"{r[name]['lazy']:.1f} | {r[name]['cpu']:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for backend, r in results.items():
        if "error" not in r:
            lazy = statistics.median(v["lazy"] for v in r.values())
            lines.append(f"\n{backend}: median over these ops {lazy:.1f} µs per traced op")
    return "\n".join(lines)


def memory_worker(backend, workload, threads, steps, side):
    """Peak RSS of a process that runs only one side (eager or lazy)."""
    import resource

    import torch
    import torch._lazy
    import torch.nn as nn
    import torch.nn.functional as F

    init_backend(backend, threads)
    device = torch.device("lazy" if side == "lazy" else "cpu")
    step = build(workload, torch, nn, F, device)
    for _ in range(steps):
        step()
        if side == "lazy":
            torch._lazy.mark_step()
            torch._lazy.wait_device_ops()
    # Step time with nothing else in the process: blocks of 5 steps as in the
    # paired run, but never next to the other side's (polling) threads.
    # Unpaired, so noisier; it shows what the pairing costs each side. At
    # least `steps` blocks and, for short steps, up to ALONE_MAX_BLOCKS until
    # ALONE_MIN_SECONDS have passed: a few 1-ms blocks caught one of the
    # machine's slow phases whole.
    times = []
    start = time.perf_counter()
    while len(times) < steps or (len(times) < ALONE_MAX_BLOCKS and
                                 time.perf_counter() - start < ALONE_MIN_SECONDS):
        t0 = time.perf_counter()
        for _ in range(5):
            step()
            if side == "lazy":
                torch._lazy.mark_step()
        if side == "lazy":
            torch._lazy.wait_device_ops()
        times.append((time.perf_counter() - t0) / 5)
    return {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "step_ms": statistics.median(times) * 1e3}


def worker(backend, workload, threads, steps, warmup, block):
    import resource

    import torch
    import torch._lazy
    import torch._lazy.metrics as metrics
    import torch.nn as nn
    import torch.nn.functional as F

    init_backend(backend, threads)
    lazy_dev, cpu = torch.device("lazy"), torch.device("cpu")
    eager_step = build(workload, torch, nn, F, cpu)
    lazy_step = build(workload, torch, nn, F, lazy_dev)

    def run_lazy():
        lazy_step()
        torch._lazy.mark_step()
        torch._lazy.wait_device_ops()

    def count(name):
        return metrics.counter_value(name) or 0

    def lazy_ops():
        return sum(count(n) for n in metrics.counter_names() if n.startswith("lazy::"))

    t0 = time.perf_counter()
    run_lazy()
    cold = time.perf_counter() - t0
    cold_compiles = count("UncachedCompile")
    for _ in range(warmup):
        run_lazy()
        eager_step()
    compiles = count("UncachedCompile")

    # Tracing cost: one step traced without syncing, per traced op.
    ops_before = lazy_ops()
    t0 = time.perf_counter()
    lazy_step()
    trace = time.perf_counter() - t0
    traced = max(lazy_ops() - ops_before, 1)
    torch._lazy.mark_step()
    torch._lazy.wait_device_ops()

    # Blocks of `block` back-to-back steps alternate between the two sides.
    # A lazy block marks a step after each one and waits for the device once,
    # at its end, as a training loop does that reads its loss now and then:
    # with async execution (ltc-mlir's default) a graph runs while Python
    # traces the next step. Per-step time is the block's time / block.
    def lazy_block():
        for _ in range(block):
            lazy_step()
            torch._lazy.mark_step()
        torch._lazy.wait_device_ops()

    def eager_block():
        for _ in range(block):
            eager_step()

    # At 2 threads helper threads keep polling after their work (measured
    # here: eager's OpenMP worker ~9 ms after a parallel region, OpenBLAS's
    # worker ~110 ms after a threaded GEMM), so a block can lose a core to the
    # other side's. A pause before each block is no cure: on this VM any
    # 150 ms idle slows the next steps of both sides (eager MLP 0.93 -> 1.25
    # ms/step, lazy 1.25 -> 1.85). The eager-alone and lazy-alone processes
    # (memory_worker) give the unpaired step times instead.
    eager_t, lazy_t = [], []
    for i in range(steps):
        pair = [("e", eager_block), ("l", lazy_block)]
        if i % 2:
            pair.reverse()
        for side, fn in pair:
            t0 = time.perf_counter()
            fn()
            (eager_t if side == "e" else lazy_t).append((time.perf_counter() - t0) / block)
    ratios = [e / l for e, l in zip(eager_t, lazy_t)]
    return {
        "eager_ms": statistics.median(eager_t) * 1e3,
        "lazy_ms": statistics.median(lazy_t) * 1e3,
        "speedup": statistics.median(ratios),
        "cold_s": cold,
        "cold_graphs": cold_compiles,
        "trace_us_per_op": trace / traced * 1e6,
        "steady_recompiles": count("UncachedCompile") - compiles,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "aten_fallbacks": {n: count(n) for n in metrics.counter_names() if n.startswith("aten::")},
    }


# ----------------------------------------------------------------------------
# Driver.

def worker_env(threads, warm_cache):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["OMP_NUM_THREADS"] = str(threads)
    if not warm_cache:
        # An empty value turns ltc-mlir's disk cache off: the first step
        # compiles from scratch, so "cold" means cold.
        env["LTC_MLIR_CACHE_DIR"] = ""
    return env


def run_one(backend, workload, threads, steps, warmup, block, timeout, warm_cache=False):
    env = worker_env(threads, warm_cache)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", backend, workload,
           str(threads), str(steps), str(warmup), str(block)]
    return run_worker(cmd, env, timeout)


def run_memory(backend, workload, threads, steps, timeout, warm_cache=False):
    """Peak RSS of eager alone and of the lazy device alone, each in its own process."""
    env = worker_env(threads, warm_cache)
    out = {}
    for side in ("eager", "lazy"):
        cmd = [sys.executable, os.path.abspath(__file__), "--memory-worker", backend, workload,
               str(threads), str(steps), side]
        r = run_worker(cmd, env, timeout)
        out[side] = r.get("peak_rss_mb")
        out[side + "_ms"] = r.get("step_ms")
    return out


def run_worker(cmd, env, timeout):
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    for line in proc.stdout.splitlines()[::-1]:
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"exit {proc.returncode}: {tail[:160]}"}


def environment():
    """One paragraph saying what this ran on."""
    import platform
    probe = ("import torch, json; import ltc_mlir; "
             "print(json.dumps([torch.__version__, ltc_mlir.llvm_version()]))")
    try:
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             timeout=120).stdout.strip().splitlines()[-1]
        torch_version, llvm = json.loads(out)
    except Exception:  # noqa: BLE001 (the report must still come out)
        torch_version, llvm = "?", "?"
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"Environment: {cpu}, {os.cpu_count()} logical CPUs, {platform.platform()}, "
            f"Python {platform.python_version()}, torch {torch_version}, LLVM {llvm}. "
            "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in every worker; OMP_NUM_THREADS and "
            "torch.set_num_threads = the thread count of each table. "
            "Load average at the end of the run: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()) +
            ".\n")


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return (statistics.geometric_mean(xs) if xs else float("nan"))


def table(results, threads_list):
    lines = []
    for threads in threads_list:
        lines.append(f"\n### {threads} thread{'s' if threads > 1 else ''}\n")
        lines.append("| workload | backend | eager ms | lazy ms | speedup vs eager | cold first step s "
                     "(graphs compiled) | trace µs/op | steady recompiles | peak RSS MB paired | "
                     "peak RSS MB eager alone / lazy alone | ms eager alone / lazy alone |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for workload in WORKLOADS:
            for backend in BACKENDS:
                r = results.get((backend, workload, threads))
                if r is None:
                    continue
                if "error" in r:
                    lines.append(f"| {workload} | {backend} | — | — | died: {r['error']} | | | | | | |")
                    continue
                mem = r.get("memory") or {}
                if mem.get("eager") and mem.get("lazy"):
                    alone = (f"{mem['eager']:.0f} / {mem['lazy']:.0f} "
                             f"({mem['lazy'] / mem['eager']:.2f}×)")
                else:
                    alone = "—"
                if mem.get("eager_ms") and mem.get("lazy_ms"):
                    alone_ms = (f"{mem['eager_ms']:.2f} / {mem['lazy_ms']:.2f} "
                                f"({mem['eager_ms'] / mem['lazy_ms']:.2f}×)")
                else:
                    alone_ms = "—"
                lines.append(
                    f"| {workload} | {backend} | {r['eager_ms']:.2f} | {r['lazy_ms']:.2f} | "
                    f"{r['speedup']:.2f}× | {r['cold_s']:.2f} ({r.get('cold_graphs', '?')}) | "
                    f"{r['trace_us_per_op']:.1f} | {r['steady_recompiles']} | "
                    f"{r['peak_rss_mb']:.0f} | {alone} | {alone_ms} |")
        for backend in BACKENDS:
            sp = [results[(backend, w, threads)]["speedup"] for w in WORKLOADS
                  if "speedup" in results.get((backend, w, threads), {})]
            if sp:
                lines.append(f"\n{backend}: geometric mean speedup vs eager {geomean(sp):.2f}× "
                             f"over {len(sp)} workloads")
    return "\n".join(lines)


def versus_table(results, threads_list):
    """ltc_mlir's steady step against TorchScript's, where both ran.

    The backends run in separate processes, so the direct ratio of their lazy
    steps also compares the machine's phase during each run. The ratio of
    their paired speedups over eager (each process's own eager steps) cancels
    that phase; both are given.
    """
    lines = ["\n### ltc_mlir against TorchScript's LTC backend\n",
             "Direct: TorchScript's lazy step / ltc_mlir's (paired runs, two processes). "
             "Through eager: ltc_mlir's speedup vs eager / TorchScript's (each over the eager "
             "steps of its own process). Alone: the unpaired lazy-alone steps' ratio. "
             ">1: ltc_mlir is faster.\n",
             "| workload | threads | direct | through eager | alone |",
             "|---|---|---|---|---|"]
    rows = 0
    for threads in threads_list:
        for workload in WORKLOADS:
            ours = results.get(("ltc_mlir", workload, threads))
            theirs = results.get(("torchscript", workload, threads))
            if not ours or not theirs or "error" in ours:
                continue
            if "error" in theirs:
                lines.append(f"| {workload} | {threads} | TorchScript died | | |")
                continue
            ours_alone = (ours.get("memory") or {}).get("lazy_ms")
            theirs_alone = (theirs.get("memory") or {}).get("lazy_ms")
            alone = f"{theirs_alone / ours_alone:.2f}×" if ours_alone and theirs_alone else "—"
            lines.append(f"| {workload} | {threads} | {theirs['lazy_ms'] / ours['lazy_ms']:.2f}× | "
                         f"{ours['speedup'] / theirs['speedup']:.2f}× | {alone} |")
            rows += 1
    return "\n".join(lines) if rows else ""


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        backend, workload, threads, steps, warmup, block = sys.argv[2:8]
        result = worker(backend, workload, int(threads), int(steps), int(warmup), int(block))
        print("RESULT " + json.dumps(result), flush=True)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--ops-worker":
        result = ops_worker(sys.argv[2], 1)
        print("RESULT " + json.dumps(result), flush=True)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--memory-worker":
        backend, workload, threads, steps, side = sys.argv[2:7]
        result = memory_worker(backend, workload, int(threads), int(steps), side)
        print("RESULT " + json.dumps(result), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--block", type=int, default=5,
                        help="back-to-back steps per timed block (each side)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--write", help="write the report (markdown) to this file")
    parser.add_argument("--warm-cache", action="store_true",
                        help="let ltc-mlir use its on-disk executable cache (default: off, so the "
                             "first step measures a cold compile)")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the eager-alone / lazy-alone peak RSS runs")
    parser.add_argument("--no-ops", action="store_true",
                        help="skip the single-op tracing table")
    args = parser.parse_args()
    threads_list = [int(t) for t in args.threads.split(",")]
    results = {}
    for threads in threads_list:
        for workload in args.workloads.split(","):
            for backend in args.backends.split(","):
                r = run_one(backend, workload, threads, args.steps, args.warmup, args.block, args.timeout,
                            args.warm_cache)
                if "error" not in r and not args.no_memory:
                    r["memory"] = run_memory(backend, workload, threads, args.warmup + args.steps,
                                             args.timeout, args.warm_cache)
                results[(backend, workload, threads)] = r
                print(f"{backend:12s} {workload:16s} {threads}t  {r}", flush=True)
    ops = {}
    if not args.no_ops:
        for backend in args.backends.split(","):
            cmd = [sys.executable, os.path.abspath(__file__), "--ops-worker", backend]
            ops[backend] = run_worker(cmd, worker_env(1, args.warm_cache), args.timeout)
            print(f"{backend:12s} single ops  {ops[backend]}", flush=True)
    report = environment() + "\n" + table(results, threads_list)
    versus = versus_table(results, threads_list)
    if versus:
        report += "\n" + versus
    if ops:
        report += "\n" + ops_table(ops)
    print(report)
    if args.write:
        cmd = "PYTHONPATH=bazel-bin/python /usr/bin/python3 bench/bench.py " + " ".join(sys.argv[1:])
        with open(args.write, "w") as f:
            f.write("# Performance\n\nProduced by:\n\n```sh\nbazel build //python:ltc_mlir\n" + cmd +
                    "\n```\n\nPaired blocks in one process per row: blocks of --block back-to-back steps "
                    "alternate between eager and lazy (a lazy block marks each step and waits for "
                    "the device once, at its end, so a graph may run while the next step is "
                    "traced); --steps is the number of block pairs. Times are per step (block time "
                    "/ block); speedup is the median of the per-block eager/lazy ratios (>1: lazy is "
                    "faster). The cold first step "
                    "compiles without the on-disk cache unless --warm-cache. Peak RSS: of the paired "
                    "process, and of eager alone and the lazy device alone, each in its own process; "
                    "those two processes also time blocks of 5 steps (at least --steps blocks, "
                    "and for short steps more, up to 200 blocks or 2 s; median per step, "
                    "unpaired: noisier, but free of the other side's helper threads).\n\n" +
                    report + "\n")


if __name__ == "__main__":
    main()
