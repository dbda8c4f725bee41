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


# Hand-written kernels in native_functions.cpp that decompose an op into
# traced ones ("supported" in ops.yaml): same checks, outside the guard.
DECOMPOSED = {}


def decomposed(op, *variants):
    DECOMPOSED[op] = ("lazy::" + op.split(".")[0], variants)


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
# x.detach() itself traces no op (ltc_backend/functional_views.cpp): the
# detached wrapper shares its input's lazy value.
case("detach_copy",
     V(lambda x: aten.detach_copy(x) * 1, rand(3, 4), grad=False))
case("alias_copy",
     V(aten.alias_copy, rand(3, 4)))
case("cat",
     V(lambda a, b: torch.cat([a, b]), rand(2, 3), rand(1, 3)),
     V(lambda a, b, c: torch.cat([a, b, c], -1), rand(2, 3), rand(2, 1), rand(2, 2)),
     V(lambda a, b: torch.cat([a, b], 1), rand(2, 2, dtype=torch.int64),
       rand(2, 3, dtype=torch.int64), grad=False))
# Hand-written: an expanded scalar, with no operand (see the test below).
decomposed("fill.Scalar",
           V(lambda x: aten.fill(x, 2.5), rand(3, 4), grad=False),
           V(lambda x: aten.fill(x, 7), rand(3, dtype=torch.int64), grad=False),
           V(lambda x: aten.fill(x, float("-inf")), rand(2), grad=False),
           V(lambda x: aten.fill(x, 1.5), rand(), grad=False))
decomposed("zero",
           V(aten.zero, rand(3, 4), grad=False),
           V(lambda x: x.zero_(), rand(2, 3), grad=False),
           V(aten.zero, rand(2, dtype=torch.int64), grad=False))


# --- OpInfo coverage (issue 4): more elementwise ops ------------------------
for name, fn, make in (
        ("abs", torch.abs, rand), ("sgn", torch.sgn, rand), ("sign", torch.sign, rand),
        ("reciprocal", torch.reciprocal, pos), ("sin", torch.sin, rand),
        ("cos", torch.cos, rand), ("tan", torch.tan, rand),
        ("asin", torch.asin, lambda *s: rand(*s, low=-0.9, high=0.9)),
        ("acos", torch.acos, lambda *s: rand(*s, low=-0.9, high=0.9)),
        ("atan", torch.atan, rand), ("sinh", torch.sinh, rand), ("cosh", torch.cosh, rand),
        ("erf", torch.erf, rand), ("expm1", torch.expm1, rand), ("log1p", torch.log1p, pos),
        ("log2", torch.log2, pos), ("log10", torch.log10, pos), ("exp2", torch.exp2, rand),
        ("silu", F.silu, rand), ("hardsigmoid", F.hardsigmoid, rand),
        ("hardswish", F.hardswish, rand), ("mish", F.mish, rand)):
    case(name, V(fn, make(3, 4), grad=False), V(fn, make(), grad=False))
for name, fn in (("floor", torch.floor), ("ceil", torch.ceil), ("round", torch.round),
                 ("trunc", torch.trunc), ("frac", torch.frac)):
    case(name, V(fn, rand(3, 4) * 3, grad=False), V(fn, rand(), grad=False))
case("isnan",
     V(torch.isnan, torch.tensor([1.0, float("nan"), float("inf")]), grad=False),
     V(torch.isnan, rand(3, dtype=torch.int64), grad=False))
case("logical_not",
     V(torch.logical_not, rand(3, 4), grad=False),
     V(torch.logical_not, rand(4, dtype=torch.bool), grad=False))
for name, fn in (("logical_and", torch.logical_and), ("logical_or", torch.logical_or),
                 ("logical_xor", torch.logical_xor)):
    case(name, V(fn, rand(3, 4), rand(4, dtype=torch.bool), grad=False),
         V(fn, rand(3, dtype=torch.int64), rand(3), grad=False))
case("bitwise_not", V(torch.bitwise_not, rand(3, 4, dtype=torch.int64), grad=False),
     V(torch.bitwise_not, rand(4, dtype=torch.bool), grad=False))
for name, fn in (("bitwise_and", torch.bitwise_and), ("bitwise_or", torch.bitwise_or),
                 ("bitwise_xor", torch.bitwise_xor)):
    case(name + ".Tensor",
         V(fn, rand(3, 4, dtype=torch.int64), rand(4, dtype=torch.int64), grad=False),
         V(fn, rand(4, dtype=torch.bool), rand(4, dtype=torch.bool), grad=False))
case("atan2", V(torch.atan2, rand(3, 4), rand(4), grad=False))
decomposed("div.Tensor_mode",
     V(lambda a, b: torch.div(a, b, rounding_mode="floor"), rand(3, 4) * 4, pos(4),
       grad=False),
     V(lambda a, b: torch.div(a, b, rounding_mode="trunc"), rand(3, 4) * 4, -pos(4),
       grad=False),
     V(lambda a, b: torch.div(a, b, rounding_mode="floor"),
       rand(3, 4, dtype=torch.int64), torch.tensor([1, -2, 3, -4]), grad=False))
case("floor_divide",
     V(torch.floor_divide, rand(3, 4) * 4, pos(4), grad=False),
     V(torch.floor_divide, rand(4, dtype=torch.int64), torch.tensor([1, -2, 3, -4]),
       grad=False))
case("remainder.Tensor", V(torch.remainder, rand(3, 4) * 4, -pos(4), grad=False))
case("remainder.Scalar", V(lambda x: torch.remainder(x, 1.5), rand(3, 4) * 4, grad=False),
     V(lambda x: torch.remainder(x, 3), rand(5, dtype=torch.int64), grad=False))
case("fmod.Tensor", V(torch.fmod, rand(3, 4) * 4, -pos(4), grad=False))
case("fmod.Scalar", V(lambda x: torch.fmod(x, 1.5), rand(3, 4) * 4, grad=False))
case("rsub.Tensor", V(lambda a, b: torch.rsub(a, b, alpha=2), rand(3, 4), rand(4),
                      grad=False))
case("rsub.Scalar", V(lambda x: torch.rsub(x, 2.5), rand(3, 4), grad=False),
     V(lambda x: torch.rsub(x, 2), rand(3, dtype=torch.int64), grad=False))
case("pow.Tensor_Tensor", V(torch.pow, pos(3, 4), rand(4), grad=False),
     V(torch.pow, rand(3, dtype=torch.int64), torch.tensor([0, 1, 2]), grad=False))
case("pow.Scalar", V(lambda x: torch.pow(2.0, x), rand(3, 4), grad=False))
case("clamp", V(lambda x: torch.clamp(x, -0.5, 0.5), rand(3, 4), grad=False),
     V(lambda x: torch.clamp(x, min=0), rand(3, dtype=torch.int64), grad=False))
case("clamp.Tensor", V(lambda x, lo, hi: torch.clamp(x, lo, hi), rand(3, 4),
                       -pos(4), pos(3, 1), grad=False))
case("clamp_min", V(lambda x: torch.clamp_min(x, 0.25), rand(3, 4), grad=False))
case("clamp_max", V(lambda x: torch.clamp_max(x, 0.25), rand(3, 4), grad=False))
case("elu", V(lambda x: F.elu(x, 0.5), rand(3, 4), grad=False))
case("softplus", V(lambda x: F.softplus(x, 2, 3), rand(3, 4) * 3, grad=False))
case("leaky_relu", V(lambda x: F.leaky_relu(x, 0.2), rand(3, 4), grad=False))
case("hardtanh", V(lambda x: F.hardtanh(x, -0.5, 1.0), rand(3, 4), grad=False))
case("lerp.Scalar", V(lambda a, b: torch.lerp(a, b, 0.3), rand(3, 4), rand(4),
                      grad=False))
case("lerp.Tensor", V(torch.lerp, rand(3, 4), rand(4), rand(3, 1), grad=False))

# --- OpInfo coverage: reductions -------------------------------------------
case("amin", V(lambda x: torch.amin(x, -1), rand(2, 3, 4), grad=False))
case("argmin", V(lambda x: torch.argmin(x, 1), rand(2, 3, 4), grad=False),
     V(torch.argmin, rand(3, 4), grad=False))
case("max", V(torch.max, rand(3, 4), grad=False))
case("min", V(torch.min, rand(3, 4), grad=False))
case("max.dim", V(lambda x: torch.max(x, 1), rand(2, 3, 4), grad=False),
     V(lambda x: torch.max(x, -1, keepdim=True), rand(2, 3, 4), grad=False))
case("min.dim", V(lambda x: torch.min(x, 0), rand(2, 3, 4), grad=False))
case("any", V(torch.any, rand(3, 4, dtype=torch.bool), grad=False),
     V(torch.any, rand(3, 4), grad=False))
case("any.dim", V(lambda x: torch.any(x, 1), rand(3, 4, dtype=torch.bool), grad=False))
case("all", V(torch.all, rand(3, 4, dtype=torch.bool), grad=False))
case("all.dim", V(lambda x: torch.all(x, 0), rand(3, 4, dtype=torch.bool), grad=False))
case("prod", V(torch.prod, rand(3, 4), grad=False),
     V(torch.prod, rand(3, dtype=torch.int64), grad=False))
case("prod.dim_int", V(lambda x: torch.prod(x, 1), rand(3, 4), grad=False))

# --- OpInfo coverage: shapes, indexing, pooling ----------------------------
case("flip", V(lambda x: torch.flip(x, (0, -1)), rand(2, 3, 4), grad=False))
case("narrow_copy", V(lambda x: aten.narrow_copy(x, 1, 1, 2), rand(3, 4), grad=False))
case("repeat", V(lambda x: x.repeat(2, 1, 3), rand(3, 4), grad=False))
case("gather", V(lambda x, i: torch.gather(x, 1, i), rand(3, 4),
                 torch.tensor([[0, 3], [1, 1], [2, 0]]), grad=False))
case("index_select", V(lambda x, i: torch.index_select(x, 0, i), rand(3, 4),
                       torch.tensor([2, 0, 2]), grad=False))
case("constant_pad_nd", V(lambda x: F.pad(x, (1, 2)), rand(3, 4), grad=False),
     V(lambda x: F.pad(x, (1, 0, 0, 2), value=1.5), rand(3, 4), grad=False))
case("embedding", V(lambda i, w: F.embedding(i, w), torch.tensor([[0, 2], [4, 1]]),
                    rand(5, 3), grad=False))
case("embedding_dense_backward",
     V(lambda g, i: aten.embedding_dense_backward(g, i, 5, -1, False), rand(2, 2, 3),
       torch.tensor([[0, 2], [4, 0]]), grad=False))
case("avg_pool2d", V(lambda x: F.avg_pool2d(x, 2), rand(1, 2, 4, 4), grad=False))
case("avg_pool2d_backward",
     V(lambda g, x: aten.avg_pool2d_backward(g, x, [2, 2], [2, 2], [0, 0], False, True,
                                             None), rand(1, 2, 2, 2), rand(1, 2, 4, 4),
       grad=False))


# --- Decompositions (native_functions.cpp) -------------------------------
decomposed("mse_loss", V(F.mse_loss, rand(3, 4), rand(3, 4)),
           V(lambda a, b: F.mse_loss(a, b, reduction="sum"), rand(3, 4), rand(4)))
decomposed("huber_loss", V(lambda a, b: F.huber_loss(a, b, delta=0.5), rand(3, 4),
                           rand(3, 4)))
decomposed("smooth_l1_loss", V(lambda a, b: F.smooth_l1_loss(a, b, beta=0.5),
                               rand(3, 4), rand(3, 4)))
decomposed("binary_cross_entropy",
           V(lambda x, t: F.binary_cross_entropy(x, t), torch.rand(3, 4) * 0.9 + 0.05,
             torch.rand(3, 4), no_grad=(1,)))
decomposed("glu", V(lambda x: F.glu(x, -1), rand(3, 4)))
decomposed("logit", V(lambda x: torch.logit(x, 1e-3), torch.rand(3, 4)))
decomposed("xlogy.Tensor", V(torch.xlogy, torch.tensor([0.0, 1.0, 2.0]), pos(3)))
decomposed("logaddexp", V(torch.logaddexp, rand(3, 4), rand(4)))
decomposed("hypot", V(torch.hypot, rand(3, 4), rand(4)))
decomposed("tril", V(lambda x: torch.tril(x, 1), rand(2, 3, 4)))
decomposed("triu", V(lambda x: torch.triu(x, -1), rand(3, 4)))
decomposed("logsumexp", V(lambda x: torch.logsumexp(x, 1), rand(2, 3, 4)),
           V(lambda x: torch.logsumexp(x, (0, 2), keepdim=True), rand(2, 3, 4)))
decomposed("cumsum", V(lambda x: torch.cumsum(x, 1), rand(2, 3, 4)),
           V(lambda x: torch.cumsum(x, 0), rand(5, dtype=torch.int64), grad=False))
decomposed("linalg_vector_norm",
           V(lambda x: torch.linalg.vector_norm(x), rand(3, 4)),
           V(lambda x: torch.linalg.vector_norm(x, 3, dim=1), rand(3, 4)),
           V(lambda x: torch.linalg.vector_norm(x, float("inf"), dim=0), rand(3, 4)))
decomposed("dot", V(torch.dot, rand(5), rand(5)))
decomposed("addmv", V(lambda s, m, v: torch.addmv(s, m, v, beta=0.5, alpha=2), rand(3),
                      rand(3, 4), rand(4)))
decomposed("baddbmm", V(torch.baddbmm, rand(2, 3, 5), rand(2, 3, 4), rand(2, 4, 5)))
decomposed("roll", V(lambda x: torch.roll(x, (1, -2), (0, 1)), rand(3, 4)),
           V(lambda x: torch.roll(x, 5), rand(3, 4)))
decomposed("pixel_shuffle", V(lambda x: F.pixel_shuffle(x, 2), rand(1, 8, 2, 3)))
decomposed("var.correction", V(lambda x: torch.var(x, 1), rand(3, 4)),
           V(lambda x: torch.var(x, unbiased=False), rand(3, 4)))
decomposed("_adaptive_avg_pool2d",
           V(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), rand(1, 2, 5, 7)))
decomposed("prelu", V(F.prelu, rand(2, 3, 4), rand(3)))
decomposed("nan_to_num", V(torch.nan_to_num,
                           torch.tensor([1.0, float("nan"), float("inf"), -float("inf")]),
                           grad=False))

# --- special functions (runtime calls, TorchToLinalg/SpecialFunctions.cpp) --
# Values and edge cases in float32/float64: test_special_functions.py.
def unit(*s):
    return rand(*s, low=-0.9, high=0.9)


def degree(*s):
    return torch.randint(0, 6, s).float()


for name, fn, make, grad in (
        ("digamma", torch.digamma, pos, True), ("lgamma", torch.lgamma, rand, True),
        ("erfinv", torch.erfinv, unit, True), ("sinc", torch.sinc, rand, True),
        ("i0", torch.i0, rand, True), ("special_i0e", torch.special.i0e, rand, True),
        ("special_i1", torch.special.i1, rand, True),
        ("special_i1e", torch.special.i1e, rand, True),
        ("special_entr", torch.special.entr, pos, True),
        ("special_erfcx", torch.special.erfcx, rand, True),
        ("special_log_ndtr", torch.special.log_ndtr, rand, True),
        ("special_ndtri", torch.special.ndtri, lambda *s: rand(*s, low=0.05, high=0.95), True),
        ("special_airy_ai", torch.special.airy_ai, rand, False),
        ("special_bessel_j0", torch.special.bessel_j0, rand, False),
        ("special_bessel_j1", torch.special.bessel_j1, rand, False),
        ("special_bessel_y0", torch.special.bessel_y0, pos, False),
        ("special_bessel_y1", torch.special.bessel_y1, pos, False),
        ("special_modified_bessel_i0", torch.special.modified_bessel_i0, rand, False),
        ("special_modified_bessel_i1", torch.special.modified_bessel_i1, rand, False),
        ("special_modified_bessel_k0", torch.special.modified_bessel_k0, pos, False),
        ("special_modified_bessel_k1", torch.special.modified_bessel_k1, pos, False),
        ("special_scaled_modified_bessel_k0", torch.special.scaled_modified_bessel_k0, pos,
         False),
        ("special_scaled_modified_bessel_k1", torch.special.scaled_modified_bessel_k1, pos,
         False),
        ("special_spherical_bessel_j0", torch.special.spherical_bessel_j0, rand, False)):
    case(name, V(fn, make(3, 4), grad=grad), V(fn, make(), grad=grad))
case("polygamma", V(lambda x: torch.polygamma(2, x), pos(3, 4)),
     V(lambda x: torch.polygamma(1, x), pos()))
case("igamma", V(torch.igamma, pos(3, 4), pos(4), no_grad=(0,)))
case("igammac", V(torch.igammac, pos(3, 4), pos(4), no_grad=(0,)))
case("nextafter", V(torch.nextafter, rand(3, 4), rand(4), grad=False))
case("special_xlog1py", V(torch.special.xlog1py, rand(3, 4), pos(4)))
case("special_zeta", V(torch.special.zeta, pos(3, 4) + 1, pos(4), grad=False))
for name in ("chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
             "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
             "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
             "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
             "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"):
    case("special_" + name, V(getattr(torch.special, name), unit(3, 4), degree(4), grad=False))


# --- linear algebra through runtime kernels (runtime/linalg_kernels.h) -----
def well_conditioned(*shape):
    n = shape[-1]
    return rand(*shape) + n * torch.eye(n)


def spd(*shape):
    a = rand(*shape)
    return a @ a.transpose(-2, -1) + shape[-1] * torch.eye(shape[-1])


LU_A = well_conditioned(2, 4, 4)
LU_DATA, LU_PIVOTS = torch.linalg.lu_factor(LU_A)
case("linalg_lu_factor_ex",
     V(torch.linalg.lu_factor_ex, LU_A),
     V(torch.linalg.lu_factor_ex, rand(3, 5), grad=False),
     V(torch.linalg.lu_factor_ex, rand(5, 3), grad=False))
case("linalg_lu",
     V(torch.linalg.lu, LU_A),
     V(torch.linalg.lu, rand(2, 3, 5), grad=False))
case("lu_unpack",
     V(torch.lu_unpack, LU_DATA, LU_PIVOTS, grad=False),
     V(lambda lu, piv: torch.lu_unpack(lu, piv, unpack_data=False)[0], LU_DATA, LU_PIVOTS,
       grad=False))
case("linalg_lu_solve",
     V(torch.linalg.lu_solve, LU_DATA, LU_PIVOTS, rand(2, 4, 3), grad=False),
     V(lambda lu, piv, b: torch.linalg.lu_solve(lu, piv, b, left=False, adjoint=True),
       LU_DATA, LU_PIVOTS, rand(3, 4), grad=False))
case("linalg_solve_triangular",
     V(lambda a, b: torch.linalg.solve_triangular(a, b, upper=True),
       torch.triu(well_conditioned(4, 4)), rand(2, 4, 3)),
     V(lambda a, b: torch.linalg.solve_triangular(a, b, upper=False, left=False,
                                                  unitriangular=True),
       well_conditioned(2, 1, 3, 3), rand(4, 5, 3)))
case("linalg_cholesky_ex",
     V(lambda a: torch.linalg.cholesky_ex(a)[0], spd(2, 4, 4)),
     V(lambda a: torch.linalg.cholesky_ex(a, upper=True), spd(3, 3), grad=False))
case("cholesky",
     V(torch.cholesky, spd(4, 4)),
     V(lambda a: torch.cholesky(a, upper=True), spd(2, 3, 3)))
case("linalg_inv_ex",
     V(lambda a: torch.linalg.inv_ex(a)[0], well_conditioned(2, 3, 3)),
     V(torch.linalg.inv_ex, well_conditioned(4, 4), grad=False))
case("_linalg_solve_ex",
     V(lambda a, b: torch.linalg.solve_ex(a, b)[0], well_conditioned(2, 3, 3), rand(3, 2)),
     V(lambda a, b: torch.linalg.solve_ex(a, b, left=False), well_conditioned(3, 3),
       rand(2, 4, 3), grad=False),
     V(torch.linalg.solve_ex, well_conditioned(2, 3, 3), rand(2, 3), grad=False))

case("_linalg_det",
     V(torch.linalg.det, well_conditioned(2, 4, 4)),
     V(torch.linalg.det, torch.ones(3, 3), grad=False))
case("_linalg_slogdet",
     V(lambda a: torch.linalg.slogdet(a)[1], rand(2, 4, 4)),
     V(torch.linalg.slogdet, rand(3, 3), grad=False))
case("triangular_solve",
     V(lambda b, a: torch.triangular_solve(b, a)[0], rand(2, 4, 3), well_conditioned(4, 4)),
     V(lambda b, a: torch.triangular_solve(b, a, upper=False, transpose=True,
                                           unitriangular=True),
       rand(4, 2), well_conditioned(2, 4, 4), grad=False))
case("_cholesky_solve_helper",
     V(torch.cholesky_solve, rand(2, 4, 3), torch.linalg.cholesky(spd(4, 4))),
     V(lambda b, u: torch.cholesky_solve(b, u, upper=True), rand(3, 2),
       torch.linalg.cholesky(spd(3, 3), upper=True), grad=False))
decomposed("cholesky_solve",
           V(torch.cholesky_solve, rand(3, 1, 4, 2), torch.linalg.cholesky(spd(2, 4, 4))),
           V(lambda b, u: torch.cholesky_solve(b, u, upper=True), rand(2, 4, 3),
             torch.linalg.cholesky(spd(4, 4), upper=True)))
case("cholesky_inverse",
     V(torch.cholesky_inverse, torch.linalg.cholesky(spd(4, 4))),
     V(lambda u: torch.cholesky_inverse(u, upper=True),
       torch.linalg.cholesky(spd(3, 3), upper=True), grad=False))


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


def test_fill_and_zero_leave_their_input_out_of_the_graph():
    # An optimizer's zero_grad() zeroes every .grad each step: the old
    # gradient must not become an argument of the step's graph.
    dev = torch.device("lazy")
    x = torch.randn(3, 4).to(dev)
    y = x * 3
    torch._lazy.mark_step()
    for zeroed in (y.zero_(), aten.fill(y, 2.5), aten.zero(x)):
        text = ltc_mlir.get_mlir([zeroed])
        arguments = re.search(r"func\.func @graph\((.*)\) ->", text).group(1)
        assert "[3,4]" not in arguments, text  # 2.5 may be a scalar argument
    assert y.cpu().eq(0).all()


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
    for op in sorted(CASES) + sorted(DECOMPOSED)])
def test_op(op):
    counter, variants = CASES[op] if op in CASES else DECOMPOSED[op]
    before = counters()
    for v in variants:
        check(v)
    after = counters()
    assert after.get(counter, 0) > before.get(counter, 0), f"{counter} did not move"
    fallbacks = {n: after[n] - before.get(n, 0) for n in after
                 if n.startswith("aten::") and after[n] != before.get(n, 0)}
    assert fallbacks == {}
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)
