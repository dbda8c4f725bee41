"""Per-op parity: every op in ltc_backend/ops.yaml's full_codegen list, run on
eager CPU and on the lazy device, must give the same values (and, for
differentiable ops, the same input gradients), and must run compiled: its
lazy::<op> counter moves, no aten::<op> fallback counter moves, and the graph
does not fall back to the eager interpreter (EagerGraphFallback).

A case is a list of variants; a variant is a function of CPU tensors plus the
inputs it is called with. Each variant runs once on CPU and once on copies of
its inputs on the lazy device. Results are compared after mark_step() with
.cpu() (never .item(), which syncs through aten::_local_scalar_dense).
"""
import os
import re

import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics
import torch.nn.functional as F

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")
aten = torch.ops.aten
torch.manual_seed(0)  # the inputs below are made at import


def counters():
    return {n: metrics.counter_value(n) for n in metrics.counter_names()}


def rand(*shape, dtype=torch.float32, low=-2.0, high=2.0):
    if dtype == torch.bool:
        return torch.rand(shape) > 0.5
    if not dtype.is_floating_point:
        return torch.randint(-5, 6, shape, dtype=dtype)
    return torch.rand(shape, dtype=dtype) * (high - low) + low


def pos(*shape):
    return rand(*shape, low=0.5, high=3.0)


def as_tuple(out):
    if isinstance(out, (tuple, list)):
        return tuple(out)
    return (out,)


class V:
    """One call: fn(*inputs). Floating inputs get gradients if grad is set
    (unless listed in no_grad)."""

    def __init__(self, fn, *inputs, grad=True, no_grad=()):
        self.fn, self.inputs, self.grad, self.no_grad = fn, inputs, grad, set(no_grad)


def run_on(device, v):
    args = []
    for i, x in enumerate(v.inputs):
        x = x.detach().clone().to(device)
        if v.grad and x.is_floating_point() and i not in v.no_grad:
            x.requires_grad_()
        args.append(x)
    outs = as_tuple(v.fn(*args))
    if v.grad:
        diff = [o.sum() for o in outs if o.requires_grad]
        assert diff, "variant marked differentiable has no differentiable output"
        sum(diff).backward()
    if device.type == "lazy":
        torch._lazy.mark_step()
    grads = [a.grad for a in args if a.requires_grad]
    return [o.detach().cpu() for o in outs], [g.cpu() for g in grads]


def check(v):
    want, want_grads = run_on(torch.device("cpu"), v)
    got, got_grads = run_on(LAZY, v)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w)
    assert len(got_grads) == len(want_grads)
    for g, w in zip(got_grads, want_grads):
        torch.testing.assert_close(g, w)


# Name in ops.yaml -> (counter name, variants). The generated kernels count
# under the op's base name, without the overload.
CASES = {}


def case(op, *variants):
    CASES[op] = ("lazy::" + op.split(".")[0], variants)


BIN = dict(
    f32_bcast=(rand(2, 3, 4), rand(3, 1)),
    zero_d=(rand(), rand(3)),
    i64=(rand(3, 4, dtype=torch.int64), rand(4, dtype=torch.int64)),
)

# --- elementwise -----------------------------------------------------------
case("add.Tensor",
     V(torch.add, *BIN["f32_bcast"]),
     V(lambda a, b: torch.add(a, b, alpha=2), *BIN["zero_d"]),
     V(lambda a, b: torch.add(a, b, alpha=3), *BIN["i64"], grad=False),
     V(torch.add, rand(3, 4), rand(4, dtype=torch.int64)),
     V(torch.add, rand(3, dtype=torch.bool), rand(3, dtype=torch.bool), grad=False))
case("sub.Tensor",
     V(torch.sub, *BIN["f32_bcast"]),
     V(lambda a, b: torch.sub(a, b, alpha=0.5), *BIN["zero_d"]),
     V(lambda a, b: torch.sub(a, b, alpha=2), *BIN["i64"], grad=False))
case("mul.Tensor",
     V(torch.mul, *BIN["f32_bcast"]),
     V(torch.mul, *BIN["zero_d"]),
     V(torch.mul, *BIN["i64"], grad=False),
     V(torch.mul, rand(3, dtype=torch.bool), rand(2, 3, dtype=torch.bool), grad=False))
case("div.Tensor",
     V(torch.div, rand(2, 3, 4), pos(3, 1)),
     V(torch.div, rand(), pos(3)),
     # Integer true division promotes to float.
     V(torch.div, rand(3, 4, dtype=torch.int64), torch.tensor([1, 2, -3, 4]),
       grad=False))
case("relu",
     V(torch.relu, rand(3, 4)),
     V(torch.relu, rand()),
     V(torch.relu, rand(5, dtype=torch.int64), grad=False))
case("threshold_backward",
     V(lambda g, x: aten.threshold_backward(g, x, 0.5), rand(3, 4), rand(3, 4),
       grad=False),
     V(lambda g, x: aten.threshold_backward(g, x, 0), rand(), rand(), grad=False))
case("neg",
     V(torch.neg, rand(3, 4)),
     V(torch.neg, rand()),
     V(torch.neg, rand(5, dtype=torch.int64), grad=False))
for name, fn, make in (("exp", torch.exp, rand), ("log", torch.log, pos),
                       ("tanh", torch.tanh, rand), ("sigmoid", torch.sigmoid, rand),
                       ("sqrt", torch.sqrt, pos), ("rsqrt", torch.rsqrt, pos)):
    case(name,
         V(fn, make(3, 4)),
         V(fn, make()),
         # Integer inputs promote to float.
         V(fn, torch.tensor([1, 2, 3, 4]), grad=False))
case("gelu",
     V(F.gelu, rand(3, 4)),
     V(lambda x: F.gelu(x, approximate="tanh"), rand(3, 4)),
     V(F.gelu, rand()))
case("gelu_backward",
     V(lambda g, x: aten.gelu_backward(g, x), rand(3, 4), rand(3, 4), grad=False),
     V(lambda g, x: aten.gelu_backward(g, x, approximate="tanh"), rand(3, 4),
       rand(3, 4), grad=False))
case("sigmoid_backward",
     V(aten.sigmoid_backward, rand(3, 4), rand(3, 4), grad=False),
     V(aten.sigmoid_backward, rand(), rand(), grad=False))
case("tanh_backward",
     V(aten.tanh_backward, rand(3, 4), rand(3, 4), grad=False),
     V(aten.tanh_backward, rand(), rand(), grad=False))
case("pow.Tensor_Scalar",
     V(lambda x: x ** 2, rand(3, 4)),
     V(lambda x: x ** 0.5, pos(3, 4)),
     V(lambda x: x ** -1.5, pos(3, 4)),
     V(lambda x: x ** 3, rand()),
     V(lambda x: x ** 3, rand(5, dtype=torch.int64), grad=False))
for name, fn in (("maximum", torch.maximum), ("minimum", torch.minimum)):
    case(name,
         V(fn, *BIN["f32_bcast"]),
         V(fn, *BIN["zero_d"]),
         V(fn, *BIN["i64"], grad=False))
case("where.self",
     V(torch.where, rand(3, 1, dtype=torch.bool), rand(4), rand(3, 4)),
     V(torch.where, rand(dtype=torch.bool), rand(), rand()),
     V(torch.where, rand(2, 3, dtype=torch.bool), rand(2, 3, dtype=torch.int64),
       rand(3, dtype=torch.int64), grad=False))
for name, fn in (("eq", torch.eq), ("ne", torch.ne), ("gt", torch.gt),
                 ("lt", torch.lt), ("ge", torch.ge), ("le", torch.le)):
    case(name + ".Scalar",
         V(lambda x, fn=fn: fn(x, 0.5), torch.tensor([[0.5, 1.0], [-1.0, 0.25]]),
           grad=False),
         V(lambda x, fn=fn: fn(x, 1), rand(), grad=False),
         V(lambda x, fn=fn: fn(x, 2), rand(3, 4, dtype=torch.int64), grad=False),
         # An int tensor against a float scalar compares in float.
         V(lambda x, fn=fn: fn(x, 1.5), torch.tensor([1, 2, 3]), grad=False),
         V(lambda x, fn=fn: fn(x, True), rand(4, dtype=torch.bool), grad=False))
for name, fn in (("eq", torch.eq), ("ne", torch.ne), ("gt", torch.gt),
                 ("lt", torch.lt), ("ge", torch.ge), ("le", torch.le)):
    case(name + ".Tensor",
         V(fn, torch.tensor([[0.5, 1.0], [-1.0, 0.25]]), torch.tensor([0.5, 0.25]),
           grad=False),
         V(fn, rand(), rand(3), grad=False),
         V(fn, rand(3, 4, dtype=torch.int64), rand(4, dtype=torch.int64), grad=False),
         # Mixed dtypes compare in the promoted type.
         V(fn, torch.tensor([1, 2, 3]), torch.tensor([1.5, 2.0, 2.5]), grad=False),
         V(fn, rand(4, dtype=torch.bool), rand(4, dtype=torch.bool), grad=False))
# lazy -> lazy dtype conversions stay in the graph.
case("_to_copy",
     V(lambda x: x.to(torch.float64) * 2, rand(3, 4)),
     V(lambda x: x.to(torch.int64), rand(3, 4), grad=False),
     V(lambda x: x.to(torch.float32) + 0.5, rand(2, 3, dtype=torch.int64), grad=False))
case("masked_fill.Scalar",
     V(lambda x, m: x.masked_fill(m, -1.5), rand(3, 4), rand(3, 4, dtype=torch.bool)),
     V(lambda x, m: x.masked_fill(m, 2), rand(3, 4), rand(4, dtype=torch.bool)),
     V(lambda x, m: x.masked_fill(m, 7), rand(3, 4, dtype=torch.int64),
       rand(3, 1, dtype=torch.bool), grad=False),
     V(lambda x, m: x.masked_fill(m, 0.5), rand(), rand(dtype=torch.bool)),
     # A mask larger than self broadcasts the result.
     V(lambda x, m: x.masked_fill(m, 1.0), rand(4), rand(2, 4, dtype=torch.bool)))
case("addcmul",
     V(lambda s, a, b: torch.addcmul(s, a, b, value=0.5), rand(4), rand(3, 1),
       rand(3, 4)),
     V(torch.addcmul, rand(), rand(), rand()),
     V(lambda s, a, b: torch.addcmul(s, a, b, value=2), rand(3, dtype=torch.int64),
       rand(3, dtype=torch.int64), rand(3, dtype=torch.int64), grad=False))
case("addcdiv",
     V(lambda s, a, b: torch.addcdiv(s, a, b, value=0.5), rand(4), rand(3, 1),
       pos(3, 4)),
     V(torch.addcdiv, rand(), rand(), pos()))

# --- reductions ------------------------------------------------------------
case("sum",
     V(torch.sum, rand(3, 4)),
     V(torch.sum, rand()),
     V(torch.sum, rand(3, 4, dtype=torch.int64), grad=False),
     V(torch.sum, rand(5, dtype=torch.bool), grad=False))
case("sum.dim_IntList",
     V(lambda x: torch.sum(x, -1), rand(2, 3, 4)),
     V(lambda x: torch.sum(x, (0, 2), keepdim=True), rand(2, 3, 4)),
     V(lambda x: torch.sum(x, (-2,)), rand(2, 3, 4, dtype=torch.int64), grad=False),
     V(lambda x: torch.sum(x, 0, dtype=torch.float64), rand(3, 4)))
case("mean",
     V(torch.mean, rand(3, 4)),
     V(torch.mean, rand()))
case("mean.dim",
     V(lambda x: torch.mean(x, -1), rand(2, 3, 4)),
     V(lambda x: torch.mean(x, (0, -1), keepdim=True), rand(2, 3, 4)))
case("amax",
     V(lambda x: torch.amax(x, -1), rand(2, 3, 4)),
     V(lambda x: torch.amax(x, (0, 2), keepdim=True), rand(2, 3, 4)),
     V(lambda x: torch.amax(x, 1), rand(3, 4, dtype=torch.int64), grad=False))
case("argmax",
     V(lambda x: torch.argmax(x, -1), rand(2, 3, 4), grad=False),
     V(lambda x: torch.argmax(x, 1, keepdim=True), rand(2, 3, 4), grad=False),
     V(torch.argmax, rand(3, 4), grad=False),
     V(lambda x: torch.argmax(x, 0), rand(5, 3, dtype=torch.int64), grad=False))

# --- linear algebra --------------------------------------------------------
case("mm",
     V(torch.mm, rand(3, 5), rand(5, 2)),
     V(torch.mm, rand(3, 5, dtype=torch.int64), rand(5, 2, dtype=torch.int64),
       grad=False))
case("addmm",
     V(torch.addmm, rand(2), rand(3, 5), rand(5, 2)),
     V(lambda b, x, y: torch.addmm(b, x, y, beta=0.5, alpha=2), rand(3, 2),
       rand(3, 5), rand(5, 2)))
case("bmm",
     V(torch.bmm, rand(2, 3, 5), rand(2, 5, 4)))

# --- softmax and losses ----------------------------------------------------
case("_log_softmax",
     V(lambda x: F.log_softmax(x, -1), rand(3, 5)),
     V(lambda x: F.log_softmax(x, 0), rand(2, 3, 4)))
case("_log_softmax_backward_data",
     V(lambda g, o: aten._log_softmax_backward_data(g, o, -1, torch.float32),
       rand(3, 5), F.log_softmax(rand(3, 5), -1), grad=False))
case("_softmax",
     V(lambda x: F.softmax(x, -1), rand(3, 5)),
     V(lambda x: F.softmax(x, 1), rand(2, 3, 4)))
case("_softmax_backward_data",
     V(lambda g, o: aten._softmax_backward_data(g, o, 0, torch.float32),
       rand(3, 5), F.softmax(rand(3, 5), 0), grad=False))
LOGP, TARGET = F.log_softmax(rand(4, 5), -1), torch.tensor([0, 3, 1, 4])
case("nll_loss_forward",
     V(F.nll_loss, LOGP, TARGET),
     V(lambda x, t: F.nll_loss(x, t, reduction="sum"), LOGP, TARGET),
     V(lambda x, t: F.nll_loss(x, t, reduction="none"), LOGP, TARGET),
     V(lambda x, t, w: F.nll_loss(x, t, weight=w), LOGP, TARGET, pos(5),
       no_grad=(2,)),
     V(lambda x, t: F.nll_loss(x, t, ignore_index=3), LOGP, TARGET))
case("nll_loss_backward",
     V(lambda g, x, t: aten.nll_loss_backward(g, x, t, None, 1, -100,
                                              torch.tensor(4.0)),
       rand(), LOGP, TARGET, grad=False),
     V(lambda g, x, t: aten.nll_loss_backward(g, x, t, None, 0, -100,
                                              torch.tensor(4.0)),
       rand(4), LOGP, TARGET, grad=False))

# --- convolution and pooling -----------------------------------------------
case("convolution",
     V(F.conv2d, rand(2, 3, 6, 6), rand(4, 3, 3, 3), rand(4)),
     V(lambda x, w: F.conv2d(x, w, stride=2, padding=1), rand(1, 3, 7, 7),
       rand(2, 3, 3, 3)),
     V(lambda x, w, b: F.conv2d(x, w, b, groups=2, dilation=2), rand(1, 4, 7, 7),
       rand(6, 2, 3, 3), rand(6)))
case("convolution_backward",
     V(lambda g, x, w: aten.convolution_backward(
         g, x, w, [4], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, [True, True, True]),
       rand(2, 4, 4, 4), rand(2, 3, 6, 6), rand(4, 3, 3, 3), grad=False))
case("max_pool2d_with_indices",
     V(lambda x: aten.max_pool2d_with_indices(x, [2, 2]), rand(2, 3, 6, 6)),
     V(lambda x: aten.max_pool2d_with_indices(x, [3, 3], [2, 2], [1, 1]),
       rand(1, 2, 7, 7)),
     V(lambda x: aten.max_pool2d_with_indices(x, [2, 2], [2, 2], [0, 0], [1, 1],
                                              True), rand(1, 2, 5, 5)))
case("max_pool2d_with_indices_backward",
     V(lambda x: F.max_pool2d(x, 2), rand(2, 3, 6, 6)))

# --- normalization ---------------------------------------------------------
case("native_layer_norm",
     V(lambda x, w, b: F.layer_norm(x, (4,), w, b), rand(3, 4), rand(4), rand(4)),
     V(lambda x: F.layer_norm(x, (3, 4)), rand(2, 3, 4)),
     V(lambda x, w, b: aten.native_layer_norm(x, [4], w, b, 1e-5), rand(3, 4),
       rand(4), rand(4), grad=False))
case("native_layer_norm_backward",
     V(lambda x, w, b: F.layer_norm(x, (4,), w, b), rand(3, 4), rand(4), rand(4)),
     V(lambda x: F.layer_norm(x, (3, 4)), rand(2, 3, 4)))

# --- views and copies ------------------------------------------------------
case("view_copy",
     V(lambda x: x.view(4, 6), rand(2, 3, 4)),
     V(lambda x: x.view(-1), rand(2, 3)),
     V(lambda x: x.view(1, 1), rand()),
     V(lambda x: x.view(6, 1), rand(2, 3, dtype=torch.int64), grad=False))
case("t_copy",
     V(lambda x: x.t(), rand(3, 4)),
     V(lambda x: x.t(), rand(4)))
case("expand_copy",
     V(lambda x: x.expand(2, 3, 4), rand(3, 1)),
     V(lambda x: x.expand(3, -1), rand(4)),
     V(lambda x: x.expand(2, 2), rand()),
     V(lambda x: x.expand(2, 4), rand(4, dtype=torch.bool), grad=False))
case("permute_copy",
     V(lambda x: x.permute(2, 0, 1), rand(2, 3, 4)),
     V(lambda x: x.permute(-1, -3, -2), rand(2, 3, 4)))
case("transpose_copy.int",
     V(lambda x: x.transpose(0, 1), rand(3, 4)),
     V(lambda x: x.transpose(-1, 0), rand(2, 3, 4)))
case("unsqueeze_copy",
     V(lambda x: x.unsqueeze(0), rand(3, 4)),
     V(lambda x: x.unsqueeze(-1), rand(3, 4)),
     V(lambda x: x.unsqueeze(0), rand()))
case("squeeze_copy",
     V(lambda x: x.squeeze(), rand(1, 3, 1, 4)),
     V(lambda x: x.squeeze(), rand(1, 1)))
case("squeeze_copy.dim",
     V(lambda x: x.squeeze(1), rand(3, 1, 4)),
     V(lambda x: x.squeeze(-2), rand(3, 1, 4)),
     V(lambda x: x.squeeze(0), rand(3, 1, 4)))  # not size 1: a no-op
case("select_copy.int",
     V(lambda x: x.select(1, 2), rand(2, 3, 4)),
     V(lambda x: x.select(-1, -1), rand(2, 3, 4)),
     V(lambda x: x[1], rand(3, dtype=torch.int64), grad=False))
case("slice_copy.Tensor",
     V(lambda x: x[:, 1:3], rand(3, 4)),
     V(lambda x: x[::2, -3:], rand(5, 4)),
     V(lambda x: x[1:100], rand(4, 2)),
     V(lambda x: x[:, -3:-1], rand(3, 4, dtype=torch.int64), grad=False))
case("select_backward",
     V(lambda g: aten.select_backward(g, [2, 3, 4], 1, -1), rand(2, 4), grad=False),
     V(lambda g: aten.select_backward(g, [3], 0, 1), rand(), grad=False))
case("slice_backward",
     V(lambda g: aten.slice_backward(g, [5, 3], 0, 1, 2 ** 63 - 1, 2), rand(2, 3),
       grad=False),
     V(lambda g: aten.slice_backward(g, [3, 4], -1, -3, -1, 1), rand(3, 2),
       grad=False))
case("detach_copy",
     V(lambda x: x.detach() * 1, rand(3, 4), grad=False))
case("alias_copy",
     V(aten.alias_copy, rand(3, 4)))
case("cat",
     V(lambda a, b: torch.cat([a, b]), rand(2, 3), rand(1, 3)),
     V(lambda a, b, c: torch.cat([a, b, c], -1), rand(2, 3), rand(2, 1), rand(2, 2)),
     V(lambda a, b: torch.cat([a, b], 1), rand(2, 2, dtype=torch.int64),
       rand(2, 3, dtype=torch.int64), grad=False))
case("fill.Scalar",
     V(lambda x: aten.fill(x, 2.5), rand(3, 4), grad=False),
     V(lambda x: aten.fill(x, 7), rand(3, dtype=torch.int64), grad=False),
     V(lambda x: aten.fill(x, 1.5), rand(), grad=False))
case("zero",
     V(aten.zero, rand(3, 4), grad=False),
     V(aten.zero, rand(2, dtype=torch.int64), grad=False))


def full_codegen_ops():
    """The ops ops.yaml traces into graphs (full_codegen and ir_gen), read as
    text (no yaml dependency)."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "ltc_backend", "ops.yaml")
    ops, inside = [], False
    with open(path) as f:
        for line in f:
            if re.match(r"^\w", line):
                inside = line.startswith(("full_codegen:", "ir_gen:"))
                continue
            m = re.match(r"^\s+-\s+(\S+)", line)
            if inside and m:
                ops.append(m.group(1))
    return ops


def test_every_full_codegen_op_has_a_case():
    ops = full_codegen_ops()
    assert ops, "could not read ops.yaml"
    assert sorted(set(ops) - set(CASES)) == []
    assert sorted(set(CASES) - set(ops)) == []


# Ops whose parity case fails because of a bug outside the lowering of the
# op itself. strict: once the bug is fixed the case passes, and the entry must go.
KNOWN_BROKEN = {
}


@pytest.mark.parametrize("op", [
    pytest.param(op, marks=pytest.mark.xfail(reason=KNOWN_BROKEN[op], strict=True))
    if op in KNOWN_BROKEN else op
    for op in sorted(CASES)])
def test_op(op):
    counter, variants = CASES[op]
    before = counters()
    for v in variants:
        check(v)
    after = counters()
    assert after.get(counter, 0) > before.get(counter, 0), f"{counter} did not move"
    fallbacks = {n: after[n] - before.get(n, 0) for n in after
                 if n.startswith("aten::") and after[n] != before.get(n, 0)}
    assert fallbacks == {}
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)
