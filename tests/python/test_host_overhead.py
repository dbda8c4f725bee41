"""Host-side behaviour of training loops: nothing accumulates across steps."""
import torch
import torch._lazy
import torch._lazy.metrics as metrics
import torch.nn as nn
import torch.nn.functional as F

import ltc_mlir

ltc_mlir.init()
LAZY = torch.device("lazy")


def live_lazy_tensors():
    return (metrics.counter_value("CreateLtcTensor") or 0) - \
        (metrics.counter_value("DestroyLtcTensor") or 0)


def sgd_loop(steps, optimizer=torch.optim.SGD, **options):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4)).to(LAZY)
    opt = optimizer(model.parameters(), **options)
    x, y = torch.randn(8, 16).to(LAZY), torch.randint(0, 4, (8,)).to(LAZY)
    live, memory = [], []
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        torch._lazy.mark_step()
        # Device memory is sampled with the step's graph finished: with async
        # execution it may still be allocating its outputs otherwise.
        torch._lazy.wait_device_ops()
        live.append(live_lazy_tensors())
        memory.append(ltc_mlir.memory_stats()["in_use_bytes"])
    return live, memory


def test_in_place_updates_do_not_accumulate_lazy_tensors():
    # PyTorch 1.13's functionalization keeps every value an in-place op gave
    # a tensor; the backend drains that queue, so parameters, gradients and
    # momentum buffers cost the same number of tensors and bytes every step.
    live, memory = sgd_loop(8, lr=0.1, momentum=0.9)
    assert live[-1] == live[2], live
    assert memory[-1] == memory[2], memory


def test_in_place_updates_through_views_still_reach_the_base():
    def run(device):
        x = torch.arange(12.).reshape(3, 4).to(device)
        v = x.view(2, 6)
        v.add_(10)
        x.mul_(2)
        u = x.view(12)
        u.sub_(1)
        y = torch.zeros(2, 6, device=device)
        y.add_(v)
        if device == LAZY:
            torch._lazy.mark_step()
        return [t.cpu() for t in (x, v, u, y)]

    for lazy, eager in zip(run(LAZY), run(torch.device("cpu"))):
        torch.testing.assert_close(lazy, eager)


def test_memory_stats_reports_device_buffers():
    before = ltc_mlir.memory_stats()
    x = torch.randn(256, 256).to(LAZY) * 2
    torch._lazy.mark_step()
    during = ltc_mlir.memory_stats()
    assert during["in_use_bytes"] >= before["in_use_bytes"] + 256 * 256 * 4
    assert during["peak_bytes"] >= during["in_use_bytes"]
    del x


def test_fast_shape_rules_agree_with_eager():
    # Pointwise ops, t() and view() take shape rules that skip meta tensors;
    # anything they do not cover (mixed dtypes, errors) goes to the meta kernel.
    a, b = torch.randn(3, 1), torch.randn(1, 4)
    c, d = torch.randn(4), torch.randn(4, dtype=torch.float64)
    cases = [
        lambda a, b, c, d: a + b,
        lambda a, b, c, d: torch.addcmul(a, b, a, value=0.5),
        lambda a, b, c, d: torch.maximum(a, b) * 2,
        lambda a, b, c, d: c * d,
        lambda a, b, c, d: (a * b).view(-1, 6),
        lambda a, b, c, d: c.t() + (a * b).t().reshape(12)[:4],
    ]
    lazy = [t.to(LAZY) for t in (a, b, c, d)]
    for case in cases:
        expected = case(a, b, c, d)
        got = case(*lazy)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        torch.testing.assert_close(got.cpu(), expected)
    # Python numbers next to a tensor: a real number keeps a floating
    # tensor's dtype (half stays half), a complex one or an integer tensor
    # promotes (the meta kernel decides those).
    h, i = torch.randn(5).half(), torch.arange(5)
    for case in [lambda h, i: h * 0.5, lambda h, i: 2 - h, lambda h, i: h / 3,
                 lambda h, i: i * 0.5, lambda h, i: h.float() * 2j,
                 lambda h, i: h.float().add_(1.5, alpha=2)]:
        expected = case(h, i)
        got = case(h.to(LAZY), i.to(LAZY))
        assert got.shape == expected.shape and got.dtype == expected.dtype, case
        torch.testing.assert_close(got.cpu(), expected)
    try:
        torch.randn(3).to(LAZY) + torch.randn(4).to(LAZY)
    except RuntimeError:
        pass
    else:
        raise AssertionError("adding shapes [3] and [4] must fail as in eager")


def test_python_number_operands_make_no_lazy_tensor():
    # x * 0.9 + 2.5 makes two lazy tensors, its results: the numbers reach
    # the graph as scalar operands without a lazy tensor each.
    a = torch.randn(4, 4)
    la = a.to(LAZY)
    before = metrics.counter_value("CreateLtcTensor") or 0
    got = la * 0.9 + 2.5
    assert metrics.counter_value("CreateLtcTensor") - before == 2
    torch.testing.assert_close(got.cpu(), a * 0.9 + 2.5)


def test_product_reduction_softmax_shape_rules_agree_with_eager():
    # mm, bmm, addmm, sum/mean over dims and (log_)softmax with its backward
    # take shape rules too; what they do not cover reaches the meta kernel,
    # which raises eager's errors.
    torch.manual_seed(0)
    m, w = torch.randn(5, 3), torch.randn(3, 4)
    b1, b2 = torch.randn(4), torch.randn(5, 1)
    x = torch.randn(2, 5, 3)
    cases = [
        lambda: m @ w,
        lambda: torch.bmm(x, x.transpose(1, 2)),
        lambda: torch.addmm(b1, m, w, beta=0.5, alpha=2),
        lambda: torch.addmm(b2, m, w),
        lambda: torch.addmm(b2[0], m, w),
        lambda: x.sum(1),
        lambda: x.sum((-1, 0), keepdim=True),
        lambda: x.mean([2]),
        lambda: x.sum(1, dtype=torch.float64),
        lambda: x.double().mean(-2, keepdim=True),
        lambda: x.softmax(-1),
        lambda: F.log_softmax(x, 1),
        lambda: x.sum(),
    ]
    for case in cases:
        expected = case()
        m, w, b1, b2, x = (t.to(LAZY) for t in (m, w, b1, b2, x))
        got = case()
        m, w, b1, b2, x = (t.cpu() for t in (m, w, b1, b2, x))
        assert got.shape == expected.shape and got.dtype == expected.dtype
        torch.testing.assert_close(got.cpu(), expected)
    # The backward of softmax and log_softmax, through autograd.
    for fn in (F.softmax, F.log_softmax):
        xl = x.to(LAZY).requires_grad_()
        xe = x.clone().requires_grad_()
        (fn(xl, -1) * torch.arange(3.0).to(LAZY)).sum().backward()
        (fn(xe, -1) * torch.arange(3.0)).sum().backward()
        assert xl.grad.shape == xe.grad.shape
        torch.testing.assert_close(xl.grad.cpu(), xe.grad)
    lm, lx = m.to(LAZY), x.to(LAZY)
    for bad, error in [(lambda t, u: t @ t, RuntimeError),
                       (lambda t, u: torch.addmm(torch.randn(3).to(LAZY), t, t.t()), RuntimeError),
                       (lambda t, u: u.sum(3), IndexError),
                       (lambda t, u: u.sum((1, -2)), RuntimeError),
                       (lambda t, u: u.softmax(3), IndexError)]:
        try:
            bad(lm, lx)
        except error:
            pass
        else:
            raise AssertionError("an invalid product, reduction or softmax must fail as in eager")


def test_graphs_differing_only_in_an_output_index_compile_apart():
    # nll_loss_forward has two outputs of one shape and dtype (the loss and
    # the total weight): two graphs that differ only in which one a consumer
    # reads must hash apart, or the second would run the first's executable.
    torch.manual_seed(0)
    logits = torch.randn(6, 5).log_softmax(1)
    target = torch.tensor([0, 1, 4, -100, 2, 2])

    def run(device, index):
        outputs = torch.ops.aten.nll_loss_forward(
            logits.to(device), target.to(device), None, 1, -100)
        result = outputs[index] * 3
        if device == LAZY:
            torch._lazy.mark_step()
        return result.cpu()

    traced = metrics.counter_value("lazy::nll_loss_forward") or 0
    for index in (0, 1, 0, 1):
        expected = run(torch.device("cpu"), index)
        got = run(LAZY, index)
        torch.testing.assert_close(got, expected)
    assert (metrics.counter_value("lazy::nll_loss_forward") or 0) == traced + 4
    # The two outputs differ here, so a shared executable would have failed.
    assert run(torch.device("cpu"), 0).item() != run(torch.device("cpu"), 1).item()
