#!/usr/bin/env python3
"""Inspects and maintains ltc-mlir's on-disk executable cache.

    ltc_mlir_cache.py [--dir DIR] list
    ltc_mlir_cache.py [--dir DIR] show HASH [--source] [--fingerprint]
    ltc_mlir_cache.py [--dir DIR] stats
    ltc_mlir_cache.py [--dir DIR] prune [--max-bytes N] [--older-than-days D]
    ltc_mlir_cache.py [--dir DIR] clear
    ltc_mlir_cache.py [--dir DIR] diff HASH HASH
    ltc_mlir_cache.py [--dir DIR] dot HASH [-o FILE.dot]
    ltc_mlir_cache.py [--dir DIR] export HASH FILE.mlir [--level llvm|linalg] [--run]

The directory is found as the backend finds it: --dir, else
$LTC_MLIR_CACHE_DIR, else $XDG_CACHE_HOME/ltc-mlir, else ~/.cache/ltc-mlir.
HASH is any unique prefix of an entry's key. Only the standard library is
needed; `export` runs the ltc-mlir-export tool (found next to this script in
Bazel's runfiles or bazel-bin, or named by $LTC_MLIR_EXPORT_TOOL) and, with
--run, mlir-runner. The entry layout is described in runtime/executable_cache.cpp.
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ltc_mlir_cache_graph as graphs  # noqa: E402

MAGIC = b"LTCMLIRX"
FORMAT_VERSION = 1
ENTRY = ".ltcx"
USAGE = ".use"
TEMP = ".tmp-"


def default_dir():
    if "LTC_MLIR_CACHE_DIR" in os.environ:
        return os.environ["LTC_MLIR_CACHE_DIR"]
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg.startswith("/"):
        return os.path.join(xdg, "ltc-mlir")
    return os.path.join(os.path.expanduser("~"), ".cache", "ltc-mlir")


class Entry:
    def __init__(self, directory, key):
        self.key = key
        self.path = os.path.join(directory, key + ENTRY)
        self.usage_path = os.path.join(directory, key + USAGE)
        self.error = None
        self.version = None
        self.sections = {}
        self.meta = {}
        self.hits = 0
        self.bytes = 0
        self.last_used = 0.0
        try:
            st = os.stat(self.path)
            self.bytes = st.st_size
            self.last_used = st.st_mtime
            self._parse(open(self.path, "rb").read())
        except OSError as e:
            self.error = str(e)
        try:
            st = os.stat(self.usage_path)
            self.bytes += st.st_size
            self.last_used = max(self.last_used, st.st_mtime)
            for line in open(self.usage_path).read().splitlines():
                word, _, value = line.partition(" ")
                if word == "hits" and value.isdigit():
                    self.hits = int(value)
        except OSError:
            pass

    def _parse(self, data):
        if len(data) < 20:
            self.error = "truncated"
            return
        if data[:8] != MAGIC:
            self.error = "not a cache entry"
            return
        self.version, count = struct.unpack_from("<II", data, 8)
        if self.version != FORMAT_VERSION:
            self.error = f"format version {self.version} (this tool reads {FORMAT_VERSION})"
            return
        (crc,) = struct.unpack_from("<I", data, len(data) - 4)
        if zlib.crc32(data[:-4]) != crc:
            self.error = "checksum mismatch (truncated or corrupt)"
            return
        pos, end = 16, len(data) - 4
        for _ in range(count):
            if end - pos < 4:
                self.error = "malformed sections"
                return
            (name_len,) = struct.unpack_from("<I", data, pos)
            pos += 4
            if end - pos < name_len + 8:
                self.error = "malformed sections"
                return
            name = data[pos:pos + name_len].decode(errors="replace")
            pos += name_len
            (size,) = struct.unpack_from("<Q", data, pos)
            pos += 8
            if end - pos < size:
                self.error = "malformed sections"
                return
            self.sections[name] = data[pos:pos + size]
            pos += size
        if pos != end:
            self.error = "trailing bytes"
            return
        if self.text("key") != self.key:
            self.error = f"written for key {self.text('key')}"
            return
        try:
            self.meta = json.loads(self.text("metadata") or "{}")
        except ValueError:
            self.meta = {}

    def text(self, name):
        return self.sections.get(name, b"").decode(errors="replace")

    @property
    def valid(self):
        return self.error is None

    @property
    def created(self):
        try:
            return int(self.text("created"))
        except ValueError:
            return 0

    @property
    def compile_ms(self):
        return float(self.meta.get("compile_ms", {}).get("total", 0) or 0)


def scan(directory):
    if not os.path.isdir(directory):
        return []
    keys = sorted(n[: -len(ENTRY)] for n in os.listdir(directory)
                  if n.endswith(ENTRY) and not n.startswith("."))
    return [Entry(directory, k) for k in keys]


def fmt_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def fmt_time(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"


def fmt_sig(tensors):
    return ", ".join(f"{t.get('dtype', '?')}{t.get('shape', [])}" for t in tensors or [])


def fmt_where(meta):
    """'train.py:16 mark_step' from an entry's provenance, or '-'."""
    where = meta.get("provenance") or {}
    place = (f"{os.path.basename(where['file'])}:{where.get('line', 0)}"
             if where.get("file") else "")
    return " ".join(p for p in (place, where.get("kind", "")) if p) or "-"


def remove(entry):
    for path in (entry.path, entry.usage_path):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def cmd_list(directory, args):
    entries = scan(directory)
    if not entries:
        print(f"no entries in {directory}")
        return 0
    entries.sort(key=lambda e: e.last_used, reverse=True)
    print(f"{'KEY':18} {'SIZE':>10} {'HITS':>5} {'COMPILE':>9} {'LAST USED':19}  "
          f"{'COMPILED BY':28} SIGNATURE")
    for e in entries:
        if not e.valid:
            print(f"{e.key[:16]:18} {fmt_bytes(e.bytes):>10} {'-':>5} {'-':>9} "
                  f"{fmt_time(e.last_used):19}  INVALID: {e.error}")
            continue
        sig = f"({fmt_sig(e.meta.get('inputs'))}) -> ({fmt_sig(e.meta.get('outputs'))})"
        print(f"{e.key[:16]:18} {fmt_bytes(e.bytes):>10} {e.hits:>5} "
              f"{e.compile_ms:>7.1f}ms {fmt_time(e.last_used):19}  {fmt_where(e.meta):28} {sig}")
    return 0


def find(directory, prefix):
    matches = [e for e in scan(directory) if e.key.startswith(prefix)]
    if not matches:
        sys.exit(f"no entry matches {prefix!r} in {directory}")
    if len(matches) > 1:
        sys.exit(f"{prefix!r} matches {len(matches)} entries; give more of the key")
    return matches[0]


def cmd_show(directory, args):
    e = find(directory, args.hash)
    print(f"key:          {e.key}")
    print(f"file:         {e.path} ({fmt_bytes(e.bytes)})")
    if not e.valid:
        print(f"INVALID:      {e.error}")
        return 1
    print(f"created:      {fmt_time(e.created)}")
    print(f"last used:    {fmt_time(e.last_used)}")
    print(f"hits:         {e.hits}")
    print(f"entry symbol: {e.text('entry_symbol')}")
    print(f"object:       {fmt_bytes(len(e.sections.get('object', b'')))}")
    m = e.meta
    print(f"inputs:       {fmt_sig(m.get('inputs'))}")
    print(f"outputs:      {fmt_sig(m.get('outputs'))}")
    print(f"llvm:         {m.get('llvm_version', '?')}, pipeline {m.get('pipeline_version', '?')}, "
          f"cpu {m.get('cpu', '?')}")
    where = m.get("provenance") or {}
    if where.get("file"):
        print(f"compiled by:  {where.get('kind') or 'sync'} at {where['file']}:{where.get('line', 0)}"
              f" in {where.get('function', '?')}")
        if where.get("code"):
            print(f"              {where['code']}")
    elif where.get("kind"):
        print(f"compiled by:  {where['kind']} (no Python frame)")
    times = m.get("compile_ms", {})
    if times:
        print("compile ms:   " + ", ".join(f"{k} {v:.2f}" for k, v in times.items()))
    ops = m.get("ops", {})
    if ops:
        print("ops:")
        for name, n in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {n:5}  {name}")
    if args.fingerprint:
        print("fingerprint:")
        print("  " + e.text("fingerprint").strip().replace("\n", "\n  "))
    if args.source:
        print("torch-dialect MLIR:")
        print(e.text("source"))
    return 0


def cmd_stats(directory, args):
    entries = scan(directory)
    valid = [e for e in entries if e.valid]
    temps = [n for n in os.listdir(directory) if n.startswith(TEMP)] if os.path.isdir(directory) else []
    print(f"directory:     {directory}")
    print(f"entries:       {len(entries)} ({len(entries) - len(valid)} invalid)")
    print(f"size:          {fmt_bytes(sum(e.bytes for e in entries))}")
    print(f"disk hits:     {sum(e.hits for e in valid)}")
    saved = sum(e.hits * e.compile_ms for e in valid)
    print(f"compile saved: {saved / 1000:.2f} s")
    print(f"compile time:  {sum(e.compile_ms for e in valid) / 1000:.2f} s to fill")
    if temps:
        print(f"temporaries:   {len(temps)} (from writers in progress or that died)")
    return 0


def cmd_prune(directory, args):
    entries = scan(directory)
    removed = 0
    for e in entries:
        if not e.valid:
            remove(e)
            removed += 1
    entries = [e for e in entries if e.valid]
    if args.older_than_days is not None:
        limit = time.time() - args.older_than_days * 86400
        for e in [e for e in entries if e.last_used < limit]:
            remove(e)
            entries.remove(e)
            removed += 1
    if args.max_bytes is not None:
        total = sum(e.bytes for e in entries)
        for e in sorted(entries, key=lambda e: e.last_used):
            if total <= args.max_bytes:
                break
            remove(e)
            total -= e.bytes
            removed += 1
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            if name.startswith(TEMP) and time.time() - os.path.getmtime(path) > 600:
                os.unlink(path)
    print(f"removed {removed} entries")
    return 0


def cmd_clear(directory, args):
    if not os.path.isdir(directory):
        print(f"no cache at {directory}")
        return 0
    removed = 0
    for name in os.listdir(directory):
        if name.endswith((ENTRY, USAGE)) or name.startswith(TEMP):
            try:
                os.unlink(os.path.join(directory, name))
                removed += name.endswith(ENTRY)
            except FileNotFoundError:
                pass
    print(f"removed {removed} entries from {directory}")
    return 0


def load_graph(directory, prefix):
    e = find(directory, prefix)
    if not e.valid:
        sys.exit(f"entry {e.key} is invalid: {e.error}")
    return e, graphs.Graph(e.text("source"))


def cmd_diff(directory, args):
    a_entry, a = load_graph(directory, args.hash)
    b_entry, b = load_graph(directory, args.other)
    d = graphs.Diff(a, b)
    print(f"from: {a_entry.key}")
    print(f"to:   {b_entry.key}")
    print(f"summary: {d.describe()}")
    names = sorted(set(a.histogram) | set(b.histogram))
    changed = [(n, a.histogram.get(n, 0), b.histogram.get(n, 0)) for n in names
               if a.histogram.get(n, 0) != b.histogram.get(n, 0)]
    print("ops:" + (" same histogram" if not changed else ""))
    for name, x, y in changed:
        print(f"  {x:4} -> {y:<4} {name}")
    for title, xs, ys in (("inputs", a.inputs, b.inputs), ("outputs", a.outputs, b.outputs)):
        print(f"{title}:")
        for i in range(max(len(xs), len(ys))):
            x = xs[i] if i < len(xs) else "(none)"
            y = ys[i] if i < len(ys) else "(none)"
            print(f"  {i:3}  {x:20} {y:20} {'' if x == y else 'changed'}")
    print("constants that differ:" + ("" if d.constant_changes else
                                       " none" if d.same_ops else " (ops differ)"))
    for change in d.constant_changes:
        print(f"  {change}")
    first = graphs.first_differing_line(a.text, b.text)
    if first:
        print(f"first differing line ({first[0]}):")
        print(f"  - {first[1].strip()}")
        print(f"  + {first[2].strip()}")
    return 0


def cmd_dot(directory, args):
    e, g = load_graph(directory, args.hash)
    text = graphs.to_dot(g, name="graph_" + e.key.split("-")[0][:16])
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
        print(f"wrote {args.output}: {len(g.ops)} ops, {len(g.inputs)} inputs, "
              f"{len(g.outputs)} outputs")
    else:
        sys.stdout.write(text)
    return 0


def export_tool():
    env = os.environ.get("LTC_MLIR_EXPORT_TOOL")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(here, "ltc-mlir-export", "ltc-mlir-export"),
                  os.path.join(here, "..", "bazel-bin", "tools", "ltc-mlir-export",
                               "ltc-mlir-export")]
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("ltc-mlir-export") or sys.exit(
        "ltc-mlir-export not found: bazel build //tools/ltc-mlir-export, or set "
        "LTC_MLIR_EXPORT_TOOL (bazel run //tools:ltc_mlir_cache finds it itself)")


MLIR_RUNNER = "/usr/lib/llvm-22/bin/mlir-runner"
RUNNER_LIBS = ["/usr/lib/llvm-22/lib/libmlir_runner_utils.so",
               "/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so"]


def runner_command(path):
    return [MLIR_RUNNER, "-e", "main", "-entry-point-result=void",
            "-shared-libs=" + ",".join(RUNNER_LIBS), path]


def cmd_export(directory, args):
    e, g = load_graph(directory, args.hash)
    with tempfile.NamedTemporaryFile("w", suffix=".torch.mlir", delete=False) as f:
        f.write(e.text("source"))
        source = f.name
    try:
        proc = subprocess.run([export_tool(), "--level=" + args.level, source, "-o", args.file],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        os.unlink(source)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit(f"export of {e.key} failed")
    print(f"wrote {args.file}: @main calls @graph on generated inputs and prints "
          f"{len(g.outputs)} outputs")
    for i, t in enumerate(g.inputs):
        print(f"  input {i}: {t}  (v = (7n + {3 * i + 1}) mod 23 - 11"
              f"{', / 8' if t.startswith(('f', 'bf')) else ', > 0' if t.startswith('i1[') else ''})")
    if args.level == "llvm":
        print("run: " + " ".join(runner_command(args.file)))
    if args.run:
        if args.level != "llvm":
            sys.exit("--run needs --level llvm")
        proc = subprocess.run(runner_command(args.file), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            return proc.returncode
    return 0


def parse_bytes(text):
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:].upper(), 1)
    return int(text[:-1] if scale > 1 else text) * scale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=None, help="cache directory")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="entries, most recently used first")
    show = sub.add_parser("show", help="one entry's metadata")
    show.add_argument("hash", help="a unique prefix of the entry's key")
    show.add_argument("--source", action="store_true", help="print the Torch-dialect MLIR")
    show.add_argument("--fingerprint", action="store_true", help="print the compiler fingerprint")
    sub.add_parser("stats", help="totals for the directory")
    prune = sub.add_parser("prune", help="remove invalid, old or least recently used entries")
    prune.add_argument("--max-bytes", type=parse_bytes, default=None,
                       help="keep at most this many bytes (suffixes K, M, G)")
    prune.add_argument("--older-than-days", type=float, default=None)
    sub.add_parser("clear", help="remove every entry")
    diff = sub.add_parser("diff", help="what separates two graphs: ops, shapes, constants")
    diff.add_argument("hash")
    diff.add_argument("other")
    dot = sub.add_parser("dot", help="Graphviz picture of a graph")
    dot.add_argument("hash")
    dot.add_argument("-o", "--output", default=None, help="write to this file, not stdout")
    export = sub.add_parser("export", help="standalone module with a @main for mlir-runner")
    export.add_argument("hash")
    export.add_argument("file")
    export.add_argument("--level", choices=["llvm", "linalg"], default="llvm",
                        help="llvm: runnable by mlir-runner (default); linalg: readable")
    export.add_argument("--run", action="store_true", help="run it with mlir-runner too")
    args = parser.parse_args(argv)
    directory = args.dir if args.dir is not None else default_dir()
    if not directory:
        sys.exit("the disk cache is off (LTC_MLIR_CACHE_DIR is empty); pass --dir")
    commands = {"list": cmd_list, "show": cmd_show, "stats": cmd_stats,
                "prune": cmd_prune, "clear": cmd_clear, "diff": cmd_diff,
                "dot": cmd_dot, "export": cmd_export}
    return commands[args.command](directory, args)


if __name__ == "__main__":
    sys.exit(main())
