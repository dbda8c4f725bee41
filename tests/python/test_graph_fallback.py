"""A graph MLIR cannot compile still runs, correctly, through the eager
interpreter, with one warning that names the problem and the dumped MLIR."""
import os
import torch
import torch._lazy
import torch._lazy.metrics as metrics
import torch.nn.functional as F

import ltc_mlir

ltc_mlir.init()


def counter(name):
    return metrics.counter_value(name) or 0


def test_uncompilable_graph_runs_eagerly(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("LTC_MLIR_DUMP_DIR", str(tmp_path))
    x = torch.randn(1, 2, 3, 3, 3)
    w = torch.randn(2, 3, 2, 2, 2)
    before = counter("EagerGraphFallback")
    # A 3-d transposed convolution is traced (lazy::convolution) but the
    # Torch to linalg conversion does not lower it.
    y = F.conv_transpose3d(x.to("lazy"), w.to("lazy")) * 2
    torch._lazy.mark_step()
    torch.testing.assert_close(y.cpu(), F.conv_transpose3d(x, w) * 2)
    assert counter("EagerGraphFallback") == before + 1
    # LTC's sync runs outside Python's warning machinery: the warning goes to stderr.
    err = capfd.readouterr().err
    assert err.count("ltc-mlir could not compile") == 1, err
    assert "torch.aten.convolution" in err
    dumped = [f for f in os.listdir(tmp_path) if f.endswith(".torch.mlir")]
    assert dumped and str(tmp_path / dumped[0]) in err

    # The cached computation runs through the interpreter again, on new data.
    x2 = torch.randn(1, 2, 3, 3, 3)
    y2 = F.conv_transpose3d(x2.to("lazy"), w.to("lazy")) * 2
    torch._lazy.mark_step()
    torch.testing.assert_close(y2.cpu(), F.conv_transpose3d(x2, w) * 2)
    assert counter("EagerGraphFallback") == before + 1
