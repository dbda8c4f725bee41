"""ltc-mlir: a PyTorch Lazy Tensor Core backend that compiles through MLIR.

Usage::

    import torch, ltc_mlir
    ltc_mlir.init()
    x = torch.randn(4, 4).to("lazy")
    y = (x @ x).relu()
    torch._lazy.mark_step()
"""

import torch  # noqa: F401  (loads libtorch before our extension)
import torch._lazy  # noqa: F401

from . import _C
from . import _provenance

# Each cache entry records the user's source line whose sync compiled it.
_C._set_provenance_hook(_provenance.sync_provenance)

__all__ = ["init", "get_mlir", "metrics_report", "memory_stats", "llvm_version", "device",
           "async_execution"]


def init() -> None:
    """Registers ltc-mlir as the backend of the lazy device. Idempotent."""
    _C.init()


def device() -> torch.device:
    """The lazy device ltc-mlir runs on."""
    return torch.device("lazy", 0)


def get_mlir(tensors) -> str:
    """Torch-dialect MLIR of the pending graph that computes `tensors`."""
    if isinstance(tensors, torch.Tensor):
        tensors = [tensors]
    return _C.get_mlir(list(tensors))


def metrics_report() -> str:
    """LTC core's metrics and counters, with ltc-mlir's own."""
    return _C.metrics_report()


def memory_stats() -> dict:
    """Bytes held by live device buffers now (``in_use_bytes``) and at most so far
    (``peak_bytes``); of those, free buffers kept for reuse (``pool_cached_bytes``,
    capped by ``LTC_MLIR_BUFFER_POOL_MB``, default 256), and how many allocations
    they served (``pool_hits``) or not (``pool_misses``). The intermediates compiled
    graphs allocate inside themselves come from a separate cache: ``graph_in_use_bytes``
    now, ``graph_cached_bytes`` free for reuse (capped by ``LTC_MLIR_GRAPH_CACHE_MB``,
    default 1024), ``graph_hits`` / ``graph_misses``."""
    return dict(_C.memory_stats())


def async_execution() -> bool:
    """Whether graphs run on LTC's I/O thread while Python traces the next step
    (the default; ``LTC_MLIR_ASYNC=0`` before ``init()`` turns it off). Reading a
    result waits for the graph that computes it; ``torch._lazy.wait_device_ops()``
    waits for all."""
    return _C.async_execution()


def llvm_version() -> str:
    """The LLVM/MLIR version the backend was built against."""
    return _C.llvm_version()
