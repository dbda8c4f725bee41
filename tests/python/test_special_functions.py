"""Special functions on the lazy device: compiled runtime calls
(runtime/special_functions.cpp) against eager CPU in float32 and float64,
edge values included, with the lazy:: counter moving and no aten:: fallback.
"""
import math

import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")
INF, NAN = math.inf, math.nan

# Values every unary function sees besides random ones: zeros of both signs,
# integers (poles of digamma), tiny and large magnitudes, infinities, NaN.
EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 1e-6, -1e-6, 30.0, -30.0,
         100.0, INF, -INF, NAN]


def fallback_counters():
    return {n: metrics.counter_value(n) for n in metrics.counter_names()
            if n.startswith("aten::")}


def run_lazy(fn, *args):
    metrics.reset()
    out = fn(*[a.to(LAZY) if isinstance(a, torch.Tensor) else a for a in args])
    torch._lazy.mark_step()
    outs = out if isinstance(out, tuple) else (out,)
    outs = tuple(o.cpu() for o in outs)
    return outs, metrics.counter_names()


def assert_compiled(names, counter):
    assert counter in names, f"{counter} not counted: {names}"
    fallbacks = [n for n in names if n.startswith("aten::")]
    assert not fallbacks, f"fell back: {fallbacks}"


def check(fn, counter, *args, rtol=None, atol=None):
    want = fn(*args)
    want = want if isinstance(want, tuple) else (want,)
    got, names = run_lazy(fn, *args)
    assert_compiled(names, counter)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        torch.testing.assert_close(g, w, rtol=rtol, atol=atol, equal_nan=True)


def values(dtype, low=-5.0, high=5.0, n=64):
    g = torch.Generator().manual_seed(1)
    r = torch.rand(n, generator=g, dtype=torch.float64) * (high - low) + low
    return torch.cat([r, torch.tensor(EDGES, dtype=torch.float64)]).to(dtype)


UNARY = [
    ("digamma", torch.digamma),
    ("lgamma", torch.lgamma),
    ("erfinv", torch.erfinv),
    ("sinc", torch.sinc),
    ("i0", torch.i0),
    ("special_i0e", torch.special.i0e),
    ("special_i1", torch.special.i1),
    ("special_i1e", torch.special.i1e),
    ("special_entr", torch.special.entr),
    ("special_erfcx", torch.special.erfcx),
    ("special_log_ndtr", torch.special.log_ndtr),
    ("special_ndtri", torch.special.ndtri),
    ("special_airy_ai", torch.special.airy_ai),
    ("special_bessel_j0", torch.special.bessel_j0),
    ("special_bessel_j1", torch.special.bessel_j1),
    ("special_bessel_y0", torch.special.bessel_y0),
    ("special_bessel_y1", torch.special.bessel_y1),
    ("special_modified_bessel_i0", torch.special.modified_bessel_i0),
    ("special_modified_bessel_i1", torch.special.modified_bessel_i1),
    ("special_modified_bessel_k0", torch.special.modified_bessel_k0),
    ("special_modified_bessel_k1", torch.special.modified_bessel_k1),
    ("special_scaled_modified_bessel_k0", torch.special.scaled_modified_bessel_k0),
    ("special_scaled_modified_bessel_k1", torch.special.scaled_modified_bessel_k1),
    ("special_spherical_bessel_j0", torch.special.spherical_bessel_j0),
]

# Where ATen's own algorithm differs from the runtime's in the last bits of a
# result that is ill-conditioned (poles, zeros of oscillating functions).
TOLERANCE = {
    torch.float32: dict(rtol=1e-4, atol=1e-5),
    torch.float64: dict(rtol=1e-6, atol=1e-8),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name,fn", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, fn, dtype):
    x = values(dtype)
    if name in ("erfinv", "special_ndtri"):
        x = values(dtype, -1.2, 1.2)
        x = torch.cat([x, torch.tensor([1e-30, 0.999999, -0.999999], dtype=dtype)])
    if name == "digamma":
        # Right next to a pole the result is ~1e15 and only its order matters.
        x = x[(x - x.round()).abs() > 1e-3]
    tol = TOLERANCE[dtype]
    if name == "special_airy_ai":
        # ATen's Airy series and our Bessel-function identity differ by up to
        # ~1e-5 relative near the zeros of Ai on the negative axis.
        tol = TOLERANCE[torch.float32]
    check(fn, "lazy::" + name, x, **tol)


def test_integer_input_promotes():
    x = torch.arange(-3, 5)
    check(torch.special.i0e, "lazy::special_i0e", x)
    check(torch.lgamma, "lazy::lgamma", x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_polygamma(n, dtype):
    x = values(dtype, 0.1, 8.0)
    x = x[(x - x.round()).abs() > 1e-3]
    check(lambda t: torch.polygamma(n, t), "lazy::polygamma", x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_binary(dtype):
    a = values(dtype, 0.0, 10.0).abs()
    x = values(dtype, 0.0, 10.0).flip(0).abs()
    tol = TOLERANCE[dtype]
    check(torch.igamma, "lazy::igamma", a, x, **tol)
    check(torch.igammac, "lazy::igammac", a, x, **tol)
    y = values(dtype, -0.9, 5.0).flip(0)
    check(torch.special.xlog1py, "lazy::special_xlog1py", values(dtype), y, **tol)
    s = values(dtype, 1.0, 6.0)
    q = values(dtype, 0.1, 5.0).flip(0)
    check(torch.special.zeta, "lazy::special_zeta", s, q, **tol)
    # nextafter steps by one ulp in the operands' own precision: exact.
    check(torch.nextafter, "lazy::nextafter", values(dtype), values(dtype).flip(0),
          rtol=0, atol=0)


POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u",
               "chebyshev_polynomial_v", "chebyshev_polynomial_w",
               "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
               "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
               "hermite_polynomial_h", "hermite_polynomial_he",
               "laguerre_polynomial_l", "legendre_polynomial_p"]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial(name, dtype):
    fn = getattr(torch.special, name)
    # Degrees -1 (zero polynomial) to 12 (the trigonometric forms) against
    # x in [-1, 1] and its ends, broadcast.
    x = torch.cat([torch.linspace(-1, 1, 9, dtype=dtype),
                   torch.tensor([1.5, -1.5, NAN], dtype=dtype)]).reshape(-1, 1)
    n = torch.arange(-1, 13, dtype=dtype)
    check(fn, "lazy::special_" + name, x, n, **TOLERANCE[dtype])


def test_frexp():
    x = torch.tensor([0.0, -0.0, 1.0, -1.0, 0.5, 3.0, -7.5, 1024.0, 1e-40, 3e38,
                      0.7, INF, -INF, NAN])
    check(torch.frexp, "lazy::frexp", x, rtol=0, atol=0)
    check(torch.frexp, "lazy::frexp", torch.randn(5, 7, dtype=torch.float64) * 1e3,
          rtol=0, atol=0)


def test_frexp_rejects_integers():
    with pytest.raises(RuntimeError, match="floating-point"):
        torch.frexp(torch.arange(3).to(LAZY))


def grads(device, fn, *args):
    leaves = [a.detach().clone().to(device).requires_grad_() for a in args]
    fn(*leaves).sum().backward()
    if device.type == "lazy":
        torch._lazy.mark_step()
    return [leaf.grad.cpu() for leaf in leaves]


@pytest.mark.parametrize("fn,make", [
    (torch.digamma, lambda: torch.rand(6, dtype=torch.float64) * 4 + 0.2),
    (torch.lgamma, lambda: torch.rand(6, dtype=torch.float64) * 4 + 0.2),
    (lambda x: torch.polygamma(2, x), lambda: torch.rand(6, dtype=torch.float64) + 0.5),
    (torch.erfinv, lambda: torch.rand(6, dtype=torch.float64) * 1.8 - 0.9),
    (torch.i0, lambda: torch.randn(6, dtype=torch.float64)),
    (torch.special.i1, lambda: torch.randn(6, dtype=torch.float64)),
    (torch.special.i1e, lambda: torch.randn(6, dtype=torch.float64)),
    (torch.special.ndtri, lambda: torch.rand(6, dtype=torch.float64) * 0.9 + 0.05),
    (torch.sgn, lambda: torch.randn(6, dtype=torch.float64)),
], ids=["digamma", "lgamma", "polygamma", "erfinv", "i0", "i1", "i1e", "ndtri", "sgn"])
def test_gradients(fn, make):
    x = make()
    want = grads(torch.device("cpu"), fn, x)
    metrics.reset()
    got = grads(LAZY, fn, x)
    fallbacks = [n for n in metrics.counter_names() if n.startswith("aten::")]
    assert not fallbacks, f"fell back: {fallbacks}"
    torch.testing.assert_close(got, want, rtol=1e-7, atol=1e-9)
