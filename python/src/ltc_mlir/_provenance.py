"""Names the user's source line whose sync made the backend compile a graph.

The backend calls `sync_provenance()` (through a hook set by `ltc_mlir`) from
the thread that is syncing, so the Python stack is the one that asked for the
values. Frames inside torch and ltc_mlir are skipped; they only say what kind
of sync it was (``torch._lazy.mark_step``, printing a tensor). For the user's
frame the expression being evaluated names the rest (``.item()``, ``.cpu()``,
``.to()``, ``.tolist()``, ``.numpy()``, a truth test).
"""
import dis
import linecache
import os
import re
import sys

import torch

_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

# (file inside torch, function) -> sync kind
_TORCH_KINDS = {
    ("_lazy/__init__.py", "mark_step"): "mark_step",
    ("_lazy/__init__.py", "sync_multi"): "mark_step",
    ("_lazy/__init__.py", "to_cpu"): ".cpu()",
    ("_tensor.py", "__repr__"): "print",
    ("_tensor.py", "__format__"): "print",
    ("_tensor.py", "__array__"): ".numpy()",
}

_METHOD_KINDS = {
    "item": ".item()", "cpu": ".cpu()", "to": ".to()", "tolist": ".tolist()",
    "numpy": ".numpy()", "mark_step": "mark_step", "print": "print",
    "float": "float()", "int": "int()", "bool": "bool()",
}

_CALL = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)\s*\(")


def _internal(filename):
    path = os.path.abspath(filename)
    return path.startswith(_TORCH_DIR) or path.startswith(_OWN_DIR)


def _torch_kind(frame):
    path = os.path.abspath(frame.f_code.co_filename)
    if not path.startswith(_TORCH_DIR):
        return None
    relative = path[len(_TORCH_DIR):].replace(os.sep, "/")
    if relative == "_tensor_str.py":
        return "print"
    return _TORCH_KINDS.get((relative, frame.f_code.co_name))


def _expression(frame):
    """The source text of the instruction `frame` is executing, or ''."""
    code = frame.f_code
    try:
        positions = list(code.co_positions())
        line, end_line, col, end_col = positions[frame.f_lasti // 2]
    except (AttributeError, IndexError, ValueError):
        return ""
    if not line or not end_line or col is None or end_col is None:
        return ""
    lines = [linecache.getline(code.co_filename, n).encode() for n in range(line, end_line + 1)]
    if len(lines) == 1:
        return lines[0][col:end_col].decode(errors="replace")
    return b"".join([lines[0][col:]] + lines[1:-1] + [lines[-1][:end_col]]).decode(errors="replace")


def _user_kind(frame):
    """The sync kind from the user's own frame: the call it is making."""
    try:
        opname = dis.opname[frame.f_code.co_code[frame.f_lasti]]
    except (IndexError, TypeError):
        opname = ""
    if ("JUMP" in opname and "_IF_" in opname) or opname == "UNARY_NOT":
        return "bool()"
    text = _expression(frame)
    # The outermost call of the expression: the last name called at depth 0.
    best = None
    for match in _CALL.finditer(text):
        prefix = text[:match.start()]
        depth = prefix.count("(") - prefix.count(")")
        if best is None or depth <= best[0]:
            best = (depth, match.group(1))
    if best and best[1] in _METHOD_KINDS:
        return _METHOD_KINDS[best[1]]
    return "tensor read"


def sync_provenance():
    """(kind, file, line, function, code) of the sync now in progress."""
    kind = None
    frame = sys._getframe(1)
    while frame is not None and _internal(frame.f_code.co_filename):
        kind = kind or _torch_kind(frame)
        frame = frame.f_back
    if frame is None:
        return (kind or "", "", 0, "", "")
    code = frame.f_code
    line = frame.f_lineno or 0
    source = linecache.getline(code.co_filename, line).strip()
    return (kind or _user_kind(frame), code.co_filename, line, code.co_name, source)
