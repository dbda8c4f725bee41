"""The persistent executable cache, with a real cache directory and real
processes: a second run compiles nothing and computes the same results;
damaged or foreign entries are detected, removed and recompiled; two
processes filling one cache at once leave it valid; the size bound holds."""
import json
import os
import re
import struct
import subprocess
import sys
import zlib

import pytest

# The workload each child process runs: a few MLP training steps (several
# graphs) plus `VARIANTS` small graphs of distinct shapes. It prints one JSON
# line with its results and the cache counters.
CHILD = r"""
import json, os
import torch, torch._lazy, torch._lazy.metrics as metrics
import torch.nn as nn, torch.nn.functional as F
import ltc_mlir
ltc_mlir.init()

def run(device):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(10, 6)
    y = torch.randint(0, 3, (10,))
    losses = []
    for _ in range(int(os.environ.get("STEPS", "3"))):
        loss = F.cross_entropy(model(x.to(device)), y.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if device == "lazy":
            torch._lazy.mark_step()
        losses.append(loss.item())
    variants = []
    for i in range(int(os.environ.get("VARIANTS", "0"))):
        t = torch.arange(float((i + 2) * 3)).reshape(i + 2, 3).to(device)
        r = (t * 2 + 1).sum(0)
        if device == "lazy":
            torch._lazy.mark_step()
        variants.append(r.cpu().tolist())
    big = []
    if os.environ.get("BIG"):
        # Large enough to be compiled in parts (MlirCompileInParts).
        t = torch.linspace(-1, 1, 256 * 256).reshape(256, 256).to(device)
        for i in range(64):
            t = torch.tanh(t) * 0.5 + (i + 1) * 1e-3
        if device == "lazy":
            torch._lazy.mark_step()
        big = t.cpu().flatten()[::97].tolist()
    weights = [p.detach().cpu().flatten().tolist() for p in model.parameters()]
    return {"losses": losses, "weights": weights, "variants": variants, "big": big}

out = {"lazy": run("lazy"), "eager": run("cpu")}
out["counters"] = {n: metrics.counter_value(n) for n in metrics.counter_names()}
report = metrics.metrics_report()
start = report.find("Metric: CacheLoadTime")
out["load_report"] = report[start:start + 400] if start >= 0 else ""
print("RESULT " + json.dumps(out))
"""

ENTRY = ".ltcx"


def run_child(cache_dir, variants=0, extra_env=None, wait=True):
    env = dict(os.environ)
    if cache_dir is None:
        env.pop("LTC_MLIR_CACHE_DIR", None)
    else:
        env["LTC_MLIR_CACHE_DIR"] = str(cache_dir)
    env["VARIANTS"] = str(variants)
    env.pop("LTC_MLIR_DUMP_DIR", None)
    env.update(extra_env or {})
    proc = subprocess.Popen([sys.executable, "-c", CHILD], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return finish(proc) if wait else proc


def finish(proc):
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    lines = [l for l in out.splitlines() if l.startswith("RESULT ")]
    assert lines, out + err
    result = json.loads(lines[-1][len("RESULT "):])
    result["stderr"] = err
    return result


def count(result, name):
    return result["counters"].get(name) or 0


def entries(cache_dir):
    return sorted(p for p in os.listdir(cache_dir) if p.endswith(ENTRY))


def assert_matches_eager(result):
    lazy, eager = result["lazy"], result["eager"]
    assert lazy["losses"] == pytest.approx(eager["losses"], rel=1e-4, abs=1e-5)
    for a, b in zip(lazy["weights"], eager["weights"]):
        assert a == pytest.approx(b, rel=1e-4, abs=1e-5)
    assert lazy["variants"] == eager["variants"]
    assert lazy["big"] == pytest.approx(eager["big"], rel=1e-3, abs=1e-3)


# The entry layout (runtime/executable_cache.cpp): magic, u32 version,
# u32 section count, sections (u32 name length, name, u64 length, data),
# u32 CRC-32 of everything before it.
def read_entry(path):
    data = open(path, "rb").read()
    assert data[:8] == b"LTCMLIRX"
    version, n = struct.unpack_from("<II", data, 8)
    assert zlib.crc32(data[:-4]) == struct.unpack_from("<I", data, len(data) - 4)[0]
    pos, sections = 16, {}
    for _ in range(n):
        (name_len,) = struct.unpack_from("<I", data, pos)
        name = data[pos + 4:pos + 4 + name_len].decode()
        pos += 4 + name_len
        (size,) = struct.unpack_from("<Q", data, pos)
        sections[name] = data[pos + 8:pos + 8 + size]
        pos += 8 + size
    assert pos == len(data) - 4
    return version, sections


def write_entry(path, version, sections):
    body = b"LTCMLIRX" + struct.pack("<II", version, len(sections))
    for name, value in sections.items():
        body += struct.pack("<I", len(name)) + name.encode() + struct.pack("<Q", len(value)) + value
    open(path, "wb").write(body + struct.pack("<I", zlib.crc32(body)))


def load_ms(report):
    """Mean CacheLoadTime in ms, from LTC's metrics report."""
    total = re.search(r"Accumulator: (\S+)", report).group(1)
    samples = int(re.search(r"TotalSamples: (\d+)", report).group(1))
    scale = {"s": 1e3, "ms": 1.0, "us": 1e-3, "ns": 1e-6}
    ms = sum(float(v) * scale[u] for v, u in re.findall(r"([\d.]+)(ms|us|ns|s)", total))
    return ms / samples


def test_second_process_compiles_nothing(tmp_path):
    cache = tmp_path / "cache"
    first = run_child(cache, variants=2)
    compiled = count(first, "MlirCompile")
    assert compiled >= 3
    assert count(first, "CacheMiss") == compiled
    assert count(first, "CacheDiskHit") == 0
    assert len(entries(cache)) == compiled
    assert_matches_eager(first)

    second = run_child(cache, variants=2)
    assert count(second, "MlirCompile") == 0
    assert count(second, "CacheMiss") == 0
    assert count(second, "CacheDiskHit") == compiled
    assert count(second, "CacheCorruptEntry") == 0
    assert second["lazy"] == first["lazy"]  # the same code: bit for bit
    # Loading an entry takes milliseconds.
    assert load_ms(second["load_report"]) < 100, second["load_report"]

    # Entries hold the object, the Torch-dialect MLIR and readable metadata;
    # the usage file counts the hit.
    for name in entries(cache):
        version, sections = read_entry(cache / name)
        assert version == 1
        assert b"func.func @graph" in sections["source"]
        assert sections["object"][:4] == b"\x7fELF"
        meta = json.loads(sections["metadata"])
        assert meta["inputs"] is not None and meta["outputs"]
        assert meta["ops"] and meta["compile_ms"]["total"] > 0
        usage = (cache / name.replace(ENTRY, ".use")).read_text()
        assert "hits 1" in usage


def test_a_graph_compiled_in_parts_is_cached_and_reloaded(tmp_path):
    # Its entry's object is an ar archive of one object per part.
    cache = tmp_path / "cache"
    env = {"BIG": "1", "LTC_MLIR_COMPILE_THREADS": "2"}
    first = run_child(cache, extra_env=env)
    assert count(first, "MlirCompileInParts") >= 1
    assert_matches_eager(first)
    second = run_child(cache, extra_env=env)
    assert count(second, "MlirCompile") == 0
    assert count(second, "CacheCorruptEntry") == 0
    assert second["lazy"] == first["lazy"]
    single = run_child(tmp_path / "single", extra_env={"BIG": "1", "LTC_MLIR_COMPILE_THREADS": "1"})
    assert count(single, "MlirCompileInParts") == 0
    assert single["lazy"] == first["lazy"]  # splitting does not change the code


def truncate(path):
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])


def flip_byte(path):
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0x5A
    open(path, "wb").write(bytes(data))


def bump_version(path):
    _, sections = read_entry(path)
    write_entry(path, 2, sections)


def foreign_fingerprint(path):
    version, sections = read_entry(path)
    sections["fingerprint"] = sections["fingerprint"].replace(b"llvm ", b"llvm 0.")
    write_entry(path, version, sections)


def wrong_object(path):
    # Checksummed and from this compiler, but the code does not link.
    version, sections = read_entry(path)
    sections["object"] = b"\x7fELF this is not an object file"
    write_entry(path, version, sections)


@pytest.mark.parametrize("damage,counter", [
    (truncate, "CacheCorruptEntry"),
    (flip_byte, "CacheCorruptEntry"),
    (bump_version, "CacheForeignEntry"),
    (foreign_fingerprint, "CacheForeignEntry"),
    (wrong_object, "CacheCorruptEntry"),
])
def test_damaged_entries_are_recompiled(tmp_path, damage, counter):
    cache = tmp_path / "cache"
    first = run_child(cache)
    compiled = count(first, "MlirCompile")
    for name in entries(cache):
        damage(cache / name)

    second = run_child(cache)
    assert count(second, counter) == compiled
    assert count(second, "MlirCompile") == compiled
    assert count(second, "CacheDiskHit") == 0
    assert count(second, "EagerGraphFallback") == 0
    assert second["lazy"] == first["lazy"]
    assert_matches_eager(second)

    # The damaged files were replaced by good ones.
    third = run_child(cache)
    assert count(third, "MlirCompile") == 0
    assert count(third, "CacheDiskHit") == compiled
    assert third["lazy"] == first["lazy"]


def test_two_concurrent_writers_leave_a_valid_cache(tmp_path):
    cache = tmp_path / "cache"
    procs = [run_child(cache, variants=4, wait=False) for _ in range(2)]
    a, b = [finish(p) for p in procs]
    assert a["lazy"] == b["lazy"]
    assert_matches_eager(a)
    assert not [n for n in os.listdir(cache) if n.startswith(".tmp-")]
    for name in entries(cache):
        read_entry(cache / name)  # complete and checksummed
    third = run_child(cache, variants=4)
    assert count(third, "MlirCompile") == 0
    assert count(third, "CacheCorruptEntry") == 0
    assert third["lazy"] == a["lazy"]


def dir_bytes(path):
    return sum(os.path.getsize(path / n) for n in os.listdir(path))


def test_disk_size_bound_holds(tmp_path):
    probe = tmp_path / "probe"
    run_child(probe)
    # Room for the training graphs, not for them and eight more.
    bound = dir_bytes(probe)

    cache = tmp_path / "cache"
    env = {"LTC_MLIR_CACHE_MAX_BYTES": str(bound)}
    result = run_child(cache, variants=8, extra_env=env)
    assert count(result, "MlirCompile") > 3
    assert_matches_eager(result)
    assert 1 <= len(entries(cache)) < count(result, "MlirCompile")
    assert dir_bytes(cache) <= bound
    # Eviction is least recently used: the last variants stayed on disk.
    again = run_child(cache, variants=8, extra_env=dict(env, STEPS="0"))
    assert count(again, "CacheDiskHit") >= 1
    assert dir_bytes(cache) <= bound
    assert again["lazy"]["variants"] == result["lazy"]["variants"]


def test_empty_cache_dir_turns_the_disk_tier_off(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": ""}
    first = run_child("", extra_env=env)
    second = run_child("", extra_env=env)
    assert count(second, "MlirCompile") == count(first, "MlirCompile") > 0
    assert count(second, "CacheDiskHit") == 0
    assert os.listdir(home) == []


def test_default_dir_is_under_xdg_cache_home(tmp_path):
    xdg = tmp_path / "xdg"
    first = run_child(None, extra_env={"XDG_CACHE_HOME": str(xdg)})
    assert len(entries(xdg / "ltc-mlir")) == count(first, "MlirCompile") > 0


def cache_tool():
    # tools/ltc_mlir_cache.py, next to this file's source in the tree.
    here = os.path.dirname(os.path.realpath(__file__))
    path = os.path.join(here, "..", "..", "tools", "ltc_mlir_cache.py")
    if not os.path.exists(path):
        pytest.skip("tools/ltc_mlir_cache.py is not reachable from here")
    return path


def tool(cache, *args):
    proc = subprocess.run([sys.executable, cache_tool(), "--dir", str(cache), *args],
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


def test_cache_tool_reads_and_maintains_entries(tmp_path):
    cache = tmp_path / "cache"
    first = run_child(cache, variants=1)
    run_child(cache, variants=1)
    names = entries(cache)
    rc, out = tool(cache, "list")
    assert rc == 0 and out.count("Float[") >= len(names), out
    rc, out = tool(cache, "show", names[0][:12], "--source", "--fingerprint")
    assert rc == 0, out
    assert "hits:         1" in out and "torch.aten." in out
    assert "func.func @graph" in out and "llvm 22" in out
    rc, out = tool(cache, "stats")
    assert rc == 0 and f"entries:       {len(names)} (0 invalid)" in out, out

    truncate(cache / names[0])
    rc, out = tool(cache, "list")
    assert "INVALID" in out, out
    rc, out = tool(cache, "prune")
    assert rc == 0 and "removed 1 entries" in out, out
    assert len(entries(cache)) == len(names) - 1
    rc, out = tool(cache, "prune", "--max-bytes", "0")
    assert entries(cache) == []
    run_child(cache)
    rc, out = tool(cache, "clear")
    assert rc == 0 and os.listdir(cache) == [], out
    assert count(first, "MlirCompile") > 0
