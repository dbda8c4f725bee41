"""What a user can get wrong gives a Python exception, never an abort; eager
fallbacks hand back lazy tensors whatever their result type."""
import torch
import torch._lazy
import torch._lazy.metrics as metrics

import ltc_mlir

ltc_mlir.init()


def counter(name):
    return metrics.counter_value(name) or 0


def test_cpu_tensor_in_lazy_op_raises():
    a = torch.ones(3, device="lazy")
    cases = [
        lambda: a + torch.ones(3),  # elementwise, generated kernel
        lambda: torch.mm(torch.ones(3, 3, device="lazy"), torch.ones(3, 3)),
        lambda: torch.cat([a, torch.ones(3)]),  # tensor-list operand
        lambda: torch.nn.functional.linear(  # optional operand (bias)
            torch.ones(2, 3, device="lazy"), torch.ones(4, 3, device="lazy"), torch.ones(4)),
        lambda: a.masked_fill(torch.ones(3) > 0, 1.0),  # hand-written kernel
    ]
    for case in cases:
        try:
            case()
        except RuntimeError as e:
            assert "same device" in str(e)
        else:
            raise AssertionError("a CPU operand in a lazy op did not raise")
    # The process is still healthy.
    torch._lazy.mark_step()
    assert (a * 2).cpu().tolist() == [2.0, 2.0, 2.0]


def test_cpu_scalars_still_join_lazy_ops():
    a = torch.arange(3.0).to("lazy")
    y = a * torch.tensor(2.0) + 1
    assert y.device.type == "lazy"
    assert y.cpu().tolist() == [1.0, 3.0, 5.0]


def test_eager_fallback_list_results_are_lazy():
    # _foreach_add is not traced: it runs on the CPU through the eager
    # fallback, and its Tensor[] result must come back on the lazy device.
    xs = [torch.arange(4.0).to("lazy"), torch.ones(2, 2).to("lazy")]
    before = counter("aten::_foreach_add")
    ys = torch._foreach_add(xs, 1.0)
    assert counter("aten::_foreach_add") == before + 1
    assert all(y.device.type == "lazy" for y in ys)
    # ...and lazy ops accept them.
    z = ys[0] * 2
    torch._lazy.mark_step()
    assert z.cpu().tolist() == [2.0, 4.0, 6.0, 8.0]
    assert ys[1].cpu().tolist() == [[2.0, 2.0], [2.0, 2.0]]
