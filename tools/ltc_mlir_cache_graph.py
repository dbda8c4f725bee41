"""Reads the Torch-dialect MLIR of a cached graph: summary, comparison, Graphviz.

The comparison is the one ltc_backend/graph_diff.cpp makes for LTC_MLIR_DEBUG
(same parsing rules, same wording), so `ltc_mlir_cache.py diff` explains a
recompile the way the backend did. `generated_input` computes the inputs that
`ltc-mlir-export` builds into an exported module's @main. Standard library
only.
"""
import re

_SSA = re.compile(r"%[A-Za-z0-9_#.$-]+")
_OPEN, _CLOSE = "<[({", ">])}"


def _split_top_level(text):
    parts, depth, current = [], 0, ""
    for c in text:
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        if c == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += c
    if current.strip():
        parts.append(current.strip())
    return parts


def _type_colon(text):
    """Index of the ' : ' between operands and types, outside brackets."""
    depth = 0
    for i, c in enumerate(text[:-2]):
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif depth == 0 and text[i:i + 3] == " : ":
            return i
    return -1


def short_type(text):
    """'!torch.vtensor<[4,3],f32>' -> 'f32[4,3]'; other types unchanged."""
    m = re.fullmatch(r"!torch\.vtensor<\[([^\]]*)\],([^>]*)>", text.strip())
    return f"{m.group(2)}[{m.group(1)}]" if m else text.strip()


def parse_type(short):
    """'f32[4,3]' -> ('f32', [4, 3]), or None."""
    m = re.fullmatch(r"([A-Za-z0-9]+)\[([0-9,]*)\]", short)
    if not m:
        return None
    return m.group(1), [int(d) for d in m.group(2).split(",") if d]


def _is_constant(op):
    return op.startswith("torch.constant.") or op == "torch.vtensor.literal"


def _constant_value(op, rest):
    rest = rest.strip()
    if op == "torch.vtensor.literal":
        colon = _type_colon(rest)
        attr = (rest[:colon] if colon >= 0 else rest).strip()
        if attr.startswith("(") and attr.endswith(")"):
            attr = attr[1:-1]
        return "literal " + attr
    kind = op[len("torch.constant."):]
    return kind + (" " + rest if rest else "")


class Op:
    def __init__(self, name, operands, result_types, line_no, results):
        self.name = name
        self.operands = operands  # "arg N", "op N[#i]" or a constant's value
        self.result_types = result_types
        self.line_no = line_no
        self.results = results  # SSA names defined


class Graph:
    """What the comparison and the picture need of one graph."""

    def __init__(self, text):
        self.text = text
        self.inputs, self.outputs, self.ops = [], [], []
        self.use_order = []  # signature indices in order of first use
        self.histogram = {}
        self.returned = []  # per output: "arg N", "op N[#i]" or a constant
        self._parse(text)

    def _parse(self, text):
        constants, producers, args = {}, {}, {}
        returned_refs = []

        def describe(ref):
            base, _, index = ref.partition("#")
            suffix = "#" + index if index else ""
            if ref in constants:
                return constants[ref]
            if ref in args:
                if args[ref] not in self.use_order:
                    self.use_order.append(args[ref])
                return f"arg {self.use_order.index(args[ref])}"
            if base in producers:
                return f"op {producers[base]}{suffix}"
            return ref

        for line_no, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if line.startswith("func.func @"):
                open_paren = line.find("(")
                arrow = line.rfind(") -> ")
                close = arrow if arrow >= 0 else line.rfind(")")
                for param in _split_top_level(line[open_paren + 1:close]):
                    name, sep, type_text = param.partition(": ")
                    if sep:
                        args[name] = len(self.inputs)
                        self.inputs.append(short_type(type_text))
                continue
            if line.startswith("return") or line.startswith("func.return"):
                colon = _type_colon(line)
                if colon >= 0:
                    self.outputs = [short_type(t) for t in _split_top_level(line[colon + 3:])]
                    returned_refs = _SSA.findall(line[:colon])
                continue
            if not line.startswith("%") or " = " not in line:
                continue
            results, rest = line.split(" = ", 1)
            m = re.match(r"[^ (]+", rest)
            op = m.group(0) if m else rest
            operands_text = rest[len(op):]
            self.histogram[op] = self.histogram.get(op, 0) + 1
            names = _SSA.findall(results)
            if _is_constant(op):
                for name in names:
                    constants[name] = _constant_value(op, operands_text)
                continue
            colon = _type_colon(operands_text)
            types = operands_text[colon + 3:] if colon >= 0 else ""
            arrow = types.rfind("-> ")
            result_types = types[arrow + 3:].strip() if arrow >= 0 else ""
            operands = [describe(r) for r in
                        _SSA.findall(operands_text[:colon] if colon >= 0 else operands_text)]
            for name in names:
                producers[name.split(":")[0]] = len(self.ops)
            self.ops.append(Op(op, operands, result_types, line_no,
                               [n.split(":")[0] for n in names]))
        for i in range(len(self.inputs)):
            if i not in self.use_order:
                self.use_order.append(i)
        # After use_order is complete, so returning an argument does not
        # count as a use (as in graph_diff.cpp).
        self.returned = [f"arg {self.use_order.index(args[r])}" if r in args else describe(r)
                         for r in returned_refs]


def _is_ref(operand):
    return operand.startswith(("arg ", "op ", "%"))


class Diff:
    def __init__(self, a, b):
        self.input_changes, self.output_changes = [], []
        self.constant_changes, self.op_changes = [], []
        self.first_differing_op = -1
        self.counts = (len(a.inputs), len(b.inputs), len(a.outputs), len(b.outputs))
        n = max(len(a.inputs), len(b.inputs))
        for i in range(n):
            before = a.inputs[a.use_order[i]] if i < len(a.use_order) else "(none)"
            after = b.inputs[b.use_order[i]] if i < len(b.use_order) else "(none)"
            label = b.use_order[i] if i < len(b.use_order) else i
            if before != after:
                self.input_changes.append(f"input {label}: {before} -> {after}")
        for i in range(max(len(a.outputs), len(b.outputs))):
            before = a.outputs[i] if i < len(a.outputs) else "(none)"
            after = b.outputs[i] if i < len(b.outputs) else "(none)"
            if before != after:
                self.output_changes.append(f"output {i}: {before} -> {after}")
        self.same_ops = len(a.ops) == len(b.ops) and all(
            x.name == y.name and len(x.operands) == len(y.operands) and
            all(p == q or not (_is_ref(p) or _is_ref(q)) for p, q in zip(x.operands, y.operands))
            for x, y in zip(a.ops, b.ops))
        if self.same_ops:
            for i, (x, y) in enumerate(zip(a.ops, b.ops)):
                for k, (p, q) in enumerate(zip(x.operands, y.operands)):
                    if p != q:
                        self.constant_changes.append(
                            f"op {i} {x.name} operand {k}: {p} -> {q}")
        else:
            i = 0
            while (i < min(len(a.ops), len(b.ops)) and a.ops[i].name == b.ops[i].name
                   and a.ops[i].operands == b.ops[i].operands):
                i += 1
            self.first_differing_op = i
            delta = {}
            for op in a.ops:
                delta[op.name] = delta.get(op.name, 0) - 1
            for op in b.ops:
                delta[op.name] = delta.get(op.name, 0) + 1
            self.op_changes = [f"{'+' if d > 0 else ''}{d} {name}"
                               for name, d in sorted(delta.items()) if d]
            if not self.op_changes:
                self.op_changes = ["the same ops, connected differently"]
        same_results = self.same_ops and all(
            x.result_types == y.result_types for x, y in zip(a.ops, b.ops))
        self.identical = (self.same_ops and same_results and not self.input_changes
                          and not self.output_changes and not self.constant_changes
                          and a.histogram == b.histogram)

    def describe(self, max_items=3):
        def join(items):
            text = ", ".join(items[:max_items])
            return text + (f" (+{len(items) - max_items} more)" if len(items) > max_items else "")
        if self.identical:
            return "identical ops, shapes and constants"
        parts = ["same ops" if self.same_ops else
                 f"ops changed (first at op {self.first_differing_op}): {join(self.op_changes)}"]
        # Across different ops, position-wise shape changes mean little.
        if not self.same_ops:
            if self.counts[0] != self.counts[1] or self.counts[2] != self.counts[3]:
                parts.append("inputs {} -> {}, outputs {} -> {}".format(*self.counts))
        else:
            if self.input_changes:
                parts.append("shape changed: " + join(self.input_changes))
            if self.output_changes:
                parts.append("output changed: " + join(self.output_changes))
        if self.constant_changes:
            parts.append("constant changed: " + join(self.constant_changes))
        if (self.same_ops and not self.input_changes and not self.output_changes
                and not self.constant_changes):
            parts.append("intermediate shapes differ")
        return "; ".join(parts)


def first_differing_line(a_text, b_text):
    """(line number, line of a, line of b) of the first difference, or None."""
    a_lines, b_lines = a_text.splitlines(), b_text.splitlines()
    for i in range(max(len(a_lines), len(b_lines))):
        x = a_lines[i] if i < len(a_lines) else "(end)"
        y = b_lines[i] if i < len(b_lines) else "(end)"
        if x != y:
            return i + 1, x, y
    return None


def _dot_quote(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def to_dot(graph, name="graph"):
    """Graphviz: one node per op (constants shown in its label), edges by SSA
    use, inputs and outputs as house-shaped nodes."""
    lines = [f"digraph {_dot_quote(name)} {{", "  rankdir=TB;",
             '  node [shape=box, fontname="monospace", fontsize=10];']
    for index in range(len(graph.inputs)):
        lines.append(f"  in{index} [shape=invhouse, style=filled, fillcolor=lightblue, "
                     f"label={_dot_quote(f'input {index}: {graph.inputs[index]}')}];")

    def source(operand):
        if operand.startswith("arg "):
            return "in" + str(graph.use_order[int(operand[4:])])
        if operand.startswith("op "):
            return "op" + operand[3:].split("#")[0]
        return None

    for i, op in enumerate(graph.ops):
        constants = [o for o in op.operands if not _is_ref(o)]
        label = op.name.replace("torch.", "", 1)
        if constants:
            label += "\n(" + ", ".join(constants) + ")"
        if op.result_types:
            label += "\n-> " + ", ".join(short_type(t) for t in _split_top_level(
                op.result_types.strip("()")))
        lines.append(f"  op{i} [label={_dot_quote(label)}];")
        for k, operand in enumerate(op.operands):
            src = source(operand)
            if src:
                lines.append(f"  {src} -> op{i};")
    for i, out in enumerate(graph.outputs):
        lines.append(f"  out{i} [shape=house, style=filled, fillcolor=palegreen, "
                     f"label={_dot_quote(f'output {i}: {out}')}];")
        ref = graph.returned[i] if i < len(graph.returned) else ""
        src = source(ref)
        if src:
            lines.append(f"  {src} -> out{i};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def generated_values(shape, dtype, arg_index):
    """The values ltc-mlir-export gives argument `arg_index`, row-major, as
    Python numbers: v = (7n + 3k + 1) mod 23 - 11; floats v / 8, bools v > 0."""
    count = 1
    for d in shape:
        count *= d
    values = [(7 * n + 3 * arg_index + 1) % 23 - 11 for n in range(count)]
    if dtype.startswith(("f", "bf")):
        return [v / 8.0 for v in values]
    if dtype == "i1":
        return [v > 0 for v in values]
    return values
