"""Linear algebra on the lazy device: the factorizations and solves lowered to
the runtime's LAPACK-backed kernels (runtime/linalg_kernels.h) match eager
CPU in float32 and float64, batched, broadcast and on non-contiguous
(transposed) inputs, and run compiled: the op's lazy:: counter moves and no
aten:: counter does.
"""
import pytest
import torch
import torch._lazy
import torch._lazy.metrics as metrics

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")
DTYPES = [torch.float32, torch.float64]


def counters():
    return {n: metrics.counter_value(n) for n in metrics.counter_names()}


def well_conditioned(*shape, dtype):
    n = shape[-1]
    return torch.randn(*shape, dtype=dtype) + n * torch.eye(n, dtype=dtype)


def spd(*shape, dtype):
    a = torch.randn(*shape, dtype=dtype)
    return a @ a.mT + shape[-1] * torch.eye(shape[-1], dtype=dtype)


def run_both(fn, *inputs, transpose=()):
    """fn on CPU and on lazy copies; inputs listed in `transpose` are passed
    as .mT views of a contiguous transposed copy (non-contiguous on both)."""
    def prep(device):
        out = []
        for i, x in enumerate(inputs):
            x = x.to(device)
            if i in transpose:
                x = x.mT.contiguous().mT
            out.append(x)
        return out

    want = fn(*prep("cpu"))
    got = fn(*prep(LAZY))
    torch._lazy.mark_step()
    want = want if isinstance(want, (tuple, list)) else (want,)
    got = got if isinstance(got, (tuple, list)) else (got,)
    return [g.cpu() for g in got], list(want)


def check(fn, *inputs, counter, transpose=(), allow=()):
    before = counters()
    got, want = run_both(fn, *inputs, transpose=transpose)
    after = counters()
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        if w.is_floating_point():
            tol = 1e-4 if w.dtype == torch.float32 else 1e-10
            torch.testing.assert_close(g, w, rtol=tol, atol=tol)
        else:
            assert torch.equal(g, w)
    assert after.get(counter, 0) > before.get(counter, 0), f"{counter} did not move"
    moved = {n for n in after
             if n.startswith("aten::") and after[n] != before.get(n, 0)}
    assert moved <= set(allow), moved
    assert after.get("EagerGraphFallback", 0) == before.get("EagerGraphFallback", 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5), (2, 3, 6), (2, 6, 3)])
def test_lu_factor(dtype, shape):
    a = torch.randn(*shape, dtype=dtype)
    check(torch.linalg.lu_factor_ex, a, counter="lazy::linalg_lu_factor_ex")
    check(torch.linalg.lu_factor_ex, a, counter="lazy::linalg_lu_factor_ex",
          transpose=(0,))
    check(torch.linalg.lu, a, counter="lazy::linalg_lu")


@pytest.mark.parametrize("dtype", DTYPES)
def test_lu_factor_singular_info(dtype):
    a = torch.ones(2, 3, 3, dtype=dtype)
    a[1] = torch.eye(3, dtype=dtype)
    check(torch.linalg.lu_factor_ex, a, counter="lazy::linalg_lu_factor_ex")


@pytest.mark.parametrize("dtype", DTYPES)
def test_lu_unpack(dtype):
    lu, piv = torch.linalg.lu_factor(torch.randn(2, 4, 3, dtype=dtype))
    check(torch.lu_unpack, lu, piv, counter="lazy::lu_unpack")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve(dtype, left, adjoint):
    lu, piv = torch.linalg.lu_factor(well_conditioned(2, 4, 4, dtype=dtype))
    b = torch.randn(3, 1, 4, 2, dtype=dtype) if left else torch.randn(2, 4, dtype=dtype)
    check(lambda lu, piv, b: torch.linalg.lu_solve(lu, piv, b, left=left, adjoint=adjoint),
          lu, piv, b, counter="lazy::linalg_lu_solve", transpose=(2,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(dtype, upper, left, unit):
    n = 4 if left else 3
    a = well_conditioned(2, 1, n, n, dtype=dtype)
    b = torch.randn(5, 4, 3, dtype=dtype)
    check(lambda a, b: torch.linalg.solve_triangular(a, b, upper=upper, left=left,
                                                     unitriangular=unit),
          a, b, counter="lazy::linalg_solve_triangular", transpose=(0,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
def test_cholesky(dtype, upper):
    a = spd(3, 4, 4, dtype=dtype)
    check(lambda a: torch.linalg.cholesky_ex(a, upper=upper), a,
          counter="lazy::linalg_cholesky_ex", transpose=(0,))
    check(lambda a: torch.cholesky(a, upper=upper), a, counter="lazy::cholesky")


@pytest.mark.parametrize("dtype", DTYPES)
def test_cholesky_not_positive_definite_info(dtype):
    a = -torch.eye(3, dtype=dtype).expand(2, 3, 3).clone()
    a[0] = spd(3, 3, dtype=dtype)
    got, want = run_both(lambda a: torch.linalg.cholesky_ex(a)[1], a)
    assert torch.equal(got[0], want[0]) and want[0].tolist() == [0, 1]


@pytest.mark.parametrize("dtype", DTYPES)
def test_inv_and_solve(dtype):
    a = well_conditioned(2, 4, 4, dtype=dtype)
    check(torch.linalg.inv_ex, a, counter="lazy::linalg_inv_ex", transpose=(0,))
    check(torch.linalg.solve_ex, a, torch.randn(4, 3, dtype=dtype),
          counter="lazy::_linalg_solve_ex")
    check(torch.linalg.solve_ex, a, torch.randn(2, 4, dtype=dtype),
          counter="lazy::_linalg_solve_ex")
    check(lambda a, b: torch.linalg.solve_ex(a, b, left=False), a,
          torch.randn(3, 1, 2, 4, dtype=dtype), counter="lazy::_linalg_solve_ex")


@pytest.mark.parametrize("dtype", DTYPES)
def test_det_slogdet(dtype):
    a = torch.randn(3, 4, 4, dtype=dtype)
    a[1] = torch.ones(4, 4, dtype=dtype)  # singular: det 0, sign 0, -inf
    a[2] = a[2][[1, 0, 3, 2]]
    check(torch.linalg.det, a, counter="lazy::_linalg_det", transpose=(0,))
    check(torch.linalg.slogdet, a, counter="lazy::_linalg_slogdet")
    check(torch.logdet, spd(2, 3, 3, dtype=dtype), counter="lazy::_linalg_slogdet")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
def test_cholesky_solve_and_inverse(dtype, upper):
    factor = torch.linalg.cholesky(spd(2, 4, 4, dtype=dtype), upper=upper)
    check(lambda b, f: torch.cholesky_solve(b, f, upper=upper),
          torch.randn(3, 1, 4, 2, dtype=dtype), factor,
          counter="lazy::_cholesky_solve_helper")
    check(lambda f: torch.cholesky_inverse(f, upper=upper), factor[0],
          counter="lazy::cholesky_inverse")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("transpose", [True, False])
def test_triangular_solve(dtype, transpose):
    a = well_conditioned(2, 4, 4, dtype=dtype)
    check(lambda b, a: torch.triangular_solve(b, a, upper=False, transpose=transpose),
          torch.randn(4, 3, dtype=dtype), a, counter="lazy::triangular_solve")


def test_composites_with_error_checks():
    # linalg.inv / linalg.solve read `info` on the host to raise on singular
    # input (aten::_local_scalar_dense); the factorization itself is compiled.
    a = well_conditioned(3, 3, dtype=torch.float32)
    b = torch.randn(3, 2)
    check(torch.linalg.inv, a, counter="lazy::linalg_inv_ex",
          allow={"aten::_local_scalar_dense"})
    check(torch.linalg.solve, a, b, counter="lazy::_linalg_solve_ex",
          allow={"aten::_local_scalar_dense"})
    with pytest.raises(RuntimeError):
        torch.linalg.inv(torch.zeros(3, 3, device=LAZY))


# One backward graph of solve_ex and solve_triangular: two kernel calls read
# one intermediate tensor, whose buffer nothing may overwrite or free before
# the second call (see docs/OPS.md).
@pytest.mark.parametrize("dtype", DTYPES)
def test_gradients(dtype):
    a = well_conditioned(2, 3, 3, dtype=dtype)
    b = torch.randn(2, 3, 2, dtype=dtype)

    def grads(device):
        x = a.to(device).requires_grad_()
        y = b.to(device).requires_grad_()
        out = (torch.linalg.solve_ex(x, y)[0].sum()
               + torch.linalg.solve_triangular(x, y, upper=True).sum())
        gx, gy = torch.autograd.grad(out, (x, y))
        if device == LAZY:
            torch._lazy.mark_step()
        return gx.cpu(), gy.cpu()

    tol = 1e-4 if dtype == torch.float32 else 1e-10
    for g, w in zip(grads(LAZY), grads("cpu")):
        torch.testing.assert_close(g, w, rtol=tol, atol=tol)
